"""Type helpers (`helpers:` on a record) and derived fields: what they mean, decided once for every SDK.

A helper is written in the binding language, never in a target language:

* ``new`` — a value template (the form flow arguments take: literals, ``${input.<param>}``, maps that
  build records, lists) whose parameters are the helper's ``params``, in order. Every SDK runs it
  the same way: each parameter is encoded to its JSON form by its declared type and put where the
  template names it (an absent optional parameter, or a template ``null``, leaves its key out), and
  the whole is decoded as the record — so a template that does not fit at run time is the SDK's
  invalid-argument error, never a half-built value.
* ``get`` — a path ``${self.a[*].b}`` read out of a value of the record: ``.field`` steps and ``[*]``
  (every item of a list; as in jq, the items stream on, so ``chunks[*].tokens[*]`` is one flat list
  of tokens). An absent list counts as empty; a field step on an absent value gives absent; a field
  step on a union item of a variant without that field is the SDK's invalid-argument error
  (`ModelInput.to_ints` of an input holding an image).
"""

from __future__ import annotations

from typing import Any

import attrs

from tinkc.ir import nodes as ir
from tinkc.ir.types import accepts, base_type, const_problem, nullable_mismatch


@attrs.frozen(kw_only=True)
class HelperArg:
    """Where a `new` template puts a parameter: encoded to JSON by its declared type."""

    name: str
    type: ir.TypeRef


@attrs.frozen(kw_only=True)
class PathStep:
    """One step of a `get` path: ``each`` (every item of a list) or a field (by manifest name),
    with the variant records that have it when the value there is a union item."""

    field: str | None = None  # None: each
    variants: tuple[str, ...] = ()  # a union item: the records having the field (others: error)
    discriminator: str | None = None  # ... the union's discriminator field, and those records' tags
    tags: tuple[str, ...] = ()


def _record_fields(api: ir.Api, t: ir.TypeRef, name: str) -> tuple[ir.Field | None, tuple[ir.Variant, ...], str | None]:
    """The field ``name`` of the record or union ``t`` is: (field, variants having it, problem)."""
    base, _ = base_type(api, t)
    decl = api.types.get(base.name) if isinstance(base, ir.Ref) else None
    if isinstance(decl, ir.Record):
        f = decl.field(name)
        return (f, (), None) if f else (None, (), f"record `{decl.id}` has no field `{name}`")
    if isinstance(decl, ir.Union_):
        having = []
        found: ir.Field | None = None
        for v in decl.variants:
            rec = api.types.get(v.type)
            f = rec.field(name) if isinstance(rec, ir.Record) else None
            if f is None:
                continue
            if found is not None and f.type != found.type:
                return None, (), f"variants of `{decl.id}` give field `{name}` different types"
            found = f
            having.append(v)
        if found is None:
            return None, (), f"no variant of union `{decl.id}` has a field `{name}`"
        if not decl.discriminator:
            return None, (), f"`{decl.id}` is an untagged union: which items have `{name}` would be a guess"
        return found, tuple(having), None
    from tinkc.frontend.grammars import format_type

    return None, (), f"`{format_type(t)}` is not a record or union, so it has no field `{name}`"


def get_path(api: ir.Api, record: str, path: tuple[str, ...]) -> tuple[tuple[PathStep, ...], ir.TypeRef] | str:
    """The steps of a `get` path and the type it answers, or why it is wrong."""
    t: ir.TypeRef = ir.Ref(name=record)
    many = absent = False
    steps = []
    for step in path:
        if step == "*":
            base, _ = base_type(api, t)
            if not isinstance(base, ir.ListT):
                from tinkc.frontend.grammars import format_type

                return f"`[*]` needs a list, and `{format_type(t)}` is not one"
            t = base.item
            many = True
            absent = base_type(api, t)[1]  # an absent list is empty; an item may be null
            steps.append(PathStep())
            continue
        t_before = t
        f, variants, problem = _record_fields(api, t, step)
        if problem or f is None:
            return problem or f"no field `{step}`"
        t = f.type
        absent = absent or not f.required or base_type(api, t)[1]
        before = base_type(api, t_before)[0]
        decl = api.types.get(before.name) if isinstance(before, ir.Ref) else None
        steps.append(
            PathStep(
                field=step,
                variants=tuple(v.type for v in variants),
                discriminator=decl.discriminator if isinstance(decl, ir.Union_) and variants else None,
                tags=tuple(str(v.tag) for v in variants),
            )
        )
    leaf = t.inner if isinstance(t, ir.Nullable) else t
    result: ir.TypeRef = ir.Nullable(inner=leaf) if absent else leaf
    return tuple(steps), (ir.ListT(item=result) if many else result)


