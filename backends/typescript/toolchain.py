"""The TypeScript toolchain that builds and checks an emitted SDK: `typescript`, `@types/node` and
`prettier` (the format the emitters write, checked by the tests) from the npm registry, at pinned
versions, installed once into a cache directory and shared by every build.

The emitted package names the same versions as its devDependencies, so `npm install` in an SDK
gets what the tests type-check with. The cache is ``$TINKC_TS_TOOLCHAIN`` when set, else
``$XDG_CACHE_HOME/tinkc/ts-toolchain-<typescript version>-<n>`` (``~/.cache/...``); a half-finished install is
never used (it is made in a scratch directory and renamed into place), and concurrent processes
wait for one another's install.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

TYPESCRIPT = "5.9.3"
TYPES_NODE = "20.19.43"
PRETTIER = "3.10.1"
PACKAGES = {"@types/node": TYPES_NODE, "prettier": PRETTIER, "typescript": TYPESCRIPT}


class ToolchainError(RuntimeError):
    """The toolchain cannot be installed or found (no npm, no registry)."""


def directory() -> Path:
    configured = os.environ.get("TINKC_TS_TOOLCHAIN")
    if configured:
        return Path(configured)
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    pins = "-".join(PACKAGES[name] for name in sorted(PACKAGES))
    return cache / "tinkc" / f"ts-toolchain-{pins}"


def _installed(root: Path) -> bool:
    for name, version in PACKAGES.items():
        manifest = root / "node_modules" / name / "package.json"
        try:
            if json.loads(manifest.read_text(encoding="utf-8")).get("version") != version:
                return False
        except (OSError, ValueError):
            return False
    return True


def ensure() -> Path:
    """The `node_modules` directory of the toolchain, installed first when it is not there yet."""
    root = directory()
    if _installed(root):
        return root / "node_modules"
    # Imported here, not with the module: every TypeScript emit imports the module for PACKAGES
    # (the package.json's devDependencies), and subprocess alone costs ~3.5 ms to import.
    import fcntl
    import shutil
    import subprocess
    import tempfile

    npm = shutil.which("npm")
    if npm is None:
        raise ToolchainError("installing the TypeScript toolchain needs npm (not on PATH)")
    root.parent.mkdir(parents=True, exist_ok=True)
    with open(root.parent / f".{root.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another process may be installing it right now
        if not _installed(root):
            scratch = Path(tempfile.mkdtemp(prefix=f".{root.name}-", dir=root.parent))
            try:
                (scratch / "package.json").write_text(
                    json.dumps({"name": "tinkc-ts-toolchain", "private": True, "devDependencies": PACKAGES}, indent=2) + "\n",
                    encoding="utf-8",
                )
                proc = subprocess.run(
                    [npm, "install", "--no-audit", "--no-fund", "--no-package-lock", "--loglevel=error"],
                    cwd=scratch,
                    capture_output=True,
                    text=True,
                    check=False,
                )
                if proc.returncode != 0 or not _installed(scratch):
                    raise ToolchainError(f"npm could not install {PACKAGES} (is the npm registry reachable?):\n{proc.stderr[-2000:]}")
                if root.exists():
                    shutil.rmtree(root)
                scratch.rename(root)
            finally:
                shutil.rmtree(scratch, ignore_errors=True)
    return root / "node_modules"


def tsc() -> Path:
    """The TypeScript compiler's entry script (run it with `node`)."""
    return ensure() / "typescript" / "bin" / "tsc"


def prettier() -> Path:
    """Prettier's entry script (run it with `node`)."""
    return ensure() / "prettier" / "bin" / "prettier.cjs"


def link(tree: Path) -> None:
    """Make the toolchain visible to an SDK tree as its `node_modules` (for `types: ["node"]`)."""
    target = tree / "node_modules"
    if not target.exists():
        target.symlink_to(ensure(), target_is_directory=True)
