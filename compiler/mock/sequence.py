"""The mock's check of sequence counters: the manifest says which request fields carry a client's
counter (a flow step binds `${state.seq_id}` to a body field), where the counter starts
(`start:`), and whether its requests must arrive in order, one at a time (`ordered: true`).

The mock learns this from the flows, as a server that orders a model's requests by `seq_id` would
rely on it, and records every violation instead of failing the request, so a conformance scenario
can assert that there were none (``GET /__tinkc/sequences``, wire rule ``sequences_ok``).

A client instance is told apart on the wire by the other state fields the same step sends (a
training client's `model_id`); requests of different instances are checked separately. A request
that repeats the last value of its instance is a resend of the same call (a transport retry, a
backpressure resend): it is neither out of order nor a second request in flight.
"""

from __future__ import annotations

from typing import Any

import attrs

from tinkc.ir import nodes as ir


@attrs.frozen
class Sequenced:
    """A body field of an endpoint filled from a client's counter."""

    client: str
    counter: str
    wire: str
    group: tuple[str, ...]  # the wire names of the state fields that identify the client instance
    start: int
    ordered: bool


def sequenced_fields(api: ir.Api) -> dict[str, tuple[Sequenced, ...]]:
    """Per endpoint id, its body fields that carry a counter with a declared start or order."""
    found: dict[str, set[Sequenced]] = {}
    for flow in api.flows.values():
        client = api.clients.get(flow.client or "")
        if client is None:
            continue
        state = {s.name: s for s in client.state}
        for step in flow.steps:
            if step.target_kind != "endpoint" or step.receiver != "self" or step.target not in api.endpoints:
                continue
            record = api.record(api.endpoints[step.target].request)
            if record is None:
                continue
            counters: list[tuple[ir.StateField, str]] = []
            group: list[str] = []
            for arg in step.args:
                v, f = arg.value, record.field(arg.name)
                if f is None or not isinstance(v, ir.Bind) or v.source != "state" or len(v.path) != 1:
                    continue
                field = state.get(str(v.path[0]))
                if field is None:
                    continue
                if field.counter:
                    counters.append((field, f.json_name))
                else:
                    group.append(f.json_name)
            for field, wire in counters:
                if field.counter_start or field.ordered:
                    found.setdefault(step.target, set()).add(
                        Sequenced(client.id, field.name, wire, tuple(sorted(group)), field.counter_start, field.ordered)
                    )
    return {eid: tuple(sorted(items, key=lambda s: (s.client, s.counter, s.wire))) for eid, items in found.items()}


class SequenceChecker:
    """Follows every counter instance across the requests, in arrival order."""

    def __init__(self, api: ir.Api) -> None:
        self.fields = sequenced_fields(api)
        self.reset()

    def reset(self) -> None:
        self.last: dict[tuple[Any, ...], int] = {}
        self.open: dict[tuple[Any, ...], tuple[int, int]] = {}  # instance -> (value, request seq) not yet answered
        self.checked = 0
        self.violations: list[dict[str, Any]] = []
        self._tokens: dict[int, list[tuple[Any, ...]]] = {}

    def arrived(self, seq: int, endpoint: str, body: Any) -> None:
        """A request arrived (``seq``: its number in the recordings)."""
        for s in self.fields.get(endpoint, ()):
            value = body.get(s.wire) if isinstance(body, dict) else None
            if not isinstance(value, int) or isinstance(value, bool):
                continue
            group = tuple(_hashable(body.get(g)) for g in s.group)
            key = (s.client, s.counter, group)
            self.checked += 1
            where = {"endpoint": endpoint, "request": seq, "counter": f"{s.client}.{s.counter}", "instance": list(group), "value": value}
            last = self.last.get(key)
            if last is not None and value == last:
                continue  # the same call sent again
            expected = s.start if last is None else last + 1
            if value != expected:
                kind = "start" if last is None else "order"
                self.violations.append({**where, "kind": kind, "expected": expected})
            if s.ordered and key in self.open:
                self.violations.append({**where, "kind": "in_flight", "previous": self.open[key][0]})
            self.last[key] = value
            if s.ordered:
                self.open[key] = (value, seq)
                self._tokens.setdefault(seq, []).append(key)

    def answered(self, seq: int) -> None:
        """The answer of request ``seq`` was sent (or its connection dropped)."""
        for key in self._tokens.pop(seq, ()):
            if key in self.open and self.open[key][1] == seq:
                del self.open[key]

    def report(self) -> dict[str, Any]:
        return {"checked": self.checked, "violations": list(self.violations)}


def _hashable(value: Any) -> Any:
    return value if isinstance(value, (str, int, float, bool, type(None))) else repr(value)
