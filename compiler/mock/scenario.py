"""Scripted scenarios of the mock server: the format (see docs/mock.md) and its checking.

A scenario is plain data (YAML file, JSON over the control API, or a dict in Python):

    responses:                       # ordered scripts, per endpoint id or "METHOD /path"
      service.create_session:
        - {status: 503, times: 2}    # the first two calls answer 503, then the normal answer
      sampling.asample:
        - status: 429
          headers: {Retry-After: "1"}
    futures:                         # how futures of promise_result endpoints resolve
      "*": {pending_polls: 1}
      weights.save: [{error: disk full, category: server}]
    faults: {seed: 7, rate: 0.2}     # random faults, deterministic for a seed and request order
    idempotency: {call_tag: "soak-[0-9]+"}   # which requests are one logical call (duplicates)

Problems are diagnostics (code ``scenario.*``) with the file position when the scenario came from a
file, and a path into the data (``responses."models.create"[0].status``) always.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import attrs

from tinkc.diagnostics import Diagnostic, Sink, did_you_mean
from tinkc.frontend import model
from tinkc.frontend.load import parse_json, parse_yaml
from tinkc.ir import nodes as ir
from tinkc.ir.span import Span
from tinkc.mock.routes import Match, Router
from tinkc.mock.sse import Event

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
ANY_FUTURE = "*"
_HEADER_NAME = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+\Z")

Path_ = tuple[str | int, ...]


class ScenarioError(Exception):
    """A scenario that does not check; ``diagnostics`` say why, ``sources`` hold the file text."""

    def __init__(self, diagnostics: list[Diagnostic], sources: dict[str, str] | None = None) -> None:
        super().__init__("; ".join(_one_line(d) for d in diagnostics))
        self.diagnostics = diagnostics
        self.sources = sources or {}


def _one_line(d: Diagnostic) -> str:
    where = f"{d.span}: " if d.span else ""
    return where + d.message + (f" ({d.hint})" if d.hint else "")


@attrs.frozen(kw_only=True)
class Reply:
    """One scripted response. Without ``body``/``text``/``drop``/``malformed`` and with a 2xx status
    (other than 204) or none, it only modifies the normal answer: its delay, headers and status."""

    status: int | None = None
    has_body: bool = False
    body: Any = None  # JSON value when has_body
    text: str | None = None
    headers: tuple[tuple[str, str], ...] = ()
    delay_ms: float = 0
    drop: bool = False
    malformed: bool = False
    times: int = 1
    executed: bool | None = None  # idempotency accounting override
    events: tuple[Event, ...] | None = None  # a streaming endpoint's server-sent events

    @property
    def modifies_default(self) -> bool:
        if self.drop or self.malformed or self.has_body or self.text is not None or self.events is not None:
            return False
        return self.status is None or (200 <= self.status < 300 and self.status != 204)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.status is not None:
            out["status"] = self.status
        if self.has_body:
            out["body"] = self.body
        if self.text is not None:
            out["text"] = self.text
        if self.headers:
            out["headers"] = dict(self.headers)
        if self.delay_ms:
            out["delay_ms"] = self.delay_ms
        if self.drop:
            out["drop"] = True
        if self.malformed:
            out["malformed"] = True
        if self.times != 1:
            out["times"] = self.times
        if self.executed is not None:
            out["executed"] = self.executed
        if self.events is not None:
            out["events"] = [e.to_json() for e in self.events]
        return out


# The settings of one future; every key optional (see FUTURE_DEFAULTS).
FUTURE_KEYS = (
    "pending_polls",
    "queue_states",
    "queue_state_reason",
    "pending_status",
    "error",
    "category",
    "result",
    "complete_metadata",
    "times",
)
FUTURE_DEFAULTS: dict[str, Any] = {
    "pending_polls": 1,
    "queue_states": ["active"],
    "queue_state_reason": None,
    "pending_status": 200,
    "category": "user",
}


@attrs.frozen(kw_only=True)
class ScriptKey:
    """Where a script applies: an endpoint, or one concrete path of it (``path`` as written)."""

    endpoint: str
    path: str | None = None
    written: str = ""


@attrs.frozen(kw_only=True)
class FutureScript:
    """``every``: one settings mapping for every future of the endpoint; ``each``: one entry per
    future, in order (with ``times``), after which the ``"*"`` settings and the defaults apply."""

    mode: str  # every | each
    entries: tuple[dict[str, Any], ...]

    def to_json(self) -> Any:
        return dict(self.entries[0]) if self.mode == "every" else [dict(e) for e in self.entries]


# The kinds of random faults (`faults.kinds`), in the order the draw picks among them.
FAULT_KINDS = ("5xx_burst", "429", "408", "try_again_storm", "drop", "slow", "malformed")
FAULT_KEYS = ("seed", "rate", "kinds", "endpoints", "burst", "slow_ms", "storm_polls", "drop_executed")


@attrs.frozen(kw_only=True)
class Faults:
    """Random faults on every endpoint without a scripted answer left (docs/mock.md, `faults`).

    Which request gets which fault depends only on ``seed``, the endpoint and how many requests of
    that endpoint came before: the same seed and request order give the same faults."""

    seed: int = 0
    rate: float = 0.1  # the probability that a request gets a fault
    kinds: tuple[str, ...] = FAULT_KINDS
    endpoints: tuple[str, ...] = ()  # () = every endpoint
    burst: int = 3  # requests of the endpoint answering 5xx in a row, this one included
    slow_ms: tuple[float, float] = (20.0, 200.0)  # a slow answer's delay, drawn in this range
    storm_polls: tuple[int, int] = (2, 6)  # extra try_again polls of a future hit by a storm
    drop_executed: float = 0.5  # the share of drops that happen after the request was executed

    def to_json(self) -> dict[str, Any]:
        return {
            "seed": self.seed,
            "rate": self.rate,
            "kinds": list(self.kinds),
            "endpoints": list(self.endpoints),
            "burst": self.burst,
            "slow_ms": list(self.slow_ms),
            "storm_polls": list(self.storm_polls),
            "drop_executed": self.drop_executed,
        }


@attrs.frozen(kw_only=True)
class IdempotencySettings:
    """``call_tag``: a regular expression; the first text of a request (path parameters, query, then
    the JSON body depth-first) it matches names the request's logical call, so that one call executed
    under two idempotency keys, or twice without one, is counted as a duplicate."""

    call_tag: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"call_tag": self.call_tag} if self.call_tag is not None else {}


@attrs.frozen(kw_only=True)
class Scenario:
    responses: tuple[tuple[ScriptKey, tuple[Reply, ...]], ...] = ()
    futures: tuple[tuple[str, FutureScript], ...] = ()
    faults: Faults | None = None
    idempotency: IdempotencySettings = IdempotencySettings()
    doc: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.doc:
            out["doc"] = self.doc
        if self.responses:
            out["responses"] = {k.written: [r.to_json() for r in replies] for k, replies in self.responses}
        if self.futures:
            out["futures"] = {k: s.to_json() for k, s in self.futures}
        if self.faults is not None:
            out["faults"] = self.faults.to_json()
        if self.idempotency.call_tag is not None:
            out["idempotency"] = self.idempotency.to_json()
        return out


EMPTY = Scenario()


# ---------------------------------------------------------------------------------------------
# Checking


def show_path(path: Path_) -> str:
    out = ""
    for p in path:
        if isinstance(p, int):
            out += f"[{p}]"
        elif re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", p):
            out += f".{p}" if out else p
        else:
            out += ("." if out else "") + json.dumps(p)
    return out or "(top level)"


class _Checker:
    def __init__(self, api: ir.Api, router: Router, sink: Sink, locate: Callable[[Path_, bool], Span | None]) -> None:
        self.api, self.router, self.sink, self.locate = api, router, sink, locate

    def error(self, code: str, path: Path_, message: str, hint: str | None = None, *, key: bool = False) -> None:
        self.sink.error(f"scenario.{code}", f"{show_path(path)}: {message}", self.locate(path, key), hint=hint)

    def mapping(self, value: Any, path: Path_, allowed: tuple[str, ...] | None) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            self.error("type", path, f"expected a mapping, got {_describe(value)}")
            return None
        if allowed is not None:
            for k in value:
                if k not in allowed:
                    self.error(
                        "unknown-key", (*path, k), f"unknown key `{k}`", did_you_mean(k, allowed) or f"keys: {', '.join(allowed)}", key=True
                    )
        return value

    def scenario(self, data: Any) -> Scenario | None:
        if data is None:
            return EMPTY
        top = self.mapping(data, (), ("doc", "responses", "futures", "faults", "idempotency"))
        if top is None:
            return None
        doc = top.get("doc")
        if doc is not None and not isinstance(doc, str):
            self.error("type", ("doc",), f"expected text, got {_describe(doc)}")
        responses: list[tuple[ScriptKey, tuple[Reply, ...]]] = []
        raw = top.get("responses")
        if raw is not None and self.mapping(raw, ("responses",), None) is not None:
            for written, items in raw.items():
                key = self.script_key(written, ("responses", written))
                replies = self.replies(items, ("responses", written))
                if key is not None and replies is not None:
                    self.stream_only(key, replies, ("responses", written))
                    responses.append((key, replies))
        futures: list[tuple[str, FutureScript]] = []
        raw = top.get("futures")
        if raw is not None and self.mapping(raw, ("futures",), None) is not None:
            for written, items in raw.items():
                script = self.future_script(written, items, ("futures", written))
                if script is not None:
                    futures.append((written, script))
        faults = self.faults(top["faults"], ("faults",)) if top.get("faults") is not None else None
        idempotency = IdempotencySettings()
        raw = top.get("idempotency")
        if raw is not None and self.mapping(raw, ("idempotency",), ("call_tag",)) is not None:
            tag = raw.get("call_tag")
            if tag is not None:
                if not isinstance(tag, str) or not tag:
                    self.error("type", ("idempotency", "call_tag"), f"expected a regular expression, got {_describe(tag)}")
                else:
                    try:
                        re.compile(tag)
                        idempotency = IdempotencySettings(call_tag=tag)
                    except re.error as exc:
                        self.error("type", ("idempotency", "call_tag"), f"not a regular expression: {exc}")
        return Scenario(
            responses=tuple(responses),
            futures=tuple(futures),
            faults=faults,
            idempotency=idempotency,
            doc=doc if isinstance(doc, str) else None,
        )

    # ---- faults

    def faults(self, value: Any, path: Path_) -> Faults | None:
        m = self.mapping(value, path, FAULT_KEYS)
        if m is None:
            return None
        before = self.sink.error_count()
        seed = self.integer(m, "seed", path, lo=0, hi=None)
        rate = self.fraction(m, "rate", path)
        kinds: tuple[str, ...] = FAULT_KINDS
        if "kinds" in m:
            raw = m["kinds"]
            if not isinstance(raw, list) or not raw:
                self.error("type", (*path, "kinds"), f"expected a non-empty list of fault kinds, got {_describe(raw)}")
            else:
                found = []
                for i, kind in enumerate(raw):
                    name = str(kind) if isinstance(kind, (str, int)) and not isinstance(kind, bool) else None  # 429: a YAML number
                    if name not in FAULT_KINDS:
                        hint: str | None = did_you_mean(str(kind), FAULT_KINDS) or f"kinds: {', '.join(FAULT_KINDS)}"
                        self.error("unknown-fault", (*path, "kinds", i), f"unknown fault kind `{kind}`", hint)
                    elif name not in found:
                        found.append(name)
                kinds = tuple(k for k in FAULT_KINDS if k in found)  # the draw's order does not depend on the writing
        endpoints: tuple[str, ...] = ()
        if "endpoints" in m:
            raw = m["endpoints"]
            if not isinstance(raw, list) or not all(isinstance(e, str) for e in raw):
                self.error("type", (*path, "endpoints"), "expected a list of endpoint ids")
            else:
                for i, e in enumerate(raw):
                    if e not in self.api.endpoints:
                        hint = did_you_mean(e, self.api.endpoints)
                        self.error("unknown-endpoint", (*path, "endpoints", i), f"unknown endpoint `{e}`", hint)
                endpoints = tuple(raw)
        burst = self.integer(m, "burst", path, lo=1, hi=None)
        slow = self.span(m, "slow_ms", path, integral=False)
        storm = self.span(m, "storm_polls", path, integral=True)
        drop_executed = self.fraction(m, "drop_executed", path)
        if self.sink.error_count() > before:
            return None
        defaults = Faults()
        return Faults(
            seed=seed if seed is not None else defaults.seed,
            rate=rate if rate is not None else defaults.rate,
            kinds=kinds,
            endpoints=endpoints,
            burst=burst if burst is not None else defaults.burst,
            slow_ms=(float(slow[0]), float(slow[1])) if slow is not None else defaults.slow_ms,
            storm_polls=(int(storm[0]), int(storm[1])) if storm is not None else defaults.storm_polls,
            drop_executed=drop_executed if drop_executed is not None else defaults.drop_executed,
        )

    def fraction(self, m: Mapping[str, Any], key: str, path: Path_) -> float | None:
        if key not in m:
            return None
        v = m[key]
        if not isinstance(v, (int, float)) or isinstance(v, bool) or not 0 <= v <= 1:
            self.error("type", (*path, key), f"expected a number from 0 to 1, got {_describe(v)}")
            return None
        return float(v)

    def span(self, m: Mapping[str, Any], key: str, path: Path_, *, integral: bool) -> tuple[float, float] | None:
        """A number, or `[low, high]`: the range a value is drawn from."""
        if key not in m:
            return None
        v = m[key]
        items = v if isinstance(v, list) else [v, v]
        number = int if integral else (int, float)
        if len(items) != 2 or not all(isinstance(x, number) and not isinstance(x, bool) and x >= 0 for x in items) or items[0] > items[1]:
            what = "an integer" if integral else "a number"
            self.error("type", (*path, key), f"expected {what} >= 0 or [low, high], got {_describe(v)}")
            return None
        return (items[0], items[1])

    # ---- responses

    def script_key(self, written: str, path: Path_) -> ScriptKey | None:
        if written in self.api.endpoints:
            return ScriptKey(endpoint=written, written=written)
        method, _, target = written.partition(" ")
        target = target.strip()
        if method.upper() in METHODS and target.startswith("/"):
            method = method.upper()
            for ep in self.api.endpoints.values():
                if ep.method == method and ep.path.template == target:
                    return ScriptKey(endpoint=ep.id, written=written)
            found = self.router.match(method, target)
            if isinstance(found, Match):
                return ScriptKey(endpoint=found.endpoint.id, path=target, written=written)
            self.error("unknown-endpoint", path, f"no endpoint answers `{method} {target}`", key=True)
            return None
        hint = did_you_mean(written, self.api.endpoints) or "write an endpoint id (`models.create`) or `METHOD /path`"
        self.error("unknown-endpoint", path, f"unknown endpoint `{written}`", hint, key=True)
        return None

    def replies(self, items: Any, path: Path_) -> tuple[Reply, ...] | None:
        if isinstance(items, dict):
            items = [items]  # one reply may be written without the list
            single = True
        else:
            single = False
        if not isinstance(items, list):
            self.error("type", path, f"expected a list of responses, got {_describe(items)}")
            return None
        out = []
        for i, item in enumerate(items):
            reply = self.reply(item, path if single else (*path, i))
            if reply is not None:
                out.append(reply)
        return tuple(out) if len(out) == len(items) else None

    def reply(self, item: Any, path: Path_) -> Reply | None:
        keys = ("status", "body", "text", "headers", "delay_ms", "drop", "malformed", "times", "executed", "events")
        m = self.mapping(item, path, keys)
        if m is None:
            return None
        before = self.sink.error_count()
        status = self.integer(m, "status", path, lo=200, hi=599)
        text = m.get("text")
        if text is not None and not isinstance(text, str):
            self.error("type", (*path, "text"), f"expected text, got {_describe(text)}", "for a JSON body write `body:`")
        headers: list[tuple[str, str]] = []
        raw_headers = m.get("headers")
        if raw_headers is not None and self.mapping(raw_headers, (*path, "headers"), None) is not None:
            for name, value in raw_headers.items():
                if not _HEADER_NAME.match(name):
                    self.error("header", (*path, "headers", name), f"`{name}` is not a valid header name", key=True)
                elif isinstance(value, (str, int, float)) and not isinstance(value, bool):
                    headers.append((name, str(value)))
                else:
                    self.error("type", (*path, "headers", name), f"a header value is text or a number, got {_describe(value)}")
        delay = m.get("delay_ms", 0)
        if not isinstance(delay, (int, float)) or isinstance(delay, bool) or delay < 0:
            self.error("type", (*path, "delay_ms"), f"expected a number of milliseconds >= 0, got {_describe(delay)}")
        drop = self.boolean(m, "drop", path)
        malformed = self.boolean(m, "malformed", path)
        times = self.integer(m, "times", path, lo=1, hi=None)
        executed = m.get("executed")
        if executed is not None and not isinstance(executed, bool):
            self.error("type", (*path, "executed"), f"expected true or false, got {_describe(executed)}")
        if drop:
            given = [k for k in ("status", "body", "text", "headers", "malformed") if k in m]
            if given:
                self.error(
                    "conflict", path, f"`drop: true` closes the connection without answering; remove {', '.join(f'`{k}`' for k in given)}"
                )
        if malformed and ("body" in m or "text" in m):
            self.error("conflict", path, "`malformed: true` sends a body that is not JSON; remove `body`/`text`")
        if "body" in m and "text" in m:
            self.error("conflict", path, "give `body` (JSON) or `text` (raw text), not both")
        events = self.events(m["events"], (*path, "events")) if "events" in m else None
        if "events" in m:
            given = [k for k in ("body", "text", "malformed", "drop") if k in m]
            if given:
                self.error("conflict", path, f"`events` is the body (server-sent events); remove {', '.join(f'`{k}`' for k in given)}")
        if status in (204, 304) and ("body" in m or "text" in m or malformed):
            self.error("conflict", path, f"a {status} answer has no body")
        if self.sink.error_count() > before:
            return None
        return Reply(
            status=status,
            has_body="body" in m,
            body=m.get("body"),
            text=text,
            headers=tuple(headers),
            delay_ms=delay,
            drop=bool(drop),
            malformed=bool(malformed),
            times=times if times is not None else 1,
            executed=executed,
            events=events,
        )

    def stream_only(self, key: ScriptKey, replies: tuple[Reply, ...], path: Path_) -> None:
        """`events:` answer a streaming endpoint (`stream:`) only: any other one's client reads JSON."""
        ep = self.api.endpoints.get(key.endpoint)
        if ep is not None and ep.stream is None and any(r.events is not None for r in replies):
            streams = [e.id for e in self.api.endpoints.values() if e.stream is not None]
            self.error(
                "conflict",
                path,
                f"`events` answer a streaming endpoint, and `{ep.id}` does not stream",
                f"streaming endpoints: {', '.join(streams)}" if streams else "this API has no streaming endpoint",
            )

    def events(self, value: Any, path: Path_) -> tuple[Event, ...] | None:
        """`events:` of a reply: each `{data}` (a JSON value, one `data:` line) or `{lines}` (data
        lines as written), with an optional `event`, `id` and `comment`; or only a `comment`."""
        if not isinstance(value, list):
            self.error("type", path, f"expected a list of events, got {_describe(value)}")
            return None
        out = []
        for i, item in enumerate(value):
            where = (*path, i)
            m = self.mapping(item, where, ("data", "lines", "event", "id", "comment"))
            if m is None:
                continue
            texts: dict[str, str | None] = {}
            for key in ("event", "id", "comment"):
                text = m.get(key)
                if text is not None and (not isinstance(text, str) or "\n" in text or "\r" in text):
                    self.error("type", (*where, key), f"expected one line of text, got {_describe(text)}")
                    text = None
                texts[key] = text
            lines = m.get("lines")
            single = isinstance(lines, list) and all(isinstance(x, str) and "\n" not in x and "\r" not in x for x in lines)
            if lines is not None and not single:
                self.error("type", (*where, "lines"), f"expected a list of single lines of text, got {_describe(lines)}")
                continue
            if "data" in m and lines is not None:
                self.error("conflict", where, "give `data` (a JSON value) or `lines` (data lines as written), not both")
                continue
            if "data" not in m and lines is None and texts["comment"] is None:
                self.error("type", where, "an event has `data`, `lines` or a `comment`")
                continue
            out.append(
                Event(
                    data=m.get("data"),
                    has_data="data" in m,
                    lines=tuple(lines) if lines is not None else None,
                    event=texts["event"],
                    id=texts["id"],
                    comment=texts["comment"],
                )
            )
        return tuple(out) if len(out) == len(value) else None

    # ---- futures

    def future_script(self, written: str, items: Any, path: Path_) -> FutureScript | None:
        if written != ANY_FUTURE:
            ep = self.api.endpoints.get(written)
            if ep is None or self.api.future_feature(ep) is None:
                futures = [e.id for e in self.api.endpoints.values() if self.api.future_feature(e) is not None]
                what = "unknown endpoint" if ep is None else "not a futures (promise_result) endpoint:"
                hint = did_you_mean(written, futures) or (
                    f"futures endpoints: {', '.join(futures)}" if futures else "this API has no futures"
                )
                self.error("unknown-endpoint", path, f"{what} `{written}`", hint, key=True)
                return None
        if isinstance(items, dict):
            entry = self.future(items, path, allow_times=False)
            return FutureScript(mode="every", entries=(entry,)) if entry is not None else None
        if written == ANY_FUTURE or not isinstance(items, list):
            self.error(
                "type",
                path,
                f"expected a mapping of future settings{'' if written == ANY_FUTURE else ' or a list of them'}, got {_describe(items)}",
            )
            return None
        entries = [self.future(item, (*path, i), allow_times=True) for i, item in enumerate(items)]
        if any(e is None for e in entries):
            return None
        return FutureScript(mode="each", entries=tuple(e for e in entries if e is not None))

    def future(self, item: Any, path: Path_, *, allow_times: bool) -> dict[str, Any] | None:
        keys = FUTURE_KEYS if allow_times else tuple(k for k in FUTURE_KEYS if k != "times")
        m = self.mapping(item, path, keys)
        if m is None:
            return None
        before = self.sink.error_count()
        self.integer(m, "pending_polls", path, lo=0, hi=None)
        self.integer(m, "pending_status", path, lo=200, hi=599)
        self.integer(m, "times", path, lo=1, hi=None)
        self.integer(m, "complete_metadata", path, lo=0, hi=None)
        states = m.get("queue_states")
        if states is not None and (not isinstance(states, list) or not states or not all(isinstance(s, str) for s in states)):
            self.error("type", (*path, "queue_states"), "expected a non-empty list of queue state names")
        for k in ("queue_state_reason", "error"):
            if m.get(k) is not None and not isinstance(m[k], str):
                self.error("type", (*path, k), f"expected text, got {_describe(m[k])}")
        if "category" in m and m["category"] is not None and not isinstance(m["category"], str):
            self.error("type", (*path, "category"), f"expected text or null, got {_describe(m['category'])}")
        if "error" in m and "result" in m:
            self.error("conflict", path, "a future resolves to an `error` or a `result`, not both")
        return dict(m) if self.sink.error_count() == before else None

    # ---- scalars

    def integer(self, m: Mapping[str, Any], key: str, path: Path_, *, lo: int, hi: int | None) -> int | None:
        if key not in m:
            return None
        v = m[key]
        if not isinstance(v, int) or isinstance(v, bool) or v < lo or (hi is not None and v > hi):
            bound = f"from {lo} to {hi}" if hi is not None else f">= {lo}"
            self.error("type", (*path, key), f"expected an integer {bound}, got {_describe(v)}")
            return None
        return v

    def boolean(self, m: Mapping[str, Any], key: str, path: Path_) -> bool | None:
        v = m.get(key)
        if v is not None and not isinstance(v, bool):
            self.error("type", (*path, key), f"expected true or false, got {_describe(v)}")
            return None
        return v


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, (int, float)):
        return f"`{value}`"
    if isinstance(value, str):
        return f'"{value}"' if len(value) < 40 else "text"
    return "a list" if isinstance(value, list) else "a mapping"


