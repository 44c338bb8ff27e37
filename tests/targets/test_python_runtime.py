"""The Python SDK runtime (DESIGN §8), exercised through the emitted package of a fixture with
scripted HTTP answers (httpx.MockTransport) and injected sleep/clock: no server, no real waiting."""

from __future__ import annotations

import asyncio
import importlib
import json
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

SRC = Path(__file__).resolve().parent.parent / "snapshots" / "python" / "futures_flows" / "src"


@pytest.fixture(scope="module")
def rt() -> Iterator[dict[str, ModuleType]]:
    sys.path.insert(0, str(SRC))
    try:
        yield {name: importlib.import_module(f"jobs_sdk.{name}") for name in ("_config", "_errors", "_retry", "_http", "_futures")}
    finally:
        sys.path.remove(str(SRC))


class Script:
    """Answers requests in order and records them."""

    def __init__(self, *answers: httpx.Response | Callable[[httpx.Request], httpx.Response] | Exception) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer(request) if callable(answer) else answer


def transport(rt: dict[str, ModuleType], script: Script, sleeps: list[float], clock: Callable[[], float] | None = None) -> Any:
    config = rt["_config"].Config(api_key="sk-secret", base_url="http://api.test")
    return rt["_http"].Transport(
        config,
        user_agent="jobs-sdk/0.1.0",
        auth_header="X-API-Key",
        http=httpx.Client(transport=httpx.MockTransport(script)),
        sleep=sleeps.append,
        rand=lambda: 0.0,
        **({"clock": clock} if clock else {}),
    )


def policy(rt: dict[str, ModuleType], retries: int = 3) -> Any:
    return rt["_retry"].RetryPolicy(retries, ((408, 408), (429, 429), (500, 599)), True, True, 0.5, 8.0, 0.25, 60.0)


def endpoint(rt: dict[str, ModuleType], **kw: Any) -> Any:
    base = {
        "id": "jobs.submit",
        "method": "POST",
        "path": "/jobs",
        "retry": policy(rt),
        "idempotency_header": "X-Idempotency-Key",
    }
    return rt["_http"].Endpoint(**{**base, **kw})


def test_config_precedence_and_redaction(rt: dict[str, ModuleType]) -> None:
    settings = rt["_config"].ServiceSettings("JOBS_API_KEY", "JOBS_BASE_URL", "http://default", 60.0)
    env = {"JOBS_API_KEY": "sk-env", "JOBS_BASE_URL": "http://env"}
    resolve = rt["_config"].resolve_config
    assert resolve(settings, environ=env).base_url == "http://env"
    assert resolve(settings, base_url="http://explicit/", environ=env).base_url == "http://explicit"
    assert resolve(settings, environ={"JOBS_API_KEY": "k"}).base_url == "http://default"
    config = resolve(settings, api_key="sk-explicit", environ=env)
    assert config.api_key == "sk-explicit" and "sk-explicit" not in repr(config) and "<redacted>" in repr(config)
    with pytest.raises(rt["_errors"].ConfigurationError, match="JOBS_API_KEY"):
        resolve(settings, environ={})


def test_declared_config_options_and_unknown_ones(rt: dict[str, ModuleType]) -> None:
    """`service.config`: given > environment variable (read by its kind) > default; an option
    nobody declared is a configuration error, never ignored."""
    cfg = rt["_config"]
    options = (
        cfg.ConfigOption(name="project", env="JOBS_PROJECT", kind="string"),
        cfg.ConfigOption(name="priority", env="JOBS_PRIORITY", kind="int", has_default=True, default=5),
        cfg.ConfigOption(name="tags", env="JOBS_TAGS", kind="list", has_default=True, default=[]),
        cfg.ConfigOption(name="beta", env="JOBS_BETA", kind="bool"),
    )
    settings = cfg.ServiceSettings("JOBS_API_KEY", None, "http://default", 60.0, config_options=options)
    resolve = cfg.resolve_config
    base = {"JOBS_API_KEY": "k"}
    assert resolve(settings, environ=base).options == {"project": None, "priority": 5, "tags": [], "beta": None}
    env = {**base, "JOBS_PROJECT": "p", "JOBS_PRIORITY": " 9 ", "JOBS_TAGS": "a, b,", "JOBS_BETA": "Off"}
    assert resolve(settings, environ=env).options == {"project": "p", "priority": 9, "tags": ["a", "b"], "beta": False}
    assert resolve(settings, environ=env, options={"priority": 1}).options["priority"] == 1
    with pytest.raises(rt["_errors"].ConfigurationError, match="JOBS_PRIORITY"):
        resolve(settings, environ={**base, "JOBS_PRIORITY": "high"})
    with pytest.raises(rt["_errors"].ConfigurationError, match="unknown option priorty"):
        resolve(settings, environ=base, options={"priorty": 1})


