"""Snapshot comparison shared by the tests: a missing, extra or changed file fails with a unified
diff; ``TINKC_UPDATE_SNAPSHOTS=1`` (``make snapshots``) rewrites the expected files for review."""

from __future__ import annotations

import difflib
import os
from pathlib import Path

UPDATE = os.environ.get("TINKC_UPDATE_SNAPSHOTS") == "1"
# Caches that toolchains leave in a snapshot tree when run inside it by hand: not part of the tree.
IGNORED_DIRS = {".mypy_cache", ".ruff_cache", "__pycache__", ".pytest_cache"}


def _tree_files(root: Path) -> set[str]:
    if not root.exists():
        return set()
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file() and not IGNORED_DIRS & set(p.relative_to(root).parts)}


def assert_matches(expected_path: Path, actual: str) -> None:
    if UPDATE:
        expected_path.parent.mkdir(parents=True, exist_ok=True)
        if not expected_path.exists() or expected_path.read_text(encoding="utf-8") != actual:
            expected_path.write_text(actual, encoding="utf-8")
        return
    if not expected_path.exists():
        raise AssertionError(f"missing snapshot {expected_path} (run `make snapshots` and review it)")
    expected = expected_path.read_text(encoding="utf-8")
    if expected != actual:
        diff = "".join(
            difflib.unified_diff(
                expected.splitlines(keepends=True), actual.splitlines(keepends=True), f"{expected_path} (expected)", "actual"
            )
        )
        raise AssertionError(f"snapshot {expected_path} differs (run `make snapshots` to accept):\n{diff}")


def assert_tree_matches(expected_dir: Path, files: dict[str, str]) -> None:
    """Compare a whole generated tree: missing, extra and changed files all fail."""
    if UPDATE:
        expected_dir.mkdir(parents=True, exist_ok=True)
        for rel in sorted(_tree_files(expected_dir) - set(files)):
            (expected_dir / rel).unlink()
        for rel, content in files.items():
            assert_matches(expected_dir / rel, content)
        return
    present = _tree_files(expected_dir)
    problems = []
    for rel in sorted(present - set(files)):
        problems.append(f"extra file in snapshot (no longer generated): {rel}")
    for rel in sorted(set(files) - present):
        problems.append(f"missing from snapshot (newly generated): {rel}")
    for rel in sorted(set(files) & present):
        try:
            assert_matches(expected_dir / rel, files[rel])
        except AssertionError as exc:
            problems.append(str(exc))
    if problems:
        raise AssertionError("\n".join(problems))
