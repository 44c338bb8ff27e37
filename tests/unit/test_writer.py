"""The writer: only-changed, atomic, durable, inside the output directory, never a user's file."""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path, PurePosixPath

import pytest

from tinkc import writer
from tinkc.backends.base import OutputFile
from tinkc.diagnostics import Sink
from tinkc.writer import LOCK, RECORD, write_tree


def files(**contents: str) -> list[OutputFile]:
    return [OutputFile(k.replace("__", "/"), v) for k, v in contents.items()]


def test_rebuild_with_nothing_changed_writes_nothing(tmp_path: Path) -> None:
    sink = Sink()
    first = write_tree(tmp_path, files(a="1", sub__b="2"), sink)
    assert sorted(first.written) == ["a", "sub/b"]
    stamps = {p: os.stat(tmp_path / p).st_mtime_ns for p in ("a", "sub/b", RECORD)}
    second = write_tree(tmp_path, files(a="1", sub__b="2"), sink)
    assert second.written == [] and sorted(second.unchanged) == ["a", "sub/b"]
    assert stamps == {p: os.stat(tmp_path / p).st_mtime_ns for p in stamps}
    assert not sink.items


def test_changed_files_rewritten_stale_ones_removed(tmp_path: Path) -> None:
    sink = Sink()
    write_tree(tmp_path, files(a="1", sub__b="2", sub__c="3"), sink)
    report = write_tree(tmp_path, files(a="1!", sub__b="2"), sink)
    assert report.written == ["a"] and report.removed == ["sub/c"]
    assert (tmp_path / "a").read_text() == "1!" and not (tmp_path / "sub" / "c").exists()
    report = write_tree(tmp_path, files(a="1!"), sink)
    assert report.removed == ["sub/b"] and not (tmp_path / "sub").exists()
    assert json.loads((tmp_path / RECORD).read_text())["files"].keys() == {"a"}


def test_user_files_are_never_touched(tmp_path: Path) -> None:
    (tmp_path / "mine.txt").write_text("user")
    (tmp_path / "a").write_text("user's a")
    sink = Sink()
    report = write_tree(tmp_path, files(a="generated"), sink)
    assert report.refused == ["a"] and (tmp_path / "a").read_text() == "user's a"
    assert [d.code for d in sink.items] == ["writer.user-file"]
    write_tree(tmp_path, [], Sink())
    assert (tmp_path / "mine.txt").read_text() == "user" and (tmp_path / "a").exists()


def test_edited_generated_files_are_kept(tmp_path: Path) -> None:
    write_tree(tmp_path, files(a="1", b="2"), Sink())
    (tmp_path / "a").write_text("edited")
    (tmp_path / "b").write_text("edited too")
    sink = Sink()
    report = write_tree(tmp_path, files(a="new"), sink)
    assert report.refused == ["a"] and (tmp_path / "a").read_text() == "edited"
    assert (tmp_path / "b").read_text() == "edited too"  # no longer generated, but edited: kept
    assert sorted(d.code for d in sink.items) == ["writer.edited-file", "writer.edited-file"]


@pytest.mark.parametrize("bad", ["../escape", "/etc/passwd", "C:/x", "a/../../b", "a\\b", "a/./b", "", "x\x00y", RECORD])
def test_paths_outside_the_output_are_refused(tmp_path: Path, bad: str) -> None:
    out = tmp_path / "out"
    sink = Sink()
    report = write_tree(out, [OutputFile(bad, "x")], sink)
    assert report.refused == [bad] and [d.code for d in sink.items] == ["writer.unsafe-path"]
    assert not (tmp_path / "escape").exists() and not (tmp_path / "b").exists()


def test_symlinks_inside_the_output_are_not_followed(tmp_path: Path) -> None:
    out, elsewhere = tmp_path / "out", tmp_path / "elsewhere"
    out.mkdir()
    elsewhere.mkdir()
    (out / "link").symlink_to(elsewhere, target_is_directory=True)
    sink = Sink()
    report = write_tree(out, [OutputFile("link/f", "x")], sink)
    assert report.refused == ["link/f"] and not (elsewhere / "f").exists()
    assert [d.code for d in sink.items] == ["writer.symlink"]


