"""The Python SDK logs through `logging` what the TypeScript and Elixir SDKs log: queue-state
changes at the queue_state_observer's level with its debounce, one warning once heartbeats have
failed for `warn_after_sec`, and retries at debug level; to the logger named after the package.
Times are injected: no waiting."""

from __future__ import annotations

import importlib
import logging
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import httpx
import pytest

SRC = Path(__file__).resolve().parent.parent / "snapshots" / "python" / "futures_flows" / "src"


@pytest.fixture(scope="module")
def rt() -> Iterator[dict[str, ModuleType]]:
    sys.path.insert(0, str(SRC))
    try:
        yield {n: importlib.import_module(f"jobs_sdk.{n}") for n in ("_config", "_futures", "_http", "_retry", "_session")}
    finally:
        sys.path.remove(str(SRC))


def test_queue_state_changes_are_logged_at_the_level_with_the_debounce(rt: dict[str, ModuleType], caplog: pytest.LogCaptureFixture) -> None:
    log = rt["_http"].QueueLog(id="qlog-test", debounce=60.0, level="warning")
    with caplog.at_level(logging.DEBUG, logger="jobs_sdk"):
        rt["_futures"].log_queue_state(log, "jobs.submit", 1000.0, "paused_capacity", "busy")
        rt["_futures"].log_queue_state(log, "jobs.submit", 1059.0, "active", None)  # within the debounce
        rt["_futures"].log_queue_state(log, "jobs.other", 1059.0, "active", None)  # another endpoint
        rt["_futures"].log_queue_state(log, "jobs.submit", 1060.0, "active", None)
    shown = [(r.name, r.levelno, r.getMessage()) for r in caplog.records]
    assert shown == [
        ("jobs_sdk", logging.WARNING, "jobs.submit: queue state paused_capacity (busy)"),
        ("jobs_sdk", logging.WARNING, "jobs.other: queue state active"),
        ("jobs_sdk", logging.WARNING, "jobs.submit: queue state active"),
    ]


def test_queue_state_marks_are_per_key_and_cleared_per_key(rt: dict[str, ModuleType], caplog: pytest.LogCaptureFixture) -> None:
    # keyed by the calling client's session (Tinkex debounces per sampling session): another
    # session logs at once; clearing a session's marks logs its next change at once, not others'
    log = rt["_http"].QueueLog(id="qlog-keyed", debounce=60.0, level="warning", key_fields=("sampling_session_id", "model_id"))
    assert log.key_of({"model_id": "m1"}) == "m1"
    assert log.key_of({"sampling_session_id": "s1", "model_id": "m1"}) == "s1"
    assert log.key_of({"sampling_session_id": None}) is None
    f = rt["_futures"]
    with caplog.at_level(logging.DEBUG, logger="jobs_sdk"):
        f.log_queue_state(log, "sample", 1000.0, "paused_capacity", None, "s1")
        f.log_queue_state(log, "sample", 1000.0, "paused_capacity", None, "s2")  # another session
        f.log_queue_state(log, "sample", 1001.0, "active", None, "s1")  # within s1's debounce
        f.clear_queue_state_debounce("s1")
        f.log_queue_state(log, "sample", 1002.0, "active", None, "s1")  # cleared: logged
        f.log_queue_state(log, "sample", 1002.0, "active", None, "s2")  # not cleared: still debounced
    assert [r.getMessage() for r in caplog.records] == [
        "sample: queue state paused_capacity",
        "sample: queue state paused_capacity",
        "sample: queue state active",
    ]


def test_failed_heartbeats_warn_once_after_warn_after(rt: dict[str, ModuleType], caplog: pytest.LogCaptureFixture) -> None:
    endpoint = rt["_http"].Endpoint(id="s.create", method="POST", path="/s")
    spec = rt["_session"].Session(endpoint, {}, "session_id", endpoint, 10.0, (), warn_after=30.0)
    with caplog.at_level(logging.DEBUG, logger="jobs_sdk"):
        warned = spec.silence(0.0, 29.0, False, "s-1")
        assert not warned and not caplog.records
        warned = spec.silence(0.0, 30.0, warned, "s-1")
        warned = spec.silence(0.0, 40.0, warned, "s-1")
    assert warned
    assert [(r.levelno, r.getMessage()) for r in caplog.records] == [(logging.WARNING, "session s-1: no successful heartbeat for 30 s")]
    quiet = rt["_session"].Session(endpoint, {}, "session_id", endpoint, 10.0, ())
    assert not quiet.silence(0.0, 1e9, False, "s-1")


def test_retries_are_logged_at_debug(rt: dict[str, ModuleType], caplog: pytest.LogCaptureFixture) -> None:
    answers = [httpx.Response(503), httpx.Response(200, json={})]
    config = rt["_config"].Config(api_key="sk-secret", base_url="http://api.test")
    policy = rt["_retry"].RetryPolicy(3, ((500, 599),), True, True, 0.5, 8.0, 0.0, 60.0)
    transport = rt["_http"].Transport(
        config,
        user_agent="t",
        auth_header="X-API-Key",
        http=httpx.Client(transport=httpx.MockTransport(lambda _: answers.pop(0))),
        sleep=lambda _: None,
        rand=lambda: 0.0,
    )
    with caplog.at_level(logging.DEBUG, logger="jobs_sdk"):
        transport.send(rt["_http"].Endpoint(id="jobs.get", method="GET", path="/jobs", retry=policy))
    retries = [r for r in caplog.records if "retry" in r.getMessage()]
    assert [(r.levelno, r.getMessage()) for r in retries] == [(logging.DEBUG, "jobs.get: retry 1 in 0.500 s after status 503")]
    assert all("sk-secret" not in r.getMessage() for r in caplog.records)
