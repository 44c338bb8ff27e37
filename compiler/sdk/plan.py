"""The SDK plan: every decision the SDKs must agree on, made once from the optimized IR.

A backend renders the plan; it never re-derives what the plan says (which arguments an endpoint
takes and in what order, what goes on the wire when an argument is left out, whether a call
answers a value, nothing, a redirect or a server-side future, which flow steps need a variable,
which client a step runs on). Three SDKs that behave differently are then a bug of the plan or of
one runtime, not of three emitters each reading the IR its own way.

The plan is plain frozen data, computed by :func:`plan_api` and the same whichever targets are
built (a property test holds it to that). Names in the plan are the manifest's neutral names; each
target's symbol provider turns them into identifiers.

Example::

    >>> from tinkc.pipeline import compile_manifest, bundled_manifest
    >>> plan = plan_api(compile_manifest(bundled_manifest()).api)
    >>> ep = plan.endpoint("training.forward_backward")
    >>> ep.call_mode, [(p.name, p.location, p.absent) for p in ep.params][-1]
    ('future', ('seq_id', 'body', 'omit'))
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Literal

import attrs

from tinkc.ir import nodes as ir
from tinkc.ir.queries import find_client, step_binds, type_refs
from tinkc.ir.types import base_type

Location = Literal["path", "query", "body", "body_whole"]
# What goes on the wire when the caller leaves an argument out: nothing (the key is omitted), or
# the declared default. One rule for every SDK: an absent optional field is never sent as `null`.
Absent = Literal["required", "omit", "default"]
# How a call answers: the decoded response, nothing (no response body), the `Location` of a
# redirect, or a server-side future that is polled until it resolves (to the response type, or to
# nothing when the endpoint declares no response body: the call still waits for the server).
ResponseKind = Literal["value", "empty", "redirect", "future"]


@attrs.frozen(kw_only=True)
class Param:
    """One argument of an endpoint method: where it goes and what happens when it is left out."""

    name: str  # the manifest's name (a flow step's argument names it so)
    wire: str  # the key on the wire (path variable, query parameter, body field)
    location: Location
    type: ir.TypeRef
    required: bool  # the caller must give it (positional in Elixir, no default elsewhere)
    nullable: bool  # `null` is a value the caller may give (sent as null)
    absent: Absent
    default: Any = None  # frozen JSON; meaningful when ``absent == "default"``
    raw: bool = False  # a path parameter inserted unescaped (`{+name}`)
    doc: str | None = None
    deprecated: bool = False


@attrs.frozen(kw_only=True)
class Body:
    """How the request body is built: none, a record from the body parameters (plus its constant
    fields, always sent), or one whole value (a request type that is not a record)."""

    kind: Literal["none", "record", "whole"]
    type: ir.TypeRef | None = None
    record: str | None = None  # the record's id when ``kind == "record"``
    constants: tuple[tuple[str, Any], ...] = ()  # (wire name, value): literal tags with their value


@attrs.frozen(kw_only=True)
class Retry:
    """A retry policy as every runtime applies it (retry_policy feature)."""

    feature: str
    max_retries: int
    statuses: tuple[tuple[int, int], ...]
    on_connection_error: bool
    on_timeout: bool
    base_ms: int
    max_ms: int
    jitter: float
    retry_after_max_ms: int
    should_retry_header: str | None = None  # "true" retries (any status), "false" never


# The exceptions of `retry_policy.exceptions` that mean "the request timed out" (every SDK maps its
# own timeout errors to these); anything else listed is a connection failure only by its own name.
TIMEOUT_EXCEPTIONS = ("connection_timeout", "timeout", "read_timeout")


@attrs.frozen(kw_only=True)
class Runtime:
    """The features an endpoint's calls go through, as runtime units (ids of feature instances; the
    instances' parameters are in :attr:`SdkPlan.features`)."""

    retry: Retry | None = None
    backpressure: str | None = None
    handler: str | None = None
    futures: str | None = None
    idempotency_header: str | None = None
    idempotency_prefix: str = ""
    headers: tuple[tuple[str, str], ...] = ()  # fixed headers: the service's, then the endpoint's
    poll_timeout_ms: int | None = None  # set on a futures retrieve endpoint: its polls' timeout
    request_type: str | None = None  # a futures endpoint's request type, sent with each poll of its futures


