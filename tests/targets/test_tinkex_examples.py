"""Tinkex's own examples (github.com/North-Shore-AI/tinkex, `examples/*.exs`, Apache-2.0) run
against the Elixir SDK generated from the bundled manifest and a `tinkc mock` of it.

The examples are in tests/fixtures/tinkex_examples/ as Tinkex ships them; the one kind of edit is
the tokenizer calls (HuggingFace tokenizers are a Rust NIF from hex), replaced by the stand-ins of
`stand_ins.exs` on lines marked `# STAND-IN:`. `examples.yaml` gives each example its environment,
its mock scenario and text its output must show. Each runs with `mix run` in a copy of the committed
snapshot tree (`tests/snapshots/elixir/tinker`); it must exit 0, print what it is expected to, and
report no error (the examples print failures instead of raising)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from targets.fixtures import fixture_api
from tinkc.mock.server import running_mock

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOT = ROOT / "snapshots" / "elixir" / "tinker"
EXAMPLES = ROOT / "fixtures" / "tinkex_examples"
PLAN: dict[str, dict[str, Any]] = yaml.safe_load((EXAMPLES / "examples.yaml").read_text(encoding="utf-8"))
# what an example prints when a call failed (it reports errors rather than raising them)
FAILURE = re.compile(r"^.*(\bError\b|\berror:|✗|\[warn\]|failed|Failed|\*\* \().*$", re.MULTILINE)
ENV = {**os.environ, "MIX_ENV": "dev", "HEX_OFFLINE": "1"}


def mix() -> str:
    found = shutil.which("mix")
    assert found, "`mix` is not installed: the Tinkex examples need Debian's `elixir erlang-jiffy`"
    return found


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The generated SDK with the examples beside it, compiled once."""
    tree = tmp_path_factory.mktemp("tinkex") / "tinkex"
    shutil.copytree(SNAPSHOT, tree)
    shutil.copytree(EXAMPLES, tree / "examples")
    proc = subprocess.run([mix(), "compile"], cwd=tree, env=ENV, capture_output=True, text=True, check=False, timeout=900)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    yield tree


def test_every_example_has_a_plan() -> None:
    assert sorted(PLAN) == sorted(p.stem for p in EXAMPLES.glob("*.exs") if p.stem != "stand_ins")


def test_only_tokenizer_calls_are_replaced() -> None:
    """Every edit is a marked stand-in line, and a stand-in replaces a tokenizer call only."""
    for path in EXAMPLES.glob("*.exs"):
        if path.stem == "stand_ins":
            continue
        lines = path.read_text(encoding="utf-8").split("\n")
        marked = [i for i, line in enumerate(lines) if line.strip().startswith("# STAND-IN:")]
        # each mark stands right above the one line it explains, which calls a stand-in
        assert [i + 1 for i in marked] == [i for i, line in enumerate(lines) if "TinkexExamples.StandIns." in line], path.name
        code = "\n".join(line for line in lines if not line.strip().startswith("#"))
        assert "Tinkex.Tokenizer." not in code and "ModelInput.from_text(" not in code, path.name


def _cases() -> list[Any]:
    """Each example; one the SDK cannot run yet is a strict xfail with the reason (`examples.yaml`
    `missing:`), so it fails loudly once it runs."""
    return [
        pytest.param(name, marks=pytest.mark.xfail(strict=True, reason=spec["missing"])) if "missing" in spec else name
        for name, spec in sorted(PLAN.items())
    ]


@pytest.mark.toolchain
@pytest.mark.parametrize("name", _cases())
def test_example_runs_against_the_mock(name: str, project: Path) -> None:
    spec = PLAN[name]
    with running_mock(fixture_api("tinker"), scenario=spec.get("scenario")) as mock:
        env = {**ENV, "TINKER_API_KEY": "tml-examples", "TINKER_BASE_URL": mock.url, **spec.get("env", {})}
        command = [mix(), "run", "--require", "examples/stand_ins.exs", f"examples/{name}.exs"]
        proc = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, check=False, timeout=300)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output[-6000:]
    for text in spec.get("expect", []):
        assert text in output, f"{name}: expected {text!r} in:\n{output[-6000:]}"
    failures = [m.group(0) for m in FAILURE.finditer(proc.stdout)]
    assert not failures, f"{name} reported failures:\n" + "\n".join(failures) + "\n---\n" + output[-6000:]
    # a call of a function the SDK lacks is a compile warning of the example
    assert "is undefined" not in output, output[-6000:]
