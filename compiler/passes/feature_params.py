"""Pass `feature-params`: feature parameters that parse but make no sense, and features in the
wrong place.

* value ranges: negative or zero delays, ``base_ms > max_ms``, jitter outside 0–1, status ranges
  outside 100–599 or reversed, batch sizes larger than the queue, …;
* a service-wide feature (telemetry, session_lifecycle) attached to an endpoint, or the reverse;
  two features of the same type on one endpoint;
* a futures endpoint whose retrieve endpoint has the wrong shape (it must be a POST whose request
  record carries the request-id field, and must not itself answer futures);
* endpoints named by telemetry / session features that cannot play their part.
"""

from __future__ import annotations

from tinkc.diagnostics import Sink, did_you_mean
from tinkc.features import FEATURE_TYPES
from tinkc.frontend.grammars import format_type
from tinkc.ir import nodes as ir
from tinkc.ir.types import accepts, base_type, const_problem
from tinkc.passes.base import Pass

_MISSING = object()


def _check_telemetry_batch(api: ir.Api, feat: ir.Feature, p: ir.Telemetry, request: ir.Record, sink: Sink) -> None:
    """The batch fields the SDK fills must exist in the telemetry request, and each event type must be
    a record the events list can hold (the list's record, or a variant of its union)."""
    for param, name in (
        ("batch.events_field", p.events_field),
        ("batch.session_id_field", p.session_id_field),
        ("batch.process_id_field", p.process_id_field),
        ("batch.platform_field", p.platform_field),
        ("batch.sdk_version_field", p.sdk_version_field),
    ):
        if name is not None and request.field(name) is None:
            sink.error(
                "feature.bad-field",
                f"the telemetry request `{request.id}` has no field `{name}` (`{param}` of `{feat.id}`)",
                feat.param_span(param),
                hint=did_you_mean(name, [f.name for f in request.fields]),
            )
    events = request.field(p.events_field)
    if events is None:
        return
    listed, _ = base_type(api, events.type)
    if not isinstance(listed, ir.ListT):
        sink.error(
            "feature.bad-field",
            f"`{request.id}.{p.events_field}` must be a list of events to carry telemetry",
            feat.param_span("batch.events_field"),
        )
        return
    item, _ = base_type(api, listed.item)
    decl = api.types.get(item.name) if isinstance(item, ir.Ref) else None
    allowed = {v.type for v in decl.variants} if isinstance(decl, ir.Union_) else {decl.id} if isinstance(decl, ir.Record) else set()
    for kind, type_id in p.event_types:
        if not isinstance(api.types.get(type_id), ir.Record) or type_id not in allowed:
            sink.error(
                "feature.bad-type",
                f"`events.{kind}` of `{feat.id}` must be a record the list `{request.id}.{p.events_field}` holds, not `{type_id}`",
                feat.param_span(f"events.{kind}"),
                hint=did_you_mean(type_id, sorted(allowed)) or (f"one of: {', '.join(sorted(allowed))}" if allowed else None),
            )


def _check_statuses(feat: ir.Feature, name: str, ranges: tuple[ir.StatusRange, ...], sink: Sink) -> None:
    for r in ranges:
        if not (100 <= r.lo <= 599 and 100 <= r.hi <= 599):
            sink.error(
                "feature.bad-status",
                f"status {r.lo if r.lo == r.hi else f'{r.lo}-{r.hi}'} in `{name}` of `{feat.id}` is not an HTTP status (100-599)",
                r.span or feat.param_span(name),
            )
        elif r.lo > r.hi:
            sink.error(
                "feature.bad-status",
                f"status range {r.lo}-{r.hi} in `{name}` of `{feat.id}` is reversed",
                r.span or feat.param_span(name),
                hint=f"write `{r.hi}-{r.lo}`",
            )


