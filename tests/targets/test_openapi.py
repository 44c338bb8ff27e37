"""The `openapi` backend: every fixture and the bundled Tinker manifest become an OpenAPI 3.1 document
that openapi-spec-validator accepts, and the document says what the IR says. Every expectation is
computed from the fixture's IR, never listed by hand, so a new fixture is covered as it is added."""

from __future__ import annotations

import copy
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import attrs
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from openapi_schema_validator import OAS31Validator
from openapi_spec_validator import OpenAPIV31SpecValidator, validate
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

from targets.fixtures import fixture_api, fixture_paths
from tinkc.backends.openapi import OpenApiBackend
from tinkc.backends.openapi.paths import RouteConflict
from tinkc.cli import main
from tinkc.ir import nodes as ir
from tinkc.ir.types import base_type
from tinkc.pipeline import bundled_manifest, compile_manifest

FIXTURES = sorted(fixture_paths())
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


@cache
def emitted(fixture: str) -> dict[str, str]:
    return {f.path: f.content for f in OpenApiBackend().emit(fixture_api(fixture), {})}


def document(fixture: str) -> dict[str, Any]:
    return json.loads(emitted(fixture)["openapi.json"])


def operations(doc: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """(path key, method, operation) for every operation of the document."""
    return [(path, method, item[method]) for path, item in doc["paths"].items() for method in HTTP_METHODS if method in item]


def operation_by_id(doc: dict[str, Any]) -> dict[str, tuple[str, str, dict[str, Any]]]:
    return {op["operationId"]: (path, method, op) for path, method, op in operations(doc)}


def skeleton(path_key: str) -> str:
    return re.sub(r"\{[^}]*\}", "{}", path_key)


def params(op: dict[str, Any], where: str) -> list[dict[str, Any]]:
    return [p for p in op.get("parameters", []) if p["in"] == where]


def compile_text(tmp_path: Path, text: str) -> ir.Api:
    manifest = tmp_path / "manifest.yaml"
    manifest.write_text(text, encoding="utf-8")
    result = compile_manifest(manifest)
    assert not result.sink.has_errors, [(d.code, d.message) for d in result.sink.items]
    assert result.api is not None
    return result.api


# ---------------------------------------------------------------------------------------------
# The document is valid OpenAPI 3.1, in both files


@pytest.mark.parametrize("fixture", FIXTURES)
def test_document_validates_as_openapi_3_1(fixture: str) -> None:
    doc = document(fixture)
    assert doc["openapi"] == "3.1.0"
    validate(doc, cls=OpenAPIV31SpecValidator)


@pytest.mark.parametrize("fixture", FIXTURES)
def test_yaml_and_json_hold_the_same_document(fixture: str) -> None:
    files = emitted(fixture)
    assert sorted(files) == ["openapi.json", "openapi.yaml"]
    assert yaml.safe_load(files["openapi.yaml"]) == json.loads(files["openapi.json"])


def test_the_validator_rejects_a_broken_document() -> None:
    """The check above is not vacuous: an operation whose path variable has no parameter fails."""
    doc = copy.deepcopy(document("minimal"))
    path, method, op = next((p, m, o) for p, m, o in operations(doc) if params(o, "path"))
    doc["paths"][path][method]["parameters"] = [p for p in op["parameters"] if p["in"] != "path"]
    with pytest.raises(OpenAPIValidationError):
        validate(doc, cls=OpenAPIV31SpecValidator)


@pytest.mark.parametrize("fixture", FIXTURES)
def test_every_reference_resolves(fixture: str) -> None:
    doc = document(fixture)

    def resolve(pointer: str) -> None:
        assert pointer.startswith("#/"), pointer
        node: Any = doc
        for token in pointer[2:].split("/"):
            token = token.replace("~1", "/").replace("~0", "~")
            assert isinstance(node, dict) and token in node, f"unresolved {pointer}"
            node = node[token]

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("$ref"), str):
                resolve(node["$ref"])
            if isinstance(node.get("discriminator"), dict):
                for target in node["discriminator"].get("mapping", {}).values():
                    resolve(target)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(doc)


