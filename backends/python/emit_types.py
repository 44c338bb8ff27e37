"""The Python rendering of IR types: type expressions, literals, docstrings, and `types.py` (the models).

Declarations are laid out by the shared printer (:mod:`tinkc.backends.python.pydoc`) and framed by
the templates (`types.py.jinja`); each module's imports are recorded as its types are spelled."""

from __future__ import annotations

import graphlib
import textwrap
import unicodedata
from pathlib import Path
from typing import Any

from tinkc.backends.python import pydoc as d
from tinkc.backends.python import symbols as sym
from tinkc.backends.python.symbols import Imports
from tinkc.backends.templates import environment
from tinkc.ir import nodes as ir
from tinkc.ir.queries import type_refs
from tinkc.sdk import SdkPlan

TEMPLATES = Path(__file__).parent / "templates"


def render(template: str, **context: Any) -> str:
    """One of the backend's templates, filled in."""
    return environment(TEMPLATES).get_template(template).render(**context)


def py_type(t: ir.TypeRef, imports: Imports) -> str:
    """The annotation of a type; the names it needs are recorded in ``imports``."""
    if isinstance(t, ir.Prim):
        return imports.use(sym.PRIMS[t.name]) if t.name in ("bytes", "any", "datetime", "date") else sym.PRIMS[t.name]
    if isinstance(t, ir.Ref):
        return imports.use(sym.type_name(t.name), sym.TYPES_MODULE)
    if isinstance(t, ir.ListT):
        return f"list[{py_type(t.item, imports)}]"
    if isinstance(t, ir.MapT):
        return f"dict[str, {py_type(t.value, imports)}]"
    if isinstance(t, ir.Nullable):
        return f"{py_type(t.inner, imports)} | None"
    if isinstance(t, ir.Lit):
        return f"{imports.use('Literal')}[{py_literal(t.value)}]"
    if isinstance(t, ir.UnionT):
        literals = [m for m in t.members if isinstance(m, ir.Lit)]
        others = [py_type(m, imports) for m in t.members if not isinstance(m, ir.Lit)]
        if literals:  # `"a" | "b"` is one `Literal["a", "b"]`
            others.insert(0, f"{imports.use('Literal')}[{', '.join(py_literal(m.value) for m in literals)}]")
        return " | ".join(others)
    raise TypeError(f"no Python type for {t!r}")


def optional(annotation: str) -> str:
    """The annotation of a parameter or field that may be left out (None)."""
    return annotation if annotation.endswith("| None") or annotation == "Any" else f"{annotation} | None"


# Unicode categories written as escapes: controls, format characters (bidi marks), line and
# paragraph separators, surrogates, private use. (Not "unassigned": that depends on the Unicode
# version of the Python running tinkc, and the output must not.)
INVISIBLE = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs", "Co"})
SHORT_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def escape_invisible(text: str, keep: str = "") -> str:
    """``text`` with every character that is invisible or breaks a line in some reader (controls
    such as NUL, U+2028/U+2029, bidirectional overrides, unpaired surrogates) written
    as an escape sequence, in the lower-case hex ruff's formatter writes; ``keep`` lists
    characters left as they are. Both the string literals and the docstrings pass through here, so
    no manifest text can end a line or hide code (a "Trojan source") in the emitted source."""
    if text.isascii() and text.isprintable():
        return text
    out = []
    for ch in text:
        if ch in keep or unicodedata.category(ch) not in INVISIBLE:
            out.append(ch)
        elif ch in SHORT_ESCAPES:
            out.append(SHORT_ESCAPES[ch])
        elif ord(ch) < 0x100:
            out.append(f"\\x{ord(ch):02x}")
        elif ord(ch) < 0x10000:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(f"\\U{ord(ch):08x}")
    return "".join(out)


def string_literal(text: str) -> str:
    """The one way manifest text becomes a Python string literal: escaped (backslashes, quotes,
    every invisible character) and quoted as `ruff format` quotes it, with double quotes unless the
    text holds more double quotes than single ones."""
    quote = "'" if text.count('"') > text.count("'") else '"'
    body = text.replace("\\", "\\\\").replace(quote, "\\" + quote)
    return quote + escape_invisible(body) + quote


