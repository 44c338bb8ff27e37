"""The Python rendering of IR types: type expressions, literals, docstrings, and `types.py` (the models).

Each declaration kind has its template (`templates/decl/`: model, enum, union, alias) inside the
module's (`types.py.jinja`); what can exceed the line width (a field, an alias, a union's members)
is laid out here by the shared printer (:mod:`tinkc.backends.python.pydoc`). Each module's imports
are recorded as its types are spelled."""

from __future__ import annotations

import graphlib
from types import SimpleNamespace
from typing import Any

from tinkc.backends.python import pydoc as d
from tinkc.backends.python import symbols as sym
from tinkc.backends.python.literals import docstring, py_literal
from tinkc.backends.python.symbols import Imports
from tinkc.backends.python.templating import render
from tinkc.backends.symbols import Symbol
from tinkc.ir import nodes as ir
from tinkc.ir.helpers import ECall, ECompare, EFunc, EKey, ELit, EPath, Expr, HelperArg, PathStep, may_fail
from tinkc.ir.queries import type_refs
from tinkc.sdk import SdkPlan, extensions_of
from tinkc.sdk.plan import ExtensionFunction, HelperPlan, helper_name, tag_accessor_of, type_namespaces


def py_type(t: ir.TypeRef, imports: Imports) -> str:
    """The annotation of a type; the names it needs are recorded in ``imports``."""
    if isinstance(t, ir.Prim):
        return imports.use(sym.lib(sym.PRIMS[t.name])) if t.name in ("bytes", "any", "datetime", "date") else sym.PRIMS[t.name]
    if isinstance(t, ir.Ref):
        return imports.use(sym.type_symbol(t.name))
    if isinstance(t, ir.ListT):
        return f"list[{py_type(t.item, imports)}]"
    if isinstance(t, ir.MapT):
        return f"dict[str, {py_type(t.value, imports)}]"
    if isinstance(t, ir.Nullable):
        return f"{py_type(t.inner, imports)} | None"
    if isinstance(t, ir.Lit):
        return f"{imports.use(sym.lib('Literal'))}[{py_literal(t.value)}]"
    if isinstance(t, ir.UnionT):
        literals = [m for m in t.members if isinstance(m, ir.Lit)]
        others = [py_type(m, imports) for m in t.members if not isinstance(m, ir.Lit)]
        if literals:  # `"a" | "b"` is one `Literal["a", "b"]`
            others.insert(0, f"{imports.use(sym.lib('Literal'))}[{', '.join(py_literal(m.value) for m in literals)}]")
        return " | ".join(others)
    raise TypeError(f"no Python type for {t!r}")


def optional(annotation: str) -> str:
    """The annotation of a parameter or field that may be left out (None)."""
    return annotation if annotation.endswith("| None") or annotation == "Any" else f"{annotation} | None"


def typed_default(api: ir.Api, t: ir.TypeRef, value: Any, imports: Imports) -> tuple[str, bool]:
    """A default value as a Python expression of the field's own type, and whether it must be
    built by a factory (mutable or model values)."""
    value = ir.thaw(value)
    if value is None:
        return "None", False
    base = api.resolve_alias(t.inner if isinstance(t, ir.Nullable) else t)
    base = base.inner if isinstance(base, ir.Nullable) else base
    decl = api.types.get(base.name) if isinstance(base, ir.Ref) else None
    if isinstance(decl, ir.Enum) and isinstance(value, str):
        cls = imports.use(sym.type_symbol(decl.id))
        member = sym.enum_members(v.value for v in decl.values).get(value)
        if member is not None:
            return f"{cls}.{member}", False
        return f"{cls}({py_literal(value)})", False
    if isinstance(decl, ir.Record):
        return f"lambda: {imports.use(sym.type_symbol(decl.id))}.model_validate({py_literal(value)})", True
    if decl is not None or any(r.name in api.types for r in type_refs(base)):
        adapter = imports.use(sym.lib("TypeAdapter"))
        return f"lambda: {adapter}({py_type(t, imports)}).validate_python({py_literal(value)})", True
    if isinstance(value, (list, dict)):
        empty = "list" if isinstance(value, list) else "dict"
        return (empty if not value else f"lambda: {py_literal(value)}"), True
    return py_literal(value), False


