"""The SDK plan: every decision the SDKs must agree on, made once from the optimized IR.

A backend renders the plan; it never re-derives what the plan says (which arguments an endpoint
takes and in what order, what goes on the wire when an argument is left out, whether a call
answers a value, nothing, a redirect or a server-side future, which flow steps need a variable,
which client a step runs on). Three SDKs that behave differently are then a bug of the plan or of
one runtime, not of three emitters each reading the IR its own way.

The plan is plain frozen data, computed by :func:`plan_api` and the same whichever targets are
built (a property test holds it to that). Names in the plan are the manifest's neutral names; each
target's symbol provider turns them into identifiers.

Example::

    >>> from tinkc.pipeline import compile_manifest, bundled_manifest
    >>> plan = plan_api(compile_manifest(bundled_manifest()).api)
    >>> ep = plan.endpoint("training.forward_backward")
    >>> ep.call_mode, [(p.name, p.location, p.absent) for p in ep.params][-1]
    ('future', ('seq_id', 'body', 'omit'))
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Literal

import attrs

from tinkc.ir import nodes as ir
from tinkc.ir.helpers import Expr, PathStep, PushMerge, get_path, helper_expr, push_plan, wire_template
from tinkc.ir.queries import find_client, redirect_url_field, step_binds, type_refs
from tinkc.ir.types import base_type
from tinkc.sdk.params import (  # the plan's decisions the validation passes read too (see there)
    Body,
    EnvKind,
    Location,
    PagePlan,
    Param,
    ServerField,
    _constant,
    _first,
    endpoint_params,
    env_kind,
    plan_page,
    server_fields,
    split_create_args,
)

# How a call answers: the decoded response, nothing (no response body), the `Location` of a
# redirect, or a server-side future that is polled until it resolves (to the response type, or to
# nothing when the endpoint declares no response body: the call still waits for the server).
# `stream`: the events of a streaming endpoint (`stream: sse`), each decoded as the response type
# (see STREAMING).
ResponseKind = Literal["value", "empty", "redirect", "future", "stream"]

# How every SDK answers a streaming endpoint (`response == "stream"`), decided once:
#
# * the request goes out as any other, with `Accept: text/event-stream` (the lowering adds it to
#   the endpoint's headers unless the manifest declares an `Accept`), and is never retried (no retry policy, retry handler or
#   backpressure applies: events already handed out cannot be taken back, and Tinkex does not
#   retry streams either); a non-2xx status is the SDK's usual status error, answered by the call;
# * the response body is read whole before the call answers (as Tinkex does), then parsed as
#   server-sent events (WHATWG HTML, "event stream interpretation": lines end in CRLF, LF or CR;
#   a line starting with `:` is a comment; `field: value` with one leading space dropped; `data`
#   lines of one event join with LF; a blank line dispatches the event; an event without data is
#   skipped; `event`, `id` and `retry` are read and not used for decoding);
# * the call answers the events lazily: Elixir `{:ok, stream}` (a `Stream`), Python an iterator
#   (an async iterator from the async client), TypeScript an AsyncIterable; each event's data is
#   decoded as JSON of the response record when the consumer reaches it; data that is not JSON of
#   that shape raises the SDK's response-validation error there (events before it were answered).
STREAMING = "sse"


@attrs.frozen(kw_only=True)
class Retry:
    """A retry policy as every runtime applies it (retry_policy feature)."""

    feature: str
    max_retries: int
    statuses: tuple[tuple[int, int], ...]
    on_connection_error: bool
    on_timeout: bool
    base_ms: int
    max_ms: int
    jitter: float
    retry_after_max_ms: int
    should_retry_header: str | None = None  # "true" retries (any status), "false" never
    # the policy a config option's profiles name (`retry_policy:`): the chosen profile's
    # `max_retries`, when it gives one, replaces ``max_retries`` (a call's own `max_retries` wins)
    profiled: bool = False


# The exceptions of `retry_policy.exceptions` that mean "the request timed out" (every SDK maps its
# own timeout errors to these); anything else listed is a connection failure only by its own name.
TIMEOUT_EXCEPTIONS = ("connection_timeout", "timeout", "read_timeout")


@attrs.frozen(kw_only=True)
class Runtime:
    """The features an endpoint's calls go through, as runtime units (ids of feature instances; the
    instances' parameters are in :attr:`SdkPlan.features`)."""

    retry: Retry | None = None
    backpressure: str | None = None
    handler: str | None = None
    futures: str | None = None
    idempotency_header: str | None = None
    idempotency_prefix: str = ""
    headers: tuple[tuple[str, str], ...] = ()  # fixed headers: the service's, then the endpoint's
    poll_timeout_ms: int | None = None  # set on a futures retrieve endpoint: its polls' timeout
    request_type: str | None = None  # a futures endpoint's request type, sent with each poll of its futures
    # the queue_state_observer feature of a futures endpoint: its futures' queue-state changes are
    # logged (debounced, at its level) when the client has no observer of its own
    queue_log: str | None = None


@attrs.frozen(kw_only=True)
class CallOption:
    """A per-call option every SDK takes, spelled in each language's idiom. Options never share a
    namespace with the API's parameters (a request field `timeout` stays a request field): Python
    takes them as one `request_options=RequestOptions(...)` argument, TypeScript in the options
    object after the params object, Elixir as `request_options: [...]` in the options list."""

    name: str
    python: str
    typescript: str
    elixir: str
    doc: str


CALL_OPTIONS = (
    CallOption(
        name="timeout",
        python="timeout",
        typescript="timeoutMs",
        elixir="timeout",
        doc="the timeout of each HTTP request of the call (Python: seconds; TypeScript, Elixir: milliseconds)",
    ),
    CallOption(
        name="max_retries",
        python="max_retries",
        typescript="maxRetries",
        elixir="max_retries",
        doc="retries after the first attempt, instead of the endpoint's retry policy's",
    ),
    CallOption(
        name="extra_headers",
        python="extra_headers",
        typescript="headers",
        elixir="headers",
        doc="headers added to the call's requests (they win over the SDK's own)",
    ),
    CallOption(
        name="extra_query",
        python="extra_query",
        typescript="extraQuery",
        elixir="query",
        doc="query parameters the manifest does not declare",
    ),
    CallOption(
        name="extra_body",
        python="extra_body",
        typescript="extraBody",
        elixir="body",
        doc="body fields the manifest does not declare (merged into the JSON object body)",
    ),
    CallOption(
        name="idempotency_key",
        python="idempotency_key",
        typescript="idempotencyKey",
        elixir="idempotency_key",
        doc="the idempotency key of the call, instead of a generated one (endpoints with an idempotency_key feature)",
    ),
)
# Python's and Elixir's name of the per-call options argument (a parameter may not take it).
CALL_OPTIONS_PARAM = "request_options"
# What every SDK says of a deprecated method (`deprecated: true` on its endpoint or flow): Python's
# `@deprecated` warning, TypeScript's `@deprecated` JSDoc tag, Elixir's `@deprecated` attribute.
DEPRECATION_NOTICE = "The API deprecates it; it may be removed in a later version."


# The suffix of a paginated method's iterator, in the manifest's naming: `list_sessions` has
# `list_sessions_iter` (Python, Elixir) / `listSessionsIter` (TypeScript).
ITER_SUFFIX = "_iter"


