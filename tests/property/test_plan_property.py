"""The SDK plan is one decision per manifest (issue 13): whichever targets a build emits, the
backends read the same plan.

`tinkc build` computes the plan once (stage 4 of `tinkc.pipeline.build`) and every SDK backend
reads it through `plan_of(api)`. These properties hold that to be true for the fixtures, the bundled
manifest and hypothesis-generated valid manifests (tests/differential/diff_strategies.py): the plan
of a build of one target equals the plan of a build of the others, and it is the object every
backend of the build was handed.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from tinkc.pipeline import build, bundled_manifest
from tinkc.sdk import plan_of

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "differential"))

import diff_strategies  # noqa: E402 - the valid-manifest strategy lives beside the differential runner

# seed_proposal still has errors (the seed syntax tinkc does not read yet, issue 14)
FIXTURES = sorted(p for p in (ROOT / "tests" / "fixtures").glob("*/manifest.yaml") if p.parent.name != "seed_proposal")
FIXTURES.append(bundled_manifest())
TARGET_SETS = (("python",), ("typescript", "elixir"), ("elixir", "ir", "openapi", "python", "typescript"))


def plans_by_targets(manifest: Path) -> list[object]:
    plans = []
    for targets in TARGET_SETS:
        with tempfile.TemporaryDirectory() as out:
            result = build(manifest, list(targets), out)
            assert result.ok, result.compiled.sink.items if result.compiled else result.writer.items
            assert result.compiled is not None and result.compiled.api is not None
            # the plan the build made is the one each backend got from plan_of
            assert plan_of(result.compiled.api) is result.plan
            plans.append(result.plan)
    return plans


@pytest.mark.parametrize("manifest", FIXTURES, ids=lambda p: p.parent.name if p.name == "manifest.yaml" else p.stem)
def test_the_plan_does_not_depend_on_the_targets_built(manifest: Path) -> None:
    first, *others = plans_by_targets(manifest)
    for other in others:
        assert other == first


@settings(max_examples=5, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(case=diff_strategies.cases(max_units=2))
def test_the_plan_of_generated_manifests_does_not_depend_on_the_targets_built(
    case: diff_strategies.Case, tmp_path_factory: pytest.TempPathFactory
) -> None:
    manifest = tmp_path_factory.mktemp("plan") / "manifest.yaml"
    manifest.write_text(case.manifest_yaml(), encoding="utf-8")
    first, *others = plans_by_targets(manifest)
    for other in others:
        assert other == first
