"""Every code snippet of an emitted README is a program that runs (compiler/sdk/examples.py): each
fixture's Python README snippets run against `tinkc mock` with the manifest's environment variables
pointing at it. A fixture whose manifest names no base URL variable cannot be pointed at the mock
without editing its snippets, and is left out."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from targets.fixtures import fixture_api, fixture_paths
from tinkc.mock import running_mock

SNAPSHOTS = Path(__file__).resolve().parent.parent / "snapshots"
FENCE = re.compile(r"^```(\w+)\n(.*?)^```", re.M | re.S)


def snippets(readme: str, language: str) -> list[str]:
    return [body for lang, body in FENCE.findall(readme) if lang == language]


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
