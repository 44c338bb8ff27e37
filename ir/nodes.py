"""IR nodes: what a manifest means, independent of how it was spelled.

Every node is a frozen attrs class; children are tuples; equality ignores source spans, so two
structurally equal declarations compare equal wherever they came from. The root is :class:`Api`,
which holds every declaration in dicts keyed by id (sorted, so iteration order is deterministic).
Passes rewrite with :func:`attrs.evolve` and never mutate.

Example::

    >>> from tinkc.ir.nodes import ListT, Prim
    >>> ListT(item=Prim(name="string")) == ListT(item=Prim(name="string"))
    True
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from tinkc.ir.span import Span

IR_VERSION = 1


def _span() -> Any:
    return attrs.field(default=None, eq=False, repr=False)


def _sorted_dict(value: Mapping[str, Any]) -> dict[str, Any]:
    keys = sorted(value)
    if list(value) == keys:  # already in order (a pass's rewrite of a sorted map): copied in C
        return dict(value)
    return {k: value[k] for k in keys}


# ---------------------------------------------------------------------------------------------
# Frozen JSON values (defaults, literal arguments, target options)


@attrs.frozen(cache_hash=True)
class Obj:
    """A JSON object as a hashable value: sorted ``(key, value)`` pairs."""

    items: tuple[tuple[str, Any], ...]

    def get(self, key: str, default: Any = None) -> Any:
        for k, v in self.items:
            if k == key:
                return v
        return default


def freeze(value: Any) -> Any:
    """Plain JSON data → hashable IR data (dict → :class:`Obj`, list → tuple)."""
    if isinstance(value, dict):
        return Obj(tuple((k, freeze(value[k])) for k in sorted(value)))
    if isinstance(value, (list, tuple)):
        return tuple(freeze(v) for v in value)
    return value


def thaw(value: Any) -> Any:
    """Hashable IR data → plain JSON data."""
    if isinstance(value, Obj):
        return {k: thaw(v) for k, v in value.items}
    if isinstance(value, tuple):
        return [thaw(v) for v in value]
    return value


# ---------------------------------------------------------------------------------------------
# Type expressions

PRIMITIVES = ("string", "int", "float", "bool", "bytes", "any", "datetime", "date")


@attrs.frozen(kw_only=True, cache_hash=True)
class Prim:
    name: str
    span: Span | None = _span()


@attrs.frozen(kw_only=True, cache_hash=True)
class Ref:
    """A reference to a declared type, by id."""

    name: str
    span: Span | None = _span()


@attrs.frozen(kw_only=True, cache_hash=True)
class ListT:
    item: TypeRef
    span: Span | None = _span()


@attrs.frozen(kw_only=True, cache_hash=True)
class MapT:
    value: TypeRef
    span: Span | None = _span()


@attrs.frozen(kw_only=True, cache_hash=True)
class Nullable:
    inner: TypeRef
    span: Span | None = _span()


@attrs.frozen(kw_only=True, cache_hash=True)
class Lit:
    """A literal type: one string or integer value (discriminator tags, fixed request kinds)."""

    value: str | int
    span: Span | None = _span()


@attrs.frozen(kw_only=True, cache_hash=True)
class UnionT:
    """An inline untagged union ``A | B``."""

    members: tuple[TypeRef, ...]
    span: Span | None = _span()


@attrs.frozen(kw_only=True, cache_hash=True)
class ClientT:
    """The type of a client instance (the result of a ``build_client`` step or of a flow making one)."""

    client: str
    span: Span | None = _span()


@attrs.frozen(kw_only=True, cache_hash=True)
class FutureT:
    """An unresolved server-side future that resolves to ``result`` (see ``promise_result``)."""

    result: TypeRef
    span: Span | None = _span()


TypeRef = Prim | Ref | ListT | MapT | Nullable | Lit | UnionT | ClientT | FutureT


# ---------------------------------------------------------------------------------------------
# Type declarations


@attrs.frozen(kw_only=True, cache_hash=True)
class Field:
    name: str
    type: TypeRef
    json_name: str  # the key on the wire (defaults to ``name``)
    required: bool  # the key must be present (no default, not optional)
    has_default: bool = False
    default: Any = None  # frozen JSON; meaningful only when ``has_default``
    doc: str | None = None
    deprecated: bool = False
    span: Span | None = _span()


@attrs.frozen(kw_only=True, cache_hash=True)
class ParseVar:
    """One `{name}` (one segment: no `/`) or `{+name}` (any text, `/` included) of a parse template."""

    name: str
    raw: bool = False


@attrs.frozen(kw_only=True, cache_hash=True)
class ParseTemplate:
    """A record's parse template (`parse: "tinker://{training_run_id}/{+checkpoint_id}"`): a function
    `function` of the record's type splits a string by it into the record's fields; text that does
    not match is the SDK's invalid-argument error."""

    template: str
    function: str
    parts: tuple[str | ParseVar, ...]  # literal text and variables, in order
    span: Span | None = _span()

    @property
    def variables(self) -> tuple[ParseVar, ...]:
        return tuple(p for p in self.parts if isinstance(p, ParseVar))


