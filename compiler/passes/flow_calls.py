"""Pass `flow-calls`: what each flow step calls, and that flows calling flows never loop.

A `call:` names an endpoint id (`models.create`), a client method (`training.load_state`, where
the client is its key or the last segment of its module: `TrainingClient.load_state`) or a flow
(`create_lora_training_client`). A `build_client:` names a client the same two ways. The call
graph of flows must be acyclic; a cycle is reported once, spelled out: `a → b → a`.
"""

from __future__ import annotations

import graphlib

import attrs

from tinkc.diagnostics import Sink, did_you_mean
from tinkc.ir import nodes as ir
from tinkc.ir.queries import find_client, step_binds
from tinkc.passes.base import Pass
from tinkc.passes.client_state import state_flow


def _call_candidates(api: ir.Api) -> list[str]:
    out = [*api.endpoints, *api.flows]
    for c in api.clients.values():
        out.extend(f"{c.id}.{m.name}" for m in c.methods)
    return out


def _resolve_call(api: ir.Api, flow: ir.Flow, step: ir.Step, sink: Sink) -> ir.Step:
    written = step.written_target
    if written in api.endpoints:
        # (an endpoint method of another client that `client-state` made a flow reading parameters
        # from the client's state: the call, written `client.method`, is to that flow)
        made = state_flow(api, flow.client, written)
        if made is not None:
            return attrs.evolve(step, target=made, target_kind="flow")
        return attrs.evolve(step, target=written, target_kind="endpoint")
    head, _, method_name = written.rpartition(".")
    client = find_client(api, head) if head else None
    if client is not None:
        method = client.method(method_name)
        if method is None:
            sink.error(
                "ref.unknown-call-target",
                f"client `{client.id}` has no method `{method_name}`",
                step.span,
                hint=did_you_mean(method_name, [m.name for m in client.methods]),
            )
            return step
        table = api.endpoints if method.kind == "endpoint" else api.flows
        if method.target not in table:
            return step  # the method's own target is unknown: `references` reported it
        return attrs.evolve(step, target=method.target, target_kind=method.kind)
    if written in api.flows:
        return attrs.evolve(step, target=written, target_kind="flow")
    if any(api.is_unlowered(section, written) for section in ("endpoints", "flows")):
        return step
    sink.error(
        "ref.unknown-call-target",
        f"step `{step.id}` of flow `{flow.id}` calls `{written}`, which is neither an endpoint, a client method nor a flow",
        step.span,
        hint=did_you_mean(written, _call_candidates(api)),
    )
    return step


def _resolve_steps(api: ir.Api, flow: ir.Flow, sink: Sink) -> ir.Flow:
    steps = []
    earlier: list[str] = []
    for step in flow.steps:
        if step.kind in ("call", "call_await"):  # a fused call_await names its target as the call did
            step = _resolve_call(api, flow, step, sink)
            callee = api.flows.get(step.target or "") if step.target_kind == "flow" else None
            if callee is not None and callee.deprecated:
                # its SDK function warns when called (Python's DeprecationWarning, Elixir's compiler
                # warning on a remote call): the SDK's own code would warn on the user's behalf
                sink.error(
                    "flow.calls-deprecated",
                    f"step `{step.id}` of flow `{flow.id}` calls flow `{callee.id}`, which is deprecated",
                    step.span,
                    hint=f"call what `{callee.id}` calls instead, or do not deprecate it",
                )
        elif step.kind == "build_client":
            client = find_client(api, step.written_target)
            if client is None:
                names = [*api.clients, *(c.display_name for c in api.clients.values())]
                sink.error(
                    "ref.unknown-client",
                    f"`build_client` names unknown client `{step.written_target}`",
                    step.span,
                    hint=did_you_mean(step.written_target, names),
                )
            else:
                step = attrs.evolve(step, target=client.id, target_kind="client")
        for a in step.after:
            if a not in earlier:
                sink.error(
                    "flow.unknown-step",
                    f"`after` names `{a}`, which is not an earlier step of flow `{flow.id}`",
                    step.span,
                    hint=did_you_mean(a, earlier),
                )
        earlier.append(step.id)
        steps.append(step)
    return attrs.evolve(flow, steps=tuple(steps))


