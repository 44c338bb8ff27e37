"""Helpers of the mock tests: the bundled API, an in-process server with an httpx client, and a small
strict validator of JSON values against IR types (independent of the mock's own checker)."""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
from collections.abc import AsyncIterator, Mapping
from functools import cache
from typing import Any

import httpx

from tinkc.ir import nodes as ir
from tinkc.mock import MockServer
from tinkc.pipeline import bundled_manifest, compile_manifest

KEY = {"X-API-Key": "tml-test-key"}


@cache
def tinker_api() -> ir.Api:
    result = compile_manifest(bundled_manifest())
    assert result.api is not None and not result.sink.has_errors
    return result.api


@contextlib.asynccontextmanager
async def serving(
    scenario: Mapping[str, Any] | None = None, api: ir.Api | None = None
) -> AsyncIterator[tuple[MockServer, httpx.AsyncClient]]:
    server = MockServer(api or tinker_api(), scenario)
    await server.start("127.0.0.1", 0)
    try:
        async with httpx.AsyncClient(base_url=server.url, headers=KEY, timeout=30) as client:
            yield server, client
    finally:
        await server.stop()


def problems(api: ir.Api, t: ir.TypeRef, value: Any, where: str = "$") -> list[str]:
    """Why ``value`` is not a valid (strict: no undeclared keys) JSON value of ``t``; [] when it is."""
    if isinstance(t, ir.Nullable):
        return [] if value is None else problems(api, t.inner, value, where)
    if isinstance(t, ir.Prim):
        ok = {
            "any": lambda v: True,
            "string": lambda v: isinstance(v, str),
            "int": lambda v: isinstance(v, int) and not isinstance(v, bool),
            "float": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
            "bool": lambda v: isinstance(v, bool),
            "bytes": lambda v: isinstance(v, str) and _b64(v),
            "datetime": lambda v: isinstance(v, str) and "T" in v and _iso(v),
            "date": lambda v: isinstance(v, str) and _date(v),
        }[t.name](value)
        return [] if ok else [f"{where}: {value!r} is not {t.name}"]
    if isinstance(t, ir.Lit):
        return [] if value == t.value and type(value) is type(t.value) else [f"{where}: {value!r} is not literal {t.value!r}"]
    if isinstance(t, ir.ListT):
        if not isinstance(value, list):
            return [f"{where}: not a list"]
        return [p for i, v in enumerate(value) for p in problems(api, t.item, v, f"{where}[{i}]")]
    if isinstance(t, ir.MapT):
        if not isinstance(value, dict):
            return [f"{where}: not an object"]
        return [p for k, v in value.items() for p in problems(api, t.value, v, f"{where}.{k}")]
    if isinstance(t, ir.UnionT):
        return [] if any(not problems(api, m, value, where) for m in t.members) else [f"{where}: matches no member"]
    assert isinstance(t, ir.Ref), t
    decl = api.types[t.name]
    if isinstance(decl, ir.Alias):
        return problems(api, decl.target, value, where)
    if isinstance(decl, ir.Enum):
        return [] if value in [v.value for v in decl.values] else [f"{where}: {value!r} not in enum {decl.id}"]
    if isinstance(decl, ir.Union_):
        if decl.discriminator:
            if not isinstance(value, dict):
                return [f"{where}: not an object"]
            for v in decl.variants:
                if value.get(decl.discriminator) == v.tag:
                    return problems(api, ir.Ref(name=v.type), value, where)
            return [f"{where}: unknown tag {value.get(decl.discriminator)!r} of {decl.id}"]
        return [] if any(not problems(api, ir.Ref(name=v.type), value, where) for v in decl.variants) else [f"{where}: no variant"]
    assert isinstance(decl, ir.Record)
    if not isinstance(value, dict):
        return [f"{where}: {decl.id} is not an object"]
    found = [f"{where}: undeclared key {k!r} in {decl.id}" for k in value if k not in {f.json_name for f in decl.fields}]
    for f in decl.fields:
        if f.json_name in value:
            found += problems(api, f.type, value[f.json_name], f"{where}.{f.json_name}")
        elif f.required:
            found.append(f"{where}: {decl.id} lacks required {f.json_name!r}")
    return found


def _b64(text: str) -> bool:
    try:
        base64.b64decode(text, validate=True)
    except ValueError:
        return False
    return True


def _iso(text: str) -> bool:
    try:
        dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def _date(text: str) -> bool:
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True