@attrs.frozen(kw_only=True, cache_hash=True)
class HelperParam:
    """A positional parameter of a type helper; a `T?` one may be left out (it must follow the
    required ones)."""

    name: str
    type: TypeRef
    has_default: bool = False  # `{type, default}`: optional, the default put when it is left out
    default: Any = None
    span: Span | None = _span()

    @property
    def optional(self) -> bool:
        return self.has_default or isinstance(self.type, Nullable)


@attrs.frozen(kw_only=True, cache_hash=True)
class Helper:
    """A function on a record (`helpers:`), written in the binding language, never in a target
    language. ``new`` (a value template whose ``${input.<param>}`` bindings are the parameters)
    makes the record from its parameters (`ModelInput.from_ints(tokens)`); ``path`` (from
    ``get: "${self.a[*].b}"``; ``*`` is "every item of the list") reads a value out of one
    (`GetServerCapabilitiesResponse.model_names(value)`)."""

    name: str
    params: tuple[HelperParam, ...] = ()
    new: Any = None  # a Value (Const | Bind | ObjValue | ListValue) when the helper constructs
    path: tuple[str, ...] = ()  # when the helper reads: field names and "*"
    expr: HelperExpr | None = None  # when the helper computes (`get:` beyond a plain path)
    push: Push | None = None  # when the helper appends to a list field of the value
    # `positional: true` on a constructing helper: its optional parameters are trailing positional
    # arguments with defaults in every SDK (Tinkex's `SampleStreamChunk.done(reason \\ nil,
    # tokens \\ nil)`), not options (Elixir's keyword list, Python's keyword-only, TS's object)
    positional: bool = False
    doc: str | None = None
    span: Span | None = _span()

    @property
    def kind(self) -> str:
        if self.push is not None:
            return "push"
        return "new" if self.new is not None else "expr" if self.expr is not None else "get"


@attrs.frozen(kw_only=True, cache_hash=True)
class Push:
    """`push: {to, value, merge?}` of a helper: a copy of the value with ``value`` (a template of
    the helper's parameters, as `new` takes) appended to the list field ``to``; with ``merge`` (a
    list field of the items), an item of the same kind as the last one (same variant) is merged
    into it instead, its ``merge`` list extended (Tinkex's `ModelInput.append_int`)."""

    to: str
    value: Any
    merge: str | None = None
    span: Span | None = _span()


@attrs.frozen(kw_only=True, cache_hash=True)
class ExprPath:
    """`${self.a[*].b}` in a helper expression (grammar/helper_expr.lark): ``steps`` are field names
    and "*"; it may end in a map ``key`` (`["loss"]`) or a ``call`` of the items' own helper
    (`.length()`)."""

    steps: tuple[str, ...] = ()
    key: str | None = None
    call: str | None = None
    span: Span | None = _span()


@attrs.frozen(kw_only=True, cache_hash=True)
class ExprFunc:
    """A pure function of a helper expression: `len(...)`, `sum(...)`, `required(...)`."""

    name: str
    arg: HelperExpr
    span: Span | None = _span()


@attrs.frozen(kw_only=True, cache_hash=True)
class ExprCompare:
    """`left == lit`, `left != lit` or `left in [lit, ...]` (``op`` "==", "!=", "in"): a boolean."""

    op: str
    left: HelperExpr
    values: tuple[Any, ...]
    span: Span | None = _span()


@attrs.frozen(kw_only=True, cache_hash=True)
class ExprLit:
    """A literal of a helper expression (a string, an integer, true or false)."""

    value: Any
    span: Span | None = _span()


HelperExpr = ExprPath | ExprFunc | ExprCompare | ExprLit


@attrs.frozen(kw_only=True, cache_hash=True)
class Derived:
    """A field filled when a value is decoded and the wire leaves it out: the variable ``var`` of
    the parse template of record ``parse`` applied to the string field ``source``
    (`Checkpoint.training_run_id` from `tinker_path`). Text that does not match leaves it absent."""

    source: str
    parse: str
    var: str
    span: Span | None = _span()


@attrs.frozen(kw_only=True, cache_hash=True)
class Record:
    id: str
    fields: tuple[Field, ...]
    doc: str | None = None
    deprecated: bool = False
    export: bool = False
    namespace: str | None = None  # a sub-namespace of the types (`telemetry`): see docs/manifest.md
    parse: ParseTemplate | None = None
    helpers: tuple[Helper, ...] = ()
    derived: tuple[tuple[str, Derived], ...] = ()  # field name → how it is derived
    span: Span | None = _span()

    def field(self, name: str) -> Field | None:
        for f in self.fields:
            if f.name == name:
                return f
        return None