def _variant_of(api: ir.Api, union: ir.Union_, value: ir.ObjValue) -> str | None:
    for key, item in value.items:
        if key == union.discriminator and isinstance(item, ir.Const):
            for v in union.variants:
                if v.tag == item.value:
                    return v.type
    return None


def check_new(api: ir.Api, helper: ir.Helper, record: str) -> list[tuple[str, Any, str | None]]:
    """Why a `new` template does not build a ``record`` (message, span, hint), nothing when it does."""
    params = {p.name: p for p in helper.params}
    used: set[str] = set()
    out: list[Any] = []  # ((where, message), span, hint) until the end

    def walk(value: Any, t: ir.TypeRef, required: bool, where: str) -> None:
        from tinkc.frontend.grammars import format_type

        base, _ = base_type(api, t)
        if isinstance(value, ir.Invalid):
            return
        if isinstance(value, ir.Bind):
            name = value.path[0] if value.source == "input" and len(value.path) == 1 else None
            p = params.get(str(name)) if name is not None else None
            if p is None:
                out.append(
                    (
                        (where, f"`{value.text or value.source}` is not a parameter of the helper"),
                        value.span,
                        f"parameters: {', '.join(params) or '(none)'}; a helper reads `${{input.<param>}}` only",
                    )
                )
                return
            used.add(p.name)
            if not accepts(api, t, p.type):
                out.append(((where, f"parameter `{p.name}` is `{format_type(p.type)}`, the field `{format_type(t)}`"), value.span, None))
            elif required and nullable_mismatch(api, t, p.type):
                out.append(
                    (
                        (where, f"parameter `{p.name}` may be left out, but the field is required"),
                        value.span,
                        f"declare it `{format_type(base_type(api, p.type)[0])}`",
                    )
                )
            return
        if isinstance(value, ir.Interp):
            out.append(((where, "a helper template takes whole values, not text with bindings inside"), value.span, None))
            return
        if isinstance(value, ir.Const):
            problem = const_problem(api, t, value.value)
            if problem:
                out.append(((where, f"{problem}"), value.span, None))
            return
        if isinstance(value, ir.ListValue):
            if not isinstance(base, ir.ListT):
                out.append(((where, f"a list where `{format_type(t)}` is expected"), value.span, None))
                return
            for i, item in enumerate(value.items):
                walk(item, base.item, True, f"{where}[{i}]")
            return
        if isinstance(value, ir.ObjValue):
            decl = api.types.get(base.name) if isinstance(base, ir.Ref) else None
            if isinstance(base, ir.MapT):
                for key, item in value.items:
                    walk(item, base.value, True, f"{where}.{key}")
                return
            if isinstance(decl, ir.Union_) and decl.discriminator:
                variant = _variant_of(api, decl, value)
                if variant is None:
                    tags = ", ".join(str(v.tag) for v in decl.variants)
                    out.append(((where, f"a `{decl.id}` value names its variant by `{decl.discriminator}`"), value.span, f"one of: {tags}"))
                    return
                decl = api.types[variant]
            if not isinstance(decl, ir.Record):
                out.append(((where, f"a mapping where `{format_type(t)}` is expected"), value.span, None))
                return
            given = dict(value.items)
            for key, item in value.items:
                f = decl.field(key)
                if f is None:
                    out.append(((where, f"record `{decl.id}` has no field `{key}`"), item.span or value.span, None))
                    continue
                walk(item, f.type, f.required and not f.has_default, f"{where}.{key}")
            for f in decl.fields:
                if f.required and not f.has_default and f.name not in given:
                    out.append(((where, f"field `{decl.id}.{f.name}` is required"), value.span, f"add `{f.name}:` to the template"))

    walk(helper.new, ir.Ref(name=record), True, "")
    head = f"`new` of helper `{record}.{helper.name}`"
    out = [(f"{head}{' at ' + where.lstrip('.') if where else ''}: {message}", span, hint) for (where, message), span, hint in out]
    if not any("is not a parameter" in m for m, _, _ in out):  # a misspelt binding is reported once, not twice
        for p in helper.params:
            if p.name not in used:
                out.append((f"parameter `{p.name}` of helper `{record}.{helper.name}` is not used by `new`", p.span, None))
    return out


