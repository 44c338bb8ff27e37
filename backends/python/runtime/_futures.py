"""Server-side futures (the manifest's promise_result feature; copied verbatim by tinkc).

The endpoint answers a handle; the result is polled from the retrieve endpoint. Each answer is
classified: pending (the try-again marker, or a pending status such as 408) → report the queue
state and poll again; an error field → RequestFailedError with its category; anything else → the
result, validated as the endpoint's declared response type. Transient poll failures (connection
errors, 429, 5xx) are retried with backoff until the overall timeout."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import TypeAdapter

from ._errors import APIConnectionError, APIStatusError, APITimeoutError, RequestFailedError
from ._http import AsyncTransport, Endpoint, QueueLog, Transport, parse_body, validate

T = TypeVar("T")

# the SDK package's logger: queue-state changes, as the other SDKs log them
logger = logging.getLogger(__name__.rpartition(".")[0])
_logged: dict[tuple[str, str], float] = {}  # when each (feature, endpoint) last logged a change
_logged_lock = threading.Lock()


def log_queue_state(log: QueueLog, endpoint_id: str, now: float, state: str, reason: str | None) -> None:
    """Logs a queue-state change at the log's level, unless the same feature and endpoint logged
    one less than its debounce ago."""
    key = (log.id, endpoint_id)
    with _logged_lock:
        last = _logged.get(key)
        if last is not None and now - last < log.debounce:
            return
        _logged[key] = now
    detail = f" ({reason})" if reason else ""
    logger.log(logging.getLevelName(log.level.upper()), "%s: queue state %s%s", endpoint_id, state, detail)


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


@dataclass(frozen=True)
class Pending:
    state: str
    reason: str | None


@dataclass(frozen=True)
class Done:
    data: Any


def classify(spec: Futures, body: Any) -> Pending | Done:
    """What one retrieve answer means; raises RequestFailedError for a failed future."""
    if isinstance(body, dict):
        if body.get(spec.try_again_field) == spec.try_again_value:
            return pending_of(spec, body)
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
    ) -> None:
        self.spec = spec
        self.observer = observer
        self.endpoint = endpoint  # the endpoint that answered the future (its queue-state log)
        self.clock = clock
        self.rand = rand
        self.deadline = None if spec.timeout is None else clock() + spec.timeout
        self.failures = 0
        self.last: Pending | None = None

    def check_deadline(self) -> None:
        if self.deadline is not None and self.clock() >= self.deadline:
            raise APITimeoutError("the future did not complete in time")

    def on_pending(self, pending: Pending) -> None:
        self.failures = 0
        if pending != self.last:
            if self.observer is not None:
                self.observer(pending.state, pending.reason)
            if self.endpoint is not None and self.endpoint.queue_log is not None:
                log_queue_state(self.endpoint.queue_log, self.endpoint.id, self.clock(), pending.state, pending.reason)
        self.last = pending

    def on_error(self, exc: Exception) -> float:
        """Delay before polling again after a transient failure; re-raises anything else."""
        if isinstance(exc, APIStatusError):
            if any(lo <= exc.status <= hi for lo, hi in self.spec.pending_statuses):
                self.on_pending(pending_of(self.spec, exc.body))
                return 0.0
            if exc.status != 429 and exc.status < 500:
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
    endpoint: Endpoint | None = None,
) -> T:
    """The future's result; waits and time come from the transport (injectable, e.g. scaled)."""
    state = _Poll(spec, observer, transport.clock, transport.rand, endpoint)
    while True:
        state.check_deadline()
        try:
            response = transport.send(spec.retrieve, body={spec.request_id_field: request_id})
        except (APIStatusError, APIConnectionError) as exc:
            transport.sleep(state.on_error(exc))
            continue
        answer = classify(spec, parse_body(response))
        if isinstance(answer, Done):
            return validate(answer.data, adapter)
        state.on_pending(answer)


async def apoll(
    transport: AsyncTransport,
    spec: Futures,
    request_id: str,
    adapter: TypeAdapter[T],
    *,
    observer: QueueObserver | None = None,
    endpoint: Endpoint | None = None,
) -> T:
    state = _Poll(spec, observer, transport.clock, transport.rand, endpoint)
    while True:
        state.check_deadline()
        try:
            response = await transport.send(spec.retrieve, body={spec.request_id_field: request_id})
        except (APIStatusError, APIConnectionError) as exc:
            await transport.sleep(state.on_error(exc))
            continue
        answer = classify(spec, parse_body(response))
        if isinstance(answer, Done):
            return validate(answer.data, adapter)
        state.on_pending(answer)