@attrs.frozen(kw_only=True, cache_hash=True)
class EnumValue:
    value: str
    doc: str | None = None
    span: Span | None = _span()


@attrs.frozen(kw_only=True, cache_hash=True)
class Enum:
    id: str
    values: tuple[EnumValue, ...]
    doc: str | None = None
    deprecated: bool = False
    export: bool = False
    namespace: str | None = None
    helpers: tuple[Helper, ...] = ()  # `get` helpers only: an enum value is read, never built
    span: Span | None = _span()


@attrs.frozen(kw_only=True, cache_hash=True)
class Variant:
    type: str  # id of a Record
    tag: str | None  # discriminator value; resolved from the record's literal field when not given
    span: Span | None = _span()


@attrs.frozen(kw_only=True, cache_hash=True)
class Union_:
    """A declared union; discriminated when ``discriminator`` is set."""

    id: str
    variants: tuple[Variant, ...]
    discriminator: str | None = None
    doc: str | None = None
    deprecated: bool = False
    export: bool = False
    namespace: str | None = None
    # the name of the function answering a value's discriminator value (`event_type`), if any
    tag_accessor: str | None = None
    span: Span | None = _span()


@attrs.frozen(kw_only=True, cache_hash=True)
class Alias:
    id: str
    target: TypeRef
    doc: str | None = None
    deprecated: bool = False
    export: bool = False
    namespace: str | None = None
    span: Span | None = _span()


TypeDecl = Record | Enum | Union_ | Alias


# ---------------------------------------------------------------------------------------------
# Endpoints


# What the literal text of a path may hold unencoded: RFC 3986's unreserved characters, the
# sub-delimiters, `:`, `@` and `/`. Anything else (quotes, backslashes, `<>[]^|`, spaces, non-ASCII) is
# sent percent-encoded as UTF-8, as RFC 6570 expands literals; `%` only where it already starts an
# escape.
PATH_LITERAL_SAFE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=:@/")


def encode_path_literal(text: str) -> str:
    """The literal text of a path as it goes on the wire.

    >>> encode_path_literal("/café/a b/%41/100%")
    '/caf%C3%A9/a%20b/%41/100%25'
    """
    out = []
    for i, ch in enumerate(text):
        if ch in PATH_LITERAL_SAFE:
            out.append(ch)
        elif ch == "%" and len(text) > i + 2 and all(c in "0123456789abcdefABCDEF" for c in text[i + 1 : i + 3]):
            out.append(ch)
        else:
            out.append("".join(f"%{b:02X}" for b in ch.encode("utf-8", "surrogatepass")))
    return "".join(out)


@attrs.frozen(kw_only=True, cache_hash=True)
class PathLiteral:
    text: str


@attrs.frozen(kw_only=True, cache_hash=True)
class PathVar:
    name: str
    raw: bool = False  # inserted unescaped (RFC 6570 ``{+name}``)
    span: Span | None = _span()


@attrs.frozen(kw_only=True, cache_hash=True)
class PathTemplate:
    template: str
    parts: tuple[PathLiteral | PathVar, ...]
    span: Span | None = _span()

    @property
    def variables(self) -> tuple[PathVar, ...]:
        return tuple(p for p in self.parts if isinstance(p, PathVar))


@attrs.frozen(kw_only=True, cache_hash=True)
class PathParam:
    name: str
    type: TypeRef
    raw: bool = False
    doc: str | None = None
    span: Span | None = _span()


@attrs.frozen(kw_only=True, cache_hash=True)
class QueryParam:
    name: str
    type: TypeRef
    required: bool
    has_default: bool = False
    default: Any = None
    wire_name: str = ""
    doc: str | None = None
    span: Span | None = _span()


@attrs.frozen(kw_only=True, cache_hash=True)
class HeaderParam:
    """A request header whose value is an argument of the endpoint's method (typed, validated and
    left out when absent, as a query parameter is); ``wire_name`` is the header's name."""

    name: str
    type: TypeRef
    required: bool
    has_default: bool = False
    default: Any = None
    wire_name: str = ""
    doc: str | None = None
    span: Span | None = _span()


@attrs.frozen(kw_only=True, cache_hash=True)
class Header:
    name: str
    value: str
    span: Span | None = _span()


@attrs.frozen(kw_only=True, cache_hash=True)
class FeatureUse:
    """An endpoint's (or the service's) use of a feature instance."""

    feature: str
    span: Span | None = _span()


