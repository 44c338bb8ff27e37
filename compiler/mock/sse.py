"""Server-sent events as the mock writes them (`text/event-stream`), from a scenario's `events:`
or generated values of a streaming endpoint's response type.

An event is written as its optional comment line (`: text`), `event:` and `id:` lines, then its
data: a JSON value as one `data:` line (compact JSON), or `lines` as written, one `data:` line
each (the reader joins them with LF); a blank line ends it. An item with only a comment is a
comment line between events (a keep-alive).
"""

from __future__ import annotations

import json
from typing import Any

import attrs

CONTENT_TYPE = "text/event-stream; charset=utf-8"


@attrs.frozen(kw_only=True)
class Event:
    data: Any = None  # a JSON value, when has_data
    has_data: bool = False
    lines: tuple[str, ...] | None = None  # data lines as written
    event: str | None = None
    id: str | None = None
    comment: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.comment is not None:
            out["comment"] = self.comment
        if self.event is not None:
            out["event"] = self.event
        if self.id is not None:
            out["id"] = self.id
        if self.has_data:
            out["data"] = self.data
        if self.lines is not None:
            out["lines"] = list(self.lines)
        return out


def event_text(e: Event) -> str:
    out = []
    if e.comment is not None:
        out.append(f": {e.comment}\n")
    fields = []
    if e.event is not None:
        fields.append(f"event: {e.event}\n")
    if e.id is not None:
        fields.append(f"id: {e.id}\n")
    if e.has_data:
        fields.append("data: " + json.dumps(e.data, separators=(",", ":"), ensure_ascii=False) + "\n")
    for line in e.lines or ():
        fields.append(f"data: {line}\n")
    if fields:
        out += [*fields, "\n"]
    return "".join(out)


def stream_text(events: tuple[Event, ...] | list[Event]) -> str:
    return "".join(event_text(e) for e in events)
