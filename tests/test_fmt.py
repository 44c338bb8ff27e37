"""`tinkc fmt`: canonical form without a change of meaning, idempotent, comments kept."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tinkc.cli import main
from tinkc.fmt import format_json, format_yaml
from tinkc.ir.serialize import api_to_json
from tinkc.pipeline import bundled_manifest, compile_manifest

FIXTURES = Path(__file__).parent / "fixtures"
MANIFESTS = {p.parent.name: p for p in sorted(FIXTURES.glob("*/manifest.yaml"))} | {"tinker": bundled_manifest()}


def _ir(path: Path) -> str:
    result = compile_manifest(path)
    assert result.api is not None
    return api_to_json(result.api)


def _copy_manifest(name: str, into: Path) -> Path:
    """The manifest and its imports, copied so that formatting them touches nothing in the repo."""
    source = MANIFESTS[name]
    shutil.copytree(source.parent, into, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    return into / source.name


@pytest.mark.parametrize("name", [pytest.param(n, marks=pytest.mark.slow) if n == "tinker" else n for n in sorted(MANIFESTS)])
def test_formatting_keeps_the_ir_and_is_idempotent(name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _copy_manifest(name, tmp_path)
    before = _ir(path)
    files = [path, *sorted(path.parent.glob("*/*.yaml"))]  # the bundled manifest's imports too
    assert main(["--color", "never", "fmt", *map(str, files)]) == 0
    assert _ir(path) == before
    formatted = {f: f.read_text() for f in files}
    for f in files:
        assert format_yaml(formatted[f]) == formatted[f], f"not idempotent: {f}"
    assert main(["fmt", "--check", *map(str, files)]) == 0
    capsys.readouterr()


MESSY = """\
# header comment
service:
    # the service comes second
    name: demo       # its name
    doc: "Demo"
schema_version: 1

endpoints:
    a.get:
        response: Thing
        # the path of a.get
        path: /things/{id}
        features: [retry]
        method: GET
features:
    retry:
        backoff: {max_ms: 100, base_ms: 10}
        type: retry_policy
types:
    Thing:
        fields:
            id: string
            note: {doc: a note, type: string, default: ""}
"""

# The service moves below schema_version, its comment with it; keys take the schema's order;
# the blank line that stood before the third key still does; indentation becomes two spaces.
EXPECTED = """\
# header comment
schema_version: 1
service:
  # the service comes second
  name: demo         # its name
  doc: "Demo"

features:
  retry:
    type: retry_policy
    backoff: {base_ms: 10, max_ms: 100}
endpoints:
  a.get:
    method: GET
    # the path of a.get
    path: /things/{id}
    response: Thing
    features: [retry]
types:
  Thing:
    fields:
      id: string
      note: {type: string, default: "", doc: a note}
"""


def test_canonical_order_indentation_and_comments() -> None:
    out = format_yaml(MESSY)
    assert out == EXPECTED
    assert format_yaml(out) == out


def test_check_reports_and_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "manifest.yaml"
    path.write_text(MESSY)
    assert main(["fmt", "--check", str(path)]) == 1
    assert path.read_text() == MESSY
    assert f"would reformat {path}" in capsys.readouterr().out
    assert main(["fmt", str(path)]) == 0
    assert path.read_text() == EXPECTED
    assert main(["fmt", "--check", str(path)]) == 0


@pytest.mark.parametrize(
    "text, code",
    [
        ("schema_version: 1\nservice: {name: demo}\nservice: {name: again}\n", "load.duplicate-key"),
        ("schema_version: 1\nservice: {name: demo\n", "load.yaml-syntax"),
        ("schema_version: 1\nservice: {name: demo}\nendpoint: {}\n", "manifest.unknown-key"),
    ],
)
def test_a_manifest_with_errors_is_not_rewritten(tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, code: str) -> None:
    path = tmp_path / "manifest.yaml"
    path.write_text(text)
    assert main(["--color", "never", "fmt", str(path)]) == 1
    assert path.read_text() == text
    assert f"error[{code}]" in capsys.readouterr().err


def test_an_imported_file_is_formatted_on_its_own(tmp_path: Path) -> None:
    path = tmp_path / "types.yaml"
    path.write_text("types:\n    T:\n        fields: {a: string}\n        doc: x\n")
    assert main(["fmt", str(path)]) == 0
    assert path.read_text() == "types:\n  T:\n    doc: x\n    fields: {a: string}\n"


def test_json_manifests_are_formatted_as_json(tmp_path: Path) -> None:
    text = '{"service": {"doc": "d", "name": "demo"}, "schema_version": 1}'
    assert format_json(text) == json.dumps({"schema_version": 1, "service": {"name": "demo", "doc": "d"}}, indent=2) + "\n"
    path = tmp_path / "m.json"
    path.write_text(text)
    assert main(["fmt", str(path)]) == 0
    assert json.loads(path.read_text()) == json.loads(text)
    assert path.read_text().startswith('{\n  "schema_version": 1,')


def test_invisible_characters_are_escaped_and_null_is_kept() -> None:
    text = 'schema_version: 1\nservice:\n  name: "a\\u202Eb"\n  doc: null\n'
    assert format_yaml(text) == 'schema_version: 1\nservice:\n  name: "a\\u202Eb"\n  doc: null\n'