@attrs.frozen(kw_only=True)
class EndpointPlan:
    id: str
    group: str
    name: str
    method: str
    path: str  # RFC 6570 template, literal text already percent-encoded
    params: tuple[Param, ...]  # the one order: path, required body, query, headers, then optional body, query, headers
    body: Body
    response: ResponseKind
    response_type: ir.TypeRef | None  # the decoded value (the future's result for futures)
    runtime: Runtime
    doc: str | None = None
    deprecated: bool = False
    page: PagePlan | None = None  # a paginated list endpoint: how its pages follow each other
    # a redirect whose declared response is a record with a `url` field: that field's wire name (the
    # call answers the record, `url` the Location, its other fields absent); None: the Location as text
    redirect_field: str | None = None

    @property
    def call_mode(self) -> Literal["direct", "future", "stream"]:
        """``future``: the method submits at once and answers a handle on the server-side
        future's result (Python sync: an ``APIFuture``, ``.result()`` waits; Python async: a
        coroutine; Elixir: ``{:ok, Task}``; TypeScript: a Promise); ``stream``: the events of a
        streaming endpoint (see STREAMING); ``direct`` otherwise."""
        if self.response in ("future", "stream"):
            return self.response
        return "direct"

    def located(self, location: Location) -> tuple[Param, ...]:
        return tuple(p for p in self.params if p.location == location)

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)


# -- flows ----------------------------------------------------------------------------------------

StepMode = Literal[
    "call",  # an endpoint called and answered as its response kind says (futures: submitted and polled)
    "submit",  # a futures endpoint whose handle a later `await` step polls
    "await",  # polls the future a `submit` step got
    "pass",  # awaits what a called flow answered: already resolved inside that flow
    "call_flow",
    "build_client",
    "parse",  # splits a string by a record's parse template into that record (bad text: invalid-argument error)
    "return",
]


@attrs.frozen(kw_only=True)
class Receiver:
    """The client a step runs on: the flow's own (`self`), a sibling client of the same session,
    the client a previous step built, or one a binding names."""

    kind: Literal["self", "sibling", "step", "bind"]
    client: str | None  # the client's id, when known
    step: str | None = None
    bind: ir.Bind | None = None


@attrs.frozen(kw_only=True)
class StepArg:
    name: str  # the endpoint parameter, flow input or client state field it fills
    value: ir.Value
    expected: ir.TypeRef | None  # the type the target declares for it
    location: Location | Literal["input", "state"]
    wire: str  # the wire name (query parameters: the one the request carries)


@attrs.frozen(kw_only=True)
class ChunkPlan:
    """A chunked call (a step's `chunk:`), as every runtime runs it:

    1. `input` (a list of `item`) is split in order into chunks of at most `max_items` items whose
       estimated sizes add up to at most `max_bytes` (an item's size: its JSON form with strings
       counted as their UTF-8 bytes, numbers as 8, booleans and null as 1, object keys as their
       bytes). An item larger than `max_bytes` alone is an invalid-argument error, before any request.
       An empty list is one (empty) chunk.
    2. The step's arguments are evaluated once per chunk, in chunk order (so counters such as a
       `seq_id` number the chunks in order), `${input.<input>}` being the chunk.
    3. The chunks after the first are sent concurrently, then, once they are all accepted, the
       first (as Tinker's SDK does: the server starts on the batch when its first request arrives).
    4. The futures are polled concurrently; the results combine in chunk order, field by field:
       `concat` joins lists, `metrics` reduces each key present in every chunk by the suffix after
       its last `:` (`mean` weighted by the chunks' item counts, `sum`, `min`, `max`, `slack` = max
       minus weighted mean; other keys are dropped), any other field is the first chunk's.
    """

    input: str
    item: ir.TypeRef
    max_items: int
    max_bytes: int
    combine: tuple[tuple[str, str], ...]  # (field of the result record, `concat` | `metrics`); others: the first chunk's


@attrs.frozen(kw_only=True)
class StepPlan:
    id: str
    mode: StepMode
    endpoint: str | None = None  # call / submit
    flow: str | None = None  # call_flow
    client: str | None = None  # build_client: the client built
    parsed: str | None = None  # parse: the record (with a parse template) the step makes; `args` holds its `value`
    chunk: ChunkPlan | None = None  # call: made once per chunk of a list input, results combined
    receiver: Receiver | None = None  # call / submit / call_flow
    args: tuple[StepArg, ...] = ()
    awaits: str | None = None  # await / pass: the step whose future it waits for
    result_type: ir.TypeRef | None = None
    variable: bool = False  # a later step (or the flow's result) reads what it answers
    returned: ir.Value | None = None  # return: the value
    # call / submit on another client (a `client.method` step): the name (neutral) of the receiver
    # client's endpoint method it calls, which answers as the endpoint does (a future resolved)
    method: str | None = None
    # call / submit reading an `ordered` counter of its client: the counter's name. The step takes
    # the client's lane of that counter, reads the counter, sends the request and keeps the lane
    # until the server answered it (a future's submit answer: polling happens after, outside the
    # lane). So requests leave in counter order, one at a time, whatever the caller's concurrency.
    ordered: str | None = None


@attrs.frozen(kw_only=True)
class FlowInputPlan:
    name: str
    type: ir.TypeRef | None
    required: bool
    has_default: bool = False
    default: Any = None
    doc: str | None = None
    # `spread: true`: the inputs (names, in field order) that override this record input's fields
    # when given; each SDK merges them into the record before the first step reads it
    overrides: tuple[str, ...] = ()


@attrs.frozen(kw_only=True)
class FlowPlan:
    id: str
    client: str | None
    method: str | None  # the method name the flow is bound to on its client (neutral)
    inputs: tuple[FlowInputPlan, ...]  # required first, then in declared order
    steps: tuple[StepPlan, ...]
    stages: tuple[tuple[str, ...], ...]  # steps of one stage run concurrently
    result: ir.TypeRef | None
    # `stream`: the flow's last step calls a streaming endpoint; the flow answers its events as the
    # endpoint's function does (`result` is the event type)
    returns: Literal["nothing", "value", "client", "future", "stream"]
    result_step: str | None  # the step whose value the flow answers
    doc: str | None = None
    deprecated: bool = False
    # `returns: task`: the public function answers a task of the whole flow (Elixir `{:ok, Task}`;
    # Python and TypeScript answer as every flow does: an awaitable / a Promise, the blocking
    # Python client the value). A flow already answering a future is answered so anyway.
    task: bool = False
    # `overloads: <method>`: in Elixir the flow is also `<method>/<1 + required inputs>` (no
    # options), beside the method's own arities (the `naming` pass checked they differ); Python and
    # TypeScript have no arity overloading: there the flow keeps its own name only
    overloads: str | None = None

    @property
    def sends_requests(self) -> bool:
        """Some step sends a request (an endpoint call or submission, a called flow): the flow
        method takes the per-call options (`CALL_OPTIONS_PARAM`), and every request it sends
        carries them, as an endpoint method's does."""
        return any(s.mode in ("call", "submit", "call_flow") for s in self.steps)

    @property
    def answers_task(self) -> bool:
        """The function answers a task: its result is a server-side future, or it declares `returns: task`."""
        return self.returns == "future" or self.task

    def step(self, step_id: str) -> StepPlan:
        return next(s for s in self.steps if s.id == step_id)


# -- clients, types, service ----------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class MethodPlan:
    name: str
    kind: Literal["endpoint", "flow"]
    target: str
    doc: str | None = None  # the method's own doc (the endpoint's or flow's is on its plan)
    deprecated: bool = False
    # `returns: value`: this name answers the flow's result itself where the flow answers a task
    # (Elixir: a synchronous function; Python and TypeScript answer as the flow does anyway)
    value: bool = False


@attrs.frozen(kw_only=True)
class AliasPlan:
    """A function of one client's module that calls another client's method (`aliases:`); its
    first argument is a client of ``client``, the others are the method's (Tinkex's
    `SamplingClient.create_async(service, opts)`)."""

    name: str
    client: str
    method: str
    doc: str | None = None


