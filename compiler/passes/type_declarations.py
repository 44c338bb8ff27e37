"""Pass `type-declarations`: declarations that parse but cannot mean anything.

* an alias that resolves to itself (`A: {alias: B}`, `B: {alias: A}`) — recursive *records* are fine;
* aliases and unions that refer to themselves with no record in between (`A: {alias: "[A]"}`,
  `A: {union: [B]}` with `B: {alias: A}`): an SDK defines aliases and unions at import time, in
  dependency order, so their recursion must go through a record (a class, defined lazily);
* a discriminated union whose variants lack the discriminator, give it a non-literal type, or share
  a tag; the pass fills each variant's tag from its record's literal field;
* a field default that does not fit the field's type;
* (a warning) two records of an untagged union with the same fields and literals: the later one is
  never chosen, since such a union decodes as the member declaring most of the value's keys.
"""

from __future__ import annotations

import attrs

from tinkc.diagnostics import Sink
from tinkc.frontend.grammars import format_type
from tinkc.ir import nodes as ir
from tinkc.ir.helpers import check_new, check_push, derived_problem, helper_expr
from tinkc.ir.queries import type_refs
from tinkc.ir.types import base_type, const_problem, strip_nullable
from tinkc.passes.base import Pass


def _alias_cycles(api: ir.Api, sink: Sink) -> None:
    """Each alias is walked once: a walk stops at an alias an earlier walk already settled."""
    settled: set[str] = set()
    for decl in api.types.values():
        if not isinstance(decl, ir.Alias) or decl.id in settled:
            continue
        chain: dict[str, int] = {decl.id: 0}  # alias → position in this walk
        t = decl.target
        while isinstance(t, ir.Ref) and isinstance(api.types.get(t.name), ir.Alias) and t.name not in settled:
            if t.name in chain:
                names = list(chain)
                cycle = names[chain[t.name] :] + [t.name]
                sink.error(
                    "type.alias-cycle",
                    f"alias cycle: {' → '.join(cycle)}",
                    api.types[cycle[0]].span,
                    hint="an alias must end in a type that is not an alias",
                )
                break
            chain[t.name] = len(chain)
            t = api.types[t.name].target  # type: ignore[union-attr]
        settled.update(chain)


def _alias_union_cycles(api: ir.Api, sink: Sink) -> None:
    """One depth-first walk over the aliases and unions (an edge for each type an alias's target or
    a union's variant names); a back edge closes a cycle. Cycles of plain `alias: B` links are
    `_alias_cycles`' to report."""
    edges: dict[str, list[str]] = {}
    for decl in api.types.values():
        if isinstance(decl, ir.Alias):
            names = [r.name for r in type_refs(decl.target)]
        elif isinstance(decl, ir.Union_):
            names = [v.type for v in decl.variants]
        else:
            continue
        edges[decl.id] = sorted({n for n in names if isinstance(api.types.get(n), (ir.Alias, ir.Union_))})

    def plain_alias(a: str, b: str) -> bool:
        decl = api.types[a]
        return isinstance(decl, ir.Alias) and decl.target == ir.Ref(name=b)

    done: set[str] = set()
    for start in edges:
        if start in done:
            continue
        path: list[str] = [start]
        on_path = {start: 0}
        todo = [iter(edges[start])]
        while todo:
            nxt = next(todo[-1], None)
            if nxt is None:
                finished = path.pop()
                done.add(finished)
                del on_path[finished]
                todo.pop()
                continue
            if nxt in on_path:
                cycle = path[on_path[nxt] :]
                links = list(zip(cycle, cycle[1:] + cycle[:1], strict=True))
                if not all(plain_alias(a, b) for a, b in links):
                    first = cycle.index(min(cycle))
                    shown = cycle[first:] + cycle[:first] + [min(cycle)]
                    sink.error(
                        "type.recursive-alias",
                        f"`{shown[0]}` is defined in terms of itself through aliases and unions only: {' → '.join(shown)}",
                        api.types[shown[0]].span,
                        hint="a recursive type must go through a record: declare one of them with `fields:`",
                    )
            elif nxt not in done:
                on_path[nxt] = len(path)
                path.append(nxt)
                todo.append(iter(edges[nxt]))


