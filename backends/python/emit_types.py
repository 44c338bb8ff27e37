"""The Python rendering of IR types: type expressions, literals, docstrings, and the models."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import Any

import attrs

from tinkc.backends.python import naming
from tinkc.ir import nodes as ir

PRIMS = {"string": "str", "int": "int", "float": "float", "bool": "bool", "bytes": "Base64Bytes", "any": "Any",
         "datetime": "datetime", "date": "date"}  # fmt: skip


USED: set[str] = set()  # names the module being emitted imports; reset by types_module()
LINE_LENGTH = 120  # the emitted package's ruff line length: output is laid out as `ruff format` would


def fits(line: str) -> bool:
    return len(line) <= LINE_LENGTH


# An argument that is itself a call, as (callee, arguments): laid out in its turn when its line is too long.
Call = tuple[str, list[str]]


def flat_call(call: str | Call) -> str:
    return call if isinstance(call, str) else f"{call[0]}({', '.join(call[1])})"


def call_lines(head: str, args: Sequence[str | Call], indent: str, tail: str = "") -> list[str]:
    """`head(args)tail` laid out like ruff: one line, else the arguments on one indented line,
    else one argument per line with a trailing comma (an argument given as a Call that is still too
    long split the same way)."""
    flat = [flat_call(a) for a in args]
    one = f"{indent}{head}({', '.join(flat)}){tail}"
    if fits(one):
        return [one]
    inner = f"{indent}    {', '.join(flat)}"
    if fits(inner):
        return [f"{indent}{head}(", inner, f"{indent}){tail}"]
    lines = [f"{indent}{head}("]
    for arg, text in zip(args, flat, strict=True):
        line = f"{indent}    {text},"
        lines.extend([line] if fits(line) or isinstance(arg, str) else call_lines(*arg, f"{indent}    ", ","))
    return [*lines, f"{indent}){tail}"]


def union_lines_of(members: list[str], indent: str, prefix: str, suffix: str) -> list[str]:
    """`prefix A | B | C suffix`, or the operands one per line (a binary expression ruff splits)."""
    one = f"{indent}{prefix}{' | '.join(members)}{suffix}"
    if fits(one):
        return [one]
    if prefix:  # an assignment: ruff wraps the right-hand side in parentheses
        return [f"{indent}{prefix}(", f"{indent}    {members[0]}", *(f"{indent}    | {m}" for m in members[1:]), f"{indent}){suffix}"]
    return [f"{indent}{members[0]}", *(f"{indent}| {m}" for m in members[1:-1]), f"{indent}| {members[-1]}{suffix}"]


def py_type(t: ir.TypeRef) -> str:
    if isinstance(t, ir.Prim):
        USED.add(PRIMS[t.name])
        return PRIMS[t.name]
    if isinstance(t, ir.Ref):
        return naming.type_name(t.name)
    if isinstance(t, ir.ListT):
        return f"list[{py_type(t.item)}]"
    if isinstance(t, ir.MapT):
        return f"dict[str, {py_type(t.value)}]"
    if isinstance(t, ir.Nullable):
        return f"{py_type(t.inner)} | None"
    if isinstance(t, ir.Lit):
        USED.add("Literal")
        return f"Literal[{py_literal(t.value)}]"
    if isinstance(t, ir.UnionT):
        literals = [m for m in t.members if isinstance(m, ir.Lit)]
        others = [py_type(m) for m in t.members if not isinstance(m, ir.Lit)]
        if literals:  # `"a" | "b"` is one `Literal["a", "b"]`
            USED.add("Literal")
            others.insert(0, f"Literal[{', '.join(py_literal(m.value) for m in literals)}]")
        return " | ".join(others)
    raise TypeError(f"no Python type for {t!r}")


def escape_invisible(text: str, keep: str = "") -> str:
    """``text`` with every character that is invisible or breaks a line in some reader (controls
    such as NUL, U+2028/U+2029, bidirectional overrides, unpaired surrogates) written
    as an escape sequence, in the lower-case hex ruff's formatter writes; ``keep`` lists
    characters left as they are. Both the string literals and the docstrings pass through here, so
    no manifest text can end a line or hide code (a "Trojan source") in the emitted source."""
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


# Unicode categories written as escapes: controls, format characters (bidi marks), line and
# paragraph separators, surrogates, private use. (Not "unassigned": that depends on the Unicode
# version of the Python running tinkc, and the output must not.)
INVISIBLE = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs", "Co"})
SHORT_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


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


def docstring(text: str | None, indent: str) -> list[str]:
    """Lines of a docstring, escaped so that nothing in ``text`` can end it early."""
    if not text or not text.strip():
        return []
    body = text.strip().replace("\r\n", "\n").replace("\r", "\n")
    body = escape_invisible(body.replace("\\", "\\\\").replace('"""', '\\"\\"\\"'), keep="\n")
    if body.endswith('"'):
        body += " "
    import textwrap

    width = LINE_LENGTH - len(indent) - 6
    lines = []
    for paragraph_line in body.split("\n"):
        wrapped = textwrap.wrap(paragraph_line, width=width, break_long_words=False, break_on_hyphens=False)
        lines.extend(wrapped or [""])
    if len(lines) == 1:
        return [f'{indent}"""{lines[0]}"""']
    out = [f'{indent}"""{lines[0]}']
    out.extend(f"{indent}{line}".rstrip() for line in lines[1:])
    out.append(f'{indent}"""')
    return out


