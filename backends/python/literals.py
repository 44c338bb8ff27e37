"""Manifest text and JSON data as Python source: string literals (escaped so that no manifest text
can end a line or hide code), literals of frozen JSON values, and docstrings."""

from __future__ import annotations

import functools
import unicodedata
from typing import Any

from tinkc.backends.base import ASCII_CONTROL, INVISIBLE, only_kept_controls
from tinkc.backends.layout import wrap
from tinkc.backends.python import pydoc as d
from tinkc.ir import nodes as ir

SHORT_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def escape_invisible(text: str, keep: str = "") -> str:
    """``text`` with every character that is invisible or breaks a line in some reader (controls
    such as NUL, U+2028/U+2029, bidirectional overrides, unpaired surrogates) written
    as an escape sequence, in the lower-case hex ruff's formatter writes; ``keep`` lists
    characters left as they are. Both the string literals and the docstrings pass through here, so
    no manifest text can end a line or hide code (a "Trojan source") in the emitted source."""
    if text.isascii():
        # the common case at string speed: in ASCII only the controls are invisible (docstrings
        # hold newlines, kept)
        if text.isprintable() or only_kept_controls(text, keep):
            return text
        return ASCII_CONTROL.sub(lambda m: _escape_char(m.group(), keep), text)
    out = []
    for ch in text:
        if ch in keep or unicodedata.category(ch) not in INVISIBLE:
            out.append(ch)
        elif ch in SHORT_ESCAPES:
            out.append(SHORT_ESCAPES[ch])
        elif ord(ch) < 0x100:
            out.append(f"\\x{ord(ch):02x}")
        elif ord(ch) < 0x10000:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(f"\\U{ord(ch):08x}")
    return "".join(out)


def _escape_char(ch: str, keep: str) -> str:
    if ch in keep:
        return ch
    return SHORT_ESCAPES.get(ch) or f"\\x{ord(ch):02x}"


# The same text becomes a literal or a docstring many times an emit (the sync and async clients,
# the README, the driver: 2,819 string literals of 742 texts, 1,018 docstrings of 519 on the
# bundled manifest): each is made once per emit. Emptied at the start of each emit (forget()), so
# an emit's work never depends on an earlier one's; bounded for callers outside an emit.
_MEMO_SIZE = 4096


def forget() -> None:
    """Empty the memos of literals and docstrings (called as an emit starts)."""
    string_literal.cache_clear()
    _docstring_lines.cache_clear()


@functools.lru_cache(maxsize=_MEMO_SIZE)
def string_literal(text: str) -> str:
    """The one way manifest text becomes a Python string literal: escaped (backslashes, quotes,
    every invisible character) and quoted as `ruff format` quotes it, with double quotes unless the
    text holds more double quotes than single ones."""
    quote = "'" if text.count('"') > text.count("'") else '"'
    body = text.replace("\\", "\\\\").replace(quote, "\\" + quote)
    return quote + escape_invisible(body) + quote


def py_literal(value: Any) -> str:
    """A Python expression for frozen JSON data (double-quoted strings, as ruff formats them)."""
    if type(value) is str:  # most values (2,800 of ~3,000 an emit): no thaw, no chain of tests
        return string_literal(value)
    value = ir.thaw(value)
    if value is None:
        return "None"
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return string_literal(value)
    if isinstance(value, list):
        return "[" + ", ".join(py_literal(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{py_literal(k)}: {py_literal(v)}" for k, v in value.items()) + "}"
    raise TypeError(value)


def tuple_literal(values: tuple[Any, ...] | list[Any]) -> str:
    """A tuple of frozen JSON values (a tuple of one keeps its comma)."""
    inner = ", ".join(py_literal(v) for v in values)
    return f"({inner},)" if len(values) == 1 else f"({inner})"


def docstring(text: str | None, indent: str) -> list[str]:
    """Lines of a docstring, escaped so that nothing in ``text`` can end it early."""
    if not text or not text.strip():
        return []
    return list(_docstring_lines(text, indent))


@functools.lru_cache(maxsize=_MEMO_SIZE)
def _docstring_lines(text: str, indent: str) -> tuple[str, ...]:
    body = text.strip().replace("\r\n", "\n").replace("\r", "\n")
    body = escape_invisible(body.replace("\\", "\\\\").replace('"""', '\\"\\"\\"'), keep="\n")
    width = d.WIDTH - len(indent) - 6
    lines = []
    for paragraph_line in body.split("\n"):
        if 0 < len(paragraph_line) <= width and paragraph_line.isprintable() and paragraph_line.strip(" ") == paragraph_line:
            lines.append(paragraph_line)  # what textwrap answers for a short plain line, without its cost
            continue
        wrapped = wrap(paragraph_line, width)  # textwrap.wrap's answer, faster
        lines.extend(wrapped or [""])
    if len(lines) == 1:
        # a closing quote of the text would join the docstring's own (`""""""` + `"`): a space between
        # (added after wrapping, which drops trailing spaces)
        end = " " if lines[0].endswith('"') else ""
        return (f'{indent}"""{lines[0]}{end}"""',)
    out = [f'{indent}"""{lines[0]}']
    out.extend(f"{indent}{line}".rstrip() for line in lines[1:])
    out.append(f'{indent}"""')
    return tuple(out)
