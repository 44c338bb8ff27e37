"""Optimizations change code, never behaviour (issue 13): an SDK built with an optimization pass left
out (`tinkc build --skip-pass NAME`) passes the same conformance scenarios as the default build.

For every fixture the scenarios use and every optimization pass whose absence changes that
fixture's IR (a pass that changes nothing emits the same bytes, which the snapshots already
cover), each SDK with a conformance driver is emitted without the pass and run on the fixture's
scenarios against the same mock. For the bundled manifest, whose 35 scenarios mostly call single
endpoints the optimizations do not touch, the scenarios that call a flow are run.

The explicit case of issue 13 is in `futures_flows`: `archive_and_wait` submits a server-side future
whose endpoint declares no response body and awaits it — fused into one call by `fuse-call-await`,
two steps without it; both must submit, poll and answer nothing (`future_without_response_in_flow`).
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import pytest
from targets.fixtures import fixture_api, fixture_paths

from tinkc import pipeline
from tinkc.backends import registry
from tinkc.backends.base import Backend
from tinkc.conformance import has_driver, load_scenario_file, run_scenario, scenario_paths
from tinkc.ir.nodes import Api, thaw
from tinkc.ir.serialize import api_to_json
from tinkc.pipeline import compile_manifest, pass_names

pytestmark = [pytest.mark.conformance, pytest.mark.toolchain]

OPTIMIZATIONS = [p.name for p in pipeline.OPTIMIZATION_PASSES]
SCENARIOS = [load_scenario_file(p) for p in scenario_paths()]


def flow_methods(api: Api) -> set[str]:
    return {m.name for c in api.clients.values() for m in c.methods if m.kind == "flow"}


def changed_flows(fixture: str, skipped: str) -> set[str]:
    """The flows whose IR the skipped pass changes, and every flow calling one of them."""

    def by_id(api: Api) -> dict[str, str]:
        return {k: json.dumps(v, sort_keys=True) for k, v in json.loads(api_to_json(api))["flows"].items()}

    default, other = by_id(fixture_api(fixture)), by_id(without(fixture, skipped))
    changed = {f for f in default if default[f] != other.get(f)}
    flows = fixture_api(fixture).flows
    while True:
        callers = {f.id for f in flows.values() if any(s.target_kind == "flow" and s.target in changed for s in f.steps)}
        if callers <= changed:
            return changed
        changed |= callers


def scenarios_of(fixture: str, skipped: str) -> list[Path]:
    chosen = [s for s in SCENARIOS if s.manifest == fixture]
    if fixture == "tinker":
        # only the scenarios that run a flow the pass changes (or one calling such a flow): the bundled
        # manifest's scenarios mostly call single endpoints and flows the optimizations leave alone
        changed = changed_flows(fixture, skipped)
        methods = {m.name for c in fixture_api(fixture).clients.values() for m in c.methods if m.kind == "flow" and m.target in changed}
        chosen = [s for s in chosen if any(c.get("method") in methods for c in s.data["calls"])]
    return [s.path for s in chosen]


@functools.cache
def without(fixture: str, skipped: str) -> Api:
    result = compile_manifest(fixture_paths()[fixture], skip={skipped})
    assert result.api is not None and not result.sink.has_errors
    return result.api


def cases() -> list[tuple[str, str]]:
    out = []
    for fixture in sorted({s.manifest for s in SCENARIOS}):
        full = json.dumps(api_to_json(fixture_api(fixture)), sort_keys=True)
        for name in OPTIMIZATIONS:
            if json.dumps(api_to_json(without(fixture, name)), sort_keys=True) != full:
                out.append((fixture, name))
    return out


CASES = cases()
BACKENDS: dict[str, Backend] = {name: info.load()() for name, info in sorted(registry.available().items()) if has_driver(info.load())}


def test_the_equivalence_cases_cover_the_fused_future_flows() -> None:
    # the test below is not vacuous: the futures fixture and the bundled manifest lose a fusion
    assert ("futures_flows", "fuse-call-await") in CASES
    assert ("tinker", "fuse-call-await") in CASES
    assert set(OPTIMIZATIONS) <= set(pass_names())


@pytest.mark.parametrize(("fixture", "skipped"), CASES, ids=[f"{f}-without-{p}" for f, p in CASES])
@pytest.mark.parametrize("target", sorted(BACKENDS))
def test_an_sdk_built_without_an_optimization_behaves_the_same(target: str, fixture: str, skipped: str, tmp_path: Path) -> None:
    backend = BACKENDS[target]
    api = without(fixture, skipped)
    tree = tmp_path / "sdk"
    for f in backend.emit(api, thaw(api.targets.get(target)) or {}):
        path = tree / f.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f.content, encoding="utf-8")
    command = backend.conformance_driver(tree)
    assert command is not None
    chosen = scenarios_of(fixture, skipped)
    assert chosen, f"no scenario runs {fixture}"
    failed = []
    for path in chosen:
        # the mock serves the fixture as the default build compiles it: the server does not change
        result = run_scenario(load_scenario_file(path), command, fixture_api(fixture))
        if not result.passed:
            failed.append(f"{path.stem}:\n{result.explain()}")
    assert not failed, "\n\n".join(failed)
