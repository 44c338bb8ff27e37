"""The issue's end-to-end check of the Python SDK, as a new user would do it: `tinkc build --target
python` on the bundled manifest, `pip install` of the output into a fresh virtual environment, the
example script type-checked against the installed package, then run against `tinkc mock`."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from targets.fixtures import fixture_api
from tinkc.mock import running_mock

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "examples" / "python" / "tinker_demo.py"

pytestmark = pytest.mark.toolchain  # pip, a fresh venv, mypy


def run(cmd: list[str], **kw: object) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=600, **kw)  # type: ignore[call-overload]
    assert proc.returncode == 0, f"{cmd}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc


def test_built_sdk_installs_in_a_fresh_venv_and_runs_the_demo(tmp_path: Path) -> None:
    out = tmp_path / "out"
    run([sys.executable, "-m", "tinkc.cli", "build", "--target", "python", "--out", str(out)])
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = str(env_dir / "bin" / "python")
    run([python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(out)])
    # The example is typed against the installed package, strictly.
    run([sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--cache-dir", str(tmp_path / "mypy"),
         "--python-executable", python, str(DEMO)])  # fmt: skip
    run([sys.executable, "-m", "ruff", "check", "--no-cache", str(DEMO)])
    with running_mock(fixture_api("tinker")) as mock:
        env = {**os.environ, "TINKER_API_KEY": "tml-demo", "TINKER_BASE_URL": mock.url, "TINKER_TELEMETRY": "0"}
        proc = run([python, str(DEMO)], env=env, cwd=tmp_path)
        lines = proc.stdout.splitlines()
        assert lines[0].startswith("training client: TrainingClient(")
        assert lines[1].startswith("forward_backward: ")
        assert sum(line.startswith("sampled: [") for line in lines) == 2, lines
        seen = [r["endpoint"] for r in mock.requests()]
    for endpoint in ("models.create", "futures.retrieve", "training.forward_backward", "training.optim_step",
                     "weights.save_for_sampler", "sampling.asample"):  # fmt: skip
        assert endpoint in seen, seen
