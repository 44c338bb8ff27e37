"""The writer: only-changed, atomic, inside the output directory, never a user's file."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tinkc import writer
from tinkc.backends.base import OutputFile
from tinkc.diagnostics import Sink
from tinkc.writer import RECORD, write_tree


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
    assert sorted(p.name for p in tmp_path.iterdir()) == [RECORD, "a", "b"]  # no temporary files left


# ---------------------------------------------------------------------------------------------
# Whole trees: what is on disk, exactly


def tree(root: Path) -> dict[str, bytes | str]:
    """Every entry under ``root``: a file's bytes, ``"<dir>"`` or ``"-> target"`` for a symlink
    (never followed)."""
    out: dict[str, bytes | str] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            rel = path.relative_to(root).as_posix()
            if path.is_symlink():
                out[rel] = f"-> {os.readlink(path)}"
            elif path.is_dir():
                out[rel] = "<dir>"
            else:
                out[rel] = path.read_bytes()
    return out


def stamps(root: Path) -> dict[str, tuple[int, int]]:
    """(inode, mtime) of every entry, directories included: a directory's mtime changes when an
    entry is created, renamed or removed in it, so this also catches a temporary file."""
    out = {".": (os.lstat(root).st_ino, os.lstat(root).st_mtime_ns)}
    for rel in tree(root):
        st = os.lstat(root / rel)
        out[rel] = (st.st_ino, st.st_mtime_ns)
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
    "bad", ["a" * 250, "d/" + "b" * 245 + ".ex", ".tinkc-journal.json", "x/.tinkc-a.tmp", "a//b", "C:foo", "\\\\?\\C:\\x"]
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


def fail_after(monkeypatch: pytest.MonkeyPatch, name: str, n: int, error: BaseException) -> None:
    """Make ``tinkc.writer.<name>`` raise ``error`` on its call number ``n + 1``."""
    real = getattr(writer, name)
    calls = [0]

    def wrapper(*args: object, **kwargs: object) -> object:
        if calls[0] == n:
            raise error
        calls[0] += 1
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


@pytest.mark.parametrize("n", [0, 1])  # the staging journal, the commit
def test_an_interruption_at_the_journal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, n: int) -> None:
    old, new = reference(tmp_path)
    out = old_build(tmp_path)
    fail_after(monkeypatch, "_write_journal", n, OSError(5, "Input/output error"))
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
    """The files a reader sees: no directories, none of the writer's own temporary files."""
    entries = tree(t) if isinstance(t, Path) else t
    return {k: v for k, v in entries.items() if v != "<dir>" and not (k.endswith(".tmp") or k.endswith(writer.JOURNAL))}


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


def test_a_stale_temporary_file_without_its_journal_is_replaced(tmp_path: Path) -> None:
    _, new = reference(tmp_path)
    out = old_build(tmp_path)
    (out / ".tinkc-a.tmp").write_text("left by a build whose journal was deleted")
    write_tree(out, NEW, Sink())
    assert tree(out) == new
