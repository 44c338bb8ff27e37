"""The OpenAPI backend's own writers agree with the references they replace: `to_json` writes what
`json.dumps(indent=2, ensure_ascii=False)` writes, and `_quoted`'s shortcut (a string with nothing to
escape for YAML) gives what its character-by-character walk gives, for any data."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tinkc.backends.openapi import backend

SETTINGS = settings(max_examples=800, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow])

TEXT = st.text(st.characters(codec="utf-8", exclude_categories=()), max_size=12) | st.sampled_from(
    ["", "\x85", "\u2028", "\u2029", "\ufeff", "\t", "\r\n", "\x7f", "\ud7ff", "\ue000", "\ufffe", "\U0001f600", "é"]
)
SCALARS = st.none() | st.booleans() | st.integers() | st.floats() | TEXT
JSON = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.tuples(inner, inner)
        | st.dictionaries(TEXT | st.integers() | st.booleans() | st.none() | st.floats(), inner, max_size=4)
    ),
    max_leaves=25,
)


@given(JSON)
@example({"a": [1, 2.5, float("nan"), float("inf"), -float("inf"), True, None, {}, [], ""]})
@example({"a": {1: "x"}})
@example({"a": object()})
@SETTINGS
def test_to_json_writes_what_json_dumps_writes(value: Any) -> None:
    try:
        expected: Any = json.dumps(value, indent=2, ensure_ascii=False) + "\n"
    except Exception as exc:  # noqa: BLE001 - whatever json raises, to_json raises
        expected = type(exc)
    try:
        got: Any = backend.to_json(value)
    except Exception as exc:  # noqa: BLE001
        got = type(exc)
    assert got == expected


def _quoted_by_walk(text: str) -> str:
    out = []
    for ch in json.dumps(text, ensure_ascii=False)[1:-1]:
        if ch in backend._ESCAPES:
            out.append(backend._ESCAPES[ch])
        elif backend._printable(ch) or ch == "\n":
            out.append(ch)
        else:
            out.append(f"\\u{ord(ch):04X}" if ord(ch) <= 0xFFFF else f"\\U{ord(ch):08X}")
    return '"' + "".join(out) + '"'


@given(st.text(max_size=20) | TEXT)
@SETTINGS
def test_quoting_a_string_with_nothing_to_escape_is_what_the_walk_gives(text: str) -> None:
    assert backend._quoted(text) == _quoted_by_walk(text)


def test_the_shortcut_takes_exactly_the_characters_the_walk_keeps() -> None:
    """The walk keeps a character as it is when it is printable (or a newline) and not one YAML reads
    as a line break; the shortcut's pattern must find every other one, and only those."""
    for code in range(0x110000):
        ch = chr(code)
        kept = ch not in backend._ESCAPES and (backend._printable(ch) or ch == "\n")
        assert (backend._NOT_PRINTABLE.match(ch) is None) == kept, hex(code)


@given(st.text(max_size=30) | TEXT)
@SETTINGS
def test_the_c_string_encoder_is_what_json_dumps_gives_for_text(text: str) -> None:
    """The OpenAPI writers and the TypeScript string literals call json's string encoder directly
    for json.dumps(text, ensure_ascii=False) (without the encoder object it builds each call)."""
    from tinkc.backends.typescript import symbols

    assert backend._encode_string(text) == json.dumps(text, ensure_ascii=False)
    body = symbols._escape_invisible(json.dumps(text, ensure_ascii=False)[1:-1])
    single = text.count('"') > text.count("'")
    expected = "'" + body.replace('\\"', '"').replace("'", "\\'") + "'" if single else f'"{body}"'
    assert symbols.string_literal(text) == expected
