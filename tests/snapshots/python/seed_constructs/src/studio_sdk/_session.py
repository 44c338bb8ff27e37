"""The manifest's session_lifecycle feature (copied verbatim by tinkc): a session is created when a
client first needs its id, and kept alive by heartbeats in the background until the client closes
or the server answers a stop status. Clients derived from one another share one session."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ._errors import APIError, APIStatusError, ResponseValidationError
from ._http import AsyncTransport, Endpoint, Transport, parse_body

# the SDK package's logger, as the other SDKs log to theirs (heartbeat warnings)
logger = logging.getLogger(__name__.rpartition(".")[0])


@dataclass(frozen=True)
class Session:
    create: Endpoint
    create_body: Mapping[str, Any]
    session_id_field: str
    heartbeat: Endpoint | None
    interval: float
    stop_statuses: tuple[tuple[int, int], ...]
    heartbeat_in_path: bool = False  # the heartbeat carries the session id in its path, not its body
    heartbeat_body: Mapping[str, Any] = field(default_factory=dict)  # its literal tags, sent with the session id
    warn_after: float | None = None  # one warning once heartbeats have failed for this long

    def silence(self, last_ok: float, now: float, warned: bool, session_id: str) -> bool:
        """Whether the warning about failed heartbeats was given (now or before)."""
        if warned or self.warn_after is None or now - last_ok < self.warn_after:
            return warned
        logger.warning("session %s: no successful heartbeat for %d s", session_id, int(now - last_ok))
        return True

    # (field, config option, null when absent): create fields read from the configuration; an
    # absent option's field is left out, or null when the request requires it
    create_config: tuple[tuple[str, str, bool], ...] = ()

    def create_request(self, options: Mapping[str, Any]) -> dict[str, Any]:
        """The create request's body: the manifest's constants and the configured options."""
        body = dict(self.create_body)
        for field_name, option, required in self.create_config:
            if options.get(option) is not None or required:
                body[field_name] = options.get(option)
        return body

    def stops(self, error: APIError) -> bool:
        return isinstance(error, APIStatusError) and any(lo <= error.status <= hi for lo, hi in self.stop_statuses)

    def beat(self, transport: Transport, session_id: str) -> None:
        assert self.heartbeat is not None
        if self.heartbeat_in_path:
            transport.send(self.heartbeat, path={self.session_id_field: session_id})
        else:
            transport.send(self.heartbeat, body={**self.heartbeat_body, self.session_id_field: session_id})

    async def abeat(self, transport: AsyncTransport, session_id: str) -> None:
        assert self.heartbeat is not None
        if self.heartbeat_in_path:
            await transport.send(self.heartbeat, path={self.session_id_field: session_id})
        else:
            await transport.send(self.heartbeat, body={**self.heartbeat_body, self.session_id_field: session_id})

    def session_id_of(self, body: Any) -> str:
        value = body.get(self.session_id_field) if isinstance(body, dict) else None
        if not isinstance(value, str):
            raise ResponseValidationError(f"the session answer has no `{self.session_id_field}`", body=body)
        return value


class SessionHolder:
    """One session, shared by a client and the clients derived from it."""

    def __init__(self) -> None:
        self.session_id: str | None = None
        self.lock = threading.Lock()
        self.stopped = threading.Event()
        self.beats = 0  # successful heartbeats, for observers and tests
        self.thread: threading.Thread | None = None
        self.task: asyncio.Task[None] | None = None

    def open(self, transport: Transport, spec: Session, on_open: Callable[[str], None] | None = None) -> str:
        with self.lock:
            if self.session_id is None:
                response = transport.send(spec.create, body=spec.create_request(transport.config.options))
                self.session_id = spec.session_id_of(parse_body(response))
                if on_open is not None:
                    on_open(self.session_id)
                if spec.heartbeat is not None:
                    self.thread = threading.Thread(
                        target=self._beat, args=(transport, spec, self.session_id), daemon=True
                    )
                    self.thread.start()
            return self.session_id

    def _beat(self, transport: Transport, spec: Session, session_id: str) -> None:
        assert spec.heartbeat is not None
        last_ok, warned = transport.clock(), False
        while not transport.wait(self.stopped, spec.interval):
            try:
                spec.beat(transport, session_id)
                self.beats += 1
                last_ok, warned = transport.clock(), False
            except APIError as exc:  # a missed heartbeat is not fatal; a stop status ends the session
                if spec.stops(exc):
                    return
                warned = spec.silence(last_ok, transport.clock(), warned, session_id)

    async def aopen(
        self, transport: AsyncTransport, spec: Session, on_open: Callable[[str], None] | None = None
    ) -> str:
        if self.session_id is None:
            response = await transport.send(spec.create, body=spec.create_request(transport.config.options))
            if self.session_id is None:  # another task may have opened it meanwhile
                self.session_id = spec.session_id_of(parse_body(response))
                if on_open is not None:
                    on_open(self.session_id)
                if spec.heartbeat is not None:
                    self.task = asyncio.get_running_loop().create_task(self._abeat(transport, spec, self.session_id))
        return self.session_id

    async def _abeat(self, transport: AsyncTransport, spec: Session, session_id: str) -> None:
        assert spec.heartbeat is not None
        last_ok, warned = transport.clock(), False
        while True:
            await transport.sleep(spec.interval)
            try:
                await spec.abeat(transport, session_id)
                self.beats += 1
                last_ok, warned = transport.clock(), False
            except APIError as exc:
                if spec.stops(exc):
                    return
                warned = spec.silence(last_ok, transport.clock(), warned, session_id)

    def close(self) -> None:
        self.stopped.set()
        if self.thread is not None:
            self.thread.join(timeout=5)

    async def aclose(self) -> None:
        if self.task is not None:
            self.task.cancel()
            try:
                await self.task
            except asyncio.CancelledError:
                pass
