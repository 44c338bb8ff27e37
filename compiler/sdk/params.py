"""The parts of the SDK plan that the validation passes read too: an endpoint's arguments and body
(:func:`endpoint_params`), its pagination (:func:`plan_page`), the `${server.…}` fields
(:func:`server_fields`), how a config option is read from the environment (:func:`env_kind`) and
`create_args` read from config options (:func:`split_create_args`).

They are the plan's own decisions (:mod:`tinkc.sdk.plan` re-exports every name here), kept apart so
that `tinkc check`, which validates but renders nothing, reads them without defining the rest of the
plan's classes: importing :mod:`tinkc.sdk.plan` cost a check about 15 ms of its ~265 ms, nearly all
of it attrs building some forty classes the check never uses.
"""

from __future__ import annotations

import re
from typing import Any, Literal

import attrs

from tinkc.ir import nodes as ir
from tinkc.ir.types import base_type

Location = Literal["path", "query", "body", "body_whole", "header"]


# What goes on the wire when the caller leaves an argument out: nothing (the key is omitted), or
# the declared default. One rule for every SDK: an absent optional field is never sent as `null`.
Absent = Literal["required", "omit", "default"]


@attrs.frozen(kw_only=True)
class Param:
    """One argument of an endpoint method: where it goes and what happens when it is left out."""

    name: str  # the manifest's name (a flow step's argument names it so)
    wire: str  # the key on the wire (path variable, query parameter, body field)
    location: Location
    type: ir.TypeRef
    required: bool  # the caller must give it (positional in Elixir, no default elsewhere)
    nullable: bool  # `null` is a value the caller may give (sent as null)
    absent: Absent
    default: Any = None  # frozen JSON; meaningful when ``absent == "default"``
    raw: bool = False  # a path parameter inserted unescaped (`{+name}`)
    doc: str | None = None
    deprecated: bool = False
    # a path parameter that is also a field of the request body (same name, same type): one
    # argument, sent in the path and as this body field (its name; the record gives its wire name)
    body_field: str | None = None


@attrs.frozen(kw_only=True)
class Body:
    """How the request body is built: none, a record from the body parameters (plus its constant
    fields, always sent), or one whole value (a request type that is not a record)."""

    kind: Literal["none", "record", "whole"]
    type: ir.TypeRef | None = None
    record: str | None = None  # the record's id when ``kind == "record"``
    constants: tuple[tuple[str, Any], ...] = ()  # (wire name, value): literal tags with their value


@attrs.frozen(kw_only=True)
class PageControl:
    """A request parameter the pager sets (offset, cursor) or reads (limit)."""

    name: str  # the manifest's parameter name
    location: Literal["query", "body"]
    wire: str


@attrs.frozen(kw_only=True)
class PagePlan:
    """How the pages of a list endpoint follow each other, the same in every SDK.

    The plain method answers the first page. The page iterator sends the first request as the
    plain method would, then, after each page:

    * ``limit_offset``: stops on a page without items, on fewer items than the limit sent, or
      when the offset reached ``total`` (when declared); else sends the request again with the
      offset moved by the page's item count;
    * ``cursor``: stops when the next cursor (the response field at ``next_path``, or the header
      ``next_header``) is absent, null or empty; else sends the request again with the cursor, as
      the response gave it (any JSON), in the ``cursor`` parameter;
    * ``next_url``: stops likewise on an absent next URL; else requests that URL (resolved against
      the base URL, which it must stay under: the API key goes to no other host), with the same
      method and headers and no other parameters.

    A cursor or URL that was already used is a pagination error, never an endless loop. Paths are
    wire names from the response body's top.
    """

    feature: str
    style: Literal["limit_offset", "cursor", "next_url"]
    items_field: str  # the page record's field listing the items (the manifest's name)
    items_wire: str
    item_type: ir.TypeRef
    limit: PageControl | None = None
    offset: PageControl | None = None
    total_path: tuple[str, ...] = ()
    cursor: PageControl | None = None
    next_path: tuple[str, ...] = ()
    next_header: str | None = None


def config_ref(value: Any) -> str | None:
    """The option a `create_args` value names when it is `${config.<name>}` (else None)."""
    if isinstance(value, str):
        m = CONFIG_REF.fullmatch(value)
        if m:
            return m.group(1)
    return None


CONFIG_REF = re.compile(r"\$\{config\.([a-z][a-z0-9_]*)\}")