@attrs.frozen(kw_only=True)
class EndpointPlan:
    id: str
    group: str
    name: str
    method: str
    path: str  # RFC 6570 template, literal text already percent-encoded
    params: tuple[Param, ...]  # the one order: path, required body, required query, optional body, optional query
    body: Body
    response: ResponseKind
    response_type: ir.TypeRef | None  # the decoded value (the future's result for futures)
    runtime: Runtime
    doc: str | None = None
    deprecated: bool = False

    @property
    def call_mode(self) -> Literal["direct", "future"]:
        """``future``: the method submits at once and answers a handle on the server-side
        future's result (Python sync: an ``APIFuture``, ``.result()`` waits; Python async: a
        coroutine; Elixir: ``{:ok, Task}``; TypeScript: a Promise); ``direct`` otherwise."""
        return "future" if self.response == "future" else "direct"

    def located(self, location: Location) -> tuple[Param, ...]:
        return tuple(p for p in self.params if p.location == location)

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)


# -- flows ----------------------------------------------------------------------------------------

StepMode = Literal[
    "call",  # an endpoint called and answered as its response kind says (futures: submitted and polled)
    "submit",  # a futures endpoint whose handle a later `await` step polls
    "await",  # polls the future a `submit` step got
    "pass",  # awaits what a called flow answered: already resolved inside that flow
    "call_flow",
    "build_client",
    "return",
]


@attrs.frozen(kw_only=True)
class Receiver:
    """The client a step runs on: the flow's own (`self`), a sibling client of the same session,
    the client a previous step built, or one a binding names."""

    kind: Literal["self", "sibling", "step", "bind"]
    client: str | None  # the client's id, when known
    step: str | None = None
    bind: ir.Bind | None = None


@attrs.frozen(kw_only=True)
class StepArg:
    name: str  # the endpoint parameter, flow input or client state field it fills
    value: ir.Value
    expected: ir.TypeRef | None  # the type the target declares for it
    location: Location | Literal["input", "state"]
    wire: str  # the wire name (query parameters: the one the request carries)


@attrs.frozen(kw_only=True)
class StepPlan:
    id: str
    mode: StepMode
    endpoint: str | None = None  # call / submit
    flow: str | None = None  # call_flow
    client: str | None = None  # build_client: the client built
    receiver: Receiver | None = None  # call / submit / call_flow
    args: tuple[StepArg, ...] = ()
    awaits: str | None = None  # await / pass: the step whose future it waits for
    result_type: ir.TypeRef | None = None
    variable: bool = False  # a later step (or the flow's result) reads what it answers
    returned: ir.Value | None = None  # return: the value
    # call / submit on another client (a `client.method` step): the name (neutral) of the receiver
    # client's endpoint method it calls, which answers as the endpoint does (a future resolved)
    method: str | None = None


@attrs.frozen(kw_only=True)
class FlowInputPlan:
    name: str
    type: ir.TypeRef | None
    required: bool
    has_default: bool = False
    default: Any = None
    doc: str | None = None


@attrs.frozen(kw_only=True)
class FlowPlan:
    id: str
    client: str | None
    method: str | None  # the method name the flow is bound to on its client (neutral)
    inputs: tuple[FlowInputPlan, ...]  # required first, then in declared order
    steps: tuple[StepPlan, ...]
    stages: tuple[tuple[str, ...], ...]  # steps of one stage run concurrently
    result: ir.TypeRef | None
    returns: Literal["nothing", "value", "client", "future"]
    result_step: str | None  # the step whose value the flow answers
    doc: str | None = None
    deprecated: bool = False

    def step(self, step_id: str) -> StepPlan:
        return next(s for s in self.steps if s.id == step_id)