def test_interrupted_write_leaves_previous_content(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_tree(tmp_path, files(a="old", b="old"), Sink())

    def explode(src: str, dst: str) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", explode)
    with pytest.raises(KeyboardInterrupt):
        write_tree(tmp_path, files(a="new", b="new"), Sink())
    monkeypatch.undo()
    assert (tmp_path / "a").read_text() == "old" and (tmp_path / "b").read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == [RECORD, LOCK, "a", "b"]  # no temporary files left


# ---------------------------------------------------------------------------------------------
# Whole trees: what is on disk, exactly


def tree(root: Path) -> dict[str, bytes | str]:
    """Every entry under ``root``: a file's bytes, ``"<dir>"`` or ``"-> target"`` for a symlink
    (never followed). The lock file is ``"<lock>"``: it holds the pid of the last build."""
    out: dict[str, bytes | str] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            rel = path.relative_to(root).as_posix()
            if path.is_symlink():
                out[rel] = f"-> {os.readlink(path)}"
            elif path.is_dir():
                out[rel] = "<dir>"
            elif rel == LOCK:
                out[rel] = "<lock>"
            else:
                out[rel] = path.read_bytes()
    return out


def stamps(root: Path) -> dict[str, tuple[int, int]]:
    """(inode, mtime) of every entry, directories included: a directory's mtime changes when an
    entry is created, renamed or removed in it, so this also catches a temporary file. The lock
    file's mtime is left out (each build writes its pid into it), its inode is not."""
    out = {".": (os.lstat(root).st_ino, os.lstat(root).st_mtime_ns)}
    for rel in tree(root):
        st = os.lstat(root / rel)
        out[rel] = (st.st_ino, 0 if rel == LOCK else st.st_mtime_ns)
    return out


OLD = files(a="old a", b="same b", sub__c="old c", sub__d="old d", gone__e="old e")
NEW = files(a="new a", b="same b", sub__c="new c", fresh__deep__f="new f", sub2__g="new g")


def reference(tmp_path: Path) -> tuple[dict[str, bytes | str], dict[str, bytes | str]]:
    """The complete old and the complete new tree (the new one built over the old, uninterrupted),
    each with a user's file beside the generated ones."""
    old_dir, new_dir = tmp_path / "ref-old", tmp_path / "ref-new"
    for d in (old_dir, new_dir):
        d.mkdir(parents=True)
        (d / "NOTES.md").write_text("mine")
        assert not write_tree(d, OLD, Sink()).refused
    assert not write_tree(new_dir, NEW, Sink()).refused
    return tree(old_dir), tree(new_dir)


def old_build(tmp_path: Path) -> Path:
    out = tmp_path / "out"
    out.mkdir()
    (out / "NOTES.md").write_text("mine")
    write_tree(out, OLD, Sink())
    return out


def test_no_op_rebuild_modifies_no_file_not_even_a_directory(tmp_path: Path) -> None:
    out = old_build(tmp_path)
    before = stamps(out)
    sink = Sink()
    report = write_tree(out, OLD, sink)
    assert report.written == [] and report.removed == [] and not sink.items
    assert stamps(out) == before


def test_changed_build_rewrites_only_what_changed(tmp_path: Path) -> None:
    out = old_build(tmp_path)
    before = stamps(out)
    report = write_tree(out, NEW, Sink())
    assert sorted(report.written) == ["a", "fresh/deep/f", "sub/c", "sub2/g"]
    assert sorted(report.removed) == ["gone/e", "sub/d"] and report.unchanged == ["b"]
    after = stamps(out)
    assert after["b"] == before["b"] and after["NOTES.md"] == before["NOTES.md"]
    assert after["a"] != before["a"] and after["sub/c"] != before["sub/c"]
    assert tree(out) == reference(tmp_path)[1]
    assert json.loads((out / RECORD).read_text())["files"].keys() == {"a", "b", "sub/c", "fresh/deep/f", "sub2/g"}


def test_a_users_file_is_never_touched_even_beside_or_under_generated_ones(tmp_path: Path) -> None:
    out = old_build(tmp_path)
    (out / "sub" / "mine.txt").write_text("user")  # in a generated directory whose files all go away
    (out / "fresh").write_text("user file where a generated folder goes")
    (out / "sub2").mkdir()
    (out / "sub2" / "g").write_text("user's g")  # the name of a file tinkc is about to generate
    user = {p: (out / p).read_bytes() for p in ("NOTES.md", "sub/mine.txt", "fresh", "sub2/g")}
    sink = Sink()
    report = write_tree(out, files(a="x", sub2__g="gen", fresh__deep__f="gen"), sink)
    assert sorted(report.refused) == ["fresh/deep/f", "sub2/g"]
    assert sorted(d.code for d in sink.items) == ["writer.user-file", "writer.user-file"]
    assert {p: (out / p).read_bytes() for p in user} == user
    assert not (out / "sub" / "c").exists() and (out / "sub").is_dir()  # its generated files removed, the user's kept


@pytest.mark.parametrize(
    "bad", ["a" * 250, "d/" + "b" * 245 + ".ex", ".tinkc-journal.json", ".tinkc-lock", "x/.tinkc-a.tmp", "a//b", "C:foo", "\\\\?\\C:\\x"]
)
def test_unsafe_paths_are_refused_and_nothing_of_the_target_is_written(tmp_path: Path, bad: str) -> None:
    out = tmp_path / "out"
    sink = Sink()
    report = write_tree(out, [OutputFile("fine", "x"), OutputFile(bad, "x")], sink)
    assert report.refused == [bad] and [d.code for d in sink.items] == ["writer.unsafe-path"]
    assert tree(out) == {}  # not even the harmless file: half an SDK would only mislead


def test_duplicate_paths_write_nothing(tmp_path: Path) -> None:
    sink = Sink()
    write_tree(tmp_path, [OutputFile("a", "1"), OutputFile("b", "2"), OutputFile("a", "3")], sink)
    assert [d.code for d in sink.items] == ["writer.duplicate-path"] and tree(tmp_path) == {}


def test_symlinks_are_never_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "victim").write_text("precious")
    out = tmp_path / "out"
    write_tree(out, files(a="1", gen__x="1", rm="1"), Sink())
    (out / "link-dir").symlink_to(outside, target_is_directory=True)  # a symlinked subdirectory
    (out / "a").unlink()
    (out / "a").symlink_to(outside / "victim")  # a generated file replaced by a symlink to outside
    (out / "rm").unlink()
    (out / "rm").symlink_to(outside / "victim")  # a stale generated file, now a symlink
    before_outside = tree(outside)
    sink = Sink()
    report = write_tree(out, files(a="2", gen__x="2", link_dir__f="2"), sink)
    write_tree(out, [OutputFile("link-dir/g", "2")], sink)
    assert "a" in report.refused and "link-dir/f" not in report.written
    assert {d.code for d in sink.items} == {"writer.symlink"}
    assert tree(outside) == before_outside
    assert os.readlink(out / "a") == str(outside / "victim") and (out / "rm").is_symlink()


