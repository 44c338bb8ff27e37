"""Differential testing, small (docs/differential.md): random valid manifests (a fixed seed), the
cases a larger run found and kept (tests/fixtures/differential/<case>/), and a planted divergence
the runner must catch. `make differential` is the large run (diff_runner.py as a program).

All of them run as one batch (``diff_runner.run_batch``): the cases that merge are built as one
manifest, so each toolchain compiles once for many cases (tsc alone costs seconds per run); each
test then judges its own case's slice, which fails exactly as the case would fail built alone.

A kept case fails until the backends behave the same on it: that is the point of keeping it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from diff_runner import STATS, Member, Report, compare, generate, load_kept, replant, run_batch

pytestmark = [pytest.mark.toolchain, pytest.mark.conformance]

KEPT = Path(__file__).resolve().parent.parent / "fixtures" / "differential"
KEPT_CASES = sorted(p.parent for p in KEPT.glob("*/manifest.yaml"))
EXAMPLES = int(os.environ.get("TINKC_DIFF_SMALL_EXAMPLES", "1"))
UNITS = int(os.environ.get("TINKC_DIFF_SMALL_UNITS", "2"))
SEED = 20261205


def member_of(item: pytest.Item) -> str | None:
    """The batch member a collected test of this module judges."""
    params = getattr(getattr(item, "callspec", None), "params", {})
    if "index" in params:
        return f"random{params['index']}"
    if "case_dir" in params:
        return f"kept/{params['case_dir'].name}"
    return "planted" if item.name == "test_planted_divergence_is_caught" else None


@pytest.fixture(scope="session")
def batch(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Report]:
    """Every case of this module, built, run and compared once (only those of the selected tests)."""
    wanted = {name for item in request.session.items if (name := member_of(item))}
    members = []
    if any(n.startswith("random") for n in wanted):
        for index, case in enumerate(generate(EXAMPLES, SEED, UNITS)):
            STATS.units += case.units
            members.append(Member(f"random{index}", case.manifest, case.scenario))
    members += [Member(f"kept/{d.name}", *load_kept(d)) for d in KEPT_CASES]
    members.append(Member("planted", PLANTED_MANIFEST, PLANTED_SCENARIO))
    reports = run_batch([m for m in members if m.name in wanted], tmp_path_factory.mktemp("differential"))
    if "planted" in reports:
        STATS.differences -= reports["planted"].failed  # planted on purpose: not a finding
    return reports


@pytest.mark.parametrize("index", range(EXAMPLES), ids=lambda i: f"example{i}")
def test_random_manifests_behave_the_same(index: int, batch: dict[str, Report]) -> None:
    report = batch[f"random{index}"]
    assert not report.failed, report.explain()


@pytest.mark.parametrize("case_dir", KEPT_CASES, ids=lambda p: p.name)
def test_kept_case(case_dir: Path, batch: dict[str, Report]) -> None:
    report = batch[f"kept/{case_dir.name}"]
    assert not report.failed, report.explain()


PLANTED_MANIFEST: dict[str, Any] = {
    "schema_version": 1,
    "service": {
        "name": "diffsvc",
        "version": "0.1.0",
        "base_url": {"default": "http://localhost:9", "env": "DIFFSVC_BASE_URL"},
        "auth": {"type": "api_key", "header": "X-API-Key", "env": "DIFFSVC_API_KEY"},
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


def test_planted_divergence_is_caught(batch: dict[str, Report], tmp_path: Path) -> None:
    """The Python SDK, edited in a copy of its tree to drop one query parameter, differs from the
    Elixir SDK on the wire (and in the outcome: the mock answers 422 for the missing parameter)."""
    clean = batch["planted"]
    pair = {t: clean.runs[t] for t in ("python", "elixir")}
    differences = compare(pair, PLANTED_SCENARIO)
    assert not differences, "the planted case must pass unplanted:\n" + "\n".join(differences) + "\n" + clean.explain()
    planted = replant(clean, "python", plant_in_python, tmp_path)
    differences = compare({"python": planted, "elixir": clean.runs["elixir"]}, PLANTED_SCENARIO)
    text = "\n".join(differences)
    assert differences, "the planted divergence was not reported"
    assert "wire u0.op0 request 1:" in text, text
    assert '"query": {"limit": "10"}' in text and '"q": "x"' in text, text
    assert "outcome of call 1 (u0c.op0)" in text, text
