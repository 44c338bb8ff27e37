"""`tinkc mock`: a mock HTTP server of a manifest's API, for SDK conformance and soak tests.

    >>> from tinkc.mock import MockServer, running_mock   # doctest: +SKIP
    >>> with running_mock(api, port=0) as mock:           # doctest: +SKIP
    ...     httpx.get(mock.url + "/api/v1/healthz", headers={"X-API-Key": "k"})

See docs/mock.md for the scenario format and the control API.
"""

from tinkc.mock.scenario import Reply, Scenario, ScenarioError, load_scenario, parse_scenario
from tinkc.mock.server import CONTROL, MockHandle, MockServer, running_mock
from tinkc.mock.values import Checker, Generator, Rand

__all__ = [
    "CONTROL",
    "Checker",
    "Generator",
    "MockHandle",
    "MockServer",
    "Rand",
    "Reply",
    "Scenario",
    "ScenarioError",
    "load_scenario",
    "parse_scenario",
    "running_mock",
]
