"""Every code snippet of an emitted README is a program that runs (compiler/sdk/examples.py): each
fixture's Python README snippets run against `tinkc mock` with the manifest's environment variables
pointing at it. A fixture whose manifest names no base URL variable cannot be pointed at the mock
without editing its snippets, and is left out."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from targets.fixtures import fixture_api, fixture_paths
from tinkc.mock import running_mock

SNAPSHOTS = Path(__file__).resolve().parent.parent / "snapshots"
FENCE = re.compile(r"^```(\w+)\n(.*?)^```", re.M | re.S)


def snippets(readme: str, language: str) -> list[str]:
    """The programs of a README: its code blocks from `## Use` on (before it: how to install, a
    fragment of a build file, not a program)."""
    use = readme.index("\n## Use\n")
    return [body for lang, body in FENCE.findall(readme[use:]) if lang == language]


def runnable() -> list[str]:
    out = []
    for name in sorted(fixture_paths()):
        svc = fixture_api(name).service
        if svc.base_url_env and svc.auth is not None and svc.auth.env:
            out.append(name)
    return out


@pytest.mark.parametrize("fixture", runnable())
def test_python_readme_snippets_run_against_the_mock(fixture: str) -> None:
    tree = SNAPSHOTS / "python" / fixture
    code = snippets((tree / "README.md").read_text(encoding="utf-8"), "python")
    api = fixture_api(fixture)
    assert code, "the README shows no Python snippet"
    assert all("(...)" not in c for c in code), "a snippet elides its arguments"
    svc = api.service
    assert svc.auth is not None and svc.auth.env and svc.base_url_env
    base = {k: v for k, v in os.environ.items() if not k.startswith(("TINKER_", "PYTHON"))}
    with running_mock(api) as mock:
        env = {**base, "PYTHONPATH": str(tree / "src"), svc.auth.env: "app:readme-key", svc.base_url_env: mock.url}
        for snippet in code:
            proc = subprocess.run([sys.executable, "-c", snippet], capture_output=True, text=True, env=env, timeout=120, check=False)
            assert proc.returncode == 0, f"{snippet}\n---\n{proc.stderr[-3000:]}"
        assert [r for r in mock.requests() if r["endpoint"] is not None], "the snippets sent nothing"


@pytest.mark.toolchain  # tsc and node
@pytest.mark.parametrize("fixture", runnable())
def test_typescript_readme_snippets_run_against_the_mock(fixture: str, tmp_path: Path) -> None:
    """The package is built, then each snippet runs as an ES module beside it: its `import` of the
    package's own name resolves through the package's `exports`, as a user's would."""
    from targets.typescript_tools import node, scratch_copy, tsc

    tree = scratch_copy(SNAPSHOTS / "typescript" / fixture, tmp_path)
    code = snippets((tree / "README.md").read_text(encoding="utf-8"), "ts")
    assert code, "the README shows no TypeScript snippet"
    proc = tsc("-p", "tsconfig.json", cwd=tree)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    api = fixture_api(fixture)
    svc = api.service
    assert svc.auth is not None and svc.auth.env and svc.base_url_env
    with running_mock(api) as mock:
        env = {**{k: v for k, v in os.environ.items() if not k.startswith("TINKER_")}, svc.auth.env: "app:readme-key"}
        env[svc.base_url_env] = mock.url
        for i, snippet in enumerate(code):
            path = tree / f"readme_{i}.mjs"
            path.write_text(snippet, encoding="utf-8")
            run = subprocess.run([node(), path.name], cwd=tree, env=env, capture_output=True, text=True, timeout=120, check=False)
            assert run.returncode == 0, f"{snippet}\n---\n{run.stdout[-2000:]}{run.stderr[-3000:]}"
        assert [r for r in mock.requests() if r["endpoint"] is not None], "the snippets sent nothing"


@pytest.mark.toolchain  # mix
@pytest.mark.parametrize("fixture", runnable())
def test_elixir_readme_snippets_run_against_the_mock(fixture: str, tmp_path: Path) -> None:
    """The project is compiled once, then each snippet runs with `mix run -e` (the application
    started, as in a user's project)."""
    tree = tmp_path / "sdk"
    shutil.copytree(SNAPSHOTS / "elixir" / fixture, tree)
    code = snippets((tree / "README.md").read_text(encoding="utf-8"), "elixir")
    assert code, "the README shows no Elixir snippet"
    mix = shutil.which("mix")
    assert mix, "`mix` is not installed"
    base = {**{k: v for k, v in os.environ.items() if not k.startswith("TINKER_")}, "MIX_ENV": "dev", "HEX_OFFLINE": "1"}
    proc = subprocess.run([mix, "compile"], cwd=tree, env=base, capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    api = fixture_api(fixture)
    svc = api.service
    assert svc.auth is not None and svc.auth.env and svc.base_url_env
    with running_mock(api) as mock:
        env = {**base, svc.auth.env: "app:readme-key", svc.base_url_env: mock.url}
        for snippet in code:
            run = subprocess.run(
                [mix, "run", "--no-compile", "-e", snippet], cwd=tree, env=env, capture_output=True, text=True, timeout=300, check=False
            )
            assert run.returncode == 0, f"{snippet}\n---\n{run.stdout[-2000:]}{run.stderr[-3000:]}"
        assert [r for r in mock.requests() if r["endpoint"] is not None], "the snippets sent nothing"
