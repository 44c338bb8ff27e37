"""The short soak (docs/conformance.md, "The soak"): each generated SDK against `tinkc mock` with random
faults, a few hundred calls with 200 at once. `make soak` runs the long one (bench/soak.py)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import pytest

from tinkc.backends.base import DriverCommand
from tinkc.mock.soak import MIB, TAG, SoakConfig, SoakReport, _judge, memory_flat_limit, planned_calls, run_soak

# 800 calls in 4 rounds of 200 (RSS read after each), all 200 of a round at once; waits scaled down 100 times
SHORT = SoakConfig(calls=800, concurrency=200, rounds=4, seed=11, rate=0.2)


@pytest.mark.soak
@pytest.mark.parametrize("target", ["python", "elixir", "typescript"])
def test_short_soak(target: str, soak_driver: Callable[[str], DriverCommand], record_property: Callable[[str, object], None]) -> None:
    report = run_soak(target, SHORT, soak_driver(target))
    record_property("soak_report", report.lines())  # printed after the run (tests/conftest.py)
    explain = "\n".join(report.lines())
    assert not report.problems, explain
    assert report.calls == SHORT.calls and report.ok + sum(report.errors.values()) == SHORT.calls, explain
    assert (report.lost, report.hangs, report.duplicates) == (0, 0, 0), explain
    assert report.max_outstanding >= SHORT.concurrency, explain
    # the faults really happened, of most kinds (a storm needs a poll to land on)
    assert len(report.faults) >= 5 and sum(report.faults.values()) >= SHORT.calls // 5, explain
    assert report.memory_flat, explain
    assert report.ok >= SHORT.calls // 2, explain  # retries absorb most faults


def test_the_plan_tags_every_call_once() -> None:
    rounds = planned_calls(SoakConfig(calls=100, rounds=3))
    assert [len(r) for r in rounds] == [34, 34, 32]
    calls = [call for batch in rounds for call in batch]
    tags = [re.findall(TAG, json.dumps(call["args"])) for call in calls]
    # one tag per call (a list takes none: a GET is idempotent), never the same tag twice
    assert all(len(t) == (0 if c["method"] == "list_training_runs" else 1) for c, t in zip(calls, tags, strict=True))
    flat = [t for ts in tags for t in ts]
    assert len(flat) == len(set(flat))
    assert {"sample", "forward_backward", "create_lora_training_client", "set_checkpoint_ttl"} <= {c["method"] for c in calls}


def test_judging_outcomes() -> None:
    """Undocumented kinds are lost calls; hangs and missing rounds are counted, not ignored."""
    batch = [{"client": "rest", "method": "m", "args": {}}] * 4
    request = {"calls": [{"open": "service", "as": "svc"}, {"batch": batch}, {"batch": batch}]}
    outcomes = [
        {"ok": True},
        {
            "ok": True,
            "outcomes": [{"ok": True}, {"error": "server", "status": 503}, {"error": "hang"}, {"error": "crash"}],
            "max_outstanding": 4,
        },
    ]  # the driver died before the second round
    report = SoakReport(target="t")
    _judge(report, SoakConfig(), request, outcomes)
    assert (report.ok, dict(report.errors), report.hangs, report.lost) == (1, {"server": 1}, 1 + 4, 1)
    assert report.lost_examples[0]["outcome"] == {"error": "crash"}


def test_memory_allowance() -> None:
    config = SoakConfig(rss_growth_share=0.25, rss_growth_kib=48 * MIB)
    assert memory_flat_limit(100 * MIB, config) == 173 * MIB
    report = SoakReport(target="t", rss_kib=[("round 1", 100 * MIB), ("round 4", 180 * MIB)], rss_allowed_kib=173 * MIB)
    assert not report.memory_flat and not report.passed