def _positive(feat: ir.Feature, sink: Sink, values: dict[str, int | float | None]) -> None:
    """``values`` maps the parameter as written (`backoff.base_ms`) to its value."""
    for name, v in values.items():
        if v is not None and v <= 0:
            seconds = name.endswith("_sec") or name.startswith("backoff_seconds")  # stored in ms, shown as written
            shown = f"{v / 1000:g}" if seconds else str(v)
            sink.error("feature.bad-value", f"`{name}` of `{feat.id}` must be positive, not {shown}", feat.param_span(name))


def _fraction(feat: ir.Feature, sink: Sink, name: str, v: float) -> None:
    if not 0 <= v <= 1:
        sink.error(
            "feature.bad-value",
            f"`{name}` of `{feat.id}` must be between 0 and 1, not {v}",
            feat.param_span(name),
            hint="it is the fraction of the delay that is randomized, e.g. 0.25",
        )


def _check_backoff(feat: ir.Feature, sink: Sink, name: str, b: ir.Backoff) -> None:
    """A backoff written as `name: {base_ms, max_ms, jitter}`."""
    _positive(feat, sink, {f"{name}.base_ms": b.base_ms, f"{name}.max_ms": b.max_ms})
    if 0 < b.max_ms < b.base_ms:
        sink.error(
            "feature.bad-value",
            f"`{name}.max_ms` ({b.max_ms}) of `{feat.id}` is smaller than `{name}.base_ms` ({b.base_ms})",
            feat.param_span(f"{name}.max_ms"),
            hint="the delay grows from base_ms and is capped at max_ms",
        )
    _fraction(feat, sink, f"{name}.jitter", b.jitter)


def _check_values(feat: ir.Feature, sink: Sink) -> None:
    p = feat.params
    if isinstance(p, ir.RetryPolicy):
        if p.max_retries < 0:
            sink.error("feature.bad-value", f"`max_retries` of `{feat.id}` must not be negative", feat.param_span("max_retries"))
        _check_backoff(feat, sink, "backoff", p.backoff)
        if p.retry_after_max_ms < 0:
            sink.error(
                "feature.bad-value", f"`retry_after.max_ms` of `{feat.id}` must not be negative", feat.param_span("retry_after.max_ms")
            )
        _check_statuses(feat, "retry_on.status", p.statuses, sink)
        for r in p.statuses:
            if 200 <= r.lo <= 399 or 200 <= r.hi <= 399:
                sink.warning(
                    "feature.retry-success",
                    f"`{feat.id}` retries on {r.lo}-{r.hi}, which includes non-error statuses",
                    r.span or feat.param_span("retry_on.status"),
                )
        if not p.statuses and not p.exceptions:
            sink.warning("feature.retries-nothing", f"retry policy `{feat.id}` lists no statuses and no exceptions", feat.span)
    elif isinstance(p, ir.RetryHandler):
        _positive(
            feat,
            sink,
            {"max_connections": p.max_connections, "progress_timeout_ms": p.progress_timeout_ms, "base_ms": p.base_ms, "max_ms": p.max_ms},
        )
        _fraction(feat, sink, "jitter_factor", p.jitter_factor)
        if 0 < p.max_ms < p.base_ms:
            sink.error("feature.bad-value", f"`max_ms` of `{feat.id}` is smaller than `base_ms`", feat.param_span("max_ms"))
    elif isinstance(p, ir.PromiseResult):
        _positive(feat, sink, {"poll_timeout_ms": p.poll_timeout_ms, "timeout_ms": p.timeout_ms})
        _check_backoff(feat, sink, "poll_retry", p.poll_retry)
        _check_statuses(feat, "pending_status", p.pending_statuses, sink)
        for name, ranges in (
            ("expired.status", p.expired_statuses),
            ("bounded_retry.status", p.bounded_retry_statuses),
            ("billing_pause.status", p.billing_statuses),
        ):
            _check_statuses(feat, name, ranges, sink)
        if p.billing_statuses:
            _positive(feat, sink, {"billing_pause.delay_ms": p.billing_delay_ms, "billing_pause.max_pause_ms": p.billing_max_pause_ms})
        for name, count in (("expired.resubmits", p.expired_resubmits), ("bounded_retry.max_retries", p.bounded_retries)):
            if count < 0:
                sink.error("feature.bad-value", f"`{name}` of `{feat.id}` must not be negative", feat.param_span(name))
        if "unknown" not in p.categories:
            sink.error(
                "feature.bad-value",
                f"`categories` of `{feat.id}` must include `unknown` (unrecognised categories map to it)",
                feat.param_span("categories"),
            )
    elif isinstance(p, ir.SamplingBackpressure):
        _positive(
            feat,
            sink,
            {
                "backoff_seconds.small": p.small_backoff_ms,
                "backoff_seconds.large": p.large_backoff_ms,
                "small_request_bytes": p.small_request_bytes,
            },
        )
        _check_statuses(feat, "retry_status", p.retry_statuses, sink)
    elif isinstance(p, ir.Telemetry):
        _positive(
            feat,
            sink,
            {
                "batch_size": p.batch_size,
                "flush_interval_sec": p.flush_interval_ms,
                "max_queue_size": p.max_queue_size,
                "timeout_ms": p.timeout_ms,
            },
        )
        if p.drain_timeout_ms < 0:
            sink.error(
                "feature.bad-value", f"`drain_timeout_sec` of `{feat.id}` must not be negative", feat.param_span("drain_timeout_sec")
            )
        if 0 < p.max_queue_size < p.batch_size:
            sink.error(
                "feature.bad-value",
                f"`batch_size` ({p.batch_size}) of `{feat.id}` exceeds `max_queue_size` ({p.max_queue_size})",
                feat.param_span("batch_size"),
            )
    elif isinstance(p, ir.SessionLifecycle):
        _positive(
            feat,
            sink,
            {
                "heartbeat_interval_sec": p.heartbeat_interval_ms,
                "heartbeat_timeout_sec": p.heartbeat_timeout_ms,
                "warn_after_sec": p.warn_after_ms,
            },
        )
        _check_statuses(feat, "stop_on_status", p.stop_on_statuses, sink)
    elif isinstance(p, ir.QueueStateObserver):
        if p.debounce_ms < 0:
            sink.error("feature.bad-value", f"`debounce_sec` of `{feat.id}` must not be negative", feat.param_span("debounce_sec"))


