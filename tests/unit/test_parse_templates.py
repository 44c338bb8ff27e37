"""Parse templates: the lowering of `parse:` on a record and of the `parse` flow step, the plan's
`parse` step mode, and the rule the runtimes apply (here the Python runtime's `parse_template`, the
reference the conformance scenario `parse_tinker_path` holds the TypeScript and Elixir ones to)."""

from __future__ import annotations

import importlib
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from tinkc.ir import nodes as ir
from tinkc.pipeline import bundled_manifest, compile_manifest
from tinkc.sdk import plan_of

RUNTIME = Path(__file__).resolve().parents[2] / "backends" / "python" / "runtime"
TEMPLATE = "tinker://{training_run_id}/{+checkpoint_id}"


@pytest.fixture(scope="module")
def runtime(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    """The runtime files as a package of their own (they import each other relatively)."""
    root = tmp_path_factory.mktemp("rt")
    shutil.copytree(RUNTIME, root / "parse_rt")
    (root / "parse_rt" / "__init__.py").write_text("")
    sys.path.insert(0, str(root))
    try:
        yield importlib.import_module("parse_rt._runtime")
    finally:
        sys.path.remove(str(root))


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("tinker://run-1/weights/0001", {"training_run_id": "run-1", "checkpoint_id": "weights/0001"}),
        # `{training_run_id}` ends at the first `/`; `{+checkpoint_id}` keeps every later one
        ("tinker://r/a/b/c", {"training_run_id": "r", "checkpoint_id": "a/b/c"}),
        ("tinker://run-1/weights/", {"training_run_id": "run-1", "checkpoint_id": "weights/"}),
        ("tinker://ü/é", {"training_run_id": "ü", "checkpoint_id": "é"}),
    ],
)
def test_matching_text_splits(runtime: ModuleType, text: str, parts: dict[str, str]) -> None:
    assert runtime.parse_template(TEMPLATE, text) == parts


@pytest.mark.parametrize(
    "text",
    ["", "s3://run-1/weights/0001", "tinker://run-1", "tinker://run-1/", "tinker:///weights/0001", "tinker:/run/x", None, 42],
)
def test_other_text_is_an_invalid_argument(runtime: ModuleType, text: object) -> None:
    errors = sys.modules["parse_rt._errors"]
    with pytest.raises(errors.InvalidArgumentError, match="does not match"):
        runtime.parse_template(TEMPLATE, text)


def test_literal_after_the_last_variable_must_end_the_text(runtime: ModuleType) -> None:
    assert runtime.parse_template("runs/{run}.json", "runs/a.json") == {"run": "a"}
    errors = sys.modules["parse_rt._errors"]
    with pytest.raises(errors.InvalidArgumentError):
        runtime.parse_template("runs/{run}.json", "runs/a.json.bak")


def test_bundled_manifest_declares_and_plans_the_parse() -> None:
    api = compile_manifest(bundled_manifest()).api
    decl = api.types["ParsedCheckpointTinkerPath"]
    assert isinstance(decl, ir.Record) and decl.parse is not None
    assert decl.parse.function == "from_tinker_path"
    assert [p if isinstance(p, str) else (p.name, p.raw) for p in decl.parse.parts] == [
        "tinker://",
        ("training_run_id", False),
        "/",
        ("checkpoint_id", True),
    ]
    flow = plan_of(api).flow("delete_checkpoint_by_tinker_path")
    first = flow.steps[0]
    assert (first.mode, first.parsed, [a.name for a in first.args]) == ("parse", "ParsedCheckpointTinkerPath", ["value"])
    assert first.variable  # the call reads its parts
    # the parse and the call are a data dependency: never one stage
    assert flow.stages == ((first.id,), (flow.steps[1].id,))
