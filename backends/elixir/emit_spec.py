"""`<Namespace>.Spec`: what the manifest says, as runtime data (the service, every endpoint and the
feature instances they use). The runtime reads all its constants from here: retry statuses and
backoff, futures field names, backpressure delays, heartbeat and telemetry settings."""

from __future__ import annotations

from typing import Any

from tinkc.backends.base import snake_case
from tinkc.backends.elixir import exfmt, symbols, templating
from tinkc.backends.elixir.emit_types import TypeRenderer, float_literal, int_literal
from tinkc.backends.elixir.exfmt import List as ListNode
from tinkc.backends.elixir.exfmt import Map, Node, Pair, Struct, Text, Tuple
from tinkc.backends.elixir.modules import Aliases
from tinkc.backends.elixir.symbols import Layout
from tinkc.ir import nodes as ir
from tinkc.ir.types import telemetry_event_shapes
from tinkc.sdk import EndpointPlan, SdkPlan
from tinkc.sdk.plan import RAW_METHODS

# The manifest's promise_result gives no backoff for transient poll failures (no answer, 429, 5xx).
# These are the values of the Python SDK's runtime (`Futures.transient_*`), so both wait alike; they
# live here, in the generated Spec, and not in the Elixir runtime.

# Module attributes Elixir gives a meaning: a feature id of this name gets a suffix.
RESERVED_ATTRIBUTES = frozenset(
    {"behaviour", "callback", "compile", "deprecated", "derive", "dialyzer", "doc", "enforce_keys", "external_resource",
     "file", "impl", "macrocallback", "moduledoc", "on_definition", "on_load", "optional_callbacks", "spec", "type",
     "typedoc", "typep", "opaque", "vsn", "after_compile", "before_compile", "since"}
)  # fmt: skip


def attr(feature_id: str) -> str:
    name = symbols.field_name(snake_case(feature_id))
    return name + "_feature" if name in RESERVED_ATTRIBUTES else name


def ranges(statuses: tuple[ir.StatusRange, ...]) -> Node:
    return ListNode([Tuple([Text(str(r.lo)), Text(str(r.hi))]) for r in statuses])


def pairs_of(statuses: tuple[tuple[int, int], ...]) -> Node:
    return ListNode([Tuple([Text(str(lo)), Text(str(hi))]) for lo, hi in statuses])


def number(value: float | int) -> str:
    return float_literal(float(value)) if isinstance(value, float) else int_literal(value)


def headers(items: tuple[ir.Header, ...]) -> Node:
    return ListNode([Tuple([Text(symbols.string(h.name)), Text(symbols.string(h.value))]) for h in items])


def optional_text(value: str | None) -> Node:
    """A string literal, or `nil`."""
    return Text(symbols.string(value) if value is not None else "nil")


def pairs(items: list[tuple[str, Node]]) -> list[Node]:
    return [Pair(symbols.key(k), v) for k, v in items]


