"""Pass `naming`: identifiers that two declarations would share in some target.

Each target's :class:`~tinkc.backends.base.NamingRules` (casing, reserved-word mangling) is applied
to type names, the method names of each client and the field names of each record; two
declarations that come out the same (`get_info` and `getInfo` are both `get_info` in Python), or a
name with no letters or digits at all, are errors. The neutral rules (Pascal types, snake members)
always apply; installed backends add their own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from tinkc.backends.base import NEUTRAL_NAMING, NamingRules
from tinkc.diagnostics import Sink
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


def run(api: ir.Api, sink: Sink) -> ir.Api:
    reported: Reported = set()
    for target, rules in target_rules():
        _collisions("type", "", ((t.id, t.span) for t in api.types.values()), rules.type_name, target, sink, reported)
        for client in api.clients.values():
            _collisions(
                "method",
                f" of client `{client.id}`",
                ((m.name, m.span or client.span) for m in client.methods),
                rules.method_name,
                target,
                sink,
                reported,
            )
        for decl in api.types.values():
            if isinstance(decl, ir.Record):
                _collisions("field", f" of `{decl.id}`", ((f.name, f.span) for f in decl.fields), rules.field_name, target, sink, reported)
    return api


PASS = Pass(name="naming", kind="validation", run=run, doc=__doc__ or "")