def flow_call_order(api: ir.Api) -> tuple[list[str], list[list[str]]]:
    """Flows in dependency order (callees first) and the cycles found (each as a closed path)."""
    calls = {f.id: sorted({s.target for s in f.steps if s.target_kind == "flow" and s.target in api.flows}) for f in api.flows.values()}
    cycles: list[list[str]] = []
    remaining = dict(calls)
    while True:
        try:
            order = list(graphlib.TopologicalSorter(remaining).static_order())
            return order, cycles
        except graphlib.CycleError as exc:
            cycle = list(exc.args[1])  # graphlib spells it in reverse call order; turn it around
            cycle.reverse()
            start = cycle.index(min(cycle[:-1]))  # start at the smallest name: deterministic
            cycle = cycle[start:-1] + cycle[:start] + [cycle[start]]
            cycles.append(cycle)
            for name in cycle[:-1]:
                remaining.pop(name, None)
            remaining = {k: [c for c in v if c in remaining] for k, v in remaining.items()}


def streams(api: ir.Api, step: ir.Step) -> bool:
    """The step calls a streaming endpoint (`stream:`): it answers the stream of its events."""
    ep = api.endpoints.get(step.target or "") if step.target_kind == "endpoint" else None
    return ep is not None and ep.stream is not None


def _check_streams(api: ir.Api, flow: ir.Flow, sink: Sink) -> None:
    """A stream is answered to the caller, never read by the SDK's own code: a step calling a
    streaming endpoint must be the flow's last one (the flow answers the stream), nothing may read
    it, the flow may not answer a task of it, and no flow may call a flow that answers one."""
    last = flow.steps[-1].id if flow.steps else None
    read = {b.step for s in flow.steps for b in step_binds(s) if b.step}
    for step in flow.steps:
        if step.kind not in ("call", "call_await"):
            continue
        if streams(api, step) and (step.id != last or step.id in read or step.kind != "call" or flow.task):
            sink.error(
                "flow.stream-not-last",
                f"step `{step.id}` of flow `{flow.id}` calls streaming endpoint `{step.target}`, but "
                + ("the flow answers a task" if flow.task and step.id == last else "is not the flow's answer"),
                step.span,
                hint="a stream is answered to the caller: make this call the flow's last step (no await, return or task)",
            )
        callee = api.flows.get(step.target or "") if step.target_kind == "flow" else None
        if callee is not None and callee.steps and streams(api, callee.steps[-1]):
            sink.error(
                "flow.stream-not-last",
                f"step `{step.id}` of flow `{flow.id}` calls flow `{callee.id}`, which answers a stream",
                step.span,
                hint=f"call the streaming endpoint `{callee.steps[-1].target}` as this flow's last step instead",
            )


def run(api: ir.Api, sink: Sink) -> ir.Api:
    api = attrs.evolve(api, flows={k: _resolve_steps(api, f, sink) for k, f in api.flows.items()})
    for flow in api.flows.values():
        _check_streams(api, flow, sink)
    _, cycles = flow_call_order(api)
    for cycle in cycles:
        first, second = cycle[0], cycle[1]
        step = next((s for s in api.flows[first].steps if s.target == second and s.target_kind == "flow"), None)
        sink.error(
            "flow.cycle",
            f"flows call each other in a cycle: {' → '.join(cycle)}",
            step.span if step else api.flows[first].span,
            hint="a flow may call other flows, but the calls must not loop",
        )
    return api


PASS = Pass(name="flow-calls", kind="validation", run=run, doc=__doc__ or "")
