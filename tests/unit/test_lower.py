"""Lowering: spellings normalized, structure checked."""

from __future__ import annotations

from pathlib import Path

from util import codes, compile_text, only

from tinkc.ir import nodes as ir

FUTURES_FLAT = """\
features:
  f:
    type: promise_result
    retrieve_endpoint: futures.retrieve
    try_again_field: type
    try_again_value: try_again
    error_field: error
    category_field: category
    queue_state_field: queue_state
    queue_state_reason_field: queue_state_reason
"""
FUTURES_NESTED = """\
features:
  f:
    type: promise_result
    retrieve_endpoint: futures.retrieve
    error_field: error
    error_category_field: category
    try_again:
      field: type
      value: try_again
    queue_state:
      field: queue_state
      reason_field: queue_state_reason
"""


def test_both_promise_result_spellings_lower_to_the_same_node(tmp_path: Path) -> None:
    flat = compile_text(tmp_path, FUTURES_FLAT, name="flat.yaml", stop_after="references")
    nested = compile_text(tmp_path, FUTURES_NESTED, name="nested.yaml", stop_after="references")
    assert flat.api is not None and nested.api is not None
    a, b = flat.api.features["f"], nested.api.features["f"]
    assert isinstance(a.params, ir.PromiseResult)
    assert a == b
    assert a.params.try_again_field == "type" and a.params.queue_state_reason_field == "queue_state_reason"


def test_conflicting_spellings_are_reported(tmp_path: Path) -> None:
    r = compile_text(tmp_path, FUTURES_NESTED.replace("    error_field: error\n", "    error_field: error\n    try_again_field: kind\n"))
    d = only(r, "feature.conflicting-params")
    assert "try_again_field" in d.message and "try_again.field" in d.message


def test_field_forms_and_optionality(tmp_path: Path) -> None:
    r = compile_text(
        tmp_path,
        """\
        types:
          T:
            export: true
            fields:
              tags: [string]
              nested: [[int]]
              maybe: string?
              long_maybe: {type: string?, doc: also optional}
              must: {type: string, nullable: true}
              absent: {type: string?, optional: true}
              dflt: {type: int, default: 3}
              wire: {type: string, json_name: wireName}
              lit: {type: '"fixed"', default: fixed}
        """,
    )
    assert not r.sink.items, codes(r)
    assert r.api is not None
    rec = r.api.types["T"]
    assert isinstance(rec, ir.Record)
    f = {x.name: x for x in rec.fields}
    assert f["tags"].type == ir.ListT(item=ir.Prim(name="string")) and f["tags"].required
    assert f["nested"].type == ir.ListT(item=ir.ListT(item=ir.Prim(name="int")))
    # `T?` is optional and nullable, in the short and the long form
    assert not f["maybe"].required and isinstance(f["maybe"].type, ir.Nullable) and not f["maybe"].has_default
    assert not f["long_maybe"].required and isinstance(f["long_maybe"].type, ir.Nullable)
    # the long form's `nullable: true`: required, but may be null
    assert f["must"].required and f["must"].type == ir.Nullable(inner=ir.Prim(name="string"))
    assert not f["absent"].required and not f["absent"].has_default
    assert not f["dflt"].required and f["dflt"].has_default and f["dflt"].default == 3
    assert f["wire"].json_name == "wireName"
    assert f["lit"].type == ir.Lit(value="fixed")


def test_spans_are_kept_out_of_equality(tmp_path: Path) -> None:
    a = compile_text(tmp_path, "types:\n  T: {export: true, fields: {x: int}}\n", name="a.yaml")
    b = compile_text(tmp_path, "\n\ntypes:\n  T:\n    export: true\n    fields:\n      x: int\n", name="b.yaml")
    assert a.api is not None and b.api is not None
    assert a.api.types == b.api.types
    assert a.api.types["T"].span != b.api.types["T"].span


def test_unknown_keys_get_did_you_mean(tmp_path: Path) -> None:
    r = compile_text(tmp_path, "endpoint:\n  a.b: {method: GET, path: /x}\n")
    d = only(r, "manifest.unknown-key")
    assert d.hint == "did you mean `endpoints`?" and d.span is not None and d.span.line == 6