# ---------------------------------------------------------------------------------------------
# Endpoints


@pytest.mark.parametrize("fixture", FIXTURES)
def test_every_endpoint_is_exactly_one_operation_with_its_method_and_path(fixture: str) -> None:
    api, doc = fixture_api(fixture), document(fixture)
    ids = [op["operationId"] for _, _, op in operations(doc)]
    assert sorted(ids) == sorted(api.endpoints), "one operation per endpoint, none twice"
    by_id = operation_by_id(doc)
    for endpoint in api.endpoints.values():
        path, method, op = by_id[endpoint.id]
        assert method == endpoint.method.lower()
        ir_skeleton = "".join(
            ir.encode_path_literal(part.text) if isinstance(part, ir.PathLiteral) else "{}" for part in endpoint.path.parts
        )
        assert skeleton(path) == ir_skeleton
        path_params = params(op, "path")
        assert [p["name"] for p in path_params] == re.findall(r"\{([^}]*)\}", path), "parameters match the template"
        assert [p.get("x-tinkc-name", p["name"]) for p in path_params] == [p.name for p in endpoint.path_params]
        assert [p.get("x-tinkc-raw", False) for p in path_params] == [p.raw for p in endpoint.path_params]
        assert [(p["name"], p["required"]) for p in params(op, "query")] == [(q.wire_name or q.name, q.required) for q in endpoint.query]
        headers = {p["name"].lower(): p["schema"]["const"] for p in params(op, "header") if "const" in p["schema"]}
        headers.update({name.lower(): value for name, value in op.get("x-tinkc-headers", {}).items()})  # those OpenAPI ignores
        for header in api.request_headers(endpoint):
            assert headers[header.name.lower()] == header.value
        assert ("requestBody" in op) == (endpoint.request is not None)
        assert op.get("deprecated", False) == endpoint.deprecated
        assert op.get("description") == endpoint.doc
        if endpoint.response_handler == "redirect_location":
            assert "Location" in op["responses"]["3XX"]["headers"]
        else:
            assert ("content" in op["responses"]["200"]) == (endpoint.response is not None)


@pytest.mark.parametrize("fixture", FIXTURES)
def test_operation_ids_are_unique_identifiers(fixture: str) -> None:
    ids = [op["operationId"] for _, _, op in operations(document(fixture))]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*", i) for i in ids), ids


def test_two_endpoints_on_one_method_and_path_are_refused(tmp_path: Path) -> None:
    """The `paths` validation pass reports them (endpoint.duplicate-route), so no backend is given
    such an IR; should one be, the OpenAPI backend still refuses to merge them silently."""
    text = """
schema_version: 1
service: {name: clash, base_url: {default: "http://localhost:1"}}
endpoints:
  things.get: {method: GET, path: "/things/{id}"}
  things.fetch: {method: GET, path: "/things/{key}"}
"""
    manifest = tmp_path / "manifest.yaml"
    manifest.write_text(text, encoding="utf-8")
    result = compile_manifest(manifest, optimize=False)
    assert [d.code for d in result.sink.items if d.severity.value == "error"] == ["endpoint.duplicate-route"]
    assert result.api is not None
    with pytest.raises(RouteConflict, match=r"`things\.fetch` and `things\.get` are both GET"):
        OpenApiBackend().emit(result.api, {})


def test_paths_differing_only_in_variable_names_share_one_template(tmp_path: Path) -> None:
    api = compile_text(
        tmp_path,
        """
schema_version: 1
service: {name: names, base_url: {default: "http://localhost:1"}}
endpoints:
  things.get: {method: GET, path: "/things/{id}"}
  things.remove: {method: DELETE, path: "/things/{key}"}
""",
    )
    doc = json.loads(OpenApiBackend().emit(api, {})[0].content)
    validate(doc, cls=OpenAPIV31SpecValidator)
    assert list(doc["paths"]) == ["/things/{id}"]
    [removed] = params(doc["paths"]["/things/{id}"]["delete"], "path")
    assert (removed["name"], removed["x-tinkc-name"]) == ("id", "key")