def test_an_output_directory_that_is_a_symlink_is_refused(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "out").symlink_to(real, target_is_directory=True)
    sink = Sink()
    write_tree(tmp_path / "out", files(a="1"), sink)
    assert [d.code for d in sink.items] == ["writer.symlink"] and tree(real) == {}


def test_a_symlinked_record_is_replaced_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "victim.json"
    outside.write_text("precious")
    out = tmp_path / "out"
    out.mkdir()
    (out / RECORD).symlink_to(outside)
    write_tree(out, files(a="1"), Sink())
    assert outside.read_text() == "precious" and not (out / RECORD).is_symlink()


# ---------------------------------------------------------------------------------------------
# Interruptions at every phase: afterwards the tree is the complete old or the complete new one


class Interrupted(BaseException):
    """Stands for the process dying at that point (nothing after it runs)."""


def fail_after(monkeypatch: pytest.MonkeyPatch, name: str, n: int, error: BaseException, once: bool = False) -> None:
    """Make ``tinkc.writer.<name>`` raise ``error`` on its call number ``n + 1`` (and on every call
    after it, unless ``once``)."""
    real = getattr(writer, name)
    calls = [0]

    def wrapper(*args: object, **kwargs: object) -> object:
        calls[0] += 1
        if calls[0] == n + 1 or (calls[0] > n and not once):
            raise error
        return real(*args, **kwargs)

    monkeypatch.setattr(writer, name, wrapper)


STAGED = len(NEW_CHANGED := ["a", "fresh/deep/f", "sub/c", "sub2/g"]) + 1  # and the record