def wire_template(api: ir.Api, value: Any, t: ir.TypeRef) -> Any:
    """A checked `new` template in JSON form: wire names as keys, ``HelperArg`` where a parameter goes."""
    base, _ = base_type(api, t)
    if isinstance(value, ir.Bind):
        return HelperArg(name=str(value.path[0]), type=t)
    if isinstance(value, ir.Const):
        return ir.thaw(value.value)
    if isinstance(value, ir.ListValue):
        item = base.item if isinstance(base, ir.ListT) else ir.Prim(name="any")
        return [wire_template(api, v, item) for v in value.items]
    if isinstance(value, ir.ObjValue):
        if isinstance(base, ir.MapT):
            return {k: wire_template(api, v, base.value) for k, v in value.items}
        decl = api.types.get(base.name) if isinstance(base, ir.Ref) else None
        if isinstance(decl, ir.Union_):
            variant = _variant_of(api, decl, value)
            decl = api.types.get(variant or "")
        assert isinstance(decl, ir.Record)
        out = {}
        for k, v in value.items:
            f = decl.field(k)
            assert f is not None
            out[f.json_name] = wire_template(api, v, f.type)
        return out
    raise TypeError(value)


def derived_problem(api: ir.Api, record: ir.Record, name: str, d: ir.Derived) -> tuple[str, str | None] | None:
    """Why a derived field cannot be filled as declared (message, hint), None when it can."""
    f = record.field(name)
    assert f is not None
    source = record.field(d.source)
    if source is None:
        from tinkc.diagnostics import did_you_mean

        names = [x.name for x in record.fields if x.name != name]
        return f"`from: {d.source}`: record `{record.id}` has no such field", did_you_mean(d.source, names) or f"one of: {', '.join(names)}"
    if base_type(api, source.type)[0] != ir.Prim(name="string"):
        return f"`from: {d.source}` is not a `string` field", None
    parsed = api.types.get(d.parse)
    if not isinstance(parsed, ir.Record) or parsed.parse is None:
        names = [t.id for t in api.types.values() if isinstance(t, ir.Record) and t.parse is not None]
        return f"`parse: {d.parse}` is not a record with a parse template", (f"e.g. `{names[0]}`" if names else None)
    if d.var not in {v.name for v in parsed.parse.variables}:
        return (
            f"`field: {d.var}` is not a variable of `{parsed.parse.template}`",
            f"one of: {', '.join(v.name for v in parsed.parse.variables)}",
        )
    if f.required or base_type(api, f.type)[0] != ir.Prim(name="string"):
        return f"derived field `{record.id}.{name}` must be an optional string (`string?`): text that does not match leaves it absent", None
    if name == d.source:
        return f"field `{name}` cannot be derived from itself", None
    return None


# ---------------------------------------------------------------------------------------------------
# Helper expressions (`get:` beyond a plain path; grammar/helper_expr.lark), typed once here. Every
# SDK's runtime evaluates the same tree (`evaluate`), the backends only spell it:
#
# * ``EPath`` — ``project`` of the path (above); ``EKey`` — a map's value at a key (absent: null);
# * ``ECall`` — the helper of that name of each item the path reads (of one value, or of every
#   item of a list), a union item by its variant's own helper; an absent item gives null, a variant
#   without the helper is the SDK's invalid-argument error (as a field it lacks is);
# * ``EFunc`` — ``len`` (items of a list or keys of a map; absent: 0), ``sum`` (of a list of
#   numbers; absent or empty: 0), ``required`` (the value, or the invalid-argument error when it
#   is absent: `ImageChunk.length` of a chunk without `expected_tokens`), ``json`` (the value's
#   JSON form, as the SDK sends it: `TelemetryBatch.to_list`);
# * ``ECompare`` — ``==``, ``!=``, ``in``: the value against literals of its own type (an enum's
#   value as the enum's member) answering a bool; ``ELit`` — a literal.


@attrs.frozen(kw_only=True)
class EPath:
    steps: tuple[PathStep, ...]


@attrs.frozen(kw_only=True)
class EKey:
    of: Expr
    key: str


@attrs.frozen(kw_only=True)
class ECase:
    """One variant's helper, for the items of record ``record`` (a union item: tagged ``tag`` in the
    union's ``discriminator``; an item of a plain record: ``discriminator`` None, matching any)."""

    record: str
    discriminator: str | None
    tag: str | None
    expr: Expr


@attrs.frozen(kw_only=True)
class ECall:
    of: Expr
    many: bool  # the items of a list (the answer is their list), else one value
    name: str
    cases: tuple[ECase, ...]


