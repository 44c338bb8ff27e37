"""The scenario of a drawn manifest: every client method called with generated arguments, faults
scripted from the mock's vocabulary where the manifest's features make them recoverable (and
sometimes where they do not), and the outcome the manifest determines as ``expect``.

The calls run in one driver process per SDK. A faulted call is preceded by a ``{scenario: ...}``
entry that loads its script and followed by one that clears it (an SDK that never sent the request
does not leave the fault to the next call). Outcomes the manifest does not determine (a generated
result's values, what a 204 or a redirect gives back in detail) carry no ``expect`` beyond the
error/ok kind where it is known; the runner compares them across the SDKs.
"""

from __future__ import annotations

from typing import Any

from diff_strategies import PATH_TEXT, RAW_PATH_TEXT, RETRIEVE, Endpoint, Unit, endpoint_args, values_of
from hypothesis import strategies as st


def retry_of(unit: Unit, ep: Endpoint) -> dict[str, Any] | None:
    for name in ep.features:
        f = unit.features.get(name)
        if f and f["type"] == "retry_policy":
            return f
    return None


def status_listed(statuses: list[Any], code: int) -> bool:
    for s in statuses:
        if isinstance(s, int) and s == code:
            return True
        if isinstance(s, str) and "-" in s:
            lo, hi = (int(x) for x in s.split("-"))
            if lo <= code <= hi:
                return True
    return False


def fault_calls(unit: Unit, ep: Endpoint, call: dict[str, Any], draw: st.DrawFn) -> list[dict[str, Any]]:
    """A faulted copy of ``call`` (with its script loaded before and cleared after), or nothing."""
    retry = retry_of(unit, ep)
    retries = retry["max_retries"] if retry else 0
    statuses = retry["retry_on"]["status"] if retry else []
    exceptions = retry["retry_on"].get("exceptions", []) if retry else []
    options = ["5xx", "429", "drop"]
    if ep.response is not None and ep.kind in ("plain", "paged"):
        options.append("malformed")
    if ep.kind == "future":
        options += ["poll_408", "poll_5xx", "future_error", "try_again"]
    kind = draw(st.sampled_from(options))
    server: dict[str, Any]
    if kind == "5xx":
        status = draw(st.sampled_from([500, 502, 503]))
        server = {"responses": {ep.id: [{"status": status}]}}
        ok = retries >= 1 and status_listed(statuses, status)
        expect: dict[str, Any] = {"ok": True} if ok else {"error": "server", "status": status}
    elif kind == "429":
        server = {"responses": {ep.id: [{"status": 429, "headers": {"Retry-After": "1"}}]}}
        ok = retries >= 1 and status_listed(statuses, 429)
        expect = {"ok": True} if ok else {"error": "rate_limit", "status": 429}
    elif kind == "drop":
        server = {"responses": {ep.id: [{"drop": True}]}}
        ok = retries >= 1 and "connection_error" in exceptions
        expect = {"ok": True} if ok else {"error": "connection"}
        if ok is False and exceptions:
            expect = {}  # connection_timeout alone: whether a dropped connection is one is the SDK's reading
    elif kind == "malformed":
        server = {"responses": {ep.id: [{"malformed": True}]}}
        expect = {"error": "response_validation"}
    elif kind == "poll_408":
        server = {"futures": {"*": {"pending_polls": 2, "pending_status": 408, "queue_states": ["paused_capacity"]}}}
        expect = {"ok": True}
    elif kind == "poll_5xx":
        server = {"responses": {RETRIEVE: [{"status": 503}]}, "futures": {"*": {"pending_polls": 1}}}
        expect = {"ok": True}
    elif kind == "try_again":
        server = {"futures": {"*": {"pending_polls": 3, "queue_states": ["active", "paused_rate_limit"], "queue_state_reason": "busy"}}}
        expect = {"ok": True}
    else:
        server = {"futures": {ep.id: {"error": "boom", "category": "user"}}}
        expect = {"error": "request_failed", "category": "user"}
    faulted = {**call, "expect": expect, "fault": kind}
    return [{"scenario": server}, faulted, {"scenario": {}}]


@st.composite
def flow_args(draw: st.DrawFn, unit: Unit, flow: dict[str, Any]) -> dict[str, Any]:
    args: dict[str, Any] = {}
    steps = flow["yaml"]["steps"]
    # which inputs feed path parameters (their values must make a path)
    path_inputs: dict[str, bool] = {}
    eps = {e.id: e for e in unit.endpoints}
    for step in steps:
        ep = eps.get(step.get("call", ""))
        if ep is None:
            continue
        for pname, _, raw in ep.path_params:
            value = (step.get("args") or {}).get(pname)
            if isinstance(value, str) and value.startswith("${input."):
                path_inputs[value[len("${input.") : -1]] = raw
    for name, f in flow["inputs"].items():
        if f.type[0] == "null" and draw(st.booleans()):
            continue
        if name in path_inputs and f.type == ("prim", "string"):
            args[name] = draw(RAW_PATH_TEXT if path_inputs[name] else PATH_TEXT)
        else:
            args[name] = draw(values_of(unit.types, f.type))
    return args


@st.composite
def derive(draw: st.DrawFn, units: list[Unit], manifest: dict[str, Any]) -> dict[str, Any]:
    calls: list[dict[str, Any]] = []
    for unit in units:
        client = f"{unit.prefix}c"
        methods = unit.client.get("methods", {})
        aliases = {spec["endpoint"]: name for name, spec in methods.items()}
        for ep in unit.endpoints:
            # an endpoint a `methods:` entry maps is that method only (no longer a resource method)
            method = aliases.get(ep.id, ep.method_name)
            args = draw(endpoint_args(ep, unit.types))
            call: dict[str, Any] = {"client": client, "method": method, "args": args}
            if draw(st.integers(0, 3)) == 0:
                call["async"] = True
            expect: dict[str, Any] = {"ok": True}
            if ep.kind == "redirect":
                expect["result_prefix"] = "http"
            call["expect"] = expect
            calls.append(call)
            if draw(st.integers(0, 2)) != 0:
                calls.extend(fault_calls(unit, ep, {**call, "args": draw(endpoint_args(ep, unit.types))}, draw))
        for name, flow in unit.flows.items():
            call = {"client": client, "method": name, "args": draw(flow_args(unit, flow)), "expect": {"ok": True}}
            if draw(st.integers(0, 3)) == 0:
                call["async"] = True
            if flow["result"] is not None and flow["result"][0] == "client":
                kept = f"{unit.prefix}k{len(calls)}"
                call["as"] = kept
                calls.append(call)
                sub = unit.clients_extra.get(flow["result"][1], {})
                for sub_flow in sub.get("flows", {}):
                    calls.append({"client": kept, "method": sub_flow, "args": {}, "expect": {"ok": True}})
                calls.append({"close": kept})
            else:
                calls.append(call)
    # `fault` says which fault a call meets (for the report); drivers ignore unknown keys
    return {"doc": "derived by tests/differential (docs/differential.md)", "calls": calls}