@attrs.frozen
class FieldSpec:
    name: str
    annotation: str
    default: str | None  # the right-hand side, or None for a required field
    doc: str | None


def typed_default(api: ir.Api, t: ir.TypeRef, value: Any) -> tuple[str, bool]:
    """A default value as a Python expression of the field's own type, and whether it must be
    built by a factory (mutable or model values)."""
    value = ir.thaw(value)
    if value is None:
        return "None", False
    base = api.resolve_alias(t.inner if isinstance(t, ir.Nullable) else t)
    base = base.inner if isinstance(base, ir.Nullable) else base
    decl = api.types.get(base.name) if isinstance(base, ir.Ref) else None
    if isinstance(decl, ir.Enum) and isinstance(value, str):
        member = naming.enum_members(v.value for v in decl.values).get(value)
        if member is not None:
            return f"{naming.type_name(decl.id)}.{member}", False
        return f"{naming.type_name(decl.id)}({py_literal(value)})", False
    if isinstance(decl, ir.Record):
        return f"lambda: {naming.type_name(decl.id)}.model_validate({py_literal(value)})", True
    if decl is not None or _contains_declared(api, base):
        USED.add("TypeAdapter")
        return f"lambda: TypeAdapter({py_type(t)}).validate_python({py_literal(value)})", True
    if isinstance(value, (list, dict)):
        empty = "list" if isinstance(value, list) else "dict"
        return (empty if not value else f"lambda: {py_literal(value)}"), True
    return py_literal(value), False


def _contains_declared(api: ir.Api, t: ir.TypeRef) -> bool:
    from tinkc.ir.queries import type_refs

    return any(r.name in api.types for r in type_refs(t))


def field_spec(api: ir.Api, f: ir.Field) -> FieldSpec:
    name = naming.field_name(f.name)
    annotation = py_type(f.type)
    args: list[str] = []
    if f.has_default:
        expr, factory = typed_default(api, f.type, f.default)
        args.append(f"default_factory={expr}" if factory else f"default={expr}")
    elif not f.required:
        if not annotation.endswith("| None") and annotation != "Any":
            annotation += " | None"
        args.append("default=None")
    if f.json_name != name:
        args.append(f"alias={py_literal(f.json_name)}")
    if any(not a.startswith("default=") for a in args):
        USED.add("Field")
    if not args:
        default = None
    elif len(args) == 1 and args[0].startswith("default="):
        default = args[0][len("default=") :]
    else:
        default = f"Field({', '.join(args)})"
    return FieldSpec(name=name, annotation=annotation, default=default, doc=f.doc)


def record_lines(api: ir.Api, rec: ir.Record) -> list[str]:
    USED.add("WireModel")
    out = [f"class {naming.type_name(rec.id)}(WireModel):"]
    out.extend(docstring(rec.doc, "    "))
    if not rec.fields and not rec.doc:
        out.append("    pass")
    if rec.doc and rec.fields:
        out.append("")
    for f in rec.fields:
        spec = field_spec(api, f)
        line = f"    {spec.name}: {spec.annotation}" + (f" = {spec.default}" if spec.default is not None else "")
        if not fits(line) and spec.default is not None and spec.default.startswith("Field("):
            out.extend(call_lines(f"{spec.name}: {spec.annotation} = Field", spec.default[6:-1].split(", "), "    "))
        else:
            out.append(line)
        out.extend(docstring(spec.doc, "    "))
    return out


def enum_lines(decl: ir.Enum) -> list[str]:
    USED.add("OpenEnum")
    out = [f"class {naming.type_name(decl.id)}(OpenEnum):"]
    out.extend(docstring(decl.doc or "Accepts values this SDK does not know yet.", "    "))
    out.append("")
    members = naming.enum_members(v.value for v in decl.values)
    for v in decl.values:
        out.append(f"    {members[v.value]} = {py_literal(v.value)}")
        out.extend(docstring(v.doc, "    "))
    return out


