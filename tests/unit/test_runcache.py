"""tinkc.runcache: the folder of compiled code stays bounded (files of installations no longer used go)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import jinja2
import pytest

from tinkc import runcache
from tinkc.backends.templates import _FileSystemBytecodeCache

OLD = time.time() - (runcache.MAX_AGE_DAYS + 1) * 86400
RECENT = time.time() - (runcache.MAX_AGE_DAYS - 1) * 86400


def _file(path: Path, mtime: float) -> Path:
    path.write_bytes(b"x")
    os.utime(path, (mtime, mtime))
    return path


def test_writing_a_cache_file_removes_the_old_files_of_its_kind_only(tmp_path: Path) -> None:
    old_install = _file(tmp_path / "attrs-cpython-311-4-2-aaaaaaaa.marshal", OLD)
    recent_install = _file(tmp_path / "attrs-cpython-311-4-2-bbbbbbbb.marshal", RECENT)
    old_other_kind = _file(tmp_path / "re-cpython-311-30b07f0-20220615-2.marshal", OLD)
    not_ours = _file(tmp_path / "attrs-notes.txt", OLD)
    folder = tmp_path / "attrs-folder.marshal"
    folder.mkdir()
    os.utime(folder, (OLD, OLD))
    this = tmp_path / "attrs-cpython-311-4-2-cccccccc.marshal"
    runcache.write_merged(this, {"k": 1}, {}, 10)
    assert runcache.read(this) == {"k": 1}
    assert not old_install.exists()
    assert recent_install.exists() and old_other_kind.exists() and not_ours.exists() and folder.is_dir()


def test_the_file_written_is_kept_however_old_it_was(tmp_path: Path) -> None:
    this = _file(tmp_path / "re-cpython-311-x-1-3.marshal", OLD)
    runcache.prune(tmp_path, "re-*.marshal", keep=this)
    assert this.exists()
    runcache.prune(tmp_path, "re-*.marshal")
    assert not this.exists()


def test_a_folder_that_cannot_be_listed_is_left_alone(tmp_path: Path) -> None:
    runcache.prune(tmp_path / "missing", "attrs-*.marshal")  # no error


@pytest.mark.parametrize("compiled", [True, False])
def test_compiling_a_template_removes_the_entries_not_written_for_long(tmp_path: Path, compiled: bool) -> None:
    stale = _file(tmp_path / "__jinja2_0123abcd.cache", OLD)
    recent = _file(tmp_path / "__jinja2_4567ef01.cache", RECENT)
    other = _file(tmp_path / "notes.cache", OLD)
    cache = _FileSystemBytecodeCache(str(tmp_path))
    env = jinja2.Environment(loader=jinja2.DictLoader({"t.jinja": "{{ x }}"}), bytecode_cache=cache, auto_reload=False)
    if compiled:
        assert env.get_template("t.jinja").render(x=1) == "1"
    assert stale.exists() is not compiled  # only a write prunes: loading does not
    assert recent.exists() and other.exists()
