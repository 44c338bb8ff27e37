"""The TypeScript layout engine on documents nested deeper than Python's recursion limit (a manifest
may nest a type or a default that deep): the iterative break check agrees with the recursive one
and lays them out."""

from __future__ import annotations

from tinkc.backends.layout import HARDLINE, LINE, Group, Indent, _breaks, _breaks_deep, _breaks_shallow, pretty


def nested(depth: int, leaf: object) -> object:
    doc: object = leaf
    for i in range(depth):
        doc = Group(["[", Indent([LINE, doc]), LINE, "]"]) if i % 2 else [doc]
    return doc


def test_the_deep_check_agrees_with_the_recursive_one() -> None:
    for leaf in ("x", HARDLINE, Group(["y"], broken=True)):
        doc = nested(50, leaf)
        assert _breaks_deep(doc, {}) == _breaks_shallow(doc, {})  # type: ignore[arg-type]


def test_a_document_deeper_than_the_recursion_limit() -> None:
    deep = nested(5000, HARDLINE)
    assert _breaks(deep, {})  # type: ignore[arg-type]
    assert not _breaks(nested(5000, "x"), {})  # type: ignore[arg-type]
    text = pretty(deep)  # type: ignore[arg-type]
    assert text.count("[") == 2500 and text.count("]") == 2500
