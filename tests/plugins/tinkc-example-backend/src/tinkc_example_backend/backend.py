"""Backend `minipy`: a minimal, standard-library-only Python client and its Markdown reference.

It is the example of tinkc's plug-in path: an installed distribution registers it in the
``tinkc.backends`` entry-point group, and it uses only the public contract (``tinkc.backends.base``
and the IR of ``tinkc.ir.nodes``; docs/backends.md). What it emits for a manifest::

    README.md                 the API reference (service, clients and their methods, endpoints, types)
    pyproject.toml
    src/<package>/__init__.py one class per client, one method per endpoint method; CLIENTS
    src/<package>/_runtime.py copied verbatim from static/: urllib, configuration, errors
    src/<package>/py.typed
    conformance_driver.py     the driver of tinkc's conformance protocol (docs/conformance.md)

Flow methods and the manifest's features are left out on purpose (each is named in the reference
as not generated): a complete SDK is the built-in backends' job.
"""

from __future__ import annotations

import keyword
import sys
from collections.abc import Iterable, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from tinkc.backends.base import Backend, DriverCommand, NamingRules, OutputFile, snake_case
from tinkc.ir import nodes as ir

from tinkc_example_backend import __version__

# Every identifier of the target is decided here: manifest names are kept (the conformance
# scenarios call methods and pass arguments by them), Python keywords get a trailing underscore.
NAMING = NamingRules(
    type_case="pascal", method_case="keep", field_case="keep", reserved=frozenset({*keyword.kwlist, "self"})
)

