"""`src/clients.ts`: one class per manifest client, a Promise-returning method per endpoint and per
flow (flow bodies come from `emit_flows`).

An endpoint method takes one object of named parameters: the path and query parameters and the
fields of the request record, as the manifest names them (`client.getInfo({ model_id })`). It
resolves to the decoded response, the result of a server-side future (polled until it is there),
the `Location` of a redirect, or nothing."""

from __future__ import annotations

import re
from collections.abc import Iterator

import attrs

from tinkc.backends.typescript import naming
from tinkc.backends.typescript.doc import (
    HARDLINE,
    LINE,
    Doc,
    Indent,
    block,
    call,
    comment_block,
    group,
    import_names,
    join,
    obj,
    pretty,
    pretty_blocks,
    signature,
    type_literal,
)
from tinkc.backends.typescript.emit_spec import endpoint_const, feature_const
from tinkc.backends.typescript.emit_types import Context, TypeNames, schema_expr, ts_literal, ts_type
from tinkc.ir import nodes as ir


def class_names(api: ir.Api) -> dict[str, str]:
    """Client id → class name; a class never takes the name of a declared type."""
    types = {naming.type_name(t) for t in api.types} | set(TypeNames(api).unknown.values())
    out: dict[str, str] = {}
    for client in api.clients.values():
        name = naming.type_name(client.display_name)
        while name in types or name in out.values():
            name += "_"
        out[client.id] = name
    return out


@attrs.frozen
class Param:
    """A path or query parameter (or a body that is not a record) of an endpoint method."""

    name: str  # the manifest's name: a property of the params object
    annotation: str
    optional: bool
    where: str  # path | query | body
    default: str | None = None  # a query parameter's default (a TypeScript expression)
    doc: str | None = None
    wire: str = ""  # a query parameter's name on the wire (its `json_name`), when not `name`


def endpoint_params(api: ir.Api, ep: ir.Endpoint) -> tuple[list[Param], ir.Record | None]:
    """The named parameters of an endpoint method, and the request record whose fields are
    parameters too."""
    out = [Param(p.name, ts_type(p.type), False, "path", doc=p.doc) for p in ep.path_params]
    for q in ep.query:
        default = ts_literal(q.default) if q.has_default else None
        wire = q.wire_name if q.wire_name != q.name else ""
        out.append(Param(q.name, ts_type(q.type), not q.required or q.has_default, "query", default, q.doc, wire))
    record = api.record(ep.request)
    if record is None and ep.request is not None:
        out.append(Param("body", ts_type(ep.request), False, "body"))
    return out, record


def params_type(ctx: Context, params: list[Param], record: ir.Record | None) -> tuple[Doc, bool]:
    """The type of an endpoint method's params object, and whether it may be left out (nothing in it
    is required). The request record's fields come in as the record's own type (`{...} & Record`)."""
    members: list[Doc] = [
        [*comment_block(p.doc), f"{naming.property_key(p.name)}{'?' if p.optional else ''}: {p.annotation}"] for p in params
    ]
    required = any(not p.optional for p in params)
    if record is None:
        return type_literal(members), not required
    required = required or any(not ctx.optional(record, f) for f in record.fields)
    name = naming.type_name(record.id)
    return ([type_literal(members), " & ", name] if members else name), not required


def response_kind(api: ir.Api, ep: ir.Endpoint) -> str:
    if ep.response_handler == "redirect_location":
        return "location"
    if ep.response is None:
        return "empty"
    return "future" if api.future_feature(ep) is not None else "json"


def return_type(api: ir.Api, ep: ir.Endpoint) -> str:
    kind = response_kind(api, ep)
    return {"location": "string", "empty": "void"}.get(kind) or ts_type(ep.response)


def method_docs(text: str | None, ep: ir.Endpoint) -> list[Doc]:
    parts = [text.strip()] if text and text.strip() else []
    parts.append(f"`{ep.method} {ep.path.template}`")
    if ep.deprecated:
        parts.append("@deprecated")
    return comment_block("\n\n".join(parts))


def request_literal(items: list[tuple[str, Doc]], spread: str | None = None) -> Doc:
    """`{ key: value, ... }`, ending with `...spread` (the call's options) when given."""
    return obj([*(group(naming.literal_key(k), ": ", v) for k, v in items), *([f"...{spread}"] if spread else [])])