def split_create_args(args: Any) -> tuple[Any, tuple[tuple[str, str], ...]]:
    """`create_args` as (constant fields, (field, option) read from config options)."""
    if not isinstance(args, ir.Obj):
        return args, ()
    constants = tuple((k, v) for k, v in args.items if config_ref(v) is None)
    refs = tuple((k, name) for k, v in args.items if (name := config_ref(v)) is not None)
    return ir.Obj(constants), refs


# How a config option's environment variable is read (the same in every SDK): the text as it is,
# a number, a boolean (1/true/yes/on, 0/false/no/off), a comma-separated list of strings, or JSON.
EnvKind = Literal["string", "int", "float", "bool", "list", "json"]


def env_kind(api: ir.Api, t: ir.TypeRef) -> EnvKind | None:
    """How an environment variable's text becomes a value of type `t` (None: it cannot)."""
    base, _ = base_type(api, t)
    if isinstance(base, ir.Prim):
        return {"string": "string", "int": "int", "float": "float", "bool": "bool", "any": "json"}.get(base.name)  # type: ignore[return-value]
    if isinstance(base, ir.ListT):
        item, _ = base_type(api, base.item)
        return "list" if isinstance(item, ir.Prim) and item.name == "string" else "json"
    if isinstance(base, ir.MapT):
        return "json"
    decl = api.types.get(base.name) if isinstance(base, ir.Ref) else None
    if isinstance(decl, ir.Enum):
        return "string"
    return None


def _constant(f: ir.Field) -> bool:
    """A literal field with its value as default (a request's `type` tag): always sent, never an
    argument."""
    return isinstance(f.type, ir.Lit) and f.has_default


def _absent(required: bool, has_default: bool) -> Absent:
    if required:
        return "required"
    return "default" if has_default else "omit"


def endpoint_params(api: ir.Api, ep: ir.Endpoint) -> tuple[tuple[Param, ...], Body]:
    path = [
        Param(
            name=p.name, wire=p.name, location="path", type=p.type, required=True, nullable=False, absent="required", raw=p.raw, doc=p.doc
        )
        for p in ep.path_params
    ]
    body_params: list[Param] = []
    record = api.record(ep.request)
    if record is not None:
        # a body field named as a path parameter is that parameter (the `paths` pass checked their
        # types agree): not a second argument, but sent in the body too
        shared = {p.name for p in ep.path_params if record.field(p.name) is not None}
        path = [attrs.evolve(p, body_field=p.name) if p.name in shared else p for p in path]
        body = Body(
            kind="record",
            type=ep.request,
            record=record.id,
            constants=tuple((f.json_name, f.default) for f in record.fields if _constant(f)),
        )
        for f in record.fields:
            if _constant(f) or f.name in shared:
                continue
            body_params.append(
                Param(
                    name=f.name,
                    wire=f.json_name,
                    location="body",
                    type=f.type,
                    required=f.required,
                    nullable=base_type(api, f.type)[1],
                    absent=_absent(f.required, f.has_default),
                    default=f.default,
                    doc=f.doc,
                    deprecated=f.deprecated,
                )
            )
    elif ep.request is not None:
        body = Body(kind="whole", type=ep.request)
        body_params.append(
            Param(name="body", wire="body", location="body_whole", type=ep.request, required=True, nullable=False, absent="required")
        )
    else:
        body = Body(kind="none")

    def located(q: ir.QueryParam | ir.HeaderParam, location: Literal["query", "header"]) -> Param:
        required = q.required and not q.has_default
        return Param(
            name=q.name,
            wire=q.wire_name or q.name,
            location=location,
            type=q.type,
            required=required,
            nullable=base_type(api, q.type)[1],
            absent=_absent(required, q.has_default),
            default=q.default,
            doc=q.doc,
        )

    query = [located(q, "query") for q in ep.query]
    # header parameters (`wire` is the header's name) come after the query parameters
    headers = [located(h, "header") for h in ep.header_params]
    ordered = (
        path
        + [p for p in body_params if p.required]
        + [p for p in query if p.required]
        + [p for p in headers if p.required]
        + [p for p in body_params if not p.required]
        + [p for p in query if not p.required]
        + [p for p in headers if not p.required]
    )
    return tuple(ordered), body


def _first(api: ir.Api, ep: ir.Endpoint, kind: str) -> ir.Feature | None:
    found = api.endpoint_features(ep, kind)
    return found[0] if found else None


