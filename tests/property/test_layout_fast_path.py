"""Differential tests: the layout printer's fast path (backends/layout.py `_pretty_fast`) prints
exactly what the general printer (`_pretty_general`, the reference) prints, for any document the
fast path takes, and `pretty` (which falls back to the general printer) always agrees with it.

Documents are drawn from every document type, with the cases that make the printers' bookkeeping
differ: shared sub-documents (both memoize by identity), hard lines and always-broken groups (break
propagation), an IfBreak whose flat side holds a hard line, choices of several options, empty text,
trailing spaces before a newline, wide and combining characters, subclasses of the document
types and values that are not documents.
"""

from __future__ import annotations

import textwrap
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tinkc.backends import layout
from tinkc.backends.layout import HARDLINE, LINE, SOFTLINE, Choice, Group, IfBreak, Indent, Line
from tinkc.backends.python import pydoc

SETTINGS = settings(max_examples=1500, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow])


class Word(str):
    """A str subclass (the printers dispatch on exact types first)."""


class Broken(Group):
    """A Group subclass, as pydoc's Exploded is."""

    __slots__ = ("tag",)

    def __init__(self, contents: Any, broken: bool, tag: str) -> None:
        super().__init__(contents, broken)
        self.tag = tag


class Odd(Line):
    """A Line subclass."""


TEXTS = st.sampled_from(["", "a", "ab ", " ", "xyz", "long_name_here", "é", "日本", "e\u0301", "x ", "(", ")", ",", "{"])
LEAVES = st.one_of(
    TEXTS,
    TEXTS.map(Word),
    st.sampled_from([LINE, SOFTLINE, HARDLINE, Odd(), Odd(soft=True), Odd(hard=True)]),
)


def _docs(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(
        st.lists(children, max_size=5),
        st.builds(Group, children, st.booleans()),
        st.builds(lambda c, b: Broken(c, b, "t"), children, st.booleans()),
        st.builds(Indent, children),
        st.builds(IfBreak, children, children),
        st.builds(lambda opts: Choice(tuple(opts)), st.lists(children, min_size=1, max_size=3)),
    )


DOCS = st.recursive(LEAVES, _docs, max_leaves=40)


@st.composite
def shared(draw: st.DrawFn) -> Any:
    """A document that holds one sub-document at several places (emitters share, not copy)."""
    part = draw(DOCS)
    outer = draw(st.lists(st.one_of(DOCS, st.just(part)), max_size=4))
    return Group([part, LINE, *outer, Indent([SOFTLINE, part])])


@given(st.one_of(DOCS, shared()), st.integers(min_value=0, max_value=30), st.sampled_from(["  ", "    "]))
@SETTINGS
def test_the_fast_path_prints_what_the_general_printer_prints(doc: Any, width: int, indent: str) -> None:
    expected = layout._pretty_general(doc, width, indent)
    assert layout._pretty_fast(doc, width, indent) == expected
    assert layout.pretty(doc, width, indent) == expected


@given(DOCS, st.sampled_from([None, 3, ("a",), object()]))
@SETTINGS
def test_a_value_that_is_not_a_document_is_left_to_the_general_printer(doc: Any, odd: Any) -> None:
    doc = [doc, Group([odd, LINE, "x"])]
    try:
        expected: Any = layout._pretty_general(doc, 10)
    except Exception as exc:  # noqa: BLE001 - whatever it raises, pretty raises too
        expected = type(exc)
    try:
        got: Any = layout.pretty(doc, 10)
    except Exception as exc:  # noqa: BLE001
        got = type(exc)
    assert got == expected


@given(st.one_of(DOCS, shared()))
@settings(SETTINGS, max_examples=500)
def test_pythons_one_line_check_agrees_with_its_reference(doc: Any) -> None:
    """backends/python/pydoc.py `flat` (recursive) gives what `_flat_general` (its explicit stack) gives."""
    assert pydoc.flat(doc) == pydoc._flat_general(doc)


def test_pythons_one_line_check_deeper_than_the_recursion_limit() -> None:
    for leaf in ("x", LINE, HARDLINE, Group(["y"], broken=True)):
        deep: Any = ["a", leaf]
        for _ in range(5000):
            deep = [Indent(deep), LINE]
        assert pydoc.flat(deep) == pydoc._flat_general(deep)
        assert pydoc.flat(deep) is None or len(pydoc.flat(deep) or "") > 5000


WRAP_TEXT = st.lists(
    st.sampled_from(["a", "bb", "ccc ", " ", "  ", "\t", "\n", "\u00a0", "\x1c", "é", "-", "x-y", "\u2003", "long_word_here"]), max_size=25
).map("".join)
PLAIN_WRAP_TEXT = st.lists(st.sampled_from(["a", "bb", "ccc", "é", "x-y", "long_word_here", "日本"]), min_size=1, max_size=25).map(" ".join)


@given(PLAIN_WRAP_TEXT | WRAP_TEXT | st.text(max_size=40), st.integers(min_value=-1, max_value=30))
@SETTINGS
def test_wrap_is_textwrap(text: str, width: int) -> None:
    """layout.wrap gives what textwrap.wrap gives with the options the backends use."""
    try:
        expected: Any = textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False)
    except ValueError as exc:
        expected = type(exc)
    try:
        got: Any = layout.wrap(text, width)
    except ValueError as exc:
        got = type(exc)
    assert got == expected


def test_a_document_deeper_than_the_recursion_limit_prints_as_the_general_printer_prints_it() -> None:
    for leaf in ("x", HARDLINE, IfBreak(",", HARDLINE)):
        doc: Any = leaf
        for i in range(4000):
            doc = Group(["[", Indent([SOFTLINE, doc]), LINE, "]"]) if i % 2 else [doc, ","]
        assert layout.pretty(doc, 40) == layout._pretty_general(doc, 40)