@attrs.frozen(kw_only=True)
class ChunkerPlan:
    """A public function splitting a list as a flow's chunked step does (`chunkers:`; Tinkex's
    `TrainingClient.DataProcessor.chunk_data/1`): the chunks, or the invalid-argument error of an
    item too large for one request, by the rule of ``chunk`` (step 1 of ChunkPlan)."""

    name: str
    module: str | None  # the Elixir module under the client's (`DataProcessor`)
    chunk: ChunkPlan
    doc: str | None = None


@attrs.frozen(kw_only=True)
class ClientPlan:
    id: str
    module: str | None
    display_name: str
    methods: tuple[MethodPlan, ...]
    state: tuple[ir.StateField, ...]
    builds: tuple[str, ...]  # the clients its flows build (derived clients)
    built_by_flow: bool  # some flow builds this client (a derived client)
    stateful: bool  # holds what every call shares and updates: counters, or the session id
    doc: str | None = None
    aliases: tuple[AliasPlan, ...] = ()
    chunkers: tuple[ChunkerPlan, ...] = ()
    # the state field keying this client's queue-state log marks (`debounce_by` of a
    # queue_state_observer): the client gets `clear_queue_state_debounce(<that field>)`
    queue_key: str | None = None


@attrs.frozen(kw_only=True)
class TypePlan:
    id: str
    decl: ir.TypeDecl
    references: tuple[str, ...]  # the declared types it names, in order, without repeats


@attrs.frozen(kw_only=True)
class SessionPlan:
    feature: str
    create_endpoint: str
    heartbeat_endpoint: str | None
    heartbeat_in_path: bool
    session_id_field: str
    params: ir.SessionLifecycle
    # The create request's whole body, decided here once: the manifest's `create_args` plus the
    # request record's literal tags (`type: create_session`), in the record's field order. Every
    # runtime sends it as is, so no SDK drops a tag another one sends.
    create_body: Any = None  # frozen JSON object
    # The heartbeat body's constant fields (literal tags), sent next to the session id.
    heartbeat_constants: tuple[tuple[str, Any], ...] = ()

    # (field, config option, null when absent): fields `create_args` fills from the configuration;
    # an absent option's field is left out, or sent as null when the request requires the field
    create_config: tuple[tuple[str, str, bool], ...] = ()


@attrs.frozen(kw_only=True)
class ServerConfigPlan:
    """Server-driven configuration (DESIGN: server config), the same in every SDK: before a client
    family's first request (its session's creation included), each endpoint of `fetches` is sent
    once, in order, with its body (None: no body); the JSON object each answers is kept by the
    family, later fetches' fields over earlier ones'. A fetch that fails in any way (a status, no
    answer, not a JSON object) is skipped and the family keeps its defaults: it never fails a call."""

    feature: str
    fetches: tuple[tuple[str, Any], ...]  # (endpoint id, frozen JSON body or None)
    fields: tuple[ServerField, ...] = ()  # what `${server.<name>}` may read

    def field(self, name: str) -> ServerField:
        return next(f for f in self.fields if f.name == name)


@attrs.frozen(kw_only=True)
class ExchangePlan:
    """The token exchange every SDK performs the same way (DESIGN: auth): POST `endpoint` with the
    credential in the auth header and the endpoint's body; the token is the response's
    `token_field`; it expires at the JWT claim `lifetime_claim` (seconds since the epoch, the token
    decoded without verification) or `lifetime_field` seconds after it was received; it is renewed
    before a request once a fraction of its lifetime drawn uniformly in `refresh_window` (once per
    token) has passed, or when at most `refresh_before_sec` remain; a 401 whose `WWW-Authenticate`
    has `invalid_token` gets one new token and one replay."""

    endpoint: str
    body: Any  # the JSON the exchange sends: the request record's constants, `{}` for an empty record
    token_field: str
    lifetime_claim: str | None
    lifetime_field: str | None
    refresh_window: tuple[float, float]
    refresh_before_sec: int
    enabled: bool  # the default; a client option overrides it, then `enable_env`
    enable_env: str | None


@attrs.frozen(kw_only=True)
class AuthPlan:
    """How a credential becomes the auth header's value: `credential_prefix` + the credential
    (base64 of it when `credential_base64`, HTTP basic's `user:password`), and after an exchange
    `token_prefix` + the token. The credential comes from the argument, else `env`, else the output
    of the shell command in `command_env` (stripped)."""

    scheme: str
    header: str
    env: str | None
    command_env: str | None
    credential_prefix: str
    credential_base64: bool
    token_prefix: str
    exchange: ExchangePlan | None


def create_config(api: ir.Api, p: ir.SessionLifecycle) -> tuple[tuple[str, str, bool], ...]:
    ep = api.endpoints.get(p.create_endpoint)
    request = api.record(ep.request) if ep is not None else None
    out = []
    for field_name, option in split_create_args(p.create_args)[1]:
        f = request.field(field_name) if request is not None else None
        out.append((field_name, option, f is not None and f.required))
    return tuple(out)


@attrs.frozen(kw_only=True)
class ConfigOptionPlan:
    """A declared configuration option (`service.config`): explicit option > environment variable
    (read as `env_kind` says) > default > absent (nil/None/undefined)."""

    name: str
    type: ir.TypeRef
    env: str | None
    env_kind: EnvKind | None  # None: the type cannot be read from text (a record): no `env` allowed
    has_default: bool
    default: Any = None  # frozen JSON
    doc: str | None = None


def config_options(api: ir.Api) -> tuple[ConfigOptionPlan, ...]:
    return tuple(
        ConfigOptionPlan(
            name=o.name,
            type=o.type,
            env=o.env,
            env_kind=env_kind(api, o.type),
            has_default=o.has_default,
            default=o.default,
            doc=o.doc,
        )
        for o in api.service.config
    )


@attrs.frozen(kw_only=True)
class ProfilePlan:
    name: str
    timeout_ms: int | None  # None: the service's `timeout_ms`
    max_retries: int | None  # None: the retry policy's own


@attrs.frozen(kw_only=True)
class ProfilesPlan:
    """A config option's `profiles:` (Tinkex's `:parity_mode`): the option's value (given, its
    environment variable, its default) names one profile, or none. Every SDK resolves, when it
    builds a configuration: the timeout = the one given > the profile's > ``base_timeout_ms``; the
    retry count of the endpoints whose policy is ``retry_policy`` = a call's `max_retries` > the
    profile's > the policy's (``base_max_retries``). A value naming no profile is a configuration
    error. The constants every SDK exposes: ``base_*`` (Elixir `Config.default_timeout/0`,
    `default_max_retries/0`) and each profile's (`Config.<profile>_timeout/0`, `_max_retries/0`)."""

    option: str
    profiles: tuple[ProfilePlan, ...]
    retry_policy: str | None
    base_timeout_ms: int
    base_max_retries: int | None


def profiled_policies(api: ir.Api) -> frozenset[str]:
    return frozenset(o.retry_policy for o in api.service.config if o.profiles and o.retry_policy)


def plan_profiles(api: ir.Api) -> ProfilesPlan | None:
    option = next((o for o in api.service.config if o.profiles), None)
    if option is None:
        return None
    policy = api.features.get(option.retry_policy or "")
    base_max = policy.params.max_retries if policy is not None and isinstance(policy.params, ir.RetryPolicy) else None
    return ProfilesPlan(
        option=option.name,
        profiles=tuple(ProfilePlan(name=p.name, timeout_ms=p.timeout_ms, max_retries=p.max_retries) for p in option.profiles),
        retry_policy=option.retry_policy if policy is not None else None,
        base_timeout_ms=api.service.timeout_ms,
        base_max_retries=base_max,
    )