def _tag_of(api: ir.Api, union: ir.Union_, v: ir.Variant, sink: Sink) -> str | None:
    rec = api.types.get(v.type)
    if not isinstance(rec, ir.Record):
        return v.tag
    assert union.discriminator is not None
    field = rec.field(union.discriminator)
    if field is None:
        if v.tag is None:
            sink.error(
                "type.missing-discriminator",
                f"variant `{v.type}` of union `{union.id}` has no `{union.discriminator}` field",
                v.span,
                hint=f"add `{union.discriminator}: {{type: '\"{v.type.lower()}\"', default: {v.type.lower()}}}` to `{v.type}`, "
                "or give the variant a `tag:`",
            )
        return v.tag
    ftype, _ = strip_nullable(field.type)
    if isinstance(ftype, ir.Lit) and isinstance(ftype.value, str):
        if v.tag is not None and v.tag != ftype.value:
            sink.error(
                "type.tag-mismatch",
                f"variant `{v.type}` is tagged `{v.tag}` but its `{union.discriminator}` field is the literal {format_type(ftype)}",
                v.span,
            )
        return ftype.value
    if v.tag is None:
        sink.error(
            "type.missing-discriminator",
            f"the `{union.discriminator}` field of `{v.type}` is `{format_type(field.type)}`, "
            f"not a string literal, so it cannot tag union `{union.id}`",
            field.span or v.span,
            hint=f"declare it as a literal: `type: '\"{v.type.lower()}\"'`, or give the variant a `tag:`",
        )
    return v.tag


def _shape(api: ir.Api, rec: ir.Record) -> tuple[frozenset[str], frozenset[tuple[str, object]]]:
    """What a JSON object can tell of a record: its wire keys, and the values its literal fields pin."""
    literals = set()
    for f in rec.fields:
        t, _ = strip_nullable(f.type)
        if isinstance(t, ir.Lit):
            literals.add((f.json_name, t.value))
    return frozenset(f.json_name for f in rec.fields), frozenset(literals)


def _indistinguishable_members(api: ir.Api, sink: Sink) -> None:
    """An untagged union decodes as the member that declares the most of the object's keys, the
    first written on a tie (the SDK plan's rule): a later member with the very keys and literals of
    an earlier one is never chosen. Said once per such pair, at the union."""
    for decl in api.types.values():
        if isinstance(decl, ir.Alias) and isinstance(decl.target, ir.UnionT):
            members = [m.name for m in decl.target.members if isinstance(m, ir.Ref)]
        elif isinstance(decl, ir.Union_) and decl.discriminator is None:
            members = [v.type for v in decl.variants]
        else:
            continue
        seen: dict[tuple[frozenset[str], frozenset[tuple[str, object]]], str] = {}
        for name in members:
            rec = api.types.get(name)
            if not isinstance(rec, ir.Record):
                continue
            shape = _shape(api, rec)
            if shape in seen:
                sink.warning(
                    "type.indistinguishable-members",
                    f"`{seen[shape]}` and `{name}` of union `{decl.id}` have the same fields: a value always decodes as `{seen[shape]}`",
                    decl.span,
                    hint="an untagged union picks the member declaring most of the value's keys, the first on a tie: "
                    "give one a literal field (a tag) or a field the other lacks, or use a discriminated union",
                )
            else:
                seen[shape] = name


def run(api: ir.Api, sink: Sink) -> ir.Api:
    _alias_cycles(api, sink)
    _alias_union_cycles(api, sink)
    _indistinguishable_members(api, sink)
    types = dict(api.types)
    for decl in api.types.values():
        if isinstance(decl, ir.Union_) and decl.discriminator is not None:
            seen: dict[str, str] = {}
            variants = []
            for v in decl.variants:
                tag = _tag_of(api, decl, v, sink)
                if tag is not None:
                    if tag in seen:
                        sink.error(
                            "type.duplicate-tag",
                            f"variants `{seen[tag]}` and `{v.type}` of union `{decl.id}` share the tag `{tag}`",
                            v.span,
                        )
                    seen[tag] = v.type
                variants.append(attrs.evolve(v, tag=tag))
            types[decl.id] = attrs.evolve(decl, variants=tuple(variants))
        elif isinstance(decl, ir.Record):
            for f in decl.fields:
                if f.has_default:
                    problem = const_problem(api, f.type, f.default)
                    if problem:
                        sink.error("type.bad-default", f"default of `{decl.id}.{f.name}`: {problem}", f.span)
    api = attrs.evolve(api, types=types)
    _helpers(api, sink)
    return api


# Functions every SDK's record already has (Elixir `new/0,1`, `decode/1`, `from_json/1`, ...;
# Python pydantic's `model_*`; TypeScript's schema constant): a helper may not take their names.
_TAKEN = frozenset(
    {"decode", "from_json", "from_map", "to_json", "copy", "dict", "json", "schema", "construct", "validate"}
    | {f"model_{n}" for n in ("dump", "dump_json", "validate", "validate_json", "validate_strings", "copy", "construct")}
    | {f"model_{n}" for n in ("fields", "fields_set", "config", "extra", "computed_fields", "json_schema", "post_init", "rebuild")}
)


