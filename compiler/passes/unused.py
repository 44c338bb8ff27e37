"""Pass `unused`: declarations nothing uses (warnings).

Types that no endpoint, flow, client state or feature reaches (through fields, unions and aliases)
and that are not marked `export: true`; features attached nowhere; endpoints that no client method,
flow or feature uses (they would generate no callable code). Silent while the run has errors,
since an unresolved reference makes the declaration it meant look unused.
"""

from __future__ import annotations

from collections.abc import Iterator

from tinkc.diagnostics import Sink
from tinkc.ir import nodes as ir
from tinkc.ir.queries import extension_records, type_refs
from tinkc.passes.base import Pass


def decl_refs(decl: ir.TypeDecl) -> Iterator[str]:
    if isinstance(decl, ir.Record):
        for f in decl.fields:
            yield from (r.name for r in type_refs(f.type))
    elif isinstance(decl, ir.Union_):
        yield from (v.type for v in decl.variants)
    elif isinstance(decl, ir.Alias):
        yield from (r.name for r in type_refs(decl.target))


def root_types(api: ir.Api) -> Iterator[str]:
    for ep in api.endpoints.values():
        for t in (
            ep.request,
            ep.response,
            *(p.type for p in ep.path_params),
            *(q.type for q in ep.query),
            *(h.type for h in ep.header_params),
        ):
            yield from (r.name for r in type_refs(t))
    for flow in api.flows.values():
        for i in flow.inputs:
            yield from (r.name for r in type_refs(i.type))
        for s in flow.steps:
            yield from (r.name for r in type_refs(s.expected))
            if s.kind == "parse" and s.target:
                yield s.target  # the record a `parse` step makes
    for c in api.clients.values():
        for state in c.state:
            yield from (r.name for r in type_refs(state.type))
    for f in api.features.values():
        if isinstance(f.params, ir.PromiseResult):
            yield from (r.name for r in type_refs(f.params.handle_type))
    yield from (t.id for t in api.types.values() if t.export)
    yield from extension_records(api)  # a record hand-written code extends is generated


# The last answer of reachable_types, with the Api it is for (held, so its id is not reused): the
# `unused` pass and the `dead-types` optimization right after it ask about the same IR object
# (~1.5 ms of a check's CPU for the second walk). The IR is frozen, so an answer for an object
# never goes stale.
_last_reachable: tuple[ir.Api, frozenset[str]] | None = None


def reachable_types(api: ir.Api) -> frozenset[str]:
    global _last_reachable
    if _last_reachable is not None and _last_reachable[0] is api:
        return _last_reachable[1]
    reachable = frozenset(_reachable_types(api))
    _last_reachable = (api, reachable)
    return reachable


def _reachable_types(api: ir.Api) -> set[str]:
    seen: set[str] = set()
    stack = list(root_types(api))
    while stack:
        name = stack.pop()
        if name in seen or name not in api.types:
            continue
        seen.add(name)
        stack.extend(decl_refs(api.types[name]))
    return seen


def used_endpoints(api: ir.Api) -> set[str]:
    used = {m.target for c in api.clients.values() for m in c.methods if m.kind == "endpoint"}
    used.update(s.target for f in api.flows.values() for s in f.steps if s.target_kind == "endpoint" and s.target)
    used.update(eid for f in api.features.values() for _, eid in f.endpoint_uses())
    if api.service.auth is not None and api.service.auth.exchange is not None:  # the SDK calls it itself
        used.add(api.service.auth.exchange.endpoint)
    return used


def run(api: ir.Api, sink: Sink) -> ir.Api:
    if sink.has_errors:  # a misspelt reference would make its intended target look unused: fix errors first
        return api
    reachable = reachable_types(api)
    for decl in api.types.values():
        if decl.id not in reachable:
            sink.warning(
                "unused.type",
                f"type `{decl.id}` is not used by any endpoint, flow or client",
                decl.span,
                hint="remove it, or mark it `export: true` to generate it anyway",
            )
    attached = {u.feature for ep in api.endpoints.values() for u in ep.features} | {u.feature for u in api.service.features}
    for feat in api.features.values():
        if feat.id not in attached:
            sink.warning("unused.feature", f"feature `{feat.id}` is not attached to any endpoint or to the service", feat.span)
    used = used_endpoints(api)
    for ep in api.endpoints.values():
        if ep.id not in used:
            sink.warning(
                "unused.endpoint",
                f"endpoint `{ep.id}` is not exposed by any client",
                ep.span,
                hint=f"add it to a client's `methods:` or `resource: {ep.group}`",
            )
    return api


PASS = Pass(name="unused", kind="validation", run=run, doc=__doc__ or "")
