"""Property tests: the grammars and their canonical printers are inverse to each other.

* type expressions: ``parse_type(format_type(t)) == t`` for every IR type expression the grammar
  can spell (primitives, references, lists, maps, nullables, literals, flat unions);
* bindings: ``parse_template(format_binding(source, path))`` is that one binding, and texts mixing
  literal text (with `$` characters and `$${` escapes) and bindings split back into their pieces;
* path templates: literal segments and ``{name}`` / ``{+name}`` variables come back with offsets;
* status entries: ``"N"`` and ``"A-B"``.
"""

from __future__ import annotations

import json
import re

from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from tinkc.frontend.grammars import format_binding, format_type, parse_path, parse_status, parse_template, parse_type
from tinkc.ir import nodes as ir

SETTINGS = settings(max_examples=150, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow])

# ---------------------------------------------------------------------------------------------
# Type expressions

TYPE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*")  # NAME of grammar/types.lark

type_names = st.from_regex(TYPE_NAME, fullmatch=True).filter(lambda n: n not in ir.PRIMITIVES and n != "map")
prims = st.sampled_from(ir.PRIMITIVES).map(lambda n: ir.Prim(name=n))
refs = type_names.map(lambda n: ir.Ref(name=n))
lits = st.one_of(st.text(max_size=12), st.integers()).map(lambda v: ir.Lit(value=v))
# Names that look like the other grammar's terminals, and literal text that needs JSON escapes.
tricky_refs = st.sampled_from(["mapping", "map_", "map.x", "Map", "_", "a.b.c", "A.", "string_", "int2", "Any"]).map(
    lambda n: ir.Ref(name=n)
)
tricky_lits = st.sampled_from(["", '"', "\\", "a|b", "(x)?", "[string]", "\n", "\u00e9", "\U0001f600", "\ud800", 0, -1, 10**30]).map(
    lambda v: ir.Lit(value=v)
)
leaves = st.one_of(prims, refs, lits, tricky_refs, tricky_lits)


def _nullable(t: ir.TypeRef) -> ir.TypeRef:
    return t if isinstance(t, ir.Nullable) else ir.Nullable(inner=t)


def _union(members: list[ir.TypeRef]) -> ir.TypeRef:
    flat: list[ir.TypeRef] = []
    for m in members:  # `A | (B | C)` is the flat union `A | B | C`
        flat.extend(m.members if isinstance(m, ir.UnionT) else [m])
    unique = list({format_type(m): m for m in flat}.values())  # a member listed twice is an error
    return ir.UnionT(members=tuple(unique)) if len(unique) >= 2 else unique[0]


def _extend(children: st.SearchStrategy[ir.TypeRef]) -> st.SearchStrategy[ir.TypeRef]:
    return st.one_of(
        children.map(lambda t: ir.ListT(item=t)),
        children.map(lambda t: ir.MapT(value=t)),
        children.map(_nullable),
        st.lists(children, min_size=2, max_size=4).map(_union),
    )


type_exprs = st.recursive(leaves, _extend, max_leaves=12)


def _well_formed(t: ir.TypeRef) -> bool:
    """What the strategy promises: no Nullable directly in a Nullable, unions flat with ≥ 2 members."""
    if isinstance(t, ir.Nullable):
        return not isinstance(t.inner, ir.Nullable) and _well_formed(t.inner)
    if isinstance(t, ir.UnionT):
        return len(t.members) >= 2 and all(not isinstance(m, ir.UnionT) and _well_formed(m) for m in t.members)
    if isinstance(t, ir.ListT):
        return _well_formed(t.item)
    if isinstance(t, ir.MapT):
        return _well_formed(t.value)
    return True


@SETTINGS
@given(type_exprs)
def test_type_expressions_round_trip(t: ir.TypeRef) -> None:
    assert _well_formed(t)
    text = format_type(t)
    assert parse_type(text) == t, text


@SETTINGS
@given(type_exprs)
def test_formatting_a_parsed_type_is_a_fixed_point(t: ir.TypeRef) -> None:
    text = format_type(t)
    assert format_type(parse_type(text)) == text


@SETTINGS
@given(type_exprs, st.sampled_from(["", " ", "  ", "\t"]))
def test_type_expressions_ignore_whitespace_around_tokens(t: ir.TypeRef, ws: str) -> None:
    # Spaces between tokens do not matter: spread some around the punctuation (not inside names
    # or string literals, where they would change the meaning).
    text = format_type(t)
    assume('"' not in text)
    spaced = re.sub(r"([\[\](),|?])", lambda m: f"{ws}{m.group(1)}{ws}", text)
    assert parse_type(spaced) == t, spaced


# ---------------------------------------------------------------------------------------------
# Bindings

IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")  # NAME of grammar/bindings.lark
idents = st.from_regex(IDENT, fullmatch=True)
sources = st.one_of(st.sampled_from(["input", "result", "steps", "state"]), idents)
accessors = st.one_of(idents, st.integers(min_value=0, max_value=10**6))
binding_paths = st.lists(accessors, max_size=5).map(tuple)


@SETTINGS
@given(sources, binding_paths)
def test_a_formatted_binding_parses_to_that_binding(source: str, path: tuple[str | int, ...]) -> None:
    text = format_binding(source, path)
    assert parse_template(text) == [(source, path, 0, len(text))]