@pytest.mark.parametrize("n", range(STAGED))
def test_a_failure_while_staging_leaves_the_old_tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, n: int) -> None:
    old, _ = reference(tmp_path)
    out = old_build(tmp_path)
    fail_after(monkeypatch, "_stage_file", n, OSError(28, "No space left on device"))
    sink = Sink()
    report = write_tree(out, NEW, sink)
    assert [d.code for d in sink.items] == ["writer.io-error"] and report.written == []
    assert tree(out) == old  # no temporary file, no journal, no new directory


@pytest.mark.parametrize("n", range(STAGED))
def test_an_interruption_while_staging_rolls_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, n: int) -> None:
    old, _ = reference(tmp_path)
    out = old_build(tmp_path)
    fail_after(monkeypatch, "_stage_file", n, Interrupted())
    with pytest.raises(Interrupted):
        write_tree(out, NEW, Sink())
    assert tree(out) == old


@pytest.mark.parametrize("name", ["_write_journal", "_commit"])  # the staging journal, the commit
def test_an_interruption_at_the_journal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    old, new = reference(tmp_path)
    out = old_build(tmp_path)
    fail_after(monkeypatch, name, 0, OSError(5, "Input/output error"))
    sink = Sink()
    write_tree(out, NEW, sink)
    assert [d.code for d in sink.items] == ["writer.io-error"]
    assert tree(out) == old


def kill_and_recover(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, n: int) -> tuple[Path, str | None]:
    """Interrupt a build at call ``n`` of ``name`` (the process 'dies': nothing after runs), then
    let a fresh :func:`recover` finish it, as the next build does."""
    old, _ = reference(tmp_path)
    out = old_build(tmp_path)
    fail_after(monkeypatch, name, n, Interrupted())
    with pytest.raises(Interrupted):
        write_tree(out, NEW, Sink())
    monkeypatch.undo()
    if name == "_stage_file":  # before any rename nothing visible changed (but new empty folders)
        assert files_only(out) == files_only(old)
    sink = Sink()
    outcome = writer.recover(out, sink)
    assert not sink.items
    return out, outcome


def files_only(t: Path | dict[str, bytes | str]) -> dict[str, bytes | str]:
    """The files a reader sees: no directories, none of the writer's own temporary files (nor
    what is in a temporary folder: a new folder is staged whole)."""
    entries = tree(t) if isinstance(t, Path) else t
    return {
        k: v
        for k, v in entries.items()
        if v != "<dir>" and not (any(part.endswith(".tmp") for part in k.split("/")) or k.endswith(writer.JOURNAL))
    }


@pytest.mark.parametrize("n", range(STAGED))
def test_a_kill_while_staging_is_rolled_back_by_the_next_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, n: int) -> None:
    monkeypatch.setattr(writer, "_abandon", lambda *a: None)  # a killed process cleans nothing up
    out, outcome = kill_and_recover(tmp_path, monkeypatch, "_stage_file", n)
    assert outcome == "rolled-back" and tree(out) == reference(tmp_path / "again")[0]


@pytest.mark.parametrize("point", [("_rename", n) for n in range(STAGED)] + [("_prune_empty_parents", 0), ("_drop_journal", 0)])
def test_a_kill_while_applying_is_rolled_forward(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, point: tuple[str, int]) -> None:
    """Killed after n renames (the record's is the last), after removing `gone/e` and before pruning
    the folder it emptied (the roll-forward finds the file gone, and must still prune), or just
    before the journal is deleted."""
    out, outcome = kill_and_recover(tmp_path, monkeypatch, *point)
    assert outcome == "rolled-forward" and tree(out) == reference(tmp_path / "again")[1]


