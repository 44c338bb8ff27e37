"""Server-side futures (the manifest's promise_result feature; copied verbatim by tinkc).

The endpoint answers a handle; the result is polled from the retrieve endpoint. Each answer is
classified: pending (the try-again marker, or a pending status such as 408) → report the queue
state and poll again; a metadata-only answer (the result is too big to inline) → poll again asking
for the payload; an error field → RequestFailedError with its category; anything else → the
result, validated as the endpoint's declared response type. Every poll may carry the submitting
endpoint's request type and its 0-based iteration in headers. Transient poll failures (connection
errors, 429, 5xx) are retried with backoff until the overall timeout."""

from __future__ import annotations

import concurrent.futures
import logging
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pydantic import TypeAdapter

from ._errors import APIConnectionError, APIStatusError, APITimeoutError, RequestFailedError
from ._http import AsyncTransport, Endpoint, QueueLog, Transport, parse_body, validate

T = TypeVar("T")

# the SDK package's logger: queue-state changes, as the other SDKs log them
logger = logging.getLogger(__name__.rpartition(".")[0])
# when each (feature, endpoint, key) last logged a change: shared by the process's clients, as
# Tinkex's marks are, so `clear_queue_state_debounce` reaches every client of a session
_logged: dict[tuple[str, str, str | None], float] = {}
_logged_lock = threading.Lock()


def log_queue_state(
    log: QueueLog, endpoint_id: str, now: float, state: str, reason: str | None, key: str | None = None
) -> None:
    """Logs a queue-state change at the log's level, unless the same feature, endpoint and key
    (a sampling session, a model: `QueueLog.key_of`) logged one less than its debounce ago."""
    mark = (log.id, endpoint_id, key)
    with _logged_lock:
        last = _logged.get(mark)
        if last is not None and now - last < log.debounce:
            return
        _logged[mark] = now
    detail = f" ({reason})" if reason else ""
    logger.log(logging.getLevelName(log.level.upper()), "%s: queue state %s%s", endpoint_id, state, detail)


def clear_queue_state_debounce(key: str) -> None:
    """Forgets the debounce marks of a key (a sampling session id, a model id): its next
    queue-state change is logged at once (Tinkex's `SamplingClient.clear_queue_state_debounce/1`)."""
    with _logged_lock:
        for mark in [m for m in _logged if m[2] == key]:
            del _logged[mark]


QueueObserver = Callable[[str, "str | None"], None]
"""Called with (queue_state, reason) when a pending future's queue state changes."""


@dataclass(frozen=True)
class Futures:
    retrieve: Endpoint
    request_id_field: str
    result_field: str | None
    try_again_field: str
    try_again_value: str
    error_field: str
    category_field: str
    categories: tuple[str, ...]
    queue_state_field: str | None
    queue_state_reason_field: str | None
    queue_states: tuple[str, ...]
    pending_statuses: tuple[tuple[int, int], ...]
    poll_timeout: float
    timeout: float | None
    transient_base_delay: float  # the manifest's poll_retry: backoff after a failed poll
    transient_max_delay: float
    transient_jitter: float
    request_type_header: str | None = None  # header: the submitting endpoint's request type
    iteration_header: str | None = None  # header: the poll's 0-based count
    metadata_only_field: str | None = None  # request field: true until a metadata-only answer
    metadata_status_field: str = "status"
    metadata_status_value: str = "complete_metadata"
    expired_statuses: tuple[tuple[int, int], ...] = ()  # the promise expired: submit the call again
    expired_resubmits: int = 0
    bounded_retry_statuses: tuple[tuple[int, int], ...] = ()  # retried at most bounded_retries times
    bounded_retries: int = 0
    billing_statuses: tuple[tuple[int, int], ...] = ()  # a billing pause: wait billing_delay, poll again
    billing_delay: float = 0.0
    billing_max_pause: float = 0.0


class APIFuture(Generic[T]):
    """What a synchronous client's future-answering method returns at once: the request is
    already submitted, its result is polled in the background. ``result()`` waits for it (and
    raises the call's error), as the real SDK's futures do; pipelining is submitting several calls
    before waiting on any."""

    def __init__(self, inner: concurrent.futures.Future[T]) -> None:
        self._inner = inner

    def result(self, timeout: float | None = None) -> T:
        """The result, waiting at most ``timeout`` seconds (None: as long as it takes); raises
        TimeoutError when it is not there in time, the call's error when it failed."""
        return self._inner.result(timeout)

    def done(self) -> bool:
        """Whether the result (or the error) is there."""
        return self._inner.done()

    def exception(self, timeout: float | None = None) -> BaseException | None:
        """The call's error (None when it succeeded), waiting as ``result`` does."""
        return self._inner.exception(timeout)

    def __repr__(self) -> str:
        return f"APIFuture(done={self.done()})"