# -- clients, types, service ----------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class MethodPlan:
    name: str
    kind: Literal["endpoint", "flow"]
    target: str
    doc: str | None = None  # the method's own doc (the endpoint's or flow's is on its plan)
    deprecated: bool = False


@attrs.frozen(kw_only=True)
class ClientPlan:
    id: str
    module: str | None
    display_name: str
    methods: tuple[MethodPlan, ...]
    state: tuple[ir.StateField, ...]
    builds: tuple[str, ...]  # the clients its flows build (derived clients)
    built_by_flow: bool  # some flow builds this client (a derived client)
    stateful: bool  # holds what every call shares and updates: counters, or the session id
    doc: str | None = None


@attrs.frozen(kw_only=True)
class TypePlan:
    id: str
    decl: ir.TypeDecl
    references: tuple[str, ...]  # the declared types it names, in order, without repeats


@attrs.frozen(kw_only=True)
class SessionPlan:
    feature: str
    create_endpoint: str
    heartbeat_endpoint: str | None
    heartbeat_in_path: bool
    session_id_field: str
    params: ir.SessionLifecycle


@attrs.frozen(kw_only=True)
class SdkPlan:
    api: ir.Api  # the optimized IR the plan was made from (types and features are read from it)
    service: ir.Service
    endpoints: dict[str, EndpointPlan]
    flows: dict[str, FlowPlan]
    clients: dict[str, ClientPlan]
    types: tuple[TypePlan, ...]  # declaration order a runtime needs: referenced before referencing
    features: dict[str, ir.Feature]
    retries: dict[str, Retry]  # every retry_policy instance, used by an endpoint or not
    session: SessionPlan | None
    telemetry: str | None  # the service-wide telemetry feature's id
    max_connections: int | None  # the largest retry-handler bound, when some handler has one

    def endpoint(self, eid: str) -> EndpointPlan:
        return self.endpoints[eid]

    def flow(self, fid: str) -> FlowPlan:
        return self.flows[fid]


# -- making the plan ------------------------------------------------------------------------------


def _constant(f: ir.Field) -> bool:
    """A literal field with its value as default (a request's `type` tag): always sent, never an
    argument."""
    return isinstance(f.type, ir.Lit) and f.has_default


def _absent(required: bool, has_default: bool) -> Absent:
    if required:
        return "required"
    return "default" if has_default else "omit"


def endpoint_params(api: ir.Api, ep: ir.Endpoint) -> tuple[tuple[Param, ...], Body]:
    path = [
        Param(
            name=p.name, wire=p.name, location="path", type=p.type, required=True, nullable=False, absent="required", raw=p.raw, doc=p.doc
        )
        for p in ep.path_params
    ]
    body_params: list[Param] = []
    record = api.record(ep.request)
    if record is not None:
        body = Body(
            kind="record",
            type=ep.request,
            record=record.id,
            constants=tuple((f.json_name, f.default) for f in record.fields if _constant(f)),
        )
        for f in record.fields:
            if _constant(f):
                continue
            body_params.append(
                Param(
                    name=f.name,
                    wire=f.json_name,
                    location="body",
                    type=f.type,
                    required=f.required,
                    nullable=base_type(api, f.type)[1],
                    absent=_absent(f.required, f.has_default),
                    default=f.default,
                    doc=f.doc,
                    deprecated=f.deprecated,
                )
            )
    elif ep.request is not None:
        body = Body(kind="whole", type=ep.request)
        body_params.append(
            Param(name="body", wire="body", location="body_whole", type=ep.request, required=True, nullable=False, absent="required")
        )
    else:
        body = Body(kind="none")
    query = [
        Param(
            name=q.name,
            wire=q.wire_name or q.name,
            location="query",
            type=q.type,
            required=q.required and not q.has_default,
            nullable=base_type(api, q.type)[1],
            absent=_absent(q.required and not q.has_default, q.has_default),
            default=q.default,
            doc=q.doc,
        )
        for q in ep.query
    ]
    ordered = (
        path
        + [p for p in body_params if p.required]
        + [p for p in query if p.required]
        + [p for p in body_params if not p.required]
        + [p for p in query if not p.required]
    )
    return tuple(ordered), body