def test_misplaced_feature_parameter(tmp_path: Path) -> None:
    r = compile_text(
        tmp_path,
        """\
        features:
          r:
            type: retry_policy
            base_ms: 100
        """,
    )
    d = only(r, "manifest.unknown-key")
    assert "`base_ms`" in d.message and d.span is not None and d.span.line == 9


def test_status_list_ranges(tmp_path: Path) -> None:
    r = compile_text(tmp_path, "features:\n  r:\n    type: retry_policy\n    retry_on: {status: [408, 500-599, 5xx]}\n")
    d = only(r, "feature.bad-status")
    assert "5xx" in d.message and d.span is not None and (d.span.line, d.span.col) == (9, 40)  # at the `x` of `5xx`


def test_yes_is_not_a_boolean(tmp_path: Path) -> None:
    r = compile_text(tmp_path, "types:\n  T: {export: yes, fields: {x: int}}\n")
    d = only(r, "manifest.expected-boolean")
    assert "true" in (d.hint or "")


def test_version_must_be_quoted(tmp_path: Path) -> None:
    r = compile_text(tmp_path, "schema_version: 1\nservice: {name: x, version: 1.10}\n", header=False)
    d = only(r, "manifest.expected-string")
    assert '"1.1"' in (d.hint or "")


def test_state_long_form_needs_a_type(tmp_path: Path) -> None:
    r = compile_text(tmp_path, "clients:\n  c:\n    state:\n      seq: {counter: true}\n")
    d = only(r, "type.syntax")
    assert "state `seq`" in d.message and d.span is not None and d.span.line == 9


def test_nullable_on_a_nullable_type_is_an_error(tmp_path: Path) -> None:
    r = compile_text(tmp_path, "types:\n  T: {export: true, fields: {x: {type: string?, nullable: true}}}\n")
    d = only(r, "type.nullable-twice")
    assert d.span is not None and d.span.line == 7 and d.hint is not None and "{type: string, nullable: true}" in d.hint


def test_an_optional_field_may_be_left_out_of_a_flow_call_and_a_record_literal(tmp_path: Path) -> None:
    r = compile_text(
        tmp_path,
        """\
        service: {name: s, base_url: {default: "http://x"}}
        clients:
          c:
            methods: {run: {flow: run}}
        endpoints:
          things.make:
            method: POST
            path: /make
            request: Make
        flows:
          run:
            client: c
            inputs: {name: string}
            steps:
              - call: things.make
                args: {name: ${input.name}, config: {rank: 8}}
        types:
          Make:
            fields: {name: string, note: string?, config: Config?}
          Config:
            fields: {rank: int, seed: int?}
        """,
    )
    assert not [d for d in r.sink.items if d.severity == "error"], codes(r)


def test_the_path_character_search_is_the_character_loop() -> None:
    # `path` finds the first character a path may not hold with one regex search; the reference is
    # the loop it replaced. A search reports the first character its class matches, so the class
    # and the loop's test must agree on every code point.
    from tinkc.frontend.lower import _PATH_BAD_CHARACTER

    def refused(ch: str) -> bool:  # the loop's test
        return ch in "?#" or ch.isspace() or ord(ch) < 0x20 or ord(ch) == 0x7F

    every = "".join(map(chr, range(0x110000)))
    assert [m.start() for m in _PATH_BAD_CHARACTER.finditer(every)] == [i for i, ch in enumerate(every) if refused(ch)]


def test_path_problems_are_reported_as_before(tmp_path: Path) -> None:
    # Only a path the fast reader does not take is scanned for its problem; each kind still says it.
    cases = {
        "/a/{x": "never closed",
        "/a/x}": "closes nothing",
        "/a/{{x}}": "inside a parameter",
        "/a/{}": "an empty parameter name",
        "/a/{1x}": "not an identifier",
        "/a/{+-x}": "not an identifier",
        "/a/b c": "contains ` `",
        "/a?b=1": "contains `?`",
    }
    for path, said in cases.items():
        text = f"endpoints:\n  g.e: {{method: GET, path: '{path}'}}\n"
        r = compile_text(tmp_path, text, stop_after="references")
        messages = [d.message for d in r.sink.items if d.code == "path.syntax"]
        assert len(messages) == 1 and said in messages[0], (path, messages)
