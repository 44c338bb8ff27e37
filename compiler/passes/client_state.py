"""Pass `client-state`: what a client built from an awaited result carries, as the schema proposal
writes flows (`await_future: CreateModelResponse` then `build_client: TrainingClient`, no `with:`).

* **State from the awaited result.** A `build_client` step right after an `await_future: T` step
  (``T`` a record) fills every state field of the client that ``T`` has and the step does not give
  with `${result.<field>}`. A client without a `state:` declaration gets as state the fields of
  ``T`` its endpoints need: the required parameters of its endpoint methods that ``T`` has, with the
  same type (in ``T``'s field order). Two flows that would give such a client one field with two
  types are an error (`client.state-conflict`): declare `state:`.
* **State fills the parameters of the endpoints that needed it.** Each endpoint method of a client
  whose state was inferred so becomes a flow of the client (`<client>_<method>`, visible in
  `tinkc ir`) that calls the endpoint with those parameters read from the client's state and takes
  the others as its inputs: `TrainingClient.load_state(path)` sends the client's `model_id`. A
  call written `training.load_state` elsewhere (also an endpoint id) goes to that flow.

Every inference is written into the IR (state fields, `build_client` arguments, the synthesized
flows), so `tinkc ir` shows it; nothing is decided later by a backend.
"""

from __future__ import annotations

import attrs

from tinkc.diagnostics import Sink
from tinkc.frontend.grammars import format_type
from tinkc.ir import nodes as ir
from tinkc.ir.types import base_type
from tinkc.passes.base import Pass


def _required_params(api: ir.Api, ep: ir.Endpoint) -> list[tuple[str, ir.TypeRef]]:
    out = [(p.name, p.type) for p in ep.path_params]
    body = api.record(ep.request)
    if body is not None:
        out.extend((f.name, f.type) for f in body.fields if f.required)
    out.extend((q.name, q.type) for q in ep.query if q.required)
    return out


def _awaited_record(api: ir.Api, flow: ir.Flow, index: int) -> ir.Record | None:
    """The record a `build_client` step at ``index`` is built from: the type the step right before
    it awaits, when that step is an `await_future: T`."""
    if index == 0:
        return None
    prev = flow.steps[index - 1]
    if prev.kind != "await_future" or prev.expected is None:
        return None
    return api.record(base_type(api, prev.expected)[0])


def _same(api: ir.Api, a: ir.TypeRef, b: ir.TypeRef) -> bool:
    return base_type(api, a)[0] == base_type(api, b)[0]


def _infer_state(api: ir.Api, sink: Sink) -> dict[str, tuple[ir.StateField, ...]]:
    """The state of each client without a `state:` declaration that a flow builds from an awaited
    record: the record's fields its endpoint methods need."""
    inferred: dict[str, dict[str, ir.StateField]] = {}
    for flow in api.flows.values():
        for i, step in enumerate(flow.steps):
            client = api.clients.get(step.target or "") if step.kind == "build_client" else None
            record = _awaited_record(api, flow, i) if client is not None else None
            if client is None or record is None or client.state:
                continue
            needed: dict[str, ir.TypeRef] = {}
            for m in client.methods:
                ep = api.endpoints.get(m.target) if m.kind == "endpoint" else None
                for name, t in _required_params(api, ep) if ep is not None else ():
                    needed.setdefault(name, t)
            fields = inferred.setdefault(client.id, {})
            for f in record.fields:
                if f.name not in needed or not _same(api, needed[f.name], f.type):
                    continue
                known = fields.get(f.name)
                if known is not None and not _same(api, known.type, f.type):
                    sink.error(
                        "client.state-conflict",
                        f"client `{client.id}` is built with state `{f.name}` as `{format_type(known.type)}` and as `{format_type(f.type)}`",
                        step.span,
                        hint=f"declare its state: `clients.{client.id}.state: {{{f.name}: <type>}}`",
                    )
                    continue
                fields.setdefault(f.name, ir.StateField(name=f.name, type=base_type(api, f.type)[0], doc=f.doc, span=f.span))
    return {cid: tuple(fields.values()) for cid, fields in inferred.items() if fields}


def _fill_build_args(api: ir.Api, flow: ir.Flow) -> ir.Flow:
    steps = list(flow.steps)
    changed = False
    for i, step in enumerate(steps):
        client = api.clients.get(step.target or "") if step.kind == "build_client" else None
        record = _awaited_record(api, flow, i) if client is not None else None
        if client is None or record is None:
            continue
        given = {a.name for a in step.args}
        extra = [
            ir.Arg(
                name=s.name,
                value=ir.Bind(source="result", path=(s.name,), text=f"${{result.{s.name}}}", span=step.span),
                span=step.span,
            )
            for s in client.state
            if not s.counter and s.name not in given and record.field(s.name) is not None
        ]
        if extra:
            steps[i] = attrs.evolve(step, args=(*step.args, *extra))
            changed = True
    return attrs.evolve(flow, steps=tuple(steps)) if changed else flow