def _retry(feat: ir.Feature) -> Retry:
    p = feat.params
    assert isinstance(p, ir.RetryPolicy)
    return Retry(
        feature=feat.id,
        max_retries=p.max_retries,
        statuses=tuple((r.lo, r.hi) for r in p.statuses),
        on_connection_error="connection_error" in p.exceptions,
        on_timeout=any(e in p.exceptions for e in TIMEOUT_EXCEPTIONS),
        base_ms=p.backoff.base_ms,
        max_ms=p.backoff.max_ms,
        jitter=p.backoff.jitter,
        retry_after_max_ms=p.retry_after_max_ms,
        should_retry_header=p.should_retry_header,
    )


def _first(api: ir.Api, ep: ir.Endpoint, kind: str) -> ir.Feature | None:
    found = api.endpoint_features(ep, kind)
    return found[0] if found else None


def plan_endpoint(api: ir.Api, ep: ir.Endpoint, poll_timeouts: dict[str, int]) -> EndpointPlan:
    params, body = endpoint_params(api, ep)
    futures = api.future_feature(ep)
    response: ResponseKind
    if ep.response_handler == "redirect_location":
        response = "redirect"
    elif futures is not None:
        response = "future"
    elif ep.response is None:
        response = "empty"
    else:
        response = "value"
    retry = _first(api, ep, "retry_policy")
    backpressure = _first(api, ep, "sampling_backpressure")
    handler = _first(api, ep, "retry_handler")
    key = api.idempotency_key(ep)
    runtime = Runtime(
        retry=_retry(retry) if retry is not None else None,
        backpressure=backpressure.id if backpressure is not None else None,
        handler=handler.id if handler is not None else None,
        futures=futures.id if futures is not None and response == "future" else None,
        idempotency_header=key.header if key is not None else None,
        idempotency_prefix=key.prefix if key is not None else "",
        headers=tuple((h.name, h.value) for h in api.request_headers(ep)),
        poll_timeout_ms=poll_timeouts.get(ep.id),
        request_type=futures.params.request_type(ep.id) if futures is not None and isinstance(futures.params, ir.PromiseResult) else None,
    )
    return EndpointPlan(
        id=ep.id,
        group=ep.group,
        name=ep.name,
        method=ep.method,
        path=ep.uri_template,
        params=params,
        body=body,
        response=response,
        response_type=ep.response if response in ("value", "future") else None,
        runtime=runtime,
        doc=ep.doc,
        deprecated=ep.deprecated,
    )


def _method_of(api: ir.Api, flow: ir.Flow) -> str | None:
    client = api.clients.get(flow.client or "")
    if client is None:
        return None
    for m in client.methods:
        if m.kind == "flow" and m.target == flow.id:
            return m.name
    return flow.id


def _receiver(api: ir.Api, flow: ir.Flow, step: ir.Step) -> Receiver:
    if step.receiver.startswith("step:"):
        built = flow.step(step.receiver[5:])
        return Receiver(kind="step", client=built.target if built is not None else None, step=step.receiver[5:])
    if step.receiver == "bind" and step.on is not None:
        t = base_type(api, step.on.type)[0] if step.on.type is not None else None
        return Receiver(kind="bind", client=t.client if isinstance(t, ir.ClientT) else None, bind=step.on)
    if step.receiver == "sibling":
        owner: str | None = None
        if step.target_kind == "flow" and step.target in api.flows:
            owner = api.flows[step.target].client
        else:
            head = step.written_target.rpartition(".")[0]
            found = find_client(api, head) if head else None
            owner = found.id if found is not None else None
        return Receiver(kind="sibling", client=owner)
    return Receiver(kind="self", client=flow.client)


