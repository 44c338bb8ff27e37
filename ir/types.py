"""Questions about type expressions that several passes ask: what a field path leads to, and
whether a value of one type may be passed where another is expected."""

from __future__ import annotations

import attrs

from tinkc.ir import nodes as ir


def strip_nullable(t: ir.TypeRef) -> tuple[ir.TypeRef, bool]:
    if isinstance(t, ir.Nullable):
        return t.inner, True
    return t, False


def base_type(api: ir.Api, t: ir.TypeRef) -> tuple[ir.TypeRef, bool]:
    """Strip nullability and aliases, in any nesting (`ModelID?` where `ModelID: {alias: string?}`)."""
    nullable = False
    for _ in range(64):  # alias chains are short; cycles are reported by `type-declarations`
        t, null = strip_nullable(t)
        nullable = nullable or null
        resolved = api.resolve_alias(t)
        if resolved is t or resolved == t:  # most types: the same node (no alias to follow), no deep compare
            break
        t = resolved
    return t, nullable


def make_nullable(t: ir.TypeRef, nullable: bool) -> ir.TypeRef:
    if nullable and not isinstance(t, ir.Nullable):
        return ir.Nullable(inner=t)
    return t


def is_scalar(api: ir.Api, t: ir.TypeRef) -> bool:
    t, _ = base_type(api, t)
    if isinstance(t, ir.Prim):
        return t.name not in ("any", "bytes")
    if isinstance(t, ir.Lit):
        return True
    if isinstance(t, ir.Ref):
        return isinstance(api.types.get(t.name), ir.Enum)
    return False


def accepts(api: ir.Api, expected: ir.TypeRef, given: ir.TypeRef) -> bool:
    """May a value of type ``given`` be passed where ``expected`` is declared?

    Nullability is not judged here (see :func:`nullable_mismatch`); unknown references are
    accepted so that one unresolved name does not cascade into many diagnostics.
    """
    e, _ = base_type(api, expected)
    g, _ = base_type(api, given)
    if e == g:
        return True
    if isinstance(e, ir.Prim) and e.name == "any" or isinstance(g, ir.Prim) and g.name == "any":
        return True
    if isinstance(e, ir.Ref) and e.name not in api.types or isinstance(g, ir.Ref) and g.name not in api.types:
        return True
    if isinstance(g, ir.UnionT):  # every member of what is given must be accepted
        return all(accepts(api, e, m) for m in g.members)
    if isinstance(e, ir.UnionT):
        return any(accepts(api, m, g) for m in e.members)
    if isinstance(e, ir.Prim):
        if isinstance(g, ir.Prim):
            return g.name == e.name or (e.name == "float" and g.name == "int") or (e.name == "string" and g.name in ("datetime", "date"))
        if isinstance(g, ir.Lit):
            return isinstance(g.value, str) and e.name == "string" or isinstance(g.value, int) and e.name in ("int", "float")
        if isinstance(g, ir.Ref) and e.name == "string":
            return isinstance(api.types.get(g.name), ir.Enum)
        return False
    if isinstance(e, ir.Lit):
        return isinstance(g, ir.Lit) and g.value == e.value
    if isinstance(e, ir.Ref):
        decl = api.types.get(e.name)
        if isinstance(g, ir.Ref):
            if g.name == e.name:
                return True
            if isinstance(decl, ir.Union_):
                return any(v.type == g.name for v in decl.variants)
            return False
        if isinstance(decl, ir.Enum):
            if isinstance(g, ir.Lit):
                return any(v.value == g.value for v in decl.values)
            return isinstance(g, ir.Prim) and g.name == "string"
        return False
    if isinstance(e, ir.ListT):
        return isinstance(g, ir.ListT) and accepts(api, e.item, g.item)
    if isinstance(e, ir.MapT):
        return isinstance(g, ir.MapT) and accepts(api, e.value, g.value)
    if isinstance(e, ir.ClientT):
        return isinstance(g, ir.ClientT) and g.client == e.client
    if isinstance(e, ir.FutureT):
        return isinstance(g, ir.FutureT) and accepts(api, e.result, g.result)
    return False


def nullable_mismatch(api: ir.Api, expected: ir.TypeRef, given: ir.TypeRef) -> bool:
    """``given`` may be null but ``expected`` may not."""
    e, e_null = base_type(api, expected)
    _, g_null = base_type(api, given)
    if isinstance(e, ir.Prim) and e.name == "any":
        return False
    return g_null and not e_null


def field_candidates(api: ir.Api, t: ir.TypeRef) -> list[str]:
    rec = api.record(base_type(api, t)[0])
    return [f.name for f in rec.fields] if rec else []


