"""Sending one request of an endpoint, with the manifest's retry, idempotency, backpressure and
redirect behaviour (copied verbatim by tinkc). `Transport` and `AsyncTransport` share every decision
(`_Attempt`); they differ only in how they wait and send."""

from __future__ import annotations

import asyncio
import enum
import functools
import json
import logging
import random
import re
import ssl
import threading
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar
from urllib.parse import quote

import httpx
from pydantic import TypeAdapter, ValidationError

from ._aio import AiohttpTransport
from ._auth import AuthScheme, TokenState, invalid_token
from ._config import Config
from ._errors import APIConnectionError, APITimeoutError, ResponseValidationError, SDKError, status_error
from ._retry import NO_RETRY, RetryPolicy

T = TypeVar("T")

# the SDK package's logger: retries at debug level, as the other SDKs
logger = logging.getLogger(__name__.rpartition(".")[0])

# RFC 6570 reserved expansion (`{+name}`): reserved characters, `/` among them, stay as they are.
_RESERVED = ":/?#[]@!$&'()*+,;="


@dataclass(frozen=True)
class Backpressure:
    statuses: tuple[tuple[int, int], ...]
    small_delay: float
    large_delay: float
    small_request_bytes: int
    headers: tuple[tuple[str, str], ...]
    fresh_idempotency_key: bool = False  # the resend is a new request: a new key (transport retries keep it)


@dataclass(frozen=True)
class RetryHandler:
    """The manifest's retry_handler: at most `max_connections` requests in flight per client, and
    transient failures retried without an attempt limit until `progress_timeout` passes with no
    progress (the call then fails as stuck)."""

    id: str
    max_connections: int
    progress_timeout: float
    base_delay: float
    max_delay: float
    jitter: float

    def backoff(self, retry: int, rand: float) -> float:
        return float(min(self.base_delay * 2.0**retry, self.max_delay) * (1 - self.jitter * rand))


@dataclass(frozen=True)
class QueueLog:
    """The manifest's queue_state_observer: the queue-state changes of the endpoint's futures are
    logged at `level`, at most once per `debounce` seconds for one feature, endpoint and key: the
    value of the first of `key_fields` the calling client holds (its sampling session, its model)."""

    id: str
    debounce: float
    level: str
    key_fields: tuple[str, ...] = ()

    def key_of(self, state: Mapping[str, object]) -> str | None:
        """The debounce key of a call by a client with this state (None: the client holds none)."""
        return next((str(v) for f in self.key_fields if (v := state.get(f)) is not None), None)


def transient(status: int) -> bool:
    return status in (408, 429) or status >= 500


@dataclass(frozen=True)
class Endpoint:
    """What the manifest says about one endpoint (generated per SDK)."""

    id: str
    method: str
    path: str  # the template: `{name}` is percent-encoded, `{+name}` inserted as it is (RFC 6570)
    headers: tuple[tuple[str, str], ...] = ()
    retry: RetryPolicy = NO_RETRY
    idempotency_header: str | None = None
    idempotency_prefix: str = ""  # the key is this prefix and a UUID
    backpressure: Backpressure | None = None
    redirect_location: bool = False
    timeout: float | None = None
    handler: RetryHandler | None = None
    request_type: str | None = None  # of a futures endpoint: sent with every poll of its futures
    queue_log: QueueLog | None = None


@dataclass(frozen=True)
class ServerConfig:
    """The manifest's server_config feature: endpoints a client family fetches, in this order, with
    their bodies (None: no body), before its first request (generated per SDK)."""

    fetches: tuple[tuple[Endpoint, Any], ...]


class ServerState:
    """A family's server-driven configuration: fetched once, before the family's first request
    (other requests wait for it); a fetch that fails in any way is skipped and leaves the defaults."""

    def __init__(self, spec: ServerConfig) -> None:
        self.spec = spec
        self.values: dict[str, Any] = {}
        self.fetched = False
        self.lock = threading.Lock()  # the sync transport's: its first requests may come from many threads
        self.alock: asyncio.Lock | None = None  # the async transport's, made in its event loop

    def keep(self, response: httpx.Response) -> None:
        """A fetch's answer: a JSON object's fields replace those fetched earlier; anything else is ignored."""
        data = parse_body(response)
        if isinstance(data, dict):
            self.values.update(data)