# -- declarations ---------------------------------------------------------------------------------


def text(lines: list[str]) -> str:
    """Lines as one text for a template (which writes the newline after it)."""
    return "\n".join(lines)


def noted(doc: str | None, deprecated: bool) -> str | None:
    """A declaration's docstring text, saying "Deprecated." when it is (as Elixir's moduledoc and
    TypeScript's `@deprecated` tag do): a PEP 702 decorator on a model would warn on every value
    the SDK decodes, not only on the user's own use."""
    if not deprecated:
        return doc
    return f"{doc}\n\nDeprecated." if doc else "Deprecated."


def field(api: ir.Api, f: ir.Field, imports: Imports) -> SimpleNamespace:
    """A model's field: its line (`name: T = Field(...)`, laid out at one indent) and docstring."""
    name = sym.field_name(f.name)
    annotation = py_type(f.type, imports)
    args: list[tuple[str, str]] = []  # (keyword, value) of `Field(...)`
    if f.has_default:
        expr, factory = typed_default(api, f.type, f.default, imports)
        args.append(("default_factory" if factory else "default", expr))
    elif not f.required:
        annotation = optional(annotation)
        args.append(("default", "None"))
    if f.json_name != name:
        args.append(("alias", py_literal(f.json_name)))
    head = f"{name}: {annotation}"
    if not args:
        doc: d.Doc = head
    elif len(args) == 1 and args[0][0] == "default":
        doc = f"{head} = {args[0][1]}"
    else:
        doc = [head, " = ", d.call(imports.use(sym.lib("Field")), [f"{k}={v}" for k, v in args])]
    return SimpleNamespace(line=d.render(doc, 1), doc=text(docstring(noted(f.doc, f.deprecated), "    ")))


def record_block(api: ir.Api, rec: ir.Record, imports: Imports, plan: SdkPlan | None = None) -> SimpleNamespace:
    parse = parse_method(rec, imports)
    extra = [parse] if parse else []
    if plan is not None:
        extra += [helper_method(api, h, imports) for h in plan.helpers.get(rec.id, ())]
        extra += [delegation(e.module, f, imports) for e in extensions_of(api, "python") if e.record == rec.id for f in e.functions]
        derived = plan.derived.get(rec.id, ())
        if derived:
            rows = [
                d.collection(
                    "(",
                    [py_literal(sym.field_name(x.field)), py_literal(sym.field_name(x.source)), py_literal(x.template), py_literal(x.var)],
                    ")",
                )
                for x in derived
            ]
            value = d.collection("(", rows, ")", tuple_=True)
            extra.insert(
                0, d.render([f"tinkc_derived: {imports.use(sym.lib('ClassVar'))}[tuple[tuple[str, str, str, str], ...]] = ", value], 1)
            )
    return SimpleNamespace(
        kind="record",
        name=sym.type_name(rec.id),
        base=imports.use(sym.lib("WireModel")),
        doc=text(docstring(noted(rec.doc, rec.deprecated), "    ")),
        fields=[field(api, f, imports) for f in rec.fields],
        parse="\n\n".join(extra) if extra else None,
    )


def template_doc(value: Any, names: dict[str, str], imports: Imports) -> d.Doc:
    """A helper's `new` template as a Python literal, each argument through `to_wire`."""
    if isinstance(value, HelperArg):
        return d.call(imports.use(sym.lib("to_wire")), [names[value.name]])
    if isinstance(value, dict):
        return d.collection("{", [[py_literal(k), ": ", template_doc(v, names, imports)] for k, v in value.items()], "}")
    if isinstance(value, list):
        return d.collection("[", [template_doc(v, names, imports) for v in value], "]")
    return py_literal(value)