@attrs.frozen(kw_only=True)
class EFunc:
    name: str  # len | sum | required | json
    arg: Expr
    type: ir.TypeRef | None = None  # json: the argument's type (how each SDK encodes it)


@attrs.frozen(kw_only=True)
class ECompare:
    op: str  # == | != | in
    left: Expr
    values: tuple[Any, ...]
    type: ir.TypeRef  # the left side's type: how a backend spells the literals


@attrs.frozen(kw_only=True)
class ELit:
    value: Any


Expr = EPath | EKey | ECall | EFunc | ECompare | ELit

# (message, span, hint): why an expression is wrong
Problem = tuple[str, Any, str | None]

_INT = ir.Prim(name="int")
_FLOAT = ir.Prim(name="float")
_BOOL = ir.Prim(name="bool")


def owner_helpers(api: ir.Api, type_id: str) -> tuple[ir.Helper, ...]:
    decl = api.types.get(type_id)
    return decl.helpers if isinstance(decl, (ir.Record, ir.Enum)) else ()


def helper_expr(api: ir.Api, owner: str, helper: ir.Helper, calling: tuple[str, ...] = ()) -> tuple[Expr, ir.TypeRef] | Problem:
    """A `get` helper of ``owner`` (a plain path or an expression) typed: its tree and the type it
    answers, or why it is wrong. ``calling``: the helpers being typed (a cycle is an error)."""
    key = f"{owner}.{helper.name}"
    if key in calling:
        return f"helper `{key}` calls itself (through {' -> '.join((*calling, key))})", helper.span, None
    if helper.kind == "get":
        got = get_path(api, owner, helper.path)
        if isinstance(got, str):
            return got, helper.span, None
        return EPath(steps=got[0]), got[1]
    if helper.kind != "expr" or helper.expr is None:
        return f"helper `{key}` builds a value; only a helper reading one can be called in an expression", helper.span, None
    expr = helper.expr
    if isinstance(expr, ir.ExprPath) and not expr.steps and expr.key is None and expr.call is None:
        return "it reads nothing", expr.span, 'name a field: `${self.field}`, or compare: `${self} == "x"`'
    return _typed(api, owner, expr, (*calling, key))


def _typed(api: ir.Api, owner: str, e: ir.HelperExpr, calling: tuple[str, ...]) -> tuple[Expr, ir.TypeRef] | Problem:
    from tinkc.frontend.grammars import format_type

    t: ir.TypeRef
    if isinstance(e, ir.ExprLit):
        t = _BOOL if isinstance(e.value, bool) else _INT if isinstance(e.value, int) else ir.Prim(name="string")
        return ELit(value=e.value), t
    if isinstance(e, ir.ExprPath):
        got = get_path(api, owner, e.steps)
        if isinstance(got, str):
            return got, e.span, None
        node: Expr = EPath(steps=got[0])
        t = got[1]
        many = isinstance(base_type(api, t)[0], ir.ListT) and "*" in e.steps
        if e.key is not None:
            if many:
                return f"`[{json_text(e.key)}]` after `[*]`: a key is read from one map, not from every item of a list", e.span, None
            base, _ = base_type(api, t)
            if not isinstance(base, ir.MapT):
                return f"`[{json_text(e.key)}]` reads a map, and `{format_type(t)}` is not one", e.span, None
            value = base.value.inner if isinstance(base.value, ir.Nullable) else base.value
            return EKey(of=node, key=e.key), ir.Nullable(inner=value)
        if e.call is not None:
            item = base_type(api, t)[0].item if many else t  # type: ignore[union-attr]
            return _call(api, node, many, item, e.call, e.span, calling)
        return node, t
    if isinstance(e, ir.ExprFunc):
        got_arg = _typed(api, owner, e.arg, calling)
        if len(got_arg) == 3:
            return got_arg
        arg, t = got_arg
        base, _ = base_type(api, t)
        if e.name == "required":
            return EFunc(name="required", arg=arg), base
        if e.name == "json":
            return EFunc(name="json", arg=arg, type=t), _json_type(api, t)
        if e.name == "len":
            if not isinstance(base, (ir.ListT, ir.MapT)):
                return f"`len` counts the items of a list or a map, and `{format_type(t)}` is neither", e.span, None
            return EFunc(name="len", arg=arg), _INT
        item = base_type(api, base.item) if isinstance(base, ir.ListT) else None
        if item is None or item[0] not in (_INT, _FLOAT) or item[1]:
            absent = item is not None and item[0] in (_INT, _FLOAT)
            return (
                f"`sum` adds a list of numbers (`[int]` or `[float]`), and `{format_type(t)}` is not one",
                e.span,
                "an item that may be absent cannot be added: wrap what gives it in `required(...)`" if absent else None,
            )
        return EFunc(name="sum", arg=arg), item[0]
    got_left = _typed(api, owner, e.left, calling)
    if len(got_left) == 3:
        return got_left
    left, t = got_left
    base, _ = base_type(api, t)
    scalar = isinstance(base, ir.Prim) and base.name in ("string", "int", "float", "bool")
    decl = api.types.get(base.name) if isinstance(base, ir.Ref) else None
    literals = isinstance(base, ir.Lit) or isinstance(base, ir.UnionT) and all(isinstance(m, ir.Lit) for m in base.members)
    if not (scalar or isinstance(decl, ir.Enum) or literals):
        return f"`{e.op}` compares a string, a number, a bool or an enum value, and `{format_type(t)}` is none of them", e.span, None
    for v in e.values:
        problem = const_problem(api, base, v)
        if problem:
            return f"`{e.op}` compares with {json_text(v)}: {problem}", e.span, None
    return ECompare(op=e.op, left=left, values=e.values, type=base), _BOOL


