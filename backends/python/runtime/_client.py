"""What every generated client shares (copied verbatim by tinkc): configuration, the transport,
and one call of an endpoint, including a server-side future's polling."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, TypeAdapter

from ._chunks import Chunking
from ._config import Config, ServiceSettings, resolve_config
from ._futures import Futures, QueueObserver, apoll, poll
from ._http import AsyncTransport, Endpoint, Transport, decode, parse_body
from ._session import Session, SessionHolder
from ._telemetry import AsyncTelemetry, Telemetry, TelemetrySpec

T = TypeVar("T")


@dataclass(frozen=True)
class SDK:
    """The manifest's service-level facts (generated per SDK)."""

    settings: ServiceSettings
    auth_header: str
    user_agent: str
    session: Session | None = None
    telemetry: TelemetrySpec | None = None


def request_body(model: type[BaseModel], required: Mapping[str, Any], optional: Mapping[str, Any]) -> Any:
    """The JSON body of a request: required fields always (an explicit None is sent as null),
    optional ones only when given (None: left out; a declared default is then sent, see WireModel).
    An absent optional field is never sent as null."""
    values = {**required, **{k: v for k, v in optional.items() if v is not None}}
    return model.model_validate(values).model_dump(mode="json", by_alias=True, exclude_unset=True)


# Polls a future that resolves to nothing: whatever the retrieve endpoint answers is not decoded.
IGNORED: TypeAdapter[Any] = TypeAdapter(Any)


def present(value: T | None, what: str) -> T:
    """A value the API declares optional, where the flow needs it: absent is a response error."""
    if value is None:
        from ._errors import ResponseValidationError

        raise ResponseValidationError(f"`{what}` is absent from the response, but the next step needs it", body=None)
    return value


def request_id_of(response: httpx.Response, field: str) -> str:
    body = parse_body(response)
    if isinstance(body, dict) and isinstance(body.get(field), str):
        return str(body[field])
    from ._errors import ResponseValidationError

    raise ResponseValidationError(f"the future handle has no `{field}`", body=body)


