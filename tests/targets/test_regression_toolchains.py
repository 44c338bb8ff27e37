"""The manifests of tests/fixtures/regressions (emitted code that did not parse) built with each
SDK's own tools, as the snapshots are: the TypeScript SDK passes `tsc --strict --noEmit` (the
package's configuration and the conformance driver's), the Python SDK `ruff check`, `ruff format
--check` and `mypy --strict`. (That every emitted file parses is checked by
tests/property/test_fuzz.py; Elixir's `mix compile` is left to the snapshots, for time.)

Built into a scratch directory, never into tests/snapshots."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from targets.typescript_tools import scratch_copy, tsc
from tinkc.backends.registry import available
from tinkc.ir.nodes import thaw
from tinkc.pipeline import compile_manifest

REGRESSIONS = Path(__file__).resolve().parent.parent / "fixtures" / "regressions"
MANIFESTS = sorted(REGRESSIONS.glob("*/manifest.yaml"))
IDS = [p.parent.name for p in MANIFESTS]

pytestmark = pytest.mark.toolchain


def emit(manifest: Path, target: str, into: Path) -> Path:
    result = compile_manifest(manifest)
    assert result.api is not None and not result.sink.has_errors, [(d.code, d.message) for d in result.sink.items]
    backend = available()[target].load()()
    for f in backend.emit(result.api, thaw(result.api.targets.get(target)) or {}):
        path = into / f.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f.content, encoding="utf-8")
    return into


def test_there_are_regression_manifests() -> None:
    assert MANIFESTS, f"no manifests under {REGRESSIONS}"


@pytest.mark.parametrize("manifest", MANIFESTS, ids=IDS)
def test_typescript_sdk_passes_tsc_strict(manifest: Path, tmp_path: Path) -> None:
    tree = scratch_copy(emit(manifest, "typescript", tmp_path / "emitted"), tmp_path / "build")
    failures = []
    for config in ("tsconfig.json", "conformance/tsconfig.json"):
        proc = tsc("-p", config, "--strict", "--noEmit", cwd=tree)
        if proc.returncode != 0 or proc.stdout:
            failures.append(f"tsc -p {config} --strict --noEmit:\n{proc.stdout}{proc.stderr}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("manifest", MANIFESTS, ids=IDS)
def test_python_sdk_passes_ruff_and_mypy_strict(manifest: Path, tmp_path: Path) -> None:
    tree = emit(manifest, "python", tmp_path / "sdk")
    failures = []
    for args in (
        ["ruff", "check", "--no-cache", "."],
        ["ruff", "format", "--check", "--no-cache", "."],
        ["mypy", "--strict", "--no-incremental", "--cache-dir", str(tmp_path / "mypy"), "src"],
    ):
        proc = subprocess.run([sys.executable, "-m", *args], cwd=tree, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            failures.append(f"{' '.join(args[:2])}:\n{proc.stdout}{proc.stderr}")
    assert not failures, "\n".join(failures)
