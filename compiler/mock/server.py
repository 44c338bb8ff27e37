"""The mock server: every endpoint of a manifest over HTTP, the futures protocol, scripted faults,
and a record of every request, on aiohttp.

One request, top to bottom (:meth:`MockServer._serve`):

1. recorded (in arrival order) and matched to an endpoint by method and path template;
2. held while the control API holds responses (``POST /__tinkc/hold``), unless it fetches a
   client's server configuration (``server_config``);
3. the endpoint's script, if any entry is left, answers it (status, body, headers, delay, a dropped
   connection, a malformed body) — or only adjusts the normal answer; without a script entry, the
   scenario's random ``faults`` may pick a fault for it (a scripted answer of the same kinds);
4. a non-idempotent request whose idempotency key was executed before gets the stored answer again
   (the server does not execute it twice);
5. the normal answer: 401 without the auth header, 422 for a body, query or path parameter that does
   not fit its type, the futures protocol for promise_result and retrieve endpoints, a 302 for
   ``redirect_location`` endpoints, 204 for endpoints without a response type, else a generated body.

Everything runs on one event loop, so the state needs no locks: call :class:`MockServer`'s methods on
the loop that runs it, or use :func:`running_mock`, whose handle forwards calls to the server's thread.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import random
import re
import socket
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from http import HTTPStatus
from typing import Any, Generic, TypeVar
from urllib.parse import unquote

import attrs
from aiohttp import web

from tinkc.diagnostics import Sink
from tinkc.frontend.load import parse_yaml
from tinkc.frontend.model import to_plain
from tinkc.ir import nodes as ir
from tinkc.ir.types import base_type
from tinkc.mock import sse
from tinkc.mock.routes import Match, Router
from tinkc.mock.scenario import (
    ANY_FUTURE,
    EMPTY,
    FUTURE_DEFAULTS,
    Faults,
    Reply,
    Scenario,
    ScenarioError,
    parse_scenario,
)
from tinkc.mock.sequence import SequenceChecker
from tinkc.mock.values import Checker, Generator, Rand, parse_text
from tinkc.sdk.params import PageControl, PagePlan, endpoint_params, plan_page

CONTROL = "/__tinkc"
MAX_BODY = 256 * 1024 * 1024
BACKLOG = 4096  # the kernel caps it at net.core.somaxconn
MALFORMED = b'{"tinkc_mock": "this body is cut short on purpose'
INJECTED_5XX = (500, 502, 503, 504)
DEFAULT_IDEMPOTENCY = ("X-Idempotency-Key", ("POST", "PUT", "PATCH", "DELETE"))

T = TypeVar("T")


@attrs.define
class Answer:
    """What the server answers one request with (before it is written)."""

    status: int = 200
    headers: dict[str, str] = attrs.field(factory=dict)
    json: Any = None
    has_json: bool = False
    raw: bytes | None = None  # a body that is not JSON (text, malformed)
    source: str = "generated"  # generated | future | scripted | error | redirect | replayed | control
    drop: bool = False
    executed: bool | None = None
    result: Answer | None = None  # the normal answer executed behind a scripted one (stored for replays)
    fault: str | None = None  # the kind of the random fault that made this answer

    @classmethod
    def of_json(cls, status: int, body: Any, source: str, **kw: Any) -> Answer:
        return cls(status=status, json=body, has_json=True, source=source, **kw)


@attrs.define
class _Future:
    request_id: str
    endpoint: str
    feature: str
    settings: dict[str, Any]
    result: Any
    polls: int = 0
    pending_answered: int = 0
    storm: int = 0  # pending answers still owed to an injected try_again storm
    metadata_answered: int = 0  # complete_metadata answers given (the payload was asked for after)

    def to_json(self) -> dict[str, Any]:
        left = max(self.settings["pending_polls"] - self.pending_answered, 0) + self.storm
        state = "pending" if left else ("failed" if self.settings.get("error") is not None else "complete")
        out = {"request_id": self.request_id, "endpoint": self.endpoint, "polls": self.polls, "pending_polls_left": left, "state": state}
        if self.metadata_answered:  # only futures scripted with complete_metadata have any
            out["metadata_answered"] = self.metadata_answered
        return out


class _Script(Generic[T]):
    """The remaining entries of one script (``times`` expanded lazily)."""

    def __init__(self, entries: tuple[T, ...], times: Callable[[T], int]) -> None:
        self.queue: deque[tuple[T, list[int]]] = deque((e, [times(e)]) for e in entries)

    def next(self) -> T | None:
        while self.queue:
            entry, left = self.queue[0]
            if left[0] > 0:
                left[0] -= 1
                if left[0] == 0:
                    self.queue.popleft()
                return entry
            self.queue.popleft()
        return None

    def remaining(self) -> list[tuple[T, int]]:
        return [(e, left[0]) for e, left in self.queue]


class MockServer:
    """A mock of one API. ``scenario``: a :class:`Scenario`, or plain data in the scenario format.

    ``await start(host, port)`` returns the port (pass 0 for a free one); ``await stop()`` closes it.
    """

    def __init__(self, api: ir.Api, scenario: Scenario | Mapping[str, Any] | None = None) -> None:
        self.api = api
        self.router = Router(api.endpoints.values())
        self.generator = Generator(api)
        self.checker = Checker(api)
        self.sequences = SequenceChecker(api)  # counter starts and ordered submission, as the manifest declares them
        self.auth_header = api.service.auth.header if api.service.auth else None
        self._epoch = time.monotonic()  # recordings say when they arrived, in ms since the server began
        self._retrieve: dict[str, list[ir.Feature]] = {}
        # the endpoints clients fetch their server configuration from (server_config)
        self._config_endpoints = {eid for f in api.features.values() if isinstance(f.params, ir.ServerConfig) for eid in f.params.endpoints}
        for f in api.features.values():
            if isinstance(f.params, ir.PromiseResult):
                self._retrieve.setdefault(f.params.retrieve_endpoint, []).append(f)
        self.initial_scenario = self._scenario(scenario)
        self.host: str | None = None
        self.port: int | None = None
        self._runner: web.AppRunner | None = None
        self._released = asyncio.Event()
        self._released.set()
        self._closing = asyncio.Event()  # set by stop(): scripted delays end at once
        self._in_flight_waiters: list[tuple[int, asyncio.Future[None]]] = []
        self.in_flight = 0
        self.held = 0
        self._reset(self.initial_scenario)

    # ---- life cycle

    @property
    def url(self) -> str:
        if self.port is None or self.host is None:
            raise RuntimeError("the mock server is not running")
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> int:
        app = web.Application(client_max_size=MAX_BODY)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=1.0)
        await runner.setup()
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
        sock = socket.socket(family, kind, proto)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(address)
            site = web.SockSite(runner, sock, backlog=BACKLOG)
            await site.start()
        except BaseException:
            sock.close()
            await runner.cleanup()
            raise
        self._runner = runner
        self._closing.clear()
        self.host, self.port = host, sock.getsockname()[1]
        return self.port

    async def stop(self) -> None:
        self._closing.set()  # delayed requests are dropped instead of waiting out the shutdown timeout
        self._released.set()
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()
        self.port = None

    # ---- state (call on the server's loop)

    def _scenario(self, scenario: Scenario | Mapping[str, Any] | None) -> Scenario:
        if scenario is None:
            return EMPTY
        if isinstance(scenario, Scenario):
            return scenario
        return parse_scenario(dict(scenario), self.api, router=self.router)

    def _reset(self, scenario: Scenario) -> None:
        self.recordings: list[dict[str, Any]] = []
        self._seq = 0
        self._counters: dict[str, int] = {}
        self._futures: dict[str, _Future] = {}
        self._idempotency: dict[str, dict[str, Any]] = {}
        self._stored: dict[str, Answer] = {}  # the answer of each executed idempotency key
        self._calls: dict[tuple[str, str], dict[str, Any]] = {}  # logical calls, by (endpoint, call tag)
        self._missing_keys: dict[str, int] = {}
        self.sequences.reset()
        self._faults_injected: dict[str, int] = {}  # by kind, until a reset (across scenario loads)
        self.max_in_flight = self.in_flight
        self._load(scenario)

    def _load(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self._call_tag = re.compile(scenario.idempotency.call_tag) if scenario.idempotency.call_tag else None
        # the faults' draw starts again with each scenario: the same seed and request order, the same faults
        self._fault_draws: dict[str, int] = {}
        self._burst_left: dict[str, int] = {}
        for kind in scenario.faults.kinds if scenario.faults else ():
            self._faults_injected.setdefault(kind, 0)
        self._scripts = {(k.endpoint, k.path): _Script(replies, lambda r: r.times) for k, replies in scenario.responses}
        self._script_keys = {(k.endpoint, k.path): k.written for k, _ in scenario.responses}
        self._future_default: dict[str, Any] = dict(FUTURE_DEFAULTS)
        self._future_every: dict[str, dict[str, Any]] = {}
        self._future_each: dict[str, _Script[dict[str, Any]]] = {}
        for key, script in scenario.futures:
            if key == ANY_FUTURE:
                self._future_default.update(script.entries[0])
            elif script.mode == "every":
                self._future_every[key] = script.entries[0]
            else:
                self._future_each[key] = _Script(script.entries, lambda e: e.get("times", 1))

    def load_scenario(self, scenario: Scenario | Mapping[str, Any] | None) -> Scenario:
        """Replace the scripts and future settings (recordings and futures in flight stay)."""
        loaded = self._scenario(scenario)
        self._load(loaded)
        return loaded

    def reset(self, *, rewind: bool = False) -> None:
        """Forget the recordings, futures, counters, idempotency keys and scripts. With ``rewind``,
        the startup scenario is loaded again from its start (the state of a server just started)."""
        self._reset(self.initial_scenario if rewind else EMPTY)

    def requests(self, endpoint: str | None = None) -> list[dict[str, Any]]:
        """Every request seen, in arrival order (each with the answer it got)."""
        return [r for r in self.recordings if endpoint is None or r["endpoint"] == endpoint]

    def idempotency(self) -> dict[str, Any]:
        """Per idempotency key: how often a non-idempotent request carrying it arrived, was executed
        and was answered from the stored result; per logical call (with a ``call_tag``): how often it
        was executed, under which keys. ``duplicates``: keys or logical calls executed more than once."""
        keys = {k: dict(v) for k, v in self._idempotency.items()}
        calls = {f"{e} {tag}": {**v, "keys": list(v["keys"])} for (e, tag), v in sorted(self._calls.items())}
        duplicates: list[dict[str, Any]] = [
            {"kind": "key", "key": k, "endpoint": v["endpoint"], "executions": v["executions"]}
            for k, v in sorted(keys.items())
            if v["executions"] > 1
        ]
        duplicates += [{"kind": "call", **v} for v in calls.values() if v["executions"] > 1]
        return {
            "keys": keys,
            "calls": calls,
            "duplicates": duplicates,
            "without_key": dict(sorted(self._missing_keys.items())),
            "totals": {
                "keys": len(keys),
                "attempts": sum(v["attempts"] for v in keys.values()),
                "executions": sum(v["executions"] for v in keys.values()),
                "replays": sum(v["replays"] for v in keys.values()),
                "calls": len(calls),
                "duplicates": len(duplicates),
            },
        }

    def faults(self) -> dict[str, Any]:
        """The random faults of the loaded scenario, and how many of each kind were injected since the
        last reset (whatever scenario was loaded then)."""
        config = self.scenario.faults
        return {
            "faults": config.to_json() if config else None,
            "injected": dict(self._faults_injected),
            "total": sum(self._faults_injected.values()),
            "drawn": sum(self._fault_draws.values()),
        }

    def sequence_report(self) -> dict[str, Any]:
        """How many counter-carrying requests were checked, and every start or order violation."""
        return self.sequences.report()

    def stats(self) -> dict[str, Any]:
        return {
            "requests": self._seq,
            "in_flight": self.in_flight,
            "max_in_flight": self.max_in_flight,
            "held": self.held,
            "holding": not self._released.is_set(),
        }

    def futures(self) -> list[dict[str, Any]]:
        return [f.to_json() for f in self._futures.values()]

    def hold(self, held: bool = True) -> None:
        """While held, requests wait (after being recorded) before they are answered."""
        if held:
            self._released.clear()
        else:
            self._released.set()

    async def wait_in_flight(self, count: int, timeout: float | None = None) -> bool:
        """Wait until at least ``count`` requests are being handled at once; False on timeout."""
        if self.in_flight >= count:
            return True
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._in_flight_waiters.append((count, waiter))
        try:
            await asyncio.wait_for(waiter, timeout)
        except TimeoutError:
            return False
        finally:
            self._in_flight_waiters = [(n, w) for n, w in self._in_flight_waiters if w is not waiter]
        return True

    # ---- requests

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        raw_path = request.rel_url.raw_path
        if raw_path == CONTROL or raw_path.startswith(CONTROL + "/"):
            return await self._control(request, raw_path[len(CONTROL) :] or "/")
        self.in_flight += 1
        if self.in_flight > self.max_in_flight:
            self.max_in_flight = self.in_flight
        for n, waiter in self._in_flight_waiters:
            if self.in_flight >= n and not waiter.done():
                waiter.set_result(None)
        try:
            return await self._serve(request, raw_path)
        finally:
            self.in_flight -= 1

    async def _serve(self, request: web.Request, raw_path: str) -> web.StreamResponse:
        record: dict[str, Any] = {
            "seq": self._seq,
            "received_ms": round((time.monotonic() - self._epoch) * 1000, 3),
            "method": request.method,
            "path": unquote(raw_path),
            "raw_path": raw_path,
            "endpoint": None,
            "path_params": {},
            "query": _query(request),
            "headers": _headers(request),
            "body": None,
            "body_kind": "empty",
            "response": None,
        }
        self._seq += 1
        self.recordings.append(record)
        data = await request.read()
        body, record["body_kind"] = _body(data)
        record["body"] = body
        found = self.router.match(request.method, raw_path)
        if isinstance(found, Match):
            record["endpoint"], record["path_params"] = found.endpoint.id, found.params
            self.sequences.arrived(record["seq"], found.endpoint.id, body)
        # a client's start-up fetch of its configuration is never held: a hold proves the calls'
        # concurrency, which would otherwise wait behind the fetch their client makes first
        if not self._released.is_set() and record["endpoint"] not in self._config_endpoints:
            self.held += 1
            try:
                await self._released.wait()
            finally:
                self.held -= 1
        if not isinstance(found, Match):
            if found.allowed:
                answer = Answer.of_json(405, {"detail": f"{request.method} is not allowed here"}, "error")
                answer.headers["Allow"] = ", ".join(found.allowed)
            else:
                answer = Answer.of_json(404, {"detail": f"no endpoint answers {request.method} {record['path']}"}, "error")
            return self._send(request, record, answer, None)
        ep = found.endpoint
        reply = self._next_reply(ep, raw_path)
        fault = None
        if reply is None and self.scenario.faults is not None:
            fault, reply = self._draw_fault(self.scenario.faults, ep, body)
        if reply is not None and reply.delay_ms:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._closing.wait(), reply.delay_ms / 1000)
        if self._closing.is_set():
            return self._send(request, record, Answer(source="shutdown", drop=True), reply)
        if reply is None or reply.modifies_default:
            answer = self._replay(request, ep) or self._default(request, ep, found.params, body, record["body_kind"])
            if reply is not None:
                if reply.status is not None and 200 <= answer.status < 300:
                    answer.status = reply.status
                answer.headers.update(reply.headers)
                answer.source = "scripted" if answer.source == "generated" else answer.source
                if reply.executed is not None:
                    answer.executed = reply.executed
        else:
            answer = _scripted(reply)
            if reply.executed and self._replay(request, ep) is not None:
                if fault is not None:  # the key's work was done before: a fault cannot do it again
                    answer.executed = False
            elif reply.executed:
                # the work was done, then the answer lost (a connection broken after the commit): the
                # normal answer is what a retry with the same idempotency key gets
                answer.result = self._default(request, ep, found.params, body, record["body_kind"])
                if fault is not None and answer.result.status >= 400:  # a fault only loses work that succeeded
                    answer.executed, answer.result = False, None
        answer.fault = fault
        self._count_idempotency(request, ep, answer, found.params, body)
        return self._send(request, record, answer, reply)

    def _draw_fault(self, faults: Faults, ep: ir.Endpoint, body: Any) -> tuple[str | None, Reply | None]:
        """Whether this request gets a random fault, and which (a reply like a scripted one). Decided
        by the seed, the endpoint and the number of its requests before this one, nothing else."""
        if faults.endpoints and ep.id not in faults.endpoints:
            return None, None
        n = self._fault_draws.get(ep.id, 0)
        self._fault_draws[ep.id] = n + 1
        rng = random.Random(f"{faults.seed}/{ep.id}/{n}")  # seeding with text is stable across processes
        if self._burst_left.get(ep.id, 0) > 0:
            self._burst_left[ep.id] -= 1
            kind = "5xx_burst"
        else:
            if rng.random() >= faults.rate:
                return None, None
            kinds = [k for k in faults.kinds if k != "try_again_storm" or ep.id in self._retrieve]
            if not kinds:
                return None, None
            kind = kinds[rng.randrange(len(kinds))]
            if kind == "5xx_burst":
                self._burst_left[ep.id] = faults.burst - 1
        reply: Reply | None
        if kind == "5xx_burst":
            status = INJECTED_5XX[rng.randrange(len(INJECTED_5XX))]
            reply = _fault_reply(status)
        elif kind == "429":
            reply = _fault_reply(429, headers=(("Retry-After", "1"),))
        elif kind == "408":
            reply = _fault_reply(408)
        elif kind == "slow":
            reply = Reply(delay_ms=rng.uniform(*faults.slow_ms))
        elif kind == "malformed":  # executed, its answer cut short on the way: a retry gets the stored answer
            reply = Reply(malformed=True, executed=True)
        elif kind == "drop":
            reply = Reply(drop=True, executed=rng.random() < faults.drop_executed)
        else:  # try_again_storm: the future answers "try again" a few more times before its outcome
            future = self._future_of(ep, body)
            if future is None:
                return None, None
            future.storm += rng.randint(*faults.storm_polls)
            reply = None
        self._faults_injected[kind] = self._faults_injected.get(kind, 0) + 1
        return kind, reply

    def _replay(self, request: web.Request, ep: ir.Endpoint) -> Answer | None:
        """The stored answer of an idempotency key already executed (None: execute the request)."""
        header, methods = self._idempotency_rule(ep)
        key = request.headers.get(header) if request.method in methods else None
        stored = self._stored.get(key) if key else None
        if stored is None:
            return None
        headers = {**stored.headers, "Idempotent-Replayed": "true"}
        return attrs.evolve(stored, headers=headers, source="replayed", executed=False, result=None, fault=None)

    def _next_reply(self, ep: ir.Endpoint, raw_path: str) -> Reply | None:
        for path in (raw_path, unquote(raw_path)):
            script = self._scripts.get((ep.id, path))
            if script is not None:
                reply = script.next()
                if reply is not None:
                    return reply
        script = self._scripts.get((ep.id, None))
        return script.next() if script is not None else None

    def _send(self, request: web.Request, record: dict[str, Any], answer: Answer, reply: Reply | None) -> web.StreamResponse:
        self.sequences.answered(record["seq"])
        response_record: dict[str, Any] = {"source": answer.source}
        if answer.fault is not None:
            response_record["fault"] = answer.fault
        elif reply is not None:
            response_record["script"] = reply.to_json()
        if answer.drop:
            response_record.update(status=None, dropped=True)
            record["response"] = response_record
            if request.transport is not None:
                request.transport.close()
            return web.Response(status=599)  # never written: the connection is closed
        headers = {"x-request-id": f"mock-{record['seq']}", **answer.headers}
        if answer.has_json:
            payload: bytes | None = json.dumps(answer.json, separators=(",", ":")).encode()
            headers.setdefault("Content-Type", "application/json")
        else:
            payload = answer.raw
        response_record.update(status=answer.status, headers={k.lower(): v for k, v in headers.items()})
        if answer.has_json:
            response_record["body"] = answer.json
        elif answer.raw is not None:
            response_record["body"] = answer.raw.decode("utf-8", "replace")
        if answer.raw is MALFORMED:
            response_record["malformed"] = True
        record["response"] = response_record
        return web.Response(status=answer.status, body=payload, headers=headers)

    # ---- the normal answer

    def _count(self, ep: ir.Endpoint) -> int:
        n = self._counters.get(ep.id, 0)
        self._counters[ep.id] = n + 1
        return n

    def _default(self, request: web.Request, ep: ir.Endpoint, params: dict[str, str], body: Any, kind: str) -> Answer:
        header = self.auth_header
        if header is not None and not request.headers.get(header, "").strip():
            return Answer.of_json(401, {"detail": f"missing API key: send it in the {header} header"}, "error")
        problems = self._problems(request, ep, params, body, kind)
        if problems:
            return Answer.of_json(422, {"detail": problems}, "error")
        future = self.api.future_feature(ep)
        if future is not None:
            return self._submit(ep, future, params, body)
        if ep.id in self._retrieve:
            return self._retrieve_future(ep, body, request.headers)
        n = self._count(ep)
        if ep.response_handler == "redirect_location":
            location = f"{request.scheme}://{request.host}{CONTROL}/files/{ep.id}/{n}"
            return Answer(status=302, headers={"Location": location}, source="redirect")
        if ep.response is None:
            return Answer(status=204, source="generated")
        if ep.stream is not None:
            # a few generated events (a scenario scripts others with `events:`)
            events = [sse.Event(data=self._generate(ep.response, f"{ep.id}#{n}#{i}", body, params), has_data=True) for i in range(3)]
            return Answer(status=200, raw=sse.stream_text(events).encode(), headers={"Content-Type": sse.CONTENT_TYPE}, source="generated")
        exchange = self.api.service.auth.exchange if self.api.service.auth else None
        if exchange is not None and ep.id == exchange.endpoint:
            return Answer.of_json(200, self._token(ep, exchange, n, body, params), "generated")
        value = self._generate(ep.response, f"{ep.id}#{n}", body, params)
        if ep.id in self._config_endpoints:
            return Answer.of_json(200, self._config_answer(ep, value), "generated")
        return Answer.of_json(200, self._last_page(ep, value, request, body), "generated")

    def _config_answer(self, ep: ir.Endpoint, value: Any) -> Any:
        """A config endpoint's answer holds its record's declared defaults, as a server with nothing
        to change would send (random flags would switch SDK behaviour by chance); a scenario
        scripts other values with `responses`."""
        rec = self.api.record(ep.response)
        if rec is None or not isinstance(value, dict):
            return value
        for f in rec.fields:
            if f.has_default:
                value[f.json_name] = ir.thaw(f.default)
        return value

    def _last_page(self, ep: ir.Endpoint, value: Any, request: web.Request, body: Any) -> Any:
        """A generated answer of a paginated endpoint is its last page, so that an SDK iterating
        the pages ends (scripted answers make longer sequences): no next cursor or URL; for
        limit/offset, fewer items than the limit sent and a total that ends at this page."""
        page = plan_page(self.api, ep, endpoint_params(self.api, ep)[0])
        if not isinstance(page, PagePlan) or not isinstance(value, dict):
            return value
        if page.style != "limit_offset":
            if page.next_path:
                _end(self.api, ep.response, value, page.next_path)
            return value
        items = value.get(page.items_wire)
        if not isinstance(items, list):
            return value

        def control(c: PageControl | None) -> Any:
            if c is None:
                return None
            given = request.query.get(c.wire) if c.location == "query" else body.get(c.wire) if isinstance(body, dict) else None
            try:
                return int(given) if given is not None else None
            except (TypeError, ValueError):
                return None

        limit, offset = control(page.limit), control(page.offset) or 0
        if limit is not None and len(items) >= limit:
            del items[max(limit - 1, 0) :]
        if page.total_path:
            _put(value, page.total_path, offset + len(items))
        return value

    def _token(self, ep: ir.Endpoint, exchange: ir.AuthExchange, n: int, body: Any, params: dict[str, str]) -> Any:
        """The exchange's answer: a token an SDK can keep (an unsigned JWT expiring in 2100 when its
        lifetime is the JWT's claim, else the lifetime field says 3600 seconds). Like every answer
        of the mock it depends on the request counter only, never on the time."""
        assert ep.response is not None
        answer = self._generate(ep.response, f"{ep.id}#{n}", body, params)
        if not isinstance(answer, dict):
            return answer
        if exchange.lifetime_field is not None:
            answer[exchange.token_field] = f"mock-token-{n}"
            answer[exchange.lifetime_field] = 3600
        else:
            claims = {"sub": f"mock-token-{n}", exchange.lifetime_claim or "exp": MOCK_TOKEN_EXPIRY}
            answer[exchange.token_field] = unsigned_jwt(claims)
        return answer

    def _problems(self, request: web.Request, ep: ir.Endpoint, params: dict[str, str], body: Any, kind: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        for p in ep.path_params:
            if p.name in params:
                _, problem = parse_text(self.api, p.type, params[p.name])
                if problem:
                    found.append({"loc": ["path", p.name], "msg": problem, "type": "type"})
        for q in ep.query:
            wire = q.wire_name or q.name
            values = request.query.getall(wire, [])
            if not values:
                if q.required:
                    found.append({"loc": ["query", wire], "msg": f"missing required query parameter `{wire}`", "type": "missing"})
                continue
            for value in values:
                _, problem = parse_text(self.api, q.type, value)
                if problem:
                    found.append({"loc": ["query", wire], "msg": problem, "type": "type"})
        if ep.request is not None:
            if kind == "empty":
                found.append({"loc": ["body"], "msg": "a JSON request body is required", "type": "missing"})
            elif kind != "json":
                found.append({"loc": ["body"], "msg": "the request body is not valid JSON", "type": "json"})
            else:
                found.extend(p.to_json() for p in self.checker.problems(ep.request, body))
        return found

    def _generate(self, t: ir.TypeRef, seed: str, *sources: Any) -> Any:
        """A value of ``t``; top-level fields named like a field of one of ``sources`` (the request body,
        the path parameters) echo its value when it fits the field's type."""
        value = self.generator.value(t, Rand(seed), name="value")
        rec = self.api.record(t)
        if rec is None or not isinstance(value, dict):
            return value
        for f in rec.fields:
            for source in sources:
                given = source.get(f.json_name) if isinstance(source, dict) else None
                if given is not None and self.checker.fits(f.type, given):
                    value[f.json_name] = given
                    break
        return value

    # ---- futures

    def _future_settings(self, endpoint: str) -> dict[str, Any]:
        settings = dict(self._future_default)
        each = self._future_each.get(endpoint)
        entry = each.next() if each is not None else None
        if entry is None:
            entry = self._future_every.get(endpoint, {})
        settings.update({k: v for k, v in entry.items() if k != "times"})
        return settings

    def _submit(self, ep: ir.Endpoint, feature: ir.Feature, params: dict[str, str], body: Any) -> Answer:
        spec = feature.params
        assert isinstance(spec, ir.PromiseResult)
        n = self._count(ep)
        request_id = f"req-{ep.id}-{n}"
        settings = self._future_settings(ep.id)
        if "result" in settings:
            result = settings["result"]
        else:
            result = self._generate(ep.response, f"{ep.id}#{n}", body, params) if ep.response is not None else {}
        stored = {spec.result_field: result} if spec.result_field is not None else result
        self._futures[request_id] = _Future(request_id, ep.id, feature.id, settings, stored)
        if spec.handle_type is not None:
            # the handle agrees with the request and the result (`model_id` of a model being created)
            handle = self._generate(spec.handle_type, f"{ep.id}#{n}/handle", body, params, result)
            if not isinstance(handle, dict):
                handle = {}
        else:
            handle = {}
        handle[spec.request_id_field] = request_id
        return Answer.of_json(200, handle, "future")

    def _request_id_key(self, ep: ir.Endpoint) -> tuple[ir.PromiseResult, str]:
        """The promise_result feature of a retrieve endpoint, and the JSON name of its request id."""
        spec = self._retrieve[ep.id][0].params
        assert isinstance(spec, ir.PromiseResult)
        rec = self.api.record(ep.request)
        id_field = rec.field(spec.request_id_field) if rec else None
        return spec, id_field.json_name if id_field else spec.request_id_field

    def _future_of(self, ep: ir.Endpoint, body: Any) -> _Future | None:
        """The future a request of a retrieve endpoint asks about (None for another endpoint)."""
        if ep.id not in self._retrieve:
            return None
        _, key = self._request_id_key(ep)
        request_id = body.get(key) if isinstance(body, dict) else None
        return self._futures.get(request_id) if isinstance(request_id, str) else None

    def _retrieve_future(self, ep: ir.Endpoint, body: Any, headers: Mapping[str, str]) -> Answer:
        spec, key = self._request_id_key(ep)
        future = self._future_of(ep, body)
        if future is None:
            request_id = body.get(key) if isinstance(body, dict) else None
            return Answer.of_json(404, {"detail": f"unknown request id {json.dumps(request_id)}"}, "future")
        future.polls += 1
        settings = future.settings
        # a poll that names another request type than its future's endpoint declares is a client bug
        expected_type = spec.request_type(future.endpoint)
        given_type = headers.get(spec.request_type_header) if spec.request_type_header else None
        if given_type is not None and given_type != expected_type:
            detail = f"{spec.request_type_header}: {given_type!r}, but {future.request_id} is a {expected_type!r} request"
            return Answer.of_json(400, {"detail": detail}, "error")
        storm = future.storm > 0
        if storm or future.pending_answered < settings["pending_polls"]:
            states = settings["queue_states"]
            pending: dict[str, Any] = {key: future.request_id}
            status = settings["pending_status"]
            if status == 200:  # a pending status (408) says "pending" by itself; 200 needs the marker
                pending = {spec.try_again_field: spec.try_again_value, **pending}
            if spec.queue_state_field:
                pending[spec.queue_state_field] = states[min(future.pending_answered, len(states) - 1)]
            if spec.queue_state_reason_field and settings.get("queue_state_reason") is not None:
                pending[spec.queue_state_reason_field] = settings["queue_state_reason"]
            if storm:  # a storm's pending answers do not use up the future's scripted pending polls
                future.storm -= 1
            else:
                future.pending_answered += 1
            return Answer.of_json(status, pending, "future")
        size = settings.get("complete_metadata")
        if size is not None and spec.metadata_only_field is not None and settings.get("error") is None:
            # the result is "too big to inline": its metadata only, while the poll allows that
            rec = self.api.record(ep.request)
            flag = rec.field(spec.metadata_only_field) if rec else None
            if isinstance(body, dict) and body.get(flag.json_name if flag else spec.metadata_only_field) is True:
                future.metadata_answered += 1
                metadata: dict[str, Any] = {spec.metadata_status_field: spec.metadata_status_value}
                if spec.metadata_size_field is not None:
                    metadata[spec.metadata_size_field] = size
                return Answer.of_json(200, metadata, "future")
        if settings.get("error") is not None:
            failed: dict[str, Any] = {spec.error_field: settings["error"]}
            if settings.get("category") is not None:
                failed[spec.category_field] = settings["category"]
            return Answer.of_json(200, failed, "future")
        return Answer.of_json(200, future.result, "future")

    # ---- idempotency

    def _idempotency_rule(self, ep: ir.Endpoint) -> tuple[str, tuple[str, ...]]:
        """The idempotency header of an endpoint and the methods that need one."""
        features = self.api.endpoint_features(ep, "idempotency_key")
        if features and isinstance(features[0].params, ir.IdempotencyKey):
            return features[0].params.header, tuple(features[0].params.methods)
        return DEFAULT_IDEMPOTENCY

    def _count_idempotency(self, request: web.Request, ep: ir.Endpoint, answer: Answer, params: Mapping[str, str], body: Any) -> None:
        header, methods = self._idempotency_rule(ep)
        if request.method not in methods:
            return
        key = request.headers.get(header) or None
        executed = answer.executed if answer.executed is not None else (not answer.drop and answer.status < 400)
        if key is None:
            self._missing_keys[ep.id] = self._missing_keys.get(ep.id, 0) + 1
        else:
            entry = self._idempotency.setdefault(
                key, {"endpoint": ep.id, "method": request.method, "attempts": 0, "executions": 0, "replays": 0}
            )
            entry["attempts"] += 1
            entry["executions"] += int(executed)
            entry["replays"] += int(answer.source == "replayed")
            if executed and key not in self._stored:
                stored = answer.result or answer
                if not stored.drop:
                    self._stored[key] = attrs.evolve(stored, headers=dict(stored.headers), result=None, fault=None)
        if executed and self._call_tag is not None:
            tag = _find_tag(self._call_tag, [*params.values(), *_query(request).values(), body])
            if tag is not None:
                call = self._calls.setdefault((ep.id, tag), {"endpoint": ep.id, "tag": tag, "executions": 0, "keys": []})
                call["executions"] += 1
                call["keys"].append(key)

    # ---- control API

    async def _control(self, request: web.Request, path: str) -> web.StreamResponse:
        method = request.method
        try:
            if path == "/" and method == "GET":
                return _json(self._info())
            if path == "/requests" and method == "GET":
                records = self.requests(request.query.get("endpoint"))
                since = request.query.get("since")
                if since is not None:
                    records = [r for r in records if r["seq"] >= int(since)]
                return _json(records)
            if path == "/requests" and method == "DELETE":
                self.recordings = []
                return _json({"ok": True})
            if path == "/reset" and method == "POST":
                data = await _read_data(request)
                self.reset(rewind=bool(data.get("rewind", False)) if isinstance(data, dict) else False)
                return _json({"ok": True})
            if path == "/scenario" and method == "GET":
                return _json(self._scenario_state())
            if path == "/scenario" and method in ("POST", "PUT"):
                data = await _read_data(request)
                try:
                    loaded = self.load_scenario(data or None)
                except ScenarioError as exc:
                    return _json({"error": "the scenario does not check", "diagnostics": [d.to_json() for d in exc.diagnostics]}, 400)
                return _json({"ok": True, "scenario": loaded.to_json()})
            if path == "/idempotency" and method == "GET":
                return _json(self.idempotency())
            if path == "/sequences" and method == "GET":
                return _json(self.sequence_report())
            if path == "/futures" and method == "GET":
                return _json(self.futures())
            if path == "/faults" and method == "GET":
                return _json(self.faults())
            if path == "/stats" and method == "GET":
                wanted = request.query.get("in_flight")
                if wanted is not None:
                    timeout = float(request.query.get("timeout_ms", "30000")) / 1000
                    if not await self.wait_in_flight(int(wanted), timeout):
                        return _json(self.stats(), 408)
                return _json(self.stats())
            if path == "/hold" and method == "POST":
                data = await _read_data(request)
                held = data.get("held", True) if isinstance(data, dict) else True
                self.hold(bool(held))
                return _json(self.stats())
            if path.startswith("/files/") and method == "GET":
                content = ("tinkc mock file " + path[len("/files/") :] + "\n").encode()
                return web.Response(body=content, content_type="application/octet-stream")
        except (ValueError, json.JSONDecodeError) as exc:
            return _json({"error": f"bad control request: {exc}"}, 400)
        return _json({"error": f"no control endpoint {method} {CONTROL}{path}", "control": _CONTROL_ROUTES}, 404)

    def _info(self) -> dict[str, Any]:
        return {
            "service": self.api.service.name,
            "auth_header": self.auth_header,
            "endpoints": [{"id": ep.id, "method": ep.method, "path": ep.path.template} for ep in self.api.endpoints.values()],
            "control": _CONTROL_ROUTES,
        }

    def _scenario_state(self) -> dict[str, Any]:
        remaining = {}
        for key, script in self._scripts.items():
            left = script.remaining()
            if left:
                remaining[self._script_keys[key]] = [{**r.to_json(), "times": n} for r, n in left]
        return {"scenario": self.scenario.to_json(), "remaining": remaining}


