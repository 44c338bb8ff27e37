"""The Elixir SDK snapshots build with Elixir's own tools (Debian's Elixir 1.14 / OTP 25, no hex):
`mix compile --warnings-as-errors`, `mix format --check-formatted` and the SDK's own `mix test`
(its generated type tests and the runtime's tests), for every fixture. Each tree is copied first,
so a build never writes into tests/snapshots.

CI installs `elixir erlang-jiffy`; without `mix` these tests fail rather than skip."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from targets.fixtures import fixture_api, fixture_paths
from tinkc.backends.elixir import ElixirBackend
from tinkc.backends.elixir.backend import APP_TOKEN, NAMESPACE_TOKEN, RUNTIME, RUNTIME_TESTS
from tinkc.backends.elixir.templating import render
from tinkc.ir.nodes import thaw

SNAPSHOTS = Path(__file__).resolve().parent.parent / "snapshots" / "elixir"
FIXTURES = sorted(fixture_paths())
ENV = {**os.environ, "MIX_ENV": "test", "HEX_OFFLINE": "1"}


def mix() -> str:
    found = shutil.which("mix")
    assert found, "`mix` is not installed: the Elixir toolchain tests need Debian's `elixir erlang-jiffy`"
    return found


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([mix(), *args], cwd=cwd, env=ENV, capture_output=True, text=True, check=False, timeout=600)


def check_project(tree: Path) -> None:
    for args in (["compile", "--warnings-as-errors"], ["format", "--check-formatted"], ["test"]):
        proc = run(args, tree)
        assert proc.returncode == 0, f"mix {' '.join(args)} failed:\n{proc.stdout[-6000:]}{proc.stderr[-6000:]}"


@pytest.mark.toolchain  # mix compile, format and test
@pytest.mark.parametrize("fixture", FIXTURES)
def test_snapshot_compiles_is_formatted_and_passes_its_tests(fixture: str, tmp_path: Path) -> None:
    tree = tmp_path / "sdk"
    shutil.copytree(SNAPSHOTS / fixture, tree)
    check_project(tree)


@pytest.mark.toolchain
def test_a_long_namespace_keeps_the_layout_canonical(tmp_path: Path) -> None:
    """The runtime is written in a placeholder namespace and filled with the SDK's: a namespace much
    longer than the placeholder must not push a line past the formatter's width."""
    api = fixture_api("minimal")
    options = {**(thaw(api.targets.get("elixir")) or {}), "namespace": "Acme.Platform.Generated.PetstoreSdk", "app": "acme_petstore_sdk"}
    for f in ElixirBackend().emit(api, options):
        path = tmp_path / f.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f.content, encoding="utf-8")
    check_project(tmp_path)


@pytest.mark.toolchain
def test_the_backend_sources_are_formatted(tmp_path: Path) -> None:
    """The runtime, its tests and the driver (its template, rendered in the placeholder namespace)
    are kept in `mix format`'s layout, so every SDK gets them canonical."""
    driver = tmp_path / "conformance_driver.exs"
    driver.write_text(
        render(
            "conformance_driver.exs.jinja",
            namespace=NAMESPACE_TOKEN,
            types_namespace=f"{NAMESPACE_TOKEN}.Types",
            # a type with a `namespace:` (the driver's table of their modules)
            namespaced=[("EventType", f"{NAMESPACE_TOKEN}.Types.Telemetry.EventType")],
        ),
        encoding="utf-8",
    )
    sources = [*sorted(RUNTIME.rglob("*.ex")), *sorted(RUNTIME_TESTS.glob("*.exs")), driver]
    proc = subprocess.run(
        [mix(), "format", "--check-formatted", *map(str, sources)], cwd=tmp_path, env=ENV, capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_the_placeholders_are_only_where_their_length_cannot_matter() -> None:
    """Where the runtime names its own namespace or application, the SDK's (of another length) is
    filled in: only in a module head, an alias, an attribute, a comment, a string or a short line,
    never inside an expression the formatter could lay out differently."""
    allowed = re.compile(rf"^\s*(defmodule |alias |@\w+ {re.escape(NAMESPACE_TOKEN)}[\w.]*$|#|{re.escape(NAMESPACE_TOKEN)}[\w.]*\(\)$)")
    app_allowed = re.compile(rf"^\s*(@\w+ :{APP_TOKEN}\w*$|#)")
    offending = []
    for path in [*sorted(RUNTIME.rglob("*.ex")), *sorted(RUNTIME_TESTS.glob("*.exs"))]:
        in_heredoc = False
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.count('"""') % 2 == 1:
                in_heredoc = not in_heredoc
                continue
            code = re.sub(r'"(?:[^"\\]|\\.)*"', '""', line)
            if in_heredoc:
                continue
            if NAMESPACE_TOKEN in code and not allowed.match(code):
                offending.append(f"{path.name}:{n}: {line.strip()}")
            # an application name up to 40 characters longer still fits a short line
            if APP_TOKEN in code and not app_allowed.match(code) and len(line) > 58:
                offending.append(f"{path.name}:{n}: {line.strip()}")
    assert not offending, "\n".join(offending)
