"""The conformance suite (DESIGN §9, docs/conformance.md): every scenario of `scenarios/` against
the conformance driver of every registered backend that has one.

A scenario is a `tinkc mock` script (`server:`), entries for the driver (`calls:`, each with its
expected outcome) and expectations on the requests the server saw (`wire:`). The driver of a
backend is a program emitted with its SDK (`Backend.conformance_driver`): it reads the calls as
JSON on stdin and prints one outcome per call. Waits are scaled down (`time_scale`), so retry and
polling scenarios take milliseconds.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from targets.fixtures import fixture_api

from tinkc.backends import registry
from tinkc.backends.base import Backend, DriverCommand
from tinkc.ir import nodes as ir
from tinkc.mock import running_mock

HERE = Path(__file__).resolve().parent
SCENARIOS = sorted(HERE.glob("scenarios/*.yaml"))
SNAPSHOTS = HERE.parent / "snapshots"
TIME_SCALE = 0.001
DEFAULT_KEY = "tml-conformance"
DRIVER_TIMEOUT = 120  # seconds for one scenario's driver run; a hang fails the scenario


def backends_with_drivers() -> dict[str, Backend]:
    out = {}
    for name, info in registry.available().items():
        backend = info.load()()
        if type(backend).conformance_driver is not Backend.conformance_driver:
            out[name] = backend
    return out


BACKENDS = backends_with_drivers()


@pytest.fixture(scope="session")
def drivers(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str, str], DriverCommand]:
    """Each (target, fixture)'s driver, prepared once in a scratch copy of the snapshot tree (so a
    build never writes into tests/snapshots)."""

    @functools.cache
    def prepare(target: str, fixture: str) -> DriverCommand:
        tree = tmp_path_factory.mktemp(f"{target}-{fixture}") / "sdk"
        shutil.copytree(SNAPSHOTS / target / fixture, tree)
        command = BACKENDS[target].conformance_driver(tree)
        assert command is not None
        return command

    return prepare


def run_driver(command: DriverCommand, request: dict[str, Any], env: dict[str, str]) -> subprocess.Popen[str]:
    """Start the driver with the request as its stdin (a file, so it is all there at once)."""
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("TINKER_")}
    with tempfile.TemporaryFile("w+", encoding="utf-8") as stdin:
        json.dump(request, stdin)
        stdin.seek(0)
        return subprocess.Popen(
            list(command.argv),
            stdin=stdin,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=command.cwd,
            env={**base_env, **command.env, **env},
        )


def substitute(value: Any, mock_url: str) -> Any:
    """`${mock}` in a scenario's strings is the mock server's URL."""
    if isinstance(value, str):
        return value.replace("${mock}", mock_url)
    if isinstance(value, dict):
        return {k: substitute(v, mock_url) for k, v in value.items()}
    if isinstance(value, list):
        return [substitute(v, mock_url) for v in value]
    return value


def expand(value: Any) -> Any:
    """`{$repeat: [item, n]}` in call arguments is a list of n items (large requests stay readable)."""
    if isinstance(value, dict):
        if set(value) == {"$repeat"}:
            item, n = value["$repeat"]
            return [expand(item)] * int(n)
        return {k: expand(v) for k, v in value.items()}
    if isinstance(value, list):
        return [expand(v) for v in value]
    return value


def matches(expected: Any, actual: Any) -> bool:
    """`expected` is found in `actual`: mappings by the keys `expected` names (an SDK may show more),
    lists item by item, anything else equal."""
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(k in actual and matches(v, actual[k]) for k, v in expected.items())
    if isinstance(expected, list):
        return isinstance(actual, list) and len(actual) == len(expected) and all(map(matches, expected, actual))
    return bool(expected == actual)


def check_outcome(expected: dict[str, Any], actual: dict[str, Any]) -> None:
    if "queue_states" in expected:
        assert actual.get("queue_states", []) == expected["queue_states"], actual
    if expected.get("ok", "error" not in expected):
        assert actual.get("ok"), actual
        if "result" in expected:
            assert matches(expected["result"], actual["result"]), actual
        if "result_prefix" in expected:
            assert str(actual["result"]).startswith(expected["result_prefix"]), actual
        return
    assert actual.get("error") == expected["error"], actual
    for key in ("status", "category"):
        if key in expected:
            assert actual.get(key) == expected[key], actual


def values_at(value: Any, path: list[str]) -> list[Any]:
    """The values at a dotted path; `*` steps into every item of a list."""
    if not path:
        return [value]
    head, rest = path[0], path[1:]
    if head == "*":
        return [v for item in value for v in values_at(item, rest)] if isinstance(value, list) else []
    return values_at(value[head], rest) if isinstance(value, dict) and head in value else []


def background_endpoints(api: ir.Api) -> set[str]:
    """Endpoints the SDK calls on its own schedule (telemetry, heartbeats): not part of a sequence."""
    out = set()
    for feature in api.features.values():
        if isinstance(feature.params, ir.Telemetry):
            out.add(feature.params.endpoint)
        elif isinstance(feature.params, ir.SessionLifecycle) and feature.params.heartbeat_endpoint:
            out.add(feature.params.heartbeat_endpoint)
    return out


def check_wire(rule: dict[str, Any], mock: Any, background: set[str]) -> None:
    if "sequence" in rule:
        seen = [r["endpoint"] for r in mock.requests() if r["endpoint"] is not None and r["endpoint"] not in background]
        wanted = rule["sequence"]
        assert seen[: len(wanted)] == wanted, seen
        return
    if "max_in_flight" in rule:
        assert mock.stats()["max_in_flight"] <= rule["max_in_flight"], mock.stats()
        return
    records = mock.requests(rule["endpoint"])
    if "count" in rule:
        assert len(records) == rule["count"], [(r["method"], r["path"]) for r in records]
    if "min_count" in rule:
        assert len(records) >= rule["min_count"], [(r["method"], r["path"]) for r in records]
    for key, want in (rule.get("query") or {}).items():
        assert all(str(r["query"].get(key)) == want for r in records), records
    for key, want in (rule.get("path_params") or {}).items():
        assert all(r["path_params"].get(key) == want for r in records), records
    for key, want in (rule.get("header") or {}).items():
        assert all(r["headers"].get(key.lower()) == want for r in records), [r["headers"] for r in records]
    for key, prefix in (rule.get("header_prefix") or {}).items():
        assert all(str(r["headers"].get(key.lower())).startswith(prefix) for r in records), [r["headers"] for r in records]
    if rule.get("same_idempotency_key"):
        keys = {r["headers"].get("x-idempotency-key") for r in records}
        assert len(keys) == 1 and None not in keys, keys
        assert all(v["executions"] <= 1 for v in mock.idempotency()["keys"].values()), mock.idempotency()
    if "body_values" in rule:
        spec = rule["body_values"]
        found = [v for r in records for v in values_at(r["body"], spec["path"].split("."))]
        missing = [v for v in spec["includes"] if v not in found]
        assert not missing, f"{spec['path']}: {missing} not among {found}"
    if "min_gap_ms" in rule:
        times = [r["received_ms"] for r in records]
        gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
        assert all(g >= rule["min_gap_ms"] for g in gaps), gaps


@pytest.mark.parametrize("scenario_path", SCENARIOS, ids=lambda p: p.stem)
@pytest.mark.parametrize("target", sorted(BACKENDS))
def test_scenario(target: str, scenario_path: Path, drivers: Callable[[str, str], DriverCommand]) -> None:
    scenario = yaml.safe_load(scenario_path.read_text(encoding="utf-8"))
    fixture = scenario.get("manifest", "tinker")
    command = drivers(target, fixture)
    with running_mock(fixture_api(fixture), scenario=scenario.get("server")) as mock:
        request = {
            "base_url": scenario.get("base_url", "${mock}"),
            "control_url": mock.url,
            "api_key": scenario.get("api_key", DEFAULT_KEY),
            "time_scale": TIME_SCALE,
            "timeout_sec": scenario.get("timeout_sec"),
            "calls": expand(scenario["calls"]),
        }
        request = substitute(request, mock.url)
        env = substitute({k: str(v) for k, v in (scenario.get("env") or {}).items()}, mock.url)
        proc = run_driver(command, request, env)
        try:
            stdout, stderr = proc.communicate(timeout=DRIVER_TIMEOUT)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
        assert proc.returncode == 0, stderr[-3000:]
        outcomes = [json.loads(line) for line in stdout.splitlines() if line.strip()]
        assert len(outcomes) == len(scenario["calls"]), (outcomes, stderr[-3000:])
        for call, outcome in zip(scenario["calls"], outcomes, strict=True):
            check_outcome(call.get("expect", {"ok": True}), outcome)
        for rule in scenario.get("wire") or []:
            check_wire(rule, mock, background_endpoints(fixture_api(fixture)))
