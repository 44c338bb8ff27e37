"""The manifest's telemetry feature (copied verbatim by tinkc).

Events are queued without blocking the caller and sent in batches of `batch_size` to the telemetry
endpoint: when a batch is full, every `flush_interval` while events wait, and when the client
closes (for at most `drain_timeout`). The queue is bounded: events beyond `max_queue_size` are
dropped and counted. A failing telemetry endpoint never fails a call: the batch is dropped and
counted. The manifest's `enabled_env` variable set to 0/false/no/off turns telemetry off. Events
never carry the API key."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import platform
import threading
import uuid
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from ._errors import SDKError
from ._http import AsyncTransport, Endpoint, Transport

PROCESS_ID = str(uuid.uuid4())
OFF = frozenset({"0", "false", "no", "off"})


@dataclass(frozen=True)
class EventKind:
    """The record the manifest sends for one kind of event: its wire fields (space-separated), and
    the union tag that marks it."""

    kind: str  # session_start, session_end, error, generic
    fields: str
    tag_field: str | None = None
    tag: str | None = None


@dataclass(frozen=True)
class TelemetrySpec:
    endpoint: Endpoint
    enabled_env: str | None
    batch_size: int
    flush_interval: float
    max_queue_size: int
    timeout: float
    drain_timeout: float
    events_field: str
    session_id_field: str | None
    process_id_field: str | None
    platform_field: str | None
    sdk_version_field: str | None
    sdk_version: str
    kinds: tuple[EventKind, ...]

    def enabled(self, environ: Mapping[str, str] | None = None) -> bool:
        env = os.environ if environ is None else environ
        return not (self.enabled_env and env.get(self.enabled_env, "").strip().lower() in OFF)


def iso_duration(seconds: float) -> str:
    return f"PT{max(seconds, 0.0):.3f}S"


class _Queue:
    """The bounded queue and the batches it makes; shared by the sync and async senders."""

    def __init__(self, spec: TelemetrySpec, clock: Callable[[], float]) -> None:
        self.spec = spec
        self.clock = clock
        self.events: deque[dict[str, Any]] = deque()
        self.lock = threading.Lock()
        self.index = 0
        self.dropped = 0  # events that did not fit in the queue, or could not be sent
        self.failed_batches = 0
        self.sent = 0  # events the endpoint accepted
        self.started = clock()
        self.session_id: str | None = None
        self.endpoint = dataclasses.replace(spec.endpoint, timeout=spec.timeout)
        self.shapes = {k.kind: (frozenset(k.fields.split()), k.tag_field, k.tag) for k in spec.kinds}

    def event(self, kind: str, values: Mapping[str, Any]) -> bool:
        """Queue an event of a kind the manifest declares; True when a batch is full."""
        shape = self.shapes.get(kind)
        if shape is None:
            return False
        with self.lock:
            standard = {
                "event_id": str(uuid.uuid4()),
                "event_session_index": self.index,
                "severity": "ERROR" if kind == "error" else "INFO",
                "timestamp": datetime.now(timezone.utc).isoformat().replace("+00:00", "Z"),
                **values,
            }
            fields, tag_field, tag = shape
            event = {k: v for k, v in standard.items() if k in fields and v is not None}
            if tag_field is not None:
                event[tag_field] = tag
            if len(self.events) >= self.spec.max_queue_size:
                self.dropped += 1
                return False
            self.index += 1
            self.events.append(event)
            return len(self.events) >= self.spec.batch_size

    def session_end(self) -> dict[str, Any]:
        return {"duration": iso_duration(self.clock() - self.started)}

    def next_batch(self) -> tuple[list[dict[str, Any]], dict[str, Any]] | None:
        """Up to `batch_size` events and the request body carrying them; None when nothing can go."""
        spec = self.spec
        if spec.session_id_field is not None and self.session_id is None:
            return None  # the request needs the session id: events wait until a session exists
        with self.lock:
            if not self.events:
                return None
            events = [self.events.popleft() for _ in range(min(spec.batch_size, len(self.events)))]
        body: dict[str, Any] = {spec.events_field: events}
        for field, value in (
            (spec.session_id_field, self.session_id),
            (spec.process_id_field, PROCESS_ID),
            (spec.platform_field, platform.system().lower()),
            (spec.sdk_version_field, spec.sdk_version),
        ):
            if field is not None:
                body[field] = value
        return events, body

    def sent_ok(self, events: list[dict[str, Any]]) -> None:
        self.sent += len(events)

    def failed(self, events: list[dict[str, Any]]) -> None:
        self.failed_batches += 1
        self.dropped += len(events)

    def abandon(self) -> None:
        with self.lock:
            self.dropped += len(self.events)
            self.events.clear()


class Telemetry:
    """Telemetry of a synchronous client family: a daemon thread sends the batches."""

    def __init__(self, spec: TelemetrySpec, transport: Transport) -> None:
        self.queue = _Queue(spec, transport.clock)
        self.transport = transport
        self.enabled = spec.enabled()
        self.wake = threading.Event()
        self.stopped = threading.Event()
        self.thread: threading.Thread | None = None
        self.start_lock = threading.Lock()

    def log(self, kind: str, **values: Any) -> None:
        """Queue an event; never blocks on the network, never raises."""
        if not self.enabled or self.stopped.is_set():
            return
        if self.queue.event(kind, values):
            self.wake.set()
        with self.start_lock:
            if self.thread is None:
                self.thread = threading.Thread(target=self._run, name="telemetry", daemon=True)
                self.thread.start()

    def session_started(self, session_id: str) -> None:
        self.queue.session_id = session_id
        self.log("session_start")

    def on_error(self, endpoint: Endpoint, error: SDKError) -> None:
        """A failed call, as an `error` event (failures of the telemetry endpoint itself are not)."""
        if endpoint.id != self.queue.endpoint.id:
            self.log("error", error_type=type(error).__name__, error_message=str(error))

    def _run(self) -> None:
        while True:
            self.transport.wait(self.wake, self.queue.spec.flush_interval)
            self.wake.clear()
            self.flush()
            if self.stopped.is_set():
                return

    def flush(self) -> None:
        while (batch := self.queue.next_batch()) is not None:
            events, body = batch
            try:
                self.transport.send(self.queue.endpoint, body=body)
                self.queue.sent_ok(events)
            except (SDKError, OSError):  # telemetry never fails the caller's work
                self.queue.failed(events)

    def close(self) -> None:
        """Report the session's end, stop the sender and send what is queued (bounded by the drain
        timeout: the sender thread's last round sends it)."""
        if self.stopped.is_set():
            return
        if self.enabled and self.queue.session_id is not None:
            self.queue.event("session_end", self.queue.session_end())
        self.stopped.set()
        self.wake.set()
        if self.thread is not None:
            self.thread.join(timeout=self.queue.spec.drain_timeout)
        self.queue.abandon()


