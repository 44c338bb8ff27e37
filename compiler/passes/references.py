"""Pass `references`: every name a manifest uses must be declared.

Types named in fields, aliases, unions, endpoints, parameters, flows and client state; features
attached to endpoints or the service; endpoints named by features (the futures retrieve endpoint,
the telemetry and session endpoints) and by client methods; the client of each flow. Each miss is
reported at the name, with the closest declared name as a hint.

Example: ``request: ForwardRequst`` → ``error[ref.unknown-type]: unknown type `ForwardRequst```,
``hint: did you mean `ForwardRequest`?``.
"""

from __future__ import annotations

from collections.abc import Iterator

from tinkc.diagnostics import Sink, did_you_mean
from tinkc.frontend.lower import TYPE_SPELLING_HINTS
from tinkc.ir import nodes as ir
from tinkc.ir.queries import type_refs
from tinkc.ir.span import Span
from tinkc.passes.base import Pass


def declared_type_uses(api: ir.Api) -> Iterator[tuple[ir.TypeRef | None, Span | None]]:
    """Every type expression written in the manifest, with a fallback span."""
    for decl in api.types.values():
        if isinstance(decl, ir.Record):
            for f in decl.fields:
                yield f.type, f.span
        elif isinstance(decl, ir.Alias):
            yield decl.target, decl.span
    for ep in api.endpoints.values():
        yield ep.request, ep.span
        yield ep.response, ep.span
        for pp in ep.path_params:
            yield pp.type, pp.span
        for q in ep.query:
            yield q.type, q.span
        for h in ep.header_params:
            yield h.type, h.span
    for feat in api.features.values():
        if isinstance(feat.params, ir.PromiseResult):
            yield feat.params.handle_type, feat.span
    for flow in api.flows.values():
        for i in flow.inputs:
            if i.declared:
                yield i.type, i.span
        for step in flow.steps:
            if step.kind in ("await_future", "call_await"):
                yield step.expected, step.span
    for client in api.clients.values():
        for s in client.state:
            yield s.type, s.span


def run(api: ir.Api, sink: Sink) -> ir.Api:
    type_names = [*api.types, *ir.PRIMITIVES]
    for t, fallback in declared_type_uses(api):
        for ref in type_refs(t):
            if ref.name not in api.types and not api.is_unlowered("types", ref.name):
                hint = did_you_mean(ref.name, type_names)
                if hint is None and ref.name in TYPE_SPELLING_HINTS:
                    hint = f"tinkc writes this `{TYPE_SPELLING_HINTS[ref.name]}`"
                sink.error("ref.unknown-type", f"unknown type `{ref.name}`", ref.span or fallback, hint=hint)

    for decl in api.types.values():
        if isinstance(decl, ir.Union_):
            for v in decl.variants:
                target = api.types.get(v.type)
                if target is None and api.is_unlowered("types", v.type):
                    continue
                if target is None:
                    sink.error(
                        "ref.unknown-type", f"unknown type `{v.type}` in union `{decl.id}`", v.span, hint=did_you_mean(v.type, api.types)
                    )
                elif decl.discriminator is not None and not isinstance(target, ir.Record):
                    sink.error("type.bad-variant", f"variant `{v.type}` of discriminated union `{decl.id}` must be a record", v.span)

    def check_feature_uses(uses: tuple[ir.FeatureUse, ...]) -> None:
        for use in uses:
            if use.feature not in api.features and not api.is_unlowered("features", use.feature):
                sink.error(
                    "ref.unknown-feature", f"unknown feature `{use.feature}`", use.span, hint=did_you_mean(use.feature, api.features)
                )

    check_feature_uses(api.service.features)
    for ep in api.endpoints.values():
        check_feature_uses(ep.features)

    def check_endpoint(eid: str | None, what: str, span: Span | None) -> None:
        if eid is not None and eid not in api.endpoints and not api.is_unlowered("endpoints", eid):
            sink.error("ref.unknown-endpoint", f"{what} names unknown endpoint `{eid}`", span, hint=did_you_mean(eid, api.endpoints))

    for feat in api.features.values():
        for param, eid in feat.endpoint_uses():
            check_endpoint(eid, f"feature `{feat.id}`", feat.param_span(param))

    exchange = api.service.auth.exchange if api.service.auth is not None else None
    if exchange is not None:
        check_endpoint(exchange.endpoint, "`auth.exchange`", exchange.span)
        check_exchange_response(api, exchange, sink)

    for client in api.clients.values():
        for m in client.methods:
            if m.kind == "endpoint":
                check_endpoint(m.target, f"method `{client.id}.{m.name}`", m.target_span or m.span)
            elif m.target not in api.flows and not api.is_unlowered("flows", m.target):
                sink.error(
                    "ref.unknown-flow",
                    f"method `{client.id}.{m.name}` names unknown flow `{m.target}`",
                    m.target_span or m.span,
                    hint=did_you_mean(m.target, api.flows),
                )
    for flow in api.flows.values():
        if flow.client is not None and flow.client not in api.clients and not api.is_unlowered("clients", flow.client):
            sink.error(
                "ref.unknown-client",
                f"flow `{flow.id}` names unknown client `{flow.client}`",
                flow.span,
                hint=did_you_mean(flow.client, api.clients),
            )
    return api


def check_exchange_response(api: ir.Api, exchange: ir.AuthExchange, sink: Sink) -> None:
    """The exchange endpoint answers a record whose token field (and lifetime field) every SDK reads."""
    ep = api.endpoints.get(exchange.endpoint)
    if ep is None:
        return
    request = api.types.get(ep.request.name) if isinstance(ep.request, ir.Ref) else None
    needs = [v.name for v in ep.path.variables] + [q.name for q in ep.query if q.required]
    if isinstance(request, ir.Record):
        needs += [f.name for f in request.fields if f.required and not f.has_default]
    elif ep.request is not None:
        needs.append("its body")
    if needs:  # the SDK calls it on its own: nothing could fill these
        sink.error(
            "auth.bad-exchange",
            f"the exchange endpoint `{ep.id}` needs arguments the SDK cannot give it: {', '.join(needs)}",
            exchange.span,
            hint="the exchange sends only the credential: give the endpoint no parameters (or only defaults)",
        )
    record = api.types.get(ep.response.name) if isinstance(ep.response, ir.Ref) else None
    if not isinstance(record, ir.Record):
        sink.error(
            "auth.bad-exchange",
            f"the exchange endpoint `{ep.id}` must answer a record holding the token",
            exchange.span,
            hint=f"give `{ep.id}` a `response:` record with a `{exchange.token_field}: string` field",
        )
        return
    names = {f.json_name: f for f in record.fields}
    for key, name in (("token", exchange.token_field), ("lifetime.field", exchange.lifetime_field)):
        if name is not None and name not in names:
            sink.error(
                "auth.bad-exchange",
                f"`exchange.{key}` names `{name}`, which `{record.id}` (the answer of `{ep.id}`) does not have",
                exchange.span,
                hint=did_you_mean(name, names) or f"its fields: {', '.join(sorted(names)) or '(none)'}",
            )


PASS = Pass(name="references", kind="validation", run=run, doc=__doc__ or "")