def _check_queue_keys(api: ir.Api, sink: Sink) -> None:
    """`debounce_by` of a queue_state_observer names state fields of clients."""
    state = sorted({s.name for c in api.clients.values() for s in c.state})
    for feat in api.features.values():
        p = feat.params
        if not isinstance(p, ir.QueueStateObserver):
            continue
        for name in p.debounce_by:
            if name not in state:
                sink.error(
                    "feature.bad-value",
                    f"`debounce_by` of `{feat.id}` names `{name}`, which is no client's state field",
                    feat.param_span("debounce_by"),
                    hint=did_you_mean(name, state)
                    or "name state fields of the clients that call its endpoints (e.g. `sampling_session_id`)",
                )


def _check_request_types(api: ir.Api, feat: ir.Feature, p: ir.PromiseResult, sink: Sink) -> None:
    """`request_types` names endpoints answering futures of this feature; with a request-type poll
    header, every such endpoint has one (a poll never goes out without it)."""
    users = [ep for ep in api.endpoints.values() if any(u.feature == feat.id for u in ep.features)]
    ids = {ep.id for ep in users}
    for endpoint, _ in p.request_types:
        if endpoint not in ids:
            sink.error(
                "feature.bad-endpoint",
                f"`request_types` of `{feat.id}` names `{endpoint}`, which does not use `{feat.id}`",
                feat.param_span(f"request_types.{endpoint}"),
                hint=did_you_mean(endpoint, sorted(ids)) or f"endpoints using it: {', '.join(sorted(ids)) or 'none'}",
            )
    if p.request_type_header is None:
        if p.request_types:
            sink.error(
                "feature.bad-value",
                f"`request_types` of `{feat.id}` are sent in no header",
                feat.param_span("request_types"),
                hint="set `poll_headers.request_type:` to the header that carries them",
            )
        return
    given = {e for e, _ in p.request_types}
    for ep in users:
        if ep.id not in given:
            sink.error(
                "feature.missing-request-type",
                f"endpoint `{ep.id}` answers futures of `{feat.id}` but has no entry in its `request_types`",
                ep.span,
                hint=f"add `{ep.id}: <type>` under `request_types:` of `{feat.id}` (sent in `{p.request_type_header}`)",
            )


