"""`README.md` of the emitted package: install, configuration, and usage examples drawn from the
manifest's own clients, methods and types (laid out as Prettier writes Markdown)."""

from __future__ import annotations

import re

from tinkc.backends.base import snake_case
from tinkc.backends.typescript import naming
from tinkc.backends.typescript.doc import HARDLINE, Doc, assign, block, call, comment_text, group, join, obj, pretty
from tinkc.backends.typescript.emit_flows import session_id_field
from tinkc.backends.typescript.emit_types import ts_literal
from tinkc.ir import nodes as ir
from tinkc.ir.types import base_type

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
    return obj([group(naming.literal_key(name), ": ", example_value(api, t, depth)) for name, t in items])


def example_args(api: ir.Api, m: ir.Method) -> list[Doc]:
    """The required parameters of a method, with example values, as its params object."""
    items: list[tuple[str, ir.TypeRef | None]] = []
    if m.kind == "endpoint" and m.target in api.endpoints:
        ep = api.endpoints[m.target]
        items += [(p.name, p.type) for p in ep.path_params]
        items += [(q.name, q.type) for q in ep.query if q.required and not q.has_default]
        record = api.record(ep.request)
        if record is not None:
            items += [(f.name, f.type) for f in record.fields if f.required]
        elif ep.request is not None:
            items.append(("body", ep.request))
    elif m.kind == "flow" and m.target in api.flows:
        items += [(i.name, i.type) for i in api.flows[m.target].inputs if i.required]
    return [example_object(api, items)] if items else []


def code(statements: list[Doc]) -> list[str]:
    """A TypeScript code block (Prettier formats the code in Markdown too)."""
    return ["```ts", pretty(join(HARDLINE, statements)), "```"]


def with_client(cls: str, body: list[Doc], catch: list[Doc] | None = None) -> Doc:
    """`const client = new Cls(); try { body } [catch (error) { ... }] finally { await client.close(); }`"""
    out: list[Doc] = [f"const client = new {cls}();", HARDLINE, "try ", *block(body)]
    if catch is not None:
        out += [" catch (error) ", *block(catch)]
    out += [" finally ", *block(["await client.close();"])]
    return out


def returns_value(api: ir.Api, m: ir.Method) -> bool:
    if m.kind == "endpoint" and m.target in api.endpoints:
        ep = api.endpoints[m.target]
        return ep.response is not None or ep.response_handler == "redirect_location"
    flow = api.flows.get(m.target)
    return flow is not None and flow.result is not None


VERBS = {"get", "list", "create", "fetch", "retrieve", "search", "find", "load", "read"}


def result_name(method: str) -> str:
    """A variable for a method's result: `get_audit_log` → `auditLog`."""
    words = snake_case(method).split("_")
    if len(words) > 1 and words[0] in VERBS:
        words = words[1:]
    return naming.variable("_".join(words))


def markdown_text(text: str) -> str:
    """Manifest prose (Markdown: its code spans are kept) made safe for a README that Prettier
    checks: `*` and word-edge `_` cannot open emphasis, a backslash before punctuation or at a line's
    end stays a backslash, and invisible characters show as `\\u{...}` (as in the code's comments)."""
    text = re.sub(r"\\(?=[!-/:-@[-`{-~]|$)", r"\\\\", text, flags=re.M)
    text = re.sub(r"\*|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])", lambda m: "\\" + m.group(0), text)
    return comment_text(text).replace("*\\/", "*/")


def method_doc(api: ir.Api, m: ir.Method) -> str:
    target = (
        api.endpoints[m.target].doc if m.kind == "endpoint" and m.target in api.endpoints else
        api.flows[m.target].doc if m.kind == "flow" and m.target in api.flows else None
    )  # fmt: skip
    text = m.doc or target or ""
    return markdown_text(text.splitlines()[0]).replace("|", "\\|") if text else ""


