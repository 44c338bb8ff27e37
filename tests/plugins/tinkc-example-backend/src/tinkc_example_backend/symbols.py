"""The `minipy` symbol provider: every identifier of the target, and where each is imported from.

The `naming` pass checks collisions with :data:`NAMING`; the templates receive names computed
here, never spell them themselves.
"""

from __future__ import annotations

import keyword
from typing import Any

from tinkc.backends.base import NamingRules, snake_case
from tinkc.backends.symbols import Imports, Symbol, SymbolProvider
from tinkc.ir import nodes as ir

# Manifest names are kept (the conformance scenarios call methods and pass arguments by them);
# Python keywords get a trailing underscore.
NAMING = NamingRules(
    type_case="pascal", method_case="keep", field_case="keep", reserved=frozenset({*keyword.kwlist, "self"})
)

ANY = Symbol("Any", "typing")
RUNTIME = "._runtime"
BASE_CLIENT = Symbol("BaseClient", RUNTIME)
ENDPOINT = Symbol("Endpoint", RUNTIME)
SERVICE = Symbol("Service", RUNTIME)

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


class MiniPySymbols(SymbolProvider):
    naming = NAMING

    def client_class(self, client_display_name: str) -> str:
        return self.type_name(client_display_name)

    def endpoint_constant(self, endpoint_id: str) -> str:
        return "EP_" + snake_case(endpoint_id).upper()

    def package(self, service_name: str, option: object) -> str:
        """The import package: the `package` target option, else `<service>_minipy`."""
        package = str(option or snake_case(service_name) + "_minipy")
        return package if package.isidentifier() and not keyword.iskeyword(package) else "minipy_client"

    def annotation(self, api: ir.Api, t: ir.TypeRef | None, imports: Imports) -> str:
        """The Python annotation of a parameter: JSON-shaped values, records and unions as dicts
        (``Any`` recorded as an import of the file where it is used)."""
        if t is None:
            return imports.use(ANY)
        t = api.resolve_alias(t)
        if isinstance(t, ir.Prim):
            return _PRIMITIVES.get(t.name) or imports.use(ANY)
        if isinstance(t, ir.Nullable):
            inner = self.annotation(api, t.inner, imports)
            return inner if inner == ANY.name else f"{inner} | None"
        if isinstance(t, ir.ListT):
            return f"list[{self.annotation(api, t.item, imports)}]"
        if isinstance(t, ir.MapT):
            return f"dict[str, {self.annotation(api, t.value, imports)}]"
        if isinstance(t, ir.Lit):
            return "str" if isinstance(t.value, str) else "int"
        if isinstance(t, ir.UnionT):
            members = {self.annotation(api, m, Imports()) for m in t.members}
            return members.pop() if len(members) == 1 and ANY.name not in members else imports.use(ANY)
        if isinstance(t, ir.Ref):
            decl = api.types.get(t.name)
            if isinstance(decl, ir.Enum):
                return "str"
            if isinstance(decl, ir.Record | ir.Union_):
                return f"dict[str, {imports.use(ANY)}]"
        return imports.use(ANY)


SYMBOLS = MiniPySymbols()


# -- literals -------------------------------------------------------------------------------------


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


def one_line(text: str | None) -> str:
    """Doc text folded to one line, invisible characters escaped (for a one-line docstring)."""
    return py_escape(" ".join(text.split())) if text and text.strip() else ""


def md_text(text: str) -> str:
    """Doc text for Markdown: whitespace folded, invisible characters shown as escapes."""
    return "".join(ch if ch.isprintable() else f"\\u{ord(ch):04x}" for ch in " ".join(text.split()))


def md_code(text: str | None) -> str:
    """A Markdown code span that holds any text (a fence longer than the longest backtick run)."""
    shown = md_text(text or "")
    longest = run = 0
    for ch in shown:
        run = run + 1 if ch == "`" else 0
        longest = max(longest, run)
    fence = "`" * (longest + 1)
    pad = " " if shown.startswith("`") or shown.endswith("`") or not shown else ""
    return f"{fence}{pad}{shown}{pad}{fence}"


def type_text(t: ir.TypeRef | None) -> str:
    """A type expression in the manifest's own notation, for the reference."""
    if t is None:
        return "none"
    if isinstance(t, ir.Prim | ir.Ref):
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


FILTERS = {
    "py_escape": py_escape,
    "py_str": py_str,
    "py_literal": py_literal,
    "one_line": one_line,
    "md_text": md_text,
    "md_code": md_code,
}
