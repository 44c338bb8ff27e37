"""`_spec.py`: what the manifest says, as runtime data (service settings, features, endpoints), read
from the SDK plan. Each constant is one call laid out by the shared printer."""

from __future__ import annotations

from tinkc.backends.python import pydoc as d
from tinkc.backends.python import symbols as sym
from tinkc.backends.python.emit_types import docstring, py_literal, render, text, tuple_literal
from tinkc.backends.python.symbols import Imports
from tinkc.ir import nodes as ir
from tinkc.ir.types import telemetry_event_shapes
from tinkc.sdk import SdkPlan


def seconds(ms: float) -> str:
    return repr(ms / 1000)


def statuses(ranges: tuple[ir.StatusRange, ...] | tuple[tuple[int, int], ...]) -> str:
    pairs = [(r.lo, r.hi) if isinstance(r, ir.StatusRange) else r for r in ranges]
    inner = ", ".join(f"({lo}, {hi})" for lo, hi in pairs)
    return f"({inner},)" if len(pairs) == 1 else f"({inner})"


def header_pairs(headers: tuple[tuple[str, str], ...]) -> d.Doc:
    """`headers=((name, value), ...)`: flat, else one pair a line (a tuple ruff explodes)."""
    return d.kwarg("headers", d.collection("(", [f"({py_literal(n)}, {py_literal(v)})" for n, v in headers], ")", tuple_=True))


def constant(imports: Imports, name: str, cls: str, args: list[d.Doc]) -> str:
    return d.render(d.assign(name, d.call(imports.use(cls), args)))


def spec_module(api: ir.Api, plan: SdkPlan, package: str) -> str:
    svc = api.service
    imports = Imports()
    blocks: list[str] = []
    settings = [
        f"api_key_env={py_literal(svc.auth.env if svc.auth else None)}",
        f"base_url_env={py_literal(svc.base_url_env)}",
        f"default_base_url={py_literal(svc.base_url)}",
        f"default_timeout={seconds(svc.timeout_ms)}",
    ]
    if plan.max_connections is not None and plan.max_connections > 100:
        # the pool holds what the retry handlers let be in flight (the runtime's default: 100)
        settings.append(f"max_connections={plan.max_connections}")
    blocks.append(constant(imports, "SETTINGS", "ServiceSettings", settings))
    retries = {ep.runtime.retry.feature: ep.runtime.retry for ep in plan.endpoints.values() if ep.runtime.retry is not None}
    for feat in plan.features.values():
        p = feat.params
        name = sym.feature_const(feat.id)
        if isinstance(p, ir.RetryPolicy) and feat.id in retries:  # only endpoints name a retry policy
            retry = retries[feat.id]
            args: list[d.Doc] = [
                f"max_retries={retry.max_retries}",
                f"statuses={statuses(retry.statuses)}",
                f"on_connection_error={retry.on_connection_error}",
                f"on_timeout={retry.on_timeout}",
                f"base_delay={seconds(retry.base_ms)}",
                f"max_delay={seconds(retry.max_ms)}",
                f"jitter={retry.jitter!r}",
                f"retry_after_max={seconds(retry.retry_after_max_ms)}",
            ]
            blocks.append(constant(imports, name, "RetryPolicy", args))
        elif isinstance(p, ir.SamplingBackpressure):
            args = [
                f"statuses={statuses(p.retry_statuses)}",
                f"small_delay={seconds(p.small_backoff_ms)}",
                f"large_delay={seconds(p.large_backoff_ms)}",
                f"small_request_bytes={p.small_request_bytes}",
                header_pairs(tuple((h.name, h.value) for h in p.headers)),
            ]
            blocks.append(constant(imports, name, "Backpressure", args))
        elif isinstance(p, ir.RetryHandler):
            args = [
                f"id={py_literal(feat.id)}",
                f"max_connections={p.max_connections}",
                f"progress_timeout={seconds(p.progress_timeout_ms)}",
                f"base_delay={seconds(p.base_ms)}",
                f"max_delay={seconds(p.max_ms)}",
                f"jitter={p.jitter_factor!r}",
            ]
            blocks.append(constant(imports, name, "RetryHandler", args))
    for ep in plan.endpoints.values():
        rt = ep.runtime
        args = [f"id={py_literal(ep.id)}", f"method={py_literal(ep.method)}", f"path={py_literal(ep.path)}"]
        if rt.headers:
            args.append(header_pairs(rt.headers))
        if rt.retry is not None:
            args.append(f"retry={sym.feature_const(rt.retry.feature)}")
        if rt.idempotency_header is not None:
            args.append(f"idempotency_header={py_literal(rt.idempotency_header)}")
            if rt.idempotency_prefix:
                args.append(f"idempotency_prefix={py_literal(rt.idempotency_prefix)}")
        if rt.backpressure is not None:
            args.append(f"backpressure={sym.feature_const(rt.backpressure)}")
        if rt.handler is not None:
            args.append(f"handler={sym.feature_const(rt.handler)}")
        if ep.response == "redirect":
            args.append("redirect_location=True")
        if rt.poll_timeout_ms is not None:
            args.append(f"timeout={seconds(rt.poll_timeout_ms)}")
        blocks.append(constant(imports, sym.endpoint_const(ep.id), "Endpoint", args))
    for feat in plan.features.values():
        p = feat.params
        if isinstance(p, ir.PromiseResult):
            args = [
                f"retrieve={sym.endpoint_const(p.retrieve_endpoint)}",
                f"request_id_field={py_literal(p.request_id_field)}",
                f"result_field={py_literal(p.result_field)}",
                f"try_again_field={py_literal(p.try_again_field)}",
                f"try_again_value={py_literal(p.try_again_value)}",
                f"error_field={py_literal(p.error_field)}",
                f"category_field={py_literal(p.category_field)}",
                f"categories={tuple_literal(p.categories)}",
                f"queue_state_field={py_literal(p.queue_state_field)}",
                f"queue_state_reason_field={py_literal(p.queue_state_reason_field)}",
                f"queue_states={tuple_literal(p.queue_states)}",
                f"pending_statuses={statuses(p.pending_statuses)}",
                f"poll_timeout={seconds(p.poll_timeout_ms)}",
                f"timeout={seconds(p.timeout_ms) if p.timeout_ms else None}",
                f"transient_base_delay={seconds(p.poll_retry.base_ms)}",
                f"transient_max_delay={seconds(p.poll_retry.max_ms)}",
                f"transient_jitter={p.poll_retry.jitter!r}",
            ]
            blocks.append(constant(imports, sym.feature_const(feat.id), "Futures", args))
    service_args: list[d.Doc] = [
        "settings=SETTINGS",
        f"auth_header={py_literal(svc.auth.header if svc.auth else 'Authorization')}",
        f"user_agent={py_literal(f'{package}/{svc.version} (python; tinkc)')}",
    ]
    if plan.session is not None:
        s = plan.session
        p = s.params
        args = [
            f"create={sym.endpoint_const(s.create_endpoint)}",
            f"create_body={py_literal(p.create_args or {})}",
            f"session_id_field={py_literal(s.session_id_field)}",
            f"heartbeat={sym.endpoint_const(s.heartbeat_endpoint) if s.heartbeat_endpoint else None}",
            f"interval={seconds(p.heartbeat_interval_ms)}",
            f"stop_statuses={statuses(p.stop_on_statuses) if p.stop_on_statuses else '()'}",
        ]
        if s.heartbeat_in_path:
            args.append("heartbeat_in_path=True")
        blocks.append(constant(imports, sym.feature_const(s.feature), "Session", args))
        service_args.append(f"session={sym.feature_const(s.feature)}")
    if plan.telemetry is not None:
        feat = plan.features[plan.telemetry]
        blocks += telemetry_spec(api, feat, sym.feature_const(feat.id), imports)
        service_args.append(f"telemetry={sym.feature_const(feat.id)}")
    blocks.append(constant(imports, "SERVICE", "SDK", service_args))
    return render(
        "_spec.py.jinja",
        doc=text(docstring(f"What the {svc.name} manifest says, as runtime data. Generated by tinkc: do not edit.", "")),
        imports=text(imports.lines()),
        blocks=blocks,
    )


