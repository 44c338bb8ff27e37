"""Type helpers, derived fields and client aliases in the SDK plan (ir/helpers.py decides what they
mean once; the conformance scenarios type_helpers, derived_field_from_parse and client_alias hold
the three SDKs to it), and checks a broken-manifest case does not cover."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from tinkc.ir import nodes as ir
from tinkc.ir.helpers import HelperArg, PathStep
from tinkc.pipeline import bundled_manifest, compile_manifest
from tinkc.sdk import plan_of


@pytest.fixture(scope="module")
def plan():  # type: ignore[no-untyped-def]
    result = compile_manifest(bundled_manifest())
    assert result.api is not None and not result.sink.has_errors
    return plan_of(result.api)


def test_the_bundled_helpers_are_planned(plan) -> None:  # type: ignore[no-untyped-def]
    empty, from_ints, to_ints = plan.helpers["ModelInput"]
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
    (new,) = plan.helpers["ImageChunk"]
    assert [(p.name, p.optional) for p in new.params] == [("data", False), ("format", False), ("expected_tokens", True)]


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