def test_retry_on_5xx_reuses_one_idempotency_key(rt: dict[str, ModuleType]) -> None:
    script = Script(httpx.Response(503), httpx.Response(500), httpx.Response(200, json={"ok": True}))
    sleeps: list[float] = []
    response = transport(rt, script, sleeps).send(endpoint(rt), body={"a": 1})
    assert response.json() == {"ok": True}
    assert sleeps == [0.5, 1.0]
    keys = {r.headers["x-idempotency-key"] for r in script.requests}
    assert len(keys) == 1 and len(script.requests) == 3
    first = script.requests[0]
    assert first.headers["x-api-key"] == "sk-secret" and first.headers["user-agent"] == "jobs-sdk/0.1.0"
    assert first.headers["content-type"] == "application/json" and first.content == b'{"a":1}'


def test_retry_after_is_honoured(rt: dict[str, ModuleType]) -> None:
    script = Script(
        httpx.Response(429, headers={"Retry-After": "2"}),
        httpx.Response(429, headers={"retry-after-ms": "1500"}),
        httpx.Response(429, headers={"Retry-After": "3600"}),  # out of bounds: ordinary backoff
        httpx.Response(200, json={}),
    )
    sleeps: list[float] = []
    transport(rt, script, sleeps).send(endpoint(rt))
    assert sleeps == [2.0, 1.5, 2.0]


@pytest.mark.parametrize(
    ("status", "error"), [(400, "BadRequestError"), (404, "NotFoundError"), (401, "AuthenticationError"), (422, "UnprocessableEntityError")]
)
def test_no_retry_outside_the_list(rt: dict[str, ModuleType], status: int, error: str) -> None:
    script = Script(httpx.Response(status, json={"detail": "nope"}))
    with pytest.raises(getattr(rt["_errors"], error)) as exc:
        transport(rt, script, []).send(endpoint(rt))
    assert exc.value.status == status and exc.value.body == {"detail": "nope"} and len(script.requests) == 1
    assert "sk-secret" not in str(exc.value) and "sk-secret" not in repr(exc.value)


def test_retries_exhausted(rt: dict[str, ModuleType]) -> None:
    script = Script(*[httpx.Response(502) for _ in range(4)])
    sleeps: list[float] = []
    with pytest.raises(rt["_errors"].InternalServerError):
        transport(rt, script, sleeps).send(endpoint(rt))
    assert len(script.requests) == 4 and sleeps == [0.5, 1.0, 2.0]


def test_connection_errors_and_timeouts(rt: dict[str, ModuleType]) -> None:
    script = Script(httpx.ConnectError("refused"), httpx.ReadTimeout("slow"), httpx.Response(200, json={}))
    sleeps: list[float] = []
    transport(rt, script, sleeps).send(endpoint(rt))
    assert len({r.headers["x-idempotency-key"] for r in script.requests}) == 1 and len(sleeps) == 2
    no_retry = endpoint(rt, retry=rt["_retry"].NO_RETRY)
    with pytest.raises(rt["_errors"].APITimeoutError):
        transport(rt, Script(httpx.ReadTimeout("slow")), []).send(no_retry)
    with pytest.raises(rt["_errors"].APIConnectionError):
        transport(rt, Script(httpx.ConnectError("refused")), []).send(no_retry)


def test_path_parameters_are_encoded_unless_raw(rt: dict[str, ModuleType]) -> None:
    ep = endpoint(rt, method="GET", path="/jobs/{job_id}/artifacts/{+p}")
    script = Script(httpx.Response(200, json={}))
    transport(rt, script, []).send(ep, path={"job_id": "a/b c", "p": "weights/0001"}, query={"limit": 5, "skip": None})
    url = script.requests[0].url
    assert url.raw_path == b"/jobs/a%2Fb%20c/artifacts/weights/0001?limit=5"
    assert "x-idempotency-key" in script.requests[0].headers  # the endpoint spec says it carries one


