"""The conformance suite as tinkc ships it (`tinkc.conformance`, `tinkc conformance`).

* The fixture manifests shipped for the scenarios (`compiler/conformance/fixtures/`) are exactly
  the ones the scenarios name, each equal to its source in `tests/fixtures/`
  (`TINKC_UPDATE_SNAPSHOTS=1` / `make snapshots` copies them over).
* The harness's checks find what is wrong (so a passing scenario means something).
* The command line: a selection runs and counts; usage errors and failures exit non-zero.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from snapshot import UPDATE, assert_matches

from tinkc.conformance import FIXTURES_DIR, SCENARIOS_DIR, load_scenario_file, manifest_path, scenario_paths
from tinkc.conformance.harness import check_outcome, check_wire, driver_request, expand, matches

TESTS_FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
NAMED = sorted({load_scenario_file(p).manifest for p in scenario_paths()} - {"tinker"})


def test_scenarios_are_shipped() -> None:
    assert len(scenario_paths()) >= 40, SCENARIOS_DIR
    assert all(p.parent == SCENARIOS_DIR for p in scenario_paths())


@pytest.mark.parametrize("fixture", NAMED)
def test_shipped_fixture_equals_its_source(fixture: str) -> None:
    source = TESTS_FIXTURES / fixture / "manifest.yaml"
    assert source.is_file(), f"a scenario names fixture `{fixture}`, which is not in tests/fixtures"
    assert_matches(FIXTURES_DIR / fixture / "manifest.yaml", source.read_text(encoding="utf-8"))


def test_no_fixture_is_shipped_that_no_scenario_names() -> None:
    shipped = sorted(p.parent.name for p in FIXTURES_DIR.glob("*/manifest.yaml"))
    unused = sorted(set(shipped) - set(NAMED))
    if UPDATE:
        for name in unused:
            shutil.rmtree(FIXTURES_DIR / name)
        return
    assert not unused, f"shipped but named by no scenario (run `make snapshots`): {unused}"


def test_manifest_resolution() -> None:
    assert manifest_path("tinker").name == "tinker.yaml"
    assert manifest_path("service_features") == FIXTURES_DIR / "service_features" / "manifest.yaml"
    assert manifest_path("x", Path("/elsewhere")) == Path("/elsewhere/x/manifest.yaml")


def test_request_substitutes_the_mock_and_expands_repeats() -> None:
    scenario = load_scenario_file(SCENARIOS_DIR / "base_url_precedence.yaml")
    request, env = driver_request(scenario, "http://127.0.0.1:9")
    assert request["base_url"] is None and env == {"TINKER_BASE_URL": "http://127.0.0.1:9"}
    assert expand({"a": {"$repeat": [{"x": 1}, 3]}}) == {"a": [{"x": 1}] * 3}


@pytest.mark.parametrize(
    ("expected", "actual", "fails"),
    [
        ({"ok": True}, {"ok": True, "result": 1}, False),
        ({"ok": True}, {"error": "server", "status": 500}, True),
        ({"error": "server", "status": 503}, {"error": "server", "status": 500}, True),
        ({"error": "request_failed", "category": "user"}, {"error": "request_failed", "category": "user"}, False),
        ({"result": {"a": [1, 2]}}, {"ok": True, "result": {"a": [1, 2], "b": 0}}, False),
        ({"result": {"a": [1, 2]}}, {"ok": True, "result": {"a": [1]}}, True),
        ({"result_prefix": "http"}, {"ok": True, "result": "ftp://x"}, True),
        ({"queue_states": [["paused", "r"]]}, {"ok": True, "queue_states": []}, True),
    ],
)
def test_check_outcome(expected: dict[str, Any], actual: dict[str, Any], fails: bool) -> None:
    assert bool(check_outcome(expected, actual)) is fails


class FakeMock:
    def __init__(self, records: list[dict[str, Any]]) -> None:
        self.records = records

    def requests(self, endpoint: str | None = None) -> list[dict[str, Any]]:
        return [r for r in self.records if endpoint is None or r["endpoint"] == endpoint]

    def stats(self) -> dict[str, Any]:
        return {"max_in_flight": 3}

    def idempotency(self) -> dict[str, Any]:
        return {"keys": {"k": {"executions": 1}}}


def record(endpoint: str, received_ms: float, **extra: Any) -> dict[str, Any]:
    base = {"endpoint": endpoint, "method": "GET", "path": "/", "query": {}, "path_params": {}, "headers": {}, "body": None}
    return {**base, "received_ms": received_ms, **extra}


@pytest.mark.parametrize(
    ("rule", "fails"),
    [
        ({"endpoint": "a", "count": 2}, False),
        ({"endpoint": "a", "count": 3}, True),
        ({"sequence": ["a", "b"]}, True),
        ({"sequence": ["a", "a"]}, False),
        ({"max_in_flight": 2}, True),
        ({"endpoint": "a", "min_gap_ms": 10}, False),
        ({"endpoint": "a", "min_gap_ms": 50}, True),
        ({"endpoint": "a", "header": {"X-K": "v"}}, False),
        ({"endpoint": "a", "header": {"X-K": None}}, True),
        ({"endpoint": "a", "header_values": {"X-K": ["v", "v"]}}, False),
        ({"endpoint": "a", "header_values": {"X-K": ["v"]}}, True),
        ({"endpoint": "a", "header_values": {"X-Other": [None, None]}}, False),
        ({"endpoint": "a", "same_idempotency_key": True}, True),
        ({"endpoint": "a", "distinct_idempotency_keys": True}, True),
        ({"endpoint": "c", "distinct_idempotency_keys": True}, False),
        ({"endpoint": "d", "distinct_idempotency_keys": True}, True),
        ({"endpoint": "b", "body_exact": None}, False),
        ({"endpoint": "a", "body_exact": {"items": [{"n": 1}]}}, True),
        ({"endpoint": "c", "body_exact": {"x": 1}}, True),
        ({"endpoint": "z", "body_exact": None}, True),
        ({"endpoint": "c", "body_fields": {"t": "u"}}, False),
        ({"endpoint": "c", "body_fields": {"t": "v"}}, True),
        ({"endpoint": "c", "body_fields": {"q": None}}, True),
        ({"endpoint": "a", "body_values": {"path": "items.*.n", "includes": [1]}}, False),
        ({"endpoint": "a", "body_values": {"path": "items.*.n", "includes": [9]}}, True),
        ({"endpoint": "a", "body": {"m": "$absent"}}, False),
        ({"endpoint": "a", "body": {"items": "$absent"}}, True),
        ({"endpoint": "a", "body": {"z": None}}, False),
        ({"endpoint": "a", "body": {"z": "$absent"}}, True),
        ({"endpoint": "a", "body": {"z": 1}}, True),
        ({"endpoint": "z", "body": {"m": "$absent"}}, True),  # no such request at all
        # a misspelt key checks nothing: it is a problem, not a pass
        ({"endpoint": "a", "count": 2, "bodyy": {"z": 1}}, True),
        ({"endpoint": "a", "in_order": [{"body": {"z": None}}]}, False),
        ({"endpoint": "a", "in_order": [{"body_fields": {"z": 1}}]}, True),
    ],
)
def test_check_wire(rule: dict[str, Any], fails: bool) -> None:
    mock = FakeMock(  # in the order the server saw them
        [
            record("a", 0, headers={"x-k": "v"}, body={"items": [{"n": 1}], "z": None}),
            record("a", 20, headers={"x-k": "v"}, body={"items": [{"n": 2}], "z": None}),
            record("b", 25),
            record("c", 30, headers={"x-idempotency-key": "k1"}, body={"t": "u", "x": 1}),
            record("c", 31, headers={"x-idempotency-key": "k2"}, body={"t": "u", "x": 2}),
            record("d", 32, headers={"x-idempotency-key": "k1"}),
            record("d", 33, headers={"x-idempotency-key": "k1"}),
        ]
    )
    assert bool(check_wire(rule, mock, background=set())) is fails


def test_matches_is_structural() -> None:
    assert matches({"a": 1}, {"a": 1, "b": 2}) and not matches([1], [1, 2]) and not matches({"a": 1}, [1])


def tinkc(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tinkc", "--color", "never", "conformance", *args], capture_output=True, text=True, timeout=600
    )


@pytest.mark.conformance  # the Python SDK's driver against the mock
def test_cli_runs_a_selection() -> None:
    proc = tinkc("--target", "python", "--scenario", "typed_get", "--scenario", "missing_api_*")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    assert [line.split()[:2] for line in lines[:-1]] == [["PASS", "missing_api_key"], ["PASS", "typed_get"]]
    assert lines[-1] == "python: 2/2 scenarios passed"


@pytest.mark.conformance
def test_cli_reports_a_failing_scenario(tmp_path: Path) -> None:
    # a scenario that expects what the server does not do fails with its reason and exit 1
    scenario = json.loads(json.dumps(load_scenario_file(SCENARIOS_DIR / "typed_get.yaml").data))
    scenario["calls"][0]["expect"] = {"error": "not_found", "status": 404}
    (tmp_path / "wrong.yaml").write_text(json.dumps(scenario), encoding="utf-8")
    proc = tinkc("--target", "python", "--scenarios", str(tmp_path), "--fixtures", str(TESTS_FIXTURES))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "FAIL  wrong" in proc.stdout and "expected error 'not_found'" in proc.stdout
    assert proc.stdout.splitlines()[-1] == "python: 0/1 scenarios passed"


@pytest.mark.parametrize(
    ("args", "status", "message"),
    [
        (["--target", "pythn"], 2, "unknown target `pythn`; did you mean `python`?"),
        (["--target", "ir"], 2, "target `ir` has no conformance driver"),
        (["--target", "python", "--scenario", "no_such_*"], 1, "no scenario matching no_such_*"),
        (["--target", "python", "--fixtures", "/no/such/dir"], 2, "--fixtures: no directory /no/such/dir"),
    ],
)
def test_cli_usage_errors(args: list[str], status: int, message: str) -> None:
    proc = tinkc(*args)
    assert proc.returncode == status, proc.stdout + proc.stderr
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr
