"""`tinkc schema`: a JSON Schema that every manifest tinkc accepts satisfies, that rejects structural
mistakes, and that cannot drift from the feature registry or from the keys the lowering reads.

The seed proposal fixture is validated too: its errors are unresolved *references* (types and
calls the proposal names but never declares), which no JSON Schema can see; its structure is valid,
and an editor must not flag it.
"""

from __future__ import annotations

import ast
import inspect
import json
import re
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tinkc.cli import main
from tinkc.diagnostics import Sink
from tinkc.features import FEATURE_TYPES, REQUIRED, Param
from tinkc.frontend import lower as lower_module
from tinkc.frontend.grammars import GrammarError, parse_type
from tinkc.frontend.load import load_manifest, load_text
from tinkc.frontend.lower import Lowerer, lower
from tinkc.frontend.model import Scalar, to_plain
from tinkc.ir.span import Span
from tinkc.pipeline import bundled_manifest
from tinkc.schema import BINDING, TEMPLATE, TYPE_EXPR, manifest_schema, render

FIXTURES = Path(__file__).parent / "fixtures"
STARTER = Path(__file__).parents[1] / "compiler" / "starter.yaml"
MANIFESTS = {p.parent.name: p for p in sorted(FIXTURES.glob("*/manifest.yaml"))} | {"tinker": bundled_manifest(), "starter": STARTER}


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = manifest_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def _problems(validator: jsonschema.Draft202012Validator, data: Any) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message[:200]}" for e in validator.iter_errors(data)]


def test_output_is_deterministic_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    printed = capsys.readouterr().out
    assert printed == render() == render()
    assert json.loads(printed)["$schema"] == "https://json-schema.org/draft/2020-12/schema"


@pytest.mark.parametrize("name", sorted(MANIFESTS))
def test_every_manifest_file_validates(validator: jsonschema.Draft202012Validator, name: str) -> None:
    """The root manifest and each file it imports (validated as the partial manifests they are)."""
    sink = Sink()
    manifest = load_manifest(MANIFESTS[name], sink)
    assert manifest is not None and not sink.has_errors
    for doc in manifest.documents:
        assert _problems(validator, to_plain(doc.root)) == [], doc.display


# Each is wrong in its structure: the schema rejects it, and so does tinkc (checked below, so the
# schema is never stricter than the compiler on these).
BASE = """\
schema_version: 1
service: {name: demo}
"""
WRONG = {
    "unknown root key": BASE + "endpoint: {}\n",
    "endpoint without path": BASE + "endpoints:\n  a.b: {method: GET}\n",
    "endpoint id without group": BASE + "endpoints:\n  ab: {method: GET, path: /x}\n",
    "not an HTTP method": BASE + "endpoints:\n  a.b: {method: FETCH, path: /x}\n",
    "path without slash": BASE + "endpoints:\n  a.b: {method: GET, path: x}\n",
    "unknown endpoint key": BASE + "endpoints:\n  a.b: {method: GET, path: /x, reponse: string}\n",
    "unknown feature type": BASE + "features:\n  r: {type: retry_polcy}\n",
    "unknown feature parameter": BASE + "features:\n  r: {type: retry_policy, max_retry: 3}\n",
    "misplaced feature parameter": BASE + "features:\n  r: {type: retry_policy, base_ms: 3}\n",
    "feature parameter of the wrong type": BASE + "features:\n  r: {type: retry_policy, max_retries: many}\n",
    "missing required feature parameter": BASE + "features:\n  f: {type: promise_result}\n",
    "bad choice": BASE + "features:\n  r: {type: retry_policy, retry_on: {exceptions: [oops]}}\n",
    "malformed status": BASE + "features:\n  r: {type: retry_policy, retry_on: {status: [5xx]}}\n",
    "type neither record nor enum": BASE + "types:\n  T: {doc: x}\n",
    "type both record and enum": BASE + "types:\n  T: {fields: {}, enum: [a]}\n",
    "malformed type expression": BASE + "types:\n  T:\n    fields:\n      a: List<int>\n",
    "field long form without type": BASE + "types:\n  T:\n    fields:\n      a: {doc: x}\n",
    "step with two kinds": BASE + "flows:\n  f:\n    client: c\n    steps:\n      - {call: a.b, return: x}\n",
    "args on a return step": BASE + "flows:\n  f:\n    client: c\n    steps:\n      - {return: x, args: {a: 1}}\n",
    "unknown binding source": BASE + "flows:\n  f:\n    client: c\n    steps:\n      - call: a.b\n        args: {x: '${inputs.x}'}\n",
    "top-level flow without client": BASE + "flows:\n  f:\n    steps: [{call: a.b}]\n",
    "method naming both endpoint and flow": BASE + "clients:\n  c:\n    methods:\n      m: {endpoint: a.b, flow: f}\n",
    "service without name": "schema_version: 1\nservice: {doc: x}\n",
    "root without schema_version": "service: {name: demo}\n",
    "unsupported schema_version": "schema_version: 2\nservice: {name: demo}\n",
    "targets in an imported file": "types: {}\ntargets: {python: {package: x}}\n",
}


