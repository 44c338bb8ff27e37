"""Type namespaces (`namespace:`), tag accessors (`tag_accessor:`) and typespec modules
(`targets.elixir.typespecs`): what the lowering and the SDK plan decide, and how each backend places
them (the conformance scenario tag_accessors runs the accessor in the three SDKs; the broken
manifests namespace_and_tag_accessor_bad and typespecs_bad hold the diagnostics)."""

from __future__ import annotations

from pathlib import Path

import pytest
from util import compile_text, errors

from tinkc.backends.elixir.symbols import Layout, typespec_name
from tinkc.backends.registry import available
from tinkc.ir import nodes as ir
from tinkc.sdk.plan import tag_accessor_of, type_namespaces, typespecs_of

MANIFEST = """
targets:
  elixir: {typespecs: {Aliases: [Event, Scores]}}
types:
  Kind:
    namespace: audit
    export: true
    enum: [created, deleted]
  Created:
    namespace: audit
    fields:
      kind: {type: '"created"', default: created, json_name: event_kind}
      id: string
  Deleted:
    namespace: audit
    fields:
      kind: {type: '"deleted"', default: deleted, json_name: event_kind}
  Event:
    namespace: audit
    export: true
    union: [Created, Deleted]
    discriminator: kind
    tag_accessor: kind_of
  Scores:
    export: true
    alias: "map[string,float]"
  Plain:
    export: true
    fields:
      name: string
"""


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> ir.Api:
    result = compile_text(tmp_path_factory.mktemp("ns"), MANIFEST)
    assert result.api is not None and not errors(result), [d.message for d in result.sink.items]
    return result.api


def test_the_lowering_keeps_namespace_and_accessor(api: ir.Api) -> None:
    assert {t.id: t.namespace for t in api.types.values()} == {
        "Kind": "audit",
        "Created": "audit",
        "Deleted": "audit",
        "Event": "audit",
        "Scores": None,
        "Plain": None,
    }
    event = api.types["Event"]
    assert isinstance(event, ir.Union_) and event.tag_accessor == "kind_of"


def test_the_plan_lists_namespaces_and_accessors(api: ir.Api) -> None:
    assert type_namespaces(api) == {"audit": ("Created", "Deleted", "Event", "Kind")}
    event = api.types["Event"]
    assert isinstance(event, ir.Union_)
    accessor = tag_accessor_of(api, event)
    assert accessor is not None
    # the tag is answered by the wire name's value: the field's json_name, not the manifest name
    assert (accessor.name, accessor.field, accessor.wire) == ("kind_of", "kind", "event_kind")
    assert accessor.tags == (("Created", "created"), ("Deleted", "deleted"))
    (spec,) = typespecs_of(api, "elixir")
    assert (spec.module, spec.types) == ("Aliases", ("Event", "Scores"))


def test_elixir_moves_a_namespace_one_module_down(api: ir.Api) -> None:
    layout = Layout.of(api, {})
    assert layout.type_module("Event") == "Demo.Types.Audit.Event"
    assert layout.path(layout.type_module("Event")) == "lib/demo/types/audit/event.ex"
    assert layout.type_module("Plain") == "Demo.Types.Plain"
    assert typespec_name("LossFnInputs") == "loss_fn_inputs"
    assert typespec_name("Map") == "map_"  # a built-in type cannot be redefined


def emitted(api: ir.Api, target: str) -> dict[str, str]:
    backend = available()[target].load()()
    return {f.path: f.content for f in backend.emit(api, ir.thaw(api.targets.get(target)) or {})}


def test_each_sdk_renders_namespaces_accessors_and_typespecs(api: ir.Api) -> None:
    ex = emitted(api, "elixir")
    event = ex["lib/demo/types/audit/event.ex"]
    assert "defmodule Demo.Types.Audit.Event do" in event
    assert 'def kind_of(%Created{}), do: "created"' in event
    assert 'def kind_of(%{"event_kind" => tag}) when is_binary(tag), do: tag' in event
    assert "def to_map(value), do: to_json(value)" in event and "def from_map(map), do: from_json(map)" in event
    assert "def to_map(struct), do: to_json(struct)" in ex["lib/demo/types/plain.ex"]
    assert "lib/demo/types/event.ex" not in ex  # no flat module beside the namespaced one
    aliases = ex["lib/demo/types/aliases.ex"]
    assert "@type event :: Event.t()" in aliases and "@type scores :: Scores.t()" in aliases
    assert "alias Demo.Types.Audit.Event" in aliases

    py = emitted(api, "python")
    types = py["src/demo_sdk/types.py"] if "src/demo_sdk/types.py" in py else next(v for k, v in py.items() if k.endswith("/types.py"))
    assert "def event_kind_of(value: Event) -> str:\n" in types and "    return value.kind\n" in types
    (ns_path,) = [k for k in py if k.endswith("/types_audit.py")]
    ns = py[ns_path]
    for name in ("Created", "Deleted", "Event", "Kind", "UnknownEvent", "event_kind_of"):
        assert f'    "{name}",' in ns
    assert "Plain" not in ns

    ts = emitted(api, "typescript")
    assert "export function eventKindOf(value: Event): string {\n  return value.kind;\n}" in ts["src/types.ts"]
    assert 'export * as audit from "./types_audit.js";' in ts["src/index.ts"]
    audit = ts["src/types_audit.ts"]
    assert "type UnknownEvent," in audit and "eventKindOf," in audit and 'from "./types.js";' in audit


def test_the_openapi_schemas_stay_flat(api: ir.Api) -> None:
    files = emitted(api, "openapi")
    text = next(v for k, v in files.items() if k.endswith((".json", ".yaml")))
    assert "Event" in text and "Audit" not in text


def test_the_same_name_in_two_namespaces_is_a_duplicate(tmp_path: Path) -> None:
    """Type names stay one set: a namespace is where a type is generated, not part of its name."""
    result = compile_text(
        tmp_path,
        """
        types:
          A: {namespace: one, export: true, fields: {x: int}}
          A: {namespace: two, export: true, fields: {y: int}}
        """,
    )
    assert errors(result), "the second `A` must be an error"
