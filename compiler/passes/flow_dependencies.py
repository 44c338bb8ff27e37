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
        steps.append(step if step.depends_on == ordered else attrs.evolve(step, depends_on=ordered))
    return attrs.evolve(flow, steps=tuple(steps), stages=_stages(steps))


def _stages(steps: list[ir.Step]) -> tuple[tuple[str, ...], ...]:
    """The topological layering of the steps: a step's stage is one after the last stage of the
    steps it depends on (all earlier steps, so one pass in manifest order), and each stage keeps
    manifest order. These are the batches of ready steps of a topological sort (graphlib's
    TopologicalSorter, the reference in tests/passes/test_flow_stages.py), without building a
    sorter per flow (the bundled manifest's 28 flows: ~0.4 of 1.0 ms)."""
    stage_of: dict[str, int] = {}
    stages: list[list[str]] = []
    for step in steps:
        stage = 1 + max((stage_of[d] for d in step.depends_on), default=-1)
        stage_of[step.id] = stage
        if stage == len(stages):
            stages.append([])
        stages[stage].append(step.id)
    return tuple(tuple(stage) for stage in stages)


def run(api: ir.Api, sink: Sink) -> ir.Api:
    return attrs.evolve(api, flows={k: layer_steps(f) for k, f in api.flows.items()})


PASS = Pass(name="flow-dependencies", kind="validation", run=run, doc=__doc__ or "")