def _method_called(api: ir.Api, step: ir.Step, receiver: Receiver) -> str | None:
    """The endpoint method of another client a step calls by its written name (`c.method`)."""
    client = api.clients.get(receiver.client or "") if receiver.kind != "self" else None
    if client is None:
        return None
    name = step.written_target.rpartition(".")[2]
    for m in client.methods:
        if m.kind == "endpoint" and m.target == step.target and m.name == name:
            return m.name
    return None


def _step_args(api: ir.Api, step: ir.Step, endpoints: dict[str, EndpointPlan]) -> tuple[StepArg, ...]:
    out: list[StepArg] = []
    if step.target_kind == "endpoint" and step.target in endpoints:
        ep = endpoints[step.target]
        for a in step.args:
            p = ep.param(a.name)
            if p is not None:
                out.append(StepArg(name=a.name, value=a.value, expected=p.type, location=p.location, wire=p.wire))
    elif step.target_kind == "flow" and step.target in api.flows:
        inputs = {i.name: i for i in api.flows[step.target].inputs}
        for a in step.args:
            i = inputs.get(a.name)
            out.append(StepArg(name=a.name, value=a.value, expected=i.type if i else None, location="input", wire=a.name))
    elif step.kind == "build_client":
        client = api.clients.get(step.target or "")
        state = {s.name: s for s in client.state} if client else {}
        for a in step.args:
            s = state.get(a.name)
            out.append(StepArg(name=a.name, value=a.value, expected=s.type if s else None, location="state", wire=a.name))
    return tuple(out)


def _variables(flow: ir.Flow) -> set[str]:
    """The steps whose answer a later step or the flow's result reads: only they are bound to a
    variable (an await reads its call's handle; awaiting a called flow's result passes it on)."""
    used: set[str] = {b.step for s in flow.steps for b in step_binds(s) if b.step}
    used |= {s.receiver[5:] for s in flow.steps if s.receiver.startswith("step:")}
    if flow.steps and flow.result is not None:
        used.add(flow.steps[-1].id)
    for s in reversed(flow.steps):
        call = flow.step(s.awaits) if s.awaits else None
        if call is not None and (call.target_kind == "endpoint" or s.id in used):
            used.add(call.id)
    return used


def _resolves_to_nothing(ep: EndpointPlan) -> bool:
    return ep.response == "future" and ep.response_type is None


