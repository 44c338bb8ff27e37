"""`README.md` of the emitted package: install, configuration, and usage examples drawn from the
manifest's own clients, methods and types (laid out as Prettier writes Markdown)."""

from __future__ import annotations

import re
from typing import Any

from tinkc.backends.base import snake_case
from tinkc.backends.typescript import symbols as sym
from tinkc.backends.typescript.doc import HARDLINE, Doc, assign, block, call, comment_text, group, join, obj, pretty
from tinkc.backends.typescript.emit_clients import returns_nothing
from tinkc.backends.typescript.emit_types import ts_literal
from tinkc.backends.typescript.render import template
from tinkc.backends.typescript.symbols import Symbols
from tinkc.ir import nodes as ir
from tinkc.ir.types import base_type
from tinkc.sdk import MethodPlan, SdkPlan

EXAMPLES = {"string": '"..."', "bytes": '"AAEC"', "datetime": '"2025-01-01T00:00:00Z"', "date": '"2025-01-01"', "int": "1",
            "float": "0.5", "bool": "true", "any": "null"}  # fmt: skip


def example_value(api: ir.Api, t: ir.TypeRef | None, depth: int = 0) -> Doc:
    """A value of the type to show in an example call."""
    b, nullable = base_type(api, t) if t is not None else (None, False)
    if isinstance(b, ir.Prim):
        return EXAMPLES[b.name]
    if isinstance(b, ir.Lit):
        return ts_literal(b.value)
    if isinstance(b, ir.UnionT) and b.members:
        return example_value(api, b.members[0], depth)
    if isinstance(b, ir.ListT):
        return "[]"
    decl = api.types.get(b.name) if isinstance(b, ir.Ref) else None
    if isinstance(decl, ir.Enum) and decl.values:
        return ts_literal(decl.values[0].value)
    if isinstance(decl, ir.Record) and depth < 2:
        return example_object(api, [(f.name, f.type) for f in decl.fields if f.required], depth + 1)
    return "null" if nullable else "{}"


def example_object(api: ir.Api, items: list[tuple[str, ir.TypeRef | None]], depth: int = 0) -> Doc:
    return obj([group(sym.literal_key(name), ": ", example_value(api, t, depth)) for name, t in items])


def example_args(plan: SdkPlan, m: MethodPlan) -> list[Doc]:
    """The required parameters of a method, with example values, as its params object (the
    endpoint's in the plan's one order)."""
    items: list[tuple[str, ir.TypeRef | None]]
    if m.kind == "endpoint":
        items = [(p.name, p.type) for p in plan.endpoint(m.target).params if p.required]
    else:
        items = [(i.name, i.type) for i in plan.flow(m.target).inputs if i.required]
    return [example_object(plan.api, items)] if items else []


def code(statements: list[Doc]) -> str:
    """The code of a TypeScript block (Prettier formats the code in Markdown too)."""
    return pretty(join(HARDLINE, statements))


def with_client(cls: str, body: list[Doc], catch: list[Doc] | None = None) -> Doc:
    """`const client = new Cls(); try { body } [catch (error) { ... }] finally { await client.close(); }`"""
    out: list[Doc] = [f"const client = new {cls}();", HARDLINE, "try ", *block(body)]
    if catch is not None:
        out += [" catch (error) ", *block(catch)]
    out += [" finally ", *block(["await client.close();"])]
    return out


def returns_value(plan: SdkPlan, m: MethodPlan) -> bool:
    if m.kind == "endpoint":
        return not returns_nothing(plan.endpoint(m.target))
    return plan.flow(m.target).result is not None


VERBS = {"get", "list", "create", "fetch", "retrieve", "search", "find", "load", "read"}


def result_name(method: str) -> str:
    """A variable for a method's result: `get_audit_log` → `auditLog`."""
    words = snake_case(method).split("_")
    if len(words) > 1 and words[0] in VERBS:
        words = words[1:]
    return sym.variable("_".join(words))


