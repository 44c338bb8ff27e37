"""Backend `minipy`: a minimal, standard-library-only Python client and its Markdown reference.

It is the example of tinkc's plug-in path, and of what a backend is: a consumer of the SDK plan
(:mod:`tinkc.sdk`), a symbol provider (:mod:`.symbols`) and a templates folder (``templates/``,
rendered through :mod:`tinkc.backends.templates`). An installed distribution registers it in the
``tinkc.backends`` entry-point group and it uses only the public contract (docs/backends.md). What
it emits for a manifest::

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

import sys
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from tinkc.backends.base import Backend, DriverCommand, OutputFile
from tinkc.backends.symbols import Imports
from tinkc.backends.templates import render
from tinkc.ir import nodes as ir
from tinkc.sdk import EndpointPlan, Param, SdkPlan, plan_of

from tinkc_example_backend import __version__
from tinkc_example_backend.symbols import (
    ANY,
    BASE_CLIENT,
    ENDPOINT,
    FILTERS,
    NAMING,
    SERVICE,
    SYMBOLS,
    md_code,
    one_line,
    py_literal,
    type_text,
)

TEMPLATES = Path(__file__).parent / "templates"


def _render(name: str, **context: Any) -> str:
    return render(TEMPLATES, name, FILTERS, **context)


class MiniPyBackend(Backend):
    name = "minipy"
    version = __version__
    description = "a tiny stdlib-only Python client and its Markdown reference (the example out-of-tree backend)"
    naming = NAMING
    capabilities = frozenset({"conformance-driver"})

    def emit(self, api: ir.Api, options: Mapping[str, Any]) -> list[OutputFile]:
        plan = plan_of(api)
        package = SYMBOLS.package(api.service.name, options.get("package"))
        static = resources.files("tinkc_example_backend") / "static"
        files = [
            OutputFile("README.md", reference(plan, package)),
            OutputFile("pyproject.toml", _render("pyproject.toml.jinja", package=package, version=api.service.version)),
            OutputFile(f"src/{package}/__init__.py", client_module(plan)),
            OutputFile(f"src/{package}/_runtime.py", (static / "_runtime.py").read_text(encoding="utf-8")),
            OutputFile(f"src/{package}/py.typed", ""),
            OutputFile("conformance_driver.py", _render("conformance_driver.py.jinja", package=package)),
        ]
        return sorted(files, key=lambda f: f.path)

    def conformance_driver(self, tree: Path) -> DriverCommand:
        # Nothing to build: the driver runs the package from its source tree with this interpreter.
        return DriverCommand((sys.executable, "conformance_driver.py"), tree, {"PYTHONPATH": str(tree / "src")})


# -- what the templates show, computed from the plan ----------------------------------------------


def default_of(p: Param) -> str | None:
    """The Python default of a parameter (None: required). The plan says what an absent argument
    sends: its default (a JSON scalar written as itself; a list or object default would be one
    mutable object shared between calls, so it is None, and the server applies its own default) or
    nothing (None: the value is left out)."""
    if p.absent == "required":
        return None
    value = ir.thaw(p.default) if p.absent == "default" else None
    return py_literal(value) if not isinstance(value, dict | list) else "None"


def signature(p: Param, annotation: str) -> str:
    python = SYMBOLS.field_name(p.name)
    default = default_of(p)
    if default is None:
        return f"{python}: {annotation}"
    if default == "None" and not annotation.endswith("| None") and annotation != "Any":
        return f"{python}: {annotation} | None = None"
    return f"{python}: {annotation} = {default}"


def method(plan: SdkPlan, name: str, doc: str | None, ep: EndpointPlan, imports: Imports) -> dict[str, Any]:
    params = [(p, SYMBOLS.annotation(plan.api, p.type, imports)) for p in ep.params]
    body = [p for p, _ in params if p.location == "body"]
    whole = [p for p, _ in params if p.location == "body_whole"]
    if body:
        imports.use(ANY)  # `_body: dict[str, Any]`
    maps = [
        # path: the template's variable names; query: the names on the wire
        (where, [(p.wire, SYMBOLS.field_name(p.name)) for p, _ in params if p.location == where])
        for where in ("path", "query")
    ]
    returns = {"redirect": "str", "empty": "None"}.get(ep.response) or imports.use(ANY)
    return {
        "name": SYMBOLS.method_name(name),
        "doc": one_line(doc or ep.doc),
        "params": [{"signature": signature(p, annotation)} for p, annotation in params],
        "returns": returns,
        "constant": SYMBOLS.endpoint_constant(ep.id),
        "function": "self._location" if ep.response == "redirect" else "self._call",
        "maps": [(where, items) for where, items in maps if items],
        # optional fields left at None are left out of the body (the plan's absent rule)
        "body_required": [
            {"wire": p.wire, "python": SYMBOLS.field_name(p.name)} for p in body if p.absent == "required"
        ],
        "body_optional": [
            {"wire": p.wire, "python": SYMBOLS.field_name(p.name)} for p in body if p.absent != "required"
        ],
        # `_body`: a manifest field may well be called `body`
        "body_arg": "_body" if body else (SYMBOLS.field_name(whole[0].name) if whole else None),
    }


def client_module(plan: SdkPlan) -> str:
    svc = plan.service
    imports = Imports()
    runtime = [imports.use(s) for s in (BASE_CLIENT, ENDPOINT, SERVICE)]
    clients = []
    used: set[str] = set()
    for client in plan.clients.values():
        methods = []
        for m in client.methods:
            if m.kind != "endpoint":
                continue  # flows are not generated by this example (the reference says so)
            used.add(m.target)
            methods.append(method(plan, m.name, m.doc, plan.endpoint(m.target), imports))
        clients.append(
            {
                "id": client.id,
                "name": SYMBOLS.client_class(client.display_name),
                "doc": one_line(client.doc) or one_line(f"The {client.id} client."),
                "methods": methods,
            }
        )
    endpoints = [
        {
            "constant": SYMBOLS.endpoint_constant(ep.id),
            "method": ep.method,
            "path": ep.path,
            "headers": [(h.name, h.value) for h in plan.api.endpoints[ep.id].headers],
            "response": ep.response,
        }
        for ep in (plan.endpoint(e) for e in sorted(used))
    ]
    return _render(
        "client_module.py.jinja",
        service=svc,
        timeout_sec=repr(svc.timeout_ms / 1000),
        imports=imports.by_module(),
        runtime_names=sorted(runtime),
        endpoints=endpoints,
        clients=clients,
    )


def reference(plan: SdkPlan, package: str) -> str:
    api = plan.api
    clients = []
    for client in plan.clients.values():
        entries = []
        for m in client.methods:
            if m.kind != "endpoint":
                entries.append({"flow": m.target, "manifest_name": m.name})
                continue
            ep = plan.endpoint(m.target)
            scratch = Imports()  # the reference shows the signatures; it imports nothing
            raw = api.endpoints[ep.id]
            entries.append(
                {
                    "flow": None,
                    "name": SYMBOLS.method_name(m.name),
                    "params": [signature(p, SYMBOLS.annotation(api, p.type, scratch)) for p in ep.params],
                    "route": f"{ep.method} {raw.path.template}",
                }
            )
        clients.append(
            {
                "id": client.id,
                "name": SYMBOLS.client_class(client.display_name),
                "raw_doc": client.doc,
                "reference": entries,
            }
        )
    endpoints = [
        {
            "id": ep.id,
            "route": f"{ep.method} {ep.path.template}",
            "doc": ep.doc,
            "request": type_text(ep.request),
            "response": type_text(ep.response),
            "path_params": [{"name": p.name, "type": type_text(p.type), "raw": p.raw} for p in ep.path_params],
            "query": [
                {"wire": q.wire_name or q.name, "type": type_text(q.type), "required": q.required} for q in ep.query
            ],
            "features": [u.feature for u in ep.features],
        }
        for ep in api.endpoints.values()
    ]
    return _render(
        "README.md.jinja",
        service=plan.service,
        version=__version__,
        package=package,
        clients=clients,
        all_endpoints=endpoints,
        types=[_type_entry(decl) for decl in api.types.values()],
    )


def _type_entry(decl: ir.TypeDecl) -> dict[str, Any]:
    entry: dict[str, Any] = {"id": decl.id, "doc": decl.doc}
    if isinstance(decl, ir.Record):
        entry |= {
            "kind": "record",
            "fields": [{"wire": f.json_name, "type": type_text(f.type), "required": f.required} for f in decl.fields],
        }
    elif isinstance(decl, ir.Enum):
        entry |= {"kind": "enum", "members": [v.value for v in decl.values]}
    elif isinstance(decl, ir.Union_):
        variants = [md_code(v.type) + (f" = {md_code(v.tag)}" if v.tag else "") for v in decl.variants]
        entry |= {"kind": "union", "variants": variants, "discriminator": decl.discriminator}
    else:
        entry |= {"kind": "alias", "target": type_text(decl.target)}
    return entry