# A template is a sequence of pieces: literal text, the escape `$${` (a literal `${`) and bindings.
# Literal text holds `$`, `{` and `}` freely but never `${` (that starts a binding) — and a piece
# before an escape or a binding must not end in `$`, which would make `$${` (the escape).
literal_alphabet = st.one_of(st.sampled_from("$${}[].ab _:/\n"), st.characters(codec="utf-8"))
literal_texts = st.text(literal_alphabet, min_size=1, max_size=10)
ESCAPE = ("escape",)
pieces = st.one_of(
    literal_texts.map(lambda s: ("text", s)),
    st.just(ESCAPE),
    st.tuples(st.just("bind"), sources, binding_paths),
)


def _encode(items: list[tuple]) -> tuple[str, list] | None:
    """(template text, expected parse with offsets dropped), or None if not spellable as documented."""
    text = ""
    expected: list = []
    run = ""  # the literal text written since the last escape or binding

    def literal(s: str) -> None:
        if expected and isinstance(expected[-1], str):
            expected[-1] += s
        else:
            expected.append(s)

    for item in items:
        if item[0] == "text":
            run += item[1]
            if "${" in run:
                return None
            text += item[1]
            literal(item[1])
            continue
        if run.endswith("$"):
            return None
        run = ""
        if item[0] == "escape":
            text += "$${"
            literal("${")
        else:
            _, source, path = item
            text += format_binding(source, path)
            expected.append((source, path))
    return text, expected


def _reformat(parsed: list) -> str:
    """Spell parsed pieces back as a template: literal `${` → `$${`, bindings canonical."""
    out = ""
    for p in parsed:
        out += p.replace("${", "$${") if isinstance(p, str) else format_binding(p[0], p[1])
    return out


@SETTINGS
@given(st.lists(pieces, max_size=8))
def test_templates_split_into_their_pieces(items: list[tuple]) -> None:
    encoded = _encode(items)
    assume(encoded is not None)
    assert encoded is not None
    text, expected = encoded
    event(f"bindings: {sum(1 for p in expected if not isinstance(p, str))}, escapes: {text.count('$${')}")
    parsed = parse_template(text)
    assert [p if isinstance(p, str) else (p[0], p[1]) for p in parsed] == expected, text
    for p in parsed:  # binding offsets point at their own text
        if not isinstance(p, str):
            source, path, offset, length = p
            assert text[offset : offset + length] == format_binding(source, path)
    assert _reformat(parsed) == text


# Any text over a small alphabet that exercises the escape rules: whatever parses, re-spelled
# canonically, parses to the same pieces.
template_alphabet = st.sampled_from(["$", "$", "{", "}", "a", ".", "[", "]", "0", "x", "${a}", "$${", "${result.b[1]}"])


@SETTINGS
@given(st.lists(template_alphabet, max_size=14).map("".join))
def test_parsed_templates_respell_to_the_same_pieces(text: str) -> None:
    from tinkc.frontend.grammars import GrammarError

    try:
        parsed = parse_template(text)
    except GrammarError:
        event("not a template")
        return
    event(f"{len(parsed)} pieces")
    again = parse_template(_reformat(parsed))
    strip = lambda ps: [p if isinstance(p, str) else (p[0], p[1]) for p in ps]  # noqa: E731
    assert strip(again) == strip(parsed), text


# ---------------------------------------------------------------------------------------------
# Path templates

path_literals = st.text(st.characters(codec="utf-8", exclude_characters="{}"), min_size=1, max_size=12)
path_vars = st.tuples(st.just("var"), idents, st.booleans())
path_parts = st.lists(st.one_of(path_literals.map(lambda s: ("literal", s)), path_vars), max_size=8)


@SETTINGS
@given(path_parts)
def test_path_templates_round_trip(parts: list[tuple]) -> None:
    text = ""
    expected: list[tuple[str, str, bool]] = []
    for part in parts:
        if part[0] == "literal":
            text += part[1]
            if expected and expected[-1][0] == "literal":  # adjacent literals are one segment
                expected[-1] = ("literal", expected[-1][1] + part[1], False)
            else:
                expected.append(("literal", part[1], False))
        else:
            _, name, raw = part
            text += "{" + ("+" if raw else "") + name + "}"
            expected.append(("var", name, raw))
    parsed = parse_path(text)
    assert [(k, t, r) for k, t, r, _, _ in parsed] == expected
    for kind, value, raw, offset, length in parsed:
        spelled = value if kind == "literal" else "{" + ("+" if raw else "") + value + "}"
        assert text[offset : offset + length] == spelled
    assert "".join(text[o : o + n] for *_, o, n in parsed) == text


# ---------------------------------------------------------------------------------------------
# Status entries

codes = st.integers(min_value=0, max_value=10**6)
spaces = st.sampled_from(["", " ", "  "])


@SETTINGS
@given(codes, spaces, spaces)
def test_single_status(code: int, before: str, after: str) -> None:
    assert parse_status(f"{before}{code}{after}") == (code, code)


@SETTINGS
@given(codes, codes, spaces, spaces)
def test_status_range(lo: int, hi: int, a: str, b: str) -> None:
    assert parse_status(f"{lo}{a}-{b}{hi}") == (lo, hi)


@SETTINGS
@given(st.integers(min_value=0, max_value=999), st.integers(min_value=1, max_value=3))
def test_status_leading_zeros(code: int, zeros: int) -> None:
    assert parse_status("0" * zeros + str(code)) == (code, code)


def test_literal_json_spelling_is_what_format_type_uses() -> None:
    # format_type writes literals with json.dumps; the grammar reads lark's ESCAPED_STRING.
    assert format_type(ir.Lit(value='a"b')) == json.dumps('a"b')