def table(header: tuple[str, str], rows: list[tuple[str, str]]) -> list[str]:
    """A Markdown table with aligned columns (as Prettier lays it out)."""
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(2)]

    def line(cells: tuple[str, str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    return [line(header), "| " + " | ".join("-" * w for w in widths) + " |", *(line(r) for r in rows)]


def readme(api: ir.Api, pkg: str, classes: dict[str, str]) -> str:
    svc = api.service
    lines = [f"# {pkg}", "", markdown_text(f"TypeScript SDK of the {svc.name} API, generated by tinkc from its manifest."), ""]
    if svc.doc:
        lines += [markdown_text(svc.doc), ""]
    lines += [
        "ESM, strict TypeScript, no runtime dependencies: it runs on Node.js 20 or later (its `fetch`, `AbortController` and timers).",
        "",
        "## Install and build",
        "",
        "```sh",
        "npm install        # the dev tools: typescript, @types/node, prettier",
        "npm run build      # tsc: src/ → dist/",
        "npm run check      # tsc --noEmit (strict)",
        "npm run format     # prettier --check: the layout the generator writes",
        "```",
        "",
        "## Configure",
        "",
    ]
    if svc.auth and svc.auth.env:
        lines.append(f"The API key comes from the `apiKey` option, else the `{svc.auth.env}` environment variable.")
    if svc.base_url_env:
        lines.append(f"The base URL comes from the `baseUrl` option, else `{svc.base_url_env}`, else `{svc.base_url}`.")
    lines += [
        "A missing API key fails when the client is created, before any request; the key never appears in errors, "
        "logs or `JSON.stringify`/`console.log` of a client.",
        "",
        "Other options: `timeoutMs` (per HTTP request), `headers`, `queueStateObserver` (told `(state, reason)` while "
        "a server-side future waits in the queue), `logger`, `fetch`, `clock` (tests run the SDK's waits faster with "
        "`scaledClock(0.001)`).",
        "",
    ]
    telemetry = api.service_feature(ir.Telemetry)
    if telemetry is not None:
        assert isinstance(telemetry.params, ir.Telemetry)
        toggle = f" Set `{telemetry.params.enabled_env}=0` to turn it off." if telemetry.params.enabled_env else ""
        lines += [
            "The SDK reports telemetry (the session's start and end, failed calls, and what `client.logEvent(name, "
            "data)` is given) in batches, in the background; it never slows or fails a call and never carries the API "
            f"key.{toggle}",
            "",
        ]
    if session_id_field(api) is not None:
        lines += [
            "A client creates its session on first use and keeps it alive with heartbeats in the background; clients "
            "it makes share it. `await client.close()` ends the heartbeats and sends the queued telemetry.",
            "",
        ]
    lines += ["## Use", ""]
    lines += [
        "Every method returns a Promise. It takes one object of named parameters, named as the API names them, and "
        "optionally `{ signal, timeoutMs, headers }` for that call: an `AbortSignal` cancels the call, its retries "
        "and the polling of a server-side future.",
        "",
    ]
    for client in api.clients.values():
        cls = classes[client.id]
        endpoints = [m for m in client.methods if m.kind == "endpoint"][:2]
        flows = [m for m in client.methods if m.kind == "flow"][:1]
        if not endpoints and not flows:
            continue
        lines += [f"### `{cls}`", ""]
        if client.doc:
            lines += [markdown_text(client.doc), ""]
        calls: list[Doc] = []
        for m in endpoints + flows:
            invocation: Doc = ["await ", call(f"client.{naming.method_name(m.name)}", example_args(api, m))]
            calls.append([assign(f"const {result_name(m.name)}", invocation) if returns_value(api, m) else invocation, ";"])
        lines += [*code([f'import {{ {cls} }} from "{pkg}";', "", with_client(cls, calls)]), ""]
        rows = [(f"`{naming.method_name(m.name)}`", method_doc(api, m)) for m in client.methods]
        lines += [*table(("method", "what"), rows), ""]
    lines += [
        "## Types",
        "",
        "Every type of the API is exported (also as the `types` namespace), with a runtime schema of the same name: "
        "answers are checked against it, and a wrong shape is a `ResponseValidationError`. Enums accept values this "
        "SDK does not know yet; a discriminated union keeps a variant with an unknown tag as it came (typed as its "
        "`Unknown…` variant, reached in the `default` of a `switch` on the tag).",
        "",
        "## Errors",
        "",
        "Every error derives from `SDKError`: `ConfigurationError`, and `APIError` with `APIStatusError` (one class per "
        "status: `BadRequestError`, `AuthenticationError`, `PermissionDeniedError`, `NotFoundError`, `ConflictError`, "
        "`UnprocessableEntityError`, `RateLimitError`, `InternalServerError`), `APIConnectionError`, `APITimeoutError`, "
        "`RequestFailedError` (a failed server-side future, with its `category`) and `ResponseValidationError`.",
        "",
    ]
    example = next(((c, m) for c in api.clients.values() for m in c.methods if m.kind == "endpoint"), None)
    if example is not None:
        client, m = example
        attempt: list[Doc] = [["await ", call(f"client.{naming.method_name(m.name)}", example_args(api, m)), ";"]]
        handle: list[Doc] = ["if (error instanceof APIStatusError) console.error(error.status, error.body);", "else throw error;"]
        imports = f'import {{ APIStatusError, {classes[client.id]} }} from "{pkg}";'
        lines += [*code([imports, "", with_client(classes[client.id], attempt, handle)]), ""]
    return "\n".join(lines)
