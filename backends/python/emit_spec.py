"""`_spec.py`: what the manifest says, as runtime data (service settings, features, endpoints), read
from the SDK plan. The constants' shapes are `templates/decl/spec.py.jinja`; this module hands it
the plan's objects and the names of the symbol provider, and records the imports."""

from __future__ import annotations

from types import SimpleNamespace

from tinkc.backends.python import pydoc as d
from tinkc.backends.python import symbols as sym
from tinkc.backends.python.literals import docstring, py_literal, tuple_literal
from tinkc.backends.python.pydoc import collection
from tinkc.backends.python.symbols import Imports
from tinkc.backends.python.templating import render, seconds
from tinkc.ir import nodes as ir
from tinkc.ir.types import telemetry_event_shapes
from tinkc.sdk import SdkPlan
from tinkc.sdk.plan import RAW_METHODS

# the kind of a feature's constant (a macro of decl/spec.py.jinja) and its runtime class
FEATURE_KINDS: dict[type, tuple[str, str]] = {
    ir.RetryPolicy: ("retry_policy", "RetryPolicy"),
    ir.SamplingBackpressure: ("backpressure", "Backpressure"),
    ir.RetryHandler: ("retry_handler", "RetryHandler"),
    ir.QueueStateObserver: ("queue_log", "QueueLog"),
}


def raw_const(method: str) -> str:
    """The constant of the raw requests' endpoint of a method (`RAW_POST`)."""
    return f"RAW_{method}"


