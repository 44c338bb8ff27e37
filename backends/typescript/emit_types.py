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
from collections.abc import Iterable
from typing import Any

import attrs

from tinkc.backends.symbols import Symbol
from tinkc.backends.typescript import symbols as sym
from tinkc.backends.typescript.doc import (
    Doc,
    Group,
    array,
    block,
    call,
    comment_block,
    export_names,
    group,
    imports_doc,
    obj,
    pretty,
    signature,
)
from tinkc.backends.typescript.render import template
from tinkc.backends.typescript.symbols import SCHEMA, TYPES, Imports, Symbols
from tinkc.ir import nodes as ir
from tinkc.ir.helpers import ECall, ECompare, EFunc, EKey, ELit, EPath, Expr, HelperArg, PathStep, may_fail
from tinkc.ir.queries import type_refs
from tinkc.sdk import SdkPlan, extensions_of
from tinkc.sdk.plan import ExtensionFunction, ExtensionPlan, HelperPlan, helper_name, tag_accessor_of, type_namespaces

PRIMS = {"string": "string", "int": "number", "float": "number", "bool": "boolean", "bytes": "string", "any": "unknown",
         "datetime": "string", "date": "string"}  # fmt: skip
PRIM_SCHEMAS = {"string": "string", "int": "int", "float": "float", "bool": "bool", "bytes": "bytes", "any": "unknown",
                "datetime": "datetime", "date": "date"}  # fmt: skip


def ts_literal(value: Any) -> str:
    """A TypeScript expression for frozen JSON data."""
    if type(value) is str:  # most values (751 of 901 an emit): no thaw, no chain of tests
        return sym.string_literal(value)
    value = ir.thaw(value)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        # JSON's spelling, with the exponent as Prettier writes it (`1e-05` → `1e-5`, `1e+21` → `1e21`)
        return re.sub(r"e([+-]?)0*(\d)", lambda m: "e" + m.group(1).replace("+", "") + m.group(2), json.dumps(value))
    if isinstance(value, str):
        return sym.string_literal(value)
    if isinstance(value, list):
        return "[" + ", ".join(ts_literal(v) for v in value) + "]"
    if isinstance(value, dict):
        if not value:
            return "{}"
        return "{ " + ", ".join(f"{sym.literal_key(k)}: {ts_literal(v)}" for k, v in value.items()) + " }"
    raise TypeError(value)


class TypeExprs:
    """Type and schema expressions written into one file: every declared type and every schema
    combinator it names is recorded in the file's imports as it is written. ``namespaced``: the
    types are reached through the `t` namespace (the conformance driver, where a type may share a
    name with something of its own)."""

    def __init__(self, names: Symbols, imports: Imports, namespaced: bool = False) -> None:
        self.names = names
        self.imports = imports
        self.namespaced = namespaced

    @property
    def s(self) -> str:
        """The schema module's namespace (`s`), recorded as used."""
        return self.imports.use(SCHEMA)

    def type_ref(self, tid: str) -> str:
        if self.namespaced:
            return f"{self.imports.use(TYPES)}.{self.names.type(tid)}"
        return self.imports.use(self.names.type_symbol(tid))

    def ts_type(self, t: ir.TypeRef | None) -> str:
        if t is None:
            return "unknown"
        if isinstance(t, ir.Prim):
            return PRIMS[t.name]
        if isinstance(t, ir.Ref):
            return self.type_ref(t.name)
        if isinstance(t, ir.ListT):
            item = self.ts_type(t.item)
            union_item = isinstance(t.item, ir.UnionT) or (isinstance(t.item, ir.Nullable) and item != "unknown")
            return f"({item})[]" if union_item else f"{item}[]"
        if isinstance(t, ir.MapT):
            return f"{{ [key: string]: {self.ts_type(t.value)} }}"
        if isinstance(t, ir.Nullable):
            inner = self.ts_type(t.inner)
            return inner if inner == "unknown" else f"{inner} | null"
        if isinstance(t, ir.Lit):
            return ts_literal(t.value)
        if isinstance(t, ir.UnionT):
            return " | ".join(self.ts_type(m) for m in t.members)
        if isinstance(t, ir.FutureT):
            return self.ts_type(t.result)
        raise TypeError(f"no TypeScript type for {t!r}")

    def schema(self, t: ir.TypeRef | None, lazy: bool = False) -> Doc:
        """The schema of a type expression. ``lazy``: named schemas are referred to through
        `s.lazy(() => X)`, for expressions evaluated while the module is still being defined."""
        if t is None:
            return f"{self.s}.unknown"
        if isinstance(t, ir.Prim):
            return f"{self.s}.{PRIM_SCHEMAS[t.name]}"
        if isinstance(t, ir.Ref):
            name = self.type_ref(t.name)
            return f"{self.s}.lazy(() => {name})" if lazy else name
        if isinstance(t, ir.ListT):
            return call(f"{self.s}.list", [self.schema(t.item, lazy)])
        if isinstance(t, ir.MapT):
            return call(f"{self.s}.map", [self.schema(t.value, lazy)])
        if isinstance(t, ir.Nullable):
            inner = self.schema(t.inner, lazy)
            return inner if inner == f"{self.s}.unknown" else call(f"{self.s}.nullable", [inner])
        if isinstance(t, ir.Lit):
            return call(f"{self.s}.literal", [ts_literal(t.value)])
        if isinstance(t, ir.UnionT):
            if all(isinstance(m, ir.Lit) for m in t.members):
                return call(f"{self.s}.literal", [ts_literal(m.value) for m in t.members])  # type: ignore[union-attr]
            members = array([self.schema(m) for m in t.members])
            described = TypeExprs(self.names, Imports(self.imports.origin)).ts_type(t)  # (a description: not imported)
            return call(f"{self.s}.oneOf", [sym.string_literal(described), ["() => ", members]])
        if isinstance(t, ir.FutureT):
            return self.schema(t.result, lazy)
        raise TypeError(f"no schema for {t!r}")

    def nothing(self) -> str:
        """The schema of an answer that carries nothing (a future without a response type)."""
        return f"{self.s}.nothing"


