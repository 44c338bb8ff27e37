"""Values of IR types: generating schema-valid JSON, and checking JSON against a type.

Generation is deterministic: every choice comes from a :class:`Rand` seeded with a string (the mock
seeds it with the endpoint id and a request counter), never from time or hash order. Only
``random.Random.random()`` is used, whose sequence for a given integer seed is the same on every
platform and Python version.

    >>> from tinkc.ir.nodes import Api, ListT, Prim, Service
    >>> gen = Generator(Api(schema_version=1, service=Service(name="x")))
    >>> gen.value(ListT(item=Prim(name="int")), Rand("seed")) == gen.value(ListT(item=Prim(name="int")), Rand("seed"))
    True
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
import random
from collections.abc import Sequence
from typing import Any

import attrs

from tinkc.frontend.grammars import format_type
from tinkc.ir import nodes as ir

# Beyond this depth optional fields are left out, lists and maps are empty and nullable values null,
# so recursive types stay finite. HARD_DEPTH stops required self-references (which no finite value
# satisfies) from recursing forever.
MAX_DEPTH = 6
HARD_DEPTH = 40

_EPOCH = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)


class Rand:
    """A deterministic random source seeded by a string."""

    def __init__(self, seed: str) -> None:
        self._r = random.Random(int.from_bytes(hashlib.sha256(seed.encode()).digest()[:8], "big"))

    def random(self) -> float:
        return self._r.random()

    def integer(self, lo: int, hi: int) -> int:
        """An integer in ``lo..hi`` inclusive."""
        return lo + min(int(self._r.random() * (hi - lo + 1)), hi - lo)

    def pick(self, items: Sequence[Any]) -> Any:
        return items[self.integer(0, len(items) - 1)]

    def chance(self, p: float) -> bool:
        return self._r.random() < p


@attrs.define
class Generator:
    """Schema-valid values of the types of one API."""

    api: ir.Api
    optional_chance: float = 0.5  # how often an optional field is filled in
    null_chance: float = 0.15  # how often a nullable value is null

    def value(self, t: ir.TypeRef | None, rand: Rand, *, name: str = "value", depth: int = 0) -> Any:
        if t is None or depth > HARD_DEPTH:
            return None
        deep = depth >= MAX_DEPTH
        if isinstance(t, ir.Prim):
            return self._prim(t.name, rand, name)
        if isinstance(t, ir.Lit):
            return t.value
        if isinstance(t, ir.Nullable):
            if deep or rand.chance(self.null_chance):
                return None
            return self.value(t.inner, rand, name=name, depth=depth)
        if isinstance(t, ir.ListT):
            count = 0 if deep else rand.integer(1, 2)
            return [self.value(t.item, rand, name=name, depth=depth + 1) for _ in range(count)]
        if isinstance(t, ir.MapT):
            if deep:
                return {}
            return {f"key-{i}": self.value(t.value, rand, name=name, depth=depth + 1) for i in range(rand.integer(1, 2))}
        if isinstance(t, ir.UnionT):
            members = [m for m in t.members if not deep or _cheap(m)] or list(t.members)
            return self.value(rand.pick(members), rand, name=name, depth=depth)
        if isinstance(t, ir.Ref):
            return self._decl(t.name, rand, name, depth)
        return None  # client and future types never travel over the wire

    def record(self, rec: ir.Record, rand: Rand, depth: int = 0) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in rec.fields:
            if f.required or (depth < MAX_DEPTH and rand.chance(self.optional_chance)):
                out[f.json_name] = self.value(f.type, rand, name=f.name, depth=depth + 1)
        return out

    def _decl(self, type_id: str, rand: Rand, name: str, depth: int) -> Any:
        decl = self.api.types.get(type_id)
        if isinstance(decl, ir.Record):
            return self.record(decl, rand, depth)
        if isinstance(decl, ir.Enum):
            return decl.values[0].value if decl.values else ""
        if isinstance(decl, ir.Alias):
            return self.value(decl.target, rand, name=name, depth=depth)
        if isinstance(decl, ir.Union_) and decl.variants:
            variant = rand.pick(decl.variants)
            rec = self.api.types.get(variant.type)
            if not isinstance(rec, ir.Record):
                return {}
            value = self.record(rec, rand, depth)
            if decl.discriminator and variant.tag is not None:
                tag_field = rec.field(decl.discriminator)
                value[tag_field.json_name if tag_field else decl.discriminator] = variant.tag
            return value
        return None

    def _prim(self, kind: str, rand: Rand, name: str) -> Any:
        if kind == "string":
            n = rand.integer(0, 9999)
            if name == "url" or name.endswith("_url"):
                return f"https://mock.tinkc.invalid/{name}/{n}"
            return f"{name}-{n}"
        if kind == "int":
            return rand.integer(0, 1000)
        if kind == "float":
            return round(rand.random() * 10, 4)
        if kind == "bool":
            return rand.chance(0.5)
        if kind == "bytes":
            return base64.b64encode(bytes(rand.integer(0, 255) for _ in range(rand.integer(3, 9)))).decode()
        if kind == "datetime":
            return (_EPOCH + dt.timedelta(seconds=rand.integer(0, 365 * 86400))).strftime("%Y-%m-%dT%H:%M:%SZ")
        if kind == "date":
            return (_EPOCH + dt.timedelta(days=rand.integer(0, 364))).date().isoformat()
        return f"{name}-{rand.integer(0, 9999)}"  # any


def _cheap(t: ir.TypeRef) -> bool:
    """A member that is finite without recursing (preferred deep inside recursive types)."""
    return isinstance(t, (ir.Prim, ir.Lit, ir.Nullable))


# ---------------------------------------------------------------------------------------------
# Checking


@attrs.frozen
class Problem:
    """One way a JSON value does not fit its type. ``loc`` is the path into the value."""

    loc: tuple[str | int, ...]
    msg: str
    kind: str  # missing | type | enum | literal | tag | format

    def to_json(self, root: str = "body") -> dict[str, Any]:
        return {"loc": [root, *self.loc], "msg": self.msg, "type": self.kind}


def _describe(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    return "an object"


def parse_datetime(text: str) -> bool:
    try:
        dt.datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text)
    except ValueError:
        return False
    return "T" in text or "t" in text or " " in text


def parse_date(text: str) -> bool:
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def is_base64(text: str) -> bool:
    """Standard or URL-safe base64, padded."""
    try:
        base64.b64decode(text.replace("-", "+").replace("_", "/"), validate=True)
    except (binascii.Error, ValueError):
        return False
    return True


@attrs.define
class Checker:
    """Checks JSON values against IR types. Unknown object keys are allowed (forward compatibility)."""

    api: ir.Api

    def problems(self, t: ir.TypeRef, value: Any, loc: tuple[str | int, ...] = ()) -> list[Problem]:
        out: list[Problem] = []
        self._check(t, value, loc, out, 0)
        return out

    def fits(self, t: ir.TypeRef, value: Any) -> bool:
        return not self.problems(t, value)

    def _check(self, t: ir.TypeRef, value: Any, loc: tuple[str | int, ...], out: list[Problem], depth: int) -> None:
        if depth > 200:
            return
        if isinstance(t, ir.Nullable):
            if value is not None:
                self._check(t.inner, value, loc, out, depth + 1)
            return
        if isinstance(t, ir.Prim):
            self._prim(t.name, value, loc, out)
            return
        if isinstance(t, ir.Lit):
            if value != t.value or isinstance(value, bool) or type(value) is not type(t.value):
                out.append(Problem(loc, f"expected the literal {format_type(t)}, got {_shown(value)}", "literal"))
            return
        if isinstance(t, ir.ListT):
            if not isinstance(value, list):
                out.append(Problem(loc, f"expected a list `{format_type(t)}`, got {_describe(value)}", "type"))
                return
            for i, item in enumerate(value):
                self._check(t.item, item, (*loc, i), out, depth + 1)
            return
        if isinstance(t, ir.MapT):
            if not isinstance(value, dict):
                out.append(Problem(loc, f"expected an object `{format_type(t)}`, got {_describe(value)}", "type"))
                return
            for k, v in value.items():
                self._check(t.value, v, (*loc, k), out, depth + 1)
            return
        if isinstance(t, ir.UnionT):
            if not any(self.fits_at(m, value, depth) for m in t.members):
                out.append(Problem(loc, f"{_describe(value)} matches no member of `{format_type(t)}`", "type"))
            return
        if isinstance(t, ir.Ref):
            self._decl(t.name, value, loc, out, depth)

    def fits_at(self, t: ir.TypeRef, value: Any, depth: int) -> bool:
        found: list[Problem] = []
        self._check(t, value, (), found, depth + 1)
        return not found

    def _decl(self, type_id: str, value: Any, loc: tuple[str | int, ...], out: list[Problem], depth: int) -> None:
        decl = self.api.types.get(type_id)
        if isinstance(decl, ir.Alias):
            self._check(decl.target, value, loc, out, depth + 1)
        elif isinstance(decl, ir.Enum):
            values = [v.value for v in decl.values]
            if value not in values or not isinstance(value, str):
                out.append(Problem(loc, f"expected one of {', '.join(values)} (`{decl.id}`), got {_shown(value)}", "enum"))
        elif isinstance(decl, ir.Record):
            self._record(decl, value, loc, out, depth)
        elif isinstance(decl, ir.Union_):
            if decl.discriminator and isinstance(value, dict):
                tags = {v.tag: v.type for v in decl.variants if v.tag is not None}
                variant = decl.variants[0].type if decl.variants else None
                rec = self.api.types.get(variant) if variant else None
                tag_field = rec.field(decl.discriminator) if isinstance(rec, ir.Record) else None
                key = tag_field.json_name if tag_field else decl.discriminator
                tag = value.get(key)
                if tag not in tags:
                    shown = "missing" if key not in value else _shown(tag)
                    out.append(Problem((*loc, key), f"`{key}` must be one of {', '.join(sorted(tags))} (`{decl.id}`), got {shown}", "tag"))
                    return
                self._decl(tags[tag], value, loc, out, depth + 1)
            elif not any(self.fits_at(ir.Ref(name=v.type), value, depth) for v in decl.variants):
                out.append(Problem(loc, f"{_describe(value)} matches no variant of `{decl.id}`", "type"))

    def _record(self, rec: ir.Record, value: Any, loc: tuple[str | int, ...], out: list[Problem], depth: int) -> None:
        if not isinstance(value, dict):
            out.append(Problem(loc, f"expected an object (`{rec.id}`), got {_describe(value)}", "type"))
            return
        for f in rec.fields:
            if f.json_name not in value:
                if f.required:
                    out.append(Problem((*loc, f.json_name), f"missing required field `{f.json_name}` of `{rec.id}`", "missing"))
                continue
            v = value[f.json_name]
            if v is None and not f.required and not _nullable(self.api, f.type):
                # an optional field sent as null: accepted, as most servers read null as "not given"
                continue
            self._check(f.type, v, (*loc, f.json_name), out, depth + 1)

    def _prim(self, kind: str, value: Any, loc: tuple[str | int, ...], out: list[Problem]) -> None:
        ok = {
            "any": True,
            "string": isinstance(value, str),
            "bool": isinstance(value, bool),
            "int": isinstance(value, int) and not isinstance(value, bool),
            "float": isinstance(value, (int, float)) and not isinstance(value, bool),
            "bytes": isinstance(value, str) and is_base64(value),
            "datetime": isinstance(value, str) and parse_datetime(value),
            "date": isinstance(value, str) and parse_date(value),
        }[kind]
        if not ok:
            wanted = {"bytes": "base64 text", "datetime": "an ISO 8601 date-time", "date": "an ISO 8601 date (YYYY-MM-DD)"}.get(kind, kind)
            out.append(Problem(loc, f"expected {wanted}, got {_shown(value)}", "format" if isinstance(value, str) else "type"))


def _nullable(api: ir.Api, t: ir.TypeRef) -> bool:
    for _ in range(64):
        if isinstance(t, ir.Nullable):
            return True
        resolved = api.resolve_alias(t)
        if resolved == t:
            return False
        t = resolved
    return False


def _shown(value: Any) -> str:
    """A short rendering of a value for a message."""
    if isinstance(value, str):
        text = value if len(value) <= 40 else value[:37] + "..."
        return f'"{text}"'
    if isinstance(value, (dict, list)):
        return _describe(value)
    return json.dumps(value)


# ---------------------------------------------------------------------------------------------
# Query and path parameters (text on the wire)


def parse_text(api: ir.Api, t: ir.TypeRef, text: str) -> tuple[Any, str | None]:
    """A query or path parameter's text as a value of ``t``: (value, None) or (None, problem)."""
    t = api.resolve_alias(t)
    if isinstance(t, ir.Nullable):
        return parse_text(api, t.inner, text)
    if isinstance(t, ir.Prim):
        if t.name == "int":
            try:
                return int(text), None
            except ValueError:
                return None, f"expected an integer, got {_shown(text)}"
        if t.name == "float":
            try:
                return float(text), None
            except ValueError:
                return None, f"expected a number, got {_shown(text)}"
        if t.name == "bool":
            if text in ("true", "false"):
                return text == "true", None
            return None, f"expected true or false, got {_shown(text)}"
        if t.name == "datetime" and not parse_datetime(text):
            return None, f"expected an ISO 8601 date-time, got {_shown(text)}"
        if t.name == "date" and not parse_date(text):
            return None, f"expected an ISO 8601 date (YYYY-MM-DD), got {_shown(text)}"
        return text, None
    if isinstance(t, ir.Lit):
        return (t.value, None) if str(t.value) == text else (None, f"expected {format_type(t)}, got {_shown(text)}")
    if isinstance(t, ir.UnionT):
        for m in t.members:
            value, problem = parse_text(api, m, text)
            if problem is None:
                return value, None
        return None, f"{_shown(text)} matches no member of `{format_type(t)}`"
    if isinstance(t, ir.Ref):
        decl = api.types.get(t.name)
        if isinstance(decl, ir.Enum):
            values = [v.value for v in decl.values]
            return (text, None) if text in values else (None, f"expected one of {', '.join(values)}, got {_shown(text)}")
    return text, None


def to_text(value: Any) -> str:
    """A generated value as query or path text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
