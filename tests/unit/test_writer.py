"""The writer: only-changed, atomic, inside the output directory, never a user's file."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

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
