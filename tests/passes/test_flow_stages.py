"""Differential test: the flow-dependencies pass's stages (one pass over the steps in manifest
order) are the batches a topological sort gives (graphlib's TopologicalSorter, the reference: each
batch every step whose dependencies are all done, in manifest order)."""

from __future__ import annotations

import graphlib

from hypothesis import given, settings
from hypothesis import strategies as st

from tinkc.ir import nodes as ir
from tinkc.passes.flow_dependencies import _stages


def _reference(steps: list[ir.Step]) -> tuple[tuple[str, ...], ...]:
    sorter = graphlib.TopologicalSorter({s.id: s.depends_on for s in steps})
    sorter.prepare()
    position = {s.id: i for i, s in enumerate(steps)}
    stages = []
    while sorter.is_active():
        ready = sorted(sorter.get_ready(), key=position.__getitem__)
        stages.append(tuple(ready))
        sorter.done(*ready)
    return tuple(stages)


@st.composite
def flows(draw: st.DrawFn) -> list[ir.Step]:
    """Steps that depend on earlier steps only (what the pass computes `depends_on` as)."""
    count = draw(st.integers(min_value=0, max_value=12))
    ids = [f"s{i}" for i in range(count)]
    steps = []
    for index, sid in enumerate(ids):
        deps = draw(st.sets(st.sampled_from(ids[:index]))) if index else set()
        steps.append(ir.Step(id=sid, kind="call", depends_on=tuple(i for i in ids[:index] if i in deps)))
    return steps


@settings(max_examples=400, deadline=None, derandomize=True, database=None)
@given(flows())
def test_stages_are_the_topological_sorts_batches(steps: list[ir.Step]) -> None:
    assert _stages(steps) == _reference(steps)
