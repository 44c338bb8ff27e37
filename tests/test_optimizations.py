"""Each optimization pass makes every target emit less code.

The `optimizations` fixture gives every pass something to do. It is compiled with all passes, then
once with each optimization pass left out (as `tinkc build --skip-pass NAME` does), and every code
target's output must be smaller with the pass than without it. The sizes are a reviewed snapshot
(`tests/snapshots/optimizations/sizes.txt`), so a change in what a pass saves shows in review; the
optimized trees themselves are the fixture's snapshots under tests/snapshots/<target>/optimizations.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
from snapshot import assert_matches

from tinkc.backends import registry
from tinkc.pipeline import OPTIMIZATION_PASSES, compile_manifest

FIXTURE = Path(__file__).parent / "fixtures" / "optimizations" / "manifest.yaml"
SIZES = Path(__file__).parent / "snapshots" / "optimizations" / "sizes.txt"
CODE_TARGETS = ("elixir", "python", "typescript")
PASS_NAMES = [p.name for p in OPTIMIZATION_PASSES]


@cache
def emitted_size(target: str, skipped: str | None) -> tuple[int, int]:
    """(code characters, lines) of the target's output for the fixture, with one optimization left
    out. Code characters leave whitespace out: the formatters of the targets re-wrap a call that got
    longer by a word onto several lines, which is layout, not code."""
    result = compile_manifest(FIXTURE, skip=(skipped,) if skipped else ())
    assert result.api is not None and not result.sink.has_errors
    backend = registry.available()[target].load()()
    files = backend.emit(result.api, {})
    return sum(len("".join(f.content.split())) for f in files), sum(f.content.count("\n") for f in files)


@pytest.mark.parametrize("target", CODE_TARGETS)
@pytest.mark.parametrize("pass_name", PASS_NAMES)
def test_each_pass_makes_the_output_smaller(target: str, pass_name: str) -> None:
    optimized, _ = emitted_size(target, None)
    without, _ = emitted_size(target, pass_name)
    assert optimized < without, f"{target}: {pass_name} saves nothing ({optimized} code characters with it, {without} without)"


def test_sizes_snapshot() -> None:
    lines = ["# code characters (lines) each target emits for tests/fixtures/optimizations, by optimization left out", ""]
    header = f"{'left out':<18}" + "".join(f"{t:>20}" for t in CODE_TARGETS)
    lines.append(header)
    for skipped in [None, *PASS_NAMES]:
        cells = []
        for t in CODE_TARGETS:
            size, count = emitted_size(t, skipped)
            cells.append(f"{size:>12} ({count:>4})")
        lines.append(f"{skipped or '(none)':<18}" + "".join(f"{c:>20}" for c in cells))
    assert_matches(SIZES, "\n".join(lines) + "\n")
