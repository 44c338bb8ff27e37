"""Questions about the IR that passes, the SDK plan and backends all ask: which declared types a
type expression names, which bindings a flow step reads, which client a name denotes.

They live beside the IR (not in a pass) so that a backend can ask them without importing a pass."""

from __future__ import annotations

from collections.abc import Iterator

from tinkc.ir import nodes as ir
from tinkc.ir.types import base_type


def type_refs(t: ir.TypeRef | None) -> Iterator[ir.Ref]:
    """Every declared type a type expression names, in order of appearance."""
    if t is None:
        return
    if isinstance(t, ir.Ref):
        yield t
    elif isinstance(t, ir.ListT):
        yield from type_refs(t.item)
    elif isinstance(t, ir.MapT):
        yield from type_refs(t.value)
    elif isinstance(t, ir.Nullable):
        yield from type_refs(t.inner)
    elif isinstance(t, ir.UnionT):
        for m in t.members:
            yield from type_refs(m)
    elif isinstance(t, ir.FutureT):
        yield from type_refs(t.result)


def value_binds(v: ir.Value) -> Iterator[ir.Bind]:
    """The bindings inside a flow value (a binding, an interpolation, an object or list literal)."""
    if isinstance(v, ir.Bind):
        yield v
    elif isinstance(v, ir.Interp):
        yield from (p for p in v.parts if isinstance(p, ir.Bind))
    elif isinstance(v, ir.ObjValue):
        for _, x in v.items:
            yield from value_binds(x)
    elif isinstance(v, ir.ListValue):
        for x in v.items:
            yield from value_binds(x)


def step_binds(step: ir.Step) -> Iterator[ir.Bind]:
    """The bindings a step reads: in its arguments and its `on:` receiver."""
    for a in step.args:
        yield from value_binds(a.value)
    if step.on is not None:
        yield step.on


def step_reads(step: ir.Step) -> set[str]:
    """The steps ``step`` names: the ones its bindings read, the call it awaits, the step that built
    its receiver, its `after:` (not the implicit wait of a concluding step)."""
    reads = {b.step for b in step_binds(step) if b.step is not None}
    if step.awaits:
        reads.add(step.awaits)
    if step.receiver.startswith("step:"):
        reads.add(step.receiver[5:])
    reads.update(step.after)
    return reads


def find_client(api: ir.Api, name: str) -> ir.Client | None:
    """A client by key (`training`) or by the last segment of its module (`TrainingClient`)."""
    if name in api.clients:
        return api.clients[name]
    matches = [c for c in api.clients.values() if c.display_name == name]
    return matches[0] if len(matches) == 1 else None


def redirect_url_field(api: ir.Api, ep: ir.Endpoint) -> str | None:
    """The wire name of the `url` field a `redirect_location` endpoint's declared response record
    carries (`CheckpointArchiveUrlResponse.url`): the call then answers that record, its `url` the
    redirect's Location and its other fields absent. None: the call answers the Location as text."""
    if ep.response_handler != "redirect_location":
        return None
    record = api.record(ep.response)
    field = record.field("url") if record is not None else None
    if field is None or base_type(api, field.type)[0] != ir.Prim(name="string"):
        return None
    return field.json_name


def extension_records(api: ir.Api) -> set[str]:
    """The records some target's `extensions` names (`targets.<lang>.extensions`): their generated
    modules carry delegations, so the optimizer neither drops them as unused nor folds them into a
    same-shaped record."""
    out: set[str] = set()
    for options in api.targets.values():
        plain = ir.thaw(options)
        extensions = plain.get("extensions") if isinstance(plain, dict) else None
        if isinstance(extensions, dict):
            out.update(extensions)
    return out
