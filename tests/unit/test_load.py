"""The loader: YAML 1.2 scalars, duplicate keys, spans, imports, unreadable input."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from util import codes, compile_text, only, write

from tinkc.diagnostics import Sink
from tinkc.frontend.load import load_manifest, load_text
from tinkc.frontend.model import Mapping, Scalar, Sequence
from tinkc.ir.span import Span


def load(text: str, fmt: str = "yaml") -> tuple[Mapping | None, Sink]:
    sink = Sink()
    m = load_text(text, "m.yaml" if fmt == "yaml" else "m.json", sink, fmt=fmt)
    return (m.root.root if m else None), sink


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("on", "on"),
        ("off", "off"),
        ("yes", "yes"),
        ("no", "no"),
        ("y", "y"),
        ("n", "n"),
        ("true", True),
        ("False", False),
        ("null", None),
        ("~", None),
        ("", None),
        ("42", 42),
        ("-7", -7),
        ("0o17", 15),
        ("0x1F", 31),
        ("1.5", 1.5),
        ("1e3", 1000.0),
        ("1:20", "1:20"),
        ("'0755'", "0755"),
        ('"true"', "true"),
        ("2024-01-01", "2024-01-01"),
    ],
)
def test_scalars_follow_yaml_1_2(text: str, value: object) -> None:
    root, sink = load(f"k: {text}\n")
    assert not sink.items
    assert root is not None
    node = root.get("k")
    assert isinstance(node, Scalar)
    assert node.value == value and type(node.value) is type(value)


def test_keys_are_always_strings() -> None:
    root, _ = load("on: 1\n200: ok\nnull: x\n")
    assert root is not None and list(root.entries) == ["on", "200", "null"]


def test_leading_zero_number_is_reported() -> None:
    _, sink = load("mode: 0755\n")
    [d] = sink.items
    assert d.code == "load.ambiguous-number" and d.span is not None and (d.span.line, d.span.col) == (1, 7)
    assert "755" in (d.hint or "")


def test_duplicate_keys_are_errors_with_both_positions() -> None:
    _, sink = load("a: 1\nb:\n  c: 1\n  c: 2\na: 3\n")
    dups = [d for d in sink.items if d.code == "load.duplicate-key"]
    assert [(d.span.line, d.span.col) for d in dups if d.span] == [(4, 3), (5, 1)]
    assert "line 3" in (dups[0].hint or "") and "line 1" in (dups[1].hint or "")


def test_duplicate_keys_in_json() -> None:
    _, sink = load('{"a": 1,\n "a": 2}', fmt="json")
    [d] = sink.items
    assert d.code == "load.duplicate-key" and d.span is not None and d.span.line == 2


def test_json_and_yaml_give_the_same_model_with_spans() -> None:
    y, _ = load("a:\n  b: [1, x]\n")
    j, _ = load('{"a": {"b": [1, "x"]}}', fmt="json")
    assert y is not None and j is not None
    yb, jb = y.get("a").get("b"), j.get("a").get("b")  # type: ignore[union-attr]
    assert isinstance(yb, Sequence) and isinstance(jb, Sequence)
    assert [n.value for n in yb.items] == [n.value for n in jb.items] == [1, "x"]  # type: ignore[union-attr]
    assert (yb.span.line, yb.span.col) == (2, 6)
    assert (jb.span.line, jb.span.col) == (1, 13)


def test_spans_made_when_read_are_the_spans_of_the_text() -> None:
    """The loader gives nodes and keys their YAML marks; the Span made from them on first read is
    what a Span given at construction would be, and the same object at every later read."""
    root, _ = load("a:\n  bb: 'x y'\n  c: [1, 22]\n")
    assert root is not None
    a = root.entries["a"]
    assert a.key_span == Span(file="m.yaml", line=1, col=1, end_line=1, end_col=2)
    inner = a.value
    assert isinstance(inner, Mapping)
    assert inner.span == Span(file="m.yaml", line=2, col=3, end_line=4, end_col=1)
    bb = inner.entries["bb"]
    assert bb.key_span == Span(file="m.yaml", line=2, col=3, end_line=2, end_col=5)
    assert bb.value.span == Span(file="m.yaml", line=2, col=7, end_line=2, end_col=12)
    assert bb.value.span is bb.value.span
    c = inner.get("c")
    assert isinstance(c, Sequence)
    assert [n.span.col for n in c.items] == [7, 10]
    same = Scalar(value="x y", span=bb.value.span, quoted=True)
    fresh = load("a:\n  bb: 'x y'\n")[0]
    assert fresh is not None
    value = fresh.get("a").get("bb")  # type: ignore[union-attr]
    assert repr(value) == repr(same)  # (read before its span is: the repr shows the Span)


def test_json_syntax_error_is_positioned() -> None:
    _, sink = load('{"a": 1,}', fmt="json")
    [d] = sink.items
    assert d.code == "load.json-syntax" and d.span is not None and d.span.col == 9


def test_unquoted_list_type_with_suffix_hints_to_quote() -> None:
    _, sink = load("types:\n  T:\n    fields:\n      x: [string]?\n")
    [d] = sink.items
    assert d.code == "load.yaml-syntax" and d.span is not None and d.span.line == 4
    assert d.hint is not None and 'x: "[string]?"' in d.hint


def test_binding_in_flow_mapping_hints_to_quote() -> None:
    _, sink = load("args: {a: ${input.x}}\n")
    [d] = sink.items
    assert d.code == "load.yaml-syntax" and "quoted" in (d.hint or "")


def test_alias_bomb_is_bounded() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        prev = f"*a{i - 1}"
        lines.append(f"a{i}: &a{i} [{', '.join([prev] * 10)}]")
    _, sink = load("\n".join(lines) + "\n")
    assert [d.code for d in sink.items] == ["load.too-large"]


def test_recursive_alias_is_reported() -> None:
    _, sink = load("a: &x [1, *x]\n")
    assert [d.code for d in sink.items] == ["load.too-large"]


@pytest.mark.parametrize("aliases", [False, True])
def test_nesting_is_bounded_with_and_without_aliases(aliases: bool) -> None:
    # Without an alias in the text the expansion is not measured, but the depth still is; an
    # alias elsewhere in the file must not change what is reported.
    from tinkc.frontend.limits import MAX_DEPTH

    extra = "b: &b 1\nc: *b\n" if aliases else ""
    deepest_allowed = "a: " + "[" * MAX_DEPTH + "]" * MAX_DEPTH + "\n"
    _, sink = load(deepest_allowed + extra)
    assert "load.too-large" not in [d.code for d in sink.items]
    too_deep = "a: " + "[" * (MAX_DEPTH + 1) + "x" + "]" * (MAX_DEPTH + 1) + "\n"
    _, sink = load(too_deep + extra + "a: 2\n")  # the duplicate key is not reported: nothing was converted
    assert [d.code for d in sink.items] == ["load.too-large"]


def test_tags_are_rejected() -> None:
    _, sink = load("a: !!python/object:os.system x\n")
    assert "load.tag" in [d.code for d in sink.items]


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"", "load.empty"),
        (b"  \n\n", "load.empty"),
        (b"\x00\x01\x02", "load.binary"),
        (b"a: \xff\xfe\n", "load.encoding"),
        (b"- 1\n- 2\n", "load.not-a-mapping"),
        (b"# only a comment\n", "load.empty"),
    ],
)
def test_unusable_files(tmp_path: Path, content: bytes, code: str) -> None:
    p = tmp_path / "m.yaml"
    p.write_bytes(content)
    sink = Sink()
    assert load_manifest(p, sink) is None
    assert [d.code for d in sink.items] == [code]


def test_missing_file(tmp_path: Path) -> None:
    sink = Sink()
    assert load_manifest(tmp_path / "nope.yaml", sink) is None
    assert [d.code for d in sink.items] == ["load.not-found"]


IMPORTED_TYPES = """\
types:
  Pet:
    fields:
      name: string