def helper_method(api: ir.Api, h: HelperPlan, imports: Imports) -> str:
    """A record's helper: a classmethod building it (`ModelInput.from_ints(tokens)`; optional
    parameters are keyword arguments defaulting to None) or a method reading from it
    (`response.model_names()`)."""
    name = sym.method_name(helper_name(h.name))
    cls = sym.type_name(h.record)
    doc = h.doc or f"The ``{h.name}`` helper of ``{cls}``."
    if h.kind == "expr":
        assert h.expr is not None
        result = py_type(h.result, imports)
        body = d.call(
            imports.use(sym.lib("cast")),
            [py_literal(result), d.call(imports.use(sym.lib("evaluate")), ["self", expr_doc(h.expr, imports)])],
        )
        if may_fail(h.expr):
            doc += " A value it cannot answer for (what it reads is absent, or an item lacks it) is an ``InvalidArgumentError``."
        return "\n".join([f"    def {name}(self) -> {result}:", *docstring(doc, "        "), d.render(["return ", body], 2)])
    if h.kind == "get":
        path = path_doc(h.path, imports)
        result = py_type(h.result, imports)
        body = d.call(imports.use(sym.lib("cast")), [py_literal(result), d.call(imports.use(sym.lib("project")), ["self", path])])
        doc += " A union item without the field read is an ``InvalidArgumentError``."
        return "\n".join([f"    def {name}(self) -> {result}:", *docstring(doc, "        "), d.render(["return ", body], 2)])
    names = {p.name: sym.field_name(p.name) for p in h.params}
    if h.kind == "push":
        merge = (
            d.collection("(", [py_literal(h.merge.field), py_literal(h.merge.discriminator), py_literal(h.merge.tag)], ")", tuple_=True)
            if h.merge is not None
            else "None"
        )
        call = d.call(imports.use(sym.lib("push")), ["self", py_literal(h.push_field), template_doc(h.template, names, imports), merge])
        head = d.signature(f"def {name}", ["self", *[f"{names[p.name]}: {py_type(p.type, imports)}" for p in h.params]], f" -> {cls}:")
        doc += " A copy of the value; values that do not fit are an ``InvalidArgumentError``."
        return "\n".join([d.render(head, 1), *docstring(doc, "        "), d.render(["return ", call], 2)])
    params = []
    for p in h.params:
        annotation = py_type(p.type, imports)
        if p.has_default:
            params.append(f"{names[p.name]}: {annotation} = {py_literal(p.default)}")
        else:
            params.append(f"{names[p.name]}: {optional(annotation)} = None" if p.optional else f"{names[p.name]}: {annotation}")
    if any(p.optional for p in h.params) and not h.positional:  # options: keyword-only
        first = next(i for i, p in enumerate(h.params) if p.optional)
        params.insert(first, "*")
    doc += " Values that do not fit are an ``InvalidArgumentError``."
    body = d.call(imports.use(sym.lib("construct")), ["cls", template_doc(h.template, names, imports)])
    head = d.signature(f"def {name}", ["cls", *params], f" -> {cls}:")
    return "\n".join(["    @classmethod", d.render(head, 1), *docstring(doc, "        "), d.render(["return ", body], 2)])


def path_doc(path: tuple[PathStep, ...], imports: Imports) -> d.Doc:
    """A `get` path as `project` reads it: None (every item), an attribute, or (attribute, classes)."""
    steps: list[d.Doc] = []
    for step in path:
        if step.field is None:
            steps.append("None")
        elif step.variants:
            classes = [imports.use(sym.type_symbol(v)) for v in step.variants]
            steps.append(d.collection("(", [py_literal(sym.field_name(step.field)), d.collection("(", classes, ")", tuple_=True)], ")"))
        else:
            steps.append(py_literal(sym.field_name(step.field)))
    return d.collection("(", steps, ")", tuple_=True)


