"""The lark grammars: type expressions, bindings, path templates, status entries."""

from __future__ import annotations

import pytest

from tinkc.frontend.grammars import GrammarError, format_type, parse_path, parse_status, parse_template, parse_type
from tinkc.ir import nodes as ir

S = ir.Prim(name="string")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("string", S),
        ("Pet", ir.Ref(name="Pet")),
        ("string?", ir.Nullable(inner=S)),
        ("[string]", ir.ListT(item=S)),
        ("[string]?", ir.Nullable(inner=ir.ListT(item=S))),
        ("[[int]]", ir.ListT(item=ir.ListT(item=ir.Prim(name="int")))),
        ("map[string,any]", ir.MapT(value=ir.Prim(name="any"))),
        ("map[string, [Pet?]]?", ir.Nullable(inner=ir.MapT(value=ir.ListT(item=ir.Nullable(inner=ir.Ref(name="Pet")))))),
        ("A | B | C", ir.UnionT(members=(ir.Ref(name="A"), ir.Ref(name="B"), ir.Ref(name="C")))),
        ("A | B?", ir.UnionT(members=(ir.Ref(name="A"), ir.Nullable(inner=ir.Ref(name="B"))))),
        ("(A | B)?", ir.Nullable(inner=ir.UnionT(members=(ir.Ref(name="A"), ir.Ref(name="B"))))),
        ('"encoded_text"', ir.Lit(value="encoded_text")),
        ("0 | 1", ir.UnionT(members=(ir.Lit(value=0), ir.Lit(value=1)))),
        ("mapping", ir.Ref(name="mapping")),
    ],
)
def test_type_expressions(text: str, expected: ir.TypeRef) -> None:
    t = parse_type(text)
    assert t == expected
    assert parse_type(format_type(t)) == t


@pytest.mark.parametrize(
    ("text", "column"),
    [("[string", 7), ("map[int,string]", 4), ("string??", 7), ("A |", 3), ("List[int]", 4), ("", 0), ("a b", 2), ("[]", 1)],
)
def test_malformed_type_expressions_point_at_the_problem(text: str, column: int) -> None:
    with pytest.raises(GrammarError) as exc:
        parse_type(text)
    assert exc.value.column == column


def test_type_spans_map_offsets() -> None:
    seen: list[tuple[int, int]] = []

    def span_of(offset: int, length: int) -> None:
        seen.append((offset, length))

    parse_type("[Pet]?", span_of)  # type: ignore[arg-type]
    assert (1, 3) in seen and (0, 6) in seen


def test_bindings_and_interpolation() -> None:
    assert parse_template("${input.path}") == [("input", ("path",), 0, 13)]
    assert parse_template("${result.chunks[0].tokens}") == [("result", ("chunks", 0, "tokens"), 0, 26)]
    assert parse_template("${result}") == [("result", (), 0, 9)]
    assert parse_template("${state.session_id}:train:${result.model_seq_id}") == [
        ("state", ("session_id",), 0, 19),
        ":train:",
        ("result", ("model_seq_id",), 26, 22),
    ]
    assert parse_template("cost $5 and $${literal}") == ["cost $5 and ${literal}"]
    assert parse_template("no bindings") == ["no bindings"]


@pytest.mark.parametrize(("text", "column"), [("${input.}", 8), ("${}", 2), ("${input", 7), ("${a.b[x]}", 6), ("x ${a..b}", 6)])
def test_malformed_bindings(text: str, column: int) -> None:
    with pytest.raises(GrammarError) as exc:
        parse_template(text)
    assert exc.value.column == column


def test_path_templates() -> None:
    parts = parse_path("/api/v1/training_runs/{run_id}/checkpoints/{+checkpoint_id}/archive")
    assert [(k, t, raw) for k, t, raw, _, _ in parts] == [
        ("literal", "/api/v1/training_runs/", False),
        ("var", "run_id", False),
        ("literal", "/checkpoints/", False),
        ("var", "checkpoint_id", True),
        ("literal", "/archive", False),
    ]
    assert parts[1][3:] == (22, 8)


@pytest.mark.parametrize("text", ["/a/{b", "/a/b}", "/a/{}", "/a/{1b}", "/a/{b c}", "/a/{{b}}"])
def test_malformed_paths(text: str) -> None:
    with pytest.raises(GrammarError):
        parse_path(text)


def test_status_entries() -> None:
    assert parse_status("429") == (429, 429)
    assert parse_status("500-599") == (500, 599)
    assert parse_status("500 - 599") == (500, 599)
    for bad in ("5xx", "500-", "-1", "abc", ""):
        with pytest.raises(GrammarError):
            parse_status(bad)


@pytest.mark.parametrize(
    "text, message",
    [
        ("string | int | string", "`string` is a member of this union twice"),
        ("[A] | ([A] | B)", "`[A]` is a member of this union twice"),
        (" | ".join(f"T{i}" for i in range(257)), "a union of 257 members (at most 256)"),
    ],
)
def test_a_union_lists_each_member_once_and_not_too_many(text: str, message: str) -> None:
    with pytest.raises(GrammarError) as exc:
        parse_type(text)
    assert exc.value.message == message
    assert (exc.value.column, exc.value.length) == (0, len(text))


def test_type_nesting_is_bounded_at_the_limit() -> None:
    from tinkc.frontend.limits import MAX_TYPE_DEPTH

    at_limit = "[" * MAX_TYPE_DEPTH + "string" + "]" * MAX_TYPE_DEPTH
    assert format_type(parse_type(at_limit)) == at_limit
    # brackets inside a string literal are not nesting, however many
    assert parse_type('"' + "[" * (MAX_TYPE_DEPTH + 1) + '"') == ir.Lit(value="[" * (MAX_TYPE_DEPTH + 1))
    for deeper in (
        "[" * (MAX_TYPE_DEPTH + 1) + "string" + "]" * (MAX_TYPE_DEPTH + 1),
        "(" * (MAX_TYPE_DEPTH + 1) + "A" + ")" * (MAX_TYPE_DEPTH + 1),
    ):
        with pytest.raises(GrammarError, match="nested too deeply"):
            parse_type(deeper)