def telemetry_spec(api: ir.Api, feat: ir.Feature, name: str, imports: Imports) -> list[str]:
    """The telemetry feature: one EventKind constant per kind of event, then the TelemetrySpec."""
    p = feat.params
    assert isinstance(p, ir.Telemetry)
    blocks: list[str] = []
    kinds = []
    for shape in telemetry_event_shapes(api, p):
        const_name = sym.event_const(name, shape.kind)
        args: list[d.Doc] = [f"kind={py_literal(shape.kind)}", f"fields={py_literal(' '.join(shape.wire_fields))}"]
        if shape.tag_field is not None:
            args += [f"tag_field={py_literal(shape.tag_field)}", f"tag={py_literal(shape.tag)}"]
        blocks.append(constant(imports, const_name, "EventKind", args))
        kinds.append(const_name)
    events: str = "()" if not kinds else f"({kinds[0]},)" if len(kinds) == 1 else f"{name}_EVENTS"
    if len(kinds) > 1:
        blocks.append(d.render(d.assign(events, d.collection("(", kinds, ")", tuple_=True))))
    args = [
        f"endpoint={sym.endpoint_const(p.endpoint)}",
        f"enabled_env={py_literal(p.enabled_env)}",
        f"batch_size={p.batch_size}",
        f"flush_interval={seconds(p.flush_interval_ms)}",
        f"max_queue_size={p.max_queue_size}",
        f"timeout={seconds(p.timeout_ms)}",
        f"drain_timeout={seconds(p.drain_timeout_ms)}",
        f"events_field={py_literal(p.events_field)}",
        f"session_id_field={py_literal(p.session_id_field)}",
        f"process_id_field={py_literal(p.process_id_field)}",
        f"platform_field={py_literal(p.platform_field)}",
        f"sdk_version_field={py_literal(p.sdk_version_field)}",
        f"sdk_version={py_literal(api.service.version)}",
        f"kinds={events}",
    ]
    blocks.append(constant(imports, name, "TelemetrySpec", args))
    return blocks