@pytest.mark.parametrize("case", sorted(WRONG))
def test_structural_mistakes_are_rejected(validator: jsonschema.Draft202012Validator, case: str) -> None:
    sink = Sink()
    manifest = load_text(WRONG[case], "wrong.yaml", sink)
    assert manifest is not None and not sink.has_errors
    assert _problems(validator, to_plain(manifest.root.root)), f"the schema accepts: {case}"
    if "service" in manifest.root.root:  # the compiler agrees (an imported file cannot be lowered alone)
        from tinkc.pipeline import Result, run_passes

        api = lower(manifest, sink)
        if api is not None and not sink.has_errors:
            run_passes(api, Result(sink=sink), optimize=False)
        assert sink.has_errors, f"tinkc accepts what the schema rejects: {case}"


# -- no drift -------------------------------------------------------------------------------------


def _expected_param(spec: Param) -> tuple[Any, ...]:
    if spec.kind == "obj":
        assert spec.fields is not None
        return ("obj", tuple((k, _expected_param(v)) for k, v in spec.fields.items()))
    return (spec.kind, spec.choices, spec.default is REQUIRED)


def _schema_param(s: dict[str, Any], defs: dict[str, Any]) -> tuple[Any, ...]:
    """Read back, from the schema, what kind of parameter a property describes."""
    branches = s.get("anyOf", [s])
    required = not any(b.get("type") == "null" for b in branches)
    body = [b for b in branches if b.get("type") != "null"]
    refs = {b["$ref"].rsplit("/", 1)[1] for b in body if "$ref" in b}
    if refs:
        kind = {"StatusList": "status_list", "Headers": "headers", "TypeExpr": "type"}[refs.pop()]
        return (kind, (), required)
    if len(body) == 2 and body[1].get("type") == "array":
        return ("str_list", tuple(body[0].get("enum", ())), required)
    [b] = body
    if b.get("type") == "object" and "properties" in b:
        return ("obj", tuple((k, _schema_param(v, defs)) for k, v in b["properties"].items()))
    if b.get("type") == "object" and b.get("additionalProperties") == {"type": "string"}:
        return ("str_map", (), required)
    kind = {"integer": "int", "number": "float", "boolean": "bool", "object": "json"}.get(b.get("type"))
    if kind is None:
        kind = "endpoint" if "pattern" in b else "str"
    return (kind, tuple(b.get("enum", ())), required)


def test_feature_section_matches_the_feature_registry() -> None:
    schema = manifest_schema()
    defs = schema["$defs"]
    instance = defs["Feature"]
    assert instance["properties"]["type"]["enum"] == list(FEATURE_TYPES)
    assert [part["if"]["properties"]["type"]["const"] for part in instance["allOf"]] == list(FEATURE_TYPES)
    for name, ft in FEATURE_TYPES.items():
        d = defs[f"feature.{name}"]
        assert d["additionalProperties"] is False
        assert list(d["properties"]) == ["type", "doc", *ft.params], name
        assert d["required"] == ["type", *(k for k, v in ft.params.items() if v.default is REQUIRED)], name
        for pname, spec in ft.params.items():
            assert _schema_param(d["properties"][pname], defs) == _expected_param(spec), f"{name}.{pname}"


def _check_keys_sites() -> set[int]:
    """Lines of lower.py where the lowering checks a mapping's keys."""
    tree = ast.parse(inspect.getsource(lower_module))
    return {
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "check_keys"
    }


def _object_key_sets(node: Any, out: set[frozenset[str]]) -> set[frozenset[str]]:
    if isinstance(node, dict):
        if node.get("additionalProperties") is False and "properties" in node:
            out.add(frozenset(node["properties"]))
        for v in node.values():
            _object_key_sets(v, out)
    elif isinstance(node, list):
        for v in node:
            _object_key_sets(v, out)
    return out


