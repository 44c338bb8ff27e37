"""Pass `paths`: path parameters against their templates, and parameter names against each other.

Every `{name}` of a path becomes a path parameter (typed `string` unless `path_params` says
otherwise; raw when written `{+name}` or declared `raw: true`), listed in template order. A declared
path parameter the template lacks, a non-scalar path parameter, and a name used twice among path
parameters, query parameters and body fields (they all become arguments of one method) are errors,
except a path parameter and a body field of the same type: one argument, sent in both places.
So are two endpoints with one route (the same method and the same path up to the names of its
variables): no server, mock or OpenAPI document can tell which one a request is for; and two
endpoints with one stateless function (`api:`, else the endpoint's id; or one named as the other's
`_future` / `_async` twin).
"""

from __future__ import annotations

import attrs

from tinkc.diagnostics import Sink, did_you_mean
from tinkc.frontend.grammars import format_type
from tinkc.ir import nodes as ir
from tinkc.ir.types import base_type, is_scalar
from tinkc.passes.base import Pass


def _endpoint(api: ir.Api, ep: ir.Endpoint, sink: Sink) -> ir.Endpoint:
    declared = {p.name: p for p in ep.path_params}
    variables = ep.path.variables
    names = [v.name for v in variables]
    for p in ep.path_params:
        if p.name not in names:
            sink.error(
                "path.unknown-param",
                f"path parameter `{p.name}` of `{ep.id}` does not appear in its path `{ep.path.template}`",
                p.span,
                hint=did_you_mean(p.name, names) or f"write `{{{p.name}}}` in the path, or remove it",
            )
    params = []
    for v in variables:
        d = declared.get(v.name)
        p = ir.PathParam(
            name=v.name,
            type=d.type if d else ir.Prim(name="string"),
            raw=v.raw or (d.raw if d else False),
            doc=d.doc if d else None,
            span=d.span if d else v.span,
        )
        base, _ = base_type(api, p.type)
        unresolved = isinstance(base, ir.Ref) and not isinstance(api.types.get(base.name), (ir.Record, ir.Enum, ir.Union_))
        if not unresolved and not is_scalar(api, p.type):  # (an unknown type or an alias cycle is reported elsewhere)
            sink.error("path.bad-param-type", f"path parameter `{v.name}` of `{ep.id}` must be a scalar", p.span)
        params.append(p)
    seen: dict[str, str] = {p.name: "path parameter" for p in params}
    for q in ep.query:
        if q.name in seen:
            sink.error("endpoint.param-clash", f"`{q.name}` of `{ep.id}` is both a {seen[q.name]} and a query parameter", q.span)
        seen[q.name] = "query parameter"
    _check_header_params(api, ep, seen, sink)
    for name, what in seen.items():
        if name == "request_options":  # (the plan's CALL_OPTIONS_PARAM)
            sink.error(
                "endpoint.param-clash",
                f"`request_options` of `{ep.id}` ({what}) is the name of the SDKs' per-call options argument",
                ep.span,
                hint="rename the parameter (`json_name:` keeps its wire name)",
            )
    body = api.record(ep.request)
    if body is not None:
        path_types = {p.name: p.type for p in params}
        for f in body.fields:
            if f.name not in seen:
                continue
            shown_field = format_type(f.type)
            if seen[f.name] == "path parameter" and _agree(api, path_types[f.name], f.type):
                continue  # one argument, sent in the path and in the body (see the SDK plan)
            if seen[f.name] == "path parameter":
                shown_path = format_type(path_types[f.name])
                sink.error(
                    "endpoint.param-clash",
                    f"`{f.name}` of `{ep.id}` is a path parameter of type `{shown_path}` and a field of its request "
                    f"`{body.id}` of type `{shown_field}`",
                    ep.span,
                    hint=f"a path parameter may share its name with a body field of the same type: declare "
                    f"`path_params: {{{f.name}: {shown_field.rstrip('?')}}}`, or rename one of them",
                )
                continue
            sink.error(
                "endpoint.param-clash",
                f"`{f.name}` of `{ep.id}` is both a {seen[f.name]} and a field of its request `{body.id}`",
                ep.span,
                hint="rename one of them; all become arguments of one method",
            )
    if ep.request is not None and ep.method in ("GET", "HEAD"):
        sink.warning(
            "endpoint.body-on-get", f"{ep.method} endpoint `{ep.id}` declares a request body", ep.span, hint="move its fields to `query:`"
        )
    if not params and not ep.path_params:  # no path parameters (most endpoints): nothing to rewrite
        return ep
    return attrs.evolve(ep, path_params=tuple(params))


def _agree(api: ir.Api, path: ir.TypeRef, field: ir.TypeRef) -> bool:
    """A path parameter and a body field of one name are one argument when their types agree (the
    field may be nullable: the path always gets a value, so the body does too)."""
    a, _ = base_type(api, path)
    b, _ = base_type(api, field)
    return a == b


def _route(ep: ir.Endpoint) -> tuple[str, str]:
    """The method and the path with its variables unnamed (`/models/{}`): what a router matches."""
    shape = "".join(p.text if isinstance(p, ir.PathLiteral) else "{}" for p in ep.path.parts)
    return ep.method, ir.encode_path_literal(shape)


