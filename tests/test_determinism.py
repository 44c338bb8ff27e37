"""Output is byte-identical whatever the hash seed: `tinkc build --target all` of the bundled
manifest and of every fixture, in two processes with different PYTHONHASHSEED values, writes the
same trees (every registered backend)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from targets.fixtures import fixture_paths

# The build cache (compiler/buildcache.py) records this machine's paths and modification times to
# recognize a no-op rebuild: bookkeeping of one output directory, not output.
CACHE = ".tinkc-build.json"

pytestmark = pytest.mark.slow  # two `tinkc build --target all` processes per fixture


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file() and p.name != CACHE}


def build(manifest: Path, out: Path, seed: str) -> dict[str, bytes]:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    proc = subprocess.run(
        [sys.executable, "-m", "tinkc.cli", "build", str(manifest), "--target", "all", "--out", str(out), "--quiet"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return tree(out)


@pytest.mark.parametrize("fixture", sorted(fixture_paths()))
def test_builds_are_identical_across_hash_seeds(fixture: str, tmp_path: Path) -> None:
    manifest = fixture_paths()[fixture]
    first = build(manifest, tmp_path / "a", "1")
    second = build(manifest, tmp_path / "b", "4242")
    assert first.keys() == second.keys()
    changed = [path for path in first if first[path] != second[path]]
    assert not changed, changed