def _refs(t: ir.TypeRef | None) -> Iterable[str]:
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


def field_is_optional(rec: ir.Record, f: ir.Field, inputs: frozenset[str], tags: dict[str, set[str]]) -> bool:
    """Is the property `name?:` in the interface? (See the module docstring.)"""
    if f.required:
        return False
    if not f.has_default:
        return True
    if f.name in tags.get(rec.id, ()):
        return False  # a union's tag: narrowing needs it
    return rec.id in inputs


class TypesWriter:
    """`src/types.ts`: each declaration's shell comes from the template (`types.ts.jinja`); its
    type expressions and schemas are layout documents, printed by the template's filters."""

    def __init__(self, ctx: Context, plan: SdkPlan, names: Symbols) -> None:
        self.ctx = ctx
        self.plan = plan
        self.names = names
        self.imports = Imports("src/types.ts")
        self.x = TypeExprs(names, self.imports)

    def thunk(self, body: Doc) -> Doc:
        """`() => (body)` for an object literal, `() => body` otherwise."""
        literal = isinstance(body, Group) and isinstance(body.contents, list) and body.contents[:1] == ["{"]
        return ["() => (", body, ")"] if literal else ["() => ", body]

    def field_schema(self, f: ir.Field) -> Doc:
        schema = self.x.schema(f.type)
        wire = [sym.string_literal(f.json_name)] if f.json_name != f.name else []
        if f.required:
            return call(f"{self.x.s}.required", [schema, *wire])
        if f.has_default:
            return call(f"{self.x.s}.withDefault", [schema, ts_literal(f.default), *wire])
        return call(f"{self.x.s}.optional", [schema, *wire])

    def record(self, rec: ir.Record) -> dict[str, Any]:
        members = [
            # (an optional field the server sends as null is decoded as absent: its type stays `T`)
            {
                "doc": f.doc,
                "deprecated": f.deprecated,
                "key": sym.property_key(f.name),
                "optional": self.ctx.optional(rec, f),
                "type": self.x.ts_type(f.type),
            }
            for f in rec.fields
        ]
        fields = [group(sym.literal_key(f.name), ": ", self.field_schema(f)) for f in rec.fields]
        body = obj(fields, broken=True) if fields else group("{", "}")
        derived = self.plan.derived.get(rec.id, ())
        rows = [array([sym.string_literal(x) for x in (d.field, d.source, d.template, d.var)]) for d in derived]
        schema = call(f"{self.x.s}.record", [sym.string_literal(rec.id), self.thunk(body), *([array(rows)] if rows else [])])
        name = self.names.type(rec.id)
        parse: dict[str, Any] | None = None
        if rec.parse is not None:
            parse = {
                "doc": (f"Splits `text` by `{rec.parse.template}` into a `{name}`; throws `InvalidArgumentError` when it does not match."),
                "function": pretty(
                    [
                        signature(
                            f"export function {self.names.parse_function(rec.id, rec.parse.function).name}",
                            [("text", "string", None)],
                            f": {name} ",
                        ),
                        block(
                            [["return ", call(f"{self.x.s}.parseTemplate", [name, sym.string_literal(rec.parse.template), "text"]), ";"]]
                        ),
                    ]
                ).rstrip("\n"),
            }
        helpers = [self.helper(h) for h in self.plan.helpers.get(rec.id, ())]
        helpers += [self.delegation(e, f) for e in extensions_of(self.plan.api, "typescript") if e.record == rec.id for f in e.functions]
        if helpers:
            parse = parse or {"doc": None, "function": None}
            parse["helpers"] = helpers
        return {
            "kind": "record",
            "doc": rec.doc,
            "deprecated": rec.deprecated,
            "name": name,
            "members": members,
            "schema": schema,
            "parse": parse,
        }

    def template(self, value: Any) -> Doc:
        """A helper's `new` template as a literal, each argument through `s.wire`."""
        if isinstance(value, HelperArg):
            return call(f"{self.x.s}.wire", [self.x.schema(value.type), sym.variable(value.name)])
        if isinstance(value, dict):
            return obj([group(sym.literal_key(k), ": ", self.template(v)) for k, v in value.items()])
        if isinstance(value, list):
            return array([self.template(v) for v in value])
        return ts_literal(value)

    def helper(self, h: HelperPlan) -> dict[str, Any]:
        """A record's helper as a function beside it: `modelInputFromInts(tokens)` builds one (the
        optional parameters are trailing `x?:` ones), `getServerCapabilitiesResponseModelNames(value)`
        reads from one."""
        name = self.names.type(h.record)
        fn = self.names.parse_function(h.record, helper_name(h.name)).name
        doc = h.doc or f"The `{h.name}` helper of `{name}`."
        params: list[tuple[str, str, str | None]]
        if h.kind == "expr":
            assert h.expr is not None
            result = self.x.ts_type(h.result)
            # the result type as evaluate's type argument: Prettier breaks a long `as` type oddly
            body = ["return ", call(f"{self.x.s}.evaluate<{result}>", ["value", self.expr(h.expr)]), ";"]
            if may_fail(h.expr):
                doc += " A value it cannot answer for (what it reads is absent, or an item lacks it) throws `InvalidArgumentError`."
            params = [("value", name, None)]
        elif h.kind == "push":
            merge: Doc = (
                array([sym.string_literal(x) if x is not None else "null" for x in (h.merge.field, h.merge.discriminator, h.merge.tag)])
                if h.merge is not None
                else "null"
            )
            push = call(f"{self.x.s}.push", [name, "value", sym.string_literal(h.push_field or ""), self.template(h.template), merge])
            body = ["return ", push, ";"]
            doc += " A copy of the value; values that do not fit throw `InvalidArgumentError`."
            result = name
            params = [("value", name, None), *[(sym.variable(p.name), self.x.ts_type(p.type), None) for p in h.params]]
        elif h.kind == "get":
            result = self.x.ts_type(h.result)
            body = ["return ", call(f"{self.x.s}.project", ["value", self.path(h.path)]), " as ", result, ";"]
            doc += " A union item without the field read throws `InvalidArgumentError`."
            params = [("value", name, None)]
        else:
            body = ["return ", call(f"{self.x.s}.construct", [name, self.template(h.template)]), ";"]
            doc += " Values that do not fit throw `InvalidArgumentError`."
            result = name
            params = [
                (
                    sym.variable(p.name) + ("?" if p.optional and not p.has_default else ""),
                    self.x.ts_type(p.type.inner if isinstance(p.type, ir.Nullable) else p.type),
                    ts_literal(p.default) if p.has_default else None,
                )
                for p in h.params
            ]
        function = pretty([signature(f"export function {fn}", params, ""), ": ", result, " ", block([body])]).rstrip("\n")
        return {"doc": doc, "function": function}

    def path(self, path: tuple[PathStep, ...]) -> Doc:
        """A `get` path as `project` reads it: null (every item), a property, or [property,
        discriminator, tags] of a union item."""
        steps: list[Doc] = []
        for step in path:
            if step.field is None:
                steps.append("null")
            elif step.variants:
                tags = array([sym.string_literal(t) for t in step.tags])
                steps.append(array([sym.string_literal(step.field), sym.string_literal(step.discriminator or ""), tags]))
            else:
                steps.append(sym.string_literal(step.field))
        return array(steps)

    def expr(self, e: Expr) -> Doc:
        """A helper expression as the array `evaluate` reads (ir/helpers.py); a call's cases are
        [discriminator, tag, expression] (null, null: any item)."""
        if isinstance(e, EPath):
            return array([sym.string_literal("path"), self.path(e.steps)])
        if isinstance(e, ELit):
            return array([sym.string_literal("const"), ts_literal(e.value)])
        if isinstance(e, EKey):
            return array([sym.string_literal("key"), self.expr(e.of), sym.string_literal(e.key)])
        if isinstance(e, ECall):
            cases = [
                array(
                    [
                        sym.string_literal(c.discriminator) if c.discriminator else "null",
                        sym.string_literal(c.tag) if c.tag is not None else "null",
                        self.expr(c.expr),
                    ]
                )
                for c in e.cases
            ]
            return array([sym.string_literal("call"), self.expr(e.of), "true" if e.many else "false", array(cases)])
        if isinstance(e, EFunc):
            if e.name == "json":
                assert e.type is not None
                return array([sym.string_literal("json"), self.expr(e.arg), self.x.schema(e.type)])
            return array([sym.string_literal(e.name), self.expr(e.arg)])
        assert isinstance(e, ECompare)
        return array([sym.string_literal(e.op), self.expr(e.left), array([ts_literal(v) for v in e.values])])

    def delegation(self, ext: ExtensionPlan, f: ExtensionFunction) -> dict[str, Any]:
        """A function beside the record (`modelInputFromText`, named as its helpers are) calling the
        hand-written module's (`targets.typescript.extensions`). Its parameter and result types are
        the hand-written function's own, one parameter per the manifest's arity: tsc rejects the
        SDK when the hand-written function takes fewer."""
        ns = self.imports.use(Symbol("ext" + self.names.type(ext.record), "src" + ext.module[1:] + ".js", "namespace"))
        target = f"{ns}.{f.name}"
        fn = self.names.parse_function(ext.record, f.name).name
        params = [(f"arg{i}", f"Parameters<typeof {target}>[{i - 1}]", None) for i in range(1, f.arity + 1)]
        body = ["return ", call(target, [f"arg{i}" for i in range(1, f.arity + 1)]), ";"]
        function = pretty([signature(f"export function {fn}", params, ""), f": ReturnType<typeof {target}> ", block([body])]).rstrip("\n")
        doc = f"Delegates to `{f.name}` of `{ext.module}`, written by hand beside the SDK (`targets.typescript.extensions`)."
        return {"doc": doc, "function": function}

    def enum(self, decl: ir.Enum) -> dict[str, Any]:
        lines = [decl.doc.strip()] if decl.doc and decl.doc.strip() else []
        documented = [v for v in decl.values if v.doc]
        if documented:
            lines.append("\n".join(f"- `{v.value}`: {v.doc}" for v in documented))
        lines.append("A value this SDK does not know yet (a newer server may send one) is kept as it is.")
        values = array([ts_literal(v.value) for v in decl.values])
        return {
            "kind": "alias",
            "doc": "\n\n".join(lines),
            "deprecated": decl.deprecated,
            "name": self.names.type(decl.id),
            "members": [ts_literal(v.value) for v in decl.values] + ["(string & {})"],
            "schema": call(f"{self.x.s}.enumeration", [sym.string_literal(decl.id), values]),
            "helpers": [self.helper(h) for h in self.plan.helpers.get(decl.id, ())],
        }

    def union(self, decl: ir.Union_) -> dict[str, Any]:
        name = self.names.type(decl.id)
        variants = [self.names.type(v.type) for v in decl.variants]
        common = {"doc": decl.doc, "deprecated": decl.deprecated, "name": name}
        if not decl.discriminator:
            schema = call(f"{self.x.s}.oneOf", [sym.string_literal(decl.id), self.thunk(array(variants))])
            return {**common, "kind": "alias", "members": variants, "schema": schema}
        disc = decl.discriminator
        wire = disc
        for v in decl.variants:
            rec = self.plan.api.types.get(v.type)
            field = rec.field(disc) if isinstance(rec, ir.Record) else None
            if field is not None:
                wire = field.json_name
                break
        unknown = self.names.unknown[decl.id]
        tagged = [group(sym.literal_key(v.tag), ": ", self.names.type(v.type)) for v in decl.variants if v.tag is not None]
        literals = [sym.string_literal(decl.id), sym.string_literal(disc), sym.string_literal(wire)]
        return {
            **common,
            "kind": "tagged",
            "members": [*variants, unknown],
            "unknown_doc": (
                f"A `{decl.id}` variant this SDK does not know (a newer server may send one), kept as it came.\n"
                f"`{disc}` holds its tag; it is typed `never` so that narrowing on the known tags works."
            ),
            "unknown": unknown,
            "tag": sym.property_key(disc),
            "schema": call(f"{self.x.s}.tagged", [*literals, self.thunk(obj(tagged, broken=True))]),
            "accessor": self.tag_accessor(decl),
        }

    def tag_accessor(self, decl: ir.Union_) -> dict[str, str] | None:
        """`tag_accessor:`: a function beside the union answering a value's tag (an unknown
        variant's `never`-typed tag is its own string at run time)."""
        plan = tag_accessor_of(self.plan.api, decl)
        if plan is None:
            return None
        name = self.names.type(decl.id)
        key = sym.property_key(plan.field)
        access = f"value.{key}" if not key.startswith(('"', "'")) else f"value[{key}]"
        head = pretty(
            signature(f"export function {self.names.parse_function(decl.id, plan.name).name}", [("value", name, None)], ": string {")
        )
        return {
            "doc": f"The `{plan.wire}` tag of a `{name}` value, as its wire string (an unknown variant's own).",
            "head": head.rstrip("\n"),
            "body": f"  return {access};",
        }

    def alias_decl(self, decl: ir.Alias) -> dict[str, Any]:
        target = decl.target
        members = [self.x.ts_type(m) for m in target.members] if isinstance(target, ir.UnionT) else [self.x.ts_type(target)]
        return {
            "kind": "alias",
            "doc": decl.doc,
            "deprecated": decl.deprecated,
            "name": self.names.type(decl.id),
            "members": members,
            "schema": self.x.schema(target, lazy=True),
        }

    def module(self) -> str:
        declarations: list[dict[str, Any]] = []
        for decl in self.plan.api.types.values():  # declared order: schemas refer to each other lazily
            if isinstance(decl, ir.Record):
                declarations.append(self.record(decl))
            elif isinstance(decl, ir.Enum):
                declarations.append(self.enum(decl))
            elif isinstance(decl, ir.Union_):
                declarations.append(self.union(decl))
            elif isinstance(decl, ir.Alias):
                declarations.append(self.alias_decl(decl))
        title = f"Types of the {self.plan.service.name} API, with their runtime schemas. Generated by tinkc: do not edit."
        s = self.x.s if declarations else ""
        header = file_header(title, self.imports, exports=bool(declarations))
        return template("types.ts.jinja").render(header=header, declarations=declarations, s=s)