# -- the stateless endpoint layer -----------------------------------------------------------------

ApiRequest = Literal["none", "record", "params"]


@attrs.frozen(kw_only=True)
class ApiFunctionPlan:
    """One function of the stateless endpoint layer (Tinkex's `Tinkex.API.<Group>.<fun>`): it takes
    the endpoint's request and options (a configuration or an SDK client, the per-call options) and
    answers as the endpoint does, through the same runtime as the clients (retries, auth headers,
    idempotency keys, telemetry). The clients' endpoint methods call it: the request's way onto the
    wire is written once, there.

    `request` says what the caller gives:

    * ``none``: nothing (the endpoint has no parameters): the function takes only its options;
    * ``record``: the request body's record (a struct / model / object of it), or a map of its
      fields, which hold every parameter (a path parameter shared with a body field included);
    * ``params``: a map of the parameters by their manifest names (path, query and header
      parameters, body fields); a required one missing or a name the endpoint does not have is an
      invalid-argument error before any request.

    A future endpoint's function answers the future's result once resolved (Python's sync flavour:
    the `APIFuture`, as its client method); Elixir also has `<fun>_future` answering `{:ok, Task}`
    (submitted now, polled in the task), which the client's function calls."""

    name: str  # the function's neutral name: the endpoint's `api:` name, else its own name
    group: str  # its group (`models` -> Elixir `API.Models`, Python `api.models`, TypeScript `api.models`)
    endpoint: str
    request: ApiRequest


@attrs.frozen(kw_only=True)
class ApiGroupPlan:
    name: str
    functions: tuple[ApiFunctionPlan, ...]


@attrs.frozen(kw_only=True)
class RawPlan:
    """The raw request functions (Tinkex's `API.post/3`, `get/2`, `put/3`, `delete/2`): a method, a
    path under the base URL, a JSON body; the answer is the decoded JSON (nothing for an empty
    body), a status >= 400 the SDK's status error. They go through the runtime with the auth header,
    the service's headers, telemetry, the idempotency key of the service's idempotency_key feature
    (by method) and `retry`: the service's own retry_policy, or else the one most endpoints declare
    (the API's usual policy; ties by feature id), or none."""

    retry: Retry | None
    idempotency_header: str | None
    idempotency_prefix: str
    idempotency_methods: tuple[str, ...]
    headers: tuple[tuple[str, str], ...]


RAW_METHODS = ("GET", "POST", "PUT", "DELETE")


def api_request(ep: EndpointPlan) -> ApiRequest:
    if not ep.params:
        return "none"
    if ep.body.kind == "record" and all(p.location == "body" or p.body_field is not None for p in ep.params):
        return "record"
    return "params"


def stateless_doc(api: ir.Api, ep: EndpointPlan) -> str:
    """The opening of a stateless function's doc in every SDK: the endpoint's doc (or its id), then
    its method and path; each backend adds how its language takes the request and options."""
    text = (ep.doc or f"The `{ep.id}` endpoint.").strip()
    return text + f"\n\n`{ep.method} {api.endpoints[ep.id].path.template}`."


def body_record(api: ir.Api, ep: EndpointPlan) -> ir.Record | None:
    """The record an endpoint's request body is, if it is one (what a stateless function takes
    as its request): the backends render it, they do not look it up each their own way."""
    decl = api.types.get(ep.body.record or "") if ep.body.kind == "record" else None
    return decl if isinstance(decl, ir.Record) else None


def api_groups(api: ir.Api, endpoints: dict[str, EndpointPlan]) -> tuple[ApiGroupPlan, ...]:
    """The endpoints by the group of their stateless function (the endpoint's `api:`, else its own
    group and name); groups and functions in name order."""
    groups: dict[str, list[ApiFunctionPlan]] = {}
    for ep in endpoints.values():
        group, name = api.endpoints[ep.id].api_function
        groups.setdefault(group, []).append(ApiFunctionPlan(name=name, group=group, endpoint=ep.id, request=api_request(ep)))
    return tuple(ApiGroupPlan(name=g, functions=tuple(sorted(fs, key=lambda f: f.name))) for g, fs in sorted(groups.items()))


def plan_raw(api: ir.Api) -> RawPlan:
    retry: ir.Feature | None = api.service_feature(ir.RetryPolicy)
    if retry is None:
        used: dict[str, int] = {}
        for ep in api.endpoints.values():
            for f in api.endpoint_features(ep, "retry_policy")[:1]:
                used[f.id] = used.get(f.id, 0) + 1
        if used:
            retry = api.features[min(used, key=lambda fid: (-used[fid], fid))]
    key = next(
        (
            feat.params
            for use in api.service.features
            if (feat := api.features.get(use.feature)) is not None and isinstance(feat.params, ir.IdempotencyKey)
        ),
        None,
    )
    return RawPlan(
        retry=_retry(retry, profiled=retry.id in profiled_policies(api)) if retry is not None else None,
        idempotency_header=key.header if key is not None else None,
        idempotency_prefix=key.prefix if key is not None else "",
        idempotency_methods=tuple(m for m in RAW_METHODS if key is not None and m in key.methods),
        headers=tuple((h.name, h.value) for h in api.service.headers),
    )


@attrs.frozen(kw_only=True)
class HelperParamPlan:
    name: str
    type: ir.TypeRef
    optional: bool  # a `T?` parameter or one with a default: a trailing argument callers may leave out
    has_default: bool = False  # `{type, default}`: ``default`` (a scalar literal) when left out
    default: Any = None


@attrs.frozen(kw_only=True)
class HelperPlan:
    """A record's helper (ir/helpers.py says what it means). ``new``: ``template`` is the JSON the
    parameters are put into (wire names; ``HelperArg`` where a parameter goes), decoded as the
    record. ``get``: ``path`` walked from the value; ``result`` the type it answers."""

    record: str
    name: str
    kind: Literal["new", "get", "expr", "push"]
    result: ir.TypeRef
    doc: str | None
    params: tuple[HelperParamPlan, ...] = ()
    template: Any = None
    path: tuple[PathStep, ...] = ()
    expr: Expr | None = None  # ``expr``: the typed expression every runtime's `evaluate` reads
    # ``push``: the list field (wire name) the item (``template``) is appended to, and how it merges
    push_field: str | None = None
    merge: PushMerge | None = None
    # ``new`` with `positional: true`: the optional parameters are trailing positional arguments
    # with defaults in every SDK, not options
    positional: bool = False

    @property
    def predicate(self) -> bool:
        """`retryable?` (answering a bool): Elixir keeps the name, Python and TypeScript spell it
        with an `is_` prefix (`is_retryable`, `isRetryable`): see `helper_name`."""
        return self.name.endswith("?")


def helper_name(name: str) -> str:
    """A helper's name in snake case for the SDKs without `?` in names: a predicate `retryable?` is
    `is_retryable` (Python's method, TypeScript's `requestErrorCategoryIsRetryable`); other names
    are as written. Elixir keeps the manifest's name."""
    return "is_" + name[:-1] if name.endswith("?") else name


@attrs.frozen(kw_only=True)
class DerivedPlan:
    """A derived field: when decoding leaves ``field`` (wire name ``wire``) absent, it is the variable
    ``var`` of ``template`` (record ``parse``'s parse template) matched against the string field
    ``source`` (wire name ``source_wire``); text that does not match leaves it absent."""

    field: str
    wire: str
    source: str
    source_wire: str
    parse: str
    template: str
    var: str


