"""`src/spec.ts`: what the manifest says, as runtime data the static runtime reads: the service's
settings, every endpoint (method, path, headers and the features it uses), every feature instance
(retry policies, retry handlers, backpressure, futures, the session, telemetry). The runtime holds
no constant of its own; everything it does differently per API comes from here."""

from __future__ import annotations

from typing import Any

from tinkc.backends.typescript import symbols as sym
from tinkc.backends.typescript.doc import Doc, array, group, obj
from tinkc.backends.typescript.emit_types import TypeExprs, file_header, ts_literal
from tinkc.backends.typescript.render import template
from tinkc.backends.typescript.symbols import RUNTIME, Imports, Symbols
from tinkc.ir import nodes as ir
from tinkc.ir.types import base_type, telemetry_event_shapes
from tinkc.sdk import ConfigOptionPlan, EndpointPlan, Retry, SdkPlan
from tinkc.sdk.plan import RAW_METHODS, ProfilesPlan

endpoint_const = sym.endpoint_const
feature_const = sym.feature_const


def statuses(ranges: tuple[ir.StatusRange, ...] | tuple[tuple[int, int], ...]) -> Doc:
    pairs_ = [(r.lo, r.hi) if isinstance(r, ir.StatusRange) else r for r in ranges]
    return array([f"[{lo}, {hi}]" for lo, hi in pairs_], matrix=True)


def pairs(items: tuple[ir.Header, ...] | tuple[tuple[str, str], ...]) -> Doc:
    rows = [(h.name, h.value) if isinstance(h, ir.Header) else h for h in items]
    return array([array([ts_literal(name), ts_literal(value)]) for name, value in rows], matrix=True)


def prop(name: str, value: Doc) -> Doc:
    return group(sym.literal_key(name), ": ", value)


