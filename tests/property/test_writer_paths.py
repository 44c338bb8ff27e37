"""The writer's per-folder path checks (`tinkc.writer._Parents`: each folder above the generated
files judged once, a file under a missing folder not looked at) against the per-file walk they
replaced, on random trees of folders, files and symlinks; and the text keys of the writer's loops
(`_is_clean`, `_path_order`) against PurePosixPath."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path, PurePosixPath

from hypothesis import given, settings
from hypothesis import strategies as st

from tinkc import writer

NAMES = ("a", "b", "c")
KINDS = ("dir", "file", "symlink-dir", "symlink-file", "dangling")


def lstat(path: str) -> os.stat_result | None:
    try:
        return os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        return None


def walk_has_symlink(base: str, parts: list[str]) -> tuple[bool, os.stat_result | None]:
    """The reference: every folder above the file lstat'ed on the way down, then the file."""
    current = base
    for part in parts[:-1]:
        current = os.path.join(current, part)
        found = lstat(current)
        if found is not None and stat.S_ISLNK(found.st_mode):
            return True, None
    found = lstat(os.path.join(base, *parts))
    return (found is not None and stat.S_ISLNK(found.st_mode)), found


def walk_blocking_file(base: str, parts: list[str]) -> str | None:
    current = base
    for i, part in enumerate(parts[:-1]):
        current = os.path.join(current, part)
        found = lstat(current)
        if found is not None and not stat.S_ISDIR(found.st_mode):
            return "/".join(parts[: i + 1])
    return None


paths = st.lists(st.sampled_from(NAMES), min_size=1, max_size=4).map("/".join)
trees = st.dictionaries(st.lists(st.sampled_from(NAMES), min_size=1, max_size=3).map("/".join), st.sampled_from(KINDS), max_size=8)


def make(root: Path, elsewhere: Path, entries: dict[str, str]) -> None:
    (elsewhere / "d").mkdir(parents=True)
    (elsewhere / "d" / "a").write_text("x")
    (elsewhere / "f").write_text("x")
    for rel, kind in sorted(entries.items(), key=lambda e: e[0].count("/")):
        path = root / rel
        if not path.parent.is_dir() or path.parent.is_symlink() or os.path.lexists(path):
            continue  # under a file, a symlink or a missing folder: what is above decides
        if kind == "dir":
            path.mkdir()
        elif kind == "file":
            path.write_text("x")
        else:
            path.symlink_to({"symlink-dir": elsewhere / "d", "symlink-file": elsewhere / "f", "dangling": elsewhere / "nothing"}[kind])


@settings(max_examples=300, deadline=None)
@given(entries=trees, keys=st.lists(paths, min_size=1, max_size=12))
def test_folder_verdicts_answer_as_the_walk_over_each_file(entries: dict[str, str], keys: list[str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root, elsewhere = Path(tmp) / "out", Path(tmp) / "elsewhere"
        root.mkdir()
        make(root, elsewhere, entries)
        parents = writer._Parents(root)  # one instance for every key, as the writer's loops use it
        for key in keys:
            parts = key.split("/")
            symlink, found = parents.has_symlink(key)
            want_symlink, want_found = walk_has_symlink(str(root), parts)
            assert symlink == want_symlink, key
            assert (found is None) == (want_found is None), key
            if found is not None and want_found is not None:
                assert (found.st_ino, found.st_mode) == (want_found.st_ino, want_found.st_mode), key
            if not symlink:  # the writer asks for a blocking file only then
                assert parents.blocking_file(key) == walk_blocking_file(str(root), parts), key
            folder = key.rpartition("/")[0]
            if folder:  # its folders: those above a file named in it
                assert parents.dirs_have_symlink(folder) == walk_has_symlink(str(root), [*folder.split("/"), "x"])[0], key
            assert writer._has_symlink(root, PurePosixPath(key)) == want_symlink, key


def reference_safe_relative(path: str) -> PurePosixPath | None:
    """safe_relative as it was written before the writer keyed files by text."""
    if not path or "\x00" in path or "\\" in path or writer._DRIVE.match(path) or path.startswith("/"):
        return None
    parts = path.split("/")
    if any(part in ("", ".", "..") for part in parts):
        return None
    if any(len(part.encode("utf-8", "surrogatepass")) > writer.MAX_NAME_BYTES for part in parts):
        return None
    p = PurePosixPath(path)
    return None if p.name.startswith(writer.RESERVED_PREFIX) else p


texts = st.one_of(
    st.text(alphabet=st.sampled_from(["a", "b", ".", "/", "\\", "-", "\x00", "C", ":", "é", "\udc80"]), max_size=12),
    st.sampled_from([".tinkc-x", "a/.tinkc-x", ".tinkc-a/b", "a" * 250, "b/" + "é" * 124]),
)


@given(texts)
def test_a_clean_key_is_what_safe_relative_takes_and_its_own_posix_form(path: str) -> None:
    rel = reference_safe_relative(path)
    assert writer._is_clean(path) == (rel is not None) and writer.safe_relative(path) == rel
    if rel is not None:
        assert rel.as_posix() == path


@given(st.lists(paths, unique=True))
def test_path_order_sorts_as_pure_posix_path(keys: list[str]) -> None:
    assert sorted(keys, key=writer._path_order) == [p.as_posix() for p in sorted(PurePosixPath(k) for k in keys)]