def test_redirect_location_is_not_followed(rt: dict[str, ModuleType]) -> None:
    ep = endpoint(rt, method="GET", redirect_location=True)
    script = Script(httpx.Response(302, headers={"Location": "https://files.test/archive.tar.gz"}))
    response = transport(rt, script, []).send(ep)
    assert response.headers["location"] == "https://files.test/archive.tar.gz" and len(script.requests) == 1


def test_backpressure_waits_and_resends_without_surfacing(rt: dict[str, ModuleType]) -> None:
    bp = rt["_http"].Backpressure(((429, 429),), 1.0, 5.0, 10, (("X-Backpressure", "1"),))
    ep = endpoint(rt, backpressure=bp, retry=rt["_retry"].NO_RETRY)
    script = Script(httpx.Response(429), httpx.Response(429), httpx.Response(200, json={}))
    sleeps: list[float] = []
    transport(rt, script, sleeps).send(ep, body={"x": "big body, over ten bytes"})
    assert sleeps == [5.0, 5.0] and all(r.headers["x-backpressure"] == "1" for r in script.requests)
    sleeps.clear()
    transport(rt, Script(httpx.Response(429), httpx.Response(200, json={})), sleeps).send(ep, body={})
    assert sleeps == [1.0]


def futures_spec(rt: dict[str, ModuleType], timeout: float | None = None) -> Any:
    retrieve = endpoint(rt, id="futures.retrieve", path="/futures/retrieve", retry=rt["_retry"].NO_RETRY)
    return rt["_futures"].Futures(
        retrieve, "request_id", None, "type", "try_again", "error", "category", ("unknown", "server", "user"),
        "queue_state", "queue_state_reason", ("active", "paused_capacity", "paused_rate_limit"), ((408, 408),), 45.0, timeout, 0.5, 10.0, 0.25,
    )  # fmt: skip


def test_futures_poll_until_the_result(rt: dict[str, ModuleType]) -> None:
    from pydantic import TypeAdapter

    script = Script(
        httpx.Response(200, json={"type": "try_again", "queue_state": "active"}),
        httpx.Response(408, json={"type": "try_again", "queue_state": "paused_capacity", "queue_state_reason": "busy"}),
        httpx.Response(503),
        httpx.Response(200, json={"type": "try_again", "queue_state": "from_the_future"}),
        httpx.Response(200, json={"job_id": "j1", "metrics": {"loss": 0.5}}),
    )
    seen: list[tuple[str, str | None]] = []
    sleeps: list[float] = []
    t = transport(rt, script, sleeps)
    result = rt["_futures"].poll(t, futures_spec(rt), "req-1", TypeAdapter(dict[str, Any]), observer=lambda s, r: seen.append((s, r)))
    assert result == {"job_id": "j1", "metrics": {"loss": 0.5}}
    assert seen == [("active", None), ("paused_capacity", "busy"), ("unknown", None)]
    assert [r.read() for r in script.requests] == [b'{"request_id":"req-1"}'] * 5
    assert sleeps == [0.0, 0.5]  # the 408 re-polls at once; the 503 backs off


@pytest.mark.parametrize(("category", "expected"), [("user", "user"), ("server", "server"), ("cosmic", "unknown"), (None, "unknown")])
def test_failed_futures_carry_their_category(rt: dict[str, ModuleType], category: str | None, expected: str) -> None:
    from pydantic import TypeAdapter

    script = Script(httpx.Response(200, json={"error": "bad input", "category": category}))
    with pytest.raises(rt["_errors"].RequestFailedError) as exc:
        rt["_futures"].poll(transport(rt, script, []), futures_spec(rt), "r", TypeAdapter(dict[str, Any]))
    assert exc.value.category == expected


def test_futures_overall_timeout_uses_the_injected_clock(rt: dict[str, ModuleType]) -> None:
    from pydantic import TypeAdapter

    now = [0.0]

    def answer(request: httpx.Request) -> httpx.Response:
        now[0] += 4.0
        return httpx.Response(200, json={"type": "try_again", "queue_state": "active"})

    script = Script(*[answer] * 10)
    with pytest.raises(rt["_errors"].APITimeoutError):
        rt["_futures"].poll(transport(rt, script, [], clock=lambda: now[0]), futures_spec(rt, timeout=10.0), "r", TypeAdapter(Any))
    assert len(script.requests) == 3


