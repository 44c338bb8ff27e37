"""The Elixir layout's nodes (backends/elixir/exfmt.py): each node's one-line text (`flat`, computed
alone so that a node that fits never builds its document) is the text `build` gives with the
document, and `layout` prints what the printer prints for the node."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tinkc.backends.elixir import exfmt
from tinkc.backends.elixir.exfmt import CallFn, Fn, Match, Node, Pair, Seq, Text

SETTINGS = settings(max_examples=600, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow])

WORDS = st.sampled_from(
    [
        "a",
        "x_1",
        '"text"',
        ":atom",
        "Mod.fun(x)",
        "some_rather_long_identifier_name",
        "%{}",
        "ends_in_a_space ",
        "",
        '"日本語のテキスト"',
        "e\u0301",
    ]
)
TEXT = (WORDS | st.integers(min_value=1, max_value=100).map(lambda n: "w" * n)).map(Text)  # every width: lines filled exactly


def _nodes(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    items = st.lists(children, max_size=4).map(tuple)
    return st.one_of(
        st.builds(Seq, st.sampled_from(["Mod.f(", "[", "{", "%{", "%S{"]), items, st.sampled_from([")", "]", "}"])),
        st.builds(Pair, st.sampled_from(["key:", '"k" =>']), children),
        st.builds(Match, WORDS, st.sampled_from(["=", "<-"]), children),
        st.builds(Fn, children, st.sampled_from(["", "x", "{:ok, v}"])),
        st.builds(CallFn, st.sampled_from(["Enum.map", "f"]), items, st.builds(Fn, children, st.sampled_from(["", "x"]))),
    )


NODES = st.recursive(TEXT, _nodes, max_leaves=20)


@given(NODES)
@SETTINGS
def test_flat_is_the_text_build_gives(node: Node) -> None:
    assert node.flat() == node.build()[0]


@given(NODES, st.integers(min_value=0, max_value=12), st.sampled_from(["", ",", " do", "日本"]), st.sampled_from(["", "x = ", "@attr "]))
@settings(SETTINGS, max_examples=2000)
def test_layout_prints_what_the_printer_prints(node: Node, indent: int, suffix: str, head: str) -> None:
    """layout() prints the node itself (exfmt._Printer) what the layout printer prints for its document."""
    lead = " " * indent + head
    expected = exfmt.aligned(lead, indent, [node.doc(), suffix])
    if exfmt.fits(lead + node.flat() + suffix):
        expected = [lead + node.flat() + suffix]
    assert exfmt.layout(node, lead, indent, suffix) == expected


def test_nodes_compare_and_hash_by_value() -> None:
    a = Seq("[", (Text("a"), Pair("k:", Text("v"))), "]")
    b = Seq("[", (Text("a"), Pair("k:", Text("v"))), "]")
    assert a == b and hash(a) == hash(b) and a != Seq("[", (Text("a"),), "]") and Text("a") != Fn(Text("a"))
    assert repr(Text("a")) == "Text(text='a')"


def test_an_item_that_fits_only_without_its_comma_breaks() -> None:
    """The printer counts the `,` after an item (the text before the line break) when it decides
    whether the item fits: an item one column too long with it breaks."""
    for size in (88, 89, 90):
        node = Seq("[", (Text("a" * 200), Seq("Mod.f(", (Text("b" * size), Text("c")), ")"), Text("d")), "]")
        expected = exfmt.aligned("  x = ", 2, [node.doc(), ""])
        assert exfmt.layout(node, "  x = ", 2) == expected


@given(NODES, st.sampled_from(["f", "new(attrs)", "some_long_function_name(a, b, c)", "日本(x)"]), st.integers(min_value=0, max_value=12))
@SETTINGS
def test_short_def_is_what_the_printer_prints(node: Node, head: str, indent: int) -> None:
    """short_def's one-line answer without the printer is the printer's (exfmt._short_def)."""
    assert exfmt.short_def(head, node, indent) == exfmt._short_def(head, node, indent)  # noqa: SLF001
