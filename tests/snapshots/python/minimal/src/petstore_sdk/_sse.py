"""Server-sent events of a streaming endpoint (copied verbatim by tinkc), as every SDK reads them.

The response body is read whole before the call answers; its events are then parsed as the WHATWG
HTML standard interprets an event stream: lines end in CRLF, LF or CR; a leading byte-order mark
is dropped; a line starting with `:` is a comment; `field: value` (one space after the colon
dropped; a line without a colon is a field with an empty value); the `data` lines of one event are
joined with LF; a blank line dispatches the event, and so does the end of the body (it was read
whole: nothing is cut off); an event without data is skipped. `event` names the event; `id` and
`retry` only matter to a reconnecting reader, which an SDK call is not. Each event's data is
decoded as the endpoint's response type when the iterator reaches it.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

from pydantic import TypeAdapter

from ._errors import ResponseValidationError
from ._http import validate

T = TypeVar("T")

_LINES = re.compile(r"\r\n|\n|\r")


@dataclass(frozen=True)
class ServerSentEvent:
    event: str | None
    data: str


def parse_events(body: str) -> list[ServerSentEvent]:
    """The events of a whole body, in order."""
    out: list[ServerSentEvent] = []
    data: list[str] = []
    name: str | None = None
    for line in _LINES.split(body.removeprefix("\ufeff")):
        if line == "":
            if data:
                out.append(ServerSentEvent(name, "\n".join(data)))
            data, name = [], None
            continue
        if line.startswith(":"):
            continue
        field, colon, value = line.partition(":")
        if colon and value.startswith(" "):
            value = value[1:]
        if field == "data":
            data.append(value)
        elif field == "event":
            name = value
    if data:
        out.append(ServerSentEvent(name, "\n".join(data)))
    return out


def decode_event(event: ServerSentEvent, adapter: TypeAdapter[T]) -> T:
    """An event's data as the declared type, or ResponseValidationError."""
    try:
        data = json.loads(event.data)
    except json.JSONDecodeError:
        raise ResponseValidationError("an event's data is not JSON", body=event.data[:1000]) from None
    return validate(data, adapter)


class EventStream(Generic[T], Iterator[T]):
    """The decoded events of a streaming call, in order (the body was read whole). Iterating
    decodes each event when it is reached: one that does not decode raises
    ResponseValidationError there."""

    def __init__(self, events: list[ServerSentEvent], adapter: TypeAdapter[T]) -> None:
        self._events = iter(events)
        self._adapter = adapter

    def __iter__(self) -> EventStream[T]:
        return self

    def __next__(self) -> T:
        return decode_event(next(self._events), self._adapter)


class AsyncEventStream(Generic[T], AsyncIterator[T]):
    """The async client's EventStream: `async for` over the decoded events."""

    def __init__(self, events: list[ServerSentEvent], adapter: TypeAdapter[T]) -> None:
        self._events = iter(events)
        self._adapter = adapter

    def __aiter__(self) -> AsyncEventStream[T]:
        return self

    async def __anext__(self) -> T:
        try:
            event = next(self._events)
        except StopIteration:
            raise StopAsyncIteration from None
        return decode_event(event, self._adapter)