"""


def test_imports_are_relative_and_merged(tmp_path: Path) -> None:
    write(tmp_path, IMPORTED_TYPES, "sub/types.yaml")
    r = compile_text(
        tmp_path,
        """\
        imports: [sub/types.yaml]
        clients:
          c: {resource: pets}
        endpoints:
          pets.get: {method: GET, path: /pets, response: Pet}
        """,
    )
    assert not r.sink.items, codes(r)
    assert r.api is not None and "Pet" in r.api.types


def test_import_order_does_not_change_the_ir(tmp_path: Path) -> None:
    write(tmp_path, IMPORTED_TYPES, "a.yaml")
    write(tmp_path, "types:\n  Owner:\n    fields:\n      pet: Pet\n", "b.yaml")
    body = "clients:\n  c: {resource: pets}\nendpoints:\n  pets.get: {method: GET, path: /pets, response: Owner}\n"
    one = compile_text(tmp_path, "imports: [a.yaml, b.yaml]\n" + body, name="one.yaml")
    two = compile_text(tmp_path, "imports: [b.yaml, a.yaml]\n" + body, name="two.yaml")
    assert one.api == two.api and not one.sink.items


def test_import_cycle_and_conflict(tmp_path: Path) -> None:
    write(tmp_path, "imports: [b.yaml]\n" + IMPORTED_TYPES, "a.yaml")
    write(tmp_path, "imports: [a.yaml]\n" + IMPORTED_TYPES, "b.yaml")
    r = compile_text(tmp_path, "imports: [a.yaml]\n")
    found = codes(r)
    assert "load.import-cycle" in found and "manifest.conflict" in found
    cycle = only(r, "load.import-cycle")
    assert "a.yaml → b.yaml → a.yaml" in cycle.message


def test_imported_file_may_not_declare_service(tmp_path: Path) -> None:
    write(tmp_path, "service: {name: x}\n", "a.yaml")
    r = compile_text(tmp_path, "imports: [a.yaml]\n")
    assert only(r, "manifest.misplaced-key").span.file.endswith("a.yaml")  # type: ignore[union-attr]


@pytest.mark.parametrize(("version", "code"), [("2", "schema.unsupported-version"), ('"1"', "schema.unsupported-version")])
def test_schema_version(tmp_path: Path, version: str, code: str) -> None:
    r = compile_text(tmp_path, f"schema_version: {version}\nservice: {{name: x}}\n", header=False)
    assert codes(r) == [code]


def test_missing_schema_version(tmp_path: Path) -> None:
    r = compile_text(tmp_path, "service: {name: x}\n", header=False)
    assert codes(r) == ["schema.version-missing"]


@pytest.mark.parametrize("leaf", ["x", "[]", "{}", "{k: v}"])
def test_depth_bound_counts_the_innermost_item(leaf: str) -> None:
    # The root mapping is level 0 and `a`'s outermost list level 1: inside `n` brackets the leaf
    # is at level n + 1, and the items of `{k: v}` one level deeper still.
    from tinkc.frontend.limits import MAX_DEPTH

    below = 1 if leaf == "{k: v}" else 0
    for n, reported in ((MAX_DEPTH - 1 - below, False), (MAX_DEPTH - below, True)):
        _, sink = load("a: " + "[" * n + leaf + "]" * n + "\n")
        assert ("load.too-large" in [d.code for d in sink.items]) is reported, (leaf, n)


def test_yaml_import_seeds_an_equivalent_printable_class() -> None:
    # tinkc.frontend.yamlimport fills re's cache with the complement of PyYAML's NON_PRINTABLE
    # class: both must find exactly the same characters, over every code point.
    import re

    import yaml.reader

    from tinkc.frontend import yamlimport

    everything = "".join(map(chr, range(0x110000)))
    own = re.compile(yamlimport.YAML_NON_PRINTABLE, re.UNICODE)  # other flags: another cache key, compiled here
    seeded = re.compile(yamlimport.NOT_PRINTABLE)
    assert [m.start() for m in own.finditer(everything)] == [m.start() for m in seeded.finditer(everything)]
    # PyYAML still writes that pattern (else the seed is unused, and this module has nothing to do)
    assert yaml.reader.Reader.NON_PRINTABLE.pattern in (yamlimport.YAML_NON_PRINTABLE, yamlimport.NOT_PRINTABLE)


@st.composite
def _yaml_graphs(draw: st.DrawFn) -> object:
    """A composed YAML document as aliases make it: collections whose items are earlier nodes
    (an alias repeats a node), sometimes with a cycle (a recursive alias)."""
    from tinkc.frontend.yamlimport import yaml

    nodes: list[object] = [yaml.ScalarNode("tag:yaml.org,2002:str", "x", None, None)]
    for _ in range(draw(st.integers(1, 12))):
        children = draw(st.lists(st.sampled_from(nodes), max_size=5))
        if draw(st.booleans()):
            nodes.append(yaml.SequenceNode("tag:yaml.org,2002:seq", children, None, None))
        else:
            pairs = [(yaml.ScalarNode("tag:yaml.org,2002:str", str(i), None, None), c) for i, c in enumerate(children)]
            nodes.append(yaml.MappingNode("tag:yaml.org,2002:map", pairs, None, None))
    if draw(st.booleans()):  # a recursive alias: an earlier sequence holds a later node
        seqs = [n for n in nodes if isinstance(n, yaml.SequenceNode)]
        if seqs:
            draw(st.sampled_from(seqs)).value.append(nodes[-1])
    return nodes[-1]


@given(_yaml_graphs(), st.integers(1, 60), st.integers(1, 6))
def test_bounded_walk_passes_only_what_the_exact_measure_passes(root: object, max_nodes: int, max_depth: int) -> None:
    # parse_yaml skips the exact measure (_expanded_size) when the level walk (_bounded) finds the
    # expansion within the slack: then the exact measure must find it within too, and no deeper.
    from unittest import mock

    from tinkc.frontend import load as load_module

    with mock.patch.object(load_module, "MAX_DEPTH", max_depth):
        if load_module._bounded(root, max_nodes):  # type: ignore[arg-type]
            expanded, _ = load_module._expanded_size(root)  # type: ignore[arg-type]  # raises _TooLarge when too deep or recursive
            assert expanded <= max_nodes


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_integers_up_to_pythons_conversion_limit_load_and_longer_ones_are_reported(fmt: str) -> None:
    """Python converts decimal integers of up to sys.get_int_max_str_digits() digits (a bound
    against quadratic conversion times); a longer one was an internal error."""
    limit = sys.get_int_max_str_digits()
    for sign in ("", "-"):
        at_limit = sign + "7" * limit
        root, sink = load(f"k: {at_limit}\n" if fmt == "yaml" else f'{{"k": {at_limit}}}', fmt=fmt)
        assert not sink.items and root is not None and root.get("k").value == int(at_limit)  # type: ignore[union-attr]
        over = sign + "7" * (limit + 1)
        root, sink = load(f"k: {over}\n" if fmt == "yaml" else f'{{"k": {over}}}', fmt=fmt)
        [d] = sink.items
        assert d.code == "load.number-too-long" and d.span is not None and d.span.line == 1
        assert f"{limit + 1} digits" in d.message
        assert root is not None and root.get("k").value == over  # type: ignore[union-attr]  # a string, as quoted