def py_literal(value: Any) -> str:
    """A Python expression for frozen JSON data (double-quoted strings, as ruff formats them)."""
    value = ir.thaw(value)
    if value is None:
        return "None"
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return string_literal(value)
    if isinstance(value, list):
        return "[" + ", ".join(py_literal(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{py_literal(k)}: {py_literal(v)}" for k, v in value.items()) + "}"
    raise TypeError(value)


def tuple_literal(values: tuple[Any, ...] | list[Any]) -> str:
    """A tuple of frozen JSON values (a tuple of one keeps its comma)."""
    inner = ", ".join(py_literal(v) for v in values)
    return f"({inner},)" if len(values) == 1 else f"({inner})"


def docstring(text: str | None, indent: str) -> list[str]:
    """Lines of a docstring, escaped so that nothing in ``text`` can end it early."""
    if not text or not text.strip():
        return []
    body = text.strip().replace("\r\n", "\n").replace("\r", "\n")
    body = escape_invisible(body.replace("\\", "\\\\").replace('"""', '\\"\\"\\"'), keep="\n")
    if body.endswith('"'):
        body += " "
    width = d.WIDTH - len(indent) - 6
    lines = []
    for paragraph_line in body.split("\n"):
        if 0 < len(paragraph_line) <= width and paragraph_line.isprintable() and paragraph_line.strip(" ") == paragraph_line:
            lines.append(paragraph_line)  # what textwrap answers for a short plain line, without its cost
            continue
        wrapped = textwrap.wrap(paragraph_line, width=width, break_long_words=False, break_on_hyphens=False)
        lines.extend(wrapped or [""])
    if len(lines) == 1:
        return [f'{indent}"""{lines[0]}"""']
    out = [f'{indent}"""{lines[0]}']
    out.extend(f"{indent}{line}".rstrip() for line in lines[1:])
    out.append(f'{indent}"""')
    return out


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
        cls = imports.use(sym.type_name(decl.id), sym.TYPES_MODULE)
        member = sym.enum_members(v.value for v in decl.values).get(value)
        if member is not None:
            return f"{cls}.{member}", False
        return f"{cls}({py_literal(value)})", False
    if isinstance(decl, ir.Record):
        return f"lambda: {imports.use(sym.type_name(decl.id), sym.TYPES_MODULE)}.model_validate({py_literal(value)})", True
    if decl is not None or any(r.name in api.types for r in type_refs(base)):
        adapter = imports.use("TypeAdapter")
        return f"lambda: {adapter}({py_type(t, imports)}).validate_python({py_literal(value)})", True
    if isinstance(value, (list, dict)):
        empty = "list" if isinstance(value, list) else "dict"
        return (empty if not value else f"lambda: {py_literal(value)}"), True
    return py_literal(value), False


# -- declarations ---------------------------------------------------------------------------------


def text(lines: list[str]) -> str:
    """Lines as one text for a template (which writes the newline after it)."""
    return "\n".join(lines)


def field_lines(api: ir.Api, f: ir.Field, imports: Imports) -> list[str]:
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
        doc = [head, " = ", d.call(imports.use("Field"), [f"{k}={v}" for k, v in args])]
    return [*d.lines(doc, 1), *docstring(f.doc, "    ")]


def record_block(api: ir.Api, rec: ir.Record, imports: Imports) -> dict[str, Any]:
    return {
        "kind": "record",
        "name": sym.type_name(rec.id),
        "base": imports.use("WireModel"),
        "doc": text(docstring(rec.doc, "    ")),
        "fields": text([line for f in rec.fields for line in field_lines(api, f, imports)]),
    }


def enum_block(decl: ir.Enum, imports: Imports) -> dict[str, Any]:
    members = sym.enum_members(v.value for v in decl.values)
    return {
        "kind": "enum",
        "name": sym.type_name(decl.id),
        "base": imports.use("OpenEnum"),
        "doc": text(docstring(decl.doc or "Accepts values this SDK does not know yet.", "    ")),
        "members": text(
            [line for v in decl.values for line in [f"    {members[v.value]} = {py_literal(v.value)}", *docstring(v.doc, "    ")]]
        ),
    }


def union_block(api: ir.Api, decl: ir.Union_, imports: Imports) -> dict[str, Any]:
    name = sym.type_name(decl.id)
    alias = imports.use("TypeAlias")
    if decl.discriminator is None:
        members = [imports.use(sym.type_name(v.type), sym.TYPES_MODULE) for v in decl.variants]
        return {"kind": "alias", "lines": d.render(d.assign(f"{name}: {alias}", d.union(members))), "doc": text(docstring(decl.doc, ""))}
    disc = decl.discriminator
    wire = disc
    first = api.types.get(decl.variants[0].type)
    if isinstance(first, ir.Record):
        found = first.field(disc)
        wire = found.json_name if found is not None else disc
    field = sym.field_name(disc)
    tag_fn = sym.tag_function(decl.id)
    unknown = sym.unknown_class(decl.id)
    tags = sorted(v.tag for v in decl.variants if v.tag is not None)
    tag = imports.use("Tag")
    annotated = imports.use("Annotated")
    members = [f"{annotated}[{sym.type_name(v.type)}, {tag}({py_literal(v.tag)})]" for v in decl.variants if v.tag is not None]
    members.append(f"Annotated[{unknown}, {tag}({imports.use('UNKNOWN_TAG')})]")
    field_default = f" = {imports.use('Field')}(alias={py_literal(wire)})" if wire != field else ""
    return {
        "kind": "union",
        "name": name,
        "alias": alias,
        "annotated": annotated,
        "unknown": unknown,
        "unknown_base": imports.use("BaseModel"),
        "unknown_doc": f'    """A `{decl.id}` variant this SDK does not know (a newer server may send one)."""',
        "config": f'    model_config = {imports.use("ConfigDict")}(extra="allow", populate_by_name=True, protected_namespaces=())',
        "field": f"    {field}: str{field_default}",
        "tag_fn": d.render(
            d.assign(tag_fn, d.call(imports.use("discriminate"), [py_literal(field), py_literal(wire), *map(py_literal, tags)]))
        ),
        "members": d.render(d.bare_union(members, ","), 1),
        "discriminator": f"    {imports.use('Discriminator')}({tag_fn}),",
        "doc": text(docstring(decl.doc, "")),
    }


def alias_block(decl: ir.Alias, imports: Imports) -> dict[str, Any]:
    target = decl.target
    head = f"{sym.type_name(decl.id)}: {imports.use('TypeAlias')}"
    if isinstance(target, ir.UnionT):
        doc = d.assign(head, d.union([py_type(m, imports) for m in target.members]))
    else:
        doc = f"{head} = {py_type(target, imports)}"
    return {"kind": "alias", "lines": d.render(doc), "doc": text(docstring(decl.doc, ""))}


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
    blocks: list[dict[str, Any]] = []
    for decl in api.types.values():  # classes first: their annotations are evaluated lazily
        if isinstance(decl, ir.Record):
            blocks.append(record_block(api, decl, imports))
        elif isinstance(decl, ir.Enum):
            blocks.append(enum_block(decl, imports))
    for decl in runtime_order(plan):
        blocks.append(union_block(api, decl, imports) if isinstance(decl, ir.Union_) else alias_block(decl, imports))
    unknowns = [sym.unknown_class(t.id) for t in api.types.values() if isinstance(t, ir.Union_) and t.discriminator]
    records = [sym.type_name(t.id) for t in api.types.values() if isinstance(t, ir.Record)]
    return render(
        "types.py.jinja",
        doc=text(docstring(f"Types of the {api.service.name} API. Generated by tinkc: do not edit.", "")),
        imports=text(imports.lines()),
        blocks=blocks,
        rebuilt=text([f"{cls}.model_rebuild()" for cls in sorted(records + unknowns)]),
        exported=text([f"    {py_literal(n)}," for n in sorted([sym.type_name(t) for t in api.types] + unknowns)]),
    )
