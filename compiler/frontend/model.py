"""The manifest model: what YAML or JSON text loads into, before any meaning is given to it.

Three node kinds (:class:`Mapping`, :class:`Sequence`, :class:`Scalar`), each with the span of the
text it came from, so that every later diagnostic can point at the user's own characters.
"""

from __future__ import annotations

from collections.abc import Iterator

import attrs

from tinkc.ir.span import Span

ScalarValue = str | int | float | bool | None


@attrs.define(slots=True, eq=False)
class Scalar:
    value: ScalarValue
    span: Span
    quoted: bool = False  # written with quotes: never a number/bool/null, and sub-spans shift by one

    def sub_span(self, start: int, length: int) -> Span:
        """Span of characters ``start .. start+length`` of a single-line string scalar."""
        if self.span.end_line != self.span.line:
            return self.span  # a folded or block scalar: offsets do not map to columns
        return self.span.at_offset(start + (1 if self.quoted else 0), length)

    def describe(self) -> str:
        if self.value is None:
            return "null"
        if isinstance(self.value, bool):
            return "a boolean"
        if isinstance(self.value, (int, float)):
            return "a number"
        return "a string"


@attrs.define(slots=True, eq=False)
class Entry:
    key: str
    key_span: Span
    value: Node


@attrs.define(slots=True, eq=False)
class Mapping:
    entries: dict[str, Entry]
    span: Span

    def get(self, key: str) -> Node | None:
        e = self.entries.get(key)
        return e.value if e is not None else None

    def __getitem__(self, key: str) -> Node:
        """The value of a key the caller knows is there (KeyError otherwise)."""
        return self.entries[key].value

    def __contains__(self, key: str) -> bool:
        return key in self.entries

    def __iter__(self) -> Iterator[Entry]:
        return iter(self.entries.values())

    def describe(self) -> str:
        return "a mapping"


@attrs.define(slots=True, eq=False)
class Sequence:
    items: list[Node]
    span: Span

    def describe(self) -> str:
        return "a list"


Node = Mapping | Sequence | Scalar


def to_plain(node: Node) -> object:
    """Drop the spans: plain Python data (for defaults, options and tests)."""
    if isinstance(node, Scalar):
        return node.value
    if isinstance(node, Sequence):
        return [to_plain(n) for n in node.items]
    return {e.key: to_plain(e.value) for e in node}
