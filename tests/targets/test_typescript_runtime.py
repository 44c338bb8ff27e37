"""The TypeScript SDK's runtime, unit by unit (`typescript_runtime_test.ts`, run with Node's own test
runner): what the conformance scenarios cannot see on the wire, such as the API key never being
shown, schema edge cases (`__proto__` fields, fresh defaults, error paths), Retry-After bounds and
the telemetry queue's bound. The tests are compiled with a scratch copy of the `minimal` SDK, under
its strict settings, and run without a server (a fake `fetch`)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from targets.typescript_tools import SNAPSHOTS, node, scratch_copy, tsc

TESTS = Path(__file__).resolve().parent / "typescript_runtime_test.ts"

pytestmark = pytest.mark.toolchain  # node, tsc


def test_runtime_units(tmp_path: Path) -> None:
    tree = scratch_copy(SNAPSHOTS / "minimal", tmp_path)
    shutil.copy(TESTS, tree / "src" / "runtime.test.ts")
    proc = tsc("-p", "tsconfig.json", cwd=tree)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    run = subprocess.run(
        [node(), "--test", "--test-reporter=spec", "dist/runtime.test.js"],
        cwd=tree,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "# fail 0" in run.stdout or "fail 0" in run.stdout, run.stdout


EXCHANGE_TESTS = Path(__file__).resolve().parent / "typescript_exchange_test.ts"


def test_exchange_units(tmp_path: Path) -> None:
    """The default HTTP exchange (node:http) against a local server: framing, keep-alive,
    compressed answers, redirects, aborts (`typescript_exchange_test.ts`)."""
    tree = scratch_copy(SNAPSHOTS / "minimal", tmp_path)
    shutil.copy(EXCHANGE_TESTS, tree / "src" / "exchange.test.ts")
    proc = tsc("-p", "tsconfig.json", cwd=tree)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    run = subprocess.run(
        [node(), "--test", "--test-reporter=spec", "dist/exchange.test.js"],
        cwd=tree,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "fail 0" in run.stdout, run.stdout
