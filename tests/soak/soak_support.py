"""Shared by the soak tests and their conftest: the reports of the soaks run, printed after the run
(a module of its own: every test folder has a `conftest`, so `from conftest import` is ambiguous)."""

from __future__ import annotations

from tinkc.mock.soak import SoakReport

REPORTS: list[SoakReport] = []