# Reaches the check_keys calls the fixtures do not (long forms nobody happened to write).
EVERY_LONG_FORM = """\
schema_version: 1
service: {name: demo, base_url: {default: "http://x", env: X}, auth: {type: api_key, header: K, env: K}}
types:
  E: {enum: [{value: a, doc: x}]}
  V: {fields: {type: {type: '"v"', default: v}}}
  U: {union: [{type: V, tag: v}], discriminator: type}
  A: {alias: string}
endpoints:
  a.b:
    method: GET
    path: /b/{p}
    path_params: {p: {type: string, raw: true}}
    query: {q: {type: int, default: 1}}
clients:
  c:
    state: {n: {type: int, counter: true}}
    methods: {m: {endpoint: a.b}}
    flows:
      f:
        inputs: {x: {type: int, default: 1}}
        steps:
          - build_client: {client: c, with: {n: 1}}
"""


def test_every_key_the_lowering_reads_is_in_the_schema(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each set of keys the lowering allows somewhere is the key set of one object of the schema, and
    every place the lowering checks keys is reached (so a key added to the lowering fails here until
    the schema has it)."""
    seen: dict[int, set[frozenset[str]]] = {}
    original = Lowerer.check_keys

    def recording(self: Lowerer, m: Any, allowed: Any, where: str) -> None:
        frame = sys._getframe(1)
        line = list(frame.f_code.co_positions())[frame.f_lasti // 2][0]
        seen.setdefault(line, set()).add(frozenset(allowed))
        original(self, m, allowed, where)

    monkeypatch.setattr(Lowerer, "check_keys", recording)
    extra = tmp_path / "long.yaml"
    extra.write_text(EVERY_LONG_FORM)
    for path in [*MANIFESTS.values(), extra]:
        sink = Sink()
        manifest = load_manifest(path, sink)
        assert manifest is not None
        lower(manifest, sink)
    assert set(seen) == _check_keys_sites()
    objects = _object_key_sets(manifest_schema(), set())
    for line, key_sets in sorted(seen.items()):
        for keys in key_sets:
            assert keys in objects, f"lower.py:{line} allows {sorted(keys)}, which no object of the schema has"


# -- the patterns against the grammars ----------------------------------------------------------


def _lowering_accepts_value(text: str) -> bool:
    sink = Sink()
    span = Span(file="t", line=1, col=1, end_line=1, end_col=1 + len(text))
    Lowerer(None, sink).value(Scalar(text, span))  # type: ignore[arg-type]
    return not sink.has_errors


TEMPLATE_EXAMPLES = [
    "${input.x}",
    "${result}",
    "${result.a[0].b}",
    "${steps.client}",
    "${state.session_id}:train:${result.model_seq_id}",
    "$${not a binding}",
    "cost: $5",
    "$",
    "$$",
    "a$$b",
    "${input}",
    "${steps}",
    "${steps[0]}",
    "${inputs.x}",
    "${input.x",
    "${ input.x }",
    "${input.}",
]


@pytest.mark.parametrize("text", TEMPLATE_EXAMPLES)
def test_template_pattern_agrees_with_the_lowering(text: str) -> None:
    assert bool(re.fullmatch(TEMPLATE[1:-1], text)) == _lowering_accepts_value(text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="${}.[]0x_ ", max_size=14).map(lambda s: s.replace("x", "input.x", 1)))
def test_template_pattern_agrees_with_the_lowering_on_random_text(text: str) -> None:
    assert bool(re.fullmatch(TEMPLATE[1:-1], text)) == _lowering_accepts_value(text)


def test_binding_pattern_is_one_binding() -> None:
    assert re.fullmatch(BINDING, "${steps.client}")
    assert not re.fullmatch(BINDING, "${steps.client} and more")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["string", "Name", "[", "]", "?", "|", "map", ",", '"lit"', "(", ")", "1", " ", "<", "!"]), max_size=8))
def test_every_type_expression_the_grammar_parses_matches_the_pattern(tokens: list[str]) -> None:
    text = "".join(tokens)
    try:
        parse_type(text, lambda start, length: None)
    except GrammarError:
        return
    assert re.fullmatch(TYPE_EXPR[1:-1], text), text
