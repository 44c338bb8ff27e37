from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))  # `import snapshot`, `from targets.fixtures import ...`


@pytest.fixture
def repo_root() -> Path:
    return ROOT


# -- pytest-xdist ---------------------------------------------------------------------------------
# `make test` runs `-n 2 --dist loadgroup`. A module whose tests share an expensive module- or
# session-scoped fixture (an SDK compiled with mix or tsc, a wheel built, plug-ins installed by pip,
# a batch built once for the tests that read it) runs on one worker, so that fixture is made once,
# as without xdist; the soaks run one at a time, as without xdist. (The conformance scenarios share
# their drivers through tests/run_once.py instead: they spread over the workers.)
ONE_WORKER_MODULES = (
    "conformance/test_real_sdk_wire.py",
    "differential/test_differential.py",
    "property/test_fuzz.py",
    "soak/test_soak.py",
    "targets/test_elixir_surface.py",
    "targets/test_tinkex_examples.py",
    "test_packaging.py",
    "test_plugins.py",
    "test_writer_e2e.py",
)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """`loadgroup` with the groups above, chosen by the test's module in the controller. (Not with
    `xdist_group` marks: xdist 3.8 puts a mark's group into `item._nodeid`, which pytest 9.2 no
    longer reads for `nodeid`, so the marks group nothing.) Each group is one unit of work; every
    other test is a unit of its own; the largest units are handed out first."""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadGroupScheduling

    class ModuleGroups(LoadGroupScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::", 1)[0].removeprefix("tests/")
            return module if module in ONE_WORKER_MODULES else str(super()._split_scope(nodeid))

    return ModuleGroups(config, log)


# -- summaries after the run ------------------------------------------------------------------------
# `make test` runs the suite on pytest-xdist workers (`-n 2`): the tests run in the workers, and the
# summary is printed by the controller, which loads this conftest only (not the ones of the test
# folders). So the numbers travel to it: the conformance outcomes and the soak reports in the test
# reports, the fuzz counts in each worker's output when it finishes. Without xdist the same hooks
# run in the one process.

sys.path.insert(0, str(Path(__file__).resolve().parent / "property"))  # `fuzz_stats`, the same module the fuzz tests count in

import fuzz_stats  # noqa: E402

_conformance_ran: Counter[str] = Counter()
_conformance_passed: Counter[str] = Counter()
_soak_reports: list[list[str]] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if "test_conformance.py::test_scenario[" in report.nodeid and (report.when == "call" or report.skipped):
        target = report.nodeid.rsplit("[", 1)[1].split("-", 1)[0]
        _conformance_ran[target] += 1
        _conformance_passed[target] += report.passed
    if report.when == "call":
        _soak_reports.extend(value for name, value in report.user_properties if name == "soak_report")


def pytest_sessionfinish(session: pytest.Session) -> None:
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:  # an xdist worker: its fuzz counts go to the controller
        workeroutput["fuzz_stats"] = fuzz_stats.snapshot()


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    data = getattr(node, "workeroutput", {}).get("fuzz_stats")
    if data:
        fuzz_stats.merge(data)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _conformance_ran:
        terminalreporter.section("conformance")
        for target in sorted(_conformance_ran):
            terminalreporter.write_line(f"{target}: {_conformance_passed[target]}/{_conformance_ran[target]} scenarios passed")
    if _soak_reports:
        terminalreporter.section("soak")
        for lines in _soak_reports:
            for line in lines:
                terminalreporter.write_line(line)
    if fuzz_stats.TRIED:
        # (Hypothesis also replays and shrinks a failing input: those runs count as tried, and each
        # shrink step that still fails as a crash; a clean run shows 0.)
        terminalreporter.section(f"fuzz: inputs tried per strategy (budget {fuzz_stats.BUDGET} hypothesis examples)")
        for line in fuzz_stats.table():
            terminalreporter.write_line(line)
        parsed = fuzz_stats.parse_table()
        if parsed:
            terminalreporter.write_line("")
            terminalreporter.write_line("emitted files checked by their language's parser (a text parsed once is not parsed again):")
            for line in parsed:
                terminalreporter.write_line(line)