def file_header(title: str, imports: Imports, exports: bool = True) -> str:
    """A module's first lines: what it is, then its imports (as recorded); `export {};` when the
    module would otherwise declare nothing (it must still be a module)."""
    parts = [pretty(comment_block(title)).rstrip("\n")]
    if imports:
        parts.append(pretty(imports_doc(imports.statements())))
    if not exports:
        parts.append("export {};")
    return "\n\n".join(parts)


def types_module(plan: SdkPlan, names: Symbols, context: Context | None = None) -> str:
    return TypesWriter(context or Context.of(plan.api), plan, names).module()


def namespace_modules(plan: SdkPlan, names: Symbols) -> list[tuple[str, str]]:
    """`namespace:`: `src/types_<ns>.ts` re-exports the namespace's types (with their unions'
    unknown variants, type-only, and tag accessors) from types.ts; the index exports it as `<ns>`."""
    api = plan.api
    out = []
    for namespace, ids in type_namespaces(api).items():
        exported = []
        for tid in ids:
            decl = api.types[tid]
            exported.append(names.type(tid))
            if isinstance(decl, ir.Union_) and decl.discriminator:
                exported.append(f"type {names.unknown[tid]}")
                accessor = tag_accessor_of(api, decl)
                if accessor is not None:
                    exported.append(names.parse_function(tid, accessor.name).name)
        title = f"The `{namespace}` types of the {api.service.name} API (the same as in types.ts). Generated by tinkc: do not edit."
        text = pretty(comment_block(title)).rstrip("\n") + "\n\n" + pretty(export_names(exported, "./types.js"))
        out.append((f"src/{sym.namespace_module(namespace)}.ts", text if text.endswith("\n") else text + "\n"))
    return out
