"""The built-in feature types: each one's parameter schema, where it may be attached, and how its
parameters (in either accepted spelling) normalize into one IR node.

Schemas are data (:class:`Param` tables), read by one generic checker in the lowering, so that
unknown or misplaced parameters are diagnostics everywhere and a JSON Schema of the manifest can be
derived from the same tables. Value-range checks (``base_ms <= max_ms`` …) are the
``feature-params`` pass's job, on the typed nodes built here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs

from tinkc.ir import nodes as ir

REQUIRED = object()


@attrs.frozen
class Param:
    """One parameter. ``kind``: int float str bool status_list str_list str_map headers endpoint type obj."""

    kind: str
    default: Any = REQUIRED
    choices: tuple[str, ...] = ()
    fields: dict[str, Param] | None = None  # for kind "obj"
    doc: str = ""


def p(kind: str, default: Any = REQUIRED, *, choices: tuple[str, ...] = (), doc: str = "") -> Param:
    return Param(kind=kind, default=default, choices=choices, doc=doc)


def obj(fields: dict[str, Param], default: Any = None, doc: str = "") -> Param:
    return Param(kind="obj", default=default, fields=fields, doc=doc)


Values = dict[str, Any]


@attrs.frozen
class FeatureType:
    name: str
    scopes: tuple[str, ...]  # "endpoint", "service"
    params: dict[str, Param]
    build: Callable[[Values], ir.FeatureParams]
    doc: str
    # groups of parameter names that spell the same thing (first wins; giving both differently is an error)
    synonyms: tuple[tuple[str, ...], ...] = ()


def _statuses(v: Any) -> tuple[ir.StatusRange, ...]:
    """Parsed statuses, or a schema default written as ``(lo, hi)`` pairs."""
    return tuple(s if isinstance(s, ir.StatusRange) else ir.StatusRange(lo=s[0], hi=s[1]) for s in (v or ()))


PAGINATION_STYLES = ("limit_offset", "cursor", "next_url")

RETRY_EXCEPTIONS = ("connection_error", "connection_timeout", "timeout", "read_timeout")


def _retry_policy(v: Values) -> ir.FeatureParams:
    retry_on = v.get("retry_on") or {}
    backoff = v.get("backoff") or {}
    retry_after = v.get("retry_after") or {}
    return ir.RetryPolicy(
        max_retries=v["max_retries"],
        statuses=_statuses(retry_on.get("status")),
        exceptions=tuple(retry_on.get("exceptions") or ()),
        backoff=ir.Backoff(
            kind=backoff.get("type", "exponential"),
            base_ms=backoff.get("base_ms", 500),
            max_ms=backoff.get("max_ms", 30000),
            jitter=float(backoff.get("jitter", 0.25)),
        ),
        retry_after_max_ms=retry_after.get("max_ms", 60000),
        should_retry_header=v.get("should_retry_header"),
    )


def _retry_handler(v: Values) -> ir.FeatureParams:
    return ir.RetryHandler(
        max_connections=v["max_connections"],
        progress_timeout_ms=v["progress_timeout_ms"],
        jitter_factor=float(v["jitter_factor"]),
        base_ms=v["base_ms"],
        max_ms=v["max_ms"],
    )


def _promise_result(v: Values) -> ir.FeatureParams:
    try_again = v.get("try_again") or {}
    queue_state = v.get("queue_state") or {}
    poll_retry = v.get("poll_retry") or {}
    poll_headers = v.get("poll_headers") or {}
    metadata = v.get("metadata_only") or {}
    expired = v.get("expired") or {}
    bounded = v.get("bounded_retry") or {}
    billing = v.get("billing_pause") or {}
    handle = v.get("handle_type")
    return ir.PromiseResult(
        retrieve_endpoint=v["retrieve_endpoint"],
        request_id_field=v["request_id_field"],
        result_field=v.get("result_field"),
        try_again_field=v.get("try_again_field") or try_again.get("field") or "type",
        try_again_value=v.get("try_again_value") or try_again.get("value") or "try_again",
        error_field=v["error_field"],
        category_field=v.get("category_field") or v.get("error_category_field") or "category",
        categories=tuple(v["categories"]),
        queue_state_field=v.get("queue_state_field") or queue_state.get("field"),
        queue_state_reason_field=v.get("queue_state_reason_field") or queue_state.get("reason_field"),
        queue_states=tuple(v.get("queue_states") or queue_state.get("values") or ("active", "paused_capacity", "paused_rate_limit")),
        pending_statuses=_statuses(v["pending_status"]),
        poll_timeout_ms=v["poll_timeout_ms"],
        timeout_ms=v.get("timeout_ms"),
        poll_retry=ir.Backoff(
            kind="exponential",
            base_ms=poll_retry.get("base_ms", 500),
            max_ms=poll_retry.get("max_ms", 10000),
            jitter=float(poll_retry.get("jitter", 0.25)),
        ),
        handle_type=handle,
        request_type_header=poll_headers.get("request_type"),
        iteration_header=poll_headers.get("iteration"),
        request_types=tuple(v.get("request_types") or ()),
        metadata_only_field=metadata.get("request_field"),
        metadata_status_field=metadata.get("status_field") or "status",
        metadata_status_value=metadata.get("status_value") or "complete_metadata",
        metadata_size_field=metadata.get("size_field"),
        expired_statuses=_statuses(expired.get("status")),
        expired_resubmits=expired.get("resubmits", 3) if expired else 0,
        bounded_retry_statuses=_statuses(bounded.get("status")),
        bounded_retries=bounded.get("max_retries", 3) if bounded else 0,
        billing_statuses=_statuses(billing.get("status")),
        billing_delay_ms=billing.get("delay_ms", 5000) if billing else 0,
        billing_max_pause_ms=billing.get("max_pause_ms", 3600000) if billing else 0,
    )


def _sampling_backpressure(v: Values) -> ir.FeatureParams:
    backoff = v.get("backoff_seconds") or {}
    return ir.SamplingBackpressure(
        retry_statuses=_statuses(v["retry_status"]),
        small_backoff_ms=int(round(float(backoff.get("small", 1)) * 1000)),
        large_backoff_ms=int(round(float(backoff.get("large", 5)) * 1000)),
        small_request_bytes=v["small_request_bytes"],
        headers=tuple(v.get("header") or ()),
        fresh_idempotency_key=bool(v.get("fresh_idempotency_key")),
    )


def _seconds(x: Any) -> int:
    return int(round(float(x) * 1000))


TELEMETRY_EVENT_KINDS = ("session_start", "session_end", "error", "generic")


def _telemetry(v: Values) -> ir.FeatureParams:
    batch = v.get("batch") or {}
    events = v.get("events") or {}
    return ir.Telemetry(
        endpoint=v["endpoint"],
        enabled_env=v.get("enabled_env"),
        batch_size=v["batch_size"],
        flush_interval_ms=_seconds(v["flush_interval_sec"]),
        max_queue_size=v["max_queue_size"],
        timeout_ms=v["timeout_ms"],
        drain_timeout_ms=_seconds(v["drain_timeout_sec"]),
        events_field=batch.get("events_field") or "events",
        session_id_field=batch.get("session_id_field"),
        process_id_field=batch.get("process_id_field"),
        platform_field=batch.get("platform_field"),
        sdk_version_field=batch.get("sdk_version_field"),
        event_types=tuple((kind, events[kind]) for kind in TELEMETRY_EVENT_KINDS if events.get(kind) is not None),
    )


def _session(v: Values) -> ir.FeatureParams:
    warn = v.get("warn_after_sec")
    return ir.SessionLifecycle(
        create_endpoint=v["create_endpoint"],
        heartbeat_endpoint=v.get("heartbeat_endpoint"),
        heartbeat_interval_ms=_seconds(v["heartbeat_interval_sec"]),
        heartbeat_timeout_ms=_seconds(v["heartbeat_timeout_sec"]),
        session_id_field=v["session_id_field"],
        stop_on_statuses=_statuses(v.get("stop_on_status")),
        warn_after_ms=_seconds(warn) if warn is not None else None,
        create_args=v.get("create_args"),
    )


def _server_config(v: Values) -> ir.FeatureParams:
    return ir.ServerConfig(endpoints=tuple(v["endpoints"]), body=v.get("body"))


def _idempotency(v: Values) -> ir.FeatureParams:
    return ir.IdempotencyKey(header=v["header"], methods=tuple(m.upper() for m in v["methods"]), prefix=v["prefix"])


def _pagination(v: Values) -> ir.FeatureParams:
    return ir.Pagination(
        style=v["style"],
        limit_param=v["limit_param"],
        offset_param=v["offset_param"],
        items_field=v.get("items_field"),
        total_field=v.get("total_field"),
        cursor_param=v["cursor_param"],
        next_cursor_field=v.get("next_cursor_field"),
        next_cursor_header=v.get("next_cursor_header"),
        next_url_field=v.get("next_url_field"),
        next_url_header=v.get("next_url_header"),
    )


def _queue_observer(v: Values) -> ir.FeatureParams:
    return ir.QueueStateObserver(debounce_ms=_seconds(v["debounce_sec"]), log_level=v["log_level"], debounce_by=tuple(v["debounce_by"]))


FEATURE_TYPES: dict[str, FeatureType] = {
    ft.name: ft
    for ft in (
        FeatureType(
            name="retry_policy",
            scopes=("endpoint", "service"),
            doc="Retry failed requests on listed statuses and connection failures with exponential backoff.",
            params={
                "max_retries": p("int", 10, doc="retries after the first attempt"),
                "retry_on": obj(
                    {
                        "status": p("status_list", (), doc="statuses and inclusive ranges, e.g. [408, 429, 500-599]"),
                        "exceptions": p("str_list", (), choices=RETRY_EXCEPTIONS),
                    }
                ),
                "backoff": obj(
                    {
                        "type": p("str", "exponential", choices=("exponential", "constant")),
                        "base_ms": p("int", 500),
                        "max_ms": p("int", 30000),
                        "jitter": p("float", 0.25, doc="fraction of the delay randomly removed (0-1)"),
                    }
                ),
                "retry_after": obj({"max_ms": p("int", 60000, doc="honour Retry-After up to this delay")}),
                "should_retry_header": p(
                    "str", None, doc="a response header that decides: `true` retries whatever the status, `false` never retries"
                ),
            },
            build=_retry_policy,
        ),
        FeatureType(
            name="retry_handler",
            scopes=("endpoint",),
            doc="Bound requests in flight per client and fail calls that make no progress.",
            params={
                "max_connections": p("int"),
                "progress_timeout_ms": p("int"),
                "jitter_factor": p("float", 0.25),
                "base_ms": p("int", 500),
                "max_ms": p("int", 10000),
            },
            build=_retry_handler,
        ),
        FeatureType(
            name="promise_result",
            scopes=("endpoint",),
            doc="The endpoint answers a future handle; poll the retrieve endpoint until the result is ready.",
            params={
                "retrieve_endpoint": p("endpoint"),
                "request_id_field": p("str", "request_id"),
                "result_field": p("str", None),
                "try_again_field": p("str", None),
                "try_again_value": p("str", None),
                "try_again": obj({"field": p("str"), "value": p("str")}),
                "error_field": p("str", "error"),
                "category_field": p("str", None),
                "error_category_field": p("str", None),
                "categories": p("str_list", ("unknown", "server", "user")),
                "queue_state_field": p("str", None),
                "queue_state_reason_field": p("str", None),
                "queue_state": obj({"field": p("str"), "reason_field": p("str", None), "values": p("str_list", None)}),
                "queue_states": p("str_list", None),
                "pending_status": p("status_list", ((408, 408),)),
                "poll_timeout_ms": p("int", 45000),
                "timeout_ms": p("int", None),
                "poll_retry": obj(
                    {"base_ms": p("int", 500), "max_ms": p("int", 10000), "jitter": p("float", 0.25)},
                    doc="backoff between polls that failed (no answer, 429, 5xx): min(base·2^n, max), jittered",
                ),
                "handle_type": p("type", None),
                "poll_headers": obj(
                    {
                        "request_type": p("str", None, doc="header carrying the submitting endpoint's `request_types` entry"),
                        "iteration": p("str", None, doc="header carrying the poll's 0-based count"),
                    },
                    doc="headers every poll of the retrieve endpoint carries",
                ),
                "request_types": p(
                    "str_map",
                    None,
                    doc="endpoint id → its request type (the `poll_headers.request_type` value); every endpoint of the feature needs one when that header is set",
                ),
                "metadata_only": obj(
                    {
                        "request_field": p("str", doc="retrieve request field: true until a metadata-only answer, then false"),
                        "status_field": p("str", "status", doc="answer field marking a metadata-only answer"),
                        "status_value": p("str", "complete_metadata", doc="its value in such an answer"),
                        "size_field": p("str", None, doc="answer field with the result's size in bytes"),
                    },
                    doc="the result may be too big to inline: the server first answers its metadata, and the SDK polls again asking for the payload",
                ),
                "expired": obj(
                    {
                        "status": p("status_list", doc="poll statuses meaning the promise expired"),
                        "resubmits": p("int", 3, doc="how many times the call is submitted again"),
                    },
                    doc="a poll answered so: the future is gone; the call is submitted again and the new future polled",
                ),
                "bounded_retry": obj(
                    {
                        "status": p("status_list", doc="poll statuses retried a bounded number of times"),
                        "max_retries": p("int", 3),
                    },
                    doc="poll statuses retried (with the poll_retry backoff) at most max_retries times, then an error",
                ),
                "billing_pause": obj(
                    {
                        "status": p("status_list", doc="poll statuses meaning a billing pause"),
                        "delay_ms": p("int", 5000, doc="wait before polling again"),
                        "max_pause_ms": p("int", 3600000, doc="give up (the status error) after pausing this long in all"),
                    },
                    doc="a billing pause: poll again after delay_ms while the pause lasts less than max_pause_ms",
                ),
            },
            synonyms=(
                ("try_again_field", "try_again.field"),
                ("try_again_value", "try_again.value"),
                ("category_field", "error_category_field"),
                ("queue_state_field", "queue_state.field"),
                ("queue_state_reason_field", "queue_state.reason_field"),
                ("queue_states", "queue_state.values"),
            ),
            build=_promise_result,
        ),
        FeatureType(
            name="sampling_backpressure",
            scopes=("endpoint",),
            doc="On the backpressure status, back off (small or large delay by request size) and retry silently.",
            params={
                "retry_status": p("status_list", ((429, 429),)),
                "backoff_seconds": obj({"small": p("float", 1), "large": p("float", 5)}),
                "small_request_bytes": p("int", 131072),
                "header": p("headers", ()),
                "fresh_idempotency_key": p(
                    "bool", False, doc="the resend after backpressure is a new request: it carries a new idempotency key"
                ),
            },
            build=_sampling_backpressure,
        ),
        FeatureType(
            name="telemetry",
            scopes=("service",),
            doc="Queue SDK events without blocking and send them in batches to the telemetry endpoint.",
            params={
                "endpoint": p("endpoint", "telemetry.send"),
                "enabled_env": p("str", None),
                "batch_size": p("int", 100),
                "flush_interval_sec": p("float", 10),
                "max_queue_size": p("int", 10000),
                "timeout_ms": p("int", 5000),
                "drain_timeout_sec": p("float", 30),
                "batch": obj(
                    {
                        "events_field": p("str", "events", doc="the request field holding the list of events"),
                        "session_id_field": p("str", None, doc="request field filled with the session id"),
                        "process_id_field": p("str", None, doc="request field filled with a per-process UUID"),
                        "platform_field": p("str", None, doc="request field filled with the host platform"),
                        "sdk_version_field": p("str", None, doc="request field filled with the SDK version"),
                    },
                    doc="how the SDK fills the telemetry endpoint's request",
                ),
                "events": obj(
                    {kind: p("str", None, doc=f"the record type of `{kind}` events") for kind in TELEMETRY_EVENT_KINDS},
                    doc="the event record the SDK sends for each kind of event (a variant of the events list's union)",
                ),
            },
            build=_telemetry,
        ),
        FeatureType(
            name="session_lifecycle",
            scopes=("service",),
            doc="Create a session when a client starts and keep it alive with heartbeats.",
            params={
                "create_endpoint": p("endpoint"),
                "heartbeat_endpoint": p("endpoint", None),
                "heartbeat_interval_sec": p("float", 10),
                "heartbeat_timeout_sec": p("float", 10),
                "session_id_field": p("str", "session_id"),
                "stop_on_status": p("status_list", ()),
                "warn_after_sec": p("float", None),
                "create_args": p("json", None, doc="fields of the create request (constants)"),
            },
            build=_session,
        ),
        FeatureType(
            name="server_config",
            scopes=("service",),
            doc="Fetch server-side configuration endpoints, in order, before a client family's first request; "
            "a failing or missing endpoint leaves the defaults.",
            params={
                "endpoints": p("str_list", doc="endpoint ids fetched in this order (each once per client family)"),
                "body": p("json", None, doc="the constant request body of every fetch"),
            },
            build=_server_config,
        ),
        FeatureType(
            name="idempotency_key",
            scopes=("service", "endpoint"),
            doc="Send one idempotency key per logical request, reused across its retries.",
            params={
                "header": p("str", "X-Idempotency-Key"),
                "methods": p("str_list", ("POST", "PUT", "PATCH", "DELETE"), choices=("POST", "PUT", "PATCH", "DELETE", "GET")),
                "prefix": p("str", ""),
            },
            build=_idempotency,
        ),
        FeatureType(
            name="pagination",
            scopes=("endpoint",),
            doc="Pagination over a list endpoint: limit/offset, a next-page cursor, or a next-page URL.",
            params={
                "style": p("str", "limit_offset", choices=PAGINATION_STYLES, doc="how one page leads to the next"),
                "limit_param": p("str", "limit", doc="limit_offset: the page-size parameter"),
                "offset_param": p("str", "offset", doc="limit_offset: the offset parameter"),
                "items_field": p("str", None, doc="the response field listing the page's items (required)"),
                "total_field": p("str", None, doc="limit_offset: dotted path of the total item count in the response"),
                "cursor_param": p("str", "cursor", doc="cursor: the parameter (query or body) the next cursor goes in"),
                "next_cursor_field": p("str", None, doc="cursor: dotted path of the next cursor in the response"),
                "next_cursor_header": p("str", None, doc="cursor: the response header carrying the next cursor"),
                "next_url_field": p("str", None, doc="next_url: dotted path of the next page's URL in the response"),
                "next_url_header": p("str", None, doc="next_url: the response header carrying the next page's URL"),
            },
            build=_pagination,
        ),
        FeatureType(
            name="queue_state_observer",
            scopes=("endpoint",),
            doc="Report queue-state changes of a pending future to an observer, debounced per session.",
            params={
                "debounce_sec": p("float", 60),
                "log_level": p("str", "warning", choices=("debug", "info", "warning", "error")),
                "debounce_by": p(
                    "str_list",
                    (),
                    doc="client state fields whose value keys the debounce (the first the calling client holds), "
                    "e.g. [sampling_session_id, model_id]; a client holding one gets clear_queue_state_debounce",
                ),
            },
            build=_queue_observer,
        ),
    )
}

RESPONSE_HANDLERS = {"redirect_location": "do not follow redirects; return the Location URL"}
# `stream:` of an endpoint: how its response body is a sequence of events, each decoded as the
# endpoint's `response` record.
STREAMS = {"sse": "server-sent events (`text/event-stream`): each event's `data` is one `response` record as JSON"}
# The header a streaming endpoint sends unless it declares an `Accept` of its own (added to its
# headers when the manifest is lowered, so every SDK, the mock and OpenAPI see it).
STREAM_ACCEPT = ("Accept", "text/event-stream")
HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
