"""Type helpers, derived fields and client aliases in the SDK plan (ir/helpers.py decides what they
mean once; the conformance scenarios type_helpers, derived_field_from_parse and client_alias hold
the three SDKs to it), and checks a broken-manifest case does not cover."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from tinkc.ir import nodes as ir
from tinkc.ir.helpers import ECall, ECompare, EFunc, EKey, ELit, EPath, HelperArg, PathStep, PushMerge
from tinkc.pipeline import bundled_manifest, compile_manifest
from tinkc.sdk import plan_of


@pytest.fixture(scope="module")
def plan():  # type: ignore[no-untyped-def]
    result = compile_manifest(bundled_manifest())
    assert result.api is not None and not result.sink.has_errors
    return plan_of(result.api)


def test_the_bundled_helpers_are_planned(plan) -> None:  # type: ignore[no-untyped-def]
    empty, from_ints, to_ints, _append, _append_int, _length = plan.helpers["ModelInput"]
    assert empty.kind == "new" and empty.params == () and empty.template == {"chunks": []}
    assert from_ints.kind == "new" and [p.name for p in from_ints.params] == ["tokens"]
    assert from_ints.template == {
        "chunks": [{"type": "encoded_text", "tokens": HelperArg(name="tokens", type=ir.ListT(item=ir.Prim(name="int")))}]
    }
    assert to_ints.kind == "get" and to_ints.result == ir.ListT(item=ir.Prim(name="int"))
    # a field only one variant of the union has: the others are an invalid-argument error
    assert to_ints.path[2] == PathStep(field="tokens", variants=("EncodedTextChunk",), discriminator="type", tags=("encoded_text",))
    (names,) = plan.helpers["GetServerCapabilitiesResponse"]
    assert names.result == ir.ListT(item=ir.Nullable(inner=ir.Prim(name="string")))  # an absent name is null
    new, _ = plan.helpers["ImageChunk"]
    assert [(p.name, p.optional) for p in new.params] == [("data", False), ("format", False), ("expected_tokens", True)]


def test_helper_expressions_are_typed_once(plan) -> None:  # type: ignore[no-untyped-def]
    """What each SDK's `evaluate` runs and the result type its signature declares, from the plan."""
    helpers = {(h.record, h.name): h for hs in plan.helpers.values() for h in hs}
    length = helpers["ModelInput", "length"]
    assert length.kind == "expr" and length.result == ir.Prim(name="int")
    assert isinstance(length.expr, EFunc) and length.expr.name == "sum"
    call = length.expr.arg
    assert isinstance(call, ECall) and call.many and call.name == "length"
    # each variant with a `length` helper, its own expression; DmelChunk has none (an invalid-argument error)
    assert [(c.record, c.tag) for c in call.cases] == [
        ("EncodedTextChunk", "encoded_text"),
        ("ImageAssetPointerChunk", "image_asset_pointer"),
        ("ImageChunk", "image"),
    ]
    assert call.cases[0].expr == EFunc(name="len", arg=EPath(steps=(PathStep(field="tokens"),)))
    assert call.cases[2].expr == EFunc(name="required", arg=EPath(steps=(PathStep(field="expected_tokens"),)))
    loss = helpers["ForwardBackwardOutput", "loss"]
    assert loss.expr == EKey(of=EPath(steps=(PathStep(field="metrics"),)), key="loss")
    assert loss.result == ir.Nullable(inner=ir.Prim(name="float"))  # a key the map lacks is null
    success = helpers["OptimStepResponse", "success?"]
    assert success.expr == ELit(value=True) and success.predicate and success.result == ir.Prim(name="bool")
    retryable = helpers["RequestErrorCategory", "retryable?"]  # a helper on an enum
    assert retryable.expr == ECompare(op="!=", left=EPath(steps=()), values=("user",), type=ir.Ref(name="RequestErrorCategory"))
    to_list = helpers["TelemetryBatch", "to_list"]
    assert isinstance(to_list.expr, EFunc) and to_list.expr.name == "json"
    assert to_list.result == ir.Nullable(inner=ir.ListT(item=ir.MapT(value=ir.Prim(name="any"))))


