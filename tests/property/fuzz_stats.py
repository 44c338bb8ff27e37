"""Counts of the fuzzer: inputs tried and inputs that crashed, per strategy. The fuzz tests record
here; ``tests/property/conftest.py`` prints the table at the end of the run (``make fuzz``)."""

from __future__ import annotations

import os
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

TRIED: Counter[str] = Counter()
CRASHED: Counter[str] = Counter()

# The whole budget of hypothesis examples, shared by the strategies in proportion to their weight;
# `make fuzz` raises it (TINKC_FUZZ_EXAMPLES=5000), the test suite keeps the default.
DEFAULT_BUDGET = 200
BUDGET = max(1, int(os.environ.get("TINKC_FUZZ_EXAMPLES", str(DEFAULT_BUDGET))))


@contextmanager
def fuzzing(strategy: str) -> Iterator[None]:
    """One input of ``strategy``: counted as tried, and as crashed if anything escapes (an
    exception from tinkc, or a failed property)."""
    TRIED[strategy] += 1
    try:
        yield
    except Exception:  # not BaseException: hypothesis stops an input that overran its data with one
        CRASHED[strategy] += 1
        raise


def table() -> list[str]:
    width = max(len(s) for s in TRIED)
    lines = [f"{'strategy':<{width}}  {'inputs':>8}  {'crashes':>7}"]
    for strategy in sorted(TRIED):
        lines.append(f"{strategy:<{width}}  {TRIED[strategy]:>8}  {CRASHED[strategy]:>7}")
    lines.append(f"{'total':<{width}}  {sum(TRIED.values()):>8}  {sum(CRASHED.values()):>7}")
    return lines


def parse_table() -> list[str]:
    """Files of the emitted SDKs given to a parser, per language, and how many distinct texts were
    parsed (``tests/support/parsecheck.py``); [] when nothing was checked."""
    parsecheck = sys.modules.get("support.parsecheck")
    checker = getattr(parsecheck, "_CHECKER", None)
    if checker is None or not checker.seen:
        return []
    width = max(len("language"), *map(len, checker.seen))
    lines = [f"{'language':<{width}}  {'files':>8}  {'parsed':>7}"]
    for lang in sorted(checker.seen):
        lines.append(f"{lang:<{width}}  {checker.seen[lang]:>8}  {checker.parsed[lang]:>7}")
    return lines
