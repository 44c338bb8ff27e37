"""backends/python/pydoc.py `render` measures a document as the printer does and hands the measures
on to it: on the documents pydoc builds (no choices; if-breaks between two texts; exploded brackets)
it prints what it printed when it checked the one line with `flat` and let the printer measure again."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tinkc.backends.layout import HARDLINE, LINE, SOFTLINE, Group, IfBreak, Indent, pretty, text_width
from tinkc.backends.python import pydoc

SETTINGS = settings(max_examples=1500, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow])

TEXTS = st.sampled_from(["", "a", "ab ", " ", "xyz", "long_name_here" * 3, "é", "日本", "(", ")", ",", "x" * 50])
LEAVES = st.one_of(TEXTS, st.sampled_from([LINE, SOFTLINE, HARDLINE]))


def _docs(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(
        st.lists(children, max_size=5),
        st.builds(Group, children, st.booleans()),
        st.builds(Indent, children),
        st.builds(IfBreak, TEXTS, TEXTS),
        st.builds(lambda items: pydoc.exploded_call("f", items), st.lists(children, max_size=3)),
        st.builds(lambda items: pydoc.call("g", items), st.lists(children, max_size=3)),
        st.builds(lambda items: pydoc.collection("[", items, "]"), st.lists(children, max_size=3)),
    )


DOCS = st.recursive(LEAVES, _docs, max_leaves=40)


def _pydoc_docs(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Documents of pydoc's own pieces: its if-breaks are those of its constructors (trailing
    commas, a union's parentheses), never one that prints less broken than flat."""
    return st.one_of(
        st.lists(children, max_size=5),
        st.builds(Group, children, st.booleans()),
        st.builds(Indent, children),
        st.builds(lambda items: pydoc.exploded_call("f", items), st.lists(children, max_size=3)),
        st.builds(lambda items: pydoc.call("g", items), st.lists(children, max_size=3)),
        st.builds(lambda items: pydoc.collection("(", items, ")", tuple_=True), st.lists(children, max_size=3)),
        st.builds(lambda items: pydoc.union(items), st.lists(children, min_size=1, max_size=3)),
        st.builds(lambda items: pydoc.bare_union(items), st.lists(children, min_size=1, max_size=3)),
    )


PYDOC_DOCS = st.recursive(LEAVES, _pydoc_docs, max_leaves=40)


def _reference(doc: Any, level: int = 0, suffix: str = "") -> str:
    """render as it was: the one line checked with `flat`, the printer measuring on its own."""
    one = pydoc.flat(doc)
    if one is not None and text_width(one) + len(suffix) + len(pydoc.INDENT) * level <= pydoc.WIDTH:
        return pydoc.INDENT * level + one + suffix
    prefix, last = pydoc._split_exploded(doc)
    if last is not None:
        items = [_reference(item, level + 1, ",") for item in last.items]
        return "\n".join([f"{pydoc.INDENT * level}{prefix}{last.head}{last.open}", *items, f"{pydoc.INDENT * level}{last.close}{suffix}"])
    doc = [doc, suffix] if suffix else doc
    if level == 0:
        return pretty(doc, pydoc.WIDTH, pydoc.INDENT)
    return pretty([pydoc.INDENT * level, pydoc._nest(doc, level)], pydoc.WIDTH, pydoc.INDENT)


@given(DOCS, st.integers(min_value=0, max_value=3), st.sampled_from(["", ",", ":"]))
@SETTINGS
def test_render_prints_what_the_flat_check_and_the_printer_printed(doc: Any, level: int, suffix: str) -> None:
    assert pydoc.render(doc, level, suffix) == _reference(doc, level, suffix)


def test_render_deeper_than_the_recursion_limit() -> None:
    deep: Any = ["a", LINE, "b" * 130]
    for _ in range(5000):
        deep = [Indent(deep), LINE]
    assert pydoc.render(deep) == _reference(deep)


@given(PYDOC_DOCS, st.integers(min_value=0, max_value=130))
@SETTINGS
def test_short_line_is_what_render_prints_on_one_short_line(doc: Any, limit: int) -> None:
    """short_line answers without printing a document too long for the limit: the same answer as
    printing it and looking at the text."""
    printed = pydoc.render(doc)
    assert pydoc.short_line(doc, limit) == (printed if len(printed) <= limit and "\n" not in printed else None)