class SpecWriter:
    def __init__(self, plan: SdkPlan, names: Symbols, package: str) -> None:
        self.plan = plan
        self.api = plan.api
        self.names = names
        self.package = package
        self.imports = Imports("src/spec.ts")
        self.x = TypeExprs(names, self.imports)

    @property
    def rt(self) -> str:
        return self.imports.use(RUNTIME)

    def declaration(self, name: str, type_: str | None, value: Doc, doc: str | None = None) -> dict[str, Any]:
        """`export const name: rt.Type = value;` (the template's shape), after its doc comment."""
        return {"name": name, "type": type_, "value": value, "doc": doc}

    def retry_policy(self, p: Retry) -> Doc:
        return obj(
            [
                prop("maxRetries", str(p.max_retries)),
                prop("statuses", statuses(p.statuses)),
                prop("onConnectionError", ts_literal(p.on_connection_error)),
                prop("onTimeout", ts_literal(p.on_timeout)),
                prop("baseDelayMs", str(p.base_ms)),
                prop("maxDelayMs", str(p.max_ms)),
                prop("jitter", ts_literal(p.jitter)),
                prop("retryAfterMaxMs", str(p.retry_after_max_ms)),
                prop("shouldRetryHeader", ts_literal(p.should_retry_header)),
                *([prop("profiled", "true")] if p.profiled else []),
            ]
        )

    def endpoint(self, ep: EndpointPlan) -> Doc:
        """An endpoint's runtime units, as the plan gives them."""
        rt = ep.runtime
        items = [prop("id", ts_literal(ep.id)), prop("method", ts_literal(ep.method)), prop("path", ts_literal(ep.path))]
        if rt.headers:
            items.append(prop("headers", pairs(rt.headers)))
        if rt.retry is not None:
            items.append(prop("retry", feature_const(rt.retry.feature)))
        if rt.idempotency_header is not None:
            key = [prop("header", ts_literal(rt.idempotency_header)), prop("prefix", ts_literal(rt.idempotency_prefix))]
            items.append(prop("idempotency", obj(key)))
        if rt.backpressure is not None:
            items.append(prop("backpressure", feature_const(rt.backpressure)))
        if rt.handler is not None:
            items.append(prop("handler", feature_const(rt.handler)))
        if ep.response == "redirect":
            items.append(prop("redirectLocation", "true"))
        if rt.poll_timeout_ms is not None:
            items.append(prop("timeoutMs", str(rt.poll_timeout_ms)))  # one poll: a long-poll of its own length
        if rt.request_type is not None:
            items.append(prop("requestType", ts_literal(rt.request_type)))
        if rt.queue_log is not None:
            items.append(prop("queueLog", feature_const(rt.queue_log)))
        floats = [p.wire for p in ep.params if p.location in ("path", "query") and self.is_float(p.type)]
        if floats:  # written as the other SDKs write a float (`2.0`), which a JS number cannot tell
            items.append(prop("floats", array([ts_literal(w) for w in floats])))
        return [f"{self.rt}.endpoint(", obj(items), ")"]

    def is_float(self, t: ir.TypeRef) -> bool:
        """Declared `float` (through aliases and `?`), or a list of floats (a repeated parameter)."""
        b, _ = base_type(self.api, t)
        if isinstance(b, ir.ListT):
            b, _ = base_type(self.api, b.item)
        return isinstance(b, ir.Prim) and b.name == "float"

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
                prop("requestTypeHeader", ts_literal(p.request_type_header)),
                prop("iterationHeader", ts_literal(p.iteration_header)),
                prop("metadataOnlyField", ts_literal(p.metadata_only_field)),
                prop("metadataStatusField", ts_literal(p.metadata_status_field)),
                prop("metadataStatusValue", ts_literal(p.metadata_status_value)),
                prop("expiredStatuses", statuses(p.expired_statuses)),
                prop("expiredResubmits", ts_literal(p.expired_resubmits)),
                prop("boundedRetryStatuses", statuses(p.bounded_retry_statuses)),
                prop("boundedRetries", ts_literal(p.bounded_retries)),
                prop("billingStatuses", statuses(p.billing_statuses)),
                prop("billingDelayMs", ts_literal(p.billing_delay_ms)),
                prop("billingMaxPauseMs", ts_literal(p.billing_max_pause_ms)),
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
            name = self.x.type_ref(record.id)
            items.append(prop("body", [f"{self.x.s}.encode(", name, ", ", obj([prop(k, v) for k, v in values]), ")"]))
        elif ep.request is not None:
            items.append(prop("body", obj([prop(k, v) for k, v in values])))
        return ["(", obj(items), ")"] if items else "({})"

    def profiles(self, p: ProfilesPlan) -> Doc:
        """A config option's profiles of defaults, as the runtime resolves them."""
        return obj(
            [
                prop("option", ts_literal(p.option)),
                prop(
                    "profiles",
                    array(
                        [
                            obj(
                                [
                                    prop("name", ts_literal(x.name)),
                                    prop("timeoutMs", ts_literal(x.timeout_ms)),
                                    prop("maxRetries", ts_literal(x.max_retries)),
                                ]
                            )
                            for x in p.profiles
                        ]
                    ),
                ),
                prop("defaultMaxRetries", ts_literal(p.base_max_retries)),
            ]
        )

    def config_option(self, o: ConfigOptionPlan) -> Doc:
        items = [prop("name", ts_literal(o.name)), prop("env", ts_literal(o.env)), prop("kind", ts_literal(o.env_kind))]
        if o.has_default:
            items.append(prop("default", ts_literal(ir.thaw(o.default))))
        return obj(items)

    def session(self, feat: ir.Feature) -> Doc:
        p = feat.params
        assert isinstance(p, ir.SessionLifecycle)
        create = self.api.endpoints[p.create_endpoint]
        session = self.plan.session
        assert session is not None
        args = ir.thaw(session.create_body) or {}
        create_values = [(k, ts_literal(v)) for k, v in args.items()] if isinstance(args, dict) else []
        request_record = self.api.record(create.request)
        for field_name, option, required in session.create_config:  # from the configuration (absent: left out, or null)
            f = request_record.field(field_name) if request_record is not None else None
            t = self.x.ts_type(f.type) if f is not None else "unknown"
            read = f"(options[{ts_literal(option)}] ?? null)" if required else f"options[{ts_literal(option)}]"
            create_values.append((field_name, f"{read} as {t}"))
        create_values.sort()
        items = [
            prop("create", endpoint_const(p.create_endpoint)),
            prop(
                "createRequest",
                ["(options) => " if session.create_config else "() => ", self.request_of(create, create_values)],
            ),
            prop("sessionIdField", ts_literal(p.session_id_field)),
        ]
        heartbeat = self.api.endpoints.get(p.heartbeat_endpoint or "")
        if heartbeat is not None:
            # the session id goes where the heartbeat endpoint takes it: its path, its body
            path = [(x.name, "sessionId") for x in heartbeat.path_params if x.name == p.session_id_field]
            record = self.api.record(heartbeat.request)
            in_body = record is not None and record.field(p.session_id_field) is not None
            values = [(p.session_id_field, "sessionId")] if in_body or (heartbeat.request is not None and record is None) else []
            if values:
                values += [(k, ts_literal(v)) for k, v in session.heartbeat_constants]
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
            name = self.x.type_ref(record.id)
            request: Doc = [f"(values) => ({{ body: {self.x.s}.encode<unknown>(", name, ", values) })"]
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

    def auth(self, plan: SdkPlan) -> list[dict[str, Any]]:
        """`AUTH_EXCHANGE` (when declared) and `AUTH`: the plan's auth decisions as data."""
        a = plan.auth
        assert a is not None
        decls = []
        x = a.exchange
        if x is not None:
            value = obj(
                [
                    prop("endpoint", endpoint_const(x.endpoint)),
                    prop("body", ts_literal(x.body)),
                    prop("tokenField", ts_literal(x.token_field)),
                    prop("lifetimeClaim", ts_literal(x.lifetime_claim)),
                    prop("lifetimeField", ts_literal(x.lifetime_field)),
                    prop("refreshWindow", ts_literal(list(x.refresh_window))),
                    prop("refreshBeforeSec", str(x.refresh_before_sec)),
                    prop("enabled", ts_literal(x.enabled)),
                    prop("enableEnv", ts_literal(x.enable_env)),
                ]
            )
            decls.append(self.declaration("AUTH_EXCHANGE", "Exchange", value))
        value = obj(
            [
                prop("header", ts_literal(a.header)),
                prop("credentialPrefix", ts_literal(a.credential_prefix)),
                prop("credentialBase64", ts_literal(a.credential_base64)),
                prop("tokenPrefix", ts_literal(a.token_prefix)),
                prop("exchange", "AUTH_EXCHANGE" if x is not None else "null"),
            ]
        )
        decls.append(self.declaration("AUTH", "AuthScheme", value))
        return decls

    def module(self) -> str:
        plan = self.plan
        svc = plan.service
        declaration = self.declaration
        decls: list[dict[str, Any]] = [
            declaration(
                "SETTINGS",
                "ServiceSettings",
                obj(
                    [
                        prop("apiKeyEnv", ts_literal(svc.auth.env if svc.auth else None)),
                        prop("baseUrlEnv", ts_literal(svc.base_url_env)),
                        prop("defaultBaseUrl", ts_literal(svc.base_url)),
                        prop("defaultTimeoutMs", str(svc.timeout_ms)),
                        *(
                            # the declared options (`service.config`), as the runtime resolves them
                            [prop("configOptions", array([self.config_option(o) for o in plan.config]))] if plan.config else []
                        ),
                    ]
                    + ([prop("credentialCommandEnv", ts_literal(plan.auth.command_env))] if plan.auth and plan.auth.command_env else [])
                    + (
                        [prop("environments", pairs(svc.environments)), prop("environmentEnv", ts_literal(svc.environment_env))]
                        if svc.environments
                        else []
                    )
                    + ([prop("profiles", "PROFILES")] if plan.profiles is not None else [])
                ),
            )
        ]
        if plan.profiles is not None:  # before SETTINGS, which names it
            doc = f"The profiles of defaults the `{plan.profiles.option}` option chooses among (the manifest's own timeout: `SETTINGS.defaultTimeoutMs`)."
            decls.insert(0, declaration("PROFILES", "ProfilesSpec", self.profiles(plan.profiles), doc))
        for feat in plan.features.values():
            p = feat.params
            name = feature_const(feat.id)
            if isinstance(p, ir.RetryPolicy):
                decls.append(declaration(name, "RetryPolicy", self.retry_policy(plan.retries[feat.id])))
            elif isinstance(p, ir.SamplingBackpressure):
                value = obj(
                    [
                        prop("statuses", statuses(p.retry_statuses)),
                        prop("smallDelayMs", str(p.small_backoff_ms)),
                        prop("largeDelayMs", str(p.large_backoff_ms)),
                        prop("smallRequestBytes", str(p.small_request_bytes)),
                        prop("headers", pairs(p.headers)),
                        prop("freshIdempotencyKey", "true" if p.fresh_idempotency_key else "false"),
                    ]
                )
                decls.append(declaration(name, "Backpressure", value))
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
                decls.append(declaration(name, "RetryHandler", value))
            elif isinstance(p, ir.QueueStateObserver):
                value = obj(
                    [
                        prop("id", ts_literal(feat.id)),
                        prop("debounceMs", str(p.debounce_ms)),
                        prop("level", ts_literal(p.log_level)),
                        *([prop("keyFields", array([ts_literal(f) for f in p.debounce_by]))] if p.debounce_by else []),
                    ]
                )
                decls.append(declaration(name, "QueueLog", value))
        for ep in plan.endpoints.values():
            path = self.api.endpoints[ep.id].path.template
            decls.append(declaration(endpoint_const(ep.id), None, self.endpoint(ep), f"`{ep.method} {path}`"))
        raw = plan.raw
        for method in RAW_METHODS:  # the raw requests' runtime, by method (`api.post`...): the path the caller's
            items = [prop("id", ts_literal("raw")), prop("method", ts_literal(method)), prop("path", ts_literal(""))]
            if raw is not None and raw.headers:
                items.append(prop("headers", pairs(raw.headers)))
            if raw is not None and raw.retry is not None:
                items.append(prop("retry", feature_const(raw.retry.feature)))
            if raw is not None and raw.idempotency_header is not None and method in raw.idempotency_methods:
                key = [prop("header", ts_literal(raw.idempotency_header)), prop("prefix", ts_literal(raw.idempotency_prefix))]
                items.append(prop("idempotency", obj(key)))
            decls.append(
                declaration(f"RAW_{method}", None, [f"{self.rt}.endpoint(", obj(items), ")"], f"A raw `{method}` (`api.{method.lower()}`)")
            )
        for feat in plan.features.values():
            if isinstance(feat.params, ir.PromiseResult):
                decls.append(declaration(feature_const(feat.id), "Futures", self.futures(feat.params)))
        if plan.auth is not None:
            decls.extend(self.auth(plan))
        service: list[Doc] = [
            prop("settings", "SETTINGS"),
            prop("authHeader", ts_literal(svc.auth.header if svc.auth else "Authorization")),
            prop("userAgent", ts_literal(f"{self.package}/{svc.version} (typescript; tinkc)")),
        ]
        if plan.session is not None:
            decls.append(declaration(feature_const(plan.session.feature), "Session", self.session(plan.features[plan.session.feature])))
        service.append(prop("session", feature_const(plan.session.feature) if plan.session else "null"))
        if plan.telemetry is not None:
            decls.append(declaration(feature_const(plan.telemetry), "TelemetrySpec", self.telemetry(plan.features[plan.telemetry])))
        service.append(prop("telemetry", feature_const(plan.telemetry) if plan.telemetry else "null"))
        if plan.auth is not None:
            service.append(prop("auth", "AUTH"))
        if plan.server_config is not None:
            # (endpoint constant, body) per fetch, in the manifest's order
            fetches = [array([endpoint_const(eid), ts_literal(ir.thaw(body))]) for eid, body in plan.server_config.fetches]
            service.append(prop("serverConfig", obj([prop("fetches", array(fetches))])))
        decls.append(declaration("SERVICE", "SDK", obj(service)))
        rt = self.rt  # (the SETTINGS annotation names the runtime's types: always imported)
        header = file_header(f"What the {svc.name} manifest says, as runtime data. Generated by tinkc: do not edit.", self.imports)
        return template("spec.ts.jinja").render(header=header, declarations=decls, rt=rt)


def spec_module(plan: SdkPlan, names: Symbols, package: str) -> str:
    return SpecWriter(plan, names, package).module()
