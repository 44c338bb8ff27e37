"""Matching request paths against the endpoints' path templates.

A ``{name}`` variable matches one path segment, a raw one (``{+name}``, ``raw: true``) one or more
segments including ``/``. Matching runs on the raw (still percent-encoded) path, so an encoded ``%2F``
inside a one-segment variable stays inside it; captured values are then percent-decoded. When several
templates match one path (``.../checkpoints/{+id}`` and ``.../checkpoints/{+id}/publish``), the one
with the most literal text wins, then the one with fewer raw variables, then the endpoint id.

    >>> from tinkc.ir.nodes import Endpoint, PathLiteral, PathTemplate, PathVar
    >>> ep = Endpoint(id="c.get", method="GET", path=PathTemplate(template="/c/{+id}", parts=(PathLiteral(text="/c/"), PathVar(name="id", raw=True))))
    >>> Router([ep]).match("GET", "/c/weights/0001").params
    {'id': 'weights/0001'}
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import unquote

import attrs

from tinkc.ir import nodes as ir


@attrs.frozen
class Route:
    endpoint: ir.Endpoint
    pattern: re.Pattern[str]
    names: tuple[str, ...]
    rank: tuple[int, int, str]  # sort key: most literal text first, then fewer raw variables, then id


@attrs.frozen
class Match:
    endpoint: ir.Endpoint
    params: dict[str, str]  # decoded path parameter values


@attrs.frozen
class Miss:
    """No endpoint for this method and path; ``allowed`` lists the methods that would match the path."""

    allowed: tuple[str, ...]


def _escaped(ch: str) -> str:
    """A pattern for the percent-encoded UTF-8 of ``ch``, hex digits in either case."""
    return "".join(f"%(?i:{b:02X})" for b in ch.encode("utf-8", "surrogatepass"))


def literal_pattern(text: str) -> str:
    """A pattern for the literal text of a path as a client may send it: the characters an SDK
    need not encode (:data:`~tinkc.ir.nodes.PATH_LITERAL_SAFE`) as they are or percent-encoded, any
    other character percent-encoded (UTF-8), an escape the manifest wrote as it is (either case)."""
    out, i = [], 0
    while i < len(text):
        ch = text[i]
        if ch == "%" and re.match(r"[0-9A-Fa-f]{2}", text[i + 1 : i + 3]):
            decoded = chr(int(text[i + 1 : i + 3], 16))
            alternatives = [f"%(?i:{text[i + 1 : i + 3]})"] + ([re.escape(decoded)] if decoded in ir.PATH_LITERAL_SAFE else [])
            out.append("(?:" + "|".join(alternatives) + ")")
            i += 3
            continue
        out.append(f"(?:{re.escape(ch)}|{_escaped(ch)})" if ch in ir.PATH_LITERAL_SAFE else _escaped(ch))
        i += 1
    return "".join(out)


def compile_route(ep: ir.Endpoint) -> Route:
    regex, names, literal, raw = [], [], 0, 0
    for part in ep.path.parts:
        if isinstance(part, ir.PathLiteral):
            regex.append(literal_pattern(part.text))
            literal += len(part.text)
        else:
            regex.append("(.+)" if part.raw else "([^/]+)")
            names.append(part.name)
            raw += part.raw
    return Route(ep, re.compile("".join(regex) + r"\Z"), tuple(names), (-literal, raw, ep.id))


class Router:
    def __init__(self, endpoints: Iterable[ir.Endpoint]) -> None:
        self.routes = sorted((compile_route(ep) for ep in endpoints), key=lambda r: r.rank)

    def match(self, method: str, raw_path: str) -> Match | Miss:
        allowed: list[str] = []
        for route in self.routes:
            m = route.pattern.match(raw_path)
            if m is None:
                continue
            if route.endpoint.method != method:
                if route.endpoint.method not in allowed:
                    allowed.append(route.endpoint.method)
                continue
            return Match(route.endpoint, {name: unquote(value) for name, value in zip(route.names, m.groups(), strict=True)})
        return Miss(tuple(sorted(allowed)))