def expr_doc(e: Expr, imports: Imports) -> d.Doc:
    """A helper expression as the tuple `evaluate` reads (ir/helpers.py)."""

    def node(*items: d.Doc) -> d.Doc:
        return d.collection("(", list(items), ")", tuple_=True)

    if isinstance(e, EPath):
        return node(py_literal("path"), path_doc(e.steps, imports))
    if isinstance(e, ELit):
        return node(py_literal("const"), py_literal(e.value))
    if isinstance(e, EKey):
        return node(py_literal("key"), expr_doc(e.of, imports), py_literal(e.key))
    if isinstance(e, ECall):
        cases = [node(imports.use(sym.type_symbol(c.record)), expr_doc(c.expr, imports)) for c in e.cases]
        return node(py_literal("call"), expr_doc(e.of, imports), py_literal(e.many), node(*cases))
    if isinstance(e, EFunc):
        return node(py_literal(e.name), expr_doc(e.arg, imports))
    assert isinstance(e, ECompare)
    return node(py_literal(e.op), expr_doc(e.left, imports), node(*[py_literal(v) for v in e.values]))


def delegation(module: str, f: ExtensionFunction, imports: Imports) -> str:
    """A static method delegating to a hand-written module's function (`targets.python.extensions`).
    The module is imported when the method is called, not with the types: it may itself import the
    record it extends. Positional-only parameters keep the arity the manifest gives."""
    params = [f"arg{i}: {imports.use(sym.lib('Any'))}" for i in range(1, f.arity + 1)]
    head = d.signature(f"def {f.name}", [*params, "/"] if params else [], f" -> {imports.use(sym.lib('Any'))}:")
    doc = f"Delegates to ``{module}.{f.name}``, written by hand beside the SDK (``targets.python.extensions``)."
    call = d.call(f"{imports.use(sym.lib('import_module'))}({py_literal(module)}).{f.name}", [f"arg{i}" for i in range(1, f.arity + 1)])
    return "\n".join(["    @staticmethod", d.render(head, 1), *docstring(doc, "        "), d.render(["return ", call], 2)])


def parse_method(rec: ir.Record, imports: Imports) -> str | None:
    """The classmethod of a record with a parse template (Tinkex's `from_tinker_path`): the text
    split into the record, or `InvalidArgumentError`."""
    if rec.parse is None:
        return None
    name = sym.method_name(rec.parse.function)
    doc = (
        f"Splits ``text`` by ``{rec.parse.template}`` into a ``{sym.type_name(rec.id)}``; raises ``InvalidArgumentError`` "
        "when it does not match."
    )
    helper = imports.use(sym.lib("parse_template"))
    body = d.call("cls.model_validate", [d.call(helper, [py_literal(rec.parse.template), "text"])])
    return "\n".join(
        [
            "    @classmethod",
            f"    def {name}(cls, text: str) -> {sym.type_name(rec.id)}:",
            *docstring(doc, "        "),
            d.render(["return ", body], 2),
        ]
    )


def enum_block(decl: ir.Enum, imports: Imports, plan: SdkPlan | None = None) -> SimpleNamespace:
    members = sym.enum_members(v.value for v in decl.values)
    helpers = [helper_method(plan.api, h, imports) for h in plan.helpers.get(decl.id, ())] if plan is not None else []
    return SimpleNamespace(
        helpers="\n\n".join(helpers) if helpers else None,
        kind="enum",
        name=sym.type_name(decl.id),
        base=imports.use(sym.lib("OpenEnum")),
        doc=text(docstring(noted(decl.doc or "Accepts values this SDK does not know yet.", decl.deprecated), "    ")),
        members=[
            SimpleNamespace(name=members[v.value], value=py_literal(v.value), doc=text(docstring(v.doc, "    "))) for v in decl.values
        ],
    )