def parse_scenario(data: Any, api: ir.Api, *, router: Router | None = None) -> Scenario:
    """Plain data (a dict, as from JSON) → a checked :class:`Scenario`, or :class:`ScenarioError`."""
    sink = Sink()
    scenario = _Checker(api, router or Router(api.endpoints.values()), sink, lambda _p, _k: None).scenario(data)
    if sink.has_errors or scenario is None:
        raise ScenarioError(sink.items)
    return scenario


def load_scenario(path: str | Path, api: ir.Api, *, router: Router | None = None) -> Scenario:
    """A scenario file (YAML, or JSON by its ``.json`` suffix) → :class:`Scenario`, or :class:`ScenarioError`."""
    path = Path(path)
    display = str(path)
    sink = Sink()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        sink.error("scenario.read", f"cannot read scenario `{display}`: {reason}", None)
        raise ScenarioError(sink.items) from None
    sources = {display: text}
    node = parse_json(text, display, sink) if path.suffix.lower() == ".json" else parse_yaml(text, display, sink)
    if sink.has_errors:
        raise ScenarioError(sink.items, sources)
    spans: dict[tuple[Path_, bool], Span] = {}
    data = _plain(node, (), spans) if node is not None else None
    scenario = _Checker(
        api, router or Router(api.endpoints.values()), sink, lambda p, k: spans.get((p, k)) or spans.get((p, False))
    ).scenario(data)
    if sink.has_errors or scenario is None:
        raise ScenarioError(sink.items, sources)
    return scenario


def _plain(node: model.Node, path: Path_, spans: dict[tuple[Path_, bool], Span]) -> Any:
    """The manifest model as plain data, remembering where each value (and key) was written."""
    spans[(path, False)] = node.span
    if isinstance(node, model.Scalar):
        return node.value
    if isinstance(node, model.Sequence):
        return [_plain(n, (*path, i), spans) for i, n in enumerate(node.items)]
    out = {}
    for e in node:
        spans[((*path, e.key), True)] = e.key_span
        out[e.key] = _plain(e.value, (*path, e.key), spans)
    return out