@attrs.frozen(kw_only=True, cache_hash=True)
class Endpoint:
    id: str  # "group.name"
    method: str
    path: PathTemplate
    path_params: tuple[PathParam, ...] = ()
    query: tuple[QueryParam, ...] = ()
    request: TypeRef | None = None
    response: TypeRef | None = None
    headers: tuple[Header, ...] = ()
    features: tuple[FeatureUse, ...] = ()
    response_handler: str | None = None
    doc: str | None = None
    deprecated: bool = False
    span: Span | None = _span()
    header_params: tuple[HeaderParam, ...] = ()
    # `api: group.name`: the endpoint's function of the stateless layer (default: its own id)
    api: str | None = None
    api_span: Span | None = _span()
    # `stream: sse`: the response body is a stream of server-sent events, each a `response` value
    stream: str | None = None
    stream_span: Span | None = _span()

    @property
    def group(self) -> str:
        return self.id.split(".", 1)[0]

    @property
    def api_function(self) -> tuple[str, str]:
        """(group, name) of the endpoint's stateless function: `api:`, else the endpoint's id."""
        group, _, name = (self.api or self.id).partition(".")
        return group, name

    @property
    def name(self) -> str:
        return self.id.split(".", 1)[-1]

    @property
    def uri_template(self) -> str:
        """The path as an RFC 6570 template: `{name}` is percent-encoded, a raw parameter (written
        `{+name}` or declared `raw: true`) is `{+name}`, inserted as it is; the literal text is
        already percent-encoded (:func:`encode_path_literal`), so an SDK sends it as it is."""
        raw = {p.name for p in self.path_params if p.raw}
        return "".join(
            encode_path_literal(part.text) if isinstance(part, PathLiteral) else "{" + ("+" if part.name in raw else "") + part.name + "}"
            for part in self.path.parts
        )


# ---------------------------------------------------------------------------------------------
# Features (built-in feature types; parameters normalized by the lowering)


@attrs.frozen(kw_only=True, cache_hash=True)
class StatusRange:
    lo: int
    hi: int
    span: Span | None = _span()


@attrs.frozen(kw_only=True, cache_hash=True)
class Backoff:
    kind: str  # exponential | constant
    base_ms: int
    max_ms: int
    jitter: float


@attrs.frozen(kw_only=True, cache_hash=True)
class RetryPolicy:
    max_retries: int
    statuses: tuple[StatusRange, ...]
    exceptions: tuple[str, ...]
    backoff: Backoff
    retry_after_max_ms: int
    # a response header that decides: "true" retries (any status), "false" never (Stainless's x-should-retry)
    should_retry_header: str | None = None


@attrs.frozen(kw_only=True, cache_hash=True)
class RetryHandler:
    max_connections: int
    progress_timeout_ms: int
    jitter_factor: float
    base_ms: int
    max_ms: int


@attrs.frozen(kw_only=True, cache_hash=True)
class PromiseResult:
    retrieve_endpoint: str
    request_id_field: str
    result_field: str | None
    try_again_field: str
    try_again_value: str
    error_field: str
    category_field: str
    categories: tuple[str, ...]
    queue_state_field: str | None
    queue_state_reason_field: str | None
    queue_states: tuple[str, ...]
    pending_statuses: tuple[StatusRange, ...]
    poll_timeout_ms: int
    timeout_ms: int | None
    handle_type: TypeRef | None
    # backoff between polls that failed (no answer, 429, 5xx)
    poll_retry: Backoff = Backoff(kind="exponential", base_ms=500, max_ms=10000, jitter=0.25)
    # headers every poll carries: the submitting endpoint's request type, the 0-based poll count
    request_type_header: str | None = None
    iteration_header: str | None = None
    # (endpoint id, request type) of the endpoints answering futures of this feature
    request_types: tuple[tuple[str, str], ...] = ()
    # the complete_metadata exchange: `metadata_only_field` (a retrieve request field) is sent true
    # until an answer whose `metadata_status_field` is `metadata_status_value`, then false
    metadata_only_field: str | None = None
    metadata_status_field: str = "status"
    metadata_status_value: str = "complete_metadata"
    metadata_size_field: str | None = None

    # poll statuses: the promise expired (the call is submitted again, at most `expired_resubmits`
    # times); retried a bounded number of times; a billing pause (wait `billing_delay_ms`, retry,
    # for at most `billing_max_pause_ms` in all)
    expired_statuses: tuple[StatusRange, ...] = ()
    expired_resubmits: int = 0
    bounded_retry_statuses: tuple[StatusRange, ...] = ()
    bounded_retries: int = 0
    billing_statuses: tuple[StatusRange, ...] = ()
    billing_delay_ms: int = 0
    billing_max_pause_ms: int = 0

    def request_type(self, endpoint: str) -> str | None:
        return next((t for e, t in self.request_types if e == endpoint), None)


