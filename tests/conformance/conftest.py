"""Prints, after the run, how many conformance scenarios each backend's driver ran and passed."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

_ran: Counter[str] = Counter()
_passed: Counter[str] = Counter()


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if "test_conformance.py::test_scenario[" not in report.nodeid or report.when != "call" and not report.skipped:
        return
    target = report.nodeid.rsplit("[", 1)[1].split("-", 1)[0]
    if report.when == "call" or report.skipped:
        _ran[target] += 1
        _passed[target] += report.passed


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not _ran:
        return
    terminalreporter.section("conformance")
    for target in sorted(_ran):
        terminalreporter.write_line(f"{target}: {_passed[target]}/{_ran[target]} scenarios passed")