_CONTROL_ROUTES = [
    f"GET {CONTROL}/",
    f"GET {CONTROL}/requests[?endpoint=ID&since=SEQ]",
    f"DELETE {CONTROL}/requests",
    f"POST {CONTROL}/reset",
    f"GET {CONTROL}/scenario",
    f"POST {CONTROL}/scenario",
    f"GET {CONTROL}/idempotency",
    f"GET {CONTROL}/futures",
    f"GET {CONTROL}/sequences",
    f"GET {CONTROL}/faults",
    f"GET {CONTROL}/stats[?in_flight=N&timeout_ms=T]",
    f"POST {CONTROL}/hold",
    f"GET {CONTROL}/files/...",
]


MOCK_TOKEN_EXPIRY = 4102444800  # 2100-01-01T00:00:00Z: a fixed expiry keeps the mock's answers deterministic


def unsigned_jwt(claims: Mapping[str, Any]) -> str:
    """A JWT with these claims and no signature (`alg: none`): SDKs read its expiry, never verify it."""

    def part(value: Any) -> str:
        return base64.urlsafe_b64encode(json.dumps(value, separators=(",", ":")).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(dict(claims))}.mock"


def _scripted(reply: Reply) -> Answer:
    status = reply.status if reply.status is not None else 200
    answer = Answer(status=status, source="scripted", executed=reply.executed, drop=reply.drop)
    if reply.drop:
        return answer
    if reply.events is not None:
        answer.raw = sse.stream_text(reply.events).encode()
        answer.headers["Content-Type"] = sse.CONTENT_TYPE
    elif reply.has_body:
        answer.json, answer.has_json = reply.body, True
    elif reply.text is not None:
        answer.raw = reply.text.encode()
        answer.headers["Content-Type"] = "text/plain; charset=utf-8"
    elif reply.malformed:
        answer.raw = MALFORMED
        answer.headers["Content-Type"] = "application/json"
    elif status >= 400:
        phrase = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
        answer.json, answer.has_json = {"detail": f"{phrase} (scripted by tinkc mock)"}, True
    answer.headers.update(reply.headers)
    return answer