class FutureExpired(Exception):
    """A poll said the promise expired: the call must be submitted again (see `Futures.expired_statuses`)."""

    def __init__(self, error: APIStatusError) -> None:
        super().__init__(str(error))
        self.error = error


def _in(status: int, ranges: tuple[tuple[int, int], ...]) -> bool:
    return any(lo <= status <= hi for lo, hi in ranges)


@dataclass(frozen=True)
class Pending:
    state: str
    reason: str | None


@dataclass(frozen=True)
class Done:
    data: Any


@dataclass(frozen=True)
class MetadataOnly:
    """The result exists but was too big to inline: poll again, asking for the payload."""


def classify(spec: Futures, body: Any) -> Pending | Done | MetadataOnly:
    """What one retrieve answer means; raises RequestFailedError for a failed future."""
    if isinstance(body, dict):
        if body.get(spec.try_again_field) == spec.try_again_value:
            return pending_of(spec, body)
        if spec.metadata_only_field is not None and body.get(spec.metadata_status_field) == spec.metadata_status_value:
            return MetadataOnly()
        error = body.get(spec.error_field)
        if error is not None:
            category = body.get(spec.category_field)
            known = category if isinstance(category, str) and category in spec.categories else "unknown"
            raise RequestFailedError(f"the request failed ({known}): {error}", category=known, body=body)
        if spec.result_field is not None and spec.result_field in body:
            return Done(body[spec.result_field])
    return Done(body)


def pending_of(spec: Futures, body: Any) -> Pending:
    state, reason = "unknown", None
    if isinstance(body, dict):
        raw = body.get(spec.queue_state_field) if spec.queue_state_field else None
        state = raw if isinstance(raw, str) and raw in spec.queue_states else "unknown"
        raw_reason = body.get(spec.queue_state_reason_field) if spec.queue_state_reason_field else None
        reason = raw_reason if isinstance(raw_reason, str) else None
    return Pending(state, reason)


