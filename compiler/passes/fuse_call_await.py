"""Pass `fuse-call-await` (optimization): a `call` of a futures endpoint whose future only one
`await_future` step reads becomes one `call_await` step.

Before, a backend submits the request, keeps the request id in a variable, and polls it in a later
statement; after, it emits one "call and wait" (`_call_future`, `callFuture`, `call_future`), which
sends and polls exactly the same requests. The fused step takes the await's id, position, result
type and `after:`, and the call's target, receiver and arguments, so every binding that read the
await (`${result}`, `${steps.<await>}`) still does.

A pair is left alone when anything else reads the call's step (a binding, a receiver, an `after:`),
when the awaited type is not the future's result type, or when the call is not of an endpoint
(a called flow resolves its own futures).

Example: `create: call models.create` then `done: await_future CreateModelResponse` gives one step
`done: call_await models.create`.
"""

from __future__ import annotations

import attrs

from tinkc.diagnostics import Sink
from tinkc.ir import nodes as ir
from tinkc.ir.queries import step_reads
from tinkc.passes.base import Pass, rewrite_flows
from tinkc.passes.flow_dependencies import layer_steps


def _readers(flow: ir.Flow, step_id: str) -> list[str]:
    """The steps that read ``step_id`` in any way."""
    return [s.id for s in flow.steps if step_id in step_reads(s)]


def _fusable(api: ir.Api, flow: ir.Flow, call: ir.Step) -> ir.Step | None:
    """The await step ``call`` can be fused with, if any."""
    if call.kind != "call" or call.target_kind != "endpoint":
        return None
    ep = api.endpoints.get(call.target or "")
    if ep is None or api.future_feature(ep) is None or not isinstance(call.result_type, ir.FutureT):
        return None
    readers = _readers(flow, call.id)
    if len(readers) != 1:
        return None
    waiter = flow.step(readers[0])
    if waiter is None or waiter.kind != "await_future" or waiter.awaits != call.id:
        return None
    if waiter.result_type != call.result_type.result:
        return None
    return waiter


def fuse(api: ir.Api, flow: ir.Flow) -> ir.Flow:
    pairs = {}
    for step in flow.steps:
        waiter = _fusable(api, flow, step)
        if waiter is not None:
            pairs[waiter.id] = step
    if not pairs:
        return flow
    fused_calls = {c.id for c in pairs.values()}
    steps = []
    for step in flow.steps:
        if step.id in fused_calls:
            continue
        call = pairs.get(step.id)
        if call is None:
            steps.append(step)
            continue
        steps.append(
            attrs.evolve(
                step,
                kind="call_await",
                target=call.target,
                target_kind=call.target_kind,
                written_target=call.written_target,
                args=call.args,
                receiver=call.receiver,
                on=call.on,
                awaits=None,
                after=tuple(dict.fromkeys((*call.after, *step.after))),
            )
        )
    return layer_steps(attrs.evolve(flow, steps=tuple(steps)))


def run(api: ir.Api, sink: Sink) -> ir.Api:
    return rewrite_flows(api, fuse)


PASS = Pass(name="fuse-call-await", kind="optimization", run=run, doc=__doc__ or "")
