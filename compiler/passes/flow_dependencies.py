"""Pass `flow-dependencies`: which steps wait for which, and which may run at the same time.

A step depends on the steps its bindings read (`${result}`, `${steps.x}`), the call it awaits,
the step that built its receiver, and the steps it names in `after:`. `build_client` and `return`
steps conclude a flow and wait for every earlier step. Steps are then layered into *stages*
(a topological layering, each stage in manifest order): the steps of one stage have no path between
them, so backends run them concurrently (asyncio.gather, Promise.all, Task.async_stream).

Example: `a: call x`, `b: call y` (no bindings between them), `c: call z(args from a and b)` gives
stages `[[a, b], [c]]`.
"""

from __future__ import annotations

import graphlib

import attrs

from tinkc.diagnostics import Sink
from tinkc.ir import nodes as ir
from tinkc.ir.queries import step_reads
from tinkc.passes.base import Pass


def layer_steps(flow: ir.Flow) -> ir.Flow:
    """The flow with each step's `depends_on` and the flow's `stages` computed from its steps (the
    optimizations that rewrite steps call it again)."""
    ids = [s.id for s in flow.steps]
    steps = []
    for index, step in enumerate(flow.steps):
        deps = step_reads(step)
        if step.kind in ("build_client", "return"):
            deps.update(ids[:index])
        ordered = tuple(i for i in ids[:index] if i in deps)  # manifest order, only earlier steps
        steps.append(attrs.evolve(step, depends_on=ordered))
    sorter = graphlib.TopologicalSorter({s.id: s.depends_on for s in steps})
    sorter.prepare()
    position = {sid: i for i, sid in enumerate(ids)}
    stages = []
    while sorter.is_active():
        ready = sorted(sorter.get_ready(), key=position.__getitem__)
        stages.append(tuple(ready))
        sorter.done(*ready)
    return attrs.evolve(flow, steps=tuple(steps), stages=tuple(stages))


def run(api: ir.Api, sink: Sink) -> ir.Api:
    return attrs.evolve(api, flows={k: layer_steps(f) for k, f in api.flows.items()})


PASS = Pass(name="flow-dependencies", kind="validation", run=run, doc=__doc__ or "")