def _state_flows(api: ir.Api, client: ir.Client, taken: set[str]) -> tuple[ir.Client, dict[str, ir.Flow]]:
    """The endpoint methods of ``client`` that take a parameter its (inferred) state holds, as
    flows that read it from the state."""
    state = {s.name for s in client.state}
    methods = []
    flows: dict[str, ir.Flow] = {}
    for m in client.methods:
        ep = api.endpoints.get(m.target) if m.kind == "endpoint" else None
        filled = [name for name, _ in _required_params(api, ep)] if ep is not None else []
        if ep is None or not any(name in state for name in filled):
            methods.append(m)
            continue
        fid = f"{client.id}_{m.name}"
        while fid in taken:
            fid += "_"
        taken.add(fid)
        args = []
        inputs = []
        body = api.record(ep.request)
        params: list[tuple[str, ir.TypeRef, bool, bool, object]] = [(p.name, p.type, True, False, None) for p in ep.path_params]
        if body is not None:
            params.extend(
                (f.name, f.type, f.required, f.has_default, f.default)
                for f in body.fields
                if not (isinstance(f.type, ir.Lit) and f.has_default) and f.name not in {p.name for p in ep.path_params}
            )
        params.extend((q.name, q.type, q.required, q.has_default, q.default) for q in ep.query)
        for name, t, required, has_default, default in params:
            if name in state:
                args.append(ir.Arg(name=name, value=ir.Bind(source="state", path=(name,), text=f"${{state.{name}}}", span=m.span)))
                continue
            args.append(ir.Arg(name=name, value=ir.Bind(source="input", path=(name,), text=f"${{input.{name}}}", span=m.span)))
            # an input a caller may leave out: optional (`T?`), or with the parameter's default
            typ = t if required or has_default or isinstance(t, ir.Nullable) else ir.Nullable(inner=t)
            inputs.append(ir.FlowInput(name=name, type=typ, declared=True, has_default=has_default, default=default, span=m.span))
        step = ir.Step(id="step1", kind="call", target=ep.id, target_kind="endpoint", written_target=ep.id, args=tuple(args), span=m.span)
        flows[fid] = ir.Flow(id=fid, client=client.id, steps=(step,), inputs=tuple(inputs), doc=m.doc or ep.doc, span=m.span)
        methods.append(attrs.evolve(m, kind="flow", target=fid))
    return attrs.evolve(client, methods=tuple(methods)), flows


def state_flow(api: ir.Api, caller: str | None, written: str) -> str | None:
    """The flow a call written `client.method` goes to when that spelling is also an endpoint id
    and the method of that client (not the caller's own) is the flow this pass made of the
    endpoint: its id, else None."""
    head, _, name = written.rpartition(".")
    client = api.clients.get(head)
    method = client.method(name) if client is not None and client.id != caller else None
    made = api.flows.get(method.target) if method is not None and method.kind == "flow" else None
    if made is not None and made.client == head and any(s.target == written for s in made.steps):
        return made.id
    return None


def run(api: ir.Api, sink: Sink) -> ir.Api:
    inferred = _infer_state(api, sink)
    clients = dict(api.clients)
    flows = dict(api.flows)
    for cid, state in inferred.items():
        clients[cid] = attrs.evolve(clients[cid], state=state)
    api = attrs.evolve(api, clients=clients)
    taken = set(flows)
    for cid in inferred:
        clients[cid], made = _state_flows(api, clients[cid], taken)
        flows.update(made)
    api = attrs.evolve(api, clients=clients, flows=dict(sorted(flows.items())))
    # a call written `training.load_state` now goes to the flow made of that endpoint method (as
    # `flow-calls` resolves it from here on), so the bindings check that flow before its callers
    return attrs.evolve(api, flows={k: _retarget(api, _fill_build_args(api, f)) for k, f in api.flows.items()})


def _retarget(api: ir.Api, flow: ir.Flow) -> ir.Flow:
    steps = []
    for step in flow.steps:
        made = state_flow(api, flow.client, step.written_target) if step.kind == "call" and step.target_kind == "endpoint" else None
        steps.append(attrs.evolve(step, target=made, target_kind="flow") if made is not None else step)
    return attrs.evolve(flow, steps=tuple(steps)) if steps != list(flow.steps) else flow


PASS = Pass(name="client-state", kind="validation", run=run, doc=__doc__ or "")