def _fault_reply(status: int, headers: tuple[tuple[str, str], ...] = ()) -> Reply:
    phrase = HTTPStatus(status).phrase
    return Reply(status=status, has_body=True, body={"detail": f"{phrase} (a fault injected by tinkc mock)"}, headers=headers)


def _find_tag(pattern: re.Pattern[str], values: list[Any]) -> str | None:
    """The first text among ``values`` (depth-first, mappings in their order) matching ``pattern``."""
    stack = list(reversed(values))
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            m = pattern.search(value)
            if m:
                return m.group(0)
        elif isinstance(value, dict):
            stack.extend(reversed(list(value.values())))
        elif isinstance(value, list):
            stack.extend(reversed(value))
    return None


def _json(data: Any, status: int = 200) -> web.Response:
    return web.Response(status=status, text=json.dumps(data), content_type="application/json")


async def _read_data(request: web.Request) -> Any:
    text = await request.text()
    if not text.strip():
        return None
    if "yaml" in request.content_type:
        sink = Sink()
        node = parse_yaml(text, "scenario", sink)
        if sink.has_errors:
            raise ValueError("; ".join(d.message for d in sink.items))
        return to_plain(node) if node is not None else None
    return json.loads(text)


def _query(request: web.Request) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k in request.query:
        if k not in out:
            values = request.query.getall(k)
            out[k] = values[0] if len(values) == 1 else list(values)
    return out