def spec_module(api: ir.Api, plan: SdkPlan, package: str) -> str:
    svc = api.service
    imports = Imports()
    settings = SimpleNamespace(
        name="SETTINGS",
        cls=imports.use(sym.lib("ServiceSettings")),
        api_key_env=svc.auth.env if svc.auth else None,
        base_url_env=svc.base_url_env,
        base_url=svc.base_url,
        timeout_ms=svc.timeout_ms,
        # the pool holds what the retry handlers let be in flight (the runtime's default: 100)
        max_connections=plan.max_connections if plan.max_connections is not None and plan.max_connections > 100 else None,
        command_env=plan.auth.command_env if plan.auth is not None else None,
        # `environments=((name, URL), ...)`: the outer tuple laid out like every other literal
        environments=[
            "environments=",
            collection("(", [f"({py_literal(n)}, {py_literal(u)})" for n, u in svc.environments], ")", tuple_=True),
        ]
        if svc.environments
        else None,
        environment_env=svc.environment_env,
        # the declared options (`service.config`), as the runtime resolves them
        config_options=d.kwarg(
            "config_options",
            d.collection(
                "(",
                [
                    d.call(
                        imports.use(sym.lib("ConfigOption")),
                        [f"name={py_literal(o.name)}", f"env={py_literal(o.env)}", f"kind={py_literal(o.env_kind)}"]
                        + (["has_default=True", f"default={py_literal(ir.thaw(o.default))}"] if o.has_default else []),
                    )
                    for o in plan.config
                ],
                ")",
                tuple_=True,
            ),
        )
        if plan.config
        else None,
        # a config option's profiles of defaults: the option, each profile, the policy's own count
        profiles=(
            [
                f"profile_option={py_literal(plan.profiles.option)}",
                d.kwarg(
                    "profiles",
                    d.collection(
                        "(",
                        [
                            d.call(
                                imports.use(sym.lib("Profile")),
                                [f"name={py_literal(p.name)}"]
                                + ([f"timeout={seconds(p.timeout_ms)}"] if p.timeout_ms is not None else [])
                                + ([f"max_retries={p.max_retries}"] if p.max_retries is not None else []),
                            )
                            for p in plan.profiles.profiles
                        ],
                        ")",
                        tuple_=True,
                    ),
                ),
            ]
            + ([f"default_max_retries={plan.profiles.base_max_retries}"] if plan.profiles.base_max_retries is not None else [])
        )
        if plan.profiles is not None
        else None,
    )
    features: list[SimpleNamespace] = []
    futures: list[SimpleNamespace] = []
    for feat in plan.features.values():
        p = feat.params
        if type(p) in FEATURE_KINDS:
            kind, cls = FEATURE_KINDS[type(p)]
            entry = SimpleNamespace(
                kind=kind,
                id=feat.id,
                name=sym.feature_const(feat.id),
                cls=imports.use(sym.lib(cls)),
                params=p,
            )
            if isinstance(p, ir.RetryPolicy):  # every instance, used by an endpoint or not (as TypeScript's spec)
                entry.retry = plan.retries[feat.id]
            elif isinstance(p, ir.SamplingBackpressure):
                entry.headers = tuple((h.name, h.value) for h in p.headers)
            features.append(entry)
        elif isinstance(p, ir.PromiseResult):
            futures.append(
                SimpleNamespace(
                    name=sym.feature_const(feat.id),
                    cls=imports.use(sym.lib("Futures")),
                    params=p,
                    retrieve=sym.endpoint_const(p.retrieve_endpoint),
                )
            )
    endpoints = []
    for ep in plan.endpoints.values():
        rt = ep.runtime
        endpoints.append(
            SimpleNamespace(
                name=sym.endpoint_const(ep.id),
                cls=imports.use(sym.lib("Endpoint")),
                plan=ep,
                retry=sym.feature_const(rt.retry.feature) if rt.retry is not None else None,
                backpressure=sym.feature_const(rt.backpressure) if rt.backpressure is not None else None,
                handler=sym.feature_const(rt.handler) if rt.handler is not None else None,
                queue_log=sym.feature_const(rt.queue_log) if rt.queue_log is not None else None,
            )
        )
    # the raw requests' runtime, by method (`api.post`...): the plan's `raw`, the path the caller's
    raw = plan.raw
    for method in RAW_METHODS:
        endpoints.append(
            SimpleNamespace(
                name=raw_const(method),
                cls=imports.use(sym.lib("Endpoint")),
                plan=SimpleNamespace(
                    id="raw",
                    method=method,
                    path="",
                    response="value",
                    runtime=SimpleNamespace(
                        headers=raw.headers if raw is not None else (),
                        idempotency_header=raw.idempotency_header if raw is not None and method in raw.idempotency_methods else None,
                        idempotency_prefix=raw.idempotency_prefix if raw is not None else "",
                        poll_timeout_ms=None,
                        request_type=None,
                    ),
                ),
                retry=sym.feature_const(raw.retry.feature) if raw is not None and raw.retry is not None else None,
                backpressure=None,
                handler=None,
                queue_log=None,
            )
        )
    auth = None
    if plan.auth is not None:
        auth = SimpleNamespace(
            name="AUTH",
            cls=imports.use(sym.lib("AuthScheme")),
            plan=plan.auth,
            exchange=sym.endpoint_const(plan.auth.exchange.endpoint) if plan.auth.exchange is not None else None,
            exchange_name="AUTH_EXCHANGE",
            exchange_cls=imports.use(sym.lib("Exchange")) if plan.auth.exchange is not None else None,
        )
    service = SimpleNamespace(
        name="SERVICE",
        cls=imports.use(sym.lib("SDK")),
        settings=settings.name,
        auth_header=svc.auth.header if svc.auth else "Authorization",
        user_agent=f"{package}/{svc.version} (python; tinkc)",
        session=None,
        telemetry=None,
        auth=auth.name if auth is not None else None,
        server_config=None,
    )
    if plan.server_config is not None:
        # (endpoint constant, body) per fetch, in the manifest's order
        fetches = [
            d.collection("(", [sym.endpoint_const(eid), py_literal(ir.thaw(body))], ")", tuple_=True)
            for eid, body in plan.server_config.fetches
        ]
        service.server_config = d.kwarg(
            "server_config",
            d.call(imports.use(sym.lib("ServerConfig")), [d.kwarg("fetches", d.collection("(", fetches, ")", tuple_=True))]),
        )
    session = None
    if plan.session is not None:
        s = plan.session
        session = SimpleNamespace(
            name=sym.feature_const(s.feature),
            cls=imports.use(sym.lib("Session")),
            plan=s,
            create=sym.endpoint_const(s.create_endpoint),
            heartbeat=sym.endpoint_const(s.heartbeat_endpoint) if s.heartbeat_endpoint else None,
            # the create fields read from the configuration: (field, option, null when absent)
            create_config=d.kwarg("create_config", d.collection("(", [tuple_literal(c) for c in s.create_config], ")", tuple_=True))
            if s.create_config
            else None,
        )
        service.session = session.name
    telemetry = None
    if plan.telemetry is not None:
        telemetry = telemetry_spec(api, plan.features[plan.telemetry], imports)
        service.telemetry = telemetry.name
    return render(
        "_spec.py.jinja",
        doc="\n".join(docstring(f"What the {svc.name} manifest says, as runtime data. Generated by tinkc: do not edit.", "")),
        imports="\n".join(imports.lines()),
        settings=settings,
        features=features,
        endpoints=endpoints,
        futures=futures,
        session=session,
        telemetry=telemetry,
        auth=auth,
        service=service,
    )


def telemetry_spec(api: ir.Api, feat: ir.Feature, imports: Imports) -> SimpleNamespace:
    """The telemetry feature: one EventKind constant per kind of event, then the TelemetrySpec."""
    p = feat.params
    assert isinstance(p, ir.Telemetry)
    name = sym.feature_const(feat.id)
    shapes = telemetry_event_shapes(api, p)
    kinds = [SimpleNamespace(name=sym.event_const(name, s.kind), cls=imports.use(sym.lib("EventKind")), shape=s) for s in shapes]
    return SimpleNamespace(
        name=name,
        cls=imports.use(sym.lib("TelemetrySpec")),
        params=p,
        kinds=kinds,
        events=sym.event_const(name, "events"),
        endpoint=sym.endpoint_const(p.endpoint),
        sdk_version=api.service.version,
    )