def _json_type(api: ir.Api, t: ir.TypeRef) -> ir.TypeRef:
    """What `json(x)` answers: a record's or union's JSON object is `map[string,any]`, a list's
    each item's; anything else is JSON of no more precise type (`any`)."""
    base, nullable = base_type(api, t)
    if isinstance(base, ir.ListT):
        out: ir.TypeRef = ir.ListT(item=_json_type(api, base.item))
    elif isinstance(base, ir.Ref) and isinstance(api.types.get(base.name), (ir.Record, ir.Union_)):
        out = ir.MapT(value=ir.Prim(name="any"))
    else:
        return ir.Prim(name="any")
    return ir.Nullable(inner=out) if nullable else out


def json_text(v: Any) -> str:
    import json

    return json.dumps(v)


def _call(
    api: ir.Api, of: Expr, many: bool, item: ir.TypeRef, name: str, span: Any, calling: tuple[str, ...]
) -> tuple[Expr, ir.TypeRef] | Problem:
    """`.name()` on the items of type ``item``: each variant's own helper."""
    from tinkc.frontend.grammars import format_type

    base, absent = base_type(api, item)
    decl = api.types.get(base.name) if isinstance(base, ir.Ref) else None
    if isinstance(decl, ir.Union_):
        if not decl.discriminator:
            return f"`{decl.id}` is an untagged union: which helper an item calls would be a guess", span, None
        owners: list[tuple[str, str | None, str | None]] = [(v.type, decl.discriminator, str(v.tag)) for v in decl.variants]
    elif isinstance(decl, (ir.Record, ir.Enum)):
        owners = [(decl.id, None, None)]
    else:
        return f"`.{name}()` calls a helper of a record, an enum or a union's variants, and `{format_type(item)}` is none", span, None
    cases = []
    result: ir.TypeRef | None = None
    for owner, disc, tag in owners:
        h = next((x for x in owner_helpers(api, owner) if x.name == name), None)
        if h is None:
            continue
        got = helper_expr(api, owner, h, calling)
        if len(got) == 3:
            return f"`.{name}()` calls `{owner}.{name}`: {got[0]}", span, got[2]
        if result is not None and got[1] != result:
            return f"`.{name}()`: the variants' helpers answer different types", span, None
        result = got[1]
        cases.append(ECase(record=owner, discriminator=disc, tag=tag, expr=got[0]))
    if result is None:
        return f"no helper `{name}` on `{format_type(item)}`" + (" or its variants" if isinstance(decl, ir.Union_) else ""), span, None
    if absent and not isinstance(result, ir.Nullable):
        result = ir.Nullable(inner=result)
    return ECall(of=of, many=many, name=name, cases=tuple(cases)), (ir.ListT(item=result) if many else result)


def may_fail(e: Expr) -> bool:
    """Whether evaluating ``e`` can be the invalid-argument error (a `required` value absent, an
    item whose variant lacks the field or helper read): the SDKs' docs say so only then."""
    if isinstance(e, EPath):
        return any(s.variants for s in e.steps)
    if isinstance(e, EKey):
        return may_fail(e.of)
    if isinstance(e, ECall):
        return len(e.cases) > 1 or any(c.discriminator for c in e.cases) or may_fail(e.of) or any(may_fail(c.expr) for c in e.cases)
    if isinstance(e, EFunc):
        return e.name == "required" or may_fail(e.arg)
    if isinstance(e, ECompare):
        return may_fail(e.left)
    return False