# ---------------------------------------------------------------------------------------------
# Types


@pytest.mark.parametrize("fixture", FIXTURES)
def test_every_type_is_a_component_of_its_kind(fixture: str) -> None:
    api, schemas = fixture_api(fixture), document(fixture)["components"]["schemas"]
    assert list(schemas) == list(api.types)
    for decl in api.types.values():
        schema = schemas[decl.id]
        assert schema.get("description") == decl.doc
        assert schema.get("deprecated", False) == decl.deprecated
        if isinstance(decl, ir.Record):
            assert list(schema.get("properties", {})) == [f.json_name for f in decl.fields]
            assert schema.get("required", []) == [f.json_name for f in decl.fields if f.required]
            for f in decl.fields:
                prop = schema["properties"][f.json_name]
                assert prop.get("deprecated", False) == f.deprecated
                assert ("default" in prop) == f.has_default
                if f.has_default:
                    assert prop["default"] == ir.thaw(f.default)
        elif isinstance(decl, ir.Enum):
            assert schema["enum"] == [v.value for v in decl.values]
        elif isinstance(decl, ir.Union_) and decl.discriminator is not None:
            refs = ["#/components/schemas/" + v.type for v in decl.variants]
            assert [m["$ref"] for m in schema["oneOf"]] == refs
            assert schema["discriminator"]["propertyName"] == decl.discriminator
            assert schema["discriminator"]["mapping"] == {v.tag: "#/components/schemas/" + v.type for v in decl.variants}
            assert len(schema["discriminator"]["mapping"]) == len(decl.variants), "a tag for every variant"
        elif isinstance(decl, ir.Union_):
            assert [m["$ref"] for m in schema["anyOf"]] == ["#/components/schemas/" + v.type for v in decl.variants]


@pytest.mark.parametrize("fixture", FIXTURES)
def test_field_schemas_admit_null_exactly_when_the_type_is_nullable(fixture: str) -> None:
    """Validated as JSON Schema (OpenAPI 3.1's dialect) with the document's components in reach."""
    api, components = fixture_api(fixture), document(fixture)["components"]
    for decl in api.types.values():
        if not isinstance(decl, ir.Record):
            continue
        for f in decl.fields:
            prop = components["schemas"][decl.id]["properties"][f.json_name]
            base, nullable = base_type(api, f.type)
            admits_null = nullable or isinstance(base, ir.Prim) and base.name == "any"
            accepted = OAS31Validator({**prop, "components": components}).is_valid(None)
            assert accepted == admits_null, f"{decl.id}.{f.name}: {prop}"


SAMPLE_PRIMITIVES: dict[str, Any] = {
    "string": "s",
    "int": 1,
    "float": 1.5,
    "bool": True,
    "bytes": "AA==",
    "any": None,
    "datetime": "2024-01-01T00:00:00Z",
    "date": "2024-01-01",
}


def sample(api: ir.Api, t: ir.TypeRef, depth: int = 0) -> Any:
    """A smallest value of a type, from the IR alone: required fields only, empty lists and maps,
    the first enum value, the first variant of a union."""
    assert depth < 40, "no finite value"
    t, nullable = base_type(api, t)
    if nullable:
        return None
    if isinstance(t, ir.Prim):
        return SAMPLE_PRIMITIVES[t.name]
    if isinstance(t, ir.Lit):
        return t.value
    if isinstance(t, ir.ListT):
        return []
    if isinstance(t, ir.MapT):
        return {}
    if isinstance(t, ir.UnionT):
        return sample(api, t.members[0], depth + 1)
    assert isinstance(t, ir.Ref), t
    decl = api.types[t.name]
    if isinstance(decl, ir.Enum):
        return decl.values[0].value
    if isinstance(decl, ir.Union_):
        return sample_variant(api, decl, decl.variants[0], depth + 1)
    assert isinstance(decl, ir.Record)
    return {f.json_name: sample(api, f.type, depth + 1) for f in decl.fields if f.required}


