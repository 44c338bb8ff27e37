"""Backend `openapi`: the manifest as one OpenAPI 3.1.0 document.

Built only through the public backend contract (``Backend``, ``OutputFile``, ``NamingRules``, the IR
of ``docs/ir.md`` and ``tinkc.ir.types``), as an out-of-tree backend would be. It writes the same
document twice:

* ``openapi.json`` — the exact form: JSON has one reading (no YAML 1.1/1.2 differences such as
  ``no`` or ``1e3``), every OpenAPI tool loads it, and it is what gets served or fetched by URL;
* ``openapi.yaml`` — the form people read and review, and what most documentation setups expect.

Both come from one Python object whose keys are placed in a fixed order (root sections in the
order of the specification, declarations sorted by id, fields and parameters in manifest order),
so they are byte-identical across runs; the tests check that the YAML loads to the JSON's data.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any, ClassVar

import yaml

from tinkc.backends.base import Backend, NamingRules, OutputFile
from tinkc.backends.openapi.extensions import Extensions
from tinkc.backends.openapi.paths import PathsBuilder
from tinkc.backends.openapi.schemas import SchemaBuilder
from tinkc.ir import nodes as ir

OPENAPI_VERSION = "3.1.0"
SECURITY_SCHEME = "api_key"


class OpenApiBackend(Backend):
    name = "openapi"
    version = "1"
    description = "an OpenAPI 3.1 document (paths, schemas, features as x-tinkc-* extensions)"
    capabilities = frozenset({"openapi-3.1"})
    # OpenAPI names are the manifest's own: type ids (components), endpoint ids (operationIds) and
    # wire names (properties) are all valid as they are, so no identifier is re-cased.
    naming = NamingRules(type_case="keep", method_case="keep", field_case="keep")
    options: ClassVar[Mapping[str, Any] | None] = {}  # `targets.openapi` takes none (a diagnostic if given)

    def emit(self, api: ir.Api, options: Mapping[str, Any]) -> list[OutputFile]:
        document = build_document(api)
        return [OutputFile("openapi.json", to_json(document)), OutputFile("openapi.yaml", to_yaml(document))]


def build_document(api: ir.Api) -> dict[str, Any]:
    schemas = SchemaBuilder(api)
    extensions = Extensions(api, schemas)
    service = api.service

    info: dict[str, Any] = {"title": service.name, "version": service.version}
    if service.doc:
        info["description"] = service.doc

    doc: dict[str, Any] = {"openapi": OPENAPI_VERSION, "info": info}
    if service.base_url is not None:
        server: dict[str, Any] = {"url": server_url(service.base_url)}
        if service.base_url_env:
            server["description"] = f"The default; SDKs read `{service.base_url_env}` to use another."
            server["x-tinkc-env"] = service.base_url_env
        doc["servers"] = [server]
    if service.auth is not None:
        doc["security"] = [{SECURITY_SCHEME: []}]
    groups = sorted({endpoint.group for endpoint in api.endpoints.values()})
    if groups:
        doc["tags"] = [{"name": group} for group in groups]
    doc["paths"] = PathsBuilder(api, schemas).paths()

    components: dict[str, Any] = {
        "schemas": {OpenApiBackend.naming.type_name(decl.id): schemas.declaration_schema(decl) for decl in api.types.values()}
    }
    if service.auth is not None:
        components["securitySchemes"] = {SECURITY_SCHEME: security_scheme(service.auth)}
    if api.features:
        components["x-tinkc-features"] = extensions.features()
    doc["components"] = components

    doc["x-tinkc-service"] = extensions.service()
    if api.clients:
        doc["x-tinkc-clients"] = extensions.clients()
    if api.flows:
        doc["x-tinkc-flows"] = extensions.flows()
    if api.targets:
        doc["x-tinkc-targets"] = {name: ir.thaw(options) for name, options in api.targets.items()}
    return doc


def security_scheme(auth: ir.Auth) -> dict[str, Any]:
    scheme: dict[str, Any] = {"type": "apiKey", "in": "header", "name": auth.header}
    if auth.env:
        scheme["description"] = f"The API key; SDKs read `{auth.env}` when none is given."
        scheme["x-tinkc-env"] = auth.env
    return scheme


def server_url(url: str) -> str:
    """OpenAPI reads ``{name}`` in a server URL as a server variable; a manifest's base URL has none,
    so braces are percent-encoded (the same URL to an HTTP client)."""
    return url.replace("{", "%7B").replace("}", "%7D")


# ---------------------------------------------------------------------------------------------
# Rendering


def to_json(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


class _Dumper(yaml.SafeDumper):
    """Safe YAML with no anchors (every node written where it is) and multi-line text as blocks."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


# Line breaks in YAML 1.1 (PyYAML's version) but not in YAML 1.2: written raw, a 1.2 parser would read
# the indentation after them as part of the text. Double quotes write them as escapes (`\L`, `\P`).
_YAML_11_BREAKS = ("\x85", "\u2028", "\u2029")


# Plain scalars that YAML 1.2's core schema reads as null, booleans or numbers. PyYAML quotes the
# ones YAML 1.1 would misread, but not `1e3` or `0o17`, which only 1.2 parsers take for numbers.
_YAML_12_NON_STRINGS = re.compile(
    r"null|Null|NULL|~|true|True|TRUE|false|False|FALSE"
    r"|[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+"
    r"|[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN)"
)


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if any(ch in value for ch in _YAML_11_BREAKS):
        style: str | None = '"'
    elif _YAML_12_NON_STRINGS.fullmatch(value):
        style = "'"
    elif "\n" in value:
        # Literal blocks for multi-line docs; PyYAML itself falls back to a quoted scalar when the
        # text cannot be a block (trailing spaces, special characters).
        style = "|"
    else:
        style = None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


def to_yaml(document: dict[str, Any]) -> str:
    body = yaml.dump(document, Dumper=_Dumper, sort_keys=False, allow_unicode=True, default_flow_style=False, width=1 << 20)
    return "# Generated by tinkc (target openapi) from the manifest; edit the manifest, not this file.\n" + body
