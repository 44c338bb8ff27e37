"""The conformance suite (DESIGN §9): every scenario of `scenarios/` against every backend's driver.

A scenario is a `tinkc mock` script (`server:`), calls for the driver (`calls:`, each with its
expected outcome) and expectations on the requests the server saw (`wire:`). The driver of a
backend is a program emitted with its SDK: it reads the calls as JSON on stdin and prints one
outcome per call. Waits are scaled down (`time_scale`), so retry and polling scenarios take
milliseconds.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from targets.fixtures import fixture_api

from tinkc.mock import running_mock

HERE = Path(__file__).resolve().parent
SCENARIOS = sorted(HERE.glob("scenarios/*.yaml"))
SNAPSHOTS = HERE.parent / "snapshots"
TIME_SCALE = 0.001
DEFAULT_KEY = "tml-conformance"


def python_driver(fixture: str) -> tuple[list[str], dict[str, str], Path]:
    tree = SNAPSHOTS / "python" / fixture
    return [sys.executable, "conformance_driver.py"], {"PYTHONPATH": str(tree / "src")}, tree


DRIVERS: dict[str, Callable[[str], tuple[list[str], dict[str, str], Path]]] = {"python": python_driver}


def run_driver(target: str, fixture: str, request: dict[str, Any], env: dict[str, str]) -> list[dict[str, Any]]:
    cmd, extra_env, cwd = DRIVERS[target](fixture)
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("TINKER_")}
    proc = subprocess.run(
        cmd,
        input=json.dumps(request),
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**base_env, **extra_env, **env},
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]


def check_outcome(expected: dict[str, Any], actual: dict[str, Any]) -> None:
    if expected.get("ok"):
        assert actual.get("ok"), actual
        if "result" in expected:
            assert {k: actual["result"].get(k) for k in expected["result"]} == expected["result"], actual
        if "result_prefix" in expected:
            assert str(actual["result"]).startswith(expected["result_prefix"]), actual
        return
    assert actual.get("error") == expected["error"], actual
    for key in ("status", "category"):
        if key in expected:
            assert actual.get(key) == expected[key], actual


def check_wire(rule: dict[str, Any], mock: Any) -> None:
    if "sequence" in rule:
        seen = [r["endpoint"] for r in mock.requests() if r["endpoint"] is not None]
        wanted = rule["sequence"]
        first = seen[: len(wanted)]
        assert first == wanted, seen
        return
    records = mock.requests(rule["endpoint"])
    if "count" in rule:
        assert len(records) == rule["count"], [(r["method"], r["path"]) for r in records]
    for key, want in (rule.get("query") or {}).items():
        assert all(str(r["query"].get(key)) == want for r in records), records
    for key, want in (rule.get("path_params") or {}).items():
        assert all(r["path_params"].get(key) == want for r in records), records
    for key, want in (rule.get("header") or {}).items():
        assert all(r["headers"].get(key) == want for r in records), records
    if rule.get("same_idempotency_key"):
        keys = {r["headers"].get("x-idempotency-key") for r in records}
        assert len(keys) == 1 and None not in keys, keys
        assert all(v["executions"] <= 1 for v in mock.idempotency()["keys"].values()), mock.idempotency()


@pytest.mark.parametrize("scenario_path", SCENARIOS, ids=lambda p: p.stem)
@pytest.mark.parametrize("target", sorted(DRIVERS))
def test_scenario(target: str, scenario_path: Path) -> None:
    scenario = yaml.safe_load(scenario_path.read_text(encoding="utf-8"))
    fixture = scenario.get("manifest", "tinker")
    with running_mock(fixture_api(fixture), scenario=scenario.get("server")) as mock:
        request = {
            "base_url": mock.url,
            "api_key": scenario.get("api_key", DEFAULT_KEY),
            "time_scale": TIME_SCALE,
            "calls": scenario["calls"],
        }
        outcomes = run_driver(target, fixture, request, {k: str(v) for k, v in (scenario.get("env") or {}).items()})
        assert len(outcomes) == len(scenario["calls"]), outcomes
        for call, outcome in zip(scenario["calls"], outcomes, strict=True):
            check_outcome(call["expect"], outcome)
        for rule in scenario.get("wire") or []:
            check_wire(rule, mock)