@attrs.frozen(kw_only=True, cache_hash=True)
class SamplingBackpressure:
    retry_statuses: tuple[StatusRange, ...]
    small_backoff_ms: int
    large_backoff_ms: int
    small_request_bytes: int
    headers: tuple[Header, ...]
    # The resend after a backpressure answer is a new request (Tinker 0.38), not a retry of a lost
    # one: it carries a new idempotency key. A transport retry keeps the call's key either way.
    fresh_idempotency_key: bool = False


@attrs.frozen(kw_only=True, cache_hash=True)
class Telemetry:
    endpoint: str
    enabled_env: str | None
    batch_size: int
    flush_interval_ms: int
    max_queue_size: int
    timeout_ms: int
    drain_timeout_ms: int
    events_field: str = "events"  # request field of the telemetry endpoint holding the events
    session_id_field: str | None = None  # request fields the SDK fills in every batch
    process_id_field: str | None = None
    platform_field: str | None = None
    sdk_version_field: str | None = None
    event_types: tuple[tuple[str, str], ...] = ()  # (kind, record id): session_start, session_end, error, generic


@attrs.frozen(kw_only=True, cache_hash=True)
class SessionLifecycle:
    create_endpoint: str
    heartbeat_endpoint: str | None
    heartbeat_interval_ms: int
    heartbeat_timeout_ms: int
    session_id_field: str
    stop_on_statuses: tuple[StatusRange, ...]
    warn_after_ms: int | None
    create_args: Any = None  # frozen JSON object: the create request's fields (constants)


@attrs.frozen(kw_only=True, cache_hash=True)
class ServerConfig:
    """Server-driven configuration: endpoints a client family fetches, in order, before its first
    request. A failing or missing endpoint is skipped: the SDK keeps its defaults."""

    endpoints: tuple[str, ...]
    body: Any = None  # frozen JSON object: the constant request body every fetch sends


@attrs.frozen(kw_only=True, cache_hash=True)
class IdempotencyKey:
    header: str
    methods: tuple[str, ...]
    prefix: str


@attrs.frozen(kw_only=True, cache_hash=True)
class Pagination:
    """How a list endpoint's pages follow each other. ``limit_offset``: the offset parameter moves by
    the items a page held; ``cursor``: the next page's cursor (a response field or header) goes back
    in the cursor parameter; ``next_url``: the response names the next page's URL."""

    style: str
    limit_param: str
    offset_param: str
    items_field: str | None
    total_field: str | None
    cursor_param: str = "cursor"
    next_cursor_field: str | None = None  # dotted path of wire names in the response body
    next_cursor_header: str | None = None
    next_url_field: str | None = None
    next_url_header: str | None = None


@attrs.frozen(kw_only=True, cache_hash=True)
class QueueStateObserver:
    debounce_ms: int
    log_level: str
    # client state fields whose value keys the debounce (the first the calling client holds):
    # Tinkex logs once a minute per sampling session and per model; () keys by endpoint only
    debounce_by: tuple[str, ...] = ()


FeatureParams = (
    RetryPolicy
    | RetryHandler
    | PromiseResult
    | SamplingBackpressure
    | Telemetry
    | SessionLifecycle
    | ServerConfig
    | IdempotencyKey
    | Pagination
    | QueueStateObserver
)


@attrs.frozen(kw_only=True, cache_hash=True)
class Feature:
    id: str
    kind: str  # the feature type, e.g. "retry_policy"
    params: FeatureParams
    doc: str | None = None
    span: Span | None = _span()
    # where each parameter was written, for passes that check values (not part of equality)
    param_spans: tuple[tuple[str, Span], ...] = attrs.field(default=(), eq=False, repr=False)

    def param_span(self, name: str) -> Span | None:
        for k, s in self.param_spans:
            if k == name:
                return s
        return self.span

    def endpoint_uses(self) -> tuple[tuple[str, str], ...]:
        """The endpoints this feature calls itself, as (parameter, endpoint id): the futures'
        retrieve endpoint, telemetry's endpoint, a session's create and heartbeat endpoints."""
        p = self.params
        if isinstance(p, PromiseResult):
            return (("retrieve_endpoint", p.retrieve_endpoint),)
        if isinstance(p, Telemetry):
            return (("endpoint", p.endpoint),)
        if isinstance(p, SessionLifecycle):
            heartbeat = (("heartbeat_endpoint", p.heartbeat_endpoint),) if p.heartbeat_endpoint else ()
            return (("create_endpoint", p.create_endpoint), *heartbeat)
        if isinstance(p, ServerConfig):
            return tuple(("endpoints", e) for e in p.endpoints)
        return ()


# ---------------------------------------------------------------------------------------------
# Flows


@attrs.frozen(kw_only=True, cache_hash=True)
class Const:
    value: Any  # frozen JSON
    span: Span | None = _span()


