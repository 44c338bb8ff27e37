"""The soak tests' shared pieces: each target's SDK and driver, built once per session (a fresh
`tinkc build` of the bundled manifest). The soak reports are printed after the run by
tests/conftest.py (each test records its report's lines as the `soak_report` property)."""

from __future__ import annotations

import functools
from collections.abc import Callable

import pytest

from tinkc.backends.base import DriverCommand
from tinkc.mock.soak import prepare_driver


@pytest.fixture(scope="session")
def soak_driver(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], DriverCommand]:
    @functools.cache
    def prepare(target: str) -> DriverCommand:
        return prepare_driver(target, tmp_path_factory.mktemp(f"soak-{target}"))

    return prepare