def plan_helpers(api: ir.Api) -> tuple[dict[str, tuple[HelperPlan, ...]], dict[str, tuple[DerivedPlan, ...]]]:
    helpers: dict[str, tuple[HelperPlan, ...]] = {}
    derived: dict[str, tuple[DerivedPlan, ...]] = {}
    for decl in api.types.values():
        if isinstance(decl, ir.Enum) and decl.helpers:
            helpers[decl.id] = tuple(_expr_helper(api, decl.id, h) for h in decl.helpers)
        if not isinstance(decl, ir.Record):
            continue
        out = []
        for h in decl.helpers:
            params = tuple(
                HelperParamPlan(name=p.name, type=p.type, optional=p.optional, has_default=p.has_default, default=ir.thaw(p.default))
                for p in h.params
            )
            if h.kind == "expr":
                out.append(_expr_helper(api, decl.id, h))
            elif h.kind == "push":
                assert h.push is not None
                field, template, merge = push_plan(api, decl, h.push)
                out.append(
                    HelperPlan(
                        record=decl.id,
                        name=h.name,
                        kind="push",
                        params=params,
                        template=template,
                        result=ir.Ref(name=decl.id),
                        doc=h.doc,
                        push_field=field,
                        merge=merge,
                    )
                )
            elif h.kind == "get":
                got = get_path(api, decl.id, h.path)
                assert not isinstance(got, str)
                out.append(HelperPlan(record=decl.id, name=h.name, kind="get", path=got[0], result=got[1], doc=h.doc))
            else:
                template = wire_template(api, h.new, ir.Ref(name=decl.id))
                out.append(
                    HelperPlan(
                        record=decl.id,
                        name=h.name,
                        kind="new",
                        params=params,
                        template=template,
                        result=ir.Ref(name=decl.id),
                        doc=h.doc,
                        positional=h.positional,
                    )
                )
        if out:
            helpers[decl.id] = tuple(out)
        ds = []
        for name, d in decl.derived:
            f, src, parsed = decl.field(name), decl.field(d.source), api.types[d.parse]
            assert f is not None and src is not None and isinstance(parsed, ir.Record) and parsed.parse is not None
            ds.append(
                DerivedPlan(
                    field=name,
                    wire=f.json_name,
                    source=d.source,
                    source_wire=src.json_name,
                    parse=d.parse,
                    template=parsed.parse.template,
                    var=d.var,
                )
            )
        if ds:
            derived[decl.id] = tuple(ds)
    return helpers, derived


def _expr_helper(api: ir.Api, owner: str, h: ir.Helper) -> HelperPlan:
    got = helper_expr(api, owner, h)
    assert len(got) == 2, got  # the type-declarations pass reported it
    expr, result = got
    return HelperPlan(record=owner, name=h.name, kind="expr", result=result, doc=h.doc, expr=expr)


@attrs.frozen(kw_only=True)
class SdkPlan:
    api: ir.Api  # the optimized IR the plan was made from (types and features are read from it)
    service: ir.Service
    endpoints: dict[str, EndpointPlan]
    flows: dict[str, FlowPlan]
    clients: dict[str, ClientPlan]
    types: tuple[TypePlan, ...]  # declaration order a runtime needs: referenced before referencing
    features: dict[str, ir.Feature]
    retries: dict[str, Retry]  # every retry_policy instance, used by an endpoint or not
    session: SessionPlan | None
    telemetry: str | None  # the service-wide telemetry feature's id
    max_connections: int | None  # the largest retry-handler bound, when some handler has one
    auth: AuthPlan | None = None
    config: tuple[ConfigOptionPlan, ...] = ()  # the declared configuration options (`service.config`)
    profiles: ProfilesPlan | None = None  # the option choosing a profile of defaults (`profiles:`)
    server_config: ServerConfigPlan | None = None  # the service's `server_config` feature
    # the stateless endpoint layer: its functions by group, and the raw request functions' runtime
    api_groups: tuple[ApiGroupPlan, ...] = ()
    raw: RawPlan | None = None
    helpers: dict[str, tuple[HelperPlan, ...]] = attrs.field(factory=dict)  # record id → its `helpers:`
    derived: dict[str, tuple[DerivedPlan, ...]] = attrs.field(factory=dict)  # record id → its derived fields

    def endpoint(self, eid: str) -> EndpointPlan:
        return self.endpoints[eid]

    def flow(self, fid: str) -> FlowPlan:
        return self.flows[fid]


# -- making the plan ------------------------------------------------------------------------------


def _retry(feat: ir.Feature, profiled: bool = False) -> Retry:
    p = feat.params
    assert isinstance(p, ir.RetryPolicy)
    return Retry(
        feature=feat.id,
        max_retries=p.max_retries,
        statuses=tuple((r.lo, r.hi) for r in p.statuses),
        on_connection_error="connection_error" in p.exceptions,
        on_timeout=any(e in p.exceptions for e in TIMEOUT_EXCEPTIONS),
        base_ms=p.backoff.base_ms,
        max_ms=p.backoff.max_ms,
        jitter=p.backoff.jitter,
        retry_after_max_ms=p.retry_after_max_ms,
        should_retry_header=p.should_retry_header,
        profiled=profiled,
    )


def plan_endpoint(api: ir.Api, ep: ir.Endpoint, poll_timeouts: dict[str, int]) -> EndpointPlan:
    params, body = endpoint_params(api, ep)
    futures = api.future_feature(ep)
    response: ResponseKind
    if ep.stream is not None:
        response = "stream"
    elif ep.response_handler == "redirect_location":
        response = "redirect"
    elif futures is not None:
        response = "future"
    elif ep.response is None:
        response = "empty"
    else:
        response = "value"
    retry = _first(api, ep, "retry_policy")
    backpressure = _first(api, ep, "sampling_backpressure")
    handler = _first(api, ep, "retry_handler")
    key = api.idempotency_key(ep)
    page = plan_page(api, ep, params)
    headers = tuple((h.name, h.value) for h in api.request_headers(ep))
    if response == "stream":
        # never resent (see STREAMING): the service's retry features do not apply either
        retry = backpressure = handler = None
    runtime = Runtime(
        retry=_retry(retry, profiled=retry.id in profiled_policies(api)) if retry is not None else None,
        backpressure=backpressure.id if backpressure is not None else None,
        handler=handler.id if handler is not None else None,
        futures=futures.id if futures is not None and response == "future" else None,
        idempotency_header=key.header if key is not None else None,
        idempotency_prefix=key.prefix if key is not None else "",
        headers=headers,
        poll_timeout_ms=poll_timeouts.get(ep.id),
        request_type=futures.params.request_type(ep.id) if futures is not None and isinstance(futures.params, ir.PromiseResult) else None,
        queue_log=queue_log.id if (queue_log := _first(api, ep, "queue_state_observer")) is not None else None,
    )
    redirect_field = redirect_url_field(api, ep)
    return EndpointPlan(
        id=ep.id,
        group=ep.group,
        name=ep.name,
        method=ep.method,
        path=ep.uri_template,
        params=params,
        body=body,
        response=response,
        response_type=ep.response if response in ("value", "future", "stream") or redirect_field is not None else None,
        redirect_field=redirect_field,
        runtime=runtime,
        doc=ep.doc,
        deprecated=ep.deprecated,
        page=page if isinstance(page, PagePlan) else None,
    )


def _method_of(api: ir.Api, flow: ir.Flow) -> str | None:
    client = api.clients.get(flow.client or "")
    if client is None:
        return None
    for m in client.methods:
        if m.kind == "flow" and m.target == flow.id:
            return m.name
    return flow.id