@attrs.frozen(kw_only=True, cache_hash=True)
class Bind:
    """``${source.path}``. ``step`` and ``type`` are filled in by the binding-resolution pass."""

    source: str  # input | result | steps | state | config
    path: tuple[str | int, ...]
    step: str | None = None  # id of the producing step (result/steps), None for input/state
    type: TypeRef | None = None
    text: str = ""
    span: Span | None = _span()


@attrs.frozen(kw_only=True, cache_hash=True)
class Interp:
    """A string with bindings inside: ``"${state.session_id}:train:${result.model_seq_id}"``."""

    parts: tuple[str | Bind, ...]
    span: Span | None = _span()


@attrs.frozen(kw_only=True, cache_hash=True)
class ObjValue:
    items: tuple[tuple[str, Value], ...]
    span: Span | None = _span()


@attrs.frozen(kw_only=True, cache_hash=True)
class ListValue:
    items: tuple[Value, ...]
    span: Span | None = _span()


@attrs.frozen(kw_only=True, cache_hash=True)
class Invalid:
    """A value whose text was malformed (already reported); it keeps the argument "given", so one
    typo is not reported a second time as a missing argument."""

    span: Span | None = _span()


Value = Const | Bind | Interp | ObjValue | ListValue | Invalid


@attrs.frozen(kw_only=True, cache_hash=True)
class Arg:
    name: str
    value: Value
    span: Span | None = _span()


@attrs.frozen(kw_only=True, cache_hash=True)
class ChunkSpec:
    """A call step's `chunk:`: the flow input `input` (a list) is split into chunks of at most
    `max_items` items and about `max_bytes` bytes; the step runs once per chunk (inside it,
    `${input.<input>}` is the chunk), and the chunks' results combine field by field (`combine`:
    `concat` a list, `metrics` a map of metrics reduced by the suffix of each key; any other field
    is the first chunk's)."""

    input: str
    max_items: int
    max_bytes: int
    combine: tuple[tuple[str, str], ...] = ()
    span: Span | None = _span()
    input_span: Span | None = _span()
    combine_spans: tuple[Span | None, ...] = _span()  # one per `combine` entry


@attrs.frozen(kw_only=True, cache_hash=True)
class Step:
    """One step of a flow.

    ``kind`` is ``call`` (``target`` an endpoint or flow id, ``target_kind`` says which),
    ``await_future`` (waits for the future of step ``awaits``), ``build_client`` (``target`` a client
    id; ``args`` set its state), ``return`` (``args`` holds one ``value`` arg), ``parse`` (``target``
    a record with a parse template; ``args`` holds one ``value`` arg, the text it splits), or
    ``call_await`` (a call fused with its await by the optimizer).
    """

    id: str
    kind: str
    target: str | None = None
    target_kind: str | None = None  # endpoint | flow | client
    written_target: str = ""
    args: tuple[Arg, ...] = ()
    receiver: str = "self"  # self | sibling | step:<id> | bind
    on: Bind | None = None
    awaits: str | None = None
    expected: TypeRef | None = None  # the type an await_future step names
    after: tuple[str, ...] = ()
    depends_on: tuple[str, ...] = ()
    result_type: TypeRef | None = None
    chunk: ChunkSpec | None = None  # a call split into chunks of a list input (see ChunkSpec)
    span: Span | None = _span()


@attrs.frozen(kw_only=True, cache_hash=True)
class FlowInput:
    name: str
    type: TypeRef | None
    declared: bool = False
    has_default: bool = False  # a caller may leave it out; then `default` (frozen JSON) is used
    default: Any = None
    doc: str | None = None
    # `spread: true` on a record input: each field of the record is an input of its own too
    # (`rank:` beside `lora_config:`), overriding that field of the record when given. The bindings
    # pass adds those inputs (`spread_of` names the record input); the SDKs merge them into it.
    spread: bool = False
    spread_of: str | None = None
    span: Span | None = _span()

    @property
    def required(self) -> bool:
        return not self.has_default and not isinstance(self.type, Nullable)


@attrs.frozen(kw_only=True, cache_hash=True)
class Flow:
    id: str
    client: str | None
    steps: tuple[Step, ...]
    inputs: tuple[FlowInput, ...] = ()
    result: TypeRef | None = None
    # topological layers of steps: the steps of one stage do not depend on each other and may run
    # concurrently (filled by the flow-dependencies pass)
    stages: tuple[tuple[str, ...], ...] = ()
    doc: str | None = None
    deprecated: bool = False
    task: bool = False  # `returns: task`: the public function answers a task/future of the flow's result
    # `overloads: <method>`: in a language with arity overloading (Elixir), the flow is also the
    # other arity of that method of its client (Tinkex's `delete_checkpoint/2` with a tinker path
    # beside `delete_checkpoint/3`); Python and TypeScript keep the flow's own name only
    overloads: str | None = None
    overloads_span: Span | None = attrs.field(default=None, eq=False, repr=False)
    span: Span | None = _span()

    def step(self, step_id: str) -> Step | None:
        for s in self.steps:
            if s.id == step_id:
                return s
        return None


