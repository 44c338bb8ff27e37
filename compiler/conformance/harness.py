"""The conformance harness: one scenario against one SDK's conformance driver and a `tinkc mock`.

A scenario (docs/conformance.md) is a mock script (``server:``), entries for the driver (``calls:``,
each with its expected outcome) and rules on the requests the server saw (``wire:``). The harness
builds the driver's request (``${mock}`` substituted, ``$repeat`` expanded), runs the driver with
the mock serving the scenario's manifest, and checks every outcome and every wire rule.

Checks return problems as text instead of raising, so one run reports everything that is wrong
with a scenario, and the same code serves pytest (``tests/conformance``) and ``tinkc conformance``::

    result = run_scenario(load_scenario_file(path), command, api)
    if not result.passed:
        print(result.explain())
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs
import yaml

from tinkc.backends.base import DriverCommand
from tinkc.ir import nodes as ir
from tinkc.mock import ScenarioError, running_mock

# Every wait the SDK makes by the manifest's numbers is scaled by this (retry and polling scenarios
# take milliseconds); single-request HTTP timeouts are not.
TIME_SCALE = 0.001
DEFAULT_KEY = "tml-conformance"
DRIVER_TIMEOUT = 120  # seconds for one scenario's driver run; a hang fails the scenario
STDERR_TAIL = 3000  # characters of a failing driver's stderr shown


@attrs.frozen
class Scenario:
    """A scenario file, parsed. ``manifest`` names its fixture (``tinker``: the bundled manifest)."""

    name: str
    path: Path
    data: Mapping[str, Any]

    @property
    def manifest(self) -> str:
        return str(self.data.get("manifest", "tinker"))


@attrs.frozen
class ScenarioResult:
    scenario: str
    problems: tuple[str, ...]
    stderr: str = ""
    # what the mock recorded, in arrival order (the requests of a run the driver finished), for
    # comparisons beyond the wire rules (tests/conformance/test_real_sdk_wire.py)
    requests: tuple[dict[str, Any], ...] = ()

    @property
    def passed(self) -> bool:
        return not self.problems

    def explain(self) -> str:
        """The problems, one per line, then the tail of the driver's stderr."""
        lines = list(self.problems)
        if self.problems and self.stderr.strip():
            lines.append("driver stderr (tail):\n" + self.stderr[-STDERR_TAIL:].rstrip())
        return "\n".join(lines)


class ScenarioFileError(Exception):
    """A scenario file that cannot be read or is not a mapping with `calls`."""