def _receiver(api: ir.Api, flow: ir.Flow, step: ir.Step) -> Receiver:
    if step.receiver.startswith("step:"):
        built = flow.step(step.receiver[5:])
        return Receiver(kind="step", client=built.target if built is not None else None, step=step.receiver[5:])
    if step.receiver == "bind" and step.on is not None:
        t = base_type(api, step.on.type)[0] if step.on.type is not None else None
        return Receiver(kind="bind", client=t.client if isinstance(t, ir.ClientT) else None, bind=step.on)
    if step.receiver == "sibling":
        owner: str | None = None
        if step.target_kind == "flow" and step.target in api.flows:
            owner = api.flows[step.target].client
        else:
            head = step.written_target.rpartition(".")[0]
            found = find_client(api, head) if head else None
            owner = found.id if found is not None else None
        return Receiver(kind="sibling", client=owner)
    return Receiver(kind="self", client=flow.client)


def _method_called(api: ir.Api, step: ir.Step, receiver: Receiver) -> str | None:
    """The endpoint method of another client a step calls by its written name (`c.method`)."""
    client = api.clients.get(receiver.client or "") if receiver.kind != "self" else None
    if client is None:
        return None
    name = step.written_target.rpartition(".")[2]
    for m in client.methods:
        if m.kind == "endpoint" and m.target == step.target and m.name == name:
            return m.name
    return None


def _step_args(api: ir.Api, step: ir.Step, endpoints: dict[str, EndpointPlan]) -> tuple[StepArg, ...]:
    out: list[StepArg] = []
    if step.target_kind == "endpoint" and step.target in endpoints:
        ep = endpoints[step.target]
        for a in step.args:
            p = ep.param(a.name)
            if p is not None:
                out.append(StepArg(name=a.name, value=a.value, expected=p.type, location=p.location, wire=p.wire))
    elif step.target_kind == "flow" and step.target in api.flows:
        inputs = {i.name: i for i in api.flows[step.target].inputs}
        for a in step.args:
            i = inputs.get(a.name)
            out.append(StepArg(name=a.name, value=a.value, expected=i.type if i else None, location="input", wire=a.name))
    elif step.kind == "parse":
        out.extend(StepArg(name=a.name, value=a.value, expected=ir.Prim(name="string"), location="input", wire=a.name) for a in step.args)
    elif step.kind == "build_client":
        client = api.clients.get(step.target or "")
        state = {s.name: s for s in client.state} if client else {}
        for a in step.args:
            s = state.get(a.name)
            out.append(StepArg(name=a.name, value=a.value, expected=s.type if s else None, location="state", wire=a.name))
    return tuple(out)


def _chunk(api: ir.Api, flow: ir.Flow, step: ir.Step) -> ChunkPlan | None:
    if step.chunk is None:
        return None
    source = next(i for i in flow.inputs if i.name == step.chunk.input)
    listed = base_type(api, source.type)[0] if source.type is not None else None
    assert isinstance(listed, ir.ListT)
    declared = dict(step.chunk.combine)
    response = base_type(api, step.result_type.result)[0] if isinstance(step.result_type, ir.FutureT) else None
    record = api.record(response) if response is not None else None
    fields = [f.name for f in record.fields] if record is not None else list(declared)
    return ChunkPlan(
        input=step.chunk.input,
        item=listed.item,
        max_items=step.chunk.max_items,
        max_bytes=step.chunk.max_bytes,
        # the fields that do not simply keep the first chunk's value, in the record's order
        combine=tuple((name, declared[name]) for name in fields if declared.get(name, "first") != "first"),
    )


def _variables(flow: ir.Flow) -> set[str]:
    """The steps whose answer a later step or the flow's result reads: only they are bound to a
    variable (an await reads its call's handle; awaiting a called flow's result passes it on)."""
    used: set[str] = {b.step for s in flow.steps for b in step_binds(s) if b.step}
    used |= {s.receiver[5:] for s in flow.steps if s.receiver.startswith("step:")}
    if flow.steps and flow.result is not None:
        used.add(flow.steps[-1].id)
    for s in reversed(flow.steps):
        call = flow.step(s.awaits) if s.awaits else None
        if call is not None and (call.target_kind == "endpoint" or s.id in used):
            used.add(call.id)
    return used


def _ordered_counter(api: ir.Api, flow: ir.Flow, step: ir.Step) -> str | None:
    """The `ordered` counter of the flow's client that a step reads, if any (the first one; the
    ordered-counter check refuses steps that read two)."""
    client = api.clients.get(flow.client or "")
    if client is None:
        return None
    ordered = {s.name for s in client.state if s.counter and s.ordered}
    for b in step_binds(step):
        if b.source == "state" and b.path and str(b.path[0]) in ordered:
            return str(b.path[0])
    return None


def _resolves_to_nothing(ep: EndpointPlan) -> bool:
    return ep.response == "future" and ep.response_type is None


def plan_flow(api: ir.Api, flow: ir.Flow, endpoints: dict[str, EndpointPlan]) -> FlowPlan:
    awaited = {s.awaits for s in flow.steps if s.kind == "await_future" and s.awaits}
    # Steps that answer nothing: a call of an endpoint without a response body — a future of one
    # included (polled to its end, it resolves to nothing) — that no later step awaits, and the
    # await of such a call. They get no result type, and no variable unless a binding reads them.
    silent_calls = {
        s.id
        for s in flow.steps
        if s.kind in ("call", "call_await")
        and s.target_kind == "endpoint"
        and (endpoints[s.target or ""].response == "empty" or _resolves_to_nothing(endpoints[s.target or ""]))
    }
    silent = (silent_calls - awaited) | {s.id for s in flow.steps if s.kind == "await_future" and s.awaits in silent_calls}
    # (a `return` of such a step answers nothing too: it keeps no variable alive)
    bound = {b.step for s in flow.steps if s.kind != "return" for b in step_binds(s) if b.step}
    variables = _variables(flow) - (silent - bound)
    steps: list[StepPlan] = []
    for s in flow.steps:
        result_type = None if s.id in silent else s.result_type
        common: dict[str, Any] = {"id": s.id, "result_type": result_type, "variable": s.id in variables}
        if s.kind in ("call", "call_await") and s.target_kind == "endpoint":
            ep = endpoints[s.target or ""]
            # a futures call a later step awaits only submits; any other call (a fused call_await,
            # or one nobody awaits) is answered as its endpoint answers: futures polled to the end
            mode: StepMode = "submit" if ep.response == "future" and s.id in awaited and s.kind == "call" else "call"
            receiver = _receiver(api, flow, s)
            steps.append(
                StepPlan(
                    **common,
                    mode=mode,
                    endpoint=ep.id,
                    receiver=receiver,
                    args=_step_args(api, s, endpoints),
                    method=_method_called(api, s, receiver),
                    ordered=_ordered_counter(api, flow, s),
                    chunk=_chunk(api, flow, s),
                )
            )
        elif s.kind in ("call", "call_await") and s.target_kind == "flow":
            steps.append(
                StepPlan(**common, mode="call_flow", flow=s.target, receiver=_receiver(api, flow, s), args=_step_args(api, s, endpoints))
            )
        elif s.kind == "await_future":
            call = flow.step(s.awaits or "")
            mode = "pass" if call is not None and call.target_kind == "flow" else "await"
            steps.append(StepPlan(**common, mode=mode, awaits=s.awaits))
        elif s.kind == "build_client":
            steps.append(StepPlan(**common, mode="build_client", client=s.target, args=_step_args(api, s, endpoints)))
        elif s.kind == "parse":
            steps.append(StepPlan(**common, mode="parse", parsed=s.target, args=_step_args(api, s, endpoints)))
        elif s.kind == "return":
            steps.append(StepPlan(**common, mode="return", returned=s.args[0].value if s.args else None))
    result = flow.result
    last = flow.steps[-1].id if flow.steps else None
    if last is not None and last in silent:
        result = None  # the flow ends on a step that answers nothing: so does the flow
    returns: Literal["nothing", "value", "client", "future", "stream"]
    last_step = next((s for s in steps if s.id == last), None)
    if last_step is not None and last_step.endpoint is not None and endpoints[last_step.endpoint].response == "stream":
        returns = "stream"
    elif result is None:
        returns = "nothing"
    elif isinstance(result, ir.FutureT):
        returns = "future"
    elif isinstance(result, ir.ClientT):
        returns = "client"
    else:
        returns = "value"
    if returns == "nothing":  # what a `return` names is then nothing either: no SDK reads it
        steps = [attrs.evolve(s, returned=None) if s.mode == "return" else s for s in steps]
    # the inputs each input's spread is overridden by, in manifest order (one pass, not one per input)
    overrides: dict[str, list[str]] = {}
    for o in flow.inputs:
        if o.spread_of is not None:
            overrides.setdefault(o.spread_of, []).append(o.name)
    inputs = tuple(
        FlowInputPlan(
            name=i.name,
            type=i.type,
            required=i.required,
            has_default=i.has_default,
            default=i.default,
            doc=i.doc,
            overrides=tuple(overrides.get(i.name, ())),
        )
        for i in sorted(flow.inputs, key=lambda i: not i.required)
    )
    return FlowPlan(
        id=flow.id,
        client=flow.client,
        method=_method_of(api, flow),
        inputs=inputs,
        steps=tuple(steps),
        stages=flow.stages,
        result=result,
        returns=returns,
        result_step=last if result is not None else None,
        doc=flow.doc,
        deprecated=flow.deprecated,
        task=flow.task,
        overloads=flow.overloads,
    )