# ---------------------------------------------------------------------------------------------
# Clients and service


@attrs.frozen(kw_only=True, cache_hash=True)
class StateField:
    name: str
    type: TypeRef
    counter: bool = False
    counter_start: int = 0  # a counter's first value (Tinker's training seq_id starts at 1)
    # Requests carrying this counter leave in counter order, one at a time: the next is sent once
    # the server answered the previous one (its future is then polled concurrently with the rest).
    ordered: bool = False
    doc: str | None = None
    span: Span | None = _span()


@attrs.frozen(kw_only=True, cache_hash=True)
class Method:
    name: str
    kind: str  # endpoint | flow
    target: str
    doc: str | None = None
    value: bool = False  # `returns: value`: answers the flow's result itself, even where the flow answers a task
    span: Span | None = _span()  # the method's name
    target_span: Span | None = attrs.field(default=None, eq=False, repr=False)  # where the target is named


@attrs.frozen(kw_only=True, cache_hash=True)
class ClientAlias:
    """A function of one client's module that is another client's method (`aliases:`): Tinkex's
    `SamplingClient.create_async(service, opts)` is `ServiceClient.create_sampling_client_async`.
    Its first argument is a client of ``client``; the others are the method's."""

    name: str
    client: str
    method: str
    doc: str | None = None
    span: Span | None = _span()


@attrs.frozen(kw_only=True, cache_hash=True)
class Chunker:
    """A public function splitting a list as the chunked step of flow ``flow`` does (`chunkers:`):
    Tinkex's `TrainingClient.DataProcessor.chunk_data/1`. ``module`` names the Elixir module under
    the client's that holds it (other SDKs: a static function of the client class)."""

    name: str
    flow: str
    module: str | None = None
    doc: str | None = None
    span: Span | None = _span()


@attrs.frozen(kw_only=True, cache_hash=True)
class Client:
    id: str
    module: str | None
    methods: tuple[Method, ...]
    state: tuple[StateField, ...] = ()
    resources: tuple[str, ...] = ()
    doc: str | None = None
    aliases: tuple[ClientAlias, ...] = ()
    chunkers: tuple[Chunker, ...] = ()
    span: Span | None = _span()

    @property
    def display_name(self) -> str:
        """The last segment of the module (``TrainingClient``), or the id."""
        return self.module.rsplit(".", 1)[-1] if self.module else self.id

    def method(self, name: str) -> Method | None:
        for m in self.methods:
            if m.name == name:
                return m
        return None


@attrs.frozen(kw_only=True, cache_hash=True)
class AuthExchange:
    """`service.auth.exchange`: the credential is exchanged at `endpoint` for a short-lived token
    (read from the response's `token_field`) that then replaces it in the auth header. The token's
    lifetime is the JWT `exp` claim (`lifetime_claim`) or a response field of seconds
    (`lifetime_field`); it is renewed once a fraction of its lifetime drawn in `refresh_window` has
    passed or when at most `refresh_before_sec` remain, and on a 401 whose `WWW-Authenticate` says
    `invalid_token` a new one is fetched and the request replayed once."""

    endpoint: str
    token_field: str = "token"
    lifetime_claim: str | None = "exp"
    lifetime_field: str | None = None
    refresh_window: tuple[float, float] = (0.45, 0.55)
    refresh_before_sec: int = 60
    enabled: bool = True  # off: only the client option (or `enable_env`) turns it on
    enable_env: str | None = None
    span: Span | None = _span()


AUTH_SCHEMES = ("api_key", "bearer", "basic")


@attrs.frozen(kw_only=True, cache_hash=True)
class Auth:
    type: str  # one of AUTH_SCHEMES
    header: str
    env: str | None = None
    command_env: str | None = None  # names a variable holding a shell command that prints the credential
    exchange: AuthExchange | None = None
    span: Span | None = _span()


@attrs.frozen(kw_only=True, cache_hash=True)
class ConfigOption:
    """A client configuration option the manifest declares (`service.config`): given to the
    client's constructor (or `Config.new/1`), else read from `env`, else `default`; flows and the
    session's `create_args` read it as `${config.<name>}`."""

    name: str
    type: TypeRef
    env: str | None = None
    has_default: bool = False
    default: Any = None  # frozen JSON
    doc: str | None = None
    # `profiles:`: the option's value names a profile of defaults for the built-in timeout and the
    # retry count of `retry_policy` (Tinkex's `:parity_mode` python/beam); `()`: an ordinary option
    profiles: tuple[Profile, ...] = ()
    retry_policy: str | None = None  # the retry_policy feature whose max_retries a profile replaces
    span: Span | None = _span()