def plan_flow(api: ir.Api, flow: ir.Flow, endpoints: dict[str, EndpointPlan]) -> FlowPlan:
    awaited = {s.awaits for s in flow.steps if s.kind == "await_future" and s.awaits}
    # Steps that answer nothing: a call of an endpoint without a response body — a future of one
    # included (polled to its end, it resolves to nothing) — that no later step awaits, and the
    # await of such a call. They get no result type, and no variable unless a binding reads them.
    silent_calls = {
        s.id
        for s in flow.steps
        if s.kind in ("call", "call_await")
        and s.target_kind == "endpoint"
        and (endpoints[s.target or ""].response == "empty" or _resolves_to_nothing(endpoints[s.target or ""]))
    }
    silent = (silent_calls - awaited) | {s.id for s in flow.steps if s.kind == "await_future" and s.awaits in silent_calls}
    # (a `return` of such a step answers nothing too: it keeps no variable alive)
    bound = {b.step for s in flow.steps if s.kind != "return" for b in step_binds(s) if b.step}
    variables = _variables(flow) - (silent - bound)
    steps: list[StepPlan] = []
    for s in flow.steps:
        result_type = None if s.id in silent else s.result_type
        common: dict[str, Any] = {"id": s.id, "result_type": result_type, "variable": s.id in variables}
        if s.kind in ("call", "call_await") and s.target_kind == "endpoint":
            ep = endpoints[s.target or ""]
            # a futures call a later step awaits only submits; any other call (a fused call_await,
            # or one nobody awaits) is answered as its endpoint answers: futures polled to the end
            mode: StepMode = "submit" if ep.response == "future" and s.id in awaited and s.kind == "call" else "call"
            receiver = _receiver(api, flow, s)
            steps.append(
                StepPlan(
                    **common,
                    mode=mode,
                    endpoint=ep.id,
                    receiver=receiver,
                    args=_step_args(api, s, endpoints),
                    method=_method_called(api, s, receiver),
                )
            )
        elif s.kind in ("call", "call_await") and s.target_kind == "flow":
            steps.append(
                StepPlan(**common, mode="call_flow", flow=s.target, receiver=_receiver(api, flow, s), args=_step_args(api, s, endpoints))
            )
        elif s.kind == "await_future":
            call = flow.step(s.awaits or "")
            mode = "pass" if call is not None and call.target_kind == "flow" else "await"
            steps.append(StepPlan(**common, mode=mode, awaits=s.awaits))
        elif s.kind == "build_client":
            steps.append(StepPlan(**common, mode="build_client", client=s.target, args=_step_args(api, s, endpoints)))
        elif s.kind == "return":
            steps.append(StepPlan(**common, mode="return", returned=s.args[0].value if s.args else None))
    result = flow.result
    last = flow.steps[-1].id if flow.steps else None
    if last is not None and last in silent:
        result = None  # the flow ends on a step that answers nothing: so does the flow
    returns: Literal["nothing", "value", "client", "future"]
    if result is None:
        returns = "nothing"
    elif isinstance(result, ir.FutureT):
        returns = "future"
    elif isinstance(result, ir.ClientT):
        returns = "client"
    else:
        returns = "value"
    if returns == "nothing":  # what a `return` names is then nothing either: no SDK reads it
        steps = [attrs.evolve(s, returned=None) if s.mode == "return" else s for s in steps]
    inputs = tuple(
        FlowInputPlan(name=i.name, type=i.type, required=i.required, has_default=i.has_default, default=i.default, doc=i.doc)
        for i in sorted(flow.inputs, key=lambda i: not i.required)
    )
    return FlowPlan(
        id=flow.id,
        client=flow.client,
        method=_method_of(api, flow),
        inputs=inputs,
        steps=tuple(steps),
        stages=flow.stages,
        result=result,
        returns=returns,
        result_step=last if result is not None else None,
        doc=flow.doc,
        deprecated=flow.deprecated,
    )


def _session(api: ir.Api) -> SessionPlan | None:
    feat = api.service_feature(ir.SessionLifecycle)
    if feat is None or not isinstance(feat.params, ir.SessionLifecycle):
        return None
    p = feat.params
    return SessionPlan(
        feature=feat.id,
        create_endpoint=p.create_endpoint,
        heartbeat_endpoint=p.heartbeat_endpoint,
        heartbeat_in_path=api.heartbeat_in_path(p),
        session_id_field=p.session_id_field,
        params=p,
    )


def _stateful(api: ir.Api, client: ir.Client, session: SessionPlan | None) -> bool:
    """A client holds shared, updated state when it has counters, or when its flows read the
    session id (which the session lifecycle creates and every call of the session shares)."""
    if any(s.counter for s in client.state):
        return True
    if session is None:
        return False
    for m in client.methods:
        flow = api.flows.get(m.target) if m.kind == "flow" else None
        for step in flow.steps if flow else ():
            if any(b.source == "state" and b.path and b.path[0] == session.session_id_field for b in step_binds(step)):
                return True
    return False