class _Poll:
    """The state of one polling loop, shared by the sync and async versions."""

    def __init__(
        self,
        spec: Futures,
        observer: QueueObserver | None,
        clock: Callable[[], float],
        rand: Callable[[], float],
        endpoint: Endpoint | None = None,
        queue_key: str | None = None,
    ) -> None:
        self.spec = spec
        self.observer = observer
        self.endpoint = endpoint  # the endpoint that answered the future (its queue-state log)
        self.queue_key = queue_key  # its log's debounce key (the calling client's session or model)
        self.clock = clock
        self.rand = rand
        self.deadline = None if spec.timeout is None else clock() + spec.timeout
        self.failures = 0
        self.last: Pending | None = None
        self.iteration = 0
        self.metadata_only = spec.metadata_only_field is not None
        self.bounded = 0  # bounded-retry statuses answered so far
        self.billing_since: float | None = None  # when the current billing pause began
        self.resubmits = 0

    def restart(self) -> None:
        """A fresh future of the same call (submitted again): its polls count from 0."""
        self.resubmits += 1
        self.iteration = 0
        self.metadata_only = self.spec.metadata_only_field is not None
        self.last = None

    def request(self, request_id: str, request_type: str | None) -> tuple[dict[str, Any], dict[str, str]]:
        """The body and headers of the next poll (counted as sent)."""
        spec = self.spec
        body: dict[str, Any] = {spec.request_id_field: request_id}
        if spec.metadata_only_field is not None:
            body[spec.metadata_only_field] = self.metadata_only
        headers = {}
        if spec.request_type_header is not None and request_type is not None:
            headers[spec.request_type_header] = request_type
        if spec.iteration_header is not None:
            headers[spec.iteration_header] = str(self.iteration)
        self.iteration += 1
        return body, headers

    def on_answer(self, answer: Pending | Done | MetadataOnly) -> bool:
        """Whether the answer is the result; otherwise the next poll is prepared."""
        if isinstance(answer, MetadataOnly):
            self.failures = 0
            self.metadata_only = False
        elif isinstance(answer, Pending):
            self.on_pending(answer)
        return isinstance(answer, Done)

    def check_deadline(self) -> None:
        if self.deadline is not None and self.clock() >= self.deadline:
            raise APITimeoutError("the future did not complete in time")

    def on_pending(self, pending: Pending) -> None:
        self.failures = 0
        if pending != self.last:
            # the client's observer, else the endpoint's queue log (as the other SDKs do)
            if self.observer is not None:
                self.observer(pending.state, pending.reason)
            elif self.endpoint is not None and self.endpoint.queue_log is not None:
                log = self.endpoint.queue_log
                log_queue_state(log, self.endpoint.id, self.clock(), pending.state, pending.reason, self.queue_key)
        self.last = pending

    def on_error(self, exc: Exception) -> float:
        """Delay before polling again after a transient failure; re-raises anything else (and
        raises FutureExpired for an expired promise)."""
        spec = self.spec
        if isinstance(exc, APIStatusError):
            if _in(exc.status, spec.pending_statuses):
                self.on_pending(pending_of(spec, exc.body))
                return 0.0
            if _in(exc.status, spec.expired_statuses):
                raise FutureExpired(exc)
            if _in(exc.status, spec.billing_statuses):
                now = self.clock()
                if self.billing_since is None:
                    self.billing_since = now
                if now - self.billing_since >= spec.billing_max_pause:
                    raise exc
                return spec.billing_delay
            if _in(exc.status, spec.bounded_retry_statuses):
                if self.bounded >= spec.bounded_retries:
                    raise exc
                self.bounded += 1
            elif exc.status != 429 and exc.status < 500:
                raise exc
        elif not isinstance(exc, APIConnectionError):
            raise exc
        delay = float(min(self.spec.transient_base_delay * 2.0**self.failures, self.spec.transient_max_delay)) * (
            1 - self.spec.transient_jitter * self.rand()
        )
        self.failures += 1
        return delay


def poll(
    transport: Transport,
    spec: Futures,
    request_id: str,
    adapter: TypeAdapter[T],
    *,
    observer: QueueObserver | None = None,
    request_type: str | None = None,
    endpoint: Endpoint | None = None,
    resubmit: Callable[[], str] | None = None,
    queue_key: str | None = None,
) -> T:
    """The future's result; waits and time come from the transport (injectable, e.g. scaled).
    ``resubmit`` submits the call again when its promise expired (without it, that is an error)."""
    state = _Poll(spec, observer, transport.clock, transport.rand, endpoint, queue_key)
    while True:
        state.check_deadline()
        body, headers = state.request(request_id, request_type)
        try:
            response = transport.send(spec.retrieve, body=body, headers=headers)
        except (APIStatusError, APIConnectionError) as exc:
            try:
                transport.sleep(state.on_error(exc))
            except FutureExpired as expired:
                if resubmit is None or state.resubmits >= spec.expired_resubmits:
                    raise expired.error from None
                state.restart()
                request_id = resubmit()
            continue
        answer = classify(spec, parse_body(response))
        if state.on_answer(answer):
            assert isinstance(answer, Done)
            return validate(answer.data, adapter)


async def apoll(
    transport: AsyncTransport,
    spec: Futures,
    request_id: str,
    adapter: TypeAdapter[T],
    *,
    observer: QueueObserver | None = None,
    request_type: str | None = None,
    resubmit: Callable[[], Awaitable[str]] | None = None,
    endpoint: Endpoint | None = None,
    queue_key: str | None = None,
) -> T:
    state = _Poll(spec, observer, transport.clock, transport.rand, endpoint, queue_key)
    while True:
        state.check_deadline()
        body, headers = state.request(request_id, request_type)
        try:
            response = await transport.send(spec.retrieve, body=body, headers=headers)
        except (APIStatusError, APIConnectionError) as exc:
            try:
                await transport.sleep(state.on_error(exc))
            except FutureExpired as expired:
                if resubmit is None or state.resubmits >= spec.expired_resubmits:
                    raise expired.error from None
                state.restart()
                request_id = await resubmit()
            continue
        answer = classify(spec, parse_body(response))
        if state.on_answer(answer):
            assert isinstance(answer, Done)
            return validate(answer.data, adapter)
