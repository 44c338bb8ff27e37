"""The real Tinker SDK against `tinkc mock`, and its requests against the generated SDKs' (issue 15).

The real `tinker==0.38.0` from PyPI is installed into a venv of its own (created on first use,
cached under ``~/.cache/tinkc/tinker-0.38.0``, or where ``TINKC_REAL_TINKER_VENV`` says), runs a
fixed set of JSON operations against the mock (server capabilities, create a LoRA model, an
optim_step, REST lists of training runs and checkpoints), and must succeed: the mock serves the
real SDK. Then each generated SDK (Python, TypeScript, Elixir) runs the same operations through its
conformance driver, and the two request sequences are compared: endpoints in order, query, body,
and the headers that carry meaning (not those that name the SDK, its platform or its retry count).

Every difference fails the test unless the allow-list below names it, with the reason. The list
is explicit and checked both ways: an entry that no longer matches anything fails too, so a fixed
difference is taken off the list.
"""

from __future__ import annotations

import difflib
import json
import os
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tinkc.backends import registry
from tinkc.backends.base import DriverCommand
from tinkc.conformance import has_driver, run_scenario
from tinkc.conformance.harness import Scenario, background_endpoints
from tinkc.conformance.runner import DriverPool
from tinkc.ir import nodes as ir
from tinkc.mock import running_mock
from tinkc.pipeline import bundled_manifest, compile_manifest

pytestmark = [pytest.mark.conformance, pytest.mark.toolchain]  # needs PyPI (pip) and every SDK's toolchain

REAL_VERSION = "0.38.0"
KEY = "tml-real-sdk-wire"
BASE_MODEL = "Qwen/Qwen3-8B"
# Futures resolve at the first poll, so both sides poll each future the same number of times.
SERVER = {"futures": {"*": {"pending_polls": 0}}}

# The same operations, once as a script for the real SDK and once as a conformance scenario.
REAL_SCRIPT = textwrap.dedent(
    f"""
    import sys

    import tinker
    from tinker import types

    base_url = sys.argv[1]
    rest = tinker.RestClient(base_url=base_url, api_key={KEY!r})
    rest.get_server_capabilities().result()
    rest.list_training_runs().result()
    rest.list_checkpoints("run-1").result()
    service = tinker.ServiceClient(base_url=base_url, api_key={KEY!r})
    training = service.create_lora_training_client(base_model={BASE_MODEL!r}, rank=8)
    training = training.result() if hasattr(training, "result") else training
    training.optim_step(types.AdamParams(learning_rate=0.0001)).result()
    print("ok")
    """
)
SCENARIO = {
    "env": {"TINKER_TELEMETRY": "0"},
    "server": SERVER,
    "calls": [
        {"open": "rest", "as": "r"},
        {"client": "r", "method": "get_server_capabilities"},
        {"client": "r", "method": "list_training_runs"},
        {"client": "r", "method": "list_checkpoints", "args": {"training_run_id": "run-1"}},
        {"close": "r"},
        {"open": "service", "as": "svc"},
        {
            "client": "svc",
            "method": "create_lora_training_client",
            "args": {"base_model": BASE_MODEL, "lora_config": {"rank": 8}},
            "as": "trainer",
        },
        {"client": "trainer", "method": "optim_step", "args": {"adam_params": {"learning_rate": 0.0001}}},
        {"close": "svc"},
    ],
}

# Headers that carry meaning on the wire; the others name the SDK (user agent, platform, retry
# count, timeouts) or are random per request (the idempotency key: only whether one is sent counts).
SEMANTIC_HEADERS = ("x-tinker-request-type", "x-tinker-request-iteration", "x-tinker-sampling-backpressure")
IDEMPOTENCY_HEADER = "x-idempotency-key"

ALL = frozenset({"python", "typescript", "elixir"})

# What still differs, and why. Each entry: the SDKs it holds for, the kind of difference, the
# endpoint, the body path or header (when the kind has one), and the reason. An entry that matches
# nothing in a run of one of its SDKs fails the test (the difference was fixed: remove the entry).
ALLOWED: list[dict[str, Any]] = []


# -- the real SDK -----------------------------------------------------------------------------------


