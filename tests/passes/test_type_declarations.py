from pathlib import Path

from passcase import run_case
from util import codes

from tinkc.ir import nodes as ir


def test_union_tags_are_filled_from_literal_fields(tmp_path: Path) -> None:
    r = run_case(
        tmp_path,
        "type-declarations",
        "union_tags",
        """\
        types:
          Chunk: {union: [Text, Image, {type: Audio, tag: audio}], discriminator: type, export: true}
          Text: {fields: {type: {type: '"text"', default: text}, text: string}}
          Image: {fields: {type: '"image"', data: bytes}}
          Audio: {fields: {samples: "[float]"}}
        """,
        ("types",),
    )
    assert not r.sink.items
    assert r.api is not None
    union = r.api.types["Chunk"]
    assert isinstance(union, ir.Union_)
    assert [(v.type, v.tag) for v in union.variants] == [("Text", "text"), ("Image", "image"), ("Audio", "audio")]


def test_bad_declarations(tmp_path: Path) -> None:
    r = run_case(
        tmp_path,
        "type-declarations",
        "bad",
        """\
        types:
          A: {alias: B, export: true}
          B: {alias: A}
          U: {union: [X, Y, Z], discriminator: kind, export: true}
          X: {fields: {kind: '"x"'}}
          Y: {fields: {kind: '"x"'}}
          Z: {fields: {kind: string}}
          D: {export: true, fields: {n: {type: int, default: "3"}, s: {type: Size, default: huge}}}
          Size: {enum: [small, large]}
        """,
        ("types",),
    )
    assert codes(r) == ["type.alias-cycle", "type.duplicate-tag", "type.missing-discriminator", "type.bad-default", "type.bad-default"]


def test_untagged_union_members_with_the_same_fields_are_reported(tmp_path: Path) -> None:
    from util import compile_text, only

    r = compile_text(
        tmp_path,
        """\
        types:
          Answer: {export: true, alias: Loaded | Saved | Pending}
          Loaded: {fields: {path: string?}}
          Saved: {fields: {path: string?}}
          Pending: {fields: {type: {type: '"try_again"', default: try_again}, path: string?}}
        """,
    )
    d = only(r, "type.indistinguishable-members")
    assert "`Loaded` and `Saved`" in d.message and d.span is not None and d.hint is not None
    assert not r.sink.has_errors
