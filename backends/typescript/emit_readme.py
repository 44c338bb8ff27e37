"""`README.md` of the emitted package: install, configuration, and usage examples drawn from the
manifest's own clients, methods and types (laid out as Prettier writes Markdown)."""

from __future__ import annotations

import re
from typing import Any

from tinkc.backends.typescript import symbols as sym
from tinkc.backends.typescript.doc import HARDLINE, Doc, assign, block, call, comment_text, group, join, obj, pretty
from tinkc.backends.typescript.emit_types import ts_literal
from tinkc.backends.typescript.render import template
from tinkc.backends.typescript.symbols import Symbols
from tinkc.ir import nodes as ir
from tinkc.sdk import MethodPlan, SdkPlan
from tinkc.sdk.examples import ClientExample, ExampleCall, client_examples


def code(statements: list[Doc]) -> str:
    """The code of a TypeScript block (Prettier formats the code in Markdown too)."""
    return pretty(join(HARDLINE, statements))


def with_client(cls: str, body: list[Doc], catch: list[Doc] | None = None, var: str = "client") -> Doc:
    """`const client = new Cls(); try { body } [catch (error) { ... }] finally { await client.close(); }`"""
    out: list[Doc] = [f"const {var} = new {cls}();", HARDLINE, "try ", *block(body)]
    if catch is not None:
        out += [" catch (error) ", *block(catch)]
    out += [" finally ", *block([f"await {var}.close();"])]
    return out


def example_call(names: Symbols, on: str, c: ExampleCall) -> Doc:
    """`await on.method({ name: sample, ... })`: the plan's example call (compiler/sdk/examples.py)."""
    args = [obj([group(sym.literal_key(n), ": ", ts_literal(v)) for n, v in c.args])] if c.args else []
    return ["await ", call(f"{on}.{names.method(c.method)}", args)]


def example_code(plan: SdkPlan, names: Symbols, pkg: str, ex: ClientExample) -> str:
    """The client reached from its root as the plan says, then its example calls, results logged."""
    root = sym.variable(ex.root)
    body: list[Doc] = []
    for k, (on, c) in enumerate(ex.path):
        built = ex.path[k + 1][0] if k + 1 < len(ex.path) else ex.client  # the client this call builds
        body.append([assign(f"const {sym.variable(built)}", example_call(names, sym.variable(on), c)), ";"])
    for c in ex.calls:
        body.append([call("console.log", [example_call(names, sym.variable(ex.client), c)]), ";"])
    cls = names.classes[ex.root]
    return code([f'import {{ {cls} }} from "{pkg}";', "", with_client(cls, body, var=root)])


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
    first = markdown_text(text.splitlines()[0]).replace("|", "\\|") if text else ""
    return ("**Deprecated.** " if m.deprecated else "") + first  # as every SDK's README says


def table(header: tuple[str, str], rows: list[tuple[str, str]]) -> list[str]:
    """A Markdown table with aligned columns (as Prettier lays it out)."""
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(2)]

    def line(cells: tuple[str, str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    return [line(header), "| " + " | ".join("-" * w for w in widths) + " |", *(line(r) for r in rows)]


def readme(plan: SdkPlan, names: Symbols, pkg: str) -> str:
    svc = plan.service
    clients: list[dict[str, Any]] = []
    examples = client_examples(plan)
    for client in plan.clients.values():
        cls = names.classes[client.id]
        ex = examples.get(client.id)
        rows = [(f"`{names.method(m.name)}`", method_doc(plan, m)) for m in client.methods]
        clients.append(
            {
                "cls": cls,
                "doc": markdown_text(client.doc) if client.doc else "",
                "code": example_code(plan, names, pkg, ex) if ex is not None and (ex.calls or ex.path) else "",
                "table": table(("method", "what"), rows),
            }
        )
    errors_code = ""
    # a root client's first example call, its status errors caught
    example = next((ex for ex in examples.values() if not ex.path and ex.calls), None)
    if example is not None:
        attempt: list[Doc] = [[example_call(names, "client", example.calls[0]), ";"]]
        handle: list[Doc] = ["if (error instanceof APIStatusError) console.error(error.status, error.body);", "else throw error;"]
        imports = f'import {{ APIStatusError, {names.classes[example.client]} }} from "{pkg}";'
        errors_code = code([imports, "", with_client(names.classes[example.client], attempt, handle)])
    telemetry = plan.features[plan.telemetry].params if plan.telemetry is not None else None
    assert telemetry is None or isinstance(telemetry, ir.Telemetry)
    # the paginated methods' iterators (`<method>Iter`)
    paged = [
        (f"`{names.classes[cid]}.{names.method(m.name)}`", f"`{names.method(m.name)}Iter`")
        for cid, client in plan.clients.items()
        for m in client.methods
        if m.kind == "endpoint" and plan.endpoint(m.target).page is not None
    ]
    from tinkc.backends.typescript.emit_api import function_name, group_name

    stateless = [(group_name(g.name), ", ".join(f"`{function_name(f)}`" for f in g.functions)) for g in plan.api_groups]
    return template("README.md.jinja").render(
        stateless=table(("namespace", "functions"), [(f"`api.{n}`", fs) for n, fs in stateless]) if stateless else [],
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
        environments=", ".join(f"`{n}`" for n, _ in svc.environments),
        environment_env=svc.environment_env or "",
        clients=clients,
        errors_code=errors_code,
    )