def test_response_validation(rt: dict[str, ModuleType]) -> None:
    from pydantic import TypeAdapter

    decode = rt["_http"].decode
    with pytest.raises(rt["_errors"].ResponseValidationError):
        decode(httpx.Response(200, json={"x": "not an int"}), TypeAdapter(dict[str, int]))
    with pytest.raises(rt["_errors"].ResponseValidationError):
        decode(httpx.Response(200, text="<html>", headers={"content-type": "application/json"}), TypeAdapter(dict[str, int]))
    assert decode(httpx.Response(200, json={"x": 1}), TypeAdapter(dict[str, int])) == {"x": 1}


def test_async_transport_and_polling_share_the_semantics(rt: dict[str, ModuleType]) -> None:
    from pydantic import TypeAdapter

    script = Script(
        httpx.Response(503),
        httpx.Response(200, json={"request_id": "r9"}),
        httpx.Response(200, json={"type": "try_again", "queue_state": "active"}),
        httpx.Response(200, json={"done": 1}),
    )
    sleeps: list[float] = []

    async def record(delay: float) -> None:
        sleeps.append(delay)

    async def main() -> Any:
        config = rt["_config"].Config(api_key="sk-secret", base_url="http://api.test")
        t = rt["_http"].AsyncTransport(
            config,
            user_agent="ua",
            auth_header="X-API-Key",
            http=httpx.AsyncClient(transport=httpx.MockTransport(script)),
            sleep=record,
            rand=lambda: 0.0,
        )
        handle = (await t.send(endpoint(rt), body={})).json()
        return await rt["_futures"].apoll(t, futures_spec(rt), handle["request_id"], TypeAdapter(dict[str, int]))

    assert asyncio.run(main()) == {"done": 1}
    assert sleeps == [0.5]


TINKER_SRC = Path(__file__).resolve().parent.parent / "snapshots" / "python" / "tinker" / "src"