def markdown_text(text: str) -> str:
    """Manifest prose (Markdown: its code spans are kept) made safe for a README that Prettier
    checks: `*` and word-edge `_` cannot open emphasis, a backslash before punctuation or at a line's
    end stays a backslash, and invisible characters show as `\\u{...}` (as in the code's comments)."""
    text = re.sub(r"\\(?=[!-/:-@[-`{-~]|$)", r"\\\\", text, flags=re.M)
    text = re.sub(r"\*|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])", lambda m: "\\" + m.group(0), text)
    return comment_text(text).replace("*\\/", "*/")


def method_doc(plan: SdkPlan, m: MethodPlan) -> str:
    target = plan.endpoint(m.target).doc if m.kind == "endpoint" else plan.flow(m.target).doc
    text = m.doc or target or ""
    return markdown_text(text.splitlines()[0]).replace("|", "\\|") if text else ""


def table(header: tuple[str, str], rows: list[tuple[str, str]]) -> list[str]:
    """A Markdown table with aligned columns (as Prettier lays it out)."""
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(2)]

    def line(cells: tuple[str, str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    return [line(header), "| " + " | ".join("-" * w for w in widths) + " |", *(line(r) for r in rows)]


def readme(plan: SdkPlan, names: Symbols, pkg: str) -> str:
    svc = plan.service
    clients: list[dict[str, Any]] = []
    for client in plan.clients.values():
        cls = names.classes[client.id]
        endpoints = [m for m in client.methods if m.kind == "endpoint"][:2]
        flows = [m for m in client.methods if m.kind == "flow"][:1]
        if not endpoints and not flows:
            continue
        calls: list[Doc] = []
        for m in endpoints + flows:
            invocation: Doc = ["await ", call(f"client.{names.method(m.name)}", example_args(plan, m))]
            calls.append([assign(f"const {result_name(m.name)}", invocation) if returns_value(plan, m) else invocation, ";"])
        rows = [(f"`{names.method(m.name)}`", method_doc(plan, m)) for m in client.methods]
        clients.append(
            {
                "cls": cls,
                "doc": markdown_text(client.doc) if client.doc else "",
                "code": code([f'import {{ {cls} }} from "{pkg}";', "", with_client(cls, calls)]),
                "table": table(("method", "what"), rows),
            }
        )
    errors_code = ""
    example = next(((c, m) for c in plan.clients.values() for m in c.methods if m.kind == "endpoint"), None)
    if example is not None:
        client, m = example
        attempt: list[Doc] = [["await ", call(f"client.{names.method(m.name)}", example_args(plan, m)), ";"]]
        handle: list[Doc] = ["if (error instanceof APIStatusError) console.error(error.status, error.body);", "else throw error;"]
        imports = f'import {{ APIStatusError, {names.classes[client.id]} }} from "{pkg}";'
        errors_code = code([imports, "", with_client(names.classes[client.id], attempt, handle)])
    telemetry = plan.features[plan.telemetry].params if plan.telemetry is not None else None
    assert telemetry is None or isinstance(telemetry, ir.Telemetry)
    # the paginated methods' iterators (`<method>Iter`)
    paged = [
        (f"`{names.classes[cid]}.{names.method(m.name)}`", f"`{names.method(m.name)}Iter`")
        for cid, client in plan.clients.items()
        for m in client.methods
        if m.kind == "endpoint" and plan.endpoint(m.target).page is not None
    ]
    return template("README.md.jinja").render(
        paged=table(("method", "iterator"), paged) if paged else [],
        package=pkg,
        intro=markdown_text(f"TypeScript SDK of the {svc.name} API, generated by tinkc from its manifest."),
        service_doc=markdown_text(svc.doc) if svc.doc else "",
        api_key_env=svc.auth.env if svc.auth and svc.auth.env else "",
        base_url_env=svc.base_url_env or "",
        base_url=svc.base_url,
        telemetry=telemetry is not None,
        telemetry_toggle=f" Set `{telemetry.enabled_env}=0` to turn it off." if telemetry is not None and telemetry.enabled_env else "",
        session=plan.session is not None,
        clients=clients,
        errors_code=errors_code,
    )