# ---------------------------------------------------------------------------------------------------
# `push` helpers: a copy of the value with an item appended to a list field (or merged into the
# last item of the same kind). Every SDK runs it in JSON form: the value encoded as it is sent, the
# item built like a `new` template, then the whole decoded as the record (so what does not fit is
# the invalid-argument error).


@attrs.frozen(kw_only=True)
class PushMerge:
    """Merge into the last item when it is of the same kind: ``field`` (wire name) is extended;
    same kind: ``discriminator`` (wire name) equal to ``tag``, or any item (None) of a plain record."""

    field: str
    discriminator: str | None
    tag: str | None


def _push_item(api: ir.Api, record: ir.Record, push: ir.Push) -> tuple[ir.TypeRef, ir.Record | None] | str:
    """The item type of the list ``push.to`` and the record the pushed value is (None: unknown)."""
    f = record.field(push.to)
    if f is None:
        return f"record `{record.id}` has no field `{push.to}`"
    base, _ = base_type(api, f.type)
    if not isinstance(base, ir.ListT):
        from tinkc.frontend.grammars import format_type

        return f"`to: {push.to}` is `{format_type(f.type)}`, not a list"
    item = base.item
    ib, _ = base_type(api, item)
    decl = api.types.get(ib.name) if isinstance(ib, ir.Ref) else None
    if isinstance(decl, ir.Union_) and decl.discriminator and isinstance(push.value, ir.ObjValue):
        variant = _variant_of(api, decl, push.value)
        rec = api.types.get(variant or "")
        return item, rec if isinstance(rec, ir.Record) else None
    return item, decl if isinstance(decl, ir.Record) else None


def check_push(api: ir.Api, helper: ir.Helper, record: ir.Record) -> list[tuple[str, Any, str | None]]:
    """Why a `push` helper is wrong (message, span, hint), nothing when it is right."""
    push = helper.push
    assert push is not None
    head = f"`push` of helper `{record.id}.{helper.name}`"
    got = _push_item(api, record, push)
    if isinstance(got, str):
        return [(f"{head}: {got}", push.span, None)]
    if any(isinstance(p.type, ir.Nullable) or p.has_default for p in helper.params):
        return [(f"{head}: its parameters are all required (the value and the item)", helper.span, None)]
    # the item checked as a `new` template of the record holding just that list
    probe = ir.Helper(name=helper.name, params=helper.params, new=ir.ObjValue(items=((push.to, ir.ListValue(items=(push.value,))),)))
    out = []
    for message, span, hint in check_new(api, probe, record.id):
        if f"field `{record.id}." in message and "is required" in message:
            continue  # the record's other fields come from the value itself
        out.append((message.replace(f"`new` of helper `{record.id}.{helper.name}`", head), span, hint))
    if push.merge is not None:
        item, rec = got
        if rec is None:
            return [*out, (f"{head}: `merge` needs the item's variant named by its discriminator in `value`", push.span, None)]
        mf = rec.field(push.merge)
        if mf is None or not isinstance(base_type(api, mf.type)[0], ir.ListT):
            return [*out, (f"{head}: `merge: {push.merge}` is not a list field of `{rec.id}`", push.span, None)]
    return out


def push_plan(api: ir.Api, record: ir.Record, push: ir.Push) -> tuple[str, Any, PushMerge | None]:
    """A checked `push`: the list's wire name, the item's template (JSON with `HelperArg`s) and how
    it merges into the last item."""
    got = _push_item(api, record, push)
    assert not isinstance(got, str)
    item, rec = got
    f = record.field(push.to)
    assert f is not None
    merge = None
    if push.merge is not None:
        assert rec is not None
        mf = rec.field(push.merge)
        assert mf is not None
        ib, _ = base_type(api, item)
        union = api.types.get(ib.name) if isinstance(ib, ir.Ref) else None
        if isinstance(union, ir.Union_) and union.discriminator:
            disc = rec.field(union.discriminator)
            tag = next(str(v.tag) for v in union.variants if v.type == rec.id)
            merge = PushMerge(field=mf.json_name, discriminator=disc.json_name if disc else union.discriminator, tag=tag)
        else:
            merge = PushMerge(field=mf.json_name, discriminator=None, tag=None)
    return f.json_name, wire_template(api, push.value, item), merge