def _session(api: ir.Api) -> SessionPlan | None:
    feat = api.service_feature(ir.SessionLifecycle)
    if feat is None or not isinstance(feat.params, ir.SessionLifecycle):
        return None
    p = feat.params
    # the constant fields; those read from config options (`${config.x}`) are `create_config`'s
    given = ir.thaw(split_create_args(p.create_args)[0]) or {}
    create = api.endpoints.get(p.create_endpoint)
    record = api.record(create.request) if create is not None else None
    body: dict[str, Any] = {}
    for f in record.fields if record is not None else ():
        if f.name in given:
            body[f.json_name] = given[f.name]
        elif f.json_name in given:
            body[f.json_name] = given[f.json_name]
        elif _constant(f):
            body[f.json_name] = ir.thaw(f.default)
    body.update((k, v) for k, v in given.items() if k not in body and not (record and record.field(k)))
    heartbeat = api.endpoints.get(p.heartbeat_endpoint or "")
    beat_record = api.record(heartbeat.request) if heartbeat is not None else None
    return SessionPlan(
        feature=feat.id,
        create_endpoint=p.create_endpoint,
        heartbeat_endpoint=p.heartbeat_endpoint,
        heartbeat_in_path=api.heartbeat_in_path(p),
        session_id_field=p.session_id_field,
        params=p,
        create_body=ir.freeze(body),
        heartbeat_constants=tuple((f.json_name, ir.thaw(f.default)) for f in (beat_record.fields if beat_record else ()) if _constant(f)),
        create_config=create_config(api, p),
    )


def _server_config(api: ir.Api) -> ServerConfigPlan | None:
    feat = api.service_feature(ir.ServerConfig)
    if feat is None or not isinstance(feat.params, ir.ServerConfig):
        return None
    given = ir.thaw(feat.params.body) or {}
    fetches = []
    for eid in feat.params.endpoints:
        ep = api.endpoints[eid]
        record = api.record(ep.request)
        if record is None:
            fetches.append((eid, None))
            continue
        # the manifest's body plus the request's literal tags, in the record's field order
        body: dict[str, Any] = {}
        for f in record.fields:
            if f.name in given or f.json_name in given:
                body[f.json_name] = given[f.name] if f.name in given else given[f.json_name]
            elif _constant(f):
                body[f.json_name] = ir.thaw(f.default)
        fetches.append((eid, ir.freeze(body)))
    return ServerConfigPlan(feature=feat.id, fetches=tuple(fetches), fields=server_fields(api))


def _stateful(api: ir.Api, client: ir.Client, session: SessionPlan | None) -> bool:
    """A client holds shared, updated state when it has counters, or when its flows read the
    session id (which the session lifecycle creates and every call of the session shares)."""
    if any(s.counter for s in client.state):
        return True
    if session is None:
        return False
    for m in client.methods:
        flow = api.flows.get(m.target) if m.kind == "flow" else None
        for step in flow.steps if flow else ():
            if any(b.source == "state" and b.path and b.path[0] == session.session_id_field for b in step_binds(step)):
                return True
    return False


def _type_order(api: ir.Api) -> tuple[TypePlan, ...]:
    """Declarations with what they name first (a depth-first post-order from the sorted ids), so a
    runtime that needs a name defined before use (Python type aliases, TypeScript consts) can follow
    it; records that refer to each other are cycles the target resolves lazily."""
    refs: dict[str, tuple[str, ...]] = {}
    for tid, decl in api.types.items():
        names: list[str] = []
        if isinstance(decl, ir.Record):
            for f in decl.fields:
                names.extend(r.name for r in type_refs(f.type))
        elif isinstance(decl, ir.Union_):
            names.extend(v.type for v in decl.variants)
        elif isinstance(decl, ir.Alias):
            names.extend(r.name for r in type_refs(decl.target))
        refs[tid] = tuple(dict.fromkeys(n for n in names if n in api.types))
    order: list[str] = []
    state: dict[str, int] = {}
    for root in api.types:
        stack: list[tuple[str, Iterator[str]]] = [(root, iter(refs[root]))] if root not in state else []
        if stack:
            state[root] = 1
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                state[node] = 2
                order.append(node)
            elif child not in state:
                state[child] = 1
                stack.append((child, iter(refs[child])))
    return tuple(TypePlan(id=t, decl=api.types[t], references=refs[t]) for t in order)


def _chunker(flows: dict[str, FlowPlan], c: ir.Chunker) -> ChunkerPlan:
    chunk = next(s.chunk for s in flows[c.flow].steps if s.chunk is not None)
    return ChunkerPlan(name=c.name, module=c.module, chunk=chunk, doc=c.doc)


def plan_api(api: ir.Api) -> SdkPlan:
    """The plan of an optimized, valid IR."""
    poll_timeouts = {
        f.params.retrieve_endpoint: f.params.poll_timeout_ms for f in api.features.values() if isinstance(f.params, ir.PromiseResult)
    }
    endpoints = {eid: plan_endpoint(api, ep, poll_timeouts) for eid, ep in api.endpoints.items()}
    flows = {fid: plan_flow(api, flow, endpoints) for fid, flow in api.flows.items()}
    session = _session(api)
    builds_of: dict[str, set[str]] = {}
    built: set[str] = set()
    for flow in api.flows.values():
        for s in flow.steps:
            if s.kind == "build_client" and s.target:
                built.add(s.target)
                builds_of.setdefault(flow.client or "", set()).add(s.target)
    clients = {
        cid: ClientPlan(
            id=cid,
            module=c.module,
            display_name=c.display_name,
            methods=tuple(
                MethodPlan(
                    name=m.name,
                    kind="endpoint" if m.kind == "endpoint" else "flow",
                    target=m.target,
                    doc=m.doc,
                    deprecated=_target_deprecated(api, m),
                    value=m.value,
                )
                for m in c.methods
                if (m.kind == "endpoint" and m.target in api.endpoints) or (m.kind == "flow" and m.target in api.flows)
            ),
            state=c.state,
            builds=tuple(sorted(builds_of.get(cid, ()))),
            built_by_flow=cid in built,
            stateful=_stateful(api, c, session),
            doc=c.doc,
            aliases=tuple(AliasPlan(name=a.name, client=a.client, method=a.method, doc=a.doc) for a in c.aliases),
            chunkers=tuple(_chunker(flows, k) for k in c.chunkers),
            queue_key=queue_key(api, c),
        )
        for cid, c in api.clients.items()
    }
    telemetry = api.service_feature(ir.Telemetry)
    helpers, derived = plan_helpers(api)
    bounds = [f.params.max_connections for f in api.features.values() if isinstance(f.params, ir.RetryHandler)]
    return SdkPlan(
        api=api,
        service=api.service,
        endpoints=endpoints,
        flows=flows,
        clients=clients,
        types=_type_order(api),
        features=dict(api.features),
        retries={
            fid: _retry(f, profiled=fid in profiled_policies(api))
            for fid, f in api.features.items()
            if isinstance(f.params, ir.RetryPolicy)
        },
        session=session,
        telemetry=telemetry.id if telemetry is not None else None,
        max_connections=max(bounds) if bounds else None,
        auth=plan_auth(api, endpoints),
        config=config_options(api),
        profiles=plan_profiles(api),
        server_config=_server_config(api),
        api_groups=api_groups(api, endpoints),
        raw=plan_raw(api),
        helpers=helpers,
        derived=derived,
    )


