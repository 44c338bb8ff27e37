"""`src/spec.ts`: what the manifest says, as runtime data the static runtime reads: the service's
settings, every endpoint (method, path, headers and the features it uses), every feature instance
(retry policies, retry handlers, backpressure, futures, the session, telemetry). The runtime holds
no constant of its own; everything it does differently per API comes from here."""

from __future__ import annotations

from tinkc.backends.typescript import naming
from tinkc.backends.typescript.doc import HARDLINE, Doc, array, assign, comment_block, group, import_names, obj, pretty_blocks
from tinkc.backends.typescript.emit_types import ts_literal
from tinkc.ir import nodes as ir
from tinkc.ir.types import telemetry_event_shapes

# The backoff of transient failures while polling a future, when its retrieve endpoint has no retry
# policy to take it from: promise_result has no parameter for it (the Python SDK uses the same).

TIMEOUT_EXCEPTIONS = ("connection_timeout", "timeout", "read_timeout")


def const(name: str) -> str:
    return "".join(ch if ch.isalnum() else "_" for ch in name).upper()


def endpoint_const(eid: str) -> str:
    return f"EP_{const(eid)}"


def feature_const(fid: str) -> str:
    return f"FT_{const(fid)}"


def statuses(ranges: tuple[ir.StatusRange, ...]) -> Doc:
    return array([f"[{r.lo}, {r.hi}]" for r in ranges], matrix=True)


def pairs(items: tuple[ir.Header, ...]) -> Doc:
    return array([array([ts_literal(h.name), ts_literal(h.value)]) for h in items], matrix=True)


def prop(name: str, value: Doc) -> Doc:
    return group(naming.literal_key(name), ": ", value)


def declaration(name: str, type_: str | None, value: Doc) -> Doc:
    annotation = f": {type_}" if type_ else ""
    return [assign(f"export const {name}{annotation}", value), ";"]