def union_block(api: ir.Api, decl: ir.Union_, imports: Imports) -> SimpleNamespace:
    name = sym.type_name(decl.id)
    alias = imports.use(sym.lib("TypeAlias"))
    if decl.discriminator is None:
        members = [imports.use(sym.type_symbol(v.type)) for v in decl.variants]
        return SimpleNamespace(
            kind="alias",
            statement=d.render(d.assign(f"{name}: {alias}", d.union(members))),
            doc=text(docstring(noted(decl.doc, decl.deprecated), "")),
        )
    disc = decl.discriminator
    wire = disc
    first = api.types.get(decl.variants[0].type)
    if isinstance(first, ir.Record):
        found = first.field(disc)
        wire = found.json_name if found is not None else disc
    field_name = sym.field_name(disc)
    tag_fn = sym.tag_function(decl.id)
    unknown = sym.unknown_class(decl.id)
    tags = sorted(v.tag for v in decl.variants if v.tag is not None)
    tag = imports.use(sym.lib("Tag"))
    annotated = imports.use(sym.lib("Annotated"))
    members = [f"{annotated}[{sym.type_name(v.type)}, {tag}({py_literal(v.tag)})]" for v in decl.variants if v.tag is not None]
    members.append(f"Annotated[{unknown}, {tag}({imports.use(sym.lib('UNKNOWN_TAG'))})]")
    return SimpleNamespace(
        kind="union",
        id=decl.id,
        name=name,
        type_alias=alias,
        annotated=annotated,
        unknown=unknown,
        base_model=imports.use(sym.lib("BaseModel")),
        config_dict=imports.use(sym.lib("ConfigDict")),
        field=field_name,
        alias=py_literal(wire) if wire != field_name else None,  # the wire name, when the field's is another
        field_fn=imports.use(sym.lib("Field")) if wire != field_name else None,
        tag_fn_name=tag_fn,
        tag_fn=d.render(
            d.assign(
                tag_fn, d.call(imports.use(sym.lib("discriminate")), [py_literal(field_name), py_literal(wire), *map(py_literal, tags)])
            )
        ),
        members=d.render(d.bare_union(members, ","), 1),
        discriminator=imports.use(sym.lib("Discriminator")),
        doc=text(docstring(noted(decl.doc, decl.deprecated), "")),
        accessor=accessor_block(api, decl),
    )


def accessor_block(api: ir.Api, decl: ir.Union_) -> SimpleNamespace | None:
    """`tag_accessor:`: a function answering a value's tag (the discriminator field every variant,
    the unknown one too, has)."""
    plan = tag_accessor_of(api, decl)
    if plan is None:
        return None
    doc = f"The `{plan.wire}` tag of a `{sym.type_name(decl.id)}` value, as its wire string (an unknown variant's own)."
    return SimpleNamespace(name=sym.tag_accessor(decl.id, plan.name), field=sym.field_name(plan.field), doc=text(docstring(doc, "    ")))


def tag_accessors(api: ir.Api) -> dict[str, str]:
    """Union id -> the name of its `tag_accessor:` function."""
    return {
        t.id: sym.tag_accessor(t.id, t.tag_accessor)
        for t in api.types.values()
        if isinstance(t, ir.Union_) and t.tag_accessor and t.discriminator
    }


def namespace_modules(api: ir.Api, pkg: str) -> list[tuple[str, str]]:
    """`namespace:`: one module per namespace (`types_telemetry.py`) re-exporting its types (and
    their unions' unknown-variant models and tag accessors) from `types`."""
    out = []
    accessors = tag_accessors(api)
    for namespace, ids in type_namespaces(api).items():
        own = "." + sym.namespace_module(namespace)
        imports = Imports(own=own, exploded=(sym.TYPES_MODULE,))
        names = []
        for tid in ids:
            names.append(imports.use(sym.type_symbol(tid)))
            decl = api.types[tid]
            if isinstance(decl, ir.Union_) and decl.discriminator:
                names.append(imports.use(Symbol(sym.unknown_class(tid), sym.TYPES_MODULE)))
            if tid in accessors:
                names.append(imports.use(Symbol(accessors[tid], sym.TYPES_MODULE)))
        doc = f"The `{namespace}` types (the same as in `{pkg}.types`). Generated by tinkc: do not edit."
        source = render("namespace.py.jinja", doc=text(docstring(doc, "")), imports=text(imports.lines()), exported=sorted(names))
        out.append((sym.namespace_module(namespace) + ".py", source))
    return out