class AsyncTelemetry:
    """Telemetry of an asynchronous client family: a task on the client's loop sends the batches."""

    def __init__(self, spec: TelemetrySpec, transport: AsyncTransport) -> None:
        self.queue = _Queue(spec, transport.clock)
        self.transport = transport
        self.enabled = spec.enabled()
        self.wake = asyncio.Event()
        self.stopped = False
        self.task: asyncio.Task[None] | None = None

    def log(self, kind: str, **values: Any) -> None:
        if not self.enabled or self.stopped:
            return
        if self.queue.event(kind, values):
            self.wake.set()
        if self.task is None:
            try:
                self.task = asyncio.get_running_loop().create_task(self._run())
            except RuntimeError:  # logged outside the event loop: sent by a later round or on close
                pass

    def session_started(self, session_id: str) -> None:
        self.queue.session_id = session_id
        self.log("session_start")

    def on_error(self, endpoint: Endpoint, error: SDKError) -> None:
        """A failed call, as an `error` event (failures of the telemetry endpoint itself are not)."""
        if endpoint.id != self.queue.endpoint.id:
            self.log("error", error_type=type(error).__name__, error_message=str(error))

    async def _run(self) -> None:
        while True:
            await wait_or_timeout(self.wake, self.queue.spec.flush_interval, self.transport.sleep)
            self.wake.clear()
            await self.flush()
            if self.stopped:
                return

    async def flush(self) -> None:
        while (batch := self.queue.next_batch()) is not None:
            events, body = batch
            try:
                await self.transport.send(self.queue.endpoint, body=body)
                self.queue.sent_ok(events)
            except (SDKError, OSError):
                self.queue.failed(events)

    async def aclose(self) -> None:
        if self.stopped:
            return
        if self.enabled and self.queue.session_id is not None:
            self.queue.event("session_end", self.queue.session_end())
        self.stopped = True
        self.wake.set()
        # The sender's last round sends what is queued, within the drain timeout.
        last_round = self.task if self.task is not None else asyncio.ensure_future(self.flush())
        try:
            await asyncio.wait_for(last_round, timeout=self.queue.spec.drain_timeout)
        except asyncio.TimeoutError:
            pass
        self.queue.abandon()


async def wait_or_timeout(event: asyncio.Event, seconds: float, sleep: Callable[[float], Awaitable[None]]) -> None:
    """Until the event is set or `seconds` pass (by the transport's possibly scaled sleep)."""
    waiter = asyncio.ensure_future(event.wait())
    timer = asyncio.ensure_future(sleep(seconds))
    try:
        await asyncio.wait({waiter, timer}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        waiter.cancel()
        timer.cancel()