def test_a_kill_after_the_commit_is_rolled_forward_by_the_next_write(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _, new = reference(tmp_path)
    out = old_build(tmp_path)
    fail_after(monkeypatch, "_apply", 0, Interrupted())
    with pytest.raises(Interrupted):
        write_tree(out, NEW, Sink())
    monkeypatch.undo()
    assert json.loads((out / writer.JOURNAL).read_text())["state"] == "committed"
    before = stamps(out)
    sink = Sink()
    report = write_tree(out, NEW, sink)  # finishes the interrupted build; then nothing is left to do
    assert not sink.items and report.written == [] and tree(out) == new
    assert stamps(out)["b"] == before["b"]


def test_a_failed_rename_is_a_diagnostic_and_the_next_build_finishes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _, new = reference(tmp_path)
    out = old_build(tmp_path)
    fail_after(monkeypatch, "_rename", 2, OSError(13, "Permission denied"))
    sink = Sink()
    write_tree(out, NEW, sink)
    assert [d.code for d in sink.items] == ["writer.io-error"]
    monkeypatch.undo()
    write_tree(out, NEW, Sink())
    assert tree(out) == new


@pytest.mark.parametrize(
    "journal",
    [
        "{not json",
        json.dumps({"version": 1, "state": "committed", "writes": ["../../escape"], "created_dirs": [], "removals": []}),
        json.dumps({"version": 1, "state": "staging", "writes": [], "created_dirs": ["/tmp"], "removals": []}),
        json.dumps({"version": 1, "state": "committed", "writes": [], "created_dirs": [], "removals": [["../x", "0"]]}),
        json.dumps({"version": 99, "state": "committed", "writes": [], "created_dirs": [], "removals": []}),
        # a staged folder must be one the journal creates
        json.dumps({"version": 2, "state": "committed", "writes": [], "created_dirs": [], "removals": [], "staged_dirs": ["sub"]}),
    ],
)
def test_a_journal_tinkc_cannot_trust_stops_the_build(tmp_path: Path, journal: str) -> None:
    out = old_build(tmp_path)
    (out / writer.JOURNAL).write_text(journal)
    before = tree(out)
    sink = Sink()
    report = write_tree(out, NEW, sink)
    assert [d.code for d in sink.items] == ["writer.journal"] and report.written == []
    assert tree(out) == before


def test_a_journal_of_version_1_is_still_finished(tmp_path: Path) -> None:
    """Version 1 staged every file beside its target (no folder staged whole)."""
    out = old_build(tmp_path)
    (out / "sub" / ".tinkc-c.tmp").write_text("new c")
    journal = {"version": 1, "state": "committed", "writes": ["sub/c"], "created_dirs": [], "removals": []}
    (out / writer.JOURNAL).write_text(json.dumps(journal))
    sink = Sink()
    assert writer.recover(out, sink) == "rolled-forward" and not sink.items
    assert (out / "sub" / "c").read_text() == "new c" and not (out / writer.JOURNAL).exists()


def test_a_new_folder_whose_temporary_name_is_taken_is_staged_file_by_file(tmp_path: Path) -> None:
    """Left by a build whose journal was lost: not reused, not removed (it is not listed anywhere)."""
    _, new = reference(tmp_path)
    out = old_build(tmp_path)
    (out / ".tinkc-fresh.tmp").mkdir()
    (out / ".tinkc-fresh.tmp" / "left").write_text("left")
    sink = Sink()
    report = write_tree(out, NEW, sink)
    assert not sink.items and "fresh/deep/f" in report.written
    assert {k: v for k, v in tree(out).items() if not k.startswith(".tinkc-fresh.tmp")} == new
    assert (out / ".tinkc-fresh.tmp" / "left").read_text() == "left"


def test_a_generated_folder_named_like_a_staged_one_is_not_confused_with_it(tmp_path: Path) -> None:
    out = tmp_path / "out"
    sink = Sink()
    report = write_tree(out, files(lib__x="x", **{".tinkc-lib.tmp__y": "y"}), sink)
    assert not sink.items and sorted(report.written) == [".tinkc-lib.tmp/y", "lib/x"]
    assert (out / "lib" / "x").read_text() == "x" and (out / ".tinkc-lib.tmp" / "y").read_text() == "y"


def test_staged_files_past_the_open_descriptors_kept_are_synced_by_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(writer, "_OPEN_STAGED", 2)
    synced: list[str | Path | int] = []
    real = writer._fsync

    def fsync(path: str | Path | int, is_dir: bool) -> None:
        synced.append(path)
        real(path, is_dir)

    monkeypatch.setattr(writer, "_fsync", fsync)
    _, new = reference(tmp_path)
    out = old_build(tmp_path)
    synced.clear()
    assert not write_tree(out, NEW, Sink()).refused and tree(out) == new
    staged_files = [p for p in synced if isinstance(p, int) or not Path(p).is_dir()]
    assert sum(isinstance(p, int) for p in staged_files) == 2  # the first two: by descriptor
    assert {Path(p).name for p in staged_files if not isinstance(p, int)} >= {".tinkc-c.tmp", "g", f".tinkc-{RECORD}.tmp"}


def test_a_folder_made_by_someone_while_its_staged_twin_waits_gets_the_files_one_by_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`fresh` is staged whole; someone makes `fresh/` (with a file of theirs) after the plan: the
    staged files are moved into it, theirs is left alone, nothing of the staging is left."""
    _, new = reference(tmp_path)
    out = old_build(tmp_path)

    def step(op: str, path: object) -> None:
        if op == "commit":
            (out / "fresh").mkdir()
            (out / "fresh" / "mine").write_text("theirs")

    monkeypatch.setattr(writer, "_step", step)
    sink = Sink()
    report = write_tree(out, NEW, sink)
    assert not sink.items and "fresh/deep/f" in report.written
    assert tree(out) == {**new, "fresh/mine": b"theirs"}


def test_a_stale_temporary_file_without_its_journal_is_replaced(tmp_path: Path) -> None:
    _, new = reference(tmp_path)
    out = old_build(tmp_path)
    (out / ".tinkc-a.tmp").write_text("left by a build whose journal was deleted")
    write_tree(out, NEW, Sink())
    assert tree(out) == new


def test_a_kill_while_writing_a_journal_leaves_no_trace_after_recovery(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Killed with a journal's temporary file written and not renamed: the first journal (no
    journal yet, nothing staged), or the committed one (staged with the files, the commit not made:
    the staging journal is still the journal)."""
    old, _ = reference(tmp_path)
    for attempt, name in enumerate(("_fsync", "_commit")):  # _fsync's first call: the staging journal's content
        out = tmp_path / f"out{attempt}"
        out.mkdir()
        (out / "NOTES.md").write_text("mine")
        write_tree(out, OLD, Sink())
        fail_after(monkeypatch, name, 0, Interrupted())
        monkeypatch.setattr(writer, "_abandon", lambda *a: None)  # a killed process cleans nothing up
        with pytest.raises(Interrupted):
            write_tree(out, NEW, Sink())
        monkeypatch.undo()
        assert (out / writer.JOURNAL_TEMP).is_file() and (out / writer.JOURNAL).exists() == (name == "_commit")
        sink = Sink()
        assert writer.recover(out, sink) == "rolled-back" and not sink.items
        assert tree(out) == old


# ---------------------------------------------------------------------------------------------
# Durability: what is fsynced, and when


def test_files_and_directories_are_fsynced_before_the_commit_and_before_the_journal_goes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """os.fsync, os.replace, os.open (creating), os.unlink and os.rmdir recorded in order, by path."""
    if not Path("/proc/self/fd").is_dir():
        pytest.skip("names an open file through /proc/self/fd")
    out = old_build(tmp_path)
    events: list[tuple[str, str]] = []
    real_fsync, real_replace, real_open, real_unlink, real_rmdir = os.fsync, os.replace, os.open, os.unlink, os.rmdir

    def fsync(fd: int) -> None:
        events.append(("fsync", os.readlink(f"/proc/self/fd/{fd}")))
        real_fsync(fd)

    def replace(src: str, dst: str, **kwargs: object) -> None:
        real_replace(src, dst, **kwargs)  # type: ignore[arg-type]
        events.append(("replace", str(dst)))

    def open_(path: str, flags: int, *args: object, **kwargs: object) -> int:
        fd = real_open(path, flags, *args, **kwargs)  # type: ignore[arg-type]
        if flags & os.O_EXCL:
            events.append(("create", str(path)))
        return fd

    def unlink(path: str, **kwargs: object) -> None:
        real_unlink(path, **kwargs)  # type: ignore[arg-type]
        events.append(("unlink", str(path)))

    def rmdir(path: str, **kwargs: object) -> None:
        real_rmdir(path, **kwargs)  # type: ignore[arg-type]
        events.append(("rmdir", str(path)))

    for name, fake in (("fsync", fsync), ("replace", replace), ("open", open_), ("unlink", unlink), ("rmdir", rmdir)):
        monkeypatch.setattr(os, name, fake)
    sink = Sink()
    report = write_tree(out, NEW, sink)
    monkeypatch.undo()
    assert not sink.items and sorted(report.removed) == ["gone/e", "sub/d"]

    def at(kind: str, path: Path | str) -> list[int]:
        return [i for i, e in enumerate(events) if e == (kind, str(path))]

    def synced(path: Path, after: int, before: int) -> bool:
        return any(after < i < before for i in at("fsync", path))

    journal, journal_temp = out / writer.JOURNAL, out / writer.JOURNAL_TEMP
    staging, commit = at("replace", journal)  # the journal is written twice: staging, then committed
    # each changed file beside its target as a temporary file, but the new folders (`fresh`,
    # `sub2`: their parent exists) staged whole, the files in them at their own names
    temps = [out / t for t in (".tinkc-a.tmp", ".tinkc-fresh.tmp/deep/f", "sub/.tinkc-c.tmp", ".tinkc-sub2.tmp/g", f".tinkc-{RECORD}.tmp")]
    assert temps[-1] == out / writer.temp_name(PurePosixPath(RECORD))
    created = [at("create", t)[0] for t in temps]
    renamed = [at("replace", out / t)[0] for t in ("a", "fresh", "sub/c", "sub2", RECORD)]
    removed = [at("unlink", out / "gone" / "e")[0], at("unlink", out / "sub" / "d")[0], at("rmdir", out / "gone")[0]]
    dropped = at("unlink", journal)[0]

    # the staging journal: its content, then its name, durable before anything is staged
    assert synced(journal_temp, 0, staging) and synced(out, staging, min(created))
    # before the commit: every staged file (all written first, then synced: batched), and every
    # directory whose entries staging changed — the new directories' parents included
    for temp in temps:
        assert synced(temp, max(created), commit), temp
    for d in (out, out / "sub", out / ".tinkc-fresh.tmp", out / ".tinkc-fresh.tmp" / "deep", out / ".tinkc-sub2.tmp"):
        assert synced(d, max(created), commit), d
    # the commit: the committed journal's content before its rename, the directory after it, all
    # before the first target is renamed
    assert synced(journal_temp, max(created), commit) and synced(out, commit, min(renamed))
    # the renames and removals durable before the journal is deleted: each changed directory (a
    # folder renamed into place changes its parent's entries only: its own were synced staged)
    for d in (out, out / "sub"):
        assert synced(d, max(renamed + removed), dropped), d
    assert max(renamed + removed) < dropped and dropped == len(events) - 1  # nothing synced after: see the docstring

    # and a rebuild with nothing changed syncs nothing
    monkeypatch.setattr(os, "fsync", fsync)
    events.clear()
    write_tree(out, NEW, Sink())
    assert events == []


@pytest.mark.parametrize("n", [0, 1, 2, 6])  # the staging journal, its directory, the first staged file, a directory
def test_a_failed_fsync_before_the_commit_leaves_the_old_tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, n: int) -> None:
    old, _ = reference(tmp_path)
    out = old_build(tmp_path)
    fail_after(monkeypatch, "_fsync", n, OSError(errno.EIO, "Input/output error"), once=True)
    sink = Sink()
    report = write_tree(out, NEW, sink)
    assert [d.code for d in sink.items] == ["writer.io-error"] and report.written == []
    assert "nothing was changed" in sink.items[0].message
    assert tree(out) == old


def test_a_failed_fsync_after_the_renames_keeps_the_journal_for_the_next_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The directories could not be synced: the journal stays, so that the next build (after a
    power loss too) finishes the renames again rather than trust them."""
    _, new = reference(tmp_path)
    out = old_build(tmp_path)
    real, calls = writer._sync, [0]

    def sync(root: Path, files: object = (), dirs: object = ()) -> None:
        calls[0] += 1
        if calls[0] == 2:  # 1: staged files, 2: after the renames
            raise OSError(errno.EIO, "Input/output error")
        real(root, files, dirs)  # type: ignore[arg-type]

    monkeypatch.setattr(writer, "_sync", sync)
    sink = Sink()
    write_tree(out, NEW, sink)
    assert [d.code for d in sink.items] == ["writer.io-error"] and (out / writer.JOURNAL).exists()
    monkeypatch.undo()
    assert writer.recover(out, Sink()) == "rolled-forward" and tree(out) == new
