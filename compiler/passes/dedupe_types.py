"""Pass `dedupe-types` (optimization): records with the same structure are declared once.

Two records are the same structure when their fields agree in everything that reaches code or the
wire: names, wire names, types, optionality, defaults, docs and deprecation. Field types compare
through aliases, so `{item: A}` and `{item: B}` match when `B` is an alias of `A` — including an
alias this pass has just made, which is why it repeats until nothing changes. The record with the
smallest id of each group stays; every other one becomes an alias of it (keeping its own name, doc
and `export:`), so users keep every public name while each backend emits one class/struct/schema.

Left alone: union variants (each carries its own tag and is matched by name) and the records a
feature names (telemetry event records), which backends look up as records.
"""

from __future__ import annotations

import attrs

from tinkc.diagnostics import Sink
from tinkc.ir import nodes as ir
from tinkc.ir.queries import extension_records
from tinkc.passes.base import Pass


def _pinned(api: ir.Api) -> set[str]:
    """Records that must stay records: union variants, records named by features and records with
    `extensions`."""
    out = {v.type for d in api.types.values() if isinstance(d, ir.Union_) for v in d.variants}
    for f in api.features.values():
        if isinstance(f.params, ir.Telemetry):
            out.update(rid for _, rid in f.params.event_types)
    out.update(extension_records(api))  # their modules carry delegations of their own
    return out


class _Keys:
    """Structural keys of type expressions and records, with references resolved through aliases
    (as of one round: the aliases change between rounds). Plain tuples, built once per type object:
    comparing attrs objects field by field, spans and all, made the pass quadratic-looking."""

    def __init__(self, api: ir.Api) -> None:
        self.api = api
        self.memo: dict[int, object] = {}

    def type(self, t: ir.TypeRef) -> object:
        key = self.memo.get(id(t))
        if key is None:
            key = self.memo[id(t)] = self._type(t)
        return key

    def _type(self, t: ir.TypeRef) -> object:
        if isinstance(t, ir.Ref):
            resolved = self.api.resolve_alias(t)
            return ("ref", resolved.name) if isinstance(resolved, ir.Ref) else self.type(resolved)
        if isinstance(t, ir.ListT):
            return ("list", self.type(t.item))
        if isinstance(t, ir.MapT):
            return ("map", self.type(t.value))
        if isinstance(t, ir.Nullable):
            return ("nullable", self.type(t.inner))
        if isinstance(t, ir.UnionT):
            return ("union", tuple(self.type(m) for m in t.members))
        if isinstance(t, ir.Prim):
            return ("prim", t.name)
        if isinstance(t, ir.Lit):
            return ("lit", type(t.value).__name__, t.value)
        return (type(t).__name__, repr(attrs.evolve(t, span=None)) if "span" in attrs.fields_dict(type(t)) else repr(t))

    def record(self, rec: ir.Record) -> tuple[object, ...]:
        fields = tuple(
            (f.name, f.json_name, self.type(f.type), f.required, f.has_default, repr(f.default), f.doc, f.deprecated) for f in rec.fields
        )
        return (fields, rec.deprecated)


def _round(api: ir.Api, pinned: set[str]) -> ir.Api:
    first: dict[tuple[object, ...], str] = {}
    replaced: dict[str, ir.TypeDecl] = {}
    keys = _Keys(api)
    for tid, decl in api.types.items():  # sorted by id: the smallest id of a group stays
        if not isinstance(decl, ir.Record) or tid in pinned:
            continue
        keep = first.setdefault(keys.record(decl), tid)
        if keep != tid:
            replaced[tid] = ir.Alias(
                id=tid,
                target=ir.Ref(name=keep),
                doc=decl.doc,
                deprecated=decl.deprecated,
                export=decl.export,
                namespace=decl.namespace,
                span=decl.span,
            )
    if not replaced:
        return api
    return attrs.evolve(api, types={**api.types, **replaced})


def run(api: ir.Api, sink: Sink) -> ir.Api:
    pinned = _pinned(api)
    merged = api
    while (after := _round(merged, pinned)) is not merged:
        merged = after
    if merged is api:
        return api
    # The types the binding pass gave to flow values were read through the records now made
    # aliases; resolve them again so they are the surviving records' (what a rerun would find).
    from tinkc.passes import bindings

    return bindings.run(merged, Sink())


PASS = Pass(name="dedupe-types", kind="optimization", run=run, doc=__doc__ or "")