def sample_variant(api: ir.Api, union: ir.Union_, variant: ir.Variant, depth: int = 0) -> dict[str, Any]:
    value = sample(api, ir.Ref(name=variant.type), depth + 1)
    if union.discriminator is not None:
        record = api.types[variant.type]
        assert isinstance(record, ir.Record)
        tag_field = record.field(union.discriminator)
        value[tag_field.json_name if tag_field else union.discriminator] = variant.tag
    return value


@pytest.mark.parametrize("fixture", FIXTURES)
def test_tagged_union_values_validate_by_their_tag(fixture: str) -> None:
    """Validated as JSON Schema: a smallest value of each variant, with its tag, is a valid value of
    the union; with a tag no variant has, it is not."""
    api, components = fixture_api(fixture), document(fixture)["components"]
    for union in api.types.values():
        if not isinstance(union, ir.Union_) or union.discriminator is None:
            continue
        validator = OAS31Validator({"$ref": "#/components/schemas/" + union.id, "components": components})
        for variant in union.variants:
            value = sample_variant(api, union, variant)
            assert validator.is_valid(value), (union.id, value, [e.message for e in validator.iter_errors(value)])
            assert not validator.is_valid({**value, union.discriminator: "no-such-tag"}), (union.id, value)


# ---------------------------------------------------------------------------------------------
# Features, service, clients, flows


@pytest.mark.parametrize("fixture", FIXTURES)
def test_every_feature_is_defined_with_all_its_parameters(fixture: str) -> None:
    api, doc = fixture_api(fixture), document(fixture)
    defined = doc["components"].get("x-tinkc-features", {})
    assert list(defined) == list(api.features)
    for feature in api.features.values():
        assert defined[feature.id]["kind"] == feature.kind
        assert list(defined[feature.id]["params"]) == [a.name for a in attrs.fields(type(feature.params))]
    assert doc["x-tinkc-service"]["features"] == [use.feature for use in api.service.features]


@pytest.mark.parametrize("fixture", FIXTURES)
def test_every_feature_use_appears_on_its_operation(fixture: str) -> None:
    api, doc = fixture_api(fixture), document(fixture)
    by_id = operation_by_id(doc)
    for endpoint in api.endpoints.values():
        _, _, op = by_id[endpoint.id]
        assert op.get("x-tinkc-features", []) == [use.feature for use in endpoint.features]
        headers = {p["name"].lower(): p for p in params(op, "header")}
        future = api.future_feature(endpoint)
        if future is None:
            assert "x-tinkc-future" not in op
        else:
            assert isinstance(future.params, ir.PromiseResult)
            assert op["x-tinkc-future"]["feature"] == future.id
            assert op["x-tinkc-future"]["retrieve_operation"] == future.params.retrieve_endpoint
            assert future.params.retrieve_endpoint in by_id
            if isinstance(endpoint.response, ir.Ref):  # the future's result, not the handle
                assert op["responses"]["200"]["content"]["application/json"]["schema"] == {
                    "$ref": "#/components/schemas/" + endpoint.response.name
                }
            if isinstance(future.params.handle_type, ir.Ref):
                assert op["x-tinkc-future"]["handle"] == {"$ref": "#/components/schemas/" + future.params.handle_type.name}
        key = api.idempotency_key(endpoint)
        if key is not None:
            assert headers[key.header.lower()]["required"] is False  # the SDK makes one per call
        else:  # an idempotency_key feature that does not cover this method adds no header
            declared = {
                f.params.header.lower()
                for f in api.endpoint_features(endpoint, "idempotency_key")
                if isinstance(f.params, ir.IdempotencyKey)
            }
            assert not declared & set(headers)
        for feature in api.endpoint_features(endpoint, "sampling_backpressure"):
            assert isinstance(feature.params, ir.SamplingBackpressure)
            for header in feature.params.headers:
                assert headers[header.name.lower()]["schema"]["const"] == header.value