def _headers(request: web.Request) -> dict[str, str]:
    out: dict[str, str] = {}
    for k, v in request.headers.items():
        name = k.lower()
        out[name] = f"{out[name]}, {v}" if name in out else v
    return out


def _body(data: bytes) -> tuple[Any, str]:
    if not data:
        return None, "empty"
    try:
        return json.loads(data), "json"
    except (UnicodeDecodeError, json.JSONDecodeError):
        try:
            return data.decode("utf-8"), "text"
        except UnicodeDecodeError:
            return base64.b64encode(data).decode(), "base64"


# ---------------------------------------------------------------------------------------------
# A mock in a background thread (for synchronous tests and tools)


class MockHandle:
    """A running :class:`MockServer` seen from another thread: every call runs on the server's loop."""

    def __init__(self, server: MockServer, loop: asyncio.AbstractEventLoop) -> None:
        self.server = server
        self._loop = loop

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def port(self) -> int:
        assert self.server.port is not None
        return self.server.port

    def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        async def run() -> T:
            return fn(*args, **kwargs)

        return asyncio.run_coroutine_threadsafe(run(), self._loop).result()

    def requests(self, endpoint: str | None = None) -> list[dict[str, Any]]:
        return self.call(self.server.requests, endpoint)

    def load_scenario(self, scenario: Scenario | Mapping[str, Any] | None) -> Scenario:
        return self.call(self.server.load_scenario, scenario)

    def reset(self, *, rewind: bool = False) -> None:
        self.call(self.server.reset, rewind=rewind)

    def idempotency(self) -> dict[str, Any]:
        return self.call(self.server.idempotency)

    def stats(self) -> dict[str, Any]:
        return self.call(self.server.stats)

    def sequence_report(self) -> dict[str, Any]:
        return self.call(self.server.sequence_report)

    def futures(self) -> list[dict[str, Any]]:
        return self.call(self.server.futures)

    def faults(self) -> dict[str, Any]:
        return self.call(self.server.faults)

    def hold(self, held: bool = True) -> None:
        self.call(self.server.hold, held)

    def wait_in_flight(self, count: int, timeout: float | None = None) -> bool:
        """Block until ``count`` requests are in flight at once; False after ``timeout`` seconds."""
        return asyncio.run_coroutine_threadsafe(self.server.wait_in_flight(count, timeout), self._loop).result()


