"""Every backend's output for every fixture equals its committed snapshot tree
(`tests/snapshots/<target>/<fixture>/`): a missing, extra or changed file fails with a diff.
`make snapshots` regenerates them for review."""

from __future__ import annotations

from pathlib import Path

import pytest
from snapshot import assert_tree_matches

from targets.fixtures import fixture_api, fixture_paths
from tinkc.backends import registry
from tinkc.backends.base import Backend
from tinkc.ir.nodes import thaw

SNAPSHOTS = Path(__file__).resolve().parent.parent / "snapshots"
# Every registered backend (entry-point group `tinkc.backends`) is snapshot-tested on every fixture.
BACKENDS: list[type[Backend]] = [info.load() for info in registry.available().values()]


def emit(backend: type[Backend], fixture: str) -> dict[str, str]:
    api = fixture_api(fixture)
    options = thaw(api.targets.get(backend.name)) or {}
    return {f.path: f.content for f in backend().emit(api, options)}


@pytest.mark.parametrize("fixture", sorted(fixture_paths()))
@pytest.mark.parametrize("backend", BACKENDS, ids=lambda b: b.name)
def test_snapshot(backend: type[Backend], fixture: str) -> None:
    assert_tree_matches(SNAPSHOTS / backend.name / fixture, emit(backend, fixture))


@pytest.mark.parametrize("backend", BACKENDS, ids=lambda b: b.name)
def test_emission_is_deterministic(backend: type[Backend]) -> None:
    assert emit(backend, "tinker") == emit(backend, "tinker")
