"""`src/types.ts`: a TypeScript type and a runtime schema (same name) for every manifest type.

* records → interfaces, with a schema that checks a decoded answer field by field;
* enums → string-literal unions that still accept any string (`"a" | "b" | (string & {})`);
* discriminated unions → tagged unions of their variants plus an `Unknown…` variant for tags this
  SDK does not know (its tag is typed `never`, so narrowing on the known tags keeps working);
* aliases and untagged unions → type aliases.

Nullable (`T | null`) and optional (`field?: T`) are kept apart as the manifest declares them. A
field with a default is optional where the SDK sends the type (a caller may leave it out; the
encoder fills it in) and always present where the SDK only receives it (the decoder fills it in).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from typing import Any

import attrs

from tinkc.backends.typescript import naming
from tinkc.backends.typescript.doc import (
    HARDLINE,
    LINE,
    Doc,
    Group,
    Indent,
    array,
    assign,
    block,
    call,
    comment_block,
    group,
    obj,
    pretty_blocks,
    union,
)
from tinkc.ir import nodes as ir

PRIMS = {"string": "string", "int": "number", "float": "number", "bool": "boolean", "bytes": "string", "any": "unknown",
         "datetime": "string", "date": "string"}  # fmt: skip
PRIM_SCHEMAS = {"string": "s.string", "int": "s.int", "float": "s.float", "bool": "s.bool", "bytes": "s.bytes", "any": "s.unknown",
                "datetime": "s.datetime", "date": "s.date"}  # fmt: skip


def ts_literal(value: Any) -> str:
    """A TypeScript expression for frozen JSON data."""
    value = ir.thaw(value)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        # JSON's spelling, with the exponent as Prettier writes it (`1e-05` → `1e-5`, `1e+21` → `1e21`)
        return re.sub(r"e([+-]?)0*(\d)", lambda m: "e" + m.group(1).replace("+", "") + m.group(2), json.dumps(value))
    if isinstance(value, str):
        return naming.string_literal(value)
    if isinstance(value, list):
        return "[" + ", ".join(ts_literal(v) for v in value) + "]"
    if isinstance(value, dict):
        if not value:
            return "{}"
        return "{ " + ", ".join(f"{naming.literal_key(k)}: {ts_literal(v)}" for k, v in value.items()) + " }"
    raise TypeError(value)


def ts_type(t: ir.TypeRef | None) -> str:
    if t is None:
        return "unknown"
    if isinstance(t, ir.Prim):
        return PRIMS[t.name]
    if isinstance(t, ir.Ref):
        return naming.type_name(t.name)
    if isinstance(t, ir.ListT):
        item = ts_type(t.item)
        union_item = isinstance(t.item, ir.UnionT) or (isinstance(t.item, ir.Nullable) and item != "unknown")
        return f"({item})[]" if union_item else f"{item}[]"
    if isinstance(t, ir.MapT):
        return f"{{ [key: string]: {ts_type(t.value)} }}"
    if isinstance(t, ir.Nullable):
        inner = ts_type(t.inner)
        return inner if inner == "unknown" else f"{inner} | null"
    if isinstance(t, ir.Lit):
        return ts_literal(t.value)
    if isinstance(t, ir.UnionT):
        return " | ".join(ts_type(m) for m in t.members)
    if isinstance(t, ir.FutureT):
        return ts_type(t.result)
    raise TypeError(f"no TypeScript type for {t!r}")


def schema_expr(t: ir.TypeRef | None, lazy: bool = False, prefix: str = "") -> Doc:
    """The schema of a type expression. ``lazy``: named schemas are referred to through
    `s.lazy(() => X)`, for expressions evaluated while the module is still being defined;
    ``prefix``: how another module reaches the schemas of types.ts (`t.`)."""
    if t is None:
        return "s.unknown"
    if isinstance(t, ir.Prim):
        return PRIM_SCHEMAS[t.name]
    if isinstance(t, ir.Ref):
        name = prefix + naming.type_name(t.name)
        return f"s.lazy(() => {name})" if lazy else name
    if isinstance(t, ir.ListT):
        return call("s.list", [schema_expr(t.item, lazy, prefix)])
    if isinstance(t, ir.MapT):
        return call("s.map", [schema_expr(t.value, lazy, prefix)])
    if isinstance(t, ir.Nullable):
        inner = schema_expr(t.inner, lazy, prefix)
        return inner if inner == "s.unknown" else call("s.nullable", [inner])
    if isinstance(t, ir.Lit):
        return call("s.literal", [ts_literal(t.value)])
    if isinstance(t, ir.UnionT):
        if all(isinstance(m, ir.Lit) for m in t.members):
            return call("s.literal", [ts_literal(m.value) for m in t.members])  # type: ignore[union-attr]
        members = array([schema_expr(m, prefix=prefix) for m in t.members])
        return call("s.oneOf", [naming.string_literal(ts_type(t)), ["() => ", members]])
    if isinstance(t, ir.FutureT):
        return schema_expr(t.result, lazy, prefix)
    raise TypeError(f"no schema for {t!r}")


def _refs(t: ir.TypeRef | None) -> Iterable[str]:
    from tinkc.ir.queries import type_refs

    return (r.name for r in type_refs(t))


def input_types(api: ir.Api) -> frozenset[str]:
    """Types the SDK sends: reachable from requests, query and path parameters and flow inputs."""
    todo: list[str] = []
    for ep in api.endpoints.values():
        todo.extend(_refs(ep.request))
        for q in ep.query:
            todo.extend(_refs(q.type))
        for p in ep.path_params:
            todo.extend(_refs(p.type))
    for flow in api.flows.values():
        for i in flow.inputs:
            todo.extend(_refs(i.type))
    seen: set[str] = set()
    while todo:
        name = todo.pop()
        if name in seen or name not in api.types:
            continue
        seen.add(name)
        decl = api.types[name]
        if isinstance(decl, ir.Record):
            for f in decl.fields:
                todo.extend(_refs(f.type))
        elif isinstance(decl, ir.Union_):
            todo.extend(v.type for v in decl.variants)
        elif isinstance(decl, ir.Alias):
            todo.extend(_refs(decl.target))
    return frozenset(seen)


def union_tags(api: ir.Api) -> dict[str, set[str]]:
    """Record id → the discriminator fields by which a union selects it (always present)."""
    out: dict[str, set[str]] = {}
    for decl in api.types.values():
        if isinstance(decl, ir.Union_) and decl.discriminator:
            for v in decl.variants:
                out.setdefault(v.type, set()).add(decl.discriminator)
    return out


@attrs.frozen
class Context:
    """Facts about the API that several emitters need, computed once."""

    api: ir.Api
    inputs: frozenset[str]  # types the SDK sends
    tags: dict[str, set[str]]  # record id → the union discriminators that select it

    @classmethod
    def of(cls, api: ir.Api) -> Context:
        return cls(api, input_types(api), union_tags(api))

    def optional(self, rec: ir.Record, f: ir.Field) -> bool:
        return field_is_optional(rec, f, self.inputs, self.tags)


class TypeNames:
    """The names of generated declarations that are not manifest types (`Unknown…` variants)."""

    def __init__(self, api: ir.Api) -> None:
        taken = {naming.type_name(t) for t in api.types}
        self.unknown: dict[str, str] = {}
        for decl in api.types.values():
            if isinstance(decl, ir.Union_) and decl.discriminator:
                name = f"Unknown{naming.type_name(decl.id)}"
                while name in taken:
                    name += "_"
                taken.add(name)
                self.unknown[decl.id] = name


def field_is_optional(rec: ir.Record, f: ir.Field, inputs: frozenset[str], tags: dict[str, set[str]]) -> bool:
    """Is the property `name?:` in the interface? (See the module docstring.)"""
    if f.required:
        return False
    if not f.has_default:
        return True
    if f.name in tags.get(rec.id, ()):
        return False  # a union's tag: narrowing needs it
    return rec.id in inputs


def docs(text: str | None, deprecated: bool = False) -> list[Doc]:
    body = (text or "").strip()
    if deprecated:
        body = (body + "\n\n@deprecated" if body else "@deprecated").strip()
    return comment_block(body)


def record_docs(ctx: Context, rec: ir.Record) -> list[Doc]:
    name = naming.type_name(rec.id)
    members: list[Doc] = []
    for f in rec.fields:
        # (an optional field the server sends as null is decoded as absent: its type stays `T`)
        optional = "?" if ctx.optional(rec, f) else ""
        members.append([*docs(f.doc, f.deprecated), f"{naming.property_key(f.name)}{optional}: {ts_type(f.type)};"])
    interface: list[Doc] = [*docs(rec.doc, rec.deprecated), f"export interface {name} ", *block(members)]
    fields = [group(naming.literal_key(f.name), ": ", field_schema(f)) for f in rec.fields]
    body = obj(fields, broken=True) if fields else group("{", "}")
    schema = schema_const(name, call("s.record", [naming.string_literal(rec.id), thunk(body)]))
    return [interface, HARDLINE, schema]


def field_schema(f: ir.Field) -> Doc:
    schema = schema_expr(f.type)
    wire = [naming.string_literal(f.json_name)] if f.json_name != f.name else []
    if f.required:
        return call("s.required", [schema, *wire])
    if f.has_default:
        return call("s.withDefault", [schema, ts_literal(f.default), *wire])
    return call("s.optional", [schema, *wire])


def schema_const(name: str, value: Doc) -> Doc:
    """`export const Name: s.Schema<Name> = value;`"""
    return [assign(f"export const {name}: s.Schema<{name}>", value), ";"]


def thunk(body: Doc) -> Doc:
    """`() => (body)` for an object literal, `() => body` otherwise."""
    return ["() => (", body, ")"] if isinstance(body, Group) and body.contents and body.contents[0] == "{" else ["() => ", body]


def enum_docs(decl: ir.Enum) -> list[Doc]:
    name = naming.type_name(decl.id)
    lines = [decl.doc.strip()] if decl.doc and decl.doc.strip() else []
    documented = [v for v in decl.values if v.doc]
    if documented:
        lines.append("\n".join(f"- `{v.value}`: {v.doc}" for v in documented))
    lines.append("A value this SDK does not know yet (a newer server may send one) is kept as it is.")
    members = [ts_literal(v.value) for v in decl.values] + ["(string & {})"]
    return [
        *docs("\n\n".join(lines), decl.deprecated),
        group(f"export type {name} =", Indent([LINE, union(members)]), ";"),
        HARDLINE,
        schema_const(name, call("s.enumeration", [naming.string_literal(decl.id), array([ts_literal(v.value) for v in decl.values])])),
    ]


def union_docs(api: ir.Api, decl: ir.Union_, names: TypeNames) -> list[Doc]:
    name = naming.type_name(decl.id)
    variants = [naming.type_name(v.type) for v in decl.variants]
    if not decl.discriminator:
        return [
            *docs(decl.doc, decl.deprecated),
            group(f"export type {name} =", Indent([LINE, union(variants)]), ";"),
            HARDLINE,
            schema_const(name, call("s.oneOf", [naming.string_literal(decl.id), thunk(array(variants))])),
        ]
    disc = decl.discriminator
    wire = disc
    for v in decl.variants:
        rec = api.types.get(v.type)
        if isinstance(rec, ir.Record) and rec.field(disc) is not None:
            wire = rec.field(disc).json_name  # type: ignore[union-attr]
            break
    unknown = names.unknown[decl.id]
    tagged = [group(naming.literal_key(v.tag), ": ", naming.type_name(v.type)) for v in decl.variants if v.tag is not None]
    return [
        *docs(decl.doc, decl.deprecated),
        group(f"export type {name} =", Indent([LINE, union([*variants, unknown])]), ";"),
        HARDLINE,
        *comment_block(
            f"A `{decl.id}` variant this SDK does not know (a newer server may send one), kept as it came.\n"
            f"`{disc}` holds its tag; it is typed `never` so that narrowing on the known tags works."
        ),
        f"export interface {unknown} ",
        *block([f"readonly {naming.property_key(disc)}: never;", "readonly [field: string]: unknown;"]),
        HARDLINE,
        schema_const(
            name,
            call(
                "s.tagged",
                [naming.string_literal(decl.id), naming.string_literal(disc), naming.string_literal(wire), thunk(obj(tagged, broken=True))],
            ),
        ),
    ]


def alias_docs(decl: ir.Alias) -> list[Doc]:
    name = naming.type_name(decl.id)
    target = decl.target
    members = [ts_type(m) for m in target.members] if isinstance(target, ir.UnionT) else [ts_type(target)]
    return [
        *docs(decl.doc, decl.deprecated),
        group(f"export type {name} =", Indent([LINE, union(members)]), ";"),
        HARDLINE,
        schema_const(name, schema_expr(target, lazy=True)),
    ]


def types_module(api: ir.Api) -> str:
    ctx = Context.of(api)
    names = TypeNames(api)

    def declarations() -> Iterator[Doc]:
        yield [
            *comment_block(f"Types of the {api.service.name} API, with their runtime schemas. Generated by tinkc: do not edit."),
            HARDLINE,
            'import * as s from "./runtime/schema.js";',
        ]
        for decl in api.types.values():
            if isinstance(decl, ir.Record):
                yield record_docs(ctx, decl)
            elif isinstance(decl, ir.Enum):
                yield enum_docs(decl)
            elif isinstance(decl, ir.Union_):
                yield union_docs(api, decl, names)
            elif isinstance(decl, ir.Alias):
                yield alias_docs(decl)

    return pretty_blocks(declarations()) + "\n"
