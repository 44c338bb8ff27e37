"""Pass `naming`: identifiers that two declarations would share in some target.

A flow's `overloads: <method>` makes it another arity of that method of its client in Elixir
(the arity with the receiver and the flow's required inputs, without the options list): it must
name another method of the flow's client, and that arity must not be one the method already has
(receiver, its required parameters, and the trailing options) nor another overload's.

Each target's :class:`~tinkc.backends.base.NamingRules` (casing, reserved-word mangling) is applied
to type names, the method names of each client and the field names of each record; two
declarations that come out the same (`get_info` and `getInfo` are both `get_info` in Python), or a
name with no letters or digits at all, are errors. The neutral rules (Pascal types, snake members)
always apply; installed backends add their own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from tinkc.backends.base import NEUTRAL_NAMING, NamingRules
from tinkc.diagnostics import Sink, did_you_mean
from tinkc.ir import nodes as ir
from tinkc.ir.span import Span
from tinkc.passes.base import Pass


def target_rules() -> list[tuple[str, NamingRules]]:
    from tinkc.backends.registry import available

    out = [("every target", NEUTRAL_NAMING)]
    for info in available().values():
        try:
            rules = info.load().naming
        except Exception:  # noqa: BLE001 - a broken plug-in is reported by `tinkc targets`, not here
            continue
        if all(rules != r for _, r in out):  # the same rules would report the same collisions again
            out.append((info.name, rules))
    return out


Reported = set[tuple[str, ...]]


def _collisions(
    kind: str,
    where: str,
    names: Iterable[tuple[str, Span | None]],
    spell: Callable[[str], str],
    target: str,
    sink: Sink,
    reported: Reported,
) -> None:
    """Names that spell alike in one target; a problem already reported for an earlier target (or
    for every target) is not reported again."""
    seen: dict[str, str] = {}
    key: tuple[str, ...]
    for name, span in names:
        spelled = spell(name)
        if not spelled.strip("_"):
            if (key := ("empty", kind, where, name)) not in reported:
                reported.add(key)
                sink.error("naming.empty", f"{kind} `{name}`{where} has no letters or digits to make an identifier from", span)
            continue
        if (
            spelled in seen
            and seen[spelled] != name
            and (key := ("collision", kind, where, *sorted((seen[spelled], name)))) not in reported
        ):
            reported.add(key)
            sink.error(
                "naming.collision",
                f"{kind}s `{seen[spelled]}` and `{name}`{where} are both `{spelled}` in {target}",
                span,
                hint="rename one of them",
            )
        seen.setdefault(spelled, name)


def _suspects(names: Iterable[str], spell: Callable[[str], str]) -> tuple[Callable[[str], str], set[str]]:
    """Each distinct name spelled once (field names recur across records: the bundled manifest's
    478 fields have 237 names), and the names that can make a problem in some group: those spelled
    like another name, or spelled with no letters or digits. A group (a record's fields, a
    client's methods) with none of them has nothing to report: checking each group name by name,
    for every target, was most of this pass (~7 ms of check's CPU; now ~2)."""
    spelled = {name: spell(name) for name in names}
    by_spelling: dict[str, list[str]] = {}
    for name, text in spelled.items():
        by_spelling.setdefault(text, []).append(name)
    suspects = {name for text, alike in by_spelling.items() if len(alike) > 1 or not text.strip("_") for name in alike}
    return spelled.__getitem__, suspects


def run(api: ir.Api, sink: Sink) -> ir.Api:
    reported: Reported = set()
    records = [decl for decl in api.types.values() if isinstance(decl, ir.Record)]
    method_names = {m.name for client in api.clients.values() for m in client.methods}
    field_names = {f.name for decl in records for f in decl.fields}
    for target, rules in target_rules():
        _collisions("type", "", ((t.id, t.span) for t in api.types.values()), rules.type_name, target, sink, reported)
        method_name, suspects = _suspects(method_names, rules.method_name)
        for client in api.clients.values():
            if suspects and any(m.name in suspects for m in client.methods):
                _collisions(
                    "method",
                    f" of client `{client.id}`",
                    ((m.name, m.span or client.span) for m in client.methods),
                    method_name,
                    target,
                    sink,
                    reported,
                )
        field_name, suspects = _suspects(field_names, rules.field_name)
        for decl in records:
            if suspects and any(f.name in suspects for f in decl.fields):
                _collisions("field", f" of `{decl.id}`", ((f.name, f.span) for f in decl.fields), field_name, target, sink, reported)
    _overloads(api, sink)
    return api


def positional_count(api: ir.Api, method: ir.Method) -> int | None:
    """How many positional arguments a method takes after its receiver: the parameters the SDK
    plan calls required (an endpoint's path parameters, required body fields and query
    parameters; a flow's required inputs). Every other one is an option."""
    from tinkc.sdk.params import endpoint_params

    if method.kind == "endpoint":
        ep = api.endpoints.get(method.target)
        return None if ep is None else sum(p.required for p in endpoint_params(api, ep)[0])
    flow = api.flows.get(method.target)
    return None if flow is None else sum(i.required for i in flow.inputs)


def _overloads(api: ir.Api, sink: Sink) -> None:
    """`overloads:` names another method of the flow's client, at an arity that method lacks."""
    taken: dict[tuple[str, str], dict[int, str]] = {}  # (client, method) -> arity -> what has it
    for flow in api.flows.values():
        if flow.overloads is None:
            continue
        span = flow.overloads_span or flow.span
        client = api.clients.get(flow.client or "")
        if client is None:
            continue  # the flow's client is reported missing already
        own = [m.name for m in client.methods if m.kind == "flow" and m.target == flow.id]
        target = client.method(flow.overloads)
        if target is None or flow.overloads in own:
            sink.error(
                "flow.bad-overload",
                f"flow `{flow.id}`: `overloads: {flow.overloads}` is not another method of client `{client.id}`",
                span,
                hint=did_you_mean(flow.overloads, [m.name for m in client.methods if m.name not in own])
                or "name an endpoint or flow method of the same client (e.g. `overloads: delete_checkpoint`)",
            )
            continue
        n = positional_count(api, target)
        if n is None:
            continue  # the method's target is reported unknown already
        arities = taken.setdefault(
            (client.id, target.name), {1 + n: f"`{target.name}/{1 + n}`", 2 + n: f"`{target.name}/{2 + n}` (with options)"}
        )
        arity = 1 + sum(i.required for i in flow.inputs)
        if arity in arities:
            sink.error(
                "flow.overload-clash",
                f"flow `{flow.id}` as `{target.name}/{arity}` (the client and its {arity - 1} required inputs) "
                f"clashes with {arities[arity]}",
                span,
                hint=f"Elixir tells functions apart by their number of arguments: `{target.name}` already takes "
                f"{n} required argument(s) plus options; an overload needs a different count (or keep the flow's own name)",
            )
            continue
        arities[arity] = f"flow `{flow.id}`'s overload"


PASS = Pass(name="naming", kind="validation", run=run, doc=__doc__ or "")
