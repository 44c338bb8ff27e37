"""What every generated client shares (copied verbatim by tinkc): configuration, the transport,
and one call of an endpoint, including a server-side future's polling."""

from __future__ import annotations

import asyncio
import concurrent.futures
import enum
import threading
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, TypeAdapter

from ._auth import AuthScheme
from ._chunks import Chunking
from ._config import Config, ServiceSettings, resolve_config
from ._futures import APIFuture, Futures, QueueObserver, apoll, poll
from ._http import AsyncTransport, Endpoint, ServerConfig, ServerState, Transport, decode, parse_body
from ._options import RequestOptions, apply_options, profiled
from ._pagination import AsyncPager, Pager, PageRequest, Paging
from ._raw import record
from ._session import Session, SessionHolder
from ._sse import AsyncEventStream, EventStream, parse_events
from ._telemetry import AsyncTelemetry, Telemetry, TelemetrySpec

T = TypeVar("T")
I = TypeVar("I")  # noqa: E741


@dataclass(frozen=True)
class SDK:
    """The manifest's service-level facts (generated per SDK)."""

    settings: ServiceSettings
    auth_header: str
    user_agent: str
    session: Session | None = None
    telemetry: TelemetrySpec | None = None
    auth: AuthScheme | None = None
    server_config: ServerConfig | None = None


def request_body(model: type[BaseModel], required: Mapping[str, Any], optional: Mapping[str, Any]) -> Any:
    """The JSON body of a request: required fields always (an explicit None is sent as null),
    optional ones only when given (None: left out; a declared default is then sent, see WireModel).
    An absent optional field is never sent as null."""
    values = {**required, **{k: v for k, v in optional.items() if v is not None}}
    return model.model_validate(values).model_dump(mode="json", by_alias=True, exclude_unset=True)


def header_text(values: Mapping[str, object] | None) -> dict[str, str] | None:
    """Header parameters as header values: absent (None) ones left out, booleans as `true`/`false`
    (as in a query string), enums by their value, anything else as its text; names in lower case, as
    the transport writes its own (one entry per header)."""
    if not values:
        return None
    out: dict[str, str] = {}
    for name, value in values.items():
        if value is None:
            continue
        if isinstance(value, bool):
            out[name.lower()] = "true" if value else "false"
        elif isinstance(value, enum.Enum):
            out[name.lower()] = str(value.value)
        else:
            out[name.lower()] = str(value)
    return out


# Polls a future that resolves to nothing: whatever the retrieve endpoint answers is not decoded.
IGNORED: TypeAdapter[Any] = TypeAdapter(Any)


def present(value: T | None, what: str) -> T:
    """A value the API declares optional, where the flow needs it: absent is a response error."""
    if value is None:
        from ._errors import ResponseValidationError

        raise ResponseValidationError(f"`{what}` is absent from the response, but the next step needs it", body=None)
    return value


M = TypeVar("M", bound=BaseModel)


def overlay(record: M, **fields: object) -> M:
    """A flow input with `spread:` fields (`rank=` beside `lora_config=`): the record with each
    field given on its own (not None) in place of the record's."""
    given = {name: value for name, value in fields.items() if value is not None}
    return record.model_copy(update=given) if given else record


def request_id_of(response: httpx.Response, field: str) -> str:
    body = parse_body(response)
    if isinstance(body, dict) and isinstance(body.get(field), str):
        return str(body[field])
    from ._errors import ResponseValidationError

    raise ResponseValidationError(f"the future handle has no `{field}`", body=body)