@pytest.mark.parametrize("fixture", FIXTURES)
def test_clients_and_flows_are_kept(fixture: str) -> None:
    api, doc = fixture_api(fixture), document(fixture)
    operation_ids = set(operation_by_id(doc))
    clients = doc.get("x-tinkc-clients", {})
    flows = doc.get("x-tinkc-flows", {})
    assert list(clients) == list(api.clients)
    assert list(flows) == list(api.flows)
    for client in api.clients.values():
        methods = clients[client.id]["methods"]
        assert list(methods) == [m.name for m in client.methods]
        for m in client.methods:
            assert methods[m.name]["kind"] == m.kind
            assert methods[m.name]["target"] in (operation_ids if m.kind == "endpoint" else flows)
    for flow in api.flows.values():
        emitted_flow = flows[flow.id]
        assert [s["id"] for s in emitted_flow["steps"]] == [s.id for s in flow.steps]
        assert emitted_flow["stages"] == [list(stage) for stage in flow.stages]
        assert list(emitted_flow["inputs"]) == [i.name for i in flow.inputs]
        for step, emitted_step in zip(flow.steps, emitted_flow["steps"], strict=True):
            assert emitted_step["kind"] == step.kind
            assert list(emitted_step.get("args", {})) == [a.name for a in step.args]
            if step.target_kind is not None:
                known = {"endpoint": operation_ids, "flow": flows, "client": clients}[step.target_kind]
                assert emitted_step["target"] in known


def test_flow_values_keep_bindings_and_interpolation() -> None:
    flows = document("futures_flows")["x-tinkc-flows"]
    build = next(s for s in flows["start_job"]["steps"] if s["kind"] == "build_client")
    label = build["args"]["label"]["interpolate"]
    assert [part if isinstance(part, str) else part["bind"] for part in label] == ["${state.session_id}", ":job:", "${result.job_id}"]
    assert build["args"]["job_id"]["source"] == "result"


# ---------------------------------------------------------------------------------------------
# End to end


@pytest.mark.slow
def test_tinkc_build_target_openapi_on_the_bundled_manifest(tmp_path: Path) -> None:
    assert main(["build", str(bundled_manifest()), "--target", "openapi", "--out", str(tmp_path), "--quiet"]) == 0
    doc = json.loads((tmp_path / "openapi.json").read_text(encoding="utf-8"))
    validate(doc, cls=OpenAPIV31SpecValidator)
    assert yaml.safe_load((tmp_path / "openapi.yaml").read_text(encoding="utf-8")) == doc


def test_tinkc_targets_lists_openapi(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["targets"]) == 0
    assert re.search(r"^openapi\s", capsys.readouterr().out, re.MULTILINE)


# ---------------------------------------------------------------------------------------------
# The YAML writer (backend.to_yaml): any JSON document reads back the same, in YAML 1.1 and 1.2

_json_text = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12) | st.sampled_from(
    [
        "",
        "yes",
        "No",
        "null",
        "~",
        "1e3",
        "0o17",
        "0x1F",
        "3.1.0",
        "- x",
        "a: b",
        "a #b",
        " lead",
        "trail ",
        "|",
        "\n",
        "a\n b\n\n",
        "\u2028",
    ]
)
_json_scalar = st.none() | st.booleans() | st.integers(-(2**40), 2**40) | st.floats(allow_nan=False, allow_infinity=False) | _json_text
_json = st.recursive(
    _json_scalar, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_json_text, inner, max_size=4), max_leaves=25
)


@pytest.mark.slow
@settings(max_examples=300, derandomize=True, deadline=None)
@given(document=st.dictionaries(_json_text, _json, max_size=5))
def test_the_yaml_writer_round_trips_any_json_document(document: dict[str, Any]) -> None:
    from ruamel.yaml import YAML

    from tinkc.backends.openapi.backend import to_yaml

    text = to_yaml(document)
    assert yaml.safe_load(text) == document, text  # YAML 1.1 (PyYAML)
    assert YAML(typ="safe", pure=True).load(text) == document, text  # YAML 1.2 (ruamel)
