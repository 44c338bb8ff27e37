"""The example backend's own tests, as a plug-in's repository would have them.

* Snapshots: each `tests/fixtures/<name>/manifest.yaml` compiled by tinkc and emitted by minipy
  equals `tests/snapshots/<name>/` (a missing, extra or changed file fails);
  `TINKC_UPDATE_SNAPSHOTS=1` rewrites them for review (run from this directory:
  `PYTHONPATH=src TINKC_UPDATE_SNAPSHOTS=1 python -m pytest tests`).
* The snapshot trees pass the emitted package's own checks (ruff, mypy --strict) when those tools
  are installed.
* Conformance: tinkc's shared scenarios run against minipy's driver through `tinkc.conformance`,
  the same code as `tinkc conformance --target minipy`.
"""

from __future__ import annotations

import difflib
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from tinkc.conformance import run
from tinkc.ir.nodes import thaw
from tinkc.pipeline import compile_manifest

from tinkc_example_backend import MiniPyBackend

HERE = Path(__file__).resolve().parent
FIXTURES = sorted(p.parent.name for p in (HERE / "fixtures").glob("*/manifest.yaml"))
SNAPSHOTS = HERE / "snapshots"
UPDATE = os.environ.get("TINKC_UPDATE_SNAPSHOTS") == "1"
# Caches that linters leave in a snapshot tree when run over it: not part of the tree.
CACHES = {"__pycache__", ".ruff_cache", ".mypy_cache", ".pytest_cache"}
# minipy has no retries, futures or flows: these scenarios are the ones its plain calls can pass.
PASSING_SCENARIOS = [
    "typed_get",
    "raw_path_param",
    # (not redirect_location: it now also calls a flow, and answers the archive URL's record; minipy
    # emits no flows and answers a redirect's Location as text)
    "missing_api_key",
    "base_url_*",
    "no_retry_on_4xx",
]


def emit(fixture: str) -> dict[str, str]:
    result = compile_manifest(HERE / "fixtures" / fixture / "manifest.yaml")
    assert result.api is not None and not result.sink.has_errors, [d.message for d in result.sink.items]
    options = thaw(result.api.targets.get(MiniPyBackend.name)) or {}
    return {f.path: f.content for f in MiniPyBackend().emit(result.api, options)}


@pytest.mark.parametrize("fixture", FIXTURES)
def test_snapshot(fixture: str) -> None:
    expected_dir = SNAPSHOTS / fixture
    files = emit(fixture)
    if UPDATE:
        shutil.rmtree(expected_dir, ignore_errors=True)
        for rel, content in files.items():
            (expected_dir / rel).parent.mkdir(parents=True, exist_ok=True)
            (expected_dir / rel).write_text(content, encoding="utf-8")
    present = {
        p.relative_to(expected_dir).as_posix()
        for p in expected_dir.rglob("*")
        if p.is_file() and not CACHES & set(p.parts)
    }
    problems = [f"extra file in snapshot: {rel}" for rel in sorted(present - set(files))]
    problems += [f"missing from snapshot: {rel}" for rel in sorted(set(files) - present)]
    for rel in sorted(set(files) & present):
        expected = (expected_dir / rel).read_text(encoding="utf-8")
        if expected != files[rel]:
            diff = difflib.unified_diff(
                expected.splitlines(keepends=True), files[rel].splitlines(keepends=True), rel, "actual"
            )
            problems.append("".join(diff))
    assert not problems, "\n".join(problems)


def test_emission_is_deterministic() -> None:
    assert all(emit(f) == emit(f) for f in FIXTURES)


@pytest.mark.parametrize("fixture", FIXTURES)
@pytest.mark.parametrize(
    "check",
    [["ruff", "check", "."], ["ruff", "format", "--check", "."], ["mypy", "--strict", "src", "conformance_driver.py"]],
    ids=lambda c: " ".join(c[:2]),
)
def test_snapshot_passes_strict_checks(fixture: str, check: list[str], tmp_path: Path) -> None:
    tool = shutil.which(check[0], path=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
    if tool is None:
        pytest.skip(f"{check[0]} is not installed")
    tree = tmp_path / "sdk"
    shutil.copytree(SNAPSHOTS / fixture, tree, ignore=shutil.ignore_patterns(*CACHES))  # the tools leave caches
    proc = subprocess.run(
        [tool, *check[1:]], cwd=tree, capture_output=True, text=True, env={**os.environ, "MYPYPATH": "src"}
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_shared_conformance_scenarios() -> None:
    out = io.StringIO()
    results = run(MiniPyBackend(), patterns=PASSING_SCENARIOS, out=out)
    assert len(results) >= len(PASSING_SCENARIOS), out.getvalue()
    assert all(r.passed for r in results), out.getvalue()


def test_a_scenario_minipy_cannot_pass_fails() -> None:
    """The harness is not fooled: minipy does not retry, so a retry scenario must fail."""
    out = io.StringIO()
    (result,) = run(MiniPyBackend(), patterns=["retry_5xx_then_success"], out=out)
    assert not result.passed
    assert "FAIL  retry_5xx_then_success" in out.getvalue()
