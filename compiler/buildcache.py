"""The no-op rebuild: `tinkc build` answers "nothing changed" without compiling.

After a build writes a target's tree, it records in the output directory (``.tinkc-build.json``) a
*fingerprint* of everything the output depends on, and the size and modification time of every file
it generated:

* the text of every manifest file read (the root and each import, by SHA-256);
* the code that compiled it: tinkc's version and the size and mtime of every file of tinkc's own
  packages and of the backend's package (so an edited or upgraded tinkc or backend rebuilds);
* the target's name and the optimization passes left out.

The next build of the same target into the same directory first checks, before importing the
compiler: are the recorded manifest files unchanged, is the code the same, and is every generated
file still there with the recorded size and mtime (and the writer's own record unchanged)? Then the
output is what a build would write — the build is a no-op, and it replays the diagnostics
(warnings) the recorded build printed. Anything else — a file edited, removed or added by hand, an
unreadable record — means a real build, which then decides file by file (the writer never trusts
this cache to skip a write).

The cache only ever skips work; it never writes or removes generated files, and its own file is
written by the writer (:func:`tinkc.writer.replace_own_file`).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

CACHE = ".tinkc-build.json"
CACHE_VERSION = 1
# the record the writer keeps (path → digest); its own stat is part of what must be unchanged
WRITER_RECORD = ".tinkc-generated.json"
WRITER_JOURNAL = ".tinkc-journal.json"
_CODE_SUFFIXES = (".py", ".lark", ".yaml", ".j2", ".jinja", ".ex", ".exs", ".ts", ".json", ".md")  # .jinja: the backends' templates


def _sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def _stat(path: str | Path) -> list[int] | None:
    try:
        st = os.stat(path)
    except (OSError, ValueError):  # ValueError: a path no file system can hold (what Path.stat raises too)
        return None
    return [st.st_size, st.st_mtime_ns]


def _code_paths(module: str) -> list[Path]:
    """tinkc's own package directories and the backend's package directory (or module file), found
    without importing them."""
    import importlib.util

    paths = []
    for name in ("tinkc", "tinkc.ir", "tinkc.grammar", "tinkc.manifests", module):
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            spec = None
        if spec is not None and spec.origin is not None:
            origin = Path(spec.origin)
            paths.append(origin.parent if origin.name == "__init__.py" else origin)
    return paths


@functools.cache
def _tree_stat(root: Path) -> str:
    """The size and mtime of every code file under ``root`` (or of ``root`` itself), as text. Once
    per process: `build --target a,b,c` asks for tinkc's own directories once per target."""
    if root.is_file():
        return f"{root}:{_stat(root)}\n"
    lines = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
        for name in sorted(filenames):
            if name.endswith(_CODE_SUFFIXES):
                lines.append(f"{dirpath}/{name}:{_stat(os.path.join(dirpath, name))}\n")
    return "".join(lines)


def code_fingerprint(backend_module: str, version: str) -> str:
    """What the compiler and the backend are, as files: cheap to compute (stat only)."""
    h = hashlib.sha256(version.encode())
    roots: list[Path] = []
    for root in _code_paths(backend_module):
        # an installed tinkc holds its packages and built-in backends in one folder, which the
        # walk of tinkc's own takes in already (~100 files a backend, stat'ed again per target)
        if not any(root == r or r in root.parents for r in roots):
            roots.append(root)
    for root in roots:
        h.update(_tree_stat(root).encode())
    return h.hexdigest()


def fingerprint(target: str, backend_module: str, version: str, skipped: Iterable[str]) -> str:
    h = hashlib.sha256(f"{CACHE_VERSION}\0{target}\0{','.join(sorted(skipped))}\0".encode())
    h.update(code_fingerprint(backend_module, version).encode())
    return h.hexdigest()


def is_fresh(root: Path, manifest: Path, fp: str) -> list[str] | None:
    """The diagnostics text the recorded build printed, if the recorded build is still the output
    of this manifest and this code; else None (build for real)."""
    try:
        data = json.loads((root / CACHE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("version") != CACHE_VERSION or data.get("fingerprint") != fp:
        return None
    inputs, outputs, diagnostics = data.get("inputs"), data.get("outputs"), data.get("diagnostics")
    if not isinstance(inputs, dict) or not isinstance(outputs, dict) or not isinstance(diagnostics, list):
        return None
    if data.get("manifest") != str(manifest.resolve()) or (root / WRITER_JOURNAL).exists():
        return None  # another manifest, or an interrupted build the writer must recover first
    for path, digest in inputs.items():
        if _sha256(Path(path)) != digest:
            return None
    base = os.fspath(root)
    for rel, stat in outputs.items():
        if _stat(os.path.join(base, rel)) != stat:
            return None
    return [str(d) for d in diagnostics]


def record(root: Path, manifest: Path, fp: str, inputs: Iterable[Path], generated: Iterable[str], diagnostics: list[str]) -> None:
    """Remember a finished build of this target into ``root`` (see the module docstring)."""
    outputs: dict[str, Any] = {}
    base = os.fspath(root)
    for rel in sorted({*generated, WRITER_RECORD}):
        stat = _stat(os.path.join(base, rel))
        if stat is None:
            forget(root)
            return
        outputs[rel] = stat
    data: Mapping[str, Any] = {
        "version": CACHE_VERSION,
        "fingerprint": fp,
        "manifest": str(manifest.resolve()),
        "inputs": {str(p.resolve()): _sha256(p) for p in sorted(set(inputs))},
        "outputs": outputs,
        "diagnostics": diagnostics,
    }
    from tinkc.writer import replace_own_file

    # One line: json's C encoder writes it; with an indent, json writes through its Python encoder,
    # ~1.3 ms for the Elixir tree's 238 entries, in every target's process.
    if not replace_own_file(root, CACHE, json.dumps(data, sort_keys=True) + "\n"):
        forget(root)


def forget(root: Path) -> None:
    try:
        (root / CACHE).unlink()
    except OSError:
        pass
