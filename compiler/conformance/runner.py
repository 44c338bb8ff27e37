"""`tinkc conformance`: the shared scenarios against one installed backend's conformance driver.

For each fixture the selected scenarios name, the runner compiles the fixture's manifest, emits the
backend's SDK into a scratch directory (through the writer, as `tinkc build` does), asks the backend
to prepare its driver there (``Backend.conformance_driver``) and runs the scenarios one by one
against it and a `tinkc mock` of the manifest. It works from an installed tinkc: the scenarios and
the fixture manifests they name ship in this package (``scenarios/``, ``fixtures/``); a checkout or a
backend's own repository can point at other directories (``--scenarios``, ``--fixtures``).
"""

from __future__ import annotations

import fnmatch
import gc
import logging
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

from tinkc.backends.base import Backend, DriverCommand
from tinkc.conformance.harness import Scenario, ScenarioFileError, ScenarioResult, load_scenario_file, run_scenario
from tinkc.diagnostics import Sink, render_text, summary_line
from tinkc.ir.nodes import Api, thaw

PACKAGE_DIR = Path(__file__).resolve().parent
SCENARIOS_DIR = PACKAGE_DIR / "scenarios"
FIXTURES_DIR = PACKAGE_DIR / "fixtures"
BUNDLED = "tinker"  # `manifest: tinker` (or none) is the bundled manifest


class ConformanceError(Exception):
    """A problem that stops the run before any scenario (reported as one message, no traceback)."""


def scenario_paths(directory: Path = SCENARIOS_DIR, patterns: Sequence[str] = ()) -> list[Path]:
    """The scenario files of ``directory`` whose name (without ``.yaml``) matches one of the glob
    ``patterns`` (all of them when none is given), sorted by name."""
    paths = sorted(directory.glob("*.yaml"))
    if patterns:
        paths = [p for p in paths if any(fnmatch.fnmatchcase(p.stem, pattern) for pattern in patterns)]
    return paths


def manifest_path(fixture: str, fixtures_dir: Path = FIXTURES_DIR) -> Path:
    """Where the manifest a scenario names is: the bundled one, or ``<fixtures_dir>/<name>/manifest.yaml``
    (the layout of tinkc's ``tests/fixtures``)."""
    if fixture == BUNDLED:
        from tinkc.pipeline import bundled_manifest

        return bundled_manifest()
    return fixtures_dir / fixture / "manifest.yaml"


class DriverPool:
    """Each fixture's compiled API and prepared driver, made once per run in a scratch directory."""

    def __init__(self, backend: Backend, fixtures_dir: Path, scratch: Path, color: bool = False) -> None:
        self.backend = backend
        self.fixtures_dir = fixtures_dir
        self.scratch = scratch
        self.color = color
        self._prepared: dict[str, tuple[Api, DriverCommand]] = {}

    def get(self, fixture: str) -> tuple[Api, DriverCommand]:
        if fixture not in self._prepared:
            self._prepared[fixture] = self._prepare(fixture)
        return self._prepared[fixture]

    def _prepare(self, fixture: str) -> tuple[Api, DriverCommand]:
        from tinkc.pipeline import compile_manifest
        from tinkc.writer import write_tree

        path = manifest_path(fixture, self.fixtures_dir)
        if not path.is_file():
            raise ConformanceError(f"fixture `{fixture}`: no manifest at {path} (see --fixtures)")
        result = compile_manifest(path)
        if result.sink.has_errors or result.api is None:
            shown = render_text(result.sink.items, result.sources, color=self.color) + summary_line(result.sink)
            raise ConformanceError(f"fixture `{fixture}` ({path}) does not compile:\n{shown}")
        api = result.api
        tree = self.scratch / fixture / "sdk"
        sink = Sink()
        write_tree(tree, self.backend.emit(api, thaw(api.targets.get(self.backend.name)) or {}), sink, display=str(tree))
        if sink.has_errors:
            raise ConformanceError(f"fixture `{fixture}`: the SDK could not be written:\n{render_text(sink.items, {})}")
        try:
            command = self.backend.conformance_driver(tree)
        except Exception as exc:  # noqa: BLE001 - a backend reports a missing toolchain or failed build by raising
            raise ConformanceError(
                f"fixture `{fixture}`: preparing the {self.backend.name} driver failed: {type(exc).__name__}: {exc}"
            ) from exc
        if command is None:
            raise ConformanceError(f"backend `{self.backend.name}` has no conformance driver (Backend.conformance_driver)")
        return api, command


def has_driver(backend_class: type[Backend]) -> bool:
    """Whether a backend overrides :meth:`Backend.conformance_driver` (else the suite skips it)."""
    return backend_class.conformance_driver is not Backend.conformance_driver


def run(
    backend: Backend,
    *,
    patterns: Sequence[str] = (),
    scenarios_dir: Path = SCENARIOS_DIR,
    fixtures_dir: Path = FIXTURES_DIR,
    out: TextIO,
    color: bool = False,
    on_result: Callable[[ScenarioResult], None] | None = None,
) -> list[ScenarioResult]:
    """Run the selected scenarios against ``backend``, printing one line per scenario (and its
    problems when it fails) and a count at the end. Raises :class:`ConformanceError` when the run
    cannot start (no scenario selected, a scenario file or a fixture that does not load)."""
    paths = scenario_paths(scenarios_dir, patterns)
    if not paths:
        wanted = f" matching {', '.join(patterns)}" if patterns else ""
        raise ConformanceError(f"no scenario{wanted} in {scenarios_dir}")
    scenarios: list[Scenario] = []
    for path in paths:
        try:
            scenarios.append(load_scenario_file(path))
        except ScenarioFileError as exc:
            raise ConformanceError(str(exc)) from exc
    # tinkc's main() turns the cyclic collector off for short compiles; this run lasts minutes.
    gc.enable()
    # Scenarios drop connections and time out on purpose: the mock's web server would log each
    # client that hung up as an error with a traceback (Python's last-resort handler), burying the
    # results. The outcome that matters is checked by the scenario.
    logging.getLogger("aiohttp").addHandler(logging.NullHandler())
    results = []
    with tempfile.TemporaryDirectory(prefix=f"tinkc-conformance-{backend.name}-") as scratch:
        pool = DriverPool(backend, fixtures_dir, Path(scratch), color=color)
        width = max(len(s.name) for s in scenarios)
        for scenario in scenarios:
            api, command = pool.get(scenario.manifest)
            result = run_scenario(scenario, command, api)
            results.append(result)
            out.write(f"{'PASS' if result.passed else 'FAIL'}  {scenario.name:<{width}}  ({scenario.manifest})\n")
            if not result.passed:
                out.write("".join(f"      {line}\n" for line in result.explain().splitlines()))
            out.flush()
            if on_result is not None:
                on_result(result)
    passed = sum(r.passed for r in results)
    out.write(f"{backend.name}: {passed}/{len(results)} scenarios passed\n")
    return results
