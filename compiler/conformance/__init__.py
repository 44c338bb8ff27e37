"""The conformance suite, shipped with tinkc so that any installed backend can run it
(``tinkc conformance --target NAME``; docs/conformance.md).

* :mod:`tinkc.conformance.harness` runs one scenario against one driver and a `tinkc mock`, and
  checks outcomes and wire rules;
* :mod:`tinkc.conformance.runner` prepares a backend's driver per fixture and runs a selection;
* ``scenarios/*.yaml`` are the scenarios, ``fixtures/<name>/manifest.yaml`` the manifests they name
  (copies of tinkc's ``tests/fixtures``, kept equal by ``tests/conformance/test_packaged.py``).
"""

from tinkc.conformance.harness import (
    DEFAULT_KEY,
    TIME_SCALE,
    Scenario,
    ScenarioFileError,
    ScenarioResult,
    load_scenario_file,
    run_scenario,
)
from tinkc.conformance.runner import FIXTURES_DIR, SCENARIOS_DIR, ConformanceError, has_driver, manifest_path, run, scenario_paths

__all__ = [
    "DEFAULT_KEY",
    "FIXTURES_DIR",
    "SCENARIOS_DIR",
    "TIME_SCALE",
    "ConformanceError",
    "Scenario",
    "ScenarioFileError",
    "ScenarioResult",
    "has_driver",
    "load_scenario_file",
    "manifest_path",
    "run",
    "run_scenario",
    "scenario_paths",
]