def _helpers(api: ir.Api, sink: Sink) -> None:
    """`helpers:` and derived fields of records (see ir/helpers.py for what they mean)."""
    for decl in api.types.values():
        if isinstance(decl, ir.Enum):
            for h in decl.helpers:
                _reading_helper(api, decl.id, h, sink)
            continue
        if not isinstance(decl, ir.Record):
            continue
        names = {f.name for f in decl.fields}
        for h in decl.helpers:
            base = h.name.rstrip("?")
            if base in names or base in _TAKEN or (decl.parse and base == decl.parse.function):
                sink.error(
                    "type.bad-helper",
                    f"helper `{decl.id}.{h.name}` has the name of a field or of a function every record has",
                    h.span,
                    hint="choose another name",
                )
                continue
            if h.kind in ("get", "expr"):
                _reading_helper(api, decl.id, h, sink)
                continue
            if h.name.endswith("?"):
                sink.error(
                    "type.bad-helper",
                    f"helper `{decl.id}.{h.name}` builds a record: only a helper answering a bool is named `...?`",
                    h.span,
                    hint=f"name it `{base}`",
                )
                continue
            if h.kind == "push":
                for message, span, hint in check_push(api, h, decl):
                    sink.error("type.bad-helper", message, span or h.span, hint=hint)
                continue
            optional = False
            for p in h.params:
                is_optional = p.optional
                if p.has_default:
                    wrong = _param_default_problem(api, p)
                    if wrong:
                        sink.error("type.bad-helper", f"default of parameter `{p.name}` of helper `{decl.id}.{h.name}`: {wrong}", p.span)
                if optional and not is_optional:
                    sink.error(
                        "type.bad-helper",
                        f"parameter `{p.name}` of helper `{decl.id}.{h.name}` is required but follows an optional one",
                        p.span,
                        hint="put the optional (`T?`) parameters last: they are the trailing arguments callers may leave out",
                    )
                optional = optional or is_optional
            required = [p for p in h.params if not p.optional]
            if h.name == "new" and (not required or len(required) == 1 and positional_guard(api, required[0].type) is None):
                sink.error(
                    "type.bad-helper",
                    f"helper `{decl.id}.new` with {len(required)} required parameter(s) would clash with the record's `new/1`",
                    h.span,
                    hint="a positional `new` takes two required parameters, or one of type string, int, float, bool or a list "
                    "(the record's `new/1` then tells it from its keyword list or map); otherwise choose another name",
                )
                continue
            for message, span, hint in check_new(api, h, decl.id):
                sink.error("type.bad-helper", message, span or h.span, hint=hint)
        for name, d in decl.derived:
            problem = derived_problem(api, decl, name, d)
            if problem:
                sink.error("type.bad-derive", f"derived field `{decl.id}.{name}`: {problem[0]}", d.span, hint=problem[1])


def positional_guard(api: ir.Api, t: ir.TypeRef) -> str | None:
    """What a positional `new`'s lone required parameter is (string, int, float, bool, or a list):
    what tells `FutureRetrieveRequest.new("req-1")` or `TelemetryBatch.new([event])` from the
    record's `new(attrs)` in Elixir (a map, or a keyword list: a list of tuples, which no list of
    SDK values is); None for any other type (the two would be a guess)."""
    base, nullable = base_type(api, t)
    if nullable:
        return None
    if isinstance(base, ir.ListT):
        return "list"
    if not isinstance(base, ir.Prim) or base.name not in ("string", "int", "float", "bool"):
        return None
    return base.name


def _param_default_problem(api: ir.Api, p: ir.HelperParam) -> str | None:
    """A parameter default is a literal of a non-nullable string, int, float or bool parameter (every
    SDK writes it in the function's signature)."""
    if positional_guard(api, p.type) in (None, "list"):
        return f"a default is given to a `string`, `int`, `float` or `bool` parameter, and this one is `{format_type(p.type)}`"
    return const_problem(api, p.type, p.default)


def _reading_helper(api: ir.Api, owner: str, h: ir.Helper, sink: Sink) -> None:
    """A `get` helper (a path or an expression, typed by ir/helpers.py); a predicate (`retryable?`)
    must answer a bool."""
    got = helper_expr(api, owner, h)
    if len(got) == 3:
        message, span, hint = got
        sink.error("type.bad-helper", f"`get` of helper `{owner}.{h.name}`: {message}", span or h.span, hint=hint)
        return
    if h.name.endswith("?") and got[1] != ir.Prim(name="bool"):
        sink.error(
            "type.bad-helper",
            f"helper `{owner}.{h.name}` answers `{format_type(got[1])}`: a name ending in `?` is a predicate's, answering a bool",
            h.span,
            hint=f"name it `{h.name.rstrip('?')}`, or compare: `... == <value>`",
        )


PASS = Pass(name="type-declarations", kind="validation", run=run, doc=__doc__ or "")