def carries_credential(tokens: TokenState, server: ServerState | None, endpoint: Endpoint) -> bool:
    """Whether a request carries the credential itself though the exchange is on: the exchange, and
    the server-config fetches (a family fetches its configuration before it exchanges, as 0.38)."""
    if endpoint.id == tokens.exchange.endpoint.id:
        return True
    return server is not None and any(e.id == endpoint.id for e, _ in server.spec.fetches)


_PARAM = re.compile(r"\{(\+?)([A-Za-z_][A-Za-z0-9_]*)\}")


def build_path(endpoint: Endpoint, params: Mapping[str, object]) -> str:
    def expand(m: re.Match[str]) -> str:
        value = params[m.group(2)]
        text = value.value if isinstance(value, enum.Enum) else str(value)
        return quote(str(text), safe=_RESERVED if m.group(1) else "")

    return _PARAM.sub(expand, endpoint.path)


# httpcore's connection pool re-examines all its connections (and, for each idle one, counts them all
# again) every time a request comes or goes, so its cost per request grows with the connections of
# one client: with 200 futures in flight on one client most of the time went there. The synchronous
# clients' requests are therefore spread over several clients, each with at most this many in flight
# (tinker's own SDK spreads them too, 50 a client, over a transport without that cost); a client is
# made when the ones there all carry this many. With 200 futures in flight (bench/sdk_compare.py),
# 20 and 50 were clearly slower than 10, and 5 no better than 10 beyond the noise of a shared
# machine while making twice the clients. The asynchronous clients' transport (aiohttp, see _aio.py)
# has no such cost: one client carries them all.
REQUESTS_PER_CLIENT = 10


def pool_limits(config: Config, size: int = REQUESTS_PER_CLIENT) -> httpx.Limits:
    """One client's pool: as many connections as it may have requests in flight."""
    size = min(config.max_connections, size)
    return httpx.Limits(max_connections=size, max_keepalive_connections=size)


def client_options(config: Config) -> dict[str, Any]:
    """The options of each pooled synchronous client. They share one TLS context: loading the
    certificate store takes about 0.1 s, once per context."""
    return {"timeout": config.timeout, "limits": pool_limits(config), "verify": _tls_context()}


def async_client(config: Config) -> httpx.AsyncClient:
    """The asynchronous clients' one httpx client, over aiohttp (see _aio.py), with the whole pool."""
    limits = pool_limits(config, config.max_connections)
    transport = AiohttpTransport(limits=limits, verify=_tls_context())
    return httpx.AsyncClient(timeout=config.timeout, limits=limits, verify=_tls_context(), transport=transport)


@functools.cache
def _tls_context() -> ssl.SSLContext:
    return httpx.create_ssl_context()


H = TypeVar("H", httpx.Client, httpx.AsyncClient)


