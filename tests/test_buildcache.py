"""The no-op rebuild (compiler/buildcache.py): `tinkc build` with nothing changed compiles nothing,
touches nothing and says so; any change to what the output depends on means a real build."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from util import HEADER

MANIFEST = (
    HEADER
    + """\
imports: [types.yaml]
clients:
  pets: {resource: pets}
endpoints:
  pets.get: {method: GET, path: "/pets/{pet_id}", response: Pet}
"""
)
TYPES = """\
types:
  Pet: {fields: {name: string}}
  Unused: {fields: {x: int}}
"""

pytestmark = pytest.mark.slow  # a `tinkc build` process or two per test


def tinkc(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tinkc.cli", *args], cwd=cwd, capture_output=True, text=True, check=False)


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    """Every file under root (the caches and records included): inode and mtime."""
    return {p.relative_to(root).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns) for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "manifest.yaml").write_text(MANIFEST, encoding="utf-8")
    (tmp_path / "types.yaml").write_text(TYPES, encoding="utf-8")
    first = tinkc("build", "manifest.yaml", "--target", "python,typescript", "--out", "out", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "written" in first.stdout
    return tmp_path


def test_a_rebuild_with_nothing_changed_is_a_no_op(project: Path) -> None:
    before = snapshot(project / "out")
    again = tinkc("build", "manifest.yaml", "--target", "python,typescript", "--out", "out", cwd=project)
    assert again.returncode == 0, again.stderr
    assert again.stdout.count("unchanged (no-op rebuild)") == 2
    assert snapshot(project / "out") == before  # not one file written, not even the records
    # the recorded build's warnings are shown again, as a full build would show them
    assert "unused.type" in again.stderr and "`Unused`" in again.stderr


@pytest.mark.parametrize(
    "change",
    ["edit an imported file", "touch a generated file", "delete a generated file", "skip a pass"],
)
def test_any_change_means_a_real_build(project: Path, change: str) -> None:
    args = ["build", "manifest.yaml", "--target", "python,typescript", "--out", "out"]
    generated = project / "out" / "python" / "README.md"
    if change == "edit an imported file":
        (project / "types.yaml").write_text(TYPES.replace("{name: string}", "{name: string, age: int}"), encoding="utf-8")
    elif change == "touch a generated file":
        st = generated.stat()
        os.utime(generated, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    elif change == "delete a generated file":
        generated.unlink()
    else:
        args += ["--skip-pass", "dead-types"]
    proc = tinkc(*args, cwd=project)
    assert proc.returncode == 0, proc.stderr
    assert "no-op rebuild" not in proc.stdout
    assert "written" in proc.stdout
    if change == "delete a generated file":
        assert generated.is_file()
    # and the build after that one is a no-op again
    assert "unchanged (no-op rebuild)" in tinkc(*args, cwd=project).stdout


def test_a_corrupt_cache_only_costs_a_build(project: Path) -> None:
    (project / "out" / "python" / ".tinkc-build.json").write_text("{not json", encoding="utf-8")
    proc = tinkc("build", "manifest.yaml", "--target", "python,typescript", "--out", "out", cwd=project)
    assert proc.returncode == 0, proc.stderr
    assert "python: 0 written" in proc.stdout and "typescript: unchanged" not in proc.stdout
