"""The Elixir layout's nodes (backends/elixir/exfmt.py): each node's one-line text (`flat`, computed
alone so that a node that fits never builds its document) is the text `build` gives with the
document, and `layout` prints what the printer prints for the node."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tinkc.backends.elixir import exfmt
from tinkc.backends.elixir.exfmt import CallFn, Fn, Match, Node, Pair, Seq, Text
from tinkc.backends.layout import pretty

SETTINGS = settings(max_examples=600, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow])

WORDS = st.sampled_from(["a", "x_1", '"text"', ":atom", "Mod.fun(x)", "some_rather_long_identifier_name", "%{}"])
TEXT = WORDS.map(Text)


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


@given(NODES, st.integers(min_value=0, max_value=12))
@SETTINGS
def test_layout_prints_what_the_printer_prints(node: Node, indent: int) -> None:
    lead = " " * indent
    expected = pretty([lead[indent:], [node.doc(), ","]], exfmt.WIDTH - indent, exfmt.UNIT).split("\n")
    expected = [lead[:indent] + expected[0], *(lead + line if line else line for line in expected[1:])]
    assert exfmt.layout(node, lead, indent, ",") == expected


def test_nodes_compare_and_hash_by_value() -> None:
    a = Seq("[", (Text("a"), Pair("k:", Text("v"))), "]")
    b = Seq("[", (Text("a"), Pair("k:", Text("v"))), "]")
    assert a == b and hash(a) == hash(b) and a != Seq("[", (Text("a"),), "]") and Text("a") != Fn(Text("a"))
    assert repr(Text("a")) == "Text(text='a')"
