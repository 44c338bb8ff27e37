"""Pass `clients`: the complete method list of every client.

A client's methods are its explicit `methods`, its flows (inline, or top-level with `client:` it),
and every endpoint of its `resource` groups not mapped otherwise (named by the part of the endpoint
id after the dot). A resource group with no endpoints and a method bound to another client's flow
are errors.
"""

from __future__ import annotations

import attrs

from tinkc.diagnostics import Sink, did_you_mean
from tinkc.ir import nodes as ir
from tinkc.passes.base import Pass


def _client(api: ir.Api, client: ir.Client, sink: Sink, by_group: dict[str, list[ir.Endpoint]], flows_of: list[ir.Flow]) -> ir.Client:
    methods = list(client.methods)
    names = {m.name for m in methods}
    for m in client.methods:
        flow = api.flows.get(m.target) if m.kind == "flow" else None
        if flow is not None and flow.client is not None and flow.client != client.id:
            sink.error(
                "client.foreign-flow",
                f"method `{client.id}.{m.name}` binds flow `{flow.id}`, which runs on client `{flow.client}`",
                m.span,
                hint=f"declare the flow with `client: {client.id}`",
            )
    for flow in flows_of:
        if not any(m.kind == "flow" and m.target == flow.id for m in methods):
            if flow.id in names:
                sink.error(
                    "client.duplicate-method", f"flow `{flow.id}` and another method of client `{client.id}` share a name", flow.span
                )
                continue
            methods.append(ir.Method(name=flow.id, kind="flow", target=flow.id, doc=flow.doc, span=flow.span))
            names.add(flow.id)
    mapped = {m.target for m in methods if m.kind == "endpoint"}
    unlowered_groups = {eid.split(".", 1)[0] for eid in api.unlowered.get("endpoints", ())}
    for group in client.resources:
        if group not in by_group and group in unlowered_groups:
            continue  # its endpoints are declared but broken; their own errors say why
        if group not in by_group:
            sink.error(
                "client.unknown-resource",
                f"client `{client.id}` names resource `{group}`, but no endpoint id starts with `{group}.`",
                client.span,
                hint=did_you_mean(group, by_group),
            )
            continue
        for ep in by_group[group]:
            if ep.id not in mapped and ep.name not in names:
                methods.append(ir.Method(name=ep.name, kind="endpoint", target=ep.id, doc=ep.doc, span=client.span))
                names.add(ep.name)
    return attrs.evolve(client, methods=tuple(methods))


def run(api: ir.Api, sink: Sink) -> ir.Api:
    by_group: dict[str, list[ir.Endpoint]] = {}
    for ep in api.endpoints.values():
        by_group.setdefault(ep.group, []).append(ep)
    flows_by_client: dict[str | None, list[ir.Flow]] = {}
    for flow in api.flows.values():
        flows_by_client.setdefault(flow.client, []).append(flow)
    api = attrs.evolve(api, clients={k: _client(api, c, sink, by_group, flows_by_client.get(k, [])) for k, c in api.clients.items()})
    _aliases(api, sink)
    _chunkers(api, sink)
    return api


def _chunkers(api: ir.Api, sink: Sink) -> None:
    """`chunkers:` name a flow with exactly one chunked step, and no other function of the client."""
    for client in api.clients.values():
        for c in client.chunkers:
            flow = api.flows.get(c.flow)
            chunked = [s for s in flow.steps if s.chunk is not None] if flow else []
            if len(chunked) != 1:
                with_chunks = [f.id for f in api.flows.values() if sum(s.chunk is not None for s in f.steps) == 1]
                sink.error(
                    "client.bad-chunker",
                    f"chunker `{client.id}.{c.name}`: "
                    + (f"flow `{c.flow}` does not exist" if flow is None else f"flow `{c.flow}` has {len(chunked)} chunked steps, not one"),
                    c.span,
                    hint=(did_you_mean(c.flow, list(api.flows)) if flow is None else None)
                    or (f"flows with one chunked step: {', '.join(with_chunks)}" if with_chunks else None)
                    or "a call step of the flow splits a list input with `chunk:` (docs/manifest.md, flows)",
                )
            elif client.method(c.name) is not None or any(a.name == c.name for a in client.aliases):
                sink.error("client.bad-chunker", f"chunker `{client.id}.{c.name}` has the name of another function of the client", c.span)


def _aliases(api: ir.Api, sink: Sink) -> None:
    """`aliases:` name a method of another client, and no method of their own client."""
    for client in api.clients.values():
        for a in client.aliases:
            other = api.clients.get(a.client)
            if other is None or other.id == client.id:
                sink.error(
                    "client.bad-alias",
                    f"alias `{client.id}.{a.name}` names client `{a.client}`, which is not another client",
                    a.span,
                    hint=did_you_mean(a.client, [c for c in api.clients if c != client.id]) or "an alias is another client's method",
                )
                continue
            if other.method(a.method) is None:
                sink.error(
                    "client.bad-alias",
                    f"alias `{client.id}.{a.name}`: client `{other.id}` has no method `{a.method}`",
                    a.span,
                    hint=did_you_mean(a.method, [m.name for m in other.methods]),
                )
                continue
            if client.method(a.name) is not None or sum(x.name == a.name for x in client.aliases) > 1:
                sink.error(
                    "client.bad-alias",
                    f"alias `{client.id}.{a.name}` has the name of another function of the client",
                    a.span,
                    hint="choose another name",
                )


PASS = Pass(name="clients", kind="validation", run=run, doc=__doc__ or "")
