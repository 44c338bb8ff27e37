"""What the TypeScript tests share: Node (required: no skipping when it is missing, a clear failure
instead), the pinned toolchain (`typescript`, `@types/node`, `prettier` from the npm registry, installed once
into the cache of `tinkc.backends.typescript.toolchain`), and scratch copies of SDK trees to build in
(a build never writes into tests/snapshots)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tinkc.backends.typescript import toolchain

SNAPSHOTS = Path(__file__).resolve().parent.parent / "snapshots" / "typescript"


def node() -> str:
    path = shutil.which("node")
    if path is None:
        pytest.fail("the TypeScript toolchain tests need Node.js 20 or later on PATH (`node` not found)")
    version = subprocess.run([path, "--version"], capture_output=True, text=True, check=True).stdout.strip()
    if int(version.lstrip("v").split(".")[0]) < 20:
        pytest.fail(f"the TypeScript SDK targets Node.js 20 or later; found {version}")
    return path


def tsc(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run the pinned TypeScript compiler; the toolchain's `@types` are the type roots, so a tree
    without its own `node_modules` (a snapshot) is checked as it is."""
    types = toolchain.ensure() / "@types"
    return subprocess.run(
        [node(), str(toolchain.tsc()), "--typeRoots", str(types), *args], cwd=cwd, capture_output=True, text=True, check=False
    )


def prettier(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run the pinned Prettier (it reads the tree's own `.prettierrc.json`)."""
    return subprocess.run([node(), str(toolchain.prettier()), *args], cwd=cwd, capture_output=True, text=True, check=False)


def scratch_copy(tree: Path, into: Path) -> Path:
    """A copy of an SDK tree to build in, with the toolchain as its `node_modules`."""
    copy = into / tree.name
    shutil.copytree(tree, copy)
    toolchain.link(copy)
    return copy
