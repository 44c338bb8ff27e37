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
from json import encoder as _json_encoder
from typing import Any, ClassVar

from tinkc.backends.base import Backend, NamingRules, OutputFile
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
    # imported here: every check imports this module for the naming rules above (the naming pass
    # checks every target's), and these builders only when a document is made (~1 ms of a check)
    from tinkc.backends.openapi.extensions import Extensions
    from tinkc.backends.openapi.paths import PathsBuilder
    from tinkc.backends.openapi.schemas import SchemaBuilder

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
    # OpenAPI's `http` schemes are carried by the Authorization header; in another header the
    # credential is, to OpenAPI, an API key whatever its prefix
    if auth.type in ("bearer", "basic") and auth.header.lower() == "authorization":
        scheme: dict[str, Any] = {"type": "http", "scheme": auth.type}
    else:
        scheme = {"type": "apiKey", "in": "header", "name": auth.header}
    if auth.env:
        scheme["description"] = f"The API key; SDKs read `{auth.env}` when none is given."
        scheme["x-tinkc-env"] = auth.env
    if auth.type != "api_key":
        scheme["x-tinkc-scheme"] = auth.type
    if auth.command_env:
        scheme["x-tinkc-command-env"] = auth.command_env
    x = auth.exchange
    if x is not None:
        exchange: dict[str, Any] = {"endpoint": x.endpoint, "token": x.token_field}
        exchange["lifetime"] = {"field": x.lifetime_field} if x.lifetime_field else {"claim": x.lifetime_claim}
        exchange.update(refresh_window=list(x.refresh_window), refresh_before_sec=x.refresh_before_sec, enabled=x.enabled)
        if x.enable_env:
            exchange["enable_env"] = x.enable_env
        scheme["x-tinkc-exchange"] = exchange
    return scheme


def server_url(url: str) -> str:
    """OpenAPI reads ``{name}`` in a server URL as a server variable; a manifest's base URL has none,
    so braces are percent-encoded (the same URL to an HTTP client)."""
    return url.replace("{", "%7B").replace("}", "%7D")


# ---------------------------------------------------------------------------------------------
# Rendering


def to_json(document: dict[str, Any]) -> str:
    """``json.dumps(document, indent=2, ensure_ascii=False)`` and a newline. json's indenting
    encoder is pure Python (its C encoder only writes unindented JSON): ~15 ms of this backend's
    ~55 ms on the bundled manifest. The document is plain JSON data, written here with json's C
    string escaper; anything else (a key that is not text, a value of another type) is left to json."""
    parts: list[str] = []
    try:
        _json_into(document, "\n", parts)
    except _NotPlainJson:
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    parts.append("\n")
    return "".join(parts)


class _NotPlainJson(Exception):
    pass


_encode_string = _json_encoder.encode_basestring  # the C one where the interpreter has it, as json.dumps uses


def _json_into(value: Any, newline: str, parts: list[str]) -> None:
    """``value`` as json.dumps(indent=2) writes it at the indentation that ``newline`` starts."""
    kind = type(value)
    if kind is str:
        parts.append(_encode_string(value))
    elif kind is dict:
        if not value:
            parts.append("{}")
            return
        inner = newline + "  "
        separator = "{" + inner
        for key, item in value.items():
            if type(key) is not str:  # json converts such keys (numbers, booleans, None): left to it
                raise _NotPlainJson
            parts.append(separator + _encode_string(key) + ": ")
            _json_into(item, inner, parts)
            separator = "," + inner
        parts.append(newline + "}")
    elif kind is list or kind is tuple:
        if not value:
            parts.append("[]")
            return
        inner = newline + "  "
        separator = "[" + inner
        for item in value:
            parts.append(separator)
            _json_into(item, inner, parts)
            separator = "," + inner
        parts.append(newline + "]")
    elif value is None:
        parts.append("null")
    elif value is True:
        parts.append("true")
    elif value is False:
        parts.append("false")
    elif kind is int:
        parts.append(int.__repr__(value))
    elif kind is float:
        if value != value:
            parts.append("NaN")
        elif value == float("inf"):
            parts.append("Infinity")
        elif value == -float("inf"):
            parts.append("-Infinity")
        else:
            parts.append(float.__repr__(value))
    else:
        raise _NotPlainJson


# The YAML form is written here rather than by PyYAML's emitter, which took nine tenths of this
# backend's time (its pure-Python emitter analyses every scalar several times; libyaml's writes
# some characters differently, so the output would depend on how PyYAML was built). The document is
# JSON data, so block mappings and sequences of a few scalar forms are all it needs:
#
# * plain scalars only for conservative text (letters, digits and `_ . / ( ) { } + , = -` inside,
#   not starting with an indicator) that no YAML 1.1 or 1.2 parser reads as anything but a string;
# * multi-line text as a literal block when every line is printable and has no trailing space;
# * everything else double-quoted with JSON's escapes, plus `\L`, `\P`, `\N` for the characters YAML
#   1.1 takes for line breaks, and `\uXXXX` for every character YAML cannot carry raw.
# Plain scalars that YAML 1.2's core schema reads as null, booleans or numbers (`1e3`, `0o17`).
_YAML_12_NON_STRINGS = re.compile(
    r"null|Null|NULL|~|true|True|TRUE|false|False|FALSE"
    r"|[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+"
    r"|[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN)"
)
_PLAIN = re.compile(r"[A-Za-z_/][A-Za-z0-9_./(){}+,=-]*(?: [A-Za-z0-9_./(){}+,=-]+)*")
# YAML 1.1 reads these as booleans or null as well (PyYAML quotes them): never plain
_YAML_11_WORDS = frozenset({"y", "n", "yes", "no", "on", "off", "true", "false", "null", "~"})
_ESCAPES = {"\x85": "\\N", "\u2028": "\\L", "\u2029": "\\P"}