class BaseClient:
    """Synchronous client: one configuration, one connection pool, shared with derived clients."""

    _sdk: SDK
    _transport: Transport
    _observer: QueueObserver | None
    _session: SessionHolder
    _telemetry: Telemetry | None
    _owns_transport: bool

    def __init__(
        self,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        timeout: float | None = None,
        http_client: httpx.Client | None = None,
        queue_state_observer: QueueObserver | None = None,
        _transport: Transport | None = None,
        _parent: BaseClient | None = None,
    ) -> None:
        self._state: dict[str, Any] = {}
        self._counters: dict[str, int] = {}
        if _parent is not None:  # a derived client: the family's connections, session and telemetry
            self._transport = _parent._transport
            self._observer = _parent._observer
            self._session = _parent._session
            self._telemetry = _parent._telemetry
            self._owns_transport = False
            return
        if _transport is None:
            config: Config = resolve_config(self._sdk.settings, api_key=api_key, base_url=base_url, timeout=timeout)
            _transport = Transport(
                config, user_agent=self._sdk.user_agent, auth_header=self._sdk.auth_header, http=http_client
            )
        self._transport = _transport
        self._observer = queue_state_observer
        self._session = SessionHolder()
        self._owns_transport = True
        self._telemetry = Telemetry(self._sdk.telemetry, _transport) if self._sdk.telemetry else None
        if self._telemetry is not None:
            _transport.on_error = self._telemetry.on_error

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self._transport.config.base_url!r})"

    @classmethod
    def _derive(cls: type[C], parent: BaseClient, **state: Any) -> C:
        """A client of this class sharing ``parent``'s configuration, connections, session and telemetry."""
        client = cls(_parent=parent)
        client._state.update(state)
        return client

    def log_event(self, name: str, data: Mapping[str, Any] | None = None) -> None:
        """Queue a telemetry event (the manifest's `generic` event); never blocks, never raises."""
        if self._telemetry is not None:
            self._telemetry.log("generic", event_name=name, event_data=dict(data or {}))

    def _session_id(self) -> str:
        """The session's id, creating the session (and its heartbeat) on first use."""
        given = self._state.get("session_id")
        if isinstance(given, str):
            return given
        if self._sdk.session is None:
            raise KeyError("session_id")
        on_open = self._telemetry.session_started if self._telemetry is not None else None
        return self._session.open(self._transport, self._sdk.session, on_open)

    def _sibling(self, cls: type[C]) -> C:
        return cls._derive(self)

    def _next(self, counter: str) -> int:
        """The next value of a counter in the client's state (0, 1, 2, ...)."""
        value = self._counters.get(counter, 0)
        self._counters[counter] = value + 1
        return value

    def _submit(
        self,
        endpoint: Endpoint,
        futures: Futures,
        *,
        path: Mapping[str, object] | None = None,
        query: Mapping[str, object] | None = None,
        body: Any = None,
    ) -> str:
        """Send a request that answers a future; its request id."""
        handle = self._transport.send(endpoint, path=path, query=query, body=body)
        return request_id_of(handle, futures.request_id_field)

    def _await_future(self, futures: Futures, request_id: str, adapter: TypeAdapter[T]) -> T:
        return poll(self._transport, futures, request_id, adapter, observer=self._observer)

    def _await_future_empty(self, futures: Futures, request_id: str) -> None:
        poll(self._transport, futures, request_id, IGNORED, observer=self._observer)

    def _call(
        self,
        endpoint: Endpoint,
        adapter: TypeAdapter[T],
        *,
        path: Mapping[str, object] | None = None,
        query: Mapping[str, object] | None = None,
        body: Any = None,
    ) -> T:
        return decode(self._transport.send(endpoint, path=path, query=query, body=body), adapter)

    def _call_empty(
        self,
        endpoint: Endpoint,
        *,
        path: Mapping[str, object] | None = None,
        query: Mapping[str, object] | None = None,
        body: Any = None,
    ) -> None:
        self._transport.send(endpoint, path=path, query=query, body=body)

    def _call_location(
        self, endpoint: Endpoint, *, path: Mapping[str, object] | None = None, query: Mapping[str, object] | None = None
    ) -> str:
        return str(self._transport.send(endpoint, path=path, query=query).headers.get("location", ""))

    def _call_redirect(
        self,
        endpoint: Endpoint,
        adapter: TypeAdapter[T],
        field: str,
        *,
        path: Mapping[str, object] | None = None,
        query: Mapping[str, object] | None = None,
    ) -> T:
        """A redirect answered as the declared record: `field` (its url) the Location."""
        return adapter.validate_python({field: self._call_location(endpoint, path=path, query=query)})

    def _call_future(
        self,
        endpoint: Endpoint,
        futures: Futures,
        adapter: TypeAdapter[T],
        *,
        path: Mapping[str, object] | None = None,
        query: Mapping[str, object] | None = None,
        body: Any = None,
    ) -> T:
        handle = self._transport.send(endpoint, path=path, query=query, body=body)
        return poll(
            self._transport, futures, request_id_of(handle, futures.request_id_field), adapter, observer=self._observer
        )

    def _call_future_empty(
        self,
        endpoint: Endpoint,
        futures: Futures,
        *,
        path: Mapping[str, object] | None = None,
        query: Mapping[str, object] | None = None,
        body: Any = None,
    ) -> None:
        """A future that resolves to nothing (no response body): it is polled until it resolves all the same."""
        self._await_future_empty(futures, self._submit(endpoint, futures, path=path, query=query, body=body))

    def _call_chunked(
        self,
        endpoint: Endpoint,
        futures: Futures,
        adapter: TypeAdapter[T],
        chunking: Chunking,
        items: Sequence[Any],
        request: Callable[[list[Any]], Mapping[str, Any]],
    ) -> T:
        """A chunked call (the plan's ChunkPlan): each chunk's request built in chunk order (its
        counters numbering the chunks), the chunks after the first sent, then the first; every
        future polled; the results combined in chunk order. (This blocking client sends and polls
        one chunk at a time, the first still last.)"""
        chunks = chunking.split(items)
        requests = [request(chunk) for chunk in chunks]
        ids = {i: self._submit(endpoint, futures, **requests[i]) for i in [*range(1, len(requests)), 0]}
        results = [self._await_future(futures, ids[i], adapter) for i in range(len(requests))]
        return chunking.combined(results, [len(chunk) for chunk in chunks])

    def close(self) -> None:
        """Stop heartbeats, send queued telemetry, close the connections (a derived client leaves
        them to the client it came from)."""
        if self._owns_transport:
            if self._telemetry is not None:
                self._telemetry.close()
            self._session.close()
            self._transport.close()

    def __enter__(self: C) -> C:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


