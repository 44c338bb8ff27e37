"""Differential tests: each grammar's fast reader (compiler/frontend/grammars.py) gives exactly what
the lark parser gives for every text it takes — the same nodes with the same spans, the same
pieces with the same offsets — and takes nothing lark rejects. lark stays the reference: what the
fast readers leave to it, and every error, comes from the grammar.

Texts are drawn from each grammar's tokens and near-misses, spread with whitespace, so that most
are valid and many are not.
"""

from __future__ import annotations

from typing import Any

import attrs
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from tinkc.frontend import grammars
from tinkc.frontend.grammars import GrammarError, parse_path, parse_status, parse_type
from tinkc.ir.span import Span

SETTINGS = settings(max_examples=600, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow])


def _span_of(offset: int, length: int) -> Span:
    return Span(file="t", line=1, col=offset, end_line=1, end_col=offset + length)


def _with_spans(t: Any) -> Any:
    """A node with its spans (IR equality ignores spans; this does not)."""
    return (type(t).__name__, attrs.asdict(t, recurse=True))


def _outcome(parse: Any, text: str) -> Any:
    try:
        return ("ok", _with_spans(parse(text, _span_of)))
    except GrammarError as exc:
        return ("error", exc.message, exc.column, exc.length)


# ---------------------------------------------------------------------------------------------
# Type expressions

type_tokens = st.sampled_from(
    [
        "string", "int", "Pet", "a.b", "_x", "map", "mapping", "Map", "map_", "[", "]", "(", ")", "|", "?", ",",
        '"tag"', '""', '"a b"', '"a|b"', '"x\\"y"', '"\\\\"', '"\t"', "0", "1", "-1", "+2", "007", "12a", "-", "+",
        "{", "$", "\u00e9",
    ]
)  # fmt: skip
spaces = st.sampled_from(["", "", "", " ", "  ", "\t", "\n", "\r\n", "\f", "\v", "\u00a0"])
type_texts = st.lists(st.tuples(spaces, type_tokens), max_size=12).map(lambda parts: "".join(w + t for w, t in parts))
# Well-formed shapes, so that deep valid texts are common too.
well_formed = st.recursive(
    st.sampled_from(["string", "Pet", '"tag"', "0", "-3", "a.b"]),
    lambda inner: st.one_of(
        inner.map(lambda t: f"[{t}]"),
        inner.map(lambda t: f"map[string, {t}]"),
        inner.map(lambda t: f"({t})?"),
        inner.map(lambda t: f"{t}?"),
        inner.map(lambda t: f"({t})"),
        st.lists(inner, min_size=2, max_size=3).map(" | ".join),
        st.tuples(spaces, inner, spaces).map("".join),
    ),
    max_leaves=8,
)


@SETTINGS
@given(st.one_of(type_texts, well_formed))
@example("(A | B)?")
@example("((A)?)?")
@example("(A) | [B]")
@example("A | (B | C)?")
@example("map[string, A | A]")
@example("map[int, A]")
@example("[map]")
def test_the_type_reader_agrees_with_lark(text: str) -> None:
    try:
        fast = grammars._TypeReader(text, _span_of).read()
    except (grammars._NotFast, GrammarError):
        event("left to lark")
        return
    event("read without lark")
    assert _outcome(grammars._parse_type_with_lark, text) == ("ok", _with_spans(fast)), text
    assert _outcome(parse_type, text) == ("ok", _with_spans(fast)), text


@SETTINGS
@given(st.one_of(type_texts, well_formed))
def test_parse_type_reports_what_lark_reports(text: str) -> None:
    """Whichever reader runs, parse_type's result or error is lark's (texts the `Name?` shortcut
    reads, which predates the fast reader, are left out: it reads a few whitespace characters
    lark does not)."""
    if grammars._SIMPLE_TYPE.match(text):
        return
    assert _outcome(parse_type, text) == _outcome(grammars._parse_type_with_lark, text), text


# ---------------------------------------------------------------------------------------------
# Path templates and status entries: regular languages, so the fast reader takes exactly what lark does

path_texts = st.lists(
    st.sampled_from(["/api", "/v1/", "{", "}", "+", "id", "_x", "a1", "1a", " ", "{id}", "{+id}", "-", ".", "\n", "\u00e9"]), max_size=10
).map("".join)


def _path_outcome(parse: Any, text: str) -> Any:
    try:
        return ("ok", parse(text))
    except GrammarError as exc:
        return ("error", exc.message, exc.column)