def field_path(api: ir.Api, t: ir.TypeRef | None, dotted: str) -> tuple[tuple[str, ...], ir.TypeRef] | str:
    """The wire path and type of a dotted field path (manifest names) from a record type, or why
    there is none."""
    wire: list[str] = []
    current = t
    for part in dotted.split("."):
        record = api.record(base_type(api, current)[0]) if current is not None else None
        if record is None:
            where = ".".join(dotted.split(".")[: len(wire)]) or "the response"
            return f"{where} is not a record"
        f = record.field(part)
        if f is None:
            return f"`{record.id}` has no field `{part}`"
        wire.append(f.json_name)
        current = f.type
    assert current is not None
    return tuple(wire), current


def page_control(params: tuple[Param, ...], name: str) -> PageControl | str:
    """The request parameter a pager sets or reads, or why it cannot."""
    p = next((p for p in params if p.name == name), None)
    if p is None:
        return f"the endpoint has no parameter `{name}`"
    if p.location not in ("query", "body"):
        return f"`{name}` is a {p.location} parameter; a page control is a query parameter or a body field"
    return PageControl(name=name, location=p.location, wire=p.wire)


def plan_page(api: ir.Api, ep: ir.Endpoint, params: tuple[Param, ...]) -> PagePlan | str | None:
    """The pagination of an endpoint; a text saying what is wrong when the feature does not fit it
    (the `feature-params` pass reports those, so a valid IR never has one)."""
    feat = _first(api, ep, "pagination")
    if feat is None:
        return None
    p = feat.params
    assert isinstance(p, ir.Pagination)
    if p.items_field is None:
        return "`items_field` is required: the response field listing a page's items"
    found = field_path(api, ep.response, p.items_field)
    if isinstance(found, str):
        return found
    items_wire, items_type = found
    listed = base_type(api, items_type)[0]
    if len(items_wire) != 1 or not isinstance(listed, ir.ListT):
        return f"`{p.items_field}` must be a list field of the response"
    common: dict[str, Any] = {
        "feature": feat.id,
        "items_field": p.items_field,
        "items_wire": items_wire[0],
        "item_type": listed.item,
    }
    if p.style == "limit_offset":
        offset = page_control(params, p.offset_param)
        if isinstance(offset, str):
            return offset
        limit = page_control(params, p.limit_param)
        total: tuple[str, ...] = ()
        if p.total_field is not None:
            found_total = field_path(api, ep.response, p.total_field)
            if isinstance(found_total, str):
                return found_total
            total = found_total[0]
        return PagePlan(
            **common,
            style="limit_offset",
            offset=offset,
            limit=limit if isinstance(limit, PageControl) else None,
            total_path=total,
        )
    field, header = (p.next_cursor_field, p.next_cursor_header) if p.style == "cursor" else (p.next_url_field, p.next_url_header)
    key = "next_cursor" if p.style == "cursor" else "next_url"
    if (field is None) == (header is None):
        return f"a `{p.style}` pagination needs exactly one of `{key}_field` and `{key}_header`"
    next_path: tuple[str, ...] = ()
    if field is not None:
        found_next = field_path(api, ep.response, field)
        if isinstance(found_next, str):
            return found_next
        next_path = found_next[0]
    if p.style == "cursor":
        cursor = page_control(params, p.cursor_param)
        if isinstance(cursor, str):
            return cursor
        return PagePlan(**common, style="cursor", cursor=cursor, next_path=next_path, next_header=header)
    if ep.request is not None:
        return "a `next_url` pagination follows URLs with no body: the endpoint must have no request body"
    return PagePlan(**common, style="next_url", next_path=next_path, next_header=header)


@attrs.frozen(kw_only=True)
class ServerField:
    """A field a config endpoint answers, as `${server.<name>}` reads it: its wire name, type and
    declared default (read when no fetch answered the field)."""

    name: str
    wire: str
    record: str
    type: ir.TypeRef
    has_default: bool
    default: Any  # frozen JSON


def server_fields(api: ir.Api) -> tuple[ServerField, ...]:
    """The fields the server_config endpoints answer, by name; a later endpoint's field replaces an
    earlier one's of the same name (as its answer does at run time)."""
    feat = api.service_feature(ir.ServerConfig)
    if feat is None or not isinstance(feat.params, ir.ServerConfig):
        return ()
    out: dict[str, ServerField] = {}
    for eid in feat.params.endpoints:
        ep = api.endpoints.get(eid)
        record = api.record(ep.response) if ep is not None else None
        if record is None:  # (feature-params reports a config endpoint that answers no record)
            continue
        for f in record.fields:
            out[f.name] = ServerField(
                name=f.name, wire=f.json_name, record=record.id, type=f.type, has_default=f.has_default, default=f.default
            )
    return tuple(out.values())
