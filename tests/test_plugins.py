"""The plug-in path (issue 8): a backend distributed separately from tinkc, installed with pip,
is discovered through the `tinkc.backends` entry-point group, builds, and runs the shared
conformance suite; a plug-in that fails to import is reported without a traceback.

The plug-ins (tests/plugins/) are installed with `pip install --target` into a scratch directory
that only the subprocesses below see (PYTHONPATH): the project's environment stays untouched.
Building them needs setuptools from the package index (pip's build isolation).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PLUGINS = Path(__file__).resolve().parent / "plugins"
EXAMPLE = PLUGINS / "tinkc-example-backend"
BROKEN = PLUGINS / "tinkc-broken-backend"
# What builds and tools leave in a source tree: never copied.
SCRATCH = ("build", "*.egg-info", "__pycache__", ".pytest_cache", ".ruff_cache", ".mypy_cache")
EXAMPLE_VERSION = re.search(r'__version__ = "([^"]+)"', (EXAMPLE / "src/tinkc_example_backend/__init__.py").read_text()).group(1)  # type: ignore[union-attr]

pytestmark = pytest.mark.toolchain  # pip builds and installs the plug-ins (setuptools from the index)


@pytest.fixture(scope="module")
def plugin_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The environment of a tinkc with both plug-ins installed."""
    scratch = tmp_path_factory.mktemp("plugins")
    sources = []
    for src in (EXAMPLE, BROKEN):
        # pip builds in the source tree (build/, *.egg-info): build a copy, never the checkout
        copy = scratch / "src" / src.name
        shutil.copytree(src, copy, ignore=shutil.ignore_patterns(*SCRATCH))
        sources.append(str(copy))
    site = scratch / "site"
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-deps", "--target", str(site), *sources],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep), "NO_COLOR": "1"}


def tinkc(env: dict[str, str], *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tinkc", *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=600)


def test_targets_lists_installed_and_broken_plugins(plugin_env: dict[str, str]) -> None:
    proc = tinkc(plugin_env, "targets")
    assert proc.returncode == 0, proc.stderr
    lines = {line.split()[0]: line for line in proc.stdout.splitlines()}
    assert {"python", "elixir", "typescript", "ir", "minipy", "broken"} <= set(lines), proc.stdout
    # name, the backend's version, the distribution and its version, the description
    assert re.match(
        rf"minipy\s+{re.escape(EXAMPLE_VERSION)}\s+tinkc-example-backend {re.escape(EXAMPLE_VERSION)}\s+a tiny", lines["minipy"]
    )
    assert re.match(r"broken\s+\?\s+tinkc-broken-backend 0\.1\.0\s+\(fails to load: ModuleNotFoundError: ", lines["broken"]), lines[
        "broken"
    ]
    assert "Traceback" not in proc.stderr + proc.stdout


def test_build_with_the_plugin(plugin_env: dict[str, str], tmp_path: Path) -> None:
    out = tmp_path / "out"
    proc = tinkc(plugin_env, "build", "--target", "minipy", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("minipy: 6 written"), proc.stdout
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()) == [
        ".tinkc-build.json",  # the build cache: a plug-in's builds are no-ops when nothing changed too
        ".tinkc-generated.json",
        ".tinkc-lock",  # the writer's lock: one build at a time writes into a directory
        "README.md",
        "conformance_driver.py",
        "pyproject.toml",
        "src/tinker_minipy/__init__.py",
        "src/tinker_minipy/_runtime.py",
        "src/tinker_minipy/py.typed",
    ]
    # the emitted client works: import it and build a client of the bundled manifest
    check = subprocess.run(
        [sys.executable, "-c", "import tinker_minipy as t; print(repr(t.RestClient(api_key='secret-key', base_url='http://x')))"],
        capture_output=True,
        text=True,
        env={**plugin_env, "PYTHONPATH": str(out / "src")},
    )
    assert check.returncode == 0, check.stderr
    assert check.stdout.strip() == "RestClient(base_url='http://x', api_key=<redacted>)"


@pytest.mark.parametrize("target", ["broken", "all"])
def test_a_broken_plugin_fails_the_build_without_a_traceback(plugin_env: dict[str, str], tmp_path: Path, target: str) -> None:
    proc = tinkc(plugin_env, "build", "--target", target, "--out", str(tmp_path / "out"))
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "target `broken` (tinkc-broken-backend 0.1.0) fails to load: ModuleNotFoundError" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "out").exists()  # nothing half-built


@pytest.mark.conformance
def test_conformance_of_the_plugin(plugin_env: dict[str, str]) -> None:
    proc = tinkc(plugin_env, "conformance", "--target", "minipy", "--scenario", "typed_get", "--scenario", "raw_path_param")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert re.findall(r"^(PASS|FAIL)\s+(\S+)", proc.stdout, re.M) == [("PASS", "raw_path_param"), ("PASS", "typed_get")]
    assert proc.stdout.splitlines()[-1] == "minipy: 2/2 scenarios passed"


@pytest.mark.conformance
def test_conformance_failure_is_reported(plugin_env: dict[str, str]) -> None:
    # minipy has no retries: the scenario must fail, with what went wrong and a non-zero exit
    proc = tinkc(plugin_env, "conformance", "--target", "minipy", "--scenario", "retry_5xx_then_success")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "FAIL  retry_5xx_then_success" in proc.stdout
    assert "expected success" in proc.stdout or "requests, expected" in proc.stdout
    assert proc.stdout.splitlines()[-1] == "minipy: 0/1 scenarios passed"


def test_the_plugin_own_test_suite(plugin_env: dict[str, str], tmp_path: Path) -> None:
    """The example's own tests (snapshots of its fixtures, strict checks of the output, the shared
    scenarios through tinkc.conformance) pass against the installed tinkc, run from a copy of its
    directory as from its own repository."""
    copy = tmp_path / EXAMPLE.name
    shutil.copytree(EXAMPLE, copy, ignore=shutil.ignore_patterns(*SCRATCH))
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"], capture_output=True, text=True, env=plugin_env, cwd=copy
    )
    assert proc.returncode == 0, proc.stdout[-5000:] + proc.stderr[-2000:]
    assert re.search(r"\d+ passed", proc.stdout), proc.stdout