@SETTINGS
@given(path_texts)
@example("")
@example("/a/{b}/{+c}")
def test_the_path_reader_agrees_with_lark(text: str) -> None:
    lark_result = _path_outcome(grammars._parse_path_with_lark, text)
    event("valid" if lark_result[0] == "ok" else "invalid")
    assert (grammars._PATH.match(text) is not None) == (lark_result[0] == "ok"), text
    assert _path_outcome(parse_path, text) == lark_result, text


status_texts = st.lists(
    st.tuples(spaces, st.sampled_from(["429", "500", "0", "007", "-", "--", "5xx", "+1", "1.0", "\u0663"])), max_size=4
).map(lambda parts: "".join(w + t for w, t in parts))


@SETTINGS
@given(status_texts)
@example("500-599")
@example(" 500 - 599 ")
def test_the_status_reader_agrees_with_lark(text: str) -> None:
    lark_result = _path_outcome(grammars._parse_status_with_lark, text)
    event("valid" if lark_result[0] == "ok" else "invalid")
    assert (grammars._STATUS.match(text) is not None) == (lark_result[0] == "ok"), text
    assert _path_outcome(parse_status, text) == lark_result, text


# ---------------------------------------------------------------------------------------------
# Helper expressions

helper_tokens = st.sampled_from(
    [
        "${", "$", "{", "}", "self", "selfie", ".", "[", "]", "*", "(", ")", ",", "==", "!=", "=", "in", "inner",
        "true", "false", "truly", "len", "sum", "required", "json", "count", "tokens", "a_1", "1a", '"loss"', '""',
        '"a b"', '"x\\"y"', '"\t"', '"\u00e9"', "0", "7", "-1", "+2", "007", "-", "\u00e9",
    ]
)  # fmt: skip
helper_spaces = st.sampled_from(["", "", "", " ", "  ", "\t", "\n", "\u00a0"])
expr_spaces = st.sampled_from(["", "", "", "", "", "", " ", " ", "  ", "\t"])
helper_texts = st.lists(st.tuples(helper_spaces, helper_tokens), max_size=14).map(lambda parts: "".join(w + t for w, t in parts))


def _spread(parts: list[str]) -> st.SearchStrategy[str]:
    """The tokens ``parts`` with any of a few whitespaces between them."""
    return st.lists(expr_spaces, min_size=len(parts) + 1, max_size=len(parts) + 1).map(
        lambda ws: "".join(w + p for w, p in zip(ws, [*parts, ""], strict=True))
    )


helper_literals = st.sampled_from(['"done"', '"loss"', '""', "0", "-3", "+12", "true", "false"])
helper_steps = st.lists(st.sampled_from([[".", "tokens"], [".", "chunks"], ["[", "*", "]"], [".", "in"]]), max_size=3)
helper_tails = st.sampled_from([[], [], ["[", '"loss"', "]"], [".", "length", "(", ")"], [".", "self", "(", ")"]])
helper_paths = st.tuples(helper_steps, helper_tails).map(lambda st_: ["${", "self", *(t for s in st_[0] for t in s), *st_[1], "}"])
helper_operands = st.recursive(
    st.one_of(helper_paths, helper_literals.map(lambda t: [t])),
    lambda inner: st.tuples(st.sampled_from(["len", "sum", "required", "json", "count", "true"]), inner).map(
        lambda f: [f[0], "(", *f[1], ")"]
    ),
    max_leaves=3,
)
helper_exprs = st.one_of(
    helper_operands,
    st.tuples(helper_operands, st.sampled_from(["==", "!="]), helper_literals).map(lambda c: [*c[0], c[1], c[2]]),
    st.tuples(helper_operands, st.lists(helper_literals, min_size=1, max_size=3)).map(
        lambda m: [*m[0], "in", "[", *(t for i, lit in enumerate(m[1]) for t in ([","] if i else []) + [lit]), "]"]
    ),
).flatmap(_spread)


@SETTINGS
@given(st.one_of(helper_texts, helper_exprs))
@example("${self}")
@example('${self} != "user"')
@example('${self.metrics["loss"]}')
@example("sum(${self.chunks[*].length()})")
@example('len(${self.a} in ["x", 1, true])')
@example("count(len(${self.a}))")
@example("len(count(wrong(${self.a})))")
@example("${self.in}")
@example("true")
def test_the_helper_expr_reader_agrees_with_lark(text: str) -> None:
    lark_result = _outcome(grammars._parse_helper_expr_with_lark, text)
    try:
        fast = _outcome(lambda t, s: grammars._HelperReader(t, s).read(), text)
    except grammars._NotFast:
        event("left to lark")
    else:
        event("read without lark" if fast[0] == "ok" else "not a function, without lark")
        assert fast == lark_result, text
    assert _outcome(grammars.parse_helper_expr, text) == lark_result, text