def record_members(api: ir.Api, t: ir.TypeRef) -> list[str] | None:
    """The members of an untagged union whose members are all records (their ids), else None."""
    if not isinstance(t, ir.UnionT):
        return None
    ids = [m.name for m in t.members if isinstance(m, ir.Ref) and isinstance(api.types.get(m.name), ir.Record)]
    return ids if len(ids) == len(t.members) else None


def alias_block(api: ir.Api, decl: ir.Alias, imports: Imports) -> SimpleNamespace:
    target = decl.target
    head = f"{sym.type_name(decl.id)}: {imports.use(sym.lib('TypeAlias'))}"
    records = record_members(api, target)
    if records is not None:
        # decoded by the untagged-union rule every SDK applies (the runtime's `best_fit`), not by
        # pydantic's own choice among the members
        annotated, tag = imports.use(sym.lib("Annotated")), imports.use(sym.lib("Tag"))
        names = [imports.use(sym.type_symbol(r)) for r in records]
        members = [f"{annotated}[{n}, {tag}({py_literal(sym.type_name(r))})]" for n, r in zip(names, records, strict=True)]
        chooser = d.call(imports.use(sym.lib("Discriminator")), [d.call(imports.use(sym.lib("best_fit")), names)])
        statement = "\n".join([f"{head} = {annotated}[", d.render(d.bare_union(members, ","), 1), d.render(chooser, 1, ","), "]"])
        return SimpleNamespace(kind="alias", statement=statement, doc=text(docstring(noted(decl.doc, decl.deprecated), "")))
    if isinstance(target, ir.UnionT):
        doc = d.assign(head, d.union([py_type(m, imports) for m in target.members]))
    else:
        doc = f"{head} = {py_type(target, imports)}"
    return SimpleNamespace(kind="alias", statement=d.render(doc), doc=text(docstring(noted(decl.doc, decl.deprecated), "")))


def runtime_order(plan: SdkPlan) -> list[ir.Union_ | ir.Alias]:
    """Aliases and unions (evaluated at import, unlike classes), each after the aliases and unions
    it names by the plan's references; ties in id order, level by level."""
    decls: dict[str, ir.Union_ | ir.Alias] = {}
    refs: dict[str, tuple[str, ...]] = {}
    for t in plan.types:
        if isinstance(t.decl, (ir.Union_, ir.Alias)):
            decls[t.id] = t.decl
            refs[t.id] = t.references
    sorter = graphlib.TopologicalSorter({tid: sorted(r for r in refs[tid] if r in decls and r != tid) for tid in decls})
    sorter.prepare()
    out: list[ir.Union_ | ir.Alias] = []
    while sorter.is_active():
        ready = sorted(sorter.get_ready())
        out.extend(decls[r] for r in ready)
        sorter.done(*ready)
    return out


def types_module(api: ir.Api, plan: SdkPlan) -> str:
    imports = Imports(own=sym.TYPES_MODULE)
    blocks: list[SimpleNamespace] = []
    # enums first (they name nothing, and a record field's default is an enum member, evaluated
    # when the class is made), then the other classes (their annotations are evaluated lazily)
    for decl in api.types.values():
        if isinstance(decl, ir.Enum):
            blocks.append(enum_block(decl, imports, plan))
    for decl in api.types.values():
        if isinstance(decl, ir.Record):
            blocks.append(record_block(api, decl, imports, plan))
    for decl in runtime_order(plan):
        blocks.append(union_block(api, decl, imports) if isinstance(decl, ir.Union_) else alias_block(api, decl, imports))
    unknowns = [sym.unknown_class(t.id) for t in api.types.values() if isinstance(t, ir.Union_) and t.discriminator]
    records = [sym.type_name(t.id) for t in api.types.values() if isinstance(t, ir.Record)]
    accessors = list(tag_accessors(api).values())  # functions: exported, never rebuilt
    return render(
        "types.py.jinja",
        doc=text(docstring(f"Types of the {api.service.name} API. Generated by tinkc: do not edit.", "")),
        imports=text(imports.lines()),
        blocks=blocks,
        rebuilt=sorted(records + unknowns),
        exported=sorted([sym.type_name(t) for t in api.types] + unknowns + accessors),
    )
