"""The Elixir signature of every client function: which parameters are positional, which are
options, and what the function returns. Shared by the client emitter, the flow emitter and the
functions' metadata (`__methods__/0`, read by the conformance driver).

Positional: an endpoint's path parameters (template order), its required body fields and required
query parameters; a flow's inputs without a default that are not nullable. Everything else is an
option of the trailing `opts \\ []` keyword list (read with its declared default), which every
function has, as Tinkex's do: it also carries the per-call options (`:timeout`).
"""

from __future__ import annotations

from typing import Any

import attrs

from tinkc.backends.elixir import naming
from tinkc.ir import nodes as ir


@attrs.frozen
class Param:
    name: str  # the Elixir variable and option key
    wire: str  # the manifest's name (path parameter, body field, query wire name, flow input)
    type: ir.TypeRef | None
    where: str  # path | body | body_whole | query | input
    positional: bool
    has_default: bool = False
    default: Any = None
    doc: str | None = None


@attrs.frozen
class Signature:
    function: str  # the Elixir function name
    receiver: str  # the name of the first parameter (the client)
    params: tuple[Param, ...]
    kind: str  # sync: {:ok, value} | {:error, error}; task: {:ok, Task} (a future)

    @property
    def positional(self) -> tuple[Param, ...]:
        return tuple(p for p in self.params if p.positional)

    @property
    def options(self) -> tuple[Param, ...]:
        return tuple(p for p in self.params if not p.positional)

    def arity(self) -> int:
        """The arity with the trailing `opts` (every function also exists without it)."""
        return 2 + len(self.positional)


def constant(f: ir.Field) -> bool:
    """A literal field with its value as default (a request's `type` tag): never a parameter."""
    return isinstance(f.type, ir.Lit) and f.has_default


def unique(names: list[str], taken: set[str]) -> list[str]:
    out = []
    for name in names:
        candidate, n = name, 2
        while candidate in taken:
            candidate, n = f"{name}_{n}", n + 1
        taken.add(candidate)
        out.append(candidate)
    return out


def receiver_name(client: ir.Client, params: list[str]) -> str:
    base = naming.variable_name(client.id)
    return base if base not in params and base not in ("opts", "c") else f"{base}_client"


def endpoint_params(api: ir.Api, ep: ir.Endpoint) -> list[Param]:
    out: list[Param] = []
    for p in ep.path_params:
        out.append(Param(naming.variable_name(p.name), p.name, p.type, "path", True, doc=p.doc))
    body = api.record(ep.request)
    if body is not None:
        for f in body.fields:
            if constant(f):
                continue
            out.append(Param(naming.variable_name(f.name), f.name, f.type, "body", f.required, f.has_default, f.default, doc=f.doc))
    elif ep.request is not None:
        out.append(Param("body", "body", ep.request, "body_whole", True))
    for q in ep.query:
        positional = q.required and not q.has_default
        out.append(
            Param(naming.variable_name(q.name), q.wire_name or q.name, q.type, "query", positional, q.has_default, q.default, doc=q.doc)
        )
    names = unique([p.name for p in out], {"opts", "c"})
    return [attrs.evolve(p, name=n) for p, n in zip(out, names, strict=True)]


def endpoint_signature(api: ir.Api, client: ir.Client, name: str, ep: ir.Endpoint) -> Signature:
    params = endpoint_params(api, ep)
    kind = "task" if api.future_feature(ep) is not None and ep.response_handler is None and ep.response is not None else "sync"
    return Signature(naming.function_name(name), receiver_name(client, [p.name for p in params]), tuple(params), kind)


def flow_params(flow: ir.Flow) -> list[Param]:
    out = []
    for i in flow.inputs:
        out.append(Param(naming.variable_name(i.name), i.name, i.type, "input", i.required, i.has_default, i.default, doc=i.doc))
    names = unique([p.name for p in out], {"opts", "c"})
    return [attrs.evolve(p, name=n) for p, n in zip(out, names, strict=True)]


def flow_signature(api: ir.Api, client: ir.Client, name: str, flow: ir.Flow) -> Signature:
    params = flow_params(flow)
    kind = "task" if isinstance(flow.result, ir.FutureT) else "sync"
    return Signature(naming.function_name(name), receiver_name(client, [p.name for p in params]), tuple(params), kind)


def method_signature(api: ir.Api, client: ir.Client, method: ir.Method) -> Signature | None:
    if method.kind == "endpoint" and method.target in api.endpoints:
        return endpoint_signature(api, client, method.name, api.endpoints[method.target])
    if method.kind == "flow" and method.target in api.flows:
        return flow_signature(api, client, method.name, api.flows[method.target])
    return None


def flow_method(api: ir.Api, flow: ir.Flow) -> tuple[ir.Client, str] | None:
    """The client and function name a flow is bound to."""
    client = api.clients.get(flow.client or "")
    if client is None:
        return None
    for m in client.methods:
        if m.kind == "flow" and m.target == flow.id:
            return client, naming.function_name(m.name)
    return client, naming.function_name(flow.id)


def is_process(api: ir.Api, client: ir.Client) -> bool:
    """A client is a process when it holds something every call must share and update: counters,
    or the session (its flows read the session id, which the session lifecycle creates)."""
    if any(s.counter for s in client.state):
        return True
    field = session_id_field(api)
    if field is None:
        return False
    from tinkc.ir.queries import step_binds

    for m in client.methods:
        flow = api.flows.get(m.target) if m.kind == "flow" else None
        for step in flow.steps if flow else ():
            for b in step_binds(step):
                if b.source == "state" and b.path and b.path[0] == field:
                    return True
    return False


def session_id_field(api: ir.Api) -> str | None:
    feat = api.service_feature(ir.SessionLifecycle)
    return feat.params.session_id_field if feat is not None and isinstance(feat.params, ir.SessionLifecycle) else None


def build_targets(api: ir.Api) -> set[str]:
    """Clients some flow builds (their processes are temporary children of a supervisor)."""
    return {s.target for f in api.flows.values() for s in f.steps if s.kind == "build_client" and s.target}
