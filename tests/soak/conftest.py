"""The soak tests' shared pieces: each target's SDK and driver, built once per session (a fresh
`tinkc build` of the bundled manifest), and the soak reports printed after the run."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import pytest
from soak_support import REPORTS

from tinkc.backends.base import DriverCommand
from tinkc.mock.soak import prepare_driver


@pytest.fixture(scope="session")
def soak_driver(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], DriverCommand]:
    @functools.cache
    def prepare(target: str) -> DriverCommand:
        return prepare_driver(target, tmp_path_factory.mktemp(f"soak-{target}"))

    return prepare


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not REPORTS:
        return
    terminalreporter.section("soak")
    for report in REPORTS:
        for line in report.lines():
            terminalreporter.write_line(line)