C = TypeVar("C", bound=BaseClient)


class AsyncBaseClient:
    """Asynchronous client; the same semantics as BaseClient."""

    _sdk: SDK
    _transport: AsyncTransport
    _observer: QueueObserver | None
    _session: SessionHolder
    _telemetry: AsyncTelemetry | None
    _owns_transport: bool

    def __init__(
        self,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        timeout: float | None = None,
        http_client: httpx.AsyncClient | None = None,
        queue_state_observer: QueueObserver | None = None,
        _transport: AsyncTransport | None = None,
        _parent: AsyncBaseClient | None = None,
    ) -> None:
        self._state: dict[str, Any] = {}
        self._counters: dict[str, int] = {}
        if _parent is not None:  # a derived client: the family's connections, session and telemetry
            self._transport = _parent._transport
            self._observer = _parent._observer
            self._session = _parent._session
            self._telemetry = _parent._telemetry
            self._owns_transport = False
            return
        if _transport is None:
            config: Config = resolve_config(self._sdk.settings, api_key=api_key, base_url=base_url, timeout=timeout)
            _transport = AsyncTransport(
                config, user_agent=self._sdk.user_agent, auth_header=self._sdk.auth_header, http=http_client
            )
        self._transport = _transport
        self._observer = queue_state_observer
        self._session = SessionHolder()
        self._owns_transport = True
        self._telemetry = AsyncTelemetry(self._sdk.telemetry, _transport) if self._sdk.telemetry else None
        if self._telemetry is not None:
            _transport.on_error = self._telemetry.on_error

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self._transport.config.base_url!r})"

    @classmethod
    def _derive(cls: type[A], parent: AsyncBaseClient, **state: Any) -> A:
        """A client of this class sharing ``parent``'s configuration, connections, session and telemetry."""
        client = cls(_parent=parent)
        client._state.update(state)
        return client

    def log_event(self, name: str, data: Mapping[str, Any] | None = None) -> None:
        """Queue a telemetry event (the manifest's `generic` event); never blocks, never raises."""
        if self._telemetry is not None:
            self._telemetry.log("generic", event_name=name, event_data=dict(data or {}))

    async def _session_id(self) -> str:
        """The session's id, creating the session (and its heartbeat) on first use."""
        given = self._state.get("session_id")
        if isinstance(given, str):
            return given
        if self._sdk.session is None:
            raise KeyError("session_id")
        on_open = self._telemetry.session_started if self._telemetry is not None else None
        return await self._session.aopen(self._transport, self._sdk.session, on_open)

    def _sibling(self, cls: type[A]) -> A:
        return cls._derive(self)

    def _next(self, counter: str) -> int:
        """The next value of a counter in the client's state (0, 1, 2, ...)."""
        value = self._counters.get(counter, 0)
        self._counters[counter] = value + 1
        return value

    async def _submit(
        self,
        endpoint: Endpoint,
        futures: Futures,
        *,
        path: Mapping[str, object] | None = None,
        query: Mapping[str, object] | None = None,
        body: Any = None,
    ) -> str:
        """Send a request that answers a future; its request id."""
        handle = await self._transport.send(endpoint, path=path, query=query, body=body)
        return request_id_of(handle, futures.request_id_field)

    async def _await_future(self, futures: Futures, request_id: str, adapter: TypeAdapter[T]) -> T:
        return await apoll(self._transport, futures, request_id, adapter, observer=self._observer)

    async def _await_future_empty(self, futures: Futures, request_id: str) -> None:
        await apoll(self._transport, futures, request_id, IGNORED, observer=self._observer)

    async def _call(
        self,
        endpoint: Endpoint,
        adapter: TypeAdapter[T],
        *,
        path: Mapping[str, object] | None = None,
        query: Mapping[str, object] | None = None,
        body: Any = None,
    ) -> T:
        return decode(await self._transport.send(endpoint, path=path, query=query, body=body), adapter)

    async def _call_empty(
        self,
        endpoint: Endpoint,
        *,
        path: Mapping[str, object] | None = None,
        query: Mapping[str, object] | None = None,
        body: Any = None,
    ) -> None:
        await self._transport.send(endpoint, path=path, query=query, body=body)

    async def _call_location(
        self, endpoint: Endpoint, *, path: Mapping[str, object] | None = None, query: Mapping[str, object] | None = None
    ) -> str:
        return str((await self._transport.send(endpoint, path=path, query=query)).headers.get("location", ""))

    async def _call_redirect(
        self,
        endpoint: Endpoint,
        adapter: TypeAdapter[T],
        field: str,
        *,
        path: Mapping[str, object] | None = None,
        query: Mapping[str, object] | None = None,
    ) -> T:
        """A redirect answered as the declared record: `field` (its url) the Location."""
        return adapter.validate_python({field: await self._call_location(endpoint, path=path, query=query)})

    async def _call_future(
        self,
        endpoint: Endpoint,
        futures: Futures,
        adapter: TypeAdapter[T],
        *,
        path: Mapping[str, object] | None = None,
        query: Mapping[str, object] | None = None,
        body: Any = None,
    ) -> T:
        handle = await self._transport.send(endpoint, path=path, query=query, body=body)
        return await apoll(
            self._transport, futures, request_id_of(handle, futures.request_id_field), adapter, observer=self._observer
        )

    async def _call_future_empty(
        self,
        endpoint: Endpoint,
        futures: Futures,
        *,
        path: Mapping[str, object] | None = None,
        query: Mapping[str, object] | None = None,
        body: Any = None,
    ) -> None:
        """A future that resolves to nothing (no response body): it is polled until it resolves all the same."""
        request_id = await self._submit(endpoint, futures, path=path, query=query, body=body)
        await self._await_future_empty(futures, request_id)

    async def _call_chunked(
        self,
        endpoint: Endpoint,
        futures: Futures,
        adapter: TypeAdapter[T],
        chunking: Chunking,
        items: Sequence[Any],
        request: Callable[[list[Any]], Awaitable[Mapping[str, Any]]],
    ) -> T:
        """A chunked call (the plan's ChunkPlan): each chunk's request built in chunk order (its
        counters numbering the chunks), the chunks after the first sent concurrently, then the
        first; the futures polled concurrently; the results combined in chunk order."""
        chunks = chunking.split(items)
        requests = [await request(chunk) for chunk in chunks]
        later = await asyncio.gather(*(self._submit(endpoint, futures, **r) for r in requests[1:]))
        first = await self._submit(endpoint, futures, **requests[0])
        results = await asyncio.gather(*(self._await_future(futures, rid, adapter) for rid in [first, *later]))
        return chunking.combined(list(results), [len(chunk) for chunk in chunks])

    async def aclose(self) -> None:
        """Stop heartbeats, send queued telemetry, close the connections (a derived client leaves
        them to the client it came from)."""
        if self._owns_transport:
            if self._telemetry is not None:
                await self._telemetry.aclose()
            await self._session.aclose()
            await self._transport.aclose()

    async def __aenter__(self: A) -> A:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()


A = TypeVar("A", bound=AsyncBaseClient)