class SpecWriter:
    def __init__(self, api: ir.Api, package: str) -> None:
        self.api = api
        self.package = package
        self.types_used: set[str] = set()  # schemas of types.ts that the spec encodes with

    def retry_policy(self, p: ir.RetryPolicy) -> Doc:
        return obj(
            [
                prop("maxRetries", str(p.max_retries)),
                prop("statuses", statuses(p.statuses)),
                prop("onConnectionError", ts_literal("connection_error" in p.exceptions)),
                prop("onTimeout", ts_literal(any(e in p.exceptions for e in TIMEOUT_EXCEPTIONS))),
                prop("baseDelayMs", str(p.backoff.base_ms)),
                prop("maxDelayMs", str(p.backoff.max_ms)),
                prop("jitter", ts_literal(p.backoff.jitter)),
                prop("retryAfterMaxMs", str(p.retry_after_max_ms)),
            ]
        )

    def endpoint(self, ep: ir.Endpoint, timeouts: dict[str, int]) -> Doc:
        items = [prop("id", ts_literal(ep.id)), prop("method", ts_literal(ep.method)), prop("path", ts_literal(ep.uri_template))]
        if fixed := self.api.request_headers(ep):
            items.append(prop("headers", pairs(fixed)))
        retry = self.api.endpoint_features(ep, "retry_policy")
        if retry:
            items.append(prop("retry", feature_const(retry[0].id)))
        key = self.api.idempotency_key(ep)
        if key is not None:
            items.append(prop("idempotency", obj([prop("header", ts_literal(key.header)), prop("prefix", ts_literal(key.prefix))])))
        bp = self.api.endpoint_features(ep, "sampling_backpressure")
        if bp:
            items.append(prop("backpressure", feature_const(bp[0].id)))
        handler = self.api.endpoint_features(ep, "retry_handler")
        if handler:
            items.append(prop("handler", feature_const(handler[0].id)))
        if ep.response_handler == "redirect_location":
            items.append(prop("redirectLocation", "true"))
        if ep.id in timeouts:
            items.append(prop("timeoutMs", str(timeouts[ep.id])))
        return ["rt.endpoint(", obj(items), ")"]

    def futures(self, p: ir.PromiseResult) -> Doc:
        backoff = p.poll_retry
        return obj(
            [
                prop("retrieve", endpoint_const(p.retrieve_endpoint)),
                prop("requestIdField", ts_literal(p.request_id_field)),
                prop("resultField", ts_literal(p.result_field)),
                prop("tryAgainField", ts_literal(p.try_again_field)),
                prop("tryAgainValue", ts_literal(p.try_again_value)),
                prop("errorField", ts_literal(p.error_field)),
                prop("categoryField", ts_literal(p.category_field)),
                prop("categories", array([ts_literal(c) for c in p.categories])),
                prop("queueStateField", ts_literal(p.queue_state_field)),
                prop("queueStateReasonField", ts_literal(p.queue_state_reason_field)),
                prop("queueStates", array([ts_literal(c) for c in p.queue_states])),
                prop("pendingStatuses", statuses(p.pending_statuses)),
                prop("timeoutMs", ts_literal(p.timeout_ms)),
                prop("retryBaseDelayMs", ts_literal(backoff.base_ms)),
                prop("retryMaxDelayMs", ts_literal(backoff.max_ms)),
                prop("retryJitter", ts_literal(backoff.jitter)),
            ]
        )

    def request_of(self, ep: ir.Endpoint, values: list[tuple[str, str]], path: list[tuple[str, str]] | None = None) -> Doc:
        """A request of `ep` (an arrow function's body): `values` (property, expression) for its
        body, encoded with the request's schema when it is a record."""
        items: list[Doc] = []
        if path:
            items.append(prop("path", obj([prop(k, v) for k, v in path])))
        record = self.api.record(ep.request)
        if record is not None:
            name = naming.type_name(record.id)
            self.types_used.add(name)
            items.append(prop("body", ["s.encode(", name, ", ", obj([prop(k, v) for k, v in values]), ")"]))
        elif ep.request is not None:
            items.append(prop("body", obj([prop(k, v) for k, v in values])))
        return ["(", obj(items), ")"] if items else "({})"

    def session(self, feat: ir.Feature) -> Doc:
        p = feat.params
        assert isinstance(p, ir.SessionLifecycle)
        create = self.api.endpoints[p.create_endpoint]
        args = ir.thaw(p.create_args) or {}
        create_values = [(k, ts_literal(v)) for k, v in args.items()] if isinstance(args, dict) else []
        items = [
            prop("create", endpoint_const(p.create_endpoint)),
            prop("createRequest", ["() => ", self.request_of(create, create_values)]),
            prop("sessionIdField", ts_literal(p.session_id_field)),
        ]
        heartbeat = self.api.endpoints.get(p.heartbeat_endpoint or "")
        if heartbeat is not None:
            # the session id goes where the heartbeat endpoint takes it: its path, its body
            path = [(x.name, "sessionId") for x in heartbeat.path_params if x.name == p.session_id_field]
            record = self.api.record(heartbeat.request)
            in_body = record is not None and record.field(p.session_id_field) is not None
            values = [(p.session_id_field, "sessionId")] if in_body or (heartbeat.request is not None and record is None) else []
            request = self.request_of(heartbeat, values, path)
            items += [
                prop("heartbeat", endpoint_const(heartbeat.id)),
                prop("heartbeatRequest", ["(sessionId: string) => ", request] if path or values else ["() => ", request]),
            ]
        else:
            items += [prop("heartbeat", "null"), prop("heartbeatRequest", "() => ({})")]
        items += [
            prop("intervalMs", str(p.heartbeat_interval_ms)),
            prop("heartbeatTimeoutMs", str(p.heartbeat_timeout_ms)),
            prop("stopStatuses", statuses(p.stop_on_statuses)),
            prop("warnAfterMs", ts_literal(p.warn_after_ms)),
        ]
        return obj(items)

    def telemetry(self, feat: ir.Feature) -> Doc:
        p = feat.params
        assert isinstance(p, ir.Telemetry)
        ep = self.api.endpoints[p.endpoint]
        record = self.api.record(ep.request)
        kinds: list[Doc] = [
            prop(
                shape.kind,
                obj(
                    [
                        prop("fields", array([ts_literal(f) for f in shape.wire_fields])),
                        prop("tagField", ts_literal(shape.tag_field)),
                        prop("tag", ts_literal(shape.tag)),
                    ]
                ),
            )
            for shape in telemetry_event_shapes(self.api, p)
        ]
        if record is not None:
            name = naming.type_name(record.id)
            self.types_used.add(name)
            request: Doc = ["(values) => ({ body: s.encode<unknown>(", name, ", values) })"]
        else:
            request = "(values) => ({ body: values })"
        return obj(
            [
                prop("endpoint", endpoint_const(p.endpoint)),
                prop("enabledEnv", ts_literal(p.enabled_env)),
                prop("batchSize", str(p.batch_size)),
                prop("flushIntervalMs", str(p.flush_interval_ms)),
                prop("maxQueueSize", str(p.max_queue_size)),
                prop("timeoutMs", str(p.timeout_ms)),
                prop("drainTimeoutMs", str(p.drain_timeout_ms)),
                prop("request", request),
                prop("eventsField", ts_literal(p.events_field)),
                prop("sessionIdField", ts_literal(p.session_id_field)),
                prop("processIdField", ts_literal(p.process_id_field)),
                prop("platformField", ts_literal(p.platform_field)),
                prop("sdkVersionField", ts_literal(p.sdk_version_field)),
                prop("sdkVersion", ts_literal(self.api.service.version)),
                prop("kinds", obj(kinds)),
            ]
        )

    def module(self) -> str:
        api = self.api
        svc = api.service
        decls: list[Doc] = [
            declaration(
                "SETTINGS",
                "rt.ServiceSettings",
                obj(
                    [
                        prop("apiKeyEnv", ts_literal(svc.auth.env if svc.auth else None)),
                        prop("baseUrlEnv", ts_literal(svc.base_url_env)),
                        prop("defaultBaseUrl", ts_literal(svc.base_url)),
                        prop("defaultTimeoutMs", str(svc.timeout_ms)),
                    ]
                ),
            )
        ]
        timeouts: dict[str, int] = {}
        for feat in api.features.values():
            p = feat.params
            name = feature_const(feat.id)
            if isinstance(p, ir.RetryPolicy):
                decls.append(declaration(name, "rt.RetryPolicy", self.retry_policy(p)))
            elif isinstance(p, ir.SamplingBackpressure):
                value = obj(
                    [
                        prop("statuses", statuses(p.retry_statuses)),
                        prop("smallDelayMs", str(p.small_backoff_ms)),
                        prop("largeDelayMs", str(p.large_backoff_ms)),
                        prop("smallRequestBytes", str(p.small_request_bytes)),
                        prop("headers", pairs(p.headers)),
                    ]
                )
                decls.append(declaration(name, "rt.Backpressure", value))
            elif isinstance(p, ir.RetryHandler):
                value = obj(
                    [
                        prop("id", ts_literal(feat.id)),
                        prop("maxConnections", str(p.max_connections)),
                        prop("progressTimeoutMs", str(p.progress_timeout_ms)),
                        prop("baseDelayMs", str(p.base_ms)),
                        prop("maxDelayMs", str(p.max_ms)),
                        prop("jitter", ts_literal(p.jitter_factor)),
                    ]
                )
                decls.append(declaration(name, "rt.RetryHandler", value))
            elif isinstance(p, ir.PromiseResult):
                timeouts[p.retrieve_endpoint] = p.poll_timeout_ms  # one poll: a long-poll of its own length
        for ep in api.endpoints.values():
            decls.append([*doc_line(ep), declaration(endpoint_const(ep.id), None, self.endpoint(ep, timeouts))])
        for feat in api.features.values():
            if isinstance(feat.params, ir.PromiseResult):
                decls.append(declaration(feature_const(feat.id), "rt.Futures", self.futures(feat.params)))
        service: list[Doc] = [
            prop("settings", "SETTINGS"),
            prop("authHeader", ts_literal(svc.auth.header if svc.auth else "Authorization")),
            prop("userAgent", ts_literal(f"{self.package}/{svc.version} (typescript; tinkc)")),
        ]
        session = api.service_feature(ir.SessionLifecycle)
        if session is not None:
            decls.append(declaration(feature_const(session.id), "rt.Session", self.session(session)))
        service.append(prop("session", feature_const(session.id) if session else "null"))
        telemetry = api.service_feature(ir.Telemetry)
        if telemetry is not None:
            decls.append(declaration(feature_const(telemetry.id), "rt.TelemetrySpec", self.telemetry(telemetry)))
        service.append(prop("telemetry", feature_const(telemetry.id) if telemetry else "null"))
        decls.append(declaration("SERVICE", "rt.SDK", obj(service)))
        header: list[Doc] = [
            *comment_block(f"What the {svc.name} manifest says, as runtime data. Generated by tinkc: do not edit."),
            HARDLINE,
            'import * as rt from "./runtime/index.js";',
        ]
        if self.types_used:
            header += [HARDLINE, 'import * as s from "./runtime/schema.js";']
            names = sorted(self.types_used)
            header += [HARDLINE, import_names(names, "./types.js")]
        return pretty_blocks([header, *decls]) + "\n"


def doc_line(ep: ir.Endpoint) -> list[Doc]:
    return comment_block(f"`{ep.method} {ep.path.template}`")


def spec_module(api: ir.Api, package: str) -> str:
    return SpecWriter(api, package).module()
