"""The usage examples every SDK's README shows, decided once from the plan: for each client, how a
user gets one (a root client is constructed; a derived one comes from the method of its parent
that builds it, with argument values) and which of its methods to call with which values. Values
are type-driven samples, so every README's snippets are programs that run (the tests run them
against `tinkc mock`). A method whose required arguments have no sample (records, maps, bytes,
`any`) is not shown; a client that cannot be reached that way has no example.
"""

from __future__ import annotations

from typing import Any

import attrs

from tinkc.ir import nodes as ir
from tinkc.sdk.plan import SdkPlan

MAX_CALLS = 2  # methods shown per client


@attrs.frozen(kw_only=True)
class ExampleCall:
    method: str  # the neutral method name (each backend spells it)
    kind: str  # "endpoint" or "flow"
    args: tuple[tuple[str, Any], ...]  # (neutral parameter name, JSON sample) of the required ones


@attrs.frozen(kw_only=True)
class ClientExample:
    client: str
    # how to get one: None for a root client (constructed); else the chain of builder calls from a
    # root client, each (client it is called on, the call)
    path: tuple[tuple[str, ExampleCall], ...]
    root: str  # the root client the chain starts from (the client itself when constructed)
    calls: tuple[ExampleCall, ...]


class _NoSample(Exception):
    """A type without a literal sample every SDK can write the same way."""


def sample(api: ir.Api, t: ir.TypeRef | None, name: str, depth: int = 0) -> Any:
    """A JSON value of type `t` for a parameter called `name`."""
    if t is None or depth > 8:
        raise _NoSample
    if isinstance(t, ir.Prim):
        if t.name == "string":
            return f"{name}-1"
        if t.name == "int":
            return 1
        if t.name == "float":
            return 0.5
        if t.name == "bool":
            return True
        raise _NoSample
    if isinstance(t, ir.Nullable):
        return sample(api, t.inner, name, depth + 1)
    if isinstance(t, ir.Lit):
        return t.value
    if isinstance(t, ir.ListT):
        return [sample(api, t.item, name, depth + 1)]
    if isinstance(t, ir.Ref):
        decl = api.types.get(t.name)
        if isinstance(decl, ir.Enum):
            return decl.values[0].value
        if isinstance(decl, ir.Alias):
            return sample(api, decl.target, name, depth + 1)
    raise _NoSample


def _call(plan: SdkPlan, m: Any) -> ExampleCall | None:
    api = plan.api
    try:
        if m.kind == "endpoint":
            ep = plan.endpoint(m.target)
            args = tuple((p.name, sample(api, p.type, p.name)) for p in ep.params if p.required)
        else:
            flow = plan.flow(m.target)
            args = tuple((i.name, sample(api, i.type, i.name)) for i in flow.inputs if i.required)
    except _NoSample:
        return None
    return ExampleCall(method=m.name, kind=m.kind, args=args)


def _builders(plan: SdkPlan) -> dict[str, tuple[str, Any]]:
    """Each derived client's first builder: (parent client, method) whose flow returns it."""
    out: dict[str, tuple[str, Any]] = {}
    for client in plan.clients.values():
        for m in client.methods:
            if m.kind != "flow":
                continue
            flow = plan.flow(m.target)
            if flow.returns == "client" and isinstance(flow.result, ir.ClientT) and flow.result.client not in out:
                out[flow.result.client] = (client.id, m)
    return out


def client_examples(plan: SdkPlan) -> dict[str, ClientExample]:
    builders = _builders(plan)
    out: dict[str, ClientExample] = {}
    for client in plan.clients.values():
        path: list[tuple[str, ExampleCall]] = []
        current, seen, ok = client.id, {client.id}, True
        while plan.clients[current].built_by_flow:
            found = builders.get(current)
            call = _call(plan, found[1]) if found is not None else None
            if found is None or call is None or found[0] in seen:
                ok = False
                break
            path.insert(0, (found[0], call))
            current = found[0]
            seen.add(current)
        if not ok:
            continue
        calls: list[ExampleCall] = []
        # endpoints first (they show the API), then flows that do not build a client
        ordered = [m for m in client.methods if m.kind == "endpoint"] + [
            m for m in client.methods if m.kind == "flow" and plan.flow(m.target).returns != "client"
        ]
        for m in ordered:
            if m.deprecated:
                continue
            call = _call(plan, m)
            if call is not None:
                calls.append(call)
            if len(calls) == MAX_CALLS:
                break
        out[client.id] = ClientExample(client=client.id, path=tuple(path), root=current, calls=tuple(calls))
    return out