def _check_placement(api: ir.Api, sink: Sink) -> None:
    for use in api.service.features:
        feat = api.features.get(use.feature)
        if feat is not None and "service" not in FEATURE_TYPES[feat.kind].scopes:
            sink.error(
                "feature.misplaced",
                f"`{feat.id}` ({feat.kind}) is attached per endpoint, not to the whole service",
                use.span,
                hint="list it under the endpoints' `features:`",
            )
    for ep in api.endpoints.values():
        kinds: dict[str, str] = {}
        for use in ep.features:
            feat = api.features.get(use.feature)
            if feat is None:
                continue
            if "endpoint" not in FEATURE_TYPES[feat.kind].scopes:
                sink.error(
                    "feature.misplaced",
                    f"`{feat.id}` ({feat.kind}) is service-wide and cannot be attached to endpoint `{ep.id}`",
                    use.span,
                    hint="list it under `service.features`",
                )
            elif feat.kind in kinds:
                sink.error(
                    "feature.duplicate-kind",
                    f"endpoint `{ep.id}` has two {feat.kind} features: `{kinds[feat.kind]}` and `{feat.id}`",
                    use.span,
                )
            kinds[feat.kind] = feat.id
        if "queue_state_observer" in kinds and "promise_result" not in kinds:
            sink.error(
                "feature.needs-futures",
                f"`{kinds['queue_state_observer']}` on `{ep.id}` observes the queue state of a future, "
                "but the endpoint has no promise_result feature",
                ep.span,
            )


