"""The manifest model: what YAML or JSON text loads into, before any meaning is given to it.

Three node kinds (:class:`Mapping`, :class:`Sequence`, :class:`Scalar`), each with the span of the
text it came from, so that every later diagnostic can point at the user's own characters.

A span may be given as the zero-based positions of the YAML marks it is made of, ``(file, line,
column, end line, end column)``: the :class:`~tinkc.ir.span.Span` (one-based) is then made when it
is first read. The YAML loader gives every node and key its positions so: a `tinkc check` of the
bundled manifest reads about 2,400 of the 6,800 spans it loads (a frozen Span takes ~1 µs to build,
a tuple a tenth of that). Plain data, the positions also cross a pipe as they are
(:mod:`tinkc.frontend.loadahead`).

The loaded files (:class:`Document`, :class:`Manifest`) are here too, apart from the YAML loader:
lowering reads them without importing PyYAML.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs

from tinkc.ir.span import Span

ScalarValue = str | int | float | bool | None

SUPPORTED_SCHEMA_VERSIONS = (1,)

# (file, line, column, end line, end column), zero-based: a span not yet made a Span
Positions = tuple[str, int, int, int, int]


def _span_of(positions: Positions) -> Span:
    file, line, col, end_line, end_col = positions
    return Span(file, line + 1, col + 1, end_line + 1, end_col + 1)  # (file, line, col, end_line, end_col)


def positions_of(span: Span | Positions) -> Positions:
    """A node's span as positions, made a Span already or not (the inverse of the reading above)."""
    if isinstance(span, tuple):
        return span
    return (span.file, span.line - 1, span.col - 1, span.end_line - 1, span.end_col - 1)


def _span_repr(span: Span | Positions) -> str:
    return repr(_span_of(span) if isinstance(span, tuple) else span)


def _span_field() -> Any:
    return attrs.field(alias="span", repr=_span_repr)


class _Spanned:
    """A node's ``span``, made from its marks on first read (the ``_span`` field of each node kind)."""

    __slots__ = ()
    _span: Span | Positions

    @property
    def span(self) -> Span:
        span = self._span
        if isinstance(span, tuple):
            span = self._span = _span_of(span)  # type: ignore[misc]  # a slot of each node kind's own class
        return span


@attrs.define(slots=True, eq=False)
class Scalar(_Spanned):
    value: ScalarValue
    _span: Span | Positions = _span_field()
    quoted: bool = False  # written with quotes: never a number/bool/null, and sub-spans shift by one

    def sub_span(self, start: int, length: int) -> Span:
        """Span of characters ``start .. start+length`` of a single-line string scalar."""
        span = self._span
        if isinstance(span, tuple):
            # Straight from the marks: every type expression's spans are sub-spans, and the
            # scalar's own span is rarely read besides (~1,100 Spans not built in a check).
            file, line, col, end_line, _ = span
            if end_line == line:
                col += 1 + start + (1 if self.quoted else 0)
                return Span(file, line + 1, col, line + 1, col + max(length, 1))  # (file, line, col, end_line, end_col)
            span = self.span
        if span.end_line != span.line:
            return span  # a folded or block scalar: offsets do not map to columns
        return span.at_offset(start + (1 if self.quoted else 0), length)

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
    _key_span: Span | Positions = attrs.field(alias="key_span", repr=_span_repr)
    value: Node

    @property
    def key_span(self) -> Span:
        span = self._key_span
        if isinstance(span, tuple):
            span = self._key_span = _span_of(span)
        return span


@attrs.define(slots=True, eq=False)
class Mapping(_Spanned):
    entries: dict[str, Entry]
    _span: Span | Positions = _span_field()

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
class Sequence(_Spanned):
    items: list[Node]
    _span: Span | Positions = _span_field()

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


@attrs.define
class Document:
    """One loaded manifest file."""

    path: Path
    display: str  # how diagnostics name the file
    root: Mapping


@attrs.define
class Manifest:
    """The root document and every document it imports (transitively), in a deterministic order."""

    root: Document
    imported: list[Document]
    sources: dict[str, str]  # display name → text, for rendering diagnostics

    @property
    def documents(self) -> list[Document]:
        return [self.root, *self.imported]