@pytest.fixture
def tinker(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    monkeypatch.syspath_prepend(str(TINKER_SRC))
    for name in [m for m in sys.modules if m == "tinker_sdk" or m.startswith("tinker_sdk.")]:
        monkeypatch.delitem(sys.modules, name)
    return importlib.import_module("tinker_sdk")


def test_generated_rest_client_end_to_end(tinker: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TINKER_API_KEY", "tml-secret")
    monkeypatch.delenv("TINKER_BASE_URL", raising=False)
    script = Script(
        # the family's server configuration first (server_config): client/config, then a server
        # without dynamic_config
        httpx.Response(200, json={"pjwt_auth_enabled": False}),
        httpx.Response(404, json={"detail": "not found"}),
        httpx.Response(200, json={"checkpoints": [], "cursor": None}),
        httpx.Response(302, headers={"Location": "https://signed.test/a.tar.gz"}),
        httpx.Response(200, json={}),
        httpx.Response(404, json={"detail": "no such run"}),
    )
    client = tinker.RestClient(http_client=httpx.Client(transport=httpx.MockTransport(script)))
    assert "tml-secret" not in repr(client)
    listed = client.list_user_checkpoints()
    assert listed.checkpoints == []
    # answered as Tinkex answers it: the record, its url the Location
    assert client.get_checkpoint_archive_url(training_run_id="run-1", checkpoint_id="weights/0001").url == "https://signed.test/a.tar.gz"
    client.set_checkpoint_ttl(training_run_id="run-1", checkpoint_id="weights/0001", ttl_seconds=None)
    with pytest.raises(tinker.APIStatusError) as exc:
        client.list_checkpoints(training_run_id="missing")
    assert exc.value.status == 404 and type(exc.value).__name__ == "NotFoundError"
    config, dynamic, first, archive, ttl, _ = script.requests
    assert config.url.path.endswith("/api/v1/client/config") and dynamic.url.path.endswith("/api/v1/client/dynamic_config")
    assert config.read() == dynamic.read() == b'{"sdk_version":"0.38.0"}' and config.headers["x-api-key"] == "tml-secret"
    assert str(first.url) == "https://tinker.thinkingmachines.dev/services/tinker-prod/api/v1/checkpoints?limit=100&offset=0"
    assert first.headers["x-api-key"] == "tml-secret" and first.headers["user-agent"].startswith("tinker_sdk/0.38.0")
    assert archive.url.raw_path == b"/services/tinker-prod/api/v1/training_runs/run-1/checkpoints/weights/0001/archive"
    assert archive.headers["accept"] == "application/gzip"
    assert ttl.method == "PUT" and ttl.content == b'{"ttl_seconds":null}' and "x-idempotency-key" in ttl.headers


def test_missing_api_key_fails_before_any_request(tinker: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TINKER_API_KEY", raising=False)
    script = Script()
    with pytest.raises(tinker.ConfigurationError, match="TINKER_API_KEY"):
        tinker.RestClient(http_client=httpx.Client(transport=httpx.MockTransport(script)))
    assert script.requests == []


JOBS_SRC = Path(__file__).resolve().parent.parent / "snapshots" / "python" / "futures_flows" / "src"


@pytest.fixture
def jobs(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    monkeypatch.syspath_prepend(str(JOBS_SRC))
    for name in [m for m in sys.modules if m == "jobs_sdk" or m.startswith("jobs_sdk.")]:
        monkeypatch.delitem(sys.modules, name)
    return importlib.import_module("jobs_sdk")


def routes(table: dict[str, list[httpx.Response]], seen: list[httpx.Request]) -> Callable[[httpx.Request], httpx.Response]:
    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return table[f"{request.method} {request.url.path}"].pop(0)

    return handle


def test_generated_flow_binds_results_state_and_builds_a_client(jobs: ModuleType) -> None:
    seen: list[httpx.Request] = []
    table = {
        "GET /settings": [httpx.Response(200, json={"job_queue": "fast"})],  # server_config, fetched first
        "POST /sessions": [httpx.Response(200, json={"session_id": "s1"})],
        "POST /jobs": [httpx.Response(200, json={"request_id": "r1"})],
        "POST /futures/retrieve": [
            httpx.Response(200, json={"type": "try_again", "queue_state": "active"}),
            httpx.Response(200, json={"job_id": "j1", "metrics": {"loss": 1.5}}),
        ],
    }
    http = httpx.Client(transport=httpx.MockTransport(routes(table, seen)))
    with jobs.ServiceClient(api_key="k", base_url="http://jobs.test", http_client=http) as client:
        job = client.start_job(input=jobs.types.TextInput(text="hi"))
        assert type(job).__name__ == "JobClient"
        assert job._state == {"job_id": "j1", "label": "s1:job:j1"} and job._session_id() == "s1"  # one shared session
    create, submit = seen[1], seen[2]
    assert create.read() == b'{"tags":["fixture"]}'  # the manifest's create_args
    # the priority option's default, and the queue the server configuration named (`${server.job_queue}`)
    assert (
        submit.read() == b'{"session_id":"s1","seq":0,"input":{"type":"text","text":"hi"},"priority":5,"queue":"fast","type":"submit_job"}'
    )
    assert [r.url.path for r in seen] == ["/settings", "/sessions", "/jobs", "/futures/retrieve", "/futures/retrieve"]


def test_heartbeats_run_until_close_or_a_stop_status(jobs: ModuleType) -> None:
    import threading

    session_mod = importlib.import_module("jobs_sdk._session")
    http_mod = importlib.import_module("jobs_sdk._http")
    config = importlib.import_module("jobs_sdk._config").Config(api_key="k", base_url="http://jobs.test")
    spec = session_mod.Session(
        create=http_mod.Endpoint(id="sessions.create", method="POST", path="/sessions"),
        create_body={"tags": []},
        session_id_field="session_id",
        heartbeat=http_mod.Endpoint(id="sessions.heartbeat", method="POST", path="/heartbeat"),
        interval=0.001,
        stop_statuses=((410, 410),),
    )
    beats: list[bytes] = []
    third = threading.Event()

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/sessions":
            return httpx.Response(200, json={"session_id": "s9"})
        beats.append(request.read())
        if len(beats) == 3:
            third.set()
        return httpx.Response(410 if len(beats) >= 3 else 200, json={})

    transport = http_mod.Transport(
        config, user_agent="ua", auth_header="X-API-Key", http=httpx.Client(transport=httpx.MockTransport(answer))
    )
    holder = session_mod.SessionHolder()
    assert holder.open(transport, spec) == "s9" and holder.open(transport, spec) == "s9"  # created once
    assert third.wait(timeout=10)
    assert holder.thread is not None
    holder.thread.join(timeout=10)  # the 410 ended the loop by itself
    assert not holder.thread.is_alive() and beats == [b'{"session_id":"s9"}'] * 3 and holder.beats == 2
    holder.close()


def test_generated_async_flow_runs_independent_steps_concurrently(jobs: ModuleType) -> None:
    seen: list[httpx.Request] = []
    in_flight = {"now": 0, "max": 0}
    both_started = asyncio.Event()

    async def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/settings":  # the family's server configuration, fetched first
            return httpx.Response(404)
        seen.append(request)
        in_flight["now"] += 1
        in_flight["max"] = max(in_flight["max"], in_flight["now"])
        if in_flight["now"] == 2:
            both_started.set()
        await both_started.wait()  # each answer waits until the other request has started: only concurrency passes
        in_flight["now"] -= 1
        if request.url.path == "/status":
            return httpx.Response(200, json="ok")
        return httpx.Response(200, json={"artifacts": [{"path": "a", "size_bytes": 1, "created_at": None}]})

    async def main() -> Any:
        http = httpx.AsyncClient(transport=httpx.MockTransport(handle))
        service = jobs.AsyncServiceClient(api_key="k", base_url="http://jobs.test", http_client=http)
        job = jobs.AsyncJobClient._derive(service, job_id="j1", label="x")
        with pytest.warns(DeprecationWarning):  # the fixture deprecates `describe`
            return await asyncio.wait_for(job.describe(), timeout=5)

    listed = asyncio.run(main())
    assert [a.path for a in listed.artifacts] == ["a"]
    assert in_flight["max"] == 2 and sorted(r.url.path for r in seen) == ["/jobs/j1/artifacts", "/status"]


def test_retry_handler_retries_until_no_progress(rt: dict[str, ModuleType]) -> None:
    handler = rt["_http"].RetryHandler("h", 2, 30.0, 0.5, 4.0, 0.0)
    ep = endpoint(rt, retry=rt["_retry"].NO_RETRY, handler=handler)
    # far more failures than any retry policy allows: the handler has no attempt limit
    script = Script(*[httpx.Response(503) for _ in range(12)], httpx.ConnectError("x"), httpx.Response(200, json={}))
    sleeps: list[float] = []
    transport(rt, script, sleeps).send(ep)
    assert len(script.requests) == 14 and sleeps[:4] == [0.5, 1.0, 2.0, 4.0] and max(sleeps) == 4.0
    now = [0.0]

    def slow_failure(request: httpx.Request) -> httpx.Response:
        now[0] += 10.0
        return httpx.Response(500)

    t = transport(rt, Script(*[slow_failure] * 10), [])
    t.clock = lambda: now[0]
    with pytest.raises(rt["_errors"].APITimeoutError, match="stuck"):
        t.send(ep)
    with pytest.raises(rt["_errors"].BadRequestError):  # not transient: no retry
        transport(rt, Script(httpx.Response(400)), []).send(ep)


def test_retry_handler_bounds_requests_in_flight(rt: dict[str, ModuleType]) -> None:
    handler = rt["_http"].RetryHandler("h", 2, 30.0, 0.5, 4.0, 0.0)
    ep = endpoint(rt, retry=rt["_retry"].NO_RETRY, handler=handler)
    in_flight = {"now": 0, "max": 0}
    two_in = asyncio.Event()
    released = asyncio.Event()

    async def handle(request: httpx.Request) -> httpx.Response:
        in_flight["now"] += 1
        in_flight["max"] = max(in_flight["max"], in_flight["now"])
        if in_flight["now"] == 2:
            two_in.set()
        await released.wait()
        in_flight["now"] -= 1
        return httpx.Response(200, json={})

    async def main() -> None:
        config = rt["_config"].Config(api_key="k", base_url="http://api.test")
        t = rt["_http"].AsyncTransport(
            config, user_agent="ua", auth_header="X-API-Key", http=httpx.AsyncClient(transport=httpx.MockTransport(handle))
        )
        calls = [asyncio.create_task(t.send(ep)) for _ in range(5)]
        await asyncio.wait_for(two_in.wait(), timeout=5)
        for _ in range(3):  # let the event loop run: the other three stay queued on the limit
            await asyncio.sleep(0)
        assert in_flight["now"] == 2
        released.set()
        await asyncio.wait_for(asyncio.gather(*calls), timeout=5)

    asyncio.run(main())
    assert in_flight["max"] == 2


def _counting_clients(n_all_in: int) -> tuple[Callable[[Any], dict[str, Any]], list[int], asyncio.Event, asyncio.Event]:
    """Client options whose every client answers through a transport of its own that counts the
    requests in flight on it (held until `released`); `all_in` is set when `n_all_in` are in."""
    in_flight: list[int] = []
    all_in, released = asyncio.Event(), asyncio.Event()

    def options(config: Any) -> dict[str, Any]:
        index = len(in_flight)
        in_flight.append(0)

        async def handle(request: httpx.Request) -> httpx.Response:
            in_flight[index] += 1
            if sum(in_flight) == n_all_in:
                all_in.set()
            await released.wait()
            in_flight[index] -= 1
            return httpx.Response(200, json={})

        return {"transport": httpx.MockTransport(handle)}

    return options, in_flight, all_in, released


@pytest.mark.parametrize("max_connections", [1000, 20])
def test_sync_requests_in_flight_are_spread_over_pooled_clients(
    rt: dict[str, ModuleType], monkeypatch: pytest.MonkeyPatch, max_connections: int
) -> None:
    """The synchronous pool (httpx's own transport): at most REQUESTS_PER_CLIENT in flight on one
    client, clients made as the load needs them, never more than the pool's size needs (then the
    least loaded client takes the request)."""
    http = rt["_http"]
    per = http.REQUESTS_PER_CLIENT
    n = 2 * per + per // 2
    in_flight: list[int] = []
    lock = threading.Lock()
    all_in, released = threading.Event(), threading.Event()

    def options(config: Any) -> dict[str, Any]:
        index = len(in_flight)
        in_flight.append(0)

        def handle(request: httpx.Request) -> httpx.Response:
            with lock:
                in_flight[index] += 1
                if sum(in_flight) == n:
                    all_in.set()
            released.wait(timeout=10)
            with lock:
                in_flight[index] -= 1
            return httpx.Response(200, json={})

        return {"transport": httpx.MockTransport(handle)}

    monkeypatch.setattr(http, "client_options", options)
    config = rt["_config"].Config(api_key="k", base_url="http://api.test", max_connections=max_connections)
    pool = http.ClientPool(config)
    threads = [threading.Thread(target=pool.request, args=("GET", "http://api.test/x")) for _ in range(n)]
    for t in threads:
        t.start()
    assert all_in.wait(timeout=10)
    seen = list(in_flight)
    released.set()
    for t in threads:
        t.join(timeout=10)
    if max_connections >= n:
        assert seen == [per, per, per // 2]
    else:  # two clients at most: the last requests share them, the least loaded first
        assert sorted(seen) == [n // 2, n - n // 2]
    made = len(in_flight)
    pool.request("GET", "http://api.test/x")  # the load gone, the first client takes it: none is made
    assert len(in_flight) == made
    pool.close()


def test_async_requests_share_one_client(rt: dict[str, ModuleType], monkeypatch: pytest.MonkeyPatch) -> None:
    """The asynchronous transport is one client over aiohttp (its connector holds the whole pool):
    every request in flight is on it, and no second client is made."""
    http = rt["_http"]
    n = 3 * http.REQUESTS_PER_CLIENT
    options, in_flight, all_in, released = _counting_clients(n)
    monkeypatch.setattr(http, "async_client", lambda config: httpx.AsyncClient(**options(config)))
    ep = endpoint(rt, retry=rt["_retry"].NO_RETRY)

    async def main() -> None:
        config = rt["_config"].Config(api_key="k", base_url="http://api.test", max_connections=1000)
        t = http.AsyncTransport(config, user_agent="ua", auth_header="X-API-Key")
        calls = [asyncio.create_task(t.send(ep)) for _ in range(n)]
        await asyncio.wait_for(all_in.wait(), timeout=5)
        assert in_flight == [n]
        released.set()
        await asyncio.wait_for(asyncio.gather(*calls), timeout=5)
        await t.aclose()

    asyncio.run(main())


def test_a_given_client_carries_every_request(rt: dict[str, ModuleType], monkeypatch: pytest.MonkeyPatch) -> None:
    """A client the caller passes is the only one, whatever the load (its pool is the caller's choice)."""
    http = rt["_http"]
    n = 3 * http.REQUESTS_PER_CLIENT
    options, in_flight, all_in, released = _counting_clients(n)
    given = httpx.AsyncClient(**options(None))
    monkeypatch.setattr(http, "client_options", lambda config: pytest.fail("no client is made when one was given"))

    async def main() -> None:
        config = rt["_config"].Config(api_key="k", base_url="http://api.test")
        t = http.AsyncTransport(config, user_agent="ua", auth_header="X-API-Key", http=given)
        calls = [asyncio.create_task(t.send(endpoint(rt, retry=rt["_retry"].NO_RETRY))) for _ in range(n)]
        await asyncio.wait_for(all_in.wait(), timeout=5)
        assert in_flight == [n]
        released.set()
        await asyncio.wait_for(asyncio.gather(*calls), timeout=5)
        await t.aclose()

    asyncio.run(main())


def test_pooled_clients_share_one_tls_context(rt: dict[str, ModuleType]) -> None:
    """Loading the certificate store is the costly part of making a client: it is done once."""
    http = rt["_http"]
    config = rt["_config"].Config(api_key="k", base_url="https://api.test")
    assert http.client_options(config)["verify"] is http.client_options(config)["verify"]
    assert http.pool_limits(config).max_connections == min(config.max_connections, http.REQUESTS_PER_CLIENT)


def test_sync_future_methods_answer_at_once_and_result_waits(tinker: ModuleType) -> None:
    """A sync method whose endpoint answers a server-side future returns an APIFuture once the
    request is submitted, without waiting for the result (0.38's sync futures): the polls run in
    the background; `.result()` waits for them; calls leave in the order they are made."""
    import threading

    release = threading.Event()
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        if "/client/" in request.url.path:  # the family's server configuration: a server without it
            return httpx.Response(404)
        seen.append(request)
        if request.url.path.endswith("/optim_step"):
            seq = json.loads(request.content)["seq_id"]
            return httpx.Response(200, json={"request_id": f"r{seq}"})
        assert request.url.path.endswith("/retrieve_future")
        assert release.wait(10), "the test never released the polls"
        return httpx.Response(200, json={"metrics": {"loss:mean": 1.0}})

    http = httpx.Client(transport=httpx.MockTransport(handle))
    with tinker.TrainingClient(api_key="tml-k", base_url="http://tinker.test", http_client=http) as client:
        client._state["model_id"] = "m1"
        first = client.optim_step(adam_params=tinker.types.AdamParams(learning_rate=1e-4))
        second = client.optim_step(adam_params=tinker.types.AdamParams(learning_rate=1e-4))
        assert isinstance(first, tinker.APIFuture) and not first.done() and not second.done()
        submits = [json.loads(r.content)["seq_id"] for r in seen if r.url.path.endswith("/optim_step")]
        assert submits == sorted(submits) and len(submits) == 2  # both left before any result
        with pytest.raises(TimeoutError):
            first.result(timeout=0)
        release.set()
        assert first.result(timeout=10).metrics == {"loss:mean": 1.0}
        assert second.result(timeout=10).metrics == {"loss:mean": 1.0} and second.exception() is None


def test_sync_future_of_a_failed_submission_raises_from_result(tinker: ModuleType) -> None:
    http = httpx.Client(transport=httpx.MockTransport(lambda request: httpx.Response(400, json={"detail": "bad"})))
    with tinker.TrainingClient(api_key="tml-k", base_url="http://tinker.test", http_client=http) as client:
        client._state["model_id"] = "m1"
        future = client.optim_step(adam_params=tinker.types.AdamParams(learning_rate=1e-4))
        assert future.done() and isinstance(future.exception(), tinker.BadRequestError)
        with pytest.raises(tinker.BadRequestError):
            future.result()