def defaulted(key: str, value: str, default: str) -> Doc:
    """`key: value ?? default` as Prettier lays out a property whose value is a binary expression:
    when it does not fit, the value moves to its own line, and then breaks after `??` itself (a
    long default, such as a long string, is the usual reason)."""
    return group(naming.literal_key(key), ":", group(Indent([LINE, group(value, " ??", LINE, default)])))


def endpoint_call(api: ir.Api, ep: ir.Endpoint, request: list[Doc], submit: bool = False) -> Doc:
    """The runtime call of an endpoint with a request (`[]` for none): decoded, resolved (futures),
    or only submitted (the request id of a future, awaited by a later step)."""
    const = f"spec.{endpoint_const(ep.id)}"
    kind = response_kind(api, ep)
    futures = api.future_feature(ep)
    if kind == "future" and futures is not None:
        if submit:
            return call("this.submit", [const, f"spec.{feature_const(futures.id)}", *request])
        return call("this.callFuture", [const, f"spec.{feature_const(futures.id)}", schema_expr(ep.response), *request])
    if kind == "location":
        return call("this.callLocation", [const, *request])
    if kind == "empty":
        return call("this.callEmpty", [const, *request])
    return call("this.call", [const, schema_expr(ep.response), *request])


def endpoint_method(ctx: Context, name: str, ep: ir.Endpoint, doc: str | None) -> Doc:
    api = ctx.api
    params, record = endpoint_params(api, ep)
    items: list[tuple[str, Doc]] = []
    for where in ("path", "query"):
        values: list[Doc] = []
        for p in params:
            if p.where == where:
                access = naming.property_access("params", p.name)
                key = p.wire or p.name
                if p.default is not None:
                    values.append(defaulted(key, access, p.default))
                else:
                    values.append(group(naming.literal_key(key), ": ", access))
        if values:
            items.append((where, obj(values)))
    if record is not None:
        items.append(("body", call("s.encode", [naming.type_name(record.id), "params"])))
    elif ep.request is not None:
        items.append(("body", call("s.encode", [schema_expr(ep.request), "params.body"])))
    parameters: list[tuple[str, Doc, str | None]] = []
    if params or record is not None:
        ptype, omittable = params_type(ctx, params, record)
        parameters.append(("params", ptype, "{}" if omittable else None))
    parameters.append(("options", "RequestOptions", "{}"))
    request = request_literal(items, spread="options") if items else "options"
    expr = endpoint_call(api, ep, [request])
    return [
        *method_docs(doc or ep.doc, ep),
        signature(name, parameters, f": Promise<{return_type(api, ep)}> "),
        *block([["return ", expr, ";"]]),
    ]


def clients_module(api: ir.Api) -> str:
    from tinkc.backends.typescript.emit_flows import FlowWriter

    ctx = Context.of(api)
    classes = class_names(api)

    def classes_docs() -> Iterator[Doc]:
        for client in api.clients.values():
            members: list[Doc] = [["constructor(options: ClientOptions = {}) ", *block(["super(spec.SERVICE, options);"])]]
            for m in client.methods:
                name = naming.method_name(m.name)
                if m.kind == "endpoint" and m.target in api.endpoints:
                    members.append(endpoint_method(ctx, name, api.endpoints[m.target], m.doc))
                elif m.kind == "flow" and m.target in api.flows:
                    members.append(FlowWriter(ctx, api.flows[m.target], classes).method(name, m.doc))
            yield [
                *comment_block(client.doc or f"The `{client.id}` client."),
                f"export class {classes[client.id]} extends BaseClient ",
                "{",
                Indent([HARDLINE, join([HARDLINE, HARDLINE], members)]),
                HARDLINE,
                "}",
            ]

    body = pretty_blocks(classes_docs())
    # imported: the declared types (and schemas) the code names, outside comments and strings
    code = re.sub(r'"(?:[^"\\]|\\.)*"', "", re.sub(r"/\*.*?\*/", "", body, flags=re.S))
    words = set(re.findall(r"[A-Za-z_$][A-Za-z0-9_$]*", code))
    used = sorted({naming.type_name(t) for t in api.types} & words)
    header: list[Doc] = [
        *comment_block(f"Clients of the {api.service.name} API. Generated by tinkc: do not edit."),
        HARDLINE,
        import_names(["BaseClient", "type ClientOptions", "type RequestOptions"], "./runtime/client.js"),
        HARDLINE,
        'import * as s from "./runtime/schema.js";',
        HARDLINE,
        'import * as spec from "./spec.js";',
    ]
    if used:
        header += [HARDLINE, import_names(used, "./types.js")]
    return pretty(header) + "\n\n" + body + "\n"
