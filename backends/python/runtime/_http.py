"""Sending one request of an endpoint, with the manifest's retry, idempotency, backpressure and
redirect behaviour (copied verbatim by tinkc). `Transport` and `AsyncTransport` share every decision
(`_Attempt`); they differ only in how they wait and send."""

from __future__ import annotations

import asyncio
import enum
import json
import random
import re
import threading
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import quote

import httpx
from pydantic import TypeAdapter, ValidationError

from ._config import Config
from ._errors import APIConnectionError, APITimeoutError, ResponseValidationError, SDKError, status_error
from ._retry import NO_RETRY, RetryPolicy

T = TypeVar("T")

# RFC 6570 reserved expansion (`{+name}`): reserved characters, `/` among them, stay as they are.
_RESERVED = ":/?#[]@!$&'()*+,;="


@dataclass(frozen=True)
class Backpressure:
    statuses: tuple[tuple[int, int], ...]
    small_delay: float
    large_delay: float
    small_request_bytes: int
    headers: tuple[tuple[str, str], ...]


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


_PARAM = re.compile(r"\{(\+?)([A-Za-z_][A-Za-z0-9_]*)\}")


def build_path(endpoint: Endpoint, params: Mapping[str, object]) -> str:
    def expand(m: re.Match[str]) -> str:
        value = params[m.group(2)]
        text = value.value if isinstance(value, enum.Enum) else str(value)
        return quote(str(text), safe=_RESERVED if m.group(1) else "")

    return _PARAM.sub(expand, endpoint.path)


def pool_limits(config: Config) -> httpx.Limits:
    """A pool as large as the manifest lets requests be in flight (httpx's default caps it at 100)."""
    return httpx.Limits(
        max_connections=config.max_connections, max_keepalive_connections=min(config.max_connections, 100)
    )


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
            return bp.small_delay if small else bp.large_delay  # backpressure is not an error: wait and resend
        policy = self.endpoint.retry
        if self.endpoint.handler is not None and transient(status):
            return self.handler_delay()
        if self.retry < policy.max_retries and policy.retries_status(status):
            delay = policy.delay(self.retry, self.rand(), response.headers)
            self.retry += 1
            return delay
        raise status_error(status, parse_body(response), response.headers.get("x-request-id"))

    def handler_delay(self) -> float:
        """The retry handler retries until no progress was made for its progress timeout."""
        handler = self.endpoint.handler
        assert handler is not None
        if self.clock() - self.started >= handler.progress_timeout:
            raise APITimeoutError(f"{self.endpoint.id}: stuck, no progress for {handler.progress_timeout:g} s")
        delay = handler.backoff(self.retry, self.rand())
        self.retry += 1
        return delay


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
    ) -> None:
        self.config = config
        self.user_agent = user_agent
        self.auth_header = auth_header
        self.http = http or httpx.Client(timeout=config.timeout, limits=pool_limits(config))
        self.sleep = sleep
        self.rand = rand
        self.clock = clock
        self.wait = wait  # background loops wait on an event, for at most N seconds
        self.on_error: Callable[[Endpoint, SDKError], None] | None = None  # telemetry of failed calls
        self.slots: dict[str, threading.BoundedSemaphore] = {}
        self.slots_lock = threading.Lock()

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
        request_headers = {**attempt.headers, **(headers or {}), self.auth_header: self.config.api_key}
        url = self.config.base_url + build_path(endpoint, path or {})
        while True:
            try:
                response = self.http.request(
                    endpoint.method,
                    url,
                    params=drop_none(query or {}),  # type: ignore[arg-type]
                    content=attempt.content,
                    headers=request_headers,
                    timeout=endpoint.timeout or self.config.timeout,
                    follow_redirects=not endpoint.redirect_location,
                )
            except httpx.TransportError as exc:
                self.sleep(attempt.on_exception(exc))
                continue
            delay = attempt.on_response(response)
            if delay is None:
                return response
            self.sleep(delay)

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
    ) -> None:
        self.config = config
        self.user_agent = user_agent
        self.auth_header = auth_header
        self.http = http or httpx.AsyncClient(timeout=config.timeout, limits=pool_limits(config))
        self.sleep = sleep
        self.rand = rand
        self.clock = clock
        self.on_error: Callable[[Endpoint, SDKError], None] | None = None  # telemetry of failed calls
        self.slots: dict[str, asyncio.Semaphore] = {}

    async def send(
        self,
        endpoint: Endpoint,
        *,
        path: Mapping[str, object] | None = None,
        query: Mapping[str, object] | None = None,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
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
        request_headers = {**attempt.headers, **(headers or {}), self.auth_header: self.config.api_key}
        url = self.config.base_url + build_path(endpoint, path or {})
        while True:
            try:
                response = await self.http.request(
                    endpoint.method,
                    url,
                    params=drop_none(query or {}),  # type: ignore[arg-type]
                    content=attempt.content,
                    headers=request_headers,
                    timeout=endpoint.timeout or self.config.timeout,
                    follow_redirects=not endpoint.redirect_location,
                )
            except httpx.TransportError as exc:
                await self.sleep(attempt.on_exception(exc))
                continue
            delay = attempt.on_response(response)
            if delay is None:
                return response
            await self.sleep(delay)

    async def aclose(self) -> None:
        await self.http.aclose()