def _route_conflicts(api: ir.Api, sink: Sink) -> None:
    first: dict[tuple[str, str], ir.Endpoint] = {}
    for ep in api.endpoints.values():  # sorted by id: the later id is the one reported
        other = first.setdefault(_route(ep), ep)
        if other is not ep:
            sink.error(
                "endpoint.duplicate-route",
                f"`{ep.id}` and `{other.id}` are both `{ep.method} {ep.path.template}`"
                + ("" if ep.path.template == other.path.template else f" (as `{other.path.template}`)"),
                ep.span,
                hint="a request must name one endpoint: change the method or the path of one of them",
            )


def _api_conflicts(api: ir.Api, sink: Sink) -> None:
    """Two endpoints whose stateless functions (`api:`, else the endpoint's id) have one name, or
    one named as another's task-answering twin (`<name>_future`, `<name>_async`): an SDK cannot have
    both."""
    first: dict[tuple[str, str], ir.Endpoint] = {}
    # the endpoints named by their id first: a clash is reported at the `api:` that makes it
    for ep in sorted(api.endpoints.values(), key=lambda e: e.api is not None):
        group, name = ep.api_function
        other = first.setdefault((group, name), ep)
        if other is not ep:
            sink.error(
                "endpoint.api-clash",
                f"`{ep.id}` and `{other.id}` both have the stateless function `{group}.{name}`",
                ep.api_span or ep.span,
                hint="give one of them another name with `api: group.function`",
            )
    for (group, name), ep in first.items():
        for suffix in ("_future", "_async"):
            twin = first.get((group, name + suffix))
            if twin is not None:
                sink.error(
                    "endpoint.api-clash",
                    f"the stateless function `{group}.{name}{suffix}` of `{twin.id}` is the `{suffix[1:]}` twin of `{ep.id}`'s",
                    twin.api_span or twin.span,
                    hint="give one of them another name with `api: group.function`",
                )


# Features a streaming endpoint cannot have: its answer is not one JSON value (no future handle, no
# page), and a stream is never retried (events already read cannot be taken back).
STREAM_EXCLUDES = {
    "promise_result": "its answer would be a future, not a stream",
    "pagination": "a stream has no pages",
    "retry_policy": "a stream is never retried",
    "retry_handler": "a stream is never retried",
    "sampling_backpressure": "a stream is never resent",
}


def _stream(api: ir.Api, ep: ir.Endpoint, sink: Sink) -> None:
    """`stream: sse` needs a record response (each event's data decodes as one) and no feature that
    answers or resends otherwise."""
    if ep.stream is None:
        return
    span = ep.stream_span or ep.span
    if ep.response is None or api.record(base_type(api, ep.response)[0]) is None or base_type(api, ep.response)[1]:
        sink.error(
            "endpoint.bad-stream",
            f"`{ep.id}` streams events, but its `response` is not a record",
            span,
            hint="declare `response:` as the record each event's data decodes to (e.g. `SampleStreamChunk`)",
        )
    if ep.response_handler is not None:
        sink.error(
            "endpoint.bad-stream",
            f"`{ep.id}` streams events and has `response_handler: {ep.response_handler}`",
            span,
            hint="a stream answers its events: remove one of them",
        )
    for use in ep.features:
        f = api.features.get(use.feature)
        if f is not None and f.kind in STREAM_EXCLUDES:
            sink.error(
                "endpoint.bad-stream",
                f"`{ep.id}` streams events and uses `{f.id}` ({f.kind}): {STREAM_EXCLUDES[f.kind]}",
                use.span or span,
                hint=f"remove `{f.id}` from the endpoint's features",
            )


def run(api: ir.Api, sink: Sink) -> ir.Api:
    _route_conflicts(api, sink)
    _api_conflicts(api, sink)
    for ep in api.endpoints.values():
        _stream(api, ep, sink)
    return attrs.evolve(api, endpoints={k: _endpoint(api, ep, sink) for k, ep in api.endpoints.items()})


PASS = Pass(name="paths", kind="validation", run=run, doc=__doc__ or "")


def _check_header_params(api: ir.Api, ep: ir.Endpoint, seen: dict[str, str], sink: Sink) -> None:
    """Header parameters are scalars (a header carries one line of text), named apart from the other
    arguments, each header once, and not a header the endpoint already sends as a fixed value."""
    fixed = {h.name.lower() for h in ep.headers}
    headers: set[str] = set()
    for h in ep.header_params:
        if h.name in seen:
            sink.error("endpoint.param-clash", f"`{h.name}` of `{ep.id}` is both a {seen[h.name]} and a header parameter", h.span)
        seen[h.name] = "header parameter"
        wire = h.wire_name.lower()
        if wire in headers or wire in fixed:
            sink.error(
                "endpoint.header-clash",
                f"header `{h.wire_name}` of `{ep.id}` is set twice",
                h.span,
                hint="a header is either a fixed `headers:` value or one header parameter",
            )
        headers.add(wire)
        base, _ = base_type(api, h.type)
        unresolved = isinstance(base, ir.Ref) and not isinstance(api.types.get(base.name), (ir.Record, ir.Enum, ir.Union_))
        # (a float is left out: its text differs between languages unless every SDK formats it
        # alike, which headers do not need)
        if not unresolved and (not is_scalar(api, h.type) or base == ir.Prim(name="float")):
            sink.error(
                "endpoint.bad-header-param-type",
                f"header parameter `{h.name}` of `{ep.id}` must be a string, int, bool, enum or literal",
                h.span,
                hint="a header carries one value as text",
            )