def _check_endpoints(api: ir.Api, sink: Sink) -> None:
    for feat in api.features.values():
        p = feat.params
        if isinstance(p, ir.PromiseResult):
            retrieve = api.endpoints.get(p.retrieve_endpoint)
            if retrieve is None:
                continue
            where = feat.param_span("retrieve_endpoint")
            if retrieve.method != "POST":
                sink.error(
                    "feature.bad-retrieve-endpoint",
                    f"retrieve endpoint `{retrieve.id}` of `{feat.id}` must be a POST, not {retrieve.method}",
                    where,
                )
            rec = api.record(retrieve.request)
            unresolved = isinstance(retrieve.request, ir.Ref) and retrieve.request.name not in api.types  # reported already
            if rec is None and unresolved:
                pass
            elif rec is None:
                sink.error(
                    "feature.bad-retrieve-endpoint",
                    f"retrieve endpoint `{retrieve.id}` of `{feat.id}` has no request record",
                    where,
                    hint=f"its request must carry `{p.request_id_field}`",
                )
            elif rec.field(p.request_id_field) is None:
                sink.error(
                    "feature.bad-retrieve-endpoint",
                    f"the request `{rec.id}` of retrieve endpoint `{retrieve.id}` has no `{p.request_id_field}` field",
                    where,
                    hint="set `request_id_field:` to the field that carries the future's id",
                )
            if api.future_feature(retrieve) is not None:
                sink.error(
                    "feature.bad-retrieve-endpoint", f"retrieve endpoint `{retrieve.id}` must not itself answer futures", retrieve.span
                )
            if rec is not None and p.metadata_only_field is not None and rec.field(p.metadata_only_field) is None:
                sink.error(
                    "feature.bad-field",
                    f"the request `{rec.id}` of retrieve endpoint `{retrieve.id}` has no `{p.metadata_only_field}` field "
                    f"(`metadata_only.request_field` of `{feat.id}`)",
                    feat.param_span("metadata_only.request_field"),
                    hint=did_you_mean(p.metadata_only_field, [f.name for f in rec.fields]),
                )
            _check_request_types(api, feat, p, sink)
        elif isinstance(p, ir.Telemetry):
            ep = api.endpoints.get(p.endpoint)
            if ep is not None and ep.request is None:
                sink.error(
                    "feature.bad-endpoint", f"telemetry endpoint `{ep.id}` has no request body to carry events", feat.param_span("endpoint")
                )
            request = api.record(ep.request) if ep is not None and ep.request is not None else None
            if request is not None:
                _check_telemetry_batch(api, feat, p, request, sink)
        elif isinstance(p, ir.SessionLifecycle):
            ep = api.endpoints.get(p.create_endpoint)
            rec = api.record(ep.response) if ep else None
            if ep is not None and (rec is None or rec.field(p.session_id_field) is None):
                sink.error(
                    "feature.bad-endpoint",
                    f"session create endpoint `{ep.id}` answers no `{p.session_id_field}` field",
                    feat.param_span("create_endpoint"),
                    hint="set `session_id_field:` to the field holding the session id",
                )
            request = api.record(ep.request) if ep is not None else None
            if request is not None:
                from tinkc.sdk.params import split_create_args

                given, refs = split_create_args(ir.Obj(()) if p.create_args is None else p.create_args)
                _check_config_refs(api, feat, request, refs, sink)
                problem = const_problem(api, ir.Ref(name=request.id), given)
                # a field read from an option is given (an option that may be absent is an error above)
                given = ir.Obj(tuple(sorted((*given.items, *((k, None) for k, _ in refs)))))
                missing = [f.name for f in request.fields if f.required and given.get(f.name, _MISSING) is _MISSING]
                if problem or missing:
                    sink.error(
                        "feature.bad-value",
                        f"`create_args` of `{feat.id}` do not make a `{request.id}`: "
                        + (problem or f"missing {', '.join(f'`{m}`' for m in missing)}"),
                        feat.param_span("create_args"),
                        hint="give every required field of the create request",
                    )
        elif isinstance(p, ir.ServerConfig):
            _check_server_config(api, feat, p, sink)


def _check_server_config(api: ir.Api, feat: ir.Feature, p: ir.ServerConfig, sink: Sink) -> None:
    """`server_config`: at least one endpoint, none twice, each answering a JSON object, and the
    constant `body` a valid request of every one (each fetch sends that body as it is)."""
    if not p.endpoints:
        sink.error(
            "feature.bad-value",
            f"`endpoints` of `{feat.id}` is empty",
            feat.param_span("endpoints"),
            hint="name the config endpoints to fetch",
        )
    seen: set[str] = set()
    for eid in p.endpoints:
        if eid in seen:
            sink.error("feature.bad-value", f"`endpoints` of `{feat.id}` names `{eid}` twice", feat.param_span("endpoints"))
        seen.add(eid)
        ep = api.endpoints.get(eid)
        if ep is None:
            continue  # the references pass reports it
        if api.record(ep.response) is None:
            sink.error(
                "feature.bad-endpoint",
                f"config endpoint `{eid}` of `{feat.id}` does not answer a record",
                feat.param_span("endpoints"),
                hint="a config endpoint answers a JSON object of settings",
            )
        if any(q.required for q in ep.query) or ep.path.variables:
            sink.error(
                "feature.bad-endpoint",
                f"config endpoint `{eid}` of `{feat.id}` takes path or required query parameters",
                feat.param_span("endpoints"),
                hint="a config endpoint is fetched with its constant body only",
            )
        request = api.record(ep.request) if ep.request is not None else None
        body = ir.Obj(()) if p.body is None else p.body
        if request is None:
            if p.body is not None:
                sink.error(
                    "feature.bad-value",
                    f"`body` of `{feat.id}`: config endpoint `{eid}` takes no request body",
                    feat.param_span("body"),
                    hint="leave `body:` out, or give the endpoint a request type",
                )
            continue
        problem = const_problem(api, ir.Ref(name=request.id), body)
        if problem:
            sink.error(
                "feature.bad-value",
                f"`body` of `{feat.id}` does not make a `{request.id}` (request of `{eid}`): {problem}",
                feat.param_span("body"),
                hint="give every required field of each config endpoint's request",
            )


