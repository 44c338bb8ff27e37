"""The Elixir signature of every client function, rendered from the SDK plan: which parameters are
positional, which are options, and what the function returns. Shared by the client emitter, the
flow emitter, the README and the functions' metadata (`__methods__/0`, read by the conformance
driver).

Every decision comes from the plan (:mod:`tinkc.sdk.plan`): a parameter the plan calls required is
positional (an endpoint's path parameters, required body fields and query parameters, in the plan's
one order; a flow's required inputs); every other one is an option of the trailing `opts \\\\ []`
keyword list (read with its declared default), which every function has, as Tinkex's do: it also
carries the per-call options (`:timeout`). A call the plan answers as a server-side future
(`call_mode == "future"`, or a flow returning a future) answers `{:ok, Task}`. Only the Elixir
spelling is decided here: variable names, unique within a function.
"""

from __future__ import annotations

from typing import Any, Literal

import attrs

from tinkc.backends.elixir import symbols
from tinkc.ir import nodes as ir
from tinkc.sdk import ClientPlan, EndpointPlan, FlowPlan, MethodPlan, SdkPlan

Where = Literal["path", "query", "body", "body_whole", "input"]


@attrs.frozen
class Param:
    name: str  # the Elixir variable and option key
    wire: str  # the manifest's name (path parameter, body field, query parameter, flow input)
    type: ir.TypeRef | None
    where: Where
    positional: bool
    has_default: bool = False
    default: Any = None
    doc: str | None = None


@attrs.frozen
class Signature:
    function: str  # the Elixir function name
    receiver: str  # the name of the first parameter (the client)
    params: tuple[Param, ...]
    kind: Literal["sync", "task"]  # sync: {:ok, value} | {:error, error}; task: {:ok, Task} (a future)
    manifest: str = ""  # the method's manifest name (a scenario calls it by that name)

    @property
    def positional(self) -> tuple[Param, ...]:
        return tuple(p for p in self.params if p.positional)

    @property
    def options(self) -> tuple[Param, ...]:
        return tuple(p for p in self.params if not p.positional)

    def arity(self) -> int:
        """The arity with the trailing `opts` (every function also exists without it)."""
        return 2 + len(self.positional)


# Names every function body uses itself: the options and the client's handle.
TAKEN = frozenset({"opts", "c"})


def unique(names: list[str], taken: frozenset[str] | set[str]) -> list[str]:
    seen = set(taken)
    out = []
    for name in names:
        candidate, n = name, 2
        while candidate in seen:
            candidate, n = f"{name}_{n}", n + 1
        seen.add(candidate)
        out.append(candidate)
    return out


def receiver_name(client: ClientPlan, params: list[str]) -> str:
    base = symbols.variable_name(client.id)
    return base if base not in params and base not in TAKEN else f"{base}_client"


def endpoint_params(ep: EndpointPlan) -> list[Param]:
    """The plan's parameters, in its one order, as Elixir variables."""
    # (each made once, with its unique name: not made, then made again by attrs.evolve, ~260 an emit)
    names = unique([symbols.variable_name(p.name) for p in ep.params], TAKEN)
    return [
        Param(
            name=name,
            wire=p.name,
            type=p.type,
            where=p.location,
            positional=p.required,
            has_default=p.absent == "default",
            default=p.default,
            doc=p.doc,
        )
        for p, name in zip(ep.params, names, strict=True)
    ]


def endpoint_signature(client: ClientPlan, name: str, ep: EndpointPlan) -> Signature:
    params = endpoint_params(ep)
    kind: Literal["sync", "task"] = "task" if ep.call_mode == "future" else "sync"
    return Signature(symbols.function_name(name), receiver_name(client, [p.name for p in params]), tuple(params), kind, name)


def flow_params(flow: FlowPlan) -> list[Param]:
    names = unique([symbols.variable_name(i.name) for i in flow.inputs], TAKEN)
    return [
        Param(
            name=name,
            wire=i.name,
            type=i.type,
            where="input",
            positional=i.required,
            has_default=i.has_default,
            default=i.default,
            doc=i.doc,
        )
        for i, name in zip(flow.inputs, names, strict=True)
    ]


def flow_signature(client: ClientPlan, name: str, flow: FlowPlan) -> Signature:
    params = flow_params(flow)
    kind: Literal["sync", "task"] = "task" if flow.answers_task else "sync"
    return Signature(symbols.function_name(name), receiver_name(client, [p.name for p in params]), tuple(params), kind, name)


def method_signature(plan: SdkPlan, client: ClientPlan, method: MethodPlan) -> Signature:
    if method.kind == "endpoint":
        return endpoint_signature(client, method.name, plan.endpoint(method.target))
    sig = flow_signature(client, method.name, plan.flow(method.target))
    return attrs.evolve(sig, kind="sync") if method.value else sig


def flow_function(plan: SdkPlan, flow: FlowPlan) -> tuple[ClientPlan, Signature] | None:
    """The client a flow is bound to, and its function there."""
    client = plan.clients.get(flow.client or "")
    if client is None:
        return None
    return client, flow_signature(client, flow.method or flow.id, flow)