def const_problem(api: ir.Api, t: ir.TypeRef, value: object, depth: int = 0) -> str | None:
    """Why a constant (frozen JSON) does not fit type ``t``, or None when it does."""
    from tinkc.frontend.grammars import format_type

    if depth > 50:
        return None
    shown = t
    t, nullable = base_type(api, t)
    if value is None:
        if nullable or isinstance(t, ir.Prim) and t.name == "any":
            return None
        return f"null is not a `{format_type(shown)}` (make the type nullable: `{format_type(shown)}?`)"
    if isinstance(t, ir.Prim):
        ok = {
            "any": True,
            "string": isinstance(value, str),
            "bytes": isinstance(value, str),
            "datetime": isinstance(value, str),
            "date": isinstance(value, str),
            "bool": isinstance(value, bool),
            "int": isinstance(value, int) and not isinstance(value, bool),
            "float": isinstance(value, (int, float)) and not isinstance(value, bool),
        }[t.name]
        return None if ok else f"{_describe(value)} is not of type `{t.name}`"
    if isinstance(t, ir.Lit):
        return None if value == t.value else f"{_describe(value)} is not the literal {format_type(t)}"
    if isinstance(t, ir.ListT):
        if not isinstance(value, tuple):
            return f"{_describe(value)} is not a list"
        for item in value:
            problem = const_problem(api, t.item, item, depth + 1)
            if problem:
                return problem
        return None
    if isinstance(t, ir.MapT):
        if not isinstance(value, ir.Obj):
            return f"{_describe(value)} is not a map"
        for _, v in value.items:
            problem = const_problem(api, t.value, v, depth + 1)
            if problem:
                return problem
        return None
    if isinstance(t, ir.UnionT):
        return (
            None
            if any(const_problem(api, m, value, depth + 1) is None for m in t.members)
            else (f"{_describe(value)} matches no member of `{format_type(t)}`")
        )
    if isinstance(t, ir.Ref):
        decl = api.types.get(t.name)
        if decl is None:
            return None
        if isinstance(decl, ir.Enum):
            values = [v.value for v in decl.values]
            return None if value in values else f"{_describe(value)} is not a value of enum `{decl.id}` ({', '.join(values)})"
        if isinstance(decl, ir.Record):
            if not isinstance(value, ir.Obj):
                return f"{_describe(value)} is not a `{decl.id}` record"
            for k, v in value.items:
                f = decl.field(k)
                if f is None:
                    return f"`{decl.id}` has no field `{k}`"
                problem = const_problem(api, f.type, v, depth + 1)
                if problem:
                    return f"field `{k}`: {problem}"
            return None
        if isinstance(decl, ir.Union_):
            return (
                None
                if any(const_problem(api, ir.Ref(name=v.type), value, depth + 1) is None for v in decl.variants)
                else (f"{_describe(value)} matches no variant of `{decl.id}`")
            )
    return None


def _describe(value: object) -> str:
    if isinstance(value, ir.Obj):
        return "a mapping"
    if isinstance(value, tuple):
        return "a list"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, str):
        return f'"{value}"'
    return f"`{value}`"


@attrs.frozen
class EventShape:
    """What an SDK sends for one kind of telemetry event (the telemetry feature's `events:`): the
    record's wire field names, and the union tag that marks it in the events list, if any."""

    kind: str
    record: str
    wire_fields: tuple[str, ...]
    tag_field: str | None
    tag: str | None


def telemetry_event_shapes(api: ir.Api, p: ir.Telemetry) -> list[EventShape]:
    """The event shapes of a (validated) telemetry feature, in the order of its `event_types`."""
    endpoint = api.endpoints.get(p.endpoint)
    request = api.record(endpoint.request) if endpoint is not None and endpoint.request is not None else None
    events = request.field(p.events_field) if request is not None else None
    union: ir.Union_ | None = None
    if events is not None:
        listed, _ = base_type(api, events.type)
        item, _ = base_type(api, listed.item) if isinstance(listed, ir.ListT) else (listed, False)
        decl = api.types.get(item.name) if isinstance(item, ir.Ref) else None
        union = decl if isinstance(decl, ir.Union_) and decl.discriminator is not None else None
    out = []
    for kind, record_id in p.event_types:
        rec = api.types.get(record_id)
        if not isinstance(rec, ir.Record):
            continue
        tag = next((v.tag for v in union.variants if v.type == record_id), None) if union is not None else None
        out.append(
            EventShape(
                kind=kind,
                record=record_id,
                wire_fields=tuple(sorted(f.json_name for f in rec.fields)),
                tag_field=union.discriminator if union is not None and tag is not None else None,
                tag=tag,
            )
        )
    return out