def _type_order(api: ir.Api) -> tuple[TypePlan, ...]:
    """Declarations with what they name first (a depth-first post-order from the sorted ids), so a
    runtime that needs a name defined before use (Python type aliases, TypeScript consts) can follow
    it; records that refer to each other are cycles the target resolves lazily."""
    refs: dict[str, tuple[str, ...]] = {}
    for tid, decl in api.types.items():
        names: list[str] = []
        if isinstance(decl, ir.Record):
            for f in decl.fields:
                names.extend(r.name for r in type_refs(f.type))
        elif isinstance(decl, ir.Union_):
            names.extend(v.type for v in decl.variants)
        elif isinstance(decl, ir.Alias):
            names.extend(r.name for r in type_refs(decl.target))
        refs[tid] = tuple(dict.fromkeys(n for n in names if n in api.types))
    order: list[str] = []
    state: dict[str, int] = {}
    for root in api.types:
        stack: list[tuple[str, Iterator[str]]] = [(root, iter(refs[root]))] if root not in state else []
        if stack:
            state[root] = 1
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                state[node] = 2
                order.append(node)
            elif child not in state:
                state[child] = 1
                stack.append((child, iter(refs[child])))
    return tuple(TypePlan(id=t, decl=api.types[t], references=refs[t]) for t in order)


def plan_api(api: ir.Api) -> SdkPlan:
    """The plan of an optimized, valid IR."""
    poll_timeouts = {
        f.params.retrieve_endpoint: f.params.poll_timeout_ms for f in api.features.values() if isinstance(f.params, ir.PromiseResult)
    }
    endpoints = {eid: plan_endpoint(api, ep, poll_timeouts) for eid, ep in api.endpoints.items()}
    flows = {fid: plan_flow(api, flow, endpoints) for fid, flow in api.flows.items()}
    session = _session(api)
    builds_of: dict[str, set[str]] = {}
    built: set[str] = set()
    for flow in api.flows.values():
        for s in flow.steps:
            if s.kind == "build_client" and s.target:
                built.add(s.target)
                builds_of.setdefault(flow.client or "", set()).add(s.target)
    clients = {
        cid: ClientPlan(
            id=cid,
            module=c.module,
            display_name=c.display_name,
            methods=tuple(
                MethodPlan(
                    name=m.name,
                    kind="endpoint" if m.kind == "endpoint" else "flow",
                    target=m.target,
                    doc=m.doc,
                    deprecated=_target_deprecated(api, m),
                )
                for m in c.methods
                if (m.kind == "endpoint" and m.target in api.endpoints) or (m.kind == "flow" and m.target in api.flows)
            ),
            state=c.state,
            builds=tuple(sorted(builds_of.get(cid, ()))),
            built_by_flow=cid in built,
            stateful=_stateful(api, c, session),
            doc=c.doc,
        )
        for cid, c in api.clients.items()
    }
    telemetry = api.service_feature(ir.Telemetry)
    bounds = [f.params.max_connections for f in api.features.values() if isinstance(f.params, ir.RetryHandler)]
    return SdkPlan(
        api=api,
        service=api.service,
        endpoints=endpoints,
        flows=flows,
        clients=clients,
        types=_type_order(api),
        features=dict(api.features),
        retries={fid: _retry(f) for fid, f in api.features.items() if isinstance(f.params, ir.RetryPolicy)},
        session=session,
        telemetry=telemetry.id if telemetry is not None else None,
        max_connections=max(bounds) if bounds else None,
    )


def _target_deprecated(api: ir.Api, m: ir.Method) -> bool:
    if m.kind == "endpoint":
        return api.endpoints[m.target].deprecated
    return api.flows[m.target].deprecated


# One plan per IR object: every backend of one build reads the same plan, computed once.
_CACHE: dict[int, tuple[ir.Api, SdkPlan]] = {}


def plan_of(api: ir.Api) -> SdkPlan:
    """The plan of ``api``, computed once however many backends ask for it in one build."""
    hit = _CACHE.get(id(api))
    if hit is not None and hit[0] is api:
        return hit[1]
    plan = plan_api(api)
    _CACHE.clear()  # one build at a time: keep only the latest IR alive
    _CACHE[id(api)] = (api, plan)
    return plan
