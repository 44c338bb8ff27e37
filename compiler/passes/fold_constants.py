"""Pass `fold-constants` (optimization): flow values known when the manifest is compiled become
constants.

* A binding whose type admits a single value (a literal type such as a union's tag, `"active"`) is
  that value: `${result.type}` where `type: '"active"'` becomes `"active"`.
* An interpolated string whose bindings are all folded is one string; adjacent text parts merge.
* Inside mappings and lists, each item is folded. (A mapping of constants stays a mapping: the
  backends build a record from it field by field, in the order written, which a frozen JSON
  constant would not keep.)

A folded binding no longer reads its step, so the steps are layered again: a step that only read a
tag from an earlier one stops waiting for it (it may run concurrently), and a step whose result
nothing reads any more is no longer bound to a variable by the backends.
"""

from __future__ import annotations

import attrs

from tinkc.diagnostics import Sink
from tinkc.ir import nodes as ir
from tinkc.ir.types import base_type
from tinkc.passes.base import Pass, rewrite_flows
from tinkc.passes.flow_dependencies import layer_steps


def _single_value(api: ir.Api, t: ir.TypeRef | None) -> ir.Const | None:
    """The one value a type admits, if it admits exactly one (not null: nullable types have two)."""
    if t is None:
        return None
    base, nullable = base_type(api, t)
    if nullable or not isinstance(base, ir.Lit):
        return None
    return ir.Const(value=base.value)


def fold(api: ir.Api, v: ir.Value) -> ir.Value:
    if isinstance(v, ir.Bind):
        known = _single_value(api, v.type)
        return attrs.evolve(known, span=v.span) if known is not None else v
    if isinstance(v, ir.Interp):
        parts: list[str | ir.Bind] = []
        for part in v.parts:
            if isinstance(part, ir.Bind):
                known = _single_value(api, part.type)
                part = str(known.value) if known is not None else part
            if isinstance(part, str) and parts and isinstance(parts[-1], str):
                parts[-1] += part
            elif part != "":
                parts.append(part)
        if all(isinstance(p, str) for p in parts):
            return ir.Const(value="".join(p for p in parts if isinstance(p, str)), span=v.span)
        return attrs.evolve(v, parts=tuple(parts)) if tuple(parts) != v.parts else v
    if isinstance(v, ir.ListValue):
        items = tuple(fold(api, x) for x in v.items)
        return attrs.evolve(v, items=items) if items != v.items else v
    if isinstance(v, ir.ObjValue):
        pairs = tuple((k, fold(api, x)) for k, x in v.items)
        return attrs.evolve(v, items=pairs) if pairs != v.items else v
    return v


def _fold_flow(api: ir.Api, flow: ir.Flow) -> ir.Flow:
    steps = []
    for step in flow.steps:
        args = tuple(attrs.evolve(a, value=folded) if (folded := fold(api, a.value)) is not a.value else a for a in step.args)
        steps.append(attrs.evolve(step, args=args) if args != step.args else step)
    if all(new is old for new, old in zip(steps, flow.steps, strict=True)):
        return flow
    return layer_steps(attrs.evolve(flow, steps=tuple(steps)))


def run(api: ir.Api, sink: Sink) -> ir.Api:
    return rewrite_flows(api, _fold_flow)


PASS = Pass(name="fold-constants", kind="optimization", run=run, doc=__doc__ or "")