class _Clients(Generic[H]):
    """The clients requests are spread over and how many requests each carries now. A client the
    caller gave is the only one (its pool, proxies and transport are the caller's choice); otherwise
    clients are made on demand, as many as `config.max_connections` needs at REQUESTS_PER_CLIENT
    each (`per_client`); when all of them are full, the least loaded takes the request and its pool
    queues it."""

    def __init__(
        self, config: Config, make: Callable[[], H], given: H | None, per_client: int = REQUESTS_PER_CLIENT
    ) -> None:
        self.make: Callable[[], H] = make
        self.clients: list[H] = [] if given is None else [given]
        self.active: list[int] = [0] * len(self.clients)
        self.per_client = per_client
        self.most = 1 if given is not None else max(1, -(-config.max_connections // per_client))

    def take(self) -> int:
        i = next((i for i, n in enumerate(self.active) if n < self.per_client), -1)
        if i < 0:
            if len(self.clients) < self.most:
                self.clients.append(self.make())
                self.active.append(0)
                i = len(self.clients) - 1
            else:
                i = min(range(len(self.active)), key=self.active.__getitem__)
        self.active[i] += 1
        return i


class ClientPool:
    """Synchronous clients shared by threads: taking and giving back a client is under a lock."""

    def __init__(self, config: Config, given: httpx.Client | None = None) -> None:
        self._clients = _Clients(config, lambda: httpx.Client(**client_options(config)), given)
        self._lock = threading.Lock()

    def request(self, method: str, url: httpx.URL | str, **options: Any) -> httpx.Response:
        with self._lock:
            i = self._clients.take()
            http = self._clients.clients[i]
        try:
            return http.request(method, url, **options)
        finally:
            with self._lock:
                self._clients.active[i] -= 1

    def close(self) -> None:
        for http in self._clients.clients:
            http.close()


class AsyncClientPool:
    """Asynchronous clients of one event loop: no lock, nothing awaits between taking and counting.
    Its own client is one (`async_client`) carrying `config.max_connections` requests at once."""

    def __init__(self, config: Config, given: httpx.AsyncClient | None = None) -> None:
        self._clients = _Clients(config, lambda: async_client(config), given, per_client=config.max_connections)

    async def request(self, method: str, url: httpx.URL | str, **options: Any) -> httpx.Response:
        i = self._clients.take()
        try:
            return await self._clients.clients[i].request(method, url, **options)
        finally:
            self._clients.active[i] -= 1

    async def aclose(self) -> None:
        for http in self._clients.clients:
            await http.aclose()


@functools.lru_cache(maxsize=1024)
def _parsed(url: str) -> httpx.URL:
    return httpx.URL(url)


def target(
    config: Config, endpoint: Endpoint, path: Mapping[str, object] | None, query: Mapping[str, object] | None
) -> tuple[httpx.URL, dict[str, object] | None]:
    """A request's URL and query parameters (None: none). Parsing a URL was a third of the CPU httpx
    spends building a request, and the same few URLs come back (the futures' retrieve endpoint
    above all): each is parsed once. httpx merges even an empty query into the URL, parsing it
    again; a URL without a query of its own is the same without it."""
    url = config.base_url + build_path(endpoint, path or {})
    params = drop_none(query or {})
    return _parsed(url), (params if params or "?" in url else None)


def drop_none(values: Mapping[str, object]) -> dict[str, object]:
    return {k: v for k, v in values.items() if v is not None}


def parse_body(response: httpx.Response) -> Any:
    if not response.content:
        return None
    try:
        return response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return response.text


def decode(response: httpx.Response, adapter: TypeAdapter[T]) -> T:
    """The response body as the declared type, or ResponseValidationError."""
    try:
        data = response.json() if response.content else None
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise ResponseValidationError("the response body is not JSON", body=response.text[:1000]) from None
    return validate(data, adapter)


# The validation context of a decoded answer: a null stays null (see WireModel.model_post_init).
DECODING = {"tinkc": "decode"}


def validate(data: Any, adapter: TypeAdapter[T]) -> T:
    try:
        return adapter.validate_python(data, context=DECODING)
    except ValidationError as exc:
        raise ResponseValidationError(
            f"the response does not have the declared shape: {exc.error_count()} problem(s)", body=data
        ) from None


class _Attempt:
    """The decisions of one logical request across its retries."""

    def __init__(
        self,
        config: Config,
        endpoint: Endpoint,
        user_agent: str,
        body: Any,
        rand: Callable[[], float],
        clock: Callable[[], float],
    ) -> None:
        self.endpoint = endpoint
        self.rand = rand
        self.clock = clock
        self.started = clock()
        self.retry = 0
        self.headers = {
            "accept": "application/json",
            "user-agent": user_agent,
            **dict(config.headers),
            **{k.lower(): v for k, v in endpoint.headers},
        }
        self.content = None if body is None else json.dumps(body, separators=(",", ":")).encode()
        if self.content is not None:
            self.headers["content-type"] = "application/json"
        if endpoint.idempotency_header:  # one key for the logical request, reused by every retry
            self.headers[endpoint.idempotency_header.lower()] = endpoint.idempotency_prefix + str(uuid.uuid4())
        if endpoint.backpressure:
            self.headers.update({k.lower(): v for k, v in endpoint.backpressure.headers})

    def on_exception(self, exc: httpx.TransportError) -> float:
        """Delay before retrying after no answer; raises when the policy says not to retry."""
        policy = self.endpoint.retry
        timeout = isinstance(exc, httpx.TimeoutException)
        if self.endpoint.handler is not None:
            return self.handler_delay()
        if self.retry < policy.max_retries and (policy.on_timeout if timeout else policy.on_connection_error):
            delay = policy.backoff(self.retry, self.rand())
            self.retry += 1
            logger.debug("%s: retry %d in %.3f s after %s", self.endpoint.id, self.retry, delay, type(exc).__name__)
            return delay
        if timeout:
            raise APITimeoutError(f"{self.endpoint.id}: no answer in time") from None
        raise APIConnectionError(f"{self.endpoint.id}: connection failed ({type(exc).__name__})") from None

    def on_response(self, response: httpx.Response) -> float | None:
        """None when the response is final (success), a delay to retry after, or raises."""
        status = response.status_code
        if status < 400 and not (300 <= status < 400 and not self.endpoint.redirect_location):
            return None
        bp = self.endpoint.backpressure
        if bp is not None and any(lo <= status <= hi for lo, hi in bp.statuses):
            small = len(self.content or b"") <= bp.small_request_bytes
            header = self.endpoint.idempotency_header
            if bp.fresh_idempotency_key and header:
                self.headers[header.lower()] = self.endpoint.idempotency_prefix + str(uuid.uuid4())
            return bp.small_delay if small else bp.large_delay  # backpressure is not an error: wait and resend
        policy = self.endpoint.retry
        if self.endpoint.handler is not None and transient(status):
            return self.handler_delay()
        if self.retry < policy.max_retries and policy.retries(status, response.headers):
            delay = policy.delay(self.retry, self.rand(), response.headers)
            self.retry += 1
            logger.debug("%s: retry %d in %.3f s after status %d", self.endpoint.id, self.retry, delay, status)
            return delay
        # the error carries what a raw response would: its status, headers and request id
        raise status_error(
            status, parse_body(response), response.headers.get("x-request-id"), dict(response.headers.items())
        )

    def handler_delay(self) -> float:
        """The retry handler retries until no progress was made for its progress timeout."""
        handler = self.endpoint.handler
        assert handler is not None
        if self.clock() - self.started >= handler.progress_timeout:
            raise APITimeoutError(f"{self.endpoint.id}: stuck, no progress for {handler.progress_timeout:g} s")
        delay = handler.backoff(self.retry, self.rand())
        self.retry += 1
        return delay


def _auth_of(
    config: Config, auth: AuthScheme | None, wall: Callable[[], float], rand: Callable[[], float]
) -> tuple[str, TokenState | None]:
    """The credential's header value, and the token state when the exchange is on."""
    if auth is None:
        return config.api_key, None
    exchange = auth.exchange
    tokens = None
    if exchange is not None and exchange.active(config.token_exchange):
        tokens = TokenState(exchange, auth, wall=wall, rand=rand)
    return auth.credential_value(config.api_key), tokens


class Transport:
    """Synchronous requests over an httpx.Client."""

    def __init__(
        self,
        config: Config,
        *,
        user_agent: str,
        auth_header: str,
        http: httpx.Client | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rand: Callable[[], float] = random.random,
        clock: Callable[[], float] = time.monotonic,
        wait: Callable[[threading.Event, float], bool] = threading.Event.wait,
        auth: AuthScheme | None = None,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self.config = config
        self.user_agent = user_agent
        self.auth_header = auth.header if auth is not None else auth_header
        self.credential, self.tokens = _auth_of(config, auth, wall, rand)
        self.token_lock = threading.Lock()  # one exchange at a time; the others wait for its token
        self.http = ClientPool(config, http)
        self.sleep = sleep
        self.rand = rand
        self.clock = clock
        self.wait = wait  # background loops wait on an event, for at most N seconds
        self.on_error: Callable[[Endpoint, SDKError], None] | None = None  # telemetry of failed calls
        self.slots: dict[str, threading.BoundedSemaphore] = {}
        self.slots_lock = threading.Lock()
        self.server: ServerState | None = None  # the family's server-driven configuration, when the manifest has one

    def _fetch_server_config(self) -> None:
        """Before the first request: the config endpoints, in order; failures leave the defaults."""
        server = self.server
        if server is None or server.fetched:
            return
        with server.lock:
            if server.fetched:
                return
            for endpoint, body in server.spec.fetches:
                try:
                    server.keep(self._limited(endpoint, path=None, query=None, body=body, headers=None))
                except SDKError as exc:
                    logger.debug("server config %s skipped: %s", endpoint.id, exc)
            server.fetched = True

    def _slot(self, handler: RetryHandler) -> threading.BoundedSemaphore:
        with self.slots_lock:
            return self.slots.setdefault(handler.id, threading.BoundedSemaphore(handler.max_connections))

    def send(
        self,
        endpoint: Endpoint,
        *,
        path: Mapping[str, object] | None = None,
        query: Mapping[str, object] | None = None,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        self._fetch_server_config()
        try:
            return self._limited(endpoint, path=path, query=query, body=body, headers=headers)
        except SDKError as exc:
            if self.on_error is not None:
                self.on_error(endpoint, exc)
            raise

    def _limited(
        self,
        endpoint: Endpoint,
        *,
        path: Mapping[str, object] | None,
        query: Mapping[str, object] | None,
        body: Any,
        headers: Mapping[str, str] | None,
    ) -> httpx.Response:
        if endpoint.handler is None:
            return self._send(endpoint, path=path, query=query, body=body, headers=headers)
        slot = self._slot(endpoint.handler)
        if not slot.acquire(timeout=endpoint.handler.progress_timeout):
            raise APITimeoutError(f"{endpoint.id}: stuck, no request slot for {endpoint.handler.progress_timeout:g} s")
        try:
            return self._send(endpoint, path=path, query=query, body=body, headers=headers)
        finally:
            slot.release()

    def _send(
        self,
        endpoint: Endpoint,
        *,
        path: Mapping[str, object] | None,
        query: Mapping[str, object] | None,
        body: Any,
        headers: Mapping[str, str] | None,
    ) -> httpx.Response:
        attempt = _Attempt(self.config, endpoint, self.user_agent, body, self.rand, self.clock)
        value = self._auth_value(endpoint)
        url, params = target(self.config, endpoint, path, query)
        replayed = False
        while True:
            # built for each attempt: a backpressure resend may carry a new idempotency key
            request_headers = {**attempt.headers, **(headers or {}), self.auth_header: value}
            try:
                response = self.http.request(
                    endpoint.method,
                    url,
                    params=params,
                    content=attempt.content,
                    headers=request_headers,
                    timeout=endpoint.timeout or self.config.timeout,
                    follow_redirects=not endpoint.redirect_location,
                )
            except httpx.TransportError as exc:
                self.sleep(attempt.on_exception(exc))
                continue
            if not replayed and self._rejected_token(endpoint, response):
                # one new token and one replay; a second rejection is the caller's error
                replayed = True
                assert self.tokens is not None
                self.tokens.invalidate(value)
                value = self._auth_value(endpoint)  # the next attempt's headers carry it
                continue
            delay = attempt.on_response(response)
            if delay is None:
                return response
            self.sleep(delay)

    def _rejected_token(self, endpoint: Endpoint, response: httpx.Response) -> bool:
        return (
            self.tokens is not None
            and response.status_code == 401
            and not carries_credential(self.tokens, self.server, endpoint)
            and invalid_token(response.headers)
        )

    def _auth_value(self, endpoint: Endpoint) -> str:
        """The auth header's value: the credential, or (when the exchange is on) a current token,
        exchanged for first when there is none or it is due. The exchange sends the credential."""
        if self.tokens is None or carries_credential(self.tokens, self.server, endpoint):
            return self.credential
        with self.token_lock:
            value = self.tokens.current()
            if value is None:
                x = self.tokens.exchange
                value = self.tokens.store(
                    parse_body(self._send(x.endpoint, path=None, query=None, body=x.body, headers=None))
                )
            return value

    def close(self) -> None:
        self.http.close()


class AsyncTransport:
    """Asynchronous requests over an httpx.AsyncClient; the same decisions as Transport."""

    def __init__(
        self,
        config: Config,
        *,
        user_agent: str,
        auth_header: str,
        http: httpx.AsyncClient | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        rand: Callable[[], float] = random.random,
        clock: Callable[[], float] = time.monotonic,
        auth: AuthScheme | None = None,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self.config = config
        self.user_agent = user_agent
        self.auth_header = auth.header if auth is not None else auth_header
        self.credential, self.tokens = _auth_of(config, auth, wall, rand)
        self.token_lock: asyncio.Lock | None = None  # made in the event loop that first needs it
        self.http = AsyncClientPool(config, http)
        self.sleep = sleep
        self.rand = rand
        self.clock = clock
        self.on_error: Callable[[Endpoint, SDKError], None] | None = None  # telemetry of failed calls
        self.slots: dict[str, asyncio.Semaphore] = {}
        self.server: ServerState | None = None  # the family's server-driven configuration, when the manifest has one

    async def _fetch_server_config(self) -> None:
        """Before the first request: the config endpoints, in order; failures leave the defaults."""
        server = self.server
        if server is None or server.fetched:
            return
        if server.alock is None:
            server.alock = asyncio.Lock()
        async with server.alock:
            if server.fetched:
                return
            for endpoint, body in server.spec.fetches:
                try:
                    server.keep(await self._limited(endpoint, path=None, query=None, body=body, headers=None))
                except SDKError as exc:
                    logger.debug("server config %s skipped: %s", endpoint.id, exc)
            server.fetched = True

    async def send(
        self,
        endpoint: Endpoint,
        *,
        path: Mapping[str, object] | None = None,
        query: Mapping[str, object] | None = None,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        await self._fetch_server_config()
        try:
            return await self._limited(endpoint, path=path, query=query, body=body, headers=headers)
        except SDKError as exc:
            if self.on_error is not None:
                self.on_error(endpoint, exc)
            raise

    async def _limited(
        self,
        endpoint: Endpoint,
        *,
        path: Mapping[str, object] | None,
        query: Mapping[str, object] | None,
        body: Any,
        headers: Mapping[str, str] | None,
    ) -> httpx.Response:
        if endpoint.handler is None:
            return await self._send(endpoint, path=path, query=query, body=body, headers=headers)
        slot = self.slots.setdefault(endpoint.handler.id, asyncio.Semaphore(endpoint.handler.max_connections))
        try:
            await asyncio.wait_for(slot.acquire(), timeout=endpoint.handler.progress_timeout)
        except asyncio.TimeoutError:
            raise APITimeoutError(
                f"{endpoint.id}: stuck, no request slot for {endpoint.handler.progress_timeout:g} s"
            ) from None
        try:
            return await self._send(endpoint, path=path, query=query, body=body, headers=headers)
        finally:
            slot.release()

    async def _send(
        self,
        endpoint: Endpoint,
        *,
        path: Mapping[str, object] | None,
        query: Mapping[str, object] | None,
        body: Any,
        headers: Mapping[str, str] | None,
    ) -> httpx.Response:
        attempt = _Attempt(self.config, endpoint, self.user_agent, body, self.rand, self.clock)
        value = await self._auth_value(endpoint)
        url, params = target(self.config, endpoint, path, query)
        replayed = False
        while True:
            # built for each attempt: a backpressure resend may carry a new idempotency key
            request_headers = {**attempt.headers, **(headers or {}), self.auth_header: value}
            try:
                response = await self.http.request(
                    endpoint.method,
                    url,
                    params=params,
                    content=attempt.content,
                    headers=request_headers,
                    timeout=endpoint.timeout or self.config.timeout,
                    follow_redirects=not endpoint.redirect_location,
                )
            except httpx.TransportError as exc:
                await self.sleep(attempt.on_exception(exc))
                continue
            if not replayed and self._rejected_token(endpoint, response):
                # one new token and one replay; a second rejection is the caller's error
                replayed = True
                assert self.tokens is not None
                self.tokens.invalidate(value)
                value = await self._auth_value(endpoint)  # the next attempt's headers carry it
                continue
            delay = attempt.on_response(response)
            if delay is None:
                return response
            await self.sleep(delay)

    def _rejected_token(self, endpoint: Endpoint, response: httpx.Response) -> bool:
        return (
            self.tokens is not None
            and response.status_code == 401
            and not carries_credential(self.tokens, self.server, endpoint)
            and invalid_token(response.headers)
        )

    async def _auth_value(self, endpoint: Endpoint) -> str:
        """As Transport._auth_value."""
        if self.tokens is None or carries_credential(self.tokens, self.server, endpoint):
            return self.credential
        if self.token_lock is None:
            self.token_lock = asyncio.Lock()
        async with self.token_lock:
            value = self.tokens.current()
            if value is None:
                x = self.tokens.exchange
                response = await self._send(x.endpoint, path=None, query=None, body=x.body, headers=None)
                value = self.tokens.store(parse_body(response))
            return value

    async def aclose(self) -> None:
        await self.http.aclose()