AUTH_PREFIXES = {"api_key": "", "bearer": "Bearer ", "basic": "Basic "}


def queue_key(api: ir.Api, client: ir.Client) -> str | None:
    """The first field of a queue_state_observer's `debounce_by` that the client holds as state:
    its queue-state log lines are debounced per value of it (per sampling session, per model)."""
    state = {s.name for s in client.state}
    for feat in api.features.values():
        if isinstance(feat.params, ir.QueueStateObserver):
            found = next((f for f in feat.params.debounce_by if f in state), None)
            if found is not None:
                return found
    return None


def plan_auth(api: ir.Api, endpoints: dict[str, EndpointPlan]) -> AuthPlan | None:
    auth = api.service.auth
    if auth is None:
        return None
    exchange = None
    x = auth.exchange
    if x is not None:
        ep = endpoints[x.endpoint]
        exchange = ExchangePlan(
            endpoint=x.endpoint,
            body=dict(ep.body.constants) if ep.body.kind != "none" else None,
            token_field=x.token_field,
            lifetime_claim=x.lifetime_claim,
            lifetime_field=x.lifetime_field,
            refresh_window=x.refresh_window,
            refresh_before_sec=x.refresh_before_sec,
            enabled=x.enabled,
            enable_env=x.enable_env,
        )
    return AuthPlan(
        scheme=auth.type,
        header=auth.header,
        env=auth.env,
        command_env=auth.command_env,
        credential_prefix=AUTH_PREFIXES[auth.type],
        credential_base64=auth.type == "basic",
        # an exchanged token is a bearer token, except where the scheme puts the bare key in its header
        token_prefix="" if auth.type == "api_key" else "Bearer ",
        exchange=exchange,
    )


def _target_deprecated(api: ir.Api, m: ir.Method) -> bool:
    if m.kind == "endpoint":
        return api.endpoints[m.target].deprecated
    return api.flows[m.target].deprecated


# One plan per IR object: every backend of one build reads the same plan, computed once.
_CACHE: dict[int, tuple[ir.Api, SdkPlan]] = {}


def plan_of(api: ir.Api) -> SdkPlan:
    """The plan of ``api``, computed once however many backends ask for it in one build."""
    hit = _CACHE.get(id(api))
    if hit is not None and hit[0] is api:
        return hit[1]
    plan = plan_api(api)
    _CACHE.clear()  # one build at a time: keep only the latest IR alive
    _CACHE[id(api)] = (api, plan)
    return plan


# -- extensions (issue 14 item 10) ----------------------------------------------------------------


@attrs.frozen(kw_only=True)
class ExtensionFunction:
    name: str
    arity: int


@attrs.frozen(kw_only=True)
class ExtensionPlan:
    """`targets.<target>.extensions.<record>`: the record's generated module delegates each of
    ``functions`` to the same-named function of the hand-written ``module`` (which the writer never
    touches). Checked where the manifest gives it (frontend/target_options.py); each backend renders
    the delegation in its idiom: Elixir `defdelegate`, Python a static method, TypeScript a function
    beside the record's schema."""

    record: str
    module: str
    functions: tuple[ExtensionFunction, ...]


def extensions_of(api: ir.Api, target: str) -> tuple[ExtensionPlan, ...]:
    """The delegations ``target``'s SDK generates, by record name."""
    options = ir.thaw(api.targets.get(target)) or {}
    given = options.get("extensions") or {}
    out = []
    for record, ext in sorted(given.items()):
        if record not in api.types:  # an unused record the optimizer dropped: nothing delegates
            continue
        functions = []
        for spec in ext["functions"]:
            name, _, arity = spec.rpartition("/")
            functions.append(ExtensionFunction(name=name, arity=int(arity)))
        out.append(ExtensionPlan(record=record, module=ext["module"], functions=tuple(functions)))
    return tuple(out)


# -- type namespaces and tag accessors ------------------------------------------------------------


def type_namespaces(api: ir.Api) -> dict[str, tuple[str, ...]]:
    """`namespace:` of the types: each namespace's type ids, sorted (the SDKs that keep flat names
    re-export these from a namespace module; Elixir moves the modules one level down)."""
    out: dict[str, list[str]] = {}
    for t in api.types.values():
        if t.namespace:
            out.setdefault(t.namespace, []).append(t.id)
    return {ns: tuple(sorted(ids)) for ns, ids in sorted(out.items())}


@attrs.frozen(kw_only=True)
class TagAccessorPlan:
    """`tag_accessor:` of a discriminated union: the function ``name`` answers a value's tag as its
    wire string, in every SDK: a known variant's literal (``tags``: variant type id -> tag), an
    unknown variant's own value of the discriminator (``field``, on the wire ``wire``)."""

    union: str
    name: str
    field: str
    wire: str
    tags: tuple[tuple[str, str], ...]


def tag_accessor_of(api: ir.Api, decl: ir.Union_) -> TagAccessorPlan | None:
    if decl.tag_accessor is None or decl.discriminator is None:
        return None
    wire = decl.discriminator
    for v in decl.variants:  # the field's json_name (the same in every variant: the union pass checks)
        record = api.types.get(v.type)
        f = record.field(decl.discriminator) if isinstance(record, ir.Record) else None
        if f is not None:
            wire = f.json_name
            break
    tags = tuple((v.type, v.tag) for v in decl.variants if v.tag is not None)
    return TagAccessorPlan(union=decl.id, name=decl.tag_accessor, field=decl.discriminator, wire=wire, tags=tags)


@attrs.frozen(kw_only=True)
class TypespecModulePlan:
    """`targets.<target>.typespecs.<module>`: a module of typespecs, one per listed type (Elixir:
    `@type loss_fn_inputs :: LossFnInputs.t()` in `Types.TypeAliases`). Checked where the manifest
    gives it (frontend/target_options.py)."""

    module: str
    types: tuple[str, ...]


def typespecs_of(api: ir.Api, target: str) -> tuple[TypespecModulePlan, ...]:
    """The typespec modules ``target``'s SDK generates, by module name; a type the optimizer dropped
    (no endpoint reaches it) is left out, a module left with none is not generated."""
    options = ir.thaw(api.targets.get(target)) or {}
    given = options.get("typespecs") or {}
    out = []
    for module, listed in sorted(given.items()):
        present = tuple(t for t in listed if t in api.types)
        if present:
            out.append(TypespecModulePlan(module=module, types=present))
    return tuple(out)