@contextlib.contextmanager
def running_mock(
    api: ir.Api, *, host: str = "127.0.0.1", port: int = 0, scenario: Scenario | Mapping[str, Any] | None = None
) -> Iterator[MockHandle]:
    """Run a mock in a background thread: ``with running_mock(api) as mock: httpx.get(mock.url + ...)``."""
    loop = asyncio.new_event_loop()
    server = MockServer(api, scenario)

    def run() -> None:
        asyncio.set_event_loop(loop)
        loop.run_forever()

    thread = threading.Thread(target=run, name="tinkc-mock", daemon=True)
    thread.start()
    try:
        asyncio.run_coroutine_threadsafe(server.start(host, port), loop).result()
        yield MockHandle(server, loop)
    finally:
        if server.port is not None:
            asyncio.run_coroutine_threadsafe(server.stop(), loop).result()
        loop.call_soon_threadsafe(loop.stop)
        thread.join()
        loop.close()


def _end(api: ir.Api, t: ir.TypeRef | None, value: dict[str, Any], path: tuple[str, ...]) -> None:
    """No next cursor or URL at a wire path, as the field's type allows: null, absent, or empty."""
    field: ir.Field | None = None
    for n, key in enumerate(path):
        record = api.record(base_type(api, t)[0]) if t is not None else None
        field = next((f for f in record.fields if f.json_name == key), None) if record is not None else None
        if field is None:
            return
        if n < len(path) - 1:
            inner = value.get(key)
            if not isinstance(inner, dict):
                return
            value, t = inner, field.type
    assert field is not None
    if base_type(api, field.type)[1]:
        value[path[-1]] = None
    elif not field.required:
        value.pop(path[-1], None)
    else:
        value[path[-1]] = ""


def _put(value: dict[str, Any], path: tuple[str, ...], item: Any) -> None:
    """Set the field at a wire path where its parents are objects (a null parent stays null)."""
    for key in path[:-1]:
        inner = value.get(key)
        if not isinstance(inner, dict):
            return
        value = inner
    value[path[-1]] = item