def json_term(value: Any) -> Node:
    """A JSON value as an Elixir term with string keys (request bodies are sent as they are)."""
    value = ir.thaw(value)
    if isinstance(value, dict):
        return Map([Pair(f"{symbols.string(k)} =>", json_term(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ListNode([json_term(v) for v in value])
    if value is None:
        return Text("nil")
    if isinstance(value, bool):
        return Text("true" if value else "false")
    if isinstance(value, (int, float)):
        return Text(number(value))
    return Text(symbols.string(str(value)))


class SpecWriter:
    def __init__(self, plan: SdkPlan, layout: Layout) -> None:
        self.plan = plan
        self.api = plan.api
        self.layout = layout
        self.module = layout.runtime("Spec")
        self.aliases = Aliases(self.module)
        self.types = TypeRenderer(plan.api, layout, self.aliases)
        # the feature instances the module names (`@name`): only they get an attribute (an unused
        # one is a compiler warning); recorded as the writer names them
        self.named: set[str] = set()

    def feature_ref(self, feature_id: str) -> str:
        self.named.add(feature_id)
        return f"@{attr(feature_id)}"

    def struct(self, name: str, items: list[tuple[str, Node]]) -> Node:
        return Struct(self.aliases.ref(self.layout.runtime(f"Runtime.{name}")), pairs(items))

    # -- features -----------------------------------------------------------------------------------

    def feature(self, feat: ir.Feature) -> Node | None:
        p = feat.params
        if isinstance(p, ir.RetryPolicy):
            retry = self.plan.retries[feat.id]  # as the plan applies it (its timeout-exception mapping included)
            return self.struct(
                "RetryPolicy",
                [
                    ("max_retries", Text(str(retry.max_retries))),
                    ("statuses", pairs_of(retry.statuses)),
                    ("on_connection_error", Text(str(retry.on_connection_error).lower())),
                    ("on_timeout", Text(str(retry.on_timeout).lower())),
                    ("base_ms", Text(int_literal(retry.base_ms))),
                    ("max_ms", Text(int_literal(retry.max_ms))),
                    ("jitter", Text(float_literal(float(retry.jitter)))),
                    ("retry_after_max_ms", Text(int_literal(retry.retry_after_max_ms))),
                    ("should_retry_header", optional_text(retry.should_retry_header)),
                    *([("profiled", Text("true"))] if retry.profiled else []),
                ],
            )
        if isinstance(p, ir.RetryHandler):
            return self.struct(
                "RetryHandler",
                [
                    ("id", Text(symbols.string(feat.id))),
                    ("max_connections", Text(int_literal(p.max_connections))),
                    ("progress_timeout_ms", Text(int_literal(p.progress_timeout_ms))),
                    ("base_ms", Text(int_literal(p.base_ms))),
                    ("max_ms", Text(int_literal(p.max_ms))),
                    ("jitter", Text(float_literal(float(p.jitter_factor)))),
                ],
            )
        if isinstance(p, ir.SamplingBackpressure):
            return self.struct(
                "Backpressure",
                [
                    ("statuses", ranges(p.retry_statuses)),
                    ("small_delay_ms", Text(int_literal(p.small_backoff_ms))),
                    ("large_delay_ms", Text(int_literal(p.large_backoff_ms))),
                    ("small_request_bytes", Text(int_literal(p.small_request_bytes))),
                    ("headers", headers(p.headers)),
                    ("fresh_idempotency_key", Text("true" if p.fresh_idempotency_key else "false")),
                ],
            )
        if isinstance(p, ir.PromiseResult):
            return self.struct(
                "Futures",
                [
                    ("id", Text(symbols.string(feat.id))),
                    ("retrieve", Text(symbols.string(p.retrieve_endpoint))),
                    ("request_id_field", Text(symbols.string(p.request_id_field))),
                    ("result_field", optional_text(p.result_field)),
                    ("try_again_field", Text(symbols.string(p.try_again_field))),
                    ("try_again_value", Text(symbols.string(p.try_again_value))),
                    ("error_field", Text(symbols.string(p.error_field))),
                    ("category_field", Text(symbols.string(p.category_field))),
                    ("queue_state_field", optional_text(p.queue_state_field)),
                    ("queue_state_reason_field", optional_text(p.queue_state_reason_field)),
                    ("timeout_ms", Text(int_literal(p.timeout_ms) if p.timeout_ms else "nil")),
                    ("categories", ListNode([Text(symbols.string(c)) for c in p.categories])),
                    ("queue_states", ListNode([Text(symbols.string(c)) for c in p.queue_states])),
                    ("pending_statuses", ranges(p.pending_statuses)),
                    ("transient_base_ms", Text(int_literal(p.poll_retry.base_ms))),
                    ("transient_max_ms", Text(int_literal(p.poll_retry.max_ms))),
                    ("transient_jitter", Text(float_literal(p.poll_retry.jitter))),
                    ("request_type_header", optional_text(p.request_type_header)),
                    ("iteration_header", optional_text(p.iteration_header)),
                    ("metadata_only_field", optional_text(p.metadata_only_field)),
                    ("metadata_status_field", Text(symbols.string(p.metadata_status_field))),
                    ("metadata_status_value", Text(symbols.string(p.metadata_status_value))),
                    ("expired_statuses", ranges(p.expired_statuses)),
                    ("expired_resubmits", Text(int_literal(p.expired_resubmits))),
                    ("bounded_retry_statuses", ranges(p.bounded_retry_statuses)),
                    ("bounded_retries", Text(int_literal(p.bounded_retries))),
                    ("billing_statuses", ranges(p.billing_statuses)),
                    ("billing_delay_ms", Text(int_literal(p.billing_delay_ms))),
                    ("billing_max_pause_ms", Text(int_literal(p.billing_max_pause_ms))),
                ],
            )
        if isinstance(p, ir.QueueStateObserver):
            return self.struct(
                "QueueLog",
                [
                    ("id", Text(symbols.string(feat.id))),
                    ("debounce_ms", Text(int_literal(p.debounce_ms))),
                    ("level", Text(symbols.atom(p.log_level))),
                    *([("key_fields", ListNode([Text(symbols.atom(f)) for f in p.debounce_by]))] if p.debounce_by else []),
                ],
            )
        return None

    # -- endpoints ----------------------------------------------------------------------------------

    def endpoint(self, ep: EndpointPlan) -> Node:
        items: list[tuple[str, Node]] = [
            ("id", Text(symbols.string(ep.id))),
            ("method", Text(symbols.atom(ep.method.lower()))),
            ("path", Text(symbols.string(ep.path))),
        ]
        own = self.api.endpoints[ep.id].headers  # the service's are in `service/0`
        if own:
            items.append(("headers", headers(own)))
        rt = ep.runtime
        # the queue-state log is no runtime unit of the plan: the endpoint's feature, as declared
        logs = self.api.endpoint_features(self.api.endpoints[ep.id], "queue_state_observer")
        for key, feature in (
            ("retry", rt.retry.feature if rt.retry else None),
            ("backpressure", rt.backpressure),
            ("handler", rt.handler),
            ("futures", rt.futures),
            ("queue_log", logs[0].id if logs else None),
        ):
            if feature is not None:
                items.append((key, Text(self.feature_ref(feature))))
        if rt.idempotency_header is not None:
            items.append(("idempotency_header", Text(symbols.string(rt.idempotency_header))))
            if rt.idempotency_prefix:
                items.append(("idempotency_prefix", Text(symbols.string(rt.idempotency_prefix))))
        if ep.response == "redirect":
            items.append(("redirect_location", Text("true")))
        if rt.poll_timeout_ms is not None:
            items.append(("timeout_ms", Text(int_literal(rt.poll_timeout_ms))))
        if rt.request_type is not None:
            items.append(("request_type", Text(symbols.string(rt.request_type))))
        return self.struct("Endpoint", items)

    def raw_endpoint(self, method: str) -> Node:
        """The runtime of a raw request of this method (the plan's `raw`): its path is the caller's."""
        raw = self.plan.raw
        items: list[tuple[str, Node]] = [
            ("id", Text(symbols.string("raw"))),
            ("method", Text(symbols.atom(method.lower()))),
            ("path", Text('""')),
        ]
        if raw is not None and raw.retry is not None:
            items.append(("retry", Text(self.feature_ref(raw.retry.feature))))
        if raw is not None and raw.idempotency_header is not None and method in raw.idempotency_methods:
            items.append(("idempotency_header", Text(symbols.string(raw.idempotency_header))))
            if raw.idempotency_prefix:
                items.append(("idempotency_prefix", Text(symbols.string(raw.idempotency_prefix))))
        return self.struct("Endpoint", items)

    # -- service ------------------------------------------------------------------------------------

    def session(self) -> Node | None:
        session = self.plan.session
        if session is None:
            return None
        p = session.params
        return self.struct(
            "SessionSpec",
            [
                ("create", Text(symbols.string(p.create_endpoint))),
                ("heartbeat", Text(symbols.string(p.heartbeat_endpoint) if p.heartbeat_endpoint else "nil")),
                ("session_id_field", Text(symbols.string(p.session_id_field))),
                ("interval_ms", Text(int_literal(p.heartbeat_interval_ms))),
                ("heartbeat_timeout_ms", Text(int_literal(p.heartbeat_timeout_ms))),
                ("warn_after_ms", Text(int_literal(p.warn_after_ms) if p.warn_after_ms else "nil")),
                ("create_body", json_term(session.create_body or {})),
                ("heartbeat_body", json_term(dict(session.heartbeat_constants))),
                *(
                    [
                        (
                            "create_config",
                            ListNode(
                                [
                                    Tuple([Text(symbols.string(f)), Text(symbols.atom(o)), Text("true" if required else "false")])
                                    for f, o, required in session.create_config
                                ]
                            ),
                        )
                    ]
                    if session.create_config
                    else []
                ),
                ("heartbeat_in_path", Text("true" if session.heartbeat_in_path else "false")),
                ("stop_statuses", ranges(p.stop_on_statuses)),
            ],
        )

    def telemetry(self) -> Node | None:
        if self.plan.telemetry is None:
            return None
        p = self.plan.features[self.plan.telemetry].params
        assert isinstance(p, ir.Telemetry)
        kinds = []
        for shape in telemetry_event_shapes(self.api, p):
            kind = Map(
                [
                    Pair("fields:", ListNode([Text(symbols.string(f)) for f in shape.wire_fields])),
                    Pair("tag_field:", optional_text(self.wire_tag_field(shape.record, shape.tag_field))),
                    Pair("tag:", optional_text(shape.tag)),
                ]
            )
            kinds.append(Pair(f"{symbols.string(shape.kind)} =>", kind))
        return self.struct(
            "TelemetrySpec",
            [
                ("endpoint", Text(symbols.string(p.endpoint))),
                ("enabled_env", optional_text(p.enabled_env)),
                ("batch_size", Text(int_literal(p.batch_size))),
                ("flush_interval_ms", Text(int_literal(p.flush_interval_ms))),
                ("max_queue_size", Text(int_literal(p.max_queue_size))),
                ("timeout_ms", Text(int_literal(p.timeout_ms))),
                ("drain_timeout_ms", Text(int_literal(p.drain_timeout_ms))),
                ("events_field", Text(symbols.string(p.events_field))),
                ("session_id_field", optional_text(p.session_id_field)),
                ("process_id_field", optional_text(p.process_id_field)),
                ("platform_field", optional_text(p.platform_field)),
                ("sdk_version_field", optional_text(p.sdk_version_field)),
                ("sdk_version", Text(symbols.string(self.api.service.version))),
                ("kinds", Map(kinds)),
            ],
        )

    def wire_tag_field(self, record_id: str, tag_field: str | None) -> str | None:
        """The wire name of the discriminator field in the event's record."""
        record = self.api.types.get(record_id)
        if tag_field is None or not isinstance(record, ir.Record):
            return tag_field
        field = record.field(tag_field)
        return field.json_name if field is not None else tag_field

    def service(self) -> Node:
        svc = self.api.service
        items: list[tuple[str, Node]] = [
            ("name", Text(symbols.string(svc.name))),
            ("version", Text(symbols.string(svc.version))),
            ("sdk_version", Text(symbols.string(self.layout.version))),
            ("auth_header", Text(symbols.string(svc.auth.header if svc.auth else "Authorization"))),
            ("api_key_env", Text(symbols.string(svc.auth.env) if svc.auth and svc.auth.env else "nil")),
            ("base_url_env", Text(symbols.string(svc.base_url_env) if svc.base_url_env else "nil")),
            ("default_base_url", Text(symbols.string(svc.base_url) if svc.base_url else "nil")),
            ("timeout_ms", Text(int_literal(svc.timeout_ms))),
            ("user_agent", Text(symbols.string(f"{self.layout.app}/{self.layout.version} (elixir; tinkc)"))),
        ]
        if svc.headers:
            items.append(("headers", headers(svc.headers)))
        if self.plan.config:
            options = [
                Tuple(
                    [
                        Text(symbols.atom(o.name)),
                        Text(symbols.string(o.env) if o.env else "nil"),
                        Text(f":{o.env_kind}" if o.env_kind else "nil"),
                        Tuple([Text(":default"), json_term(o.default)]) if o.has_default else Text(":none"),
                    ]
                )
                for o in self.plan.config
            ]
            items.append(("config_options", ListNode(options)))
        profiles = self.plan.profiles
        if profiles is not None:
            nil_or = lambda n: Text(int_literal(n) if n is not None else "nil")  # noqa: E731
            entries = [Tuple([Text(symbols.string(p.name)), nil_or(p.timeout_ms), nil_or(p.max_retries)]) for p in profiles.profiles]
            items.append(("profiles", Tuple([Text(symbols.atom(profiles.option)), ListNode(entries), nil_or(profiles.base_max_retries)])))
        session = self.session()
        if session is not None:
            items.append(("session", session))
        telemetry = self.telemetry()
        if telemetry is not None:
            items.append(("telemetry", telemetry))
        auth = self.auth()
        if auth is not None:
            items.append(("auth", auth))
        if self.plan.server_config is not None:
            # {endpoint id, body} per fetch, in the manifest's order
            fetches = [
                Tuple([Text(symbols.string(eid)), json_term(body) if body is not None else Text("nil")])
                for eid, body in self.plan.server_config.fetches
            ]
            items.append(("server_config", ListNode(fetches)))
        if svc.environments:
            items.append(("environment_env", optional_text(svc.environment_env)))
            items.append(
                ("environments", ListNode([Tuple([Text(symbols.string(n)), Text(symbols.string(u))]) for n, u in svc.environments]))
            )
        return self.struct("Service", items)

    def auth(self) -> Node | None:
        """The plan's auth decisions (`AuthSpec`); the exchange is a map."""
        a = self.plan.auth
        if a is None:
            return None
        x = a.exchange
        exchange: Node = Text("nil")
        if x is not None:
            lo, hi = x.refresh_window
            exchange = Map(
                pairs(
                    [
                        ("endpoint", Text(symbols.string(x.endpoint))),
                        ("body", json_term(x.body)),
                        ("token_field", Text(symbols.string(x.token_field))),
                        ("lifetime_claim", optional_text(x.lifetime_claim)),
                        ("lifetime_field", optional_text(x.lifetime_field)),
                        ("refresh_window", Tuple([Text(number(lo)), Text(number(hi))])),
                        ("refresh_before_sec", Text(int_literal(x.refresh_before_sec))),
                        ("enabled", Text("true" if x.enabled else "false")),
                        ("enable_env", optional_text(x.enable_env)),
                    ]
                )
            )
        return self.struct(
            "AuthSpec",
            [
                ("header", Text(symbols.string(a.header))),
                ("command_env", optional_text(a.command_env)),
                ("exchange", exchange),
                ("credential_prefix", Text(symbols.string(a.credential_prefix))),
                ("credential_base64", Text("true" if a.credential_base64 else "false")),
                ("token_prefix", Text(symbols.string(a.token_prefix))),
            ],
        )

    # -- the module ---------------------------------------------------------------------------------

    def source(self) -> tuple[str, str]:
        api = self.api
        ref = self.aliases.ref
        runtime = self.layout.runtime
        clients = Map([Pair(f"{symbols.string(c.id)} =>", Text(ref(self.layout.client_module(c)))) for c in self.plan.clients.values()])
        logs = [f for f in api.features.values() if isinstance(f.params, ir.QueueStateObserver)]
        futures = [f for f in api.features.values() if isinstance(f.params, ir.PromiseResult)]
        handlers = [f for f in api.features.values() if isinstance(f.params, ir.RetryHandler)]
        body = templating.render(
            "spec.ex.jinja",
            service_t=ref(runtime("Runtime.Service")),
            service=lines(exfmt.statement(self.service(), 4)),
            endpoint_t=ref(runtime("Runtime.Endpoint")),
            endpoints=[(symbols.string(ep.id), lines(exfmt.statement(self.endpoint(ep), 4))) for ep in self.plan.endpoints.values()],
            raw=[(symbols.atom(m.lower()), lines(exfmt.statement(self.raw_endpoint(m), 4))) for m in RAW_METHODS],
            handler_t=ref(runtime("Runtime.RetryHandler")),
            handlers=[self.feature_ref(f.id) for f in handlers],
            clients=lines(exfmt.short_def("clients", clients)),
            log_t=ref(runtime("Runtime.QueueLog")) if logs else "",
            logs=[(symbols.string(f.id), self.feature_ref(f.id)) for f in logs],
            futures_t=ref(runtime("Runtime.Futures")),
            futures=[(symbols.string(f.id), self.feature_ref(f.id)) for f in futures],
        ).removesuffix("\n")
        moduledoc = exfmt.heredoc(
            "@moduledoc",
            f"What the {api.service.name} manifest says, as runtime data: the service, its endpoints and the "
            "features they use. The runtime takes every constant it applies from here.\n\nGenerated by tinkc: do not edit.",
        )
        # a feature instance nothing names gets no attribute (an unused one is a compiler warning);
        # built before the aliases are listed, since its struct needs one
        attributes = [
            exfmt.layout(node, f"  @{attr(feat.id)} ", 2)
            for feat in api.features.values()
            if feat.id in self.named and (node := self.feature(feat)) is not None
        ]
        head = [lines(moduledoc), lines(self.aliases.lines()), lines(exfmt.block(attributes))]
        return self.layout.path(self.module), templating.module(self.module, head, [body])


def lines(out: list[str]) -> str:
    return "\n".join(out)


def spec_module(plan: SdkPlan, layout: Layout) -> tuple[str, str]:
    return SpecWriter(plan, layout).source()