def test_push_helpers_and_parameter_defaults_are_planned(plan) -> None:  # type: ignore[no-untyped-def]
    helpers = {(h.record, h.name): h for hs in plan.helpers.values() for h in hs}
    append_int = helpers["ModelInput", "append_int"]
    assert append_int.kind == "push" and append_int.push_field == "chunks"
    assert append_int.merge == PushMerge(field="tokens", discriminator="type", tag="encoded_text")
    assert append_int.template == {"type": "encoded_text", "tokens": [HelperArg(name="token", type=ir.Prim(name="int"))]}
    assert helpers["ModelInput", "append"].merge is None
    load = helpers["LoadWeightsRequest", "new"]
    assert [(p.name, p.optional, p.has_default, p.default) for p in load.params] == [
        ("model_id", False, False, None),
        ("path", False, False, None),
        ("seq_id", True, False, None),
        ("optimizer", True, True, False),
    ]


def test_predicates_and_positional_new_are_checked(tmp_path: Path) -> None:
    errors = check(
        tmp_path,
        """
        Req:
          export: true
          fields:
            id: string
            tags: {type: "[string]", default: []}
            meta: {type: "map[string,string]", default: {}}
          helpers:
            new:
              params: {meta: "map[string,string]"}
              new: {id: x, meta: "${input.meta}"}
            tagged?: {get: "len(${self.tags})"}
            build?:
              params: {id: string, other: string}
              new: {id: "${input.id}", tags: ["${input.other}"]}
        """,
    )
    assert any("helper `Req.new` with 1 required parameter(s) would clash" in m for _, m in errors)
    assert any("helper `Req.tagged?` answers `int`" in m for _, m in errors)
    assert any("helper `Req.build?` builds a record" in m for _, m in errors)


def test_derived_fields_and_aliases_are_planned(plan) -> None:  # type: ignore[no-untyped-def]
    (derived,) = plan.derived["Checkpoint"]
    assert (derived.field, derived.source, derived.var) == ("training_run_id", "tinker_path", "training_run_id")
    assert derived.template == "tinker://{training_run_id}/{+checkpoint_id}"
    (alias,) = plan.clients["sampling"].aliases
    assert (alias.name, alias.client, alias.method) == ("create", "service", "create_sampling_client")


def check(tmp_path: Path, types: str) -> list[tuple[str, str]]:
    path = tmp_path / "m.yaml"
    path.write_text("schema_version: 1\nservice: {name: demo}\ntypes:\n" + textwrap.indent(textwrap.dedent(types), "  "))
    result = compile_manifest(path)
    return [(d.code, d.message) for d in result.sink.items if d.severity.value == "error"]


def test_template_wire_names_and_type_checks(tmp_path: Path) -> None:
    errors = check(
        tmp_path,
        """
        Adam:
          export: true
          fields:
            lr: {type: float, json_name: learning_rate}
            note: string
          helpers:
            make:
              params: {lr: float, spare: int, note: "string?"}
              new: {lr: "${input.lr}", note: "${input.note}"}
            bad:
              params: {lr: string, other: string}
              new: {lr: "${input.lr}", note: "${input.other}"}
        """,
    )
    assert ("type.bad-helper", "parameter `spare` of helper `Adam.make` is not used by `new`") in errors
    assert any("parameter `note` may be left out, but the field is required" in m for _, m in errors)
    assert any("parameter `lr` is `string`, the field `float`" in m for _, m in errors)


def test_a_template_uses_wire_names(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(
        textwrap.dedent(
            """
            schema_version: 1
            service: {name: demo}
            types:
              Adam:
                export: true
                fields:
                  lr: {type: float, json_name: learning_rate}
                  beta: float
                helpers:
                  make:
                    params: {lr: float, beta: float}
                    new: {lr: "${input.lr}", beta: "${input.beta}"}
            """
        )
    )
    result = compile_manifest(path)
    assert result.api is not None and not result.sink.has_errors
    (make,) = plan_of(result.api).helpers["Adam"]
    assert list(make.template) == ["learning_rate", "beta"]
