"""The conformance suite (DESIGN §9, docs/conformance.md): every scenario shipped in
`tinkc.conformance` (`compiler/conformance/scenarios/`) against the conformance driver of every
registered backend that has one.

The harness itself is `tinkc.conformance.harness` (the same code `tinkc conformance --target NAME`
runs); this module is its pytest parametrization. Here the drivers are built from the committed
snapshot trees (`tests/snapshots/<target>/<fixture>/`) and the mock serves `tests/fixtures`, so the
suite proves the snapshots a reviewer reads; `tinkc conformance` emits the SDK afresh instead.
"""

from __future__ import annotations

import functools
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from run_once import driver_once
from targets.fixtures import fixture_api

from tinkc.backends import registry
from tinkc.backends.base import Backend, DriverCommand
from tinkc.conformance import has_driver, load_scenario_file, run_scenario, scenario_paths

SNAPSHOTS = Path(__file__).resolve().parent.parent / "snapshots"
SCENARIOS = scenario_paths()

pytestmark = pytest.mark.conformance  # every backend's driver (node, mix) against the mock


def backends_with_drivers() -> dict[str, Backend]:
    out = {}
    for name, info in registry.available().items():
        backend_class = info.load()
        if has_driver(backend_class):
            out[name] = backend_class()
    return out


BACKENDS = backends_with_drivers()


@pytest.fixture(scope="session")
def drivers(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str, str], DriverCommand]:
    """Each (target, fixture)'s driver, prepared once per run (shared by the xdist workers) in a
    scratch copy of the snapshot tree (so a build never writes into tests/snapshots)."""

    def build(target: str, fixture: str, work: Path) -> DriverCommand:
        tree = work / "sdk"
        shutil.copytree(SNAPSHOTS / target / fixture, tree)
        command = BACKENDS[target].conformance_driver(tree)
        assert command is not None
        return command

    @functools.cache
    def prepare(target: str, fixture: str) -> DriverCommand:
        return driver_once(tmp_path_factory, f"conformance-{target}-{fixture}", functools.partial(build, target, fixture))

    return prepare


@pytest.mark.parametrize("scenario_path", SCENARIOS, ids=lambda p: p.stem)
@pytest.mark.parametrize("target", sorted(BACKENDS))
def test_scenario(target: str, scenario_path: Path, drivers: Callable[[str, str], DriverCommand]) -> None:
    scenario = load_scenario_file(scenario_path)
    result = run_scenario(scenario, drivers(target, scenario.manifest), fixture_api(scenario.manifest))
    assert result.passed, result.explain()
