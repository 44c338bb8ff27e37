"""Differential testing, small (docs/differential.md): random valid manifests (a fixed seed), the
cases a larger run found and kept (tests/fixtures/differential/<case>/), and a planted divergence
the runner must catch. `make differential` is the large run (diff_runner.py as a program).

A kept case fails until the backends behave the same on it: that is the point of keeping it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from diff_runner import STATS, load_kept, run_case
from diff_strategies import Case, cases
from hypothesis import HealthCheck, Phase, given, seed, settings

pytestmark = [pytest.mark.toolchain, pytest.mark.conformance]

KEPT = Path(__file__).resolve().parent.parent / "fixtures" / "differential"
EXAMPLES = int(os.environ.get("TINKC_DIFF_SMALL_EXAMPLES", "1"))


@seed(20261205)
@settings(
    max_examples=EXAMPLES,
    database=None,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],  # no shrinking here: a failure prints the whole case
    suppress_health_check=list(HealthCheck),
)
@given(case=cases(max_units=3))
def test_random_manifests_behave_the_same(case: Case, tmp_path_factory: pytest.TempPathFactory) -> None:
    STATS.units += case.units
    report = run_case(case.manifest, case.scenario, tmp_path_factory.mktemp("differential"))
    assert not report.failed, report.explain()


@pytest.mark.parametrize("case_dir", sorted(p.parent for p in KEPT.glob("*/manifest.yaml")), ids=lambda p: p.name)
def test_kept_case(case_dir: Path, tmp_path: Path) -> None:
    manifest, scenario = load_kept(case_dir)
    report = run_case(manifest, scenario, tmp_path)
    assert not report.failed, report.explain()


PLANTED_MANIFEST: dict[str, Any] = {
    "schema_version": 1,
    "service": {
        "name": "diffsvc",
        "version": "0.1.0",
        "base_url": {"default": "http://localhost:9"},
        "auth": {"type": "api_key", "header": "X-API-Key"},
    },
    "clients": {"u0c": {"module": "Diff.U0Client", "resource": ["u0"]}},
    "endpoints": {
        "u0.op0": {
            "method": "GET",
            "path": "/u0/{p0}/op0",
            "query": {"q": "string", "limit": {"type": "int", "default": 10}},
            "response": "U0R0",
        },
        "u0.op1": {"method": "POST", "path": "/u0/op1", "request": "U0R0", "response": "U0R0"},
    },
    "types": {"U0R0": {"fields": {"name": "string", "count": {"type": "int", "optional": True}}}},
}
PLANTED_SCENARIO: dict[str, Any] = {
    "calls": [
        {"client": "u0c", "method": "op0", "args": {"p0": "a b", "q": "x"}, "expect": {"ok": True}},
        {"client": "u0c", "method": "op1", "args": {"name": "n", "count": 3}, "expect": {"ok": True}},
    ]
}
# Appended to the Python SDK's package in its scratch tree (never to the product): every request the
# SDK sends loses its `q` query parameter.
PLANT = """

import httpx as _planted_httpx


def _planted(send):
    def send_without_q(self, request, *args, **kwargs):
        request.url = request.url.copy_remove_param("q")
        return send(self, request, *args, **kwargs)

    return send_without_q


_planted_httpx.Client.send = _planted(_planted_httpx.Client.send)
_planted_httpx.AsyncClient.send = _planted(_planted_httpx.AsyncClient.send)
"""


def plant_in_python(target: str, tree: Path) -> None:
    if target != "python":
        return
    (init,) = (p for p in (tree / "src").glob("*/__init__.py"))
    init.write_text(init.read_text(encoding="utf-8") + PLANT, encoding="utf-8")


def test_planted_divergence_is_caught(tmp_path: Path) -> None:
    """The Python SDK, edited in its scratch tree to drop one query parameter, differs from the
    Elixir SDK on the wire (and in the outcome: the mock answers 422 for the missing parameter)."""
    targets = ("python", "elixir")
    clean = run_case(PLANTED_MANIFEST, PLANTED_SCENARIO, tmp_path / "clean", targets=targets)
    STATS.differences -= clean.failed
    assert not clean.failed, "the planted case must pass unplanted:\n" + clean.explain()
    report = run_case(PLANTED_MANIFEST, PLANTED_SCENARIO, tmp_path / "planted", plant=plant_in_python, targets=targets)
    STATS.differences -= report.failed  # planted on purpose: not counted as found
    text = "\n".join(report.differences)
    assert report.failed, "the planted divergence was not reported"
    assert "wire u0.op0 request 1:" in text, text
    assert '"query": {"limit": "10"}' in text and '"q": "x"' in text, text
    assert "outcome of call 1 (u0c.op0)" in text, text