def _printable(ch: str) -> bool:
    """What YAML lets a document carry raw (its `c-printable`, less the line-break lookalikes)."""
    code = ord(ch)
    return (
        code in (0x09, 0x0A, 0x0D)
        or 0x20 <= code <= 0x7E
        or (0xA0 <= code <= 0xD7FF and code not in (0x2028, 0x2029))
        or 0xE000 <= code <= 0xFFFD
        or 0x10000 <= code <= 0x10FFFF
    ) and code != 0xFEFF


# what _quoted rewrites: YAML's non-printable characters and its line-break lookalikes (whatever
# _printable rejects; json.dumps leaves no raw newline). Most strings hold none, and are quoted as
# json.dumps gives them without the walk of each character (~10 ms on the bundled manifest).
# (written as the characters it matches, not as the complement of the printable ones: a negated
# class up to U+10FFFF takes Python's regex compiler ~9 ms, and the naming pass imports this module
# on every `tinkc check`)
_NOT_PRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]")


def _quoted(text: str) -> str:
    dumped = _encode_string(text)  # what json.dumps(text, ensure_ascii=False) returns, without its encoder object
    if _NOT_PRINTABLE.search(dumped) is None:
        return dumped
    out = []
    for ch in dumped[1:-1]:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif _printable(ch) or ch == "\n":
            out.append(ch)
        else:
            out.append(f"\\u{ord(ch):04X}" if ord(ch) <= 0xFFFF else f"\\U{ord(ch):08X}")
    return '"' + "".join(out) + '"'


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        text = json.dumps(value)
        mantissa, e, exponent = text.partition("e")
        # YAML 1.1 (PyYAML's) reads an exponent as a float only after a dot and with a sign: 1.0e-12
        return (
            (mantissa if "." in mantissa else mantissa + ".0") + e + (exponent if exponent[:1] in "+-" else "+" + exponent) if e else text
        )
    text = str(value)
    if _PLAIN.fullmatch(text) and text.lower() not in _YAML_11_WORDS and not _YAML_12_NON_STRINGS.fullmatch(text):
        return text
    return _quoted(text)


def _block_text(text: str) -> bool:
    """Can ``text`` be a literal block (`|`): several lines, each printable, none ending in a space,
    the first not starting with one (the block's indentation would be misread)?"""
    lines = text.split("\n")
    return (
        len(lines) > 1
        and text.strip("\n") != ""
        and not text.startswith((" ", "\t", "\n"))
        and all(_printable(ch) and ch not in "\r\t" for ch in text if ch != "\n")
        and all(not line.endswith((" ", "\t")) for line in lines)
    )


def _literal(text: str, indent: str) -> list[str]:
    body = text.rstrip("\n")
    trailing = len(text) - len(body)
    chomp = "-" if trailing == 0 else ("" if trailing == 1 else "+")
    return ["|" + chomp] + [(indent + line) if line else "" for line in body.split("\n")] + [""] * max(0, trailing - 1)


def _yaml_lines(value: Any, indent: str, out: list[str], head: str) -> None:
    """Append ``head`` followed by ``value`` (``head`` ends in `key:` or `-`, or is empty at the top)."""
    if isinstance(value, dict):
        if not value:
            out.append(f"{head} {{}}" if head else "{}")
            return
        # a mapping's keys go one level under its key, or beside the `- ` of a sequence entry
        inner = indent if not head or head.endswith("-") else indent + "  "
        first = True
        for key, item in value.items():
            prefix = f"{_scalar(str(key))}:"
            if head.endswith("-") and first:  # `- key: value`: the first key on the dash's line
                _yaml_lines(item, inner, out, f"{head} {prefix}")
            else:
                if first and head:
                    out.append(head)
                _yaml_lines(item, inner, out, f"{inner}{prefix}")
            first = False
        return
    if isinstance(value, list):
        if not value:
            out.append(f"{head} []" if head else "[]")
            return
        inner = indent if not head or head.endswith("-") else indent + "  "
        if head:
            out.append(head)
        for item in value:
            _yaml_lines(item, inner + "  ", out, f"{inner}-")
        return
    if isinstance(value, str) and _block_text(value):
        lines = _literal(value, indent + "  ")
        out.append(f"{head} {lines[0]}")
        out.extend(lines[1:])
        return
    out.append(f"{head} {_scalar(value)}" if head else _scalar(value))


def to_yaml(document: dict[str, Any]) -> str:
    lines: list[str] = []
    _yaml_lines(document, "", lines, "")
    body = "\n".join(lines) + "\n"
    return "# Generated by tinkc (target openapi) from the manifest; edit the manifest, not this file.\n" + body