def union_lines(api: ir.Api, decl: ir.Union_) -> list[str]:
    name = naming.type_name(decl.id)
    USED.add("TypeAlias")
    if decl.discriminator is None:
        return [
            *union_lines_of([naming.type_name(v.type) for v in decl.variants], "", f"{name}: TypeAlias = ", ""),
            *docstring(decl.doc, ""),
        ]
    disc = decl.discriminator
    USED.update(("BaseModel", "ConfigDict", "Annotated", "Tag", "Discriminator", "UNKNOWN_TAG", "discriminate"))
    wire = disc
    first = api.types.get(decl.variants[0].type)
    if isinstance(first, ir.Record) and first.field(disc) is not None:
        wire = first.field(disc).json_name  # type: ignore[union-attr]
    unknown = f"Unknown{name}"
    tags = sorted(v.tag for v in decl.variants if v.tag is not None)
    field = naming.field_name(disc)
    tag_fn = f"_{naming.field_name(decl.id)}_tag"
    out = [
        f"class {unknown}(BaseModel):",
        f'    """A `{decl.id}` variant this SDK does not know (a newer server may send one)."""',
        "",
        '    model_config = ConfigDict(extra="allow", populate_by_name=True, protected_namespaces=())',
        f"    {field}: str" + (f" = Field(alias={py_literal(wire)})" if wire != field else ""),
        "",
        "",
        *call_lines(f"{tag_fn} = discriminate", [py_literal(field), py_literal(wire), *(py_literal(t) for t in tags)], ""),
        "",
        f"{name}: TypeAlias = Annotated[",
    ]
    members = [f"Annotated[{naming.type_name(v.type)}, Tag({py_literal(v.tag)})]" for v in decl.variants if v.tag is not None]
    members.append(f"Annotated[{unknown}, Tag(UNKNOWN_TAG)]")
    out.extend(union_lines_of(members, "    ", "", ","))
    out.append(f"    Discriminator({tag_fn}),")
    out.append("]")
    out.extend(docstring(decl.doc, ""))
    return out


def alias_lines(decl: ir.Alias) -> list[str]:
    USED.add("TypeAlias")
    target = decl.target
    prefix = f"{naming.type_name(decl.id)}: TypeAlias = "
    if isinstance(target, ir.UnionT):
        return [*union_lines_of([py_type(m) for m in target.members], "", prefix, ""), *docstring(decl.doc, "")]
    return [f"{prefix}{py_type(target)}", *docstring(decl.doc, "")]


def runtime_order(api: ir.Api) -> list[ir.Union_ | ir.Alias]:
    """Aliases and unions, each after the aliases and unions it names (ties in id order)."""
    import graphlib

    from tinkc.ir.queries import type_refs

    decls = {d.id: d for d in api.types.values() if isinstance(d, (ir.Union_, ir.Alias))}
    deps: dict[str, list[str]] = {}
    for d in decls.values():
        names = [v.type for v in d.variants] if isinstance(d, ir.Union_) else [r.name for r in type_refs(d.target)]
        deps[d.id] = sorted(n for n in names if n in decls and n != d.id)
    sorter = graphlib.TopologicalSorter(deps)
    sorter.prepare()
    out: list[ir.Union_ | ir.Alias] = []
    while sorter.is_active():
        ready = sorted(sorter.get_ready())
        out.extend(decls[r] for r in ready)
        sorter.done(*ready)
    return out


def types_module(api: ir.Api) -> str:
    USED.clear()
    blocks: list[list[str]] = []
    for decl in api.types.values():  # classes first: their annotations are evaluated lazily
        if isinstance(decl, ir.Record):
            blocks.append(record_lines(api, decl))
        elif isinstance(decl, ir.Enum):
            blocks.append(enum_lines(decl))
    for decl in runtime_order(api):  # type aliases are evaluated at import: dependencies first
        blocks.append(union_lines(api, decl) if isinstance(decl, ir.Union_) else alias_lines(decl))
    body: list[str] = []
    for block in blocks:
        body.extend(block)
        body.extend(["", ""])
    records = [naming.type_name(d.id) for d in api.types.values() if isinstance(d, ir.Record)]
    unknowns = [f"Unknown{naming.type_name(d.id)}" for d in api.types.values() if isinstance(d, ir.Union_) and d.discriminator]
    for cls in sorted(records + unknowns):
        body.append(f"{cls}.model_rebuild()")
    names = sorted([naming.type_name(d.id) for d in api.types.values()] + unknowns)
    body.extend(["", "__all__ = ["])
    body.extend(f"    {py_literal(n)}," for n in names)
    body.append("]")
    text = "\n".join(body)
    header = [
        *docstring(f"Types of the {api.service.name} API. Generated by tinkc: do not edit.", ""),
        "",
        "from __future__ import annotations",
        "",
    ]
    if "Field(" in text:
        USED.add("Field")
    header.extend(import_lines(USED))
    header.extend(["", ""])
    return "\n".join(header) + "\n" + text + "\n"


# What the types module may import, by module: only names the generated code uses are imported.
IMPORTS = (
    ("datetime", ("date", "datetime")),
    ("typing", ("Annotated", "Any", "Literal", "TypeAlias")),
    ("pydantic", ("Base64Bytes", "BaseModel", "ConfigDict", "Discriminator", "Field", "Tag", "TypeAdapter")),
    ("._runtime", ("UNKNOWN_TAG", "OpenEnum", "WireModel", "discriminate")),
)


def import_lines(words: set[str]) -> list[str]:
    out: list[str] = []
    for module, names in IMPORTS:
        used = [n for n in names if n in words]
        if not used:
            continue
        if module.startswith(".") and out:
            out.append("")  # first-party imports in their own block, as isort wants
        elif module == "pydantic" and out:
            out.append("")  # third-party block after the standard library
        out.append(f"from {module} import {', '.join(used)}")
    return out