def _check_pagination(api: ir.Api, sink: Sink) -> None:
    """A pagination feature must fit every endpoint it is attached to: its items field, its page
    controls and where the next cursor or URL comes from (the plan's own reading, so what passes
    here is what every SDK renders)."""
    from tinkc.sdk.params import endpoint_params, plan_page

    for ep in api.endpoints.values():
        for use in ep.features:
            feat = api.features.get(use.feature)
            if feat is None or not isinstance(feat.params, ir.Pagination):
                continue
            if ep.response is None or (isinstance(ep.response, ir.Ref) and ep.response.name not in api.types):
                if ep.response is None:
                    sink.error(
                        "feature.bad-endpoint",
                        f"`{ep.id}` answers nothing: it cannot be paginated by `{feat.id}`",
                        use.span or ep.span,
                        hint="declare the page type as the endpoint's `response`",
                    )
                continue
            problem = plan_page(api, ep, endpoint_params(api, ep)[0])
            if isinstance(problem, str):
                sink.error(
                    "feature.bad-pagination",
                    f"pagination `{feat.id}` does not fit `{ep.id}`: {problem}",
                    use.span or feat.span,
                    hint=_pagination_hint(feat.params),
                )


def _pagination_hint(p: ir.Pagination) -> str:
    if p.style == "limit_offset":
        return "set `items_field`, `offset_param` and `limit_param` to the response's list field and the request's parameters"
    if p.style == "cursor":
        return "set `items_field`, `cursor_param` and one of `next_cursor_field` / `next_cursor_header`"
    return "set `items_field` and one of `next_url_field` / `next_url_header`"


def _check_config_refs(api: ir.Api, feat: ir.Feature, request: ir.Record, refs: tuple[tuple[str, str], ...], sink: Sink) -> None:
    """`create_args` values `${config.x}`: a declared option, of a type the field accepts, and never
    absent where the field is required and not nullable (an absent option's field is left out)."""
    names = [o.name for o in api.service.config]
    for field_name, option_name in refs:
        option = api.service.config_option(option_name)
        field = request.field(field_name)
        where = feat.param_span("create_args")
        if option is None:
            sink.error(
                "binding.unknown-config",
                f"`create_args` of `{feat.id}`: `${{config.{option_name}}}` names no declared config option",
                where,
                hint=did_you_mean(option_name, names) or "declare it under `service.config`",
            )
        elif field is not None and not accepts(api, field.type, option.type):
            sink.error(
                "binding.type-mismatch",
                f"`create_args` of `{feat.id}`: config option `{option_name}` is `{format_type(option.type)}`, "
                f"but `{request.id}.{field_name}` is `{format_type(field.type)}`",
                where,
            )
        elif field is not None and field.required and not option.has_default and not base_type(api, field.type)[1]:
            sink.error(
                "feature.bad-value",
                f"`create_args` of `{feat.id}`: `{request.id}.{field_name}` is required, but config option "
                f"`{option_name}` has no default and may be absent",
                where,
                hint=f"give `{option_name}` a `default:`",
            )


def run(api: ir.Api, sink: Sink) -> ir.Api:
    for feat in api.features.values():
        _check_values(feat, sink)
    _check_placement(api, sink)
    _check_endpoints(api, sink)
    _check_pagination(api, sink)
    _check_queue_keys(api, sink)
    return api


PASS = Pass(name="feature-params", kind="validation", run=run, doc=__doc__ or "")
