"""Counts of the fuzzer: inputs tried and inputs that crashed, per strategy. The fuzz tests record
here; ``tests/property/conftest.py`` prints the table at the end of the run (``make fuzz``)."""

from __future__ import annotations

import os
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

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


# Parser counts of other processes (pytest-xdist workers), added by `merge`.
SEEN: Counter[str] = Counter()
PARSED: Counter[str] = Counter()


def snapshot() -> dict[str, dict[str, int]]:
    """This process's counts, as JSON-able data (an xdist worker hands them to the controller,
    which prints the table: tests/conftest.py)."""
    checker = _checker()
    return {
        "tried": dict(TRIED),
        "crashed": dict(CRASHED),
        "seen": dict(SEEN + (checker.seen if checker else Counter())),
        "parsed": dict(PARSED + (checker.parsed if checker else Counter())),
    }


def merge(data: dict[str, dict[str, int]]) -> None:
    """Add another process's `snapshot()` to this one's counts."""
    TRIED.update(data["tried"])
    CRASHED.update(data["crashed"])
    SEEN.update(data["seen"])
    PARSED.update(data["parsed"])


def _checker() -> Any:
    parsecheck = sys.modules.get("support.parsecheck")
    checker = getattr(parsecheck, "_CHECKER", None)
    return checker if checker is not None and checker.seen else None


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
    checker = _checker()
    seen = SEEN + (checker.seen if checker else Counter())
    parsed = PARSED + (checker.parsed if checker else Counter())
    if not seen:
        return []
    width = max(len("language"), *map(len, seen))
    lines = [f"{'language':<{width}}  {'files':>8}  {'parsed':>7}"]
    for lang in sorted(seen):
        lines.append(f"{lang:<{width}}  {seen[lang]:>8}  {parsed[lang]:>7}")
    return lines
