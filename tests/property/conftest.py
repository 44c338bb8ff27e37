from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))  # `import fuzz_stats`, `import manifest_strategies`

import fuzz_stats  # noqa: E402


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """After a run that fuzzed: the inputs tried and the crashes, per strategy. (Hypothesis also
    replays and shrinks a failing input: those runs count as tried, and each shrink step that still
    fails as a crash; a clean run shows 0.)"""
    if not fuzz_stats.TRIED:
        return
    terminalreporter.section(f"fuzz: inputs tried per strategy (budget {fuzz_stats.BUDGET} hypothesis examples)")
    for line in fuzz_stats.table():
        terminalreporter.write_line(line)
    parsed = fuzz_stats.parse_table()
    if parsed:
        terminalreporter.write_line("")
        terminalreporter.write_line("emitted files checked by their language's parser (a text parsed once is not parsed again):")
        for line in parsed:
            terminalreporter.write_line(line)