_PRIMITIVES = {
    "string": "str",
    "int": "int",
    "float": "float",
    "bool": "bool",
    "datetime": "str",
    "date": "str",
    "bytes": "str",
}
_ESCAPES = {"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def py_escape(text: str, quote: str = '"') -> str:
    """Text as the inside of a Python literal delimited by ``quote``: every character that is not
    printable (NUL, U+2028, bidi controls) becomes an escape, so the source shows what it holds."""
    out = []
    for ch in text:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ch == quote:
            out.append("\\" + ch)
        elif ch.isprintable():
            out.append(ch)
        elif ord(ch) <= 0xFF:
            out.append(f"\\x{ord(ch):02x}")
        elif ord(ch) <= 0xFFFF:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(f"\\U{ord(ch):08x}")
    return "".join(out)


def py_str(text: str) -> str:
    """A string literal as `ruff format` writes it: double quotes unless single ones need fewer escapes."""
    quote = "'" if text.count('"') > text.count("'") else '"'
    return quote + py_escape(text, quote) + quote


def py_literal(value: Any) -> str:
    """A JSON scalar as Python source."""
    if isinstance(value, str):
        return py_str(value)
    if value is None or isinstance(value, bool | int | float):
        return repr(value)
    raise TypeError(f"not a scalar: {value!r}")


def docstring(text: str | None, indent: str) -> str:
    """A one-line docstring (the doc's whitespace folded), or nothing."""
    if not text or not text.strip():
        return ""
    return f'{indent}"""{py_escape(" ".join(text.split()))}"""\n'


def md_text(text: str) -> str:
    """Doc text for Markdown: whitespace folded, invisible characters shown as escapes."""
    return "".join(ch if ch.isprintable() else f"\\u{ord(ch):04x}" for ch in " ".join(text.split()))


def md_code(text: str) -> str:
    """A Markdown code span that holds any text (a fence longer than the longest backtick run)."""
    shown = md_text(text)
    longest = run = 0
    for ch in shown:
        run = run + 1 if ch == "`" else 0
        longest = max(longest, run)
    fence = "`" * (longest + 1)
    pad = " " if shown.startswith("`") or shown.endswith("`") or not shown else ""
    return f"{fence}{pad}{shown}{pad}{fence}"


def annotation(api: ir.Api, t: ir.TypeRef | None) -> str:
    """The Python annotation of a parameter: JSON-shaped values, records and unions as dicts."""
    if t is None:
        return "Any"
    t = api.resolve_alias(t)
    if isinstance(t, ir.Prim):
        return _PRIMITIVES.get(t.name, "Any")
    if isinstance(t, ir.Nullable):
        inner = annotation(api, t.inner)
        return inner if inner == "Any" else f"{inner} | None"
    if isinstance(t, ir.ListT):
        return f"list[{annotation(api, t.item)}]"
    if isinstance(t, ir.MapT):
        return f"dict[str, {annotation(api, t.value)}]"
    if isinstance(t, ir.Lit):
        return "str" if isinstance(t.value, str) else "int"
    if isinstance(t, ir.UnionT):
        members = {annotation(api, m) for m in t.members}
        return members.pop() if len(members) == 1 else "Any"
    if isinstance(t, ir.Ref):
        decl = api.types.get(t.name)
        if isinstance(decl, ir.Enum):
            return "str"
        if isinstance(decl, ir.Record | ir.Union_):
            return "dict[str, Any]"
    return "Any"


def type_text(t: ir.TypeRef | None) -> str:
    """A type expression in the manifest's own notation, for the reference."""
    if t is None:
        return "none"
    if isinstance(t, ir.Prim):
        return t.name
    if isinstance(t, ir.Ref):
        return t.name
    if isinstance(t, ir.ListT):
        return f"[{type_text(t.item)}]"
    if isinstance(t, ir.MapT):
        return f"map[string,{type_text(t.value)}]"
    if isinstance(t, ir.Nullable):
        return f"{type_text(t.inner)}?"
    if isinstance(t, ir.Lit):
        return f'"{t.value}"' if isinstance(t.value, str) else str(t.value)
    if isinstance(t, ir.UnionT):
        return " | ".join(type_text(m) for m in t.members)
    if isinstance(t, ir.FutureT):
        return f"future[{type_text(t.result)}]"
    if isinstance(t, ir.ClientT):
        return f"client {t.client}"
    return "?"


class Param:
    """One keyword parameter of a generated method and where its value goes."""

    def __init__(self, name: str, wire: str, where: str, annotation: str, default: str | None) -> None:
        self.name = name
        self.python = NAMING.field_name(name)
        self.wire = wire
        self.where = where  # path | query | body
        self.annotation = annotation
        self.default = default  # Python source, or None when required

    def signature(self) -> str:
        if self.default is None:
            return f"{self.python}: {self.annotation}"
        if self.default == "None" and not self.annotation.endswith("| None") and self.annotation != "Any":
            return f"{self.python}: {self.annotation} | None = None"
        return f"{self.python}: {self.annotation} = {self.default}"


def scalar_default(has_default: bool, default: Any, required: bool) -> str | None:
    """The Python default of a parameter: a JSON scalar as itself; a list or object default (a
    mutable default argument would be shared between calls) and a missing optional value as None,
    which leaves the value out so the server applies its own default."""
    if required and not has_default:
        return None
    value = ir.thaw(default) if has_default else None
    return py_literal(value) if not isinstance(value, dict | list) else "None"


def endpoint_params(api: ir.Api, ep: ir.Endpoint) -> list[Param]:
    params: dict[str, Param] = {}
    for p in ep.path_params:
        params.setdefault(p.name, Param(p.name, p.name, "path", annotation(api, p.type), None))
    for q in ep.query:
        params.setdefault(
            q.name,
            Param(
                q.name,
                q.wire_name or q.name,
                "query",
                annotation(api, q.type),
                scalar_default(q.has_default, q.default, q.required),
            ),
        )
    record = api.record(ep.request)
    if record is not None:
        for f in record.fields:
            params.setdefault(
                f.name,
                Param(
                    f.name,
                    f.json_name,
                    "body",
                    annotation(api, f.type),
                    scalar_default(f.has_default, f.default, f.required),
                ),
            )
    elif ep.request is not None:
        params.setdefault("body", Param("body", "", "whole_body", annotation(api, ep.request), None))
    return sorted(params.values(), key=lambda p: p.default is not None)  # required first: easier to read


def exploded(items: Iterable[str], indent: str) -> str:
    """A collection's items one per line with a trailing comma: the layout `ruff format` keeps."""
    return "".join(f"{indent}{item},\n" for item in items)


class MiniPyBackend(Backend):
    name = "minipy"
    version = __version__
    description = "a tiny stdlib-only Python client and its Markdown reference (the example out-of-tree backend)"
    naming = NAMING
    capabilities = frozenset({"conformance-driver"})

    def emit(self, api: ir.Api, options: Mapping[str, Any]) -> list[OutputFile]:
        package = str(options.get("package") or snake_case(api.service.name) + "_minipy")
        if not package.isidentifier() or keyword.iskeyword(package):
            package = "minipy_client"
        static = resources.files("tinkc_example_backend") / "static"
        driver = (static / "conformance_driver.py").read_text(encoding="utf-8")
        files = [
            OutputFile("README.md", reference(api, package)),
            OutputFile("pyproject.toml", pyproject(api, package)),
            OutputFile(f"src/{package}/__init__.py", client_module(api)),
            OutputFile(f"src/{package}/_runtime.py", (static / "_runtime.py").read_text(encoding="utf-8")),
            OutputFile(f"src/{package}/py.typed", ""),
            OutputFile(
                "conformance_driver.py", driver.replace('PACKAGE = "__package__"', f"PACKAGE = {py_str(package)}", 1)
            ),
        ]
        return sorted(files, key=lambda f: f.path)

    def conformance_driver(self, tree: Path) -> DriverCommand:
        # Nothing to build: the driver runs the package from its source tree with this interpreter.
        return DriverCommand((sys.executable, "conformance_driver.py"), tree, {"PYTHONPATH": str(tree / "src")})


def endpoint_constant(ep: ir.Endpoint) -> str:
    return "EP_" + snake_case(ep.id).upper()


def client_module(api: ir.Api) -> str:
    svc = api.service
    auth = svc.auth
    lines = [
        f'"""Client of the {py_escape(svc.name)} API (generated by tinkc-example-backend; do not edit)."""\n',
        "\n",
        "from __future__ import annotations\n",
        "\n",
        "__TYPING__",
        "from ._runtime import BaseClient, Endpoint, Service\n",
        "\n",
        "SERVICE = Service(\n",
        f"    name={py_str(svc.name)},\n",
        f"    version={py_str(svc.version)},\n",
        f"    base_url={py_literal(svc.base_url)},\n",
        f"    base_url_env={py_literal(svc.base_url_env)},\n",
        f"    api_key_header={py_literal(auth.header if auth else None)},\n",
        f"    api_key_env={py_literal(auth.env if auth else None)},\n",
        f"    timeout_sec={svc.timeout_ms / 1000!r},\n",
    ]
    if svc.headers:
        lines += [
            "    headers={\n",
            exploded((f"{py_str(h.name)}: {py_str(h.value)}" for h in svc.headers), "        "),
            "    },\n",
        ]
    lines.append(")\n")
    used = {m.target for c in api.clients.values() for m in c.methods if m.kind == "endpoint"}
    for ep in (api.endpoints[e] for e in sorted(used) if e in api.endpoints):
        lines += ["", *endpoint_definition(api, ep)]
    for client in api.clients.values():
        lines += ["\n", *client_class(api, client)]
    lines += [
        "\n",
        "\n",
        "# The conformance driver finds a manifest client's class here.\n",
        "CLIENTS: dict[str, type[BaseClient]] = {\n",
        exploded((f"{py_str(c.id)}: {NAMING.type_name(c.display_name)}" for c in api.clients.values()), "    "),
        "}\n",
    ]
    body = "".join(lines)
    # `typing.Any` only when a signature uses it (an unused import is a lint finding)
    return body.replace(
        "__TYPING__", "from typing import Any\n\n" if "Any" in body.replace("__TYPING__", "") else "", 1
    )


def endpoint_definition(api: ir.Api, ep: ir.Endpoint) -> list[str]:
    lines = [
        "\n",
        f"{endpoint_constant(ep)} = Endpoint(\n",
        f"    method={py_str(ep.method)},\n",
        f"    uri_template={py_str(ep.uri_template)},\n",
    ]
    if ep.headers:
        lines += [
            "    headers={\n",
            exploded((f"{py_str(h.name)}: {py_str(h.value)}" for h in ep.headers), "        "),
            "    },\n",
        ]
    if ep.response_handler == "redirect_location":
        lines.append("    returns_location=True,\n")
    if ep.response is None:
        lines.append("    has_response=False,\n")
    lines.append(")\n")
    return lines


def client_class(api: ir.Api, client: ir.Client) -> list[str]:
    lines = ["\n", f"class {NAMING.type_name(client.display_name)}(BaseClient):\n"]
    lines.append(docstring(client.doc, "    ") or f'    """The {py_escape(client.id)} client."""\n')
    lines += ["\n", "    service = SERVICE\n"]
    for method in client.methods:
        ep = api.endpoints.get(method.target) if method.kind == "endpoint" else None
        if ep is None:
            continue  # flows are not generated by this example (the reference says so)
        lines += ["\n", *method_definition(api, method, ep)]
    return lines


def method_definition(api: ir.Api, method: ir.Method, ep: ir.Endpoint) -> list[str]:
    params = endpoint_params(api, ep)
    returns = "str" if ep.response_handler == "redirect_location" else ("None" if ep.response is None else "Any")
    name = NAMING.method_name(method.name)
    if params:
        lines = [
            f"    def {name}(\n",
            "        self,\n",
            "        *,\n",
            exploded((p.signature() for p in params), "        "),
            f"    ) -> {returns}:\n",
        ]
    else:
        lines = [f"    def {name}(self) -> {returns}:\n"]
    lines.append(docstring(method.doc or ep.doc, "        "))
    call = [f"{endpoint_constant(ep)}"]
    for where in ("path", "query"):
        chosen = [p for p in params if p.where == where]
        if chosen:
            # path: the template's variable names; query: the names on the wire
            call.append(
                f"{where}={{\n"
                + exploded(
                    (f"{py_str(p.name if where == 'path' else p.wire)}: {p.python}" for p in chosen), "                "
                )
                + "            }"
            )
    body = [p for p in params if p.where == "body"]
    whole = [p for p in params if p.where == "whole_body"]
    if body:
        # optional fields left at None are left out of the body (the server applies its default)
        required = [p for p in body if p.default is None]
        optional = [p for p in body if p.default is not None]
        # `_body`: a manifest field may well be called `body`
        entries = exploded((f"{py_str(p.wire)}: {p.python}" for p in required), "            ")
        lines.append(
            f"        _body: dict[str, Any] = {{\n{entries}        }}\n"
            if required
            else "        _body: dict[str, Any] = {}\n"
        )
        for p in optional:
            lines += [f"        if {p.python} is not None:\n", f"            _body[{py_str(p.wire)}] = {p.python}\n"]
        call.append("body=_body")
    elif whole:
        call.append(f"body={whole[0].python}")
    function = "self._location" if ep.response_handler == "redirect_location" else "self._call"
    result = f"{function}(\n" + exploded(call, "            ") + "        )"
    lines.append(f"        {result}\n" if returns == "None" else f"        return {result}\n")
    return lines


def pyproject(api: ir.Api, package: str) -> str:
    return f"""[build-system]
requires = ["setuptools>=69"]
build-backend = "setuptools.build_meta"

[project]
name = {py_str(package.replace("_", "-"))}
version = {py_str(api.service.version)}
description = "Minimal Python client (generated by tinkc-example-backend)"
requires-python = ">=3.10"
dependencies = []

[tool.setuptools.package-data]
{package} = ["py.typed"]

[tool.ruff]
line-length = 120
target-version = "py310"

[tool.ruff.lint]
select = ["E", "F", "W", "I", "B", "UP"]
ignore = ["E501"]  # the formatter owns line length; a long string cannot wrap

[tool.mypy]
strict = true
"""


def reference(api: ir.Api, package: str) -> str:
    svc = api.service
    out = [f"# {md_text(svc.name)} {md_text(svc.version)} — API reference\n", "\n"]
    if svc.doc:
        out += [md_text(svc.doc), "\n\n"]
    out += [
        f"Generated by tinkc-example-backend {__version__} (`minipy`). Python package: {md_code(package)}; ",
        "standard library only.\n\n",
        f"* base URL: {md_code(svc.base_url or '(none)')}",
        f" (environment: {md_code(svc.base_url_env)})\n" if svc.base_url_env else "\n",
    ]
    if svc.auth is not None:
        out.append(
            f"* API key: header {md_code(svc.auth.header)}"
            + (f", environment {md_code(svc.auth.env)}" if svc.auth.env else "")
            + "\n"
        )
    if svc.features:
        out.append(
            f"* service features (not implemented by minipy): {', '.join(md_code(u.feature) for u in svc.features)}\n"
        )
    out += ["\n", "## Clients\n"]
    for client in api.clients.values():
        out += [
            "\n",
            f"### {md_code(NAMING.type_name(client.display_name))} (manifest client {md_code(client.id)})\n",
            "\n",
        ]
        if client.doc:
            out += [md_text(client.doc), "\n\n"]
        for method in client.methods:
            ep = api.endpoints.get(method.target) if method.kind == "endpoint" else None
            if ep is None:
                out.append(f"* {md_code(method.name)}: flow {md_code(method.target)}, not generated by minipy\n")
                continue
            params = ", ".join(md_code(p.signature()) for p in endpoint_params(api, ep)) or "no parameters"
            out.append(
                f"* {md_code(NAMING.method_name(method.name))}({params}): {md_code(ep.method + ' ' + ep.path.template)}\n"
            )
    out += ["\n", "## Endpoints\n"]
    for ep in api.endpoints.values():
        out += ["\n", f"### {md_code(ep.id)}\n", "\n", f"{md_code(ep.method + ' ' + ep.path.template)}\n", "\n"]
        if ep.doc:
            out += [md_text(ep.doc), "\n\n"]
        out.append(f"* request: {md_code(type_text(ep.request))}; response: {md_code(type_text(ep.response))}\n")
        for p in ep.path_params:
            out.append(f"* path {md_code(p.name)}: {md_code(type_text(p.type))}" + (" (raw)" if p.raw else "") + "\n")
        for q in ep.query:
            out.append(
                f"* query {md_code(q.wire_name or q.name)}: {md_code(type_text(q.type))}"
                + ("" if q.required else " (optional)")
                + "\n"
            )
        if ep.features:
            out.append(
                f"* features (not implemented by minipy): {', '.join(md_code(u.feature) for u in ep.features)}\n"
            )
    out += ["\n", "## Types\n"]
    for decl in api.types.values():
        out += ["\n", f"### {md_code(decl.id)}\n", "\n"]
        if decl.doc:
            out += [md_text(decl.doc), "\n\n"]
        if isinstance(decl, ir.Record):
            for f in decl.fields:
                out.append(
                    f"* {md_code(f.json_name)}: {md_code(type_text(f.type))}"
                    + (" (required)" if f.required else "")
                    + "\n"
                )
        elif isinstance(decl, ir.Enum):
            out.append(
                "enum: " + ", ".join(md_code(v.value) for v in decl.values) + " (unknown values are kept as strings)\n"
            )
        elif isinstance(decl, ir.Union_):
            tagged = ", ".join(md_code(v.type) + (f" = {md_code(v.tag)}" if v.tag else "") for v in decl.variants)
            out.append(
                f"union of {tagged}"
                + (f", discriminated by {md_code(decl.discriminator)}" if decl.discriminator else "")
                + "\n"
            )
        elif isinstance(decl, ir.Alias):
            out.append(f"alias of {md_code(type_text(decl.target))}\n")
    return "".join(out)