class PollThreads:
    """The threads that poll a client family's futures in the background (made on first use)."""

    # Polls mostly wait on the server's long-poll: many at once cost little.
    MAX_WORKERS = 64

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pool: concurrent.futures.ThreadPoolExecutor | None = None

    def submit(self, fn: Callable[[], T]) -> concurrent.futures.Future[T]:
        with self._lock:
            if self._pool is None:
                self._pool = concurrent.futures.ThreadPoolExecutor(self.MAX_WORKERS, thread_name_prefix="tinkc-poll")
            return self._pool.submit(fn)

    def close(self) -> None:
        """Waits for the polls under way (a closed client's futures still resolve)."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True)


class BaseClient:
    """Synchronous client: one configuration, one connection pool, shared with derived clients."""

    _sdk: SDK
    _transport: Transport
    _observer: QueueObserver | None
    _session: SessionHolder
    _telemetry: Telemetry | None
    _owns_transport: bool
    _poll_threads: PollThreads
    # how to submit again each future a flow submitted and has not awaited yet: an expired promise
    # is re-run by the await, which has only the request id
    _resubmits: dict[str, Callable[[], str]]

    def __init__(
        self,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        timeout: float | None = None,
        http_client: httpx.Client | None = None,
        queue_state_observer: QueueObserver | None = None,
        request_options: RequestOptions | None = None,
        token_exchange: bool | None = None,
        environment: str | None = None,
        options: Mapping[str, Any] | None = None,
        _transport: Transport | None = None,
        _parent: BaseClient | None = None,
    ) -> None:
        self._state: dict[str, Any] = {}
        self._counters: dict[str, int] = {}
        self._lanes: dict[str, threading.Lock] = {}
        self._options: RequestOptions | None = _parent._options if _parent is not None else request_options
        if _parent is not None:  # a derived client: the family's connections, session and telemetry
            self._transport = _parent._transport
            self._observer = _parent._observer
            self._session = _parent._session
            self._telemetry = _parent._telemetry
            self._poll_threads = _parent._poll_threads
            self._resubmits = _parent._resubmits
            self._owns_transport = False
            return
        self._poll_threads = PollThreads()
        self._resubmits = {}
        if _transport is None:
            config: Config = resolve_config(
                self._sdk.settings,
                api_key=api_key,
                base_url=base_url,
                timeout=timeout,
                token_exchange=token_exchange,
                environment=environment,
                options=options,
            )
            _transport = Transport(
                config,
                user_agent=self._sdk.user_agent,
                auth_header=self._sdk.auth_header,
                http=http_client,
                auth=self._sdk.auth,
            )
        if self._sdk.server_config is not None:  # a new family: it fetches the server's configuration
            _transport.server = ServerState(self._sdk.server_config)
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

    def _next(self, counter: str, start: int = 0) -> int:
        """The next value of a counter in the client's state (start, start + 1, ...; the manifest's
        `start:`, 0 by default)."""
        value = self._counters.get(counter, start)
        self._counters[counter] = value + 1
        return value

    def _lane(self, counter: str) -> threading.Lock:
        """The lane of an `ordered` counter: held from reading the counter until the server answered
        the request that carries it, so the client's requests leave in counter order, one at a time."""
        return self._lanes.setdefault(counter, threading.Lock())  # setdefault: one lock even when threads race

    def _send(
        self,
        endpoint: Endpoint,
        request_options: RequestOptions | None,
        *,
        path: Mapping[str, object] | None = None,
        query: Mapping[str, object] | None = None,
        body: Any = None,
        headers: Mapping[str, object] | None = None,
    ) -> httpx.Response:
        """One logical request, with the call's options over the client's."""
        options = request_options.over(self._options) if request_options is not None else self._options
        endpoint = profiled(endpoint, self._transport.config.max_retries)
        sent = apply_options(options, endpoint, query, body, header_text(headers))
        response = self._transport.send(
            sent.endpoint, path=path, query=sent.query, body=sent.body, headers=sent.headers
        )
        record(response)  # for `with_raw_response`
        return response

    def with_options(self: C, **options: Any) -> C:
        """A client sharing this one's connections, session and telemetry whose calls use these
        options (`RequestOptions`' names: `timeout`, `max_retries`, `extra_headers`, ...) by
        default; an unknown name is a `TypeError`."""
        client = type(self)(_parent=self)
        client._state.update(self._state)
        client._counters = self._counters  # one client with other defaults: its counters go on
        client._lanes = self._lanes  # ... in the same lanes, so its ordered requests keep their order
        client._options = RequestOptions(**options).over(self._options)
        return client

    def _config_option(self, name: str) -> Any:
        """A declared configuration option (`${config.<name>}`): None when absent."""
        return self._transport.config.options[name]

    def _server_value(self, name: str, default: Any) -> Any:
        """A field of the server's configuration (`${server.<name>}`), fetched first when the family
        has not fetched it yet; the manifest's default when no config endpoint answered it."""
        self._transport._fetch_server_config()
        server = self._transport.server
        return server.values.get(name, default) if server is not None else default

    def _submit(
        self,
        endpoint: Endpoint,
        futures: Futures,
        *,
        path: Mapping[str, object] | None = None,
        query: Mapping[str, object] | None = None,
        body: Any = None,
        headers: Mapping[str, object] | None = None,
        request_options: RequestOptions | None = None,
    ) -> str:
        """Send a request that answers a future; its request id (a later `_await_future` can
        submit it again if the promise expires: a flow's await has only the request id)."""

        def again() -> str:
            return self._send_submit(
                endpoint, futures, path=path, query=query, body=body, headers=headers, request_options=request_options
            )

        request_id = again()
        self._resubmits[request_id] = again
        return request_id

    def _send_submit(
        self,
        endpoint: Endpoint,
        futures: Futures,
        *,
        path: Mapping[str, object] | None = None,
        query: Mapping[str, object] | None = None,
        body: Any = None,
        headers: Mapping[str, object] | None = None,
        request_options: RequestOptions | None = None,
    ) -> str:
        handle = self._send(endpoint, request_options, path=path, query=query, body=body, headers=headers)
        return request_id_of(handle, futures.request_id_field)

    def _await_future(
        self,
        endpoint: Endpoint,
        futures: Futures,
        request_id: str,
        adapter: TypeAdapter[T],
        resubmit: Callable[[], str] | None = None,
    ) -> T:
        """The result of the future `endpoint` answered (its request type goes with every poll);
        `resubmit` (else what `_submit` registered) submits the call again if the promise expires."""
        registered = self._resubmits.pop(request_id, None)
        return poll(
            self._transport,
            futures,
            request_id,
            adapter,
            observer=self._observer,
            request_type=endpoint.request_type,
            endpoint=endpoint,
            resubmit=resubmit or registered,
            queue_key=endpoint.queue_log.key_of(self._state) if endpoint.queue_log is not None else None,
        )

    def _await_future_empty(self, endpoint: Endpoint, futures: Futures, request_id: str) -> None:
        self._await_future(endpoint, futures, request_id, IGNORED)

    def _call(
        self,
        endpoint: Endpoint,
        adapter: TypeAdapter[T],
        *,
        path: Mapping[str, object] | None = None,
        query: Mapping[str, object] | None = None,
        body: Any = None,
        headers: Mapping[str, object] | None = None,
        request_options: RequestOptions | None = None,
    ) -> T:
        return decode(
            self._send(endpoint, request_options, path=path, query=query, body=body, headers=headers), adapter
        )

    def _call_stream(
        self,
        endpoint: Endpoint,
        adapter: TypeAdapter[T],
        *,
        path: Mapping[str, object] | None = None,
        query: Mapping[str, object] | None = None,
        body: Any = None,
        headers: Mapping[str, object] | None = None,
        request_options: RequestOptions | None = None,
    ) -> EventStream[T]:
        """A streaming endpoint (`stream: sse`): its whole body read, then its server-sent events,
        decoded one by one as the iterator reaches them. Its endpoint has no retry policy: a stream
        is never sent twice."""
        answer = self._send(endpoint, request_options, path=path, query=query, body=body, headers=headers)
        return EventStream(parse_events(answer.text), adapter)

    def _call_empty(
        self,
        endpoint: Endpoint,
        *,
        path: Mapping[str, object] | None = None,
        query: Mapping[str, object] | None = None,
        body: Any = None,
        headers: Mapping[str, object] | None = None,
        request_options: RequestOptions | None = None,
    ) -> None:
        self._send(endpoint, request_options, path=path, query=query, body=body, headers=headers)

    def _call_location(
        self,
        endpoint: Endpoint,
        *,
        path: Mapping[str, object] | None = None,
        query: Mapping[str, object] | None = None,
        headers: Mapping[str, object] | None = None,
        request_options: RequestOptions | None = None,
    ) -> str:
        answer = self._send(endpoint, request_options, path=path, query=query, headers=headers)
        return str(answer.headers.get("location", ""))

    def _call_redirect(
        self,
        endpoint: Endpoint,
        adapter: TypeAdapter[T],
        field: str,
        *,
        path: Mapping[str, object] | None = None,
        query: Mapping[str, object] | None = None,
        headers: Mapping[str, object] | None = None,
        request_options: RequestOptions | None = None,
    ) -> T:
        """A redirect answered as the declared record: `field` (its url) the Location."""
        location = self._call_location(
            endpoint, path=path, query=query, headers=headers, request_options=request_options
        )
        return adapter.validate_python({field: location})

    def _call_future(
        self,
        endpoint: Endpoint,
        futures: Futures,
        adapter: TypeAdapter[T],
        *,
        path: Mapping[str, object] | None = None,
        query: Mapping[str, object] | None = None,
        body: Any = None,
        headers: Mapping[str, object] | None = None,
        request_options: RequestOptions | None = None,
    ) -> T:
        def submit() -> str:
            return self._send_submit(
                endpoint, futures, path=path, query=query, body=body, headers=headers, request_options=request_options
            )

        return self._await_future(endpoint, futures, submit(), adapter, submit)

    def _call_future_empty(
        self,
        endpoint: Endpoint,
        futures: Futures,
        *,
        path: Mapping[str, object] | None = None,
        query: Mapping[str, object] | None = None,
        body: Any = None,
        headers: Mapping[str, object] | None = None,
        request_options: RequestOptions | None = None,
    ) -> None:
        """A future that resolves to nothing (no response body): it is polled until it resolves all the same."""
        self._call_future(
            endpoint,
            futures,
            IGNORED,
            path=path,
            query=query,
            body=body,
            headers=headers,
            request_options=request_options,
        )

    def _start_future(
        self,
        endpoint: Endpoint,
        futures: Futures,
        adapter: TypeAdapter[T],
        *,
        path: Mapping[str, object] | None = None,
        query: Mapping[str, object] | None = None,
        body: Any = None,
        headers: Mapping[str, object] | None = None,
        request_options: RequestOptions | None = None,
    ) -> APIFuture[T]:
        """Submits now, in the caller's thread (so calls leave in the order they are made), and
        polls in the background: the future at once. A failed submission is the future's error."""

        def wait(request_id: str, submit: Callable[[], str]) -> T:
            return self._await_future(endpoint, futures, request_id, adapter, submit)

        return self._start(
            endpoint, futures, wait, path=path, query=query, body=body, headers=headers, request_options=request_options
        )

    def _start_future_empty(
        self,
        endpoint: Endpoint,
        futures: Futures,
        *,
        path: Mapping[str, object] | None = None,
        query: Mapping[str, object] | None = None,
        body: Any = None,
        headers: Mapping[str, object] | None = None,
        request_options: RequestOptions | None = None,
    ) -> APIFuture[None]:
        """`_start_future` of a future that resolves to nothing (whatever the poll answers last)."""

        def wait(request_id: str, submit: Callable[[], str]) -> None:
            self._await_future(endpoint, futures, request_id, IGNORED, submit)

        return self._start(
            endpoint, futures, wait, path=path, query=query, body=body, headers=headers, request_options=request_options
        )

    def _start(
        self,
        endpoint: Endpoint,
        futures: Futures,
        wait: Callable[[str, Callable[[], str]], T],
        *,
        path: Mapping[str, object] | None,
        query: Mapping[str, object] | None,
        body: Any,
        headers: Mapping[str, object] | None,
        request_options: RequestOptions | None,
    ) -> APIFuture[T]:
        def submit() -> str:
            return self._send_submit(
                endpoint, futures, path=path, query=query, body=body, headers=headers, request_options=request_options
            )

        try:
            request_id = submit()
        except Exception as exc:  # raised by `result()`, as the call's any other error
            failed: concurrent.futures.Future[T] = concurrent.futures.Future()
            failed.set_exception(exc)
            return APIFuture(failed)
        return APIFuture(self._poll_threads.submit(lambda: wait(request_id, submit)))

    def _paginate(
        self,
        endpoint: Endpoint,
        paging: Paging,
        adapter: TypeAdapter[T],
        items: Callable[[T], Sequence[I]],
        *,
        path: Mapping[str, object] | None = None,
        query: Mapping[str, object] | None = None,
        body: Any = None,
        headers: Mapping[str, object] | None = None,
        request_options: RequestOptions | None = None,
    ) -> Pager[T, I]:
        """The pages of a paginated endpoint, from the request the plain method sends."""

        def send(request: PageRequest) -> httpx.Response:
            return self._send(
                request.endpoint,
                request_options,
                path=request.path,
                query=request.query,
                body=request.body,
                headers=headers,
            )

        first = PageRequest(endpoint=endpoint, path=path or {}, query=query or {}, body=body)
        return Pager(send, self._transport.config.base_url, paging, first, adapter, items)

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
        return self._submit_chunks(endpoint, futures, adapter, chunking, items, request)()

    def _start_chunked(
        self,
        endpoint: Endpoint,
        futures: Futures,
        adapter: TypeAdapter[T],
        chunking: Chunking,
        items: Sequence[Any],
        request: Callable[[list[Any]], Mapping[str, Any]],
    ) -> APIFuture[T]:
        """`_call_chunked` answered at once (the sync client's future-answering methods): every
        chunk submitted now, in the caller's thread (so calls leave in the order they are made),
        the polls and the combining in the background. A failed submission is the future's error."""
        try:
            finish = self._submit_chunks(endpoint, futures, adapter, chunking, items, request)
        except Exception as exc:  # raised by `result()`, as the call's any other error
            failed: concurrent.futures.Future[T] = concurrent.futures.Future()
            failed.set_exception(exc)
            return APIFuture(failed)
        return APIFuture(self._poll_threads.submit(finish))

    def _submit_chunks(
        self,
        endpoint: Endpoint,
        futures: Futures,
        adapter: TypeAdapter[T],
        chunking: Chunking,
        items: Sequence[Any],
        request: Callable[[list[Any]], Mapping[str, Any]],
    ) -> Callable[[], T]:
        """Submits every chunk (the first last); what polls them and combines the results."""
        chunks = chunking.split(items)
        requests = [request(chunk) for chunk in chunks]
        ids = {i: self._submit(endpoint, futures, **requests[i]) for i in [*range(1, len(requests)), 0]}

        def finish() -> T:
            results = [self._await_future(endpoint, futures, ids[i], adapter) for i in range(len(requests))]
            return chunking.combined(results, [len(chunk) for chunk in chunks])

        return finish

    def close(self) -> None:
        """Stop heartbeats, send queued telemetry, close the connections (a derived client leaves
        them to the client it came from)."""
        if self._owns_transport:
            self._poll_threads.close()
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
    _resubmits: dict[str, Callable[[], Awaitable[str]]]  # as BaseClient's

    def __init__(
        self,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        timeout: float | None = None,
        http_client: httpx.AsyncClient | None = None,
        queue_state_observer: QueueObserver | None = None,
        request_options: RequestOptions | None = None,
        token_exchange: bool | None = None,
        environment: str | None = None,
        options: Mapping[str, Any] | None = None,
        _transport: AsyncTransport | None = None,
        _parent: AsyncBaseClient | None = None,
    ) -> None:
        self._state: dict[str, Any] = {}
        self._counters: dict[str, int] = {}
        self._lanes_async: dict[str, asyncio.Lock] = {}
        self._options: RequestOptions | None = _parent._options if _parent is not None else request_options
        if _parent is not None:  # a derived client: the family's connections, session and telemetry
            self._transport = _parent._transport
            self._observer = _parent._observer
            self._session = _parent._session
            self._telemetry = _parent._telemetry
            self._resubmits = _parent._resubmits
            self._owns_transport = False
            return
        self._resubmits = {}
        if _transport is None:
            config: Config = resolve_config(
                self._sdk.settings,
                api_key=api_key,
                base_url=base_url,
                timeout=timeout,
                token_exchange=token_exchange,
                environment=environment,
                options=options,
            )
            _transport = AsyncTransport(
                config,
                user_agent=self._sdk.user_agent,
                auth_header=self._sdk.auth_header,
                http=http_client,
                auth=self._sdk.auth,
            )
        if self._sdk.server_config is not None:  # a new family: it fetches the server's configuration
            _transport.server = ServerState(self._sdk.server_config)
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

    def _next(self, counter: str, start: int = 0) -> int:
        """The next value of a counter in the client's state (start, start + 1, ...; the manifest's
        `start:`, 0 by default)."""
        value = self._counters.get(counter, start)
        self._counters[counter] = value + 1
        return value

    def _lane(self, counter: str) -> asyncio.Lock:
        """The lane of an `ordered` counter (asyncio.Lock wakes its waiters first come, first served)."""
        return self._lanes_async.setdefault(counter, asyncio.Lock())

    async def _send(
        self,
        endpoint: Endpoint,
        request_options: RequestOptions | None,
        *,
        path: Mapping[str, object] | None = None,
        query: Mapping[str, object] | None = None,
        body: Any = None,
        headers: Mapping[str, object] | None = None,
    ) -> httpx.Response:
        """One logical request, with the call's options over the client's."""
        options = request_options.over(self._options) if request_options is not None else self._options
        endpoint = profiled(endpoint, self._transport.config.max_retries)
        sent = apply_options(options, endpoint, query, body, header_text(headers))
        response = await self._transport.send(
            sent.endpoint, path=path, query=sent.query, body=sent.body, headers=sent.headers
        )
        record(response)  # for `with_raw_response`
        return response

    def with_options(self: A, **options: Any) -> A:
        """A client sharing this one's connections, session and telemetry whose calls use these
        options (`RequestOptions`' names: `timeout`, `max_retries`, `extra_headers`, ...) by
        default; an unknown name is a `TypeError`."""
        client = type(self)(_parent=self)
        client._state.update(self._state)
        client._counters = self._counters  # one client with other defaults: its counters go on
        client._lanes_async = self._lanes_async  # ... in the same lanes, so its ordered requests keep their order
        client._options = RequestOptions(**options).over(self._options)
        return client

    def _config_option(self, name: str) -> Any:
        """A declared configuration option (`${config.<name>}`): None when absent."""
        return self._transport.config.options[name]

    async def _server_value(self, name: str, default: Any) -> Any:
        """A field of the server's configuration (`${server.<name>}`), fetched first when the family
        has not fetched it yet; the manifest's default when no config endpoint answered it."""
        await self._transport._fetch_server_config()
        server = self._transport.server
        return server.values.get(name, default) if server is not None else default

    async def _submit(
        self,
        endpoint: Endpoint,
        futures: Futures,
        *,
        path: Mapping[str, object] | None = None,
        query: Mapping[str, object] | None = None,
        body: Any = None,
        headers: Mapping[str, object] | None = None,
        request_options: RequestOptions | None = None,
    ) -> str:
        """Send a request that answers a future; its request id (see BaseClient._submit)."""

        async def again() -> str:
            return await self._send_submit(
                endpoint, futures, path=path, query=query, body=body, headers=headers, request_options=request_options
            )

        request_id = await again()
        self._resubmits[request_id] = again
        return request_id

    async def _send_submit(
        self,
        endpoint: Endpoint,
        futures: Futures,
        *,
        path: Mapping[str, object] | None = None,
        query: Mapping[str, object] | None = None,
        body: Any = None,
        headers: Mapping[str, object] | None = None,
        request_options: RequestOptions | None = None,
    ) -> str:
        handle = await self._send(endpoint, request_options, path=path, query=query, body=body, headers=headers)
        return request_id_of(handle, futures.request_id_field)

    async def _await_future(
        self,
        endpoint: Endpoint,
        futures: Futures,
        request_id: str,
        adapter: TypeAdapter[T],
        resubmit: Callable[[], Awaitable[str]] | None = None,
    ) -> T:
        """The result of the future `endpoint` answered (its request type goes with every poll);
        `resubmit` (else what `_submit` registered) submits the call again if the promise expires."""
        registered = self._resubmits.pop(request_id, None)
        return await apoll(
            self._transport,
            futures,
            request_id,
            adapter,
            observer=self._observer,
            request_type=endpoint.request_type,
            endpoint=endpoint,
            resubmit=resubmit or registered,
            queue_key=endpoint.queue_log.key_of(self._state) if endpoint.queue_log is not None else None,
        )

    async def _await_future_empty(self, endpoint: Endpoint, futures: Futures, request_id: str) -> None:
        await self._await_future(endpoint, futures, request_id, IGNORED)

    async def _call(
        self,
        endpoint: Endpoint,
        adapter: TypeAdapter[T],
        *,
        path: Mapping[str, object] | None = None,
        query: Mapping[str, object] | None = None,
        body: Any = None,
        headers: Mapping[str, object] | None = None,
        request_options: RequestOptions | None = None,
    ) -> T:
        return decode(
            await self._send(endpoint, request_options, path=path, query=query, body=body, headers=headers), adapter
        )

    async def _call_stream(
        self,
        endpoint: Endpoint,
        adapter: TypeAdapter[T],
        *,
        path: Mapping[str, object] | None = None,
        query: Mapping[str, object] | None = None,
        body: Any = None,
        headers: Mapping[str, object] | None = None,
        request_options: RequestOptions | None = None,
    ) -> AsyncEventStream[T]:
        """BaseClient._call_stream, async: `async for` over the decoded events."""
        answer = await self._send(endpoint, request_options, path=path, query=query, body=body, headers=headers)
        return AsyncEventStream(parse_events(answer.text), adapter)

    async def _call_empty(
        self,
        endpoint: Endpoint,
        *,
        path: Mapping[str, object] | None = None,
        query: Mapping[str, object] | None = None,
        body: Any = None,
        headers: Mapping[str, object] | None = None,
        request_options: RequestOptions | None = None,
    ) -> None:
        await self._send(endpoint, request_options, path=path, query=query, body=body, headers=headers)

    async def _call_location(
        self,
        endpoint: Endpoint,
        *,
        path: Mapping[str, object] | None = None,
        query: Mapping[str, object] | None = None,
        headers: Mapping[str, object] | None = None,
        request_options: RequestOptions | None = None,
    ) -> str:
        answer = await self._send(endpoint, request_options, path=path, query=query, headers=headers)
        return str(answer.headers.get("location", ""))

    async def _call_redirect(
        self,
        endpoint: Endpoint,
        adapter: TypeAdapter[T],
        field: str,
        *,
        path: Mapping[str, object] | None = None,
        query: Mapping[str, object] | None = None,
        headers: Mapping[str, object] | None = None,
        request_options: RequestOptions | None = None,
    ) -> T:
        """A redirect answered as the declared record: `field` (its url) the Location."""
        location = await self._call_location(
            endpoint, path=path, query=query, headers=headers, request_options=request_options
        )
        return adapter.validate_python({field: location})

    async def _call_future(
        self,
        endpoint: Endpoint,
        futures: Futures,
        adapter: TypeAdapter[T],
        *,
        path: Mapping[str, object] | None = None,
        query: Mapping[str, object] | None = None,
        body: Any = None,
        headers: Mapping[str, object] | None = None,
        request_options: RequestOptions | None = None,
    ) -> T:
        async def submit() -> str:
            return await self._send_submit(
                endpoint, futures, path=path, query=query, body=body, headers=headers, request_options=request_options
            )

        return await self._await_future(endpoint, futures, await submit(), adapter, submit)

    async def _call_future_empty(
        self,
        endpoint: Endpoint,
        futures: Futures,
        *,
        path: Mapping[str, object] | None = None,
        query: Mapping[str, object] | None = None,
        body: Any = None,
        headers: Mapping[str, object] | None = None,
        request_options: RequestOptions | None = None,
    ) -> None:
        """A future that resolves to nothing (no response body): it is polled until it resolves all the same."""
        await self._call_future(
            endpoint,
            futures,
            IGNORED,
            path=path,
            query=query,
            body=body,
            headers=headers,
            request_options=request_options,
        )

    def _paginate(
        self,
        endpoint: Endpoint,
        paging: Paging,
        adapter: TypeAdapter[T],
        items: Callable[[T], Sequence[I]],
        *,
        path: Mapping[str, object] | None = None,
        query: Mapping[str, object] | None = None,
        body: Any = None,
        headers: Mapping[str, object] | None = None,
        request_options: RequestOptions | None = None,
    ) -> AsyncPager[T, I]:
        """The pages of a paginated endpoint, from the request the plain method sends."""

        async def send(request: PageRequest) -> httpx.Response:
            return await self._send(
                request.endpoint,
                request_options,
                path=request.path,
                query=request.query,
                body=request.body,
                headers=headers,
            )

        first = PageRequest(endpoint=endpoint, path=path or {}, query=query or {}, body=body)
        return AsyncPager(send, self._transport.config.base_url, paging, first, adapter, items)

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
        results = await asyncio.gather(
            *(self._await_future(endpoint, futures, rid, adapter) for rid in [first, *later])
        )
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
