"""tinkc's own code passes mypy with `[tool.mypy]` of pyproject.toml (strict), as the SDKs it emits do.

What is checked is `[tool.mypy] files` (repository paths, minus `exclude`): add a path there. mypy
cannot read tinkc's folders as they are, because the import names differ (`compiler/` is `tinkc`,
`backends/` is `tinkc.backends`: `[tool.setuptools] package-dir`) and the editable install maps them
with an import hook mypy does not follow. So the check runs over a scratch tree of symlinks laid out
as the import names are, and reports findings at the repository's paths.

    .venv/bin/python tests/test_typecheck.py    # the same check, mypy's output only (`make typecheck`)
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

import pytest

pytestmark = pytest.mark.toolchain

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "pyproject.toml"


def _config() -> tuple[dict[str, str], list[str], list[re.Pattern[str]]]:
    data = tomllib.loads(CONFIG.read_text(encoding="utf-8"))
    package_dir: dict[str, str] = data["tool"]["setuptools"]["package-dir"]
    mypy = data["tool"]["mypy"]
    excludes = mypy.get("exclude", [])
    return package_dir, list(mypy["files"]), [re.compile(e) for e in ([excludes] if isinstance(excludes, str) else excludes)]


def link_tree(into: Path) -> dict[str, str]:
    """Lay tinkc out under ``into`` by import name (``into/tinkc/ir`` → ``ir/``), every entry a
    symlink into the checkout; returns scratch path prefix → repository path prefix."""
    package_dir, _, _ = _config()
    mapping: dict[str, str] = {}
    for name, folder in sorted(package_dir.items(), key=lambda kv: kv[0].count(".")):
        target = into / name.replace(".", "/")
        if any(n.startswith(name + ".") for n in package_dir):  # other roots nest in it: a real directory, its entries linked
            target.mkdir(parents=True, exist_ok=True)
            for entry in (ROOT / folder).iterdir():
                if entry.name != "__pycache__":
                    (target / entry.name).symlink_to(entry)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.symlink_to(ROOT / folder, target_is_directory=True)
        mapping[name.replace(".", "/")] = folder
    return mapping


def checked_files() -> list[str]:
    """`[tool.mypy] files` as repository paths of .py files, `exclude` applied."""
    _, files, excludes = _config()
    out: list[str] = []
    for entry in files:
        path = ROOT / entry
        found = [path] if path.is_file() else sorted(p for p in path.rglob("*.py") if "__pycache__" not in p.parts)
        for p in found:
            rel = p.relative_to(ROOT).as_posix()
            if not any(e.search(rel) for e in excludes):
                out.append(rel)
    return sorted(dict.fromkeys(out))


def to_scratch(rel: str, mapping: dict[str, str]) -> str:
    """A repository path as its path in the link tree (the deepest package folder that holds it)."""
    best = max((m for m in mapping.items() if rel == m[1] or rel.startswith(m[1] + "/")), key=lambda m: len(m[1]))
    return best[0] + rel[len(best[1]) :]


def to_repo(text: str, mapping: dict[str, str]) -> str:
    """mypy's output with the link tree's paths put back as repository paths."""
    by_depth = sorted(mapping.items(), key=lambda m: -len(m[0]))
    pattern = re.compile(r"^(" + "|".join(re.escape(s) for s, _ in by_depth) + r")(?=/)", re.MULTILINE)
    return pattern.sub(lambda m: dict(by_depth)[m.group(1)], text)


def run_mypy(scratch: Path) -> subprocess.CompletedProcess[str]:
    mapping = link_tree(scratch / "tree")
    files = [to_scratch(rel, mapping) for rel in checked_files()]
    proc = subprocess.run(
        # the config's own `files` is replaced by the same files in the link tree
        [sys.executable, "-m", "mypy", "--config-file", str(CONFIG), "--cache-dir", str(scratch / "cache"), *files],
        cwd=scratch / "tree",
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "MYPY_FORCE_COLOR": "0"},
    )
    proc.stdout = to_repo(proc.stdout, mapping)
    proc.stderr = to_repo(proc.stderr, mapping)
    return proc


def test_the_checked_files_exist() -> None:
    _, files, _ = _config()
    assert all((ROOT / f).exists() for f in files), [f for f in files if not (ROOT / f).exists()]
    assert "compiler/cli.py" in checked_files() and not any("/runtime/" in f or "/driver/" in f for f in checked_files())


def test_mypy(tmp_path: Path) -> None:
    proc = run_mypy(tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as scratch:
        done = run_mypy(Path(scratch))
    sys.stdout.write(done.stdout)
    sys.stderr.write(done.stderr)
    sys.exit(done.returncode)