def real_python() -> Path:
    """The Python of a venv holding tinker==0.38.0, made (pip from PyPI) when missing."""
    default = Path.home() / ".cache" / "tinkc" / f"tinker-{REAL_VERSION}"
    venv = Path(os.environ.get("TINKC_REAL_TINKER_VENV") or default)
    python = venv / "bin" / "python"
    if _tinker_version(python) == REAL_VERSION:
        return python
    venv.parent.mkdir(parents=True, exist_ok=True)
    # built beside its place and renamed into it, so that a run interrupted half-way leaves nothing
    # that looks installed, and two runs at once do not install into one directory
    with tempfile.TemporaryDirectory(dir=venv.parent, prefix=f".{venv.name}-") as scratch:
        staging = Path(scratch) / "venv"
        subprocess.run([sys.executable, "-m", "venv", str(staging)], check=True, timeout=300)
        subprocess.run(
            [str(staging / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", f"tinker=={REAL_VERSION}"],
            check=True,
            timeout=1200,
        )
        if _tinker_version(python) != REAL_VERSION:
            if venv.exists():
                subprocess.run(["rm", "-rf", str(venv)], check=True)
            staging.rename(venv)
    assert _tinker_version(python) == REAL_VERSION, f"tinker {REAL_VERSION} did not install into {venv}"
    return python


def _tinker_version(python: Path) -> str | None:
    if not python.exists():
        return None
    probe = subprocess.run(
        [str(python), "-c", "import importlib.metadata as m; print(m.version('tinker'))"], capture_output=True, text=True, check=False
    )
    return probe.stdout.strip() if probe.returncode == 0 else None


@pytest.fixture(scope="module")
def api() -> ir.Api:
    result = compile_manifest(bundled_manifest())
    assert result.api is not None
    return result.api


@pytest.fixture(scope="module")
def real_requests(api: ir.Api) -> list[dict[str, Any]]:
    python = real_python()
    with running_mock(api, scenario=SERVER) as mock:
        env = {k: v for k, v in os.environ.items() if not k.startswith("TINKER_")}
        proc = subprocess.run(
            [str(python), "-c", REAL_SCRIPT, mock.url],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
            env={**env, "TINKER_TELEMETRY": "0"},
        )
        assert proc.returncode == 0 and proc.stdout.strip().endswith("ok"), f"the real SDK failed against the mock:\n{proc.stderr[-4000:]}"
        return mock.requests()


# -- the generated SDKs ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def drivers(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], tuple[ir.Api, DriverCommand]]:
    pools: dict[str, DriverPool] = {}

    def get(target: str) -> tuple[ir.Api, DriverCommand]:
        if target not in pools:
            backend = registry.available()[target].load()()
            pools[target] = DriverPool(backend, Path("unused"), tmp_path_factory.mktemp(f"real-wire-{target}"))
        return pools[target].get("tinker")

    return get


# -- comparing --------------------------------------------------------------------------------------


def wire_view(requests: list[dict[str, Any]], background: set[str]) -> list[dict[str, Any]]:
    """The requests as the comparison sees them: in order, without the ones the SDK sends on its own
    schedule (heartbeats, telemetry), strings the server handed out earlier (ids) replaced by a
    placeholder, and only the headers that carry meaning."""
    served: set[str] = set()
    out = []
    for r in requests:
        if r["endpoint"] is None or r["endpoint"] in background:
            continue
        headers = {h: r["headers"][h] for h in SEMANTIC_HEADERS if h in r["headers"]}
        if r["method"] != "GET":
            headers[IDEMPOTENCY_HEADER] = "present" if IDEMPOTENCY_HEADER in r["headers"] else "absent"
        out.append(
            {
                "endpoint": r["endpoint"],
                "method": r["method"],
                "path": _placeholders(r["path"], served),
                "query": _placeholders(r["query"], served),
                "body": _placeholders(r["body"], served),
                "headers": headers,
            }
        )
        response = r.get("response") or {}
        served.update(_strings(response.get("body")))
    return out


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def _placeholders(value: Any, served: set[str]) -> Any:
    if isinstance(value, str):
        parts = [s for s in served if s and s in value and len(s) > 3]
        for s in sorted(parts, key=len, reverse=True):
            value = value.replace(s, "<server>")
        return value
    if isinstance(value, dict):
        return {k: _placeholders(v, served) for k, v in value.items()}
    if isinstance(value, list):
        return [_placeholders(v, served) for v in value]
    return value


def differences(real: list[dict[str, Any]], sdk: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What the SDK sends differently from the real SDK: requests missing or extra (aligned by
    endpoint, in order), and for aligned requests their path, query, body and header differences."""
    out: list[dict[str, Any]] = []
    matcher = difflib.SequenceMatcher(a=[r["endpoint"] for r in real], b=[r["endpoint"] for r in sdk], autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            for a, b in zip(real[i1:i2], sdk[j1:j2], strict=True):
                out.extend(_request_differences(a, b))
            continue
        out.extend({"kind": "missing", "endpoint": r["endpoint"], "detail": r} for r in real[i1:i2])
        out.extend({"kind": "extra", "endpoint": r["endpoint"], "detail": r} for r in sdk[j1:j2])
    return out


def _request_differences(real: dict[str, Any], sdk: dict[str, Any]) -> Iterator[dict[str, Any]]:
    endpoint = real["endpoint"]
    for part in ("method", "path"):
        if real[part] != sdk[part]:
            yield {"kind": part, "endpoint": endpoint, "detail": {"real": real[part], "sdk": sdk[part]}}
    for name in sorted(set(real["query"]) | set(sdk["query"])):
        if real["query"].get(name) != sdk["query"].get(name):
            yield {
                "kind": "query",
                "endpoint": endpoint,
                "path": name,
                "detail": {"real": real["query"].get(name), "sdk": sdk["query"].get(name)},
            }
    yield from _body_differences(endpoint, "", real["body"], sdk["body"])
    for name in sorted(set(real["headers"]) | set(sdk["headers"])):
        if real["headers"].get(name) != sdk["headers"].get(name):
            yield {
                "kind": "header",
                "endpoint": endpoint,
                "path": name,
                "detail": {"real": real["headers"].get(name), "sdk": sdk["headers"].get(name)},
            }


def _body_differences(endpoint: str, path: str, real: Any, sdk: Any) -> Iterator[dict[str, Any]]:
    if isinstance(real, dict) and isinstance(sdk, dict):
        for key in sorted(set(real) | set(sdk)):
            sub = f"{path}.{key}" if path else key
            if key not in sdk:
                yield {"kind": "body_missing", "endpoint": endpoint, "path": sub, "detail": {"real": real[key]}}
            elif key not in real:
                yield {"kind": "body_extra", "endpoint": endpoint, "path": sub, "detail": {"sdk": sdk[key]}}
            else:
                yield from _body_differences(endpoint, sub, real[key], sdk[key])
    elif real != sdk or isinstance(real, bool) is not isinstance(sdk, bool):
        # JSON has one number type: JavaScript writes the float 0.0 as `0`, the same number (True ==
        # 1 in Python, hence the bool check)
        yield {"kind": "body_value", "endpoint": endpoint, "path": path or "(body)", "detail": {"real": real, "sdk": sdk}}


def allowed_by(diff: dict[str, Any], target: str) -> dict[str, Any] | None:
    for entry in ALLOWED:
        if (
            target in entry["sdks"]
            and entry["kind"] == diff["kind"]
            and entry["endpoint"] == diff["endpoint"]
            and entry.get("path") == diff.get("path")
        ):
            return entry
    return None


def show(diff: dict[str, Any]) -> str:
    where = f" {diff['path']}" if diff.get("path") else ""
    detail = diff["detail"]
    if diff["kind"] in ("missing", "extra"):
        detail = {k: detail[k] for k in ("method", "path", "body")}
    return f"{diff['kind']:<12} {diff['endpoint']}{where}: {json.dumps(detail, sort_keys=True)[:300]}"


# -- the tests --------------------------------------------------------------------------------------


def test_the_real_sdk_runs_against_the_mock(real_requests: list[dict[str, Any]], api: ir.Api) -> None:
    """Every JSON operation of the real SDK succeeded (the script checks each result) and reached
    the endpoints it should."""
    seen = [r["endpoint"] for r in wire_view(real_requests, background_endpoints(api))]
    for endpoint in ("service.get_server_capabilities", "training_runs.list", "checkpoints.list", "models.create", "training.optim_step"):
        assert endpoint in seen, seen
    assert all((r.get("response") or {}).get("status", 500) < 400 for r in real_requests), [
        (r["endpoint"], (r.get("response") or {}).get("status")) for r in real_requests
    ]


@pytest.mark.parametrize("target", sorted(ALL))
def test_the_generated_sdk_sends_what_the_real_one_sends(
    target: str, real_requests: list[dict[str, Any]], api: ir.Api, drivers: Callable[[str], tuple[ir.Api, DriverCommand]]
) -> None:
    backend_class = registry.available()[target].load()
    assert has_driver(backend_class)
    sdk_api, command = drivers(target)
    result = run_scenario(Scenario(name="real_sdk_wire", path=Path(__file__), data=SCENARIO), command, sdk_api)
    assert result.passed, result.explain()
    background = background_endpoints(api)
    diffs = differences(wire_view(real_requests, background), wire_view(list(result.requests), background))
    unexplained = [d for d in diffs if allowed_by(d, target) is None]
    used = {id(allowed_by(d, target)) for d in diffs}
    stale = [e for e in ALLOWED if target in e["sdks"] and id(e) not in used]
    report = "\n".join(
        [f"{target}: {len(diffs)} differences from tinker {REAL_VERSION}, {len(unexplained)} not on the allow-list"]
        + [("  ALLOWED  " if allowed_by(d, target) else "  UNEXPLAINED ") + show(d) for d in diffs]
        + [f"  STALE allow-list entry: {e}" for e in stale]
    )
    print(report)
    assert not unexplained and not stale, report