def load_scenario_file(path: Path) -> Scenario:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ScenarioFileError(f"{path}: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("calls"), list):
        raise ScenarioFileError(f"{path}: a scenario is a mapping with a `calls` list (docs/conformance.md)")
    return Scenario(name=path.stem, path=path, data=data)


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


def driver_request(scenario: Scenario, mock_url: str) -> tuple[dict[str, Any], dict[str, str]]:
    """The JSON the driver reads on stdin, and the extra environment of its process."""
    data = scenario.data
    request = {
        "base_url": data.get("base_url", "${mock}"),
        "control_url": mock_url,
        "api_key": data.get("api_key", DEFAULT_KEY),
        "time_scale": TIME_SCALE,
        "timeout_sec": data.get("timeout_sec"),
        "environment": data.get("environment"),  # a named environment chosen by argument
        "calls": expand(data["calls"]),
    }
    env = {k: str(v) for k, v in (data.get("env") or {}).items()}
    return substitute(request, mock_url), substitute(env, mock_url)


def check_outcome(expected: Mapping[str, Any], actual: Mapping[str, Any]) -> list[str]:
    """What is wrong with one call's outcome (nothing: it is as the scenario expects)."""
    problems = []
    if "queue_states" in expected and actual.get("queue_states", []) != expected["queue_states"]:
        problems.append(f"queue_states {actual.get('queue_states', [])!r}, expected {expected['queue_states']!r}")
    if expected.get("ok", "error" not in expected):
        if not actual.get("ok"):
            return [*problems, f"expected success, got {actual!r}"]
        if "result" in expected and not matches(expected["result"], actual.get("result")):
            problems.append(f"result {actual.get('result')!r} does not match {expected['result']!r}")
        if "result_prefix" in expected and not str(actual.get("result")).startswith(expected["result_prefix"]):
            problems.append(f"result {actual.get('result')!r} does not start with {expected['result_prefix']!r}")
        return problems
    if actual.get("error") != expected["error"]:
        return [*problems, f"expected error {expected['error']!r}, got {actual!r}"]
    for key in ("status", "category", "request_id"):
        if key in expected and actual.get(key) != expected[key]:
            problems.append(f"{key} {actual.get(key)!r}, expected {expected[key]!r} ({actual!r})")
    # a status error's response headers (`x-` ones, lower-case names), as a raw response shows them
    if "headers" in expected and not matches(expected["headers"], actual.get("headers")):
        problems.append(f"headers {actual.get('headers')!r} do not match {expected['headers']!r}")
    return problems


# In a `body` wire rule: the key must not be in the request body.
ABSENT = "$absent"


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
    return {eid for f in api.features.values() for param, eid in f.endpoint_uses() if param in ("endpoint", "heartbeat_endpoint")}


def startup_endpoints(api: ir.Api) -> set[str]:
    """Endpoints a client family fetches before its first request (server_config): a sequence that
    names none of them is checked without them, so that it says what the calls send."""
    return {eid for f in api.features.values() if isinstance(f.params, ir.ServerConfig) for eid in f.params.endpoints}


# The keys of an endpoint's wire rule and of one `in_order` entry (docs/conformance.md): a key
# outside these is a mistake in the scenario, reported as a problem instead of checking nothing.
ENDPOINT_RULE_KEYS = frozenset(
    {
        "endpoint", "count", "min_count", "query", "path_params", "header", "header_prefix", "header_values",
        "same_idempotency_key", "distinct_idempotency_keys", "body_exact", "body_fields", "body_values", "body",
        "in_order", "min_gap_ms",
    }
)  # fmt: skip
NTH_REQUEST_KEYS = frozenset({"path", "query", "body"})


def check_wire(rule: Mapping[str, Any], mock: Any, background: set[str], startup: set[str] | None = None) -> list[str]:
    """What is wrong with the requests the mock saw, by one wire rule of docs/conformance.md."""
    if "endpoint" in rule:
        unknown = sorted(set(rule) - ENDPOINT_RULE_KEYS) + sorted(
            {k for want in rule.get("in_order") or [] for k in want} - NTH_REQUEST_KEYS
        )
        if unknown:
            return [f"wire rule of {rule['endpoint']}: unknown key(s) {unknown} (docs/conformance.md lists the rules)"]
    if "sequence" in rule:
        wanted = rule["sequence"]
        skipped = background | ((startup or set()) - set(wanted))
        seen = [r["endpoint"] for r in mock.requests() if r["endpoint"] is not None and r["endpoint"] not in skipped]
        return [] if seen[: len(wanted)] == wanted else [f"sequence {seen!r} does not start with {wanted!r}"]
    if "sequences_ok" in rule:
        # the mock checks every counter the manifest declares a start or an order for
        report = mock.sequence_report()
        problems = [f"sequence violation: {v!r}" for v in report["violations"][:10]]
        if len(report["violations"]) > 10:
            problems.append(f"... {len(report['violations'])} violations in all")
        if report["checked"] < rule["sequences_ok"]:
            problems.append(f"{report['checked']} counter-carrying requests checked, expected at least {rule['sequences_ok']}")
        return problems
    if "max_in_flight" in rule:
        stats = mock.stats()
        return [] if stats["max_in_flight"] <= rule["max_in_flight"] else [f"max_in_flight: {stats!r} exceeds {rule['max_in_flight']}"]
    endpoint = rule["endpoint"]
    records = mock.requests(endpoint)
    problems = []
    summary = [(r["method"], r["path"]) for r in records]
    if "count" in rule and len(records) != rule["count"]:
        problems.append(f"{endpoint}: {len(records)} requests, expected {rule['count']}: {summary}")
    if "min_count" in rule and len(records) < rule["min_count"]:
        problems.append(f"{endpoint}: {len(records)} requests, expected at least {rule['min_count']}: {summary}")
    for key, want in (rule.get("query") or {}).items():
        if not all(str(r["query"].get(key)) == want for r in records):
            problems.append(f"{endpoint}: query {key}={want!r} expected in every request: {[r['query'] for r in records]}")
    for key, want in (rule.get("path_params") or {}).items():
        if not all(r["path_params"].get(key) == want for r in records):
            problems.append(f"{endpoint}: path parameter {key}={want!r} expected: {[r['path_params'] for r in records]}")
    for key, want in (rule.get("header") or {}).items():
        if not all(r["headers"].get(key.lower()) == want for r in records):
            problems.append(f"{endpoint}: header {key}: {want!r} expected: {[r['headers'] for r in records]}")
    for key, prefix in (rule.get("header_prefix") or {}).items():
        if not all(str(r["headers"].get(key.lower())).startswith(prefix) for r in records):
            problems.append(f"{endpoint}: header {key} starting with {prefix!r} expected: {[r['headers'] for r in records]}")
    for key, want in (rule.get("header_values") or {}).items():
        seen = [r["headers"].get(key.lower()) for r in records]
        if seen != want:
            problems.append(f"{endpoint}: header {key} values {seen!r}, expected {want!r} (request by request)")
    if rule.get("same_idempotency_key"):
        keys = {r["headers"].get("x-idempotency-key") for r in records}
        if len(keys) != 1 or None in keys:
            problems.append(f"{endpoint}: one idempotency key expected on every request, saw {keys!r}")
        idempotency = mock.idempotency()
        if not all(v["executions"] <= 1 for v in idempotency["keys"].values()):
            problems.append(f"{endpoint}: a request was executed more than once: {idempotency!r}")
    if "distinct_idempotency_keys" in rule and rule["distinct_idempotency_keys"]:
        # every request a new call (a backpressure resend), not a retry of a lost one
        sent = [r["headers"].get("x-idempotency-key") for r in records]
        if None in sent or len(set(sent)) != len(sent):
            problems.append(f"{endpoint}: a distinct idempotency key expected on every request, saw {sent!r}")
    if "body_exact" in rule:  # (`body:` checks values at dotted paths, below)
        bodies = [r["body"] for r in records]
        if not records or any(b != rule["body_exact"] for b in bodies):
            problems.append(f"{endpoint}: every body expected to be exactly {rule['body_exact']!r}, saw {bodies!r}")
    if "body_fields" in rule:
        bodies = [r["body"] for r in records]
        wrong = [b for b in bodies if not isinstance(b, dict) or any(k not in b or b[k] != v for k, v in rule["body_fields"].items())]
        if not records or wrong:
            problems.append(f"{endpoint}: every body expected to hold {rule['body_fields']!r}, saw {bodies!r}")
    if "body_values" in rule:
        spec = rule["body_values"]
        found = [v for r in records for v in values_at(r["body"], spec["path"].split("."))]
        missing = [v for v in spec["includes"] if v not in found]
        if missing:
            problems.append(f"{endpoint}: body {spec['path']}: {missing} not among {found}")
    for path, want in (rule.get("body") or {}).items():
        # one value per request at a dotted path; `$absent`: the key is not in the body at all (an
        # optional field left out is not the same as one sent as null)
        at = [values_at(r["body"], path.split(".")) for r in records]
        ok = all(found == [] if want == ABSENT else found == [want] for found in at)
        if not records or not ok:
            shown = ["absent" if not found else found[0] for found in at]
            problems.append(f"{endpoint}: body {path} = {want!r} expected in every request, saw {shown}")
    for number, want in enumerate(rule.get("in_order") or [], 1):
        problems.extend(_check_nth(endpoint, records, number, want))
    if "min_gap_ms" in rule:
        times = [r["received_ms"] for r in records]
        gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
        if not all(g >= rule["min_gap_ms"] for g in gaps):
            problems.append(f"{endpoint}: gaps {gaps} ms, expected at least {rule['min_gap_ms']} ms")
    return problems


def _check_nth(endpoint: str, records: list[dict[str, Any]], number: int, want: Mapping[str, Any]) -> list[str]:
    """The `number`-th request of an endpoint (`in_order` rule): its path, these query values (as
    text) and these body values (dotted paths; `null` = absent)."""
    if number > len(records):
        return [f"{endpoint}: no request {number} (saw {len(records)})"]
    record = records[number - 1]
    problems = []
    if "path" in want and record["path"] != want["path"]:
        problems.append(f"{endpoint}: request {number} path {record['path']!r}, expected {want['path']!r}")
    for key, value in (want.get("query") or {}).items():
        got = record["query"].get(key)
        if (None if got is None else str(got)) != (None if value is None else str(value)):
            problems.append(f"{endpoint}: request {number} query {key}={got!r}, expected {value!r}")
    for dotted, value in (want.get("body") or {}).items():
        found = values_at(record["body"], dotted.split("."))
        got = found[0] if found else None
        if got != value:
            problems.append(f"{endpoint}: request {number} body {dotted}={got!r}, expected {value!r}")
    return problems


def _start_driver(command: DriverCommand, request: Mapping[str, Any], env: Mapping[str, str]) -> subprocess.Popen[str]:
    """Start the driver with the request as its stdin (a file, so it is all there at once). The
    harness's own TINKER_* variables are dropped: a scenario states the environment it means."""
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


def _parse_outcomes(stdout: str) -> tuple[list[dict[str, Any]], list[str]]:
    outcomes, problems = [], []
    # lines end at "\n" only: JSON may hold U+2028/U+2029 (and str.splitlines would split there)
    for number, line in enumerate(stdout.split("\n"), 1):
        if not line.strip():
            continue
        try:
            outcome = json.loads(line)
        except json.JSONDecodeError:
            problems.append(f"driver stdout line {number} is not JSON: {line[:200]!r}")
            continue
        if not isinstance(outcome, dict):
            problems.append(f"driver stdout line {number} is not a JSON object: {line[:200]!r}")
            continue
        outcomes.append(outcome)
    return outcomes, problems


def run_scenario(scenario: Scenario, command: DriverCommand, api: ir.Api, *, timeout: float = DRIVER_TIMEOUT) -> ScenarioResult:
    """Run one scenario: a mock of ``api`` with the scenario's server script, the driver started by
    ``command``, then every outcome and wire rule checked."""
    with contextlib.ExitStack() as stack:
        try:
            mock = stack.enter_context(running_mock(api, scenario=scenario.data.get("server")))
        except ScenarioError as exc:
            return ScenarioResult(scenario.name, (f"the server script does not check: {exc}",))
        request, env = driver_request(scenario, mock.url)
        proc = _start_driver(command, request, env)
        try:
            stdout, stderr = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            _, stderr = proc.communicate()
            return ScenarioResult(scenario.name, (f"the driver did not finish within {timeout:g} s",), stderr)
        finally:
            if proc.poll() is None:  # interrupted (^C): never leave a driver behind
                proc.kill()
                proc.communicate()
        if proc.returncode != 0:
            return ScenarioResult(scenario.name, (f"the driver exited with status {proc.returncode}",), stderr)
        outcomes, problems = _parse_outcomes(stdout)
        calls = scenario.data["calls"]
        if len(outcomes) != len(calls):
            problems.append(f"{len(outcomes)} outcomes for {len(calls)} calls: {outcomes!r}")
        for number, (call, outcome) in enumerate(zip(calls, outcomes, strict=False), 1):
            for problem in check_outcome(substitute(call.get("expect", {"ok": True}), mock.url), outcome):
                problems.append(f"call {number} ({_describe(call)}): {problem}")
        background = background_endpoints(api)
        for rule in scenario.data.get("wire") or []:
            problems.extend(f"wire: {problem}" for problem in check_wire(rule, mock, background, startup_endpoints(api)))
        return ScenarioResult(scenario.name, tuple(problems), stderr, tuple(mock.requests()))


def _describe(call: Mapping[str, Any]) -> str:
    if "method" in call:
        return f"{call.get('client')}.{call['method']}"
    for key in ("open", "close", "wait_until", "helper", "alias", "chunker"):
        if key in call:
            return f"{key} {call[key]}"
    return "entry"
