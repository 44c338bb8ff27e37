"""Puts tests/differential on sys.path (`import diff_runner`) and prints the differential counts."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import diff_runner  # noqa: E402


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if diff_runner.STATS.manifests:
        terminalreporter.section("differential")
        terminalreporter.write_line(diff_runner.STATS.line())