@attrs.frozen(kw_only=True, cache_hash=True)
class Profile:
    """One named profile of a config option's `profiles:`: the defaults it gives (None: the
    manifest's own, `service.timeout_ms` and the retry policy's `max_retries`)."""

    name: str
    timeout_ms: int | None = None
    max_retries: int | None = None
    span: Span | None = _span()


@attrs.frozen(kw_only=True, cache_hash=True)
class Service:
    name: str
    version: str = "0.0.0"
    doc: str | None = None
    base_url: str | None = None
    base_url_env: str | None = None
    auth: Auth | None = None
    # named base URLs (`production`, `staging`), chosen by the client's argument or `environment_env`
    environments: tuple[tuple[str, str], ...] = ()
    environment_env: str | None = None
    headers: tuple[Header, ...] = ()
    timeout_ms: int = 60000
    features: tuple[FeatureUse, ...] = ()
    config: tuple[ConfigOption, ...] = ()
    span: Span | None = _span()

    def config_option(self, name: str) -> ConfigOption | None:
        return next((o for o in self.config if o.name == name), None)


@attrs.frozen(kw_only=True)
class Api:
    """The root of the IR. Declarations are keyed by id, iterated in sorted id order."""

    schema_version: int
    service: Service
    targets: dict[str, Any] = attrs.field(factory=dict, converter=_sorted_dict)
    types: dict[str, TypeDecl] = attrs.field(factory=dict, converter=_sorted_dict)
    endpoints: dict[str, Endpoint] = attrs.field(factory=dict, converter=_sorted_dict)
    features: dict[str, Feature] = attrs.field(factory=dict, converter=_sorted_dict)
    flows: dict[str, Flow] = attrs.field(factory=dict, converter=_sorted_dict)
    clients: dict[str, Client] = attrs.field(factory=dict, converter=_sorted_dict)
    # Ids that are declared but could not be lowered (their errors are reported), by section:
    # references to them are not reported again as unknown.
    unlowered: dict[str, tuple[str, ...]] = attrs.field(factory=dict, converter=_sorted_dict)

    def is_unlowered(self, section: str, name: str) -> bool:
        return name in self.unlowered.get(section, ())

    def resolve_alias(self, t: TypeRef) -> TypeRef:
        """Follow aliases (not through nullability) until a non-alias type; stops on alias cycles."""
        if not isinstance(t, Ref):  # most types asked about (base_type asks ~1,300 times a build)
            return t
        seen: set[str] = set()
        while isinstance(t, Ref):
            decl = self.types.get(t.name)
            if not isinstance(decl, Alias) or t.name in seen:
                return t
            seen.add(t.name)
            t = decl.target
        return t

    def record(self, t: TypeRef | None) -> Record | None:
        """The record a type expression denotes (through aliases), if it is one."""
        if t is None:
            return None
        t = self.resolve_alias(t)
        if isinstance(t, Ref):
            decl = self.types.get(t.name)
            if isinstance(decl, Record):
                return decl
        return None

    def endpoint_features(self, endpoint: Endpoint, kind: str) -> list[Feature]:
        out = []
        for use in (*endpoint.features, *self.service.features):
            f = self.features.get(use.feature)
            if f is not None and f.kind == kind:
                out.append(f)
        return out

    def future_feature(self, endpoint: Endpoint) -> Feature | None:
        found = self.endpoint_features(endpoint, "promise_result")
        return found[0] if found else None

    def service_feature(self, params_type: type) -> Feature | None:
        """The service-wide feature whose parameters are of this IR type (e.g. ``Telemetry``)."""
        for use in self.service.features:
            f = self.features.get(use.feature)
            if f is not None and isinstance(f.params, params_type):
                return f
        return None

    def heartbeat_in_path(self, session: SessionLifecycle) -> bool:
        """Whether the heartbeat endpoint takes the session id in its path (else in its body)."""
        heartbeat = self.endpoints.get(session.heartbeat_endpoint or "")
        return heartbeat is not None and any(p.name == session.session_id_field for p in heartbeat.path_params)

    def request_headers(self, endpoint: Endpoint) -> tuple[Header, ...]:
        """The fixed headers of every request of ``endpoint``: the service's, then the endpoint's
        own (an endpoint header replaces a service header of the same name, in any case)."""
        own = {h.name.lower() for h in endpoint.headers}
        return tuple(h for h in self.service.headers if h.name.lower() not in own) + endpoint.headers

    def idempotency_key(self, endpoint: Endpoint) -> IdempotencyKey | None:
        """The idempotency_key feature that covers this endpoint's method, if any."""
        for f in self.endpoint_features(endpoint, "idempotency_key"):
            if isinstance(f.params, IdempotencyKey) and endpoint.method in f.params.methods:
                return f.params
        return None
