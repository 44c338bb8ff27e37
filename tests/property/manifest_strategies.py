"""A hypothesis strategy for *coherent* manifests: every section filled from small shared pools of
names, so that declarations refer to each other (rightly and wrongly) far more often than random
data would. Used by the fuzz tests (never crash) and the pass tests (invariants when it checks).
"""

from __future__ import annotations

from typing import Any

import yaml
from hypothesis import strategies as st

TYPES = ["A", "B", "C", "D"]
FIELDS = ["x", "y", "id", "type", "request_id", "session_id"]
GROUPS = ["g", "h"]
ENDPOINTS = ["g.a", "g.b", "h.c", "h.d"]
FEATURES = ["f_retry", "f_future", "f_session", "f_tele", "f_idem", "f_page", "f_queue", "f_handler", "f_back"]
CLIENTS = ["c", "d"]
MODULES = {"c": "X.Cee", "d": "X.Dee"}
FLOWS = ["f1", "f2", "f3"]
METHODS = ["m", "n", "a", "f1"]
STEP_IDS = ["s1", "s2", "s3", "step1", "step2"]
PRIMS = ["string", "int", "float", "bool", "any", "bytes", "datetime"]

names = st.sampled_from
type_names = names(TYPES + PRIMS + ["Nope"])
type_texts = st.one_of(
    type_names,
    type_names.map(lambda t: f"{t}?"),
    type_names.map(lambda t: f"[{t}]"),
    type_names.map(lambda t: f"map[string,{t}]"),
    st.tuples(type_names, type_names).map(lambda p: f"{p[0]} | {p[1]}"),
    names(['"lit"', '"other"', "1", "[A]?", "(A | B)?"]),
)
type_exprs: st.SearchStrategy[Any] = st.one_of(type_texts, type_texts, type_names.map(lambda t: [t]))  # `[A]` as a YAML list

scalars = st.one_of(st.none(), st.booleans(), st.integers(-3, 600), st.sampled_from(["lit", "x", "", "500-599", "429", "text"]))
binding_paths = st.lists(st.one_of(names(FIELDS), st.integers(0, 2)), max_size=2)


@st.composite
def bindings(draw: st.DrawFn) -> str:
    source = draw(names(["input", "result", "steps", "state", "input", "result", "nope"]))
    path: list[Any] = []
    if source == "steps":
        path.append(draw(names(STEP_IDS)))
    elif source in ("input", "state"):
        path.append(draw(names(FIELDS)))
    path.extend(draw(binding_paths))
    text = source + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path)
    return "${" + text + "}"


values = st.recursive(
    st.one_of(scalars, bindings(), st.tuples(bindings(), bindings()).map(lambda b: f"{b[0]}:{b[1]}"), st.just("$${x}")),
    lambda c: st.one_of(st.lists(c, max_size=2), st.dictionaries(names(FIELDS), c, max_size=2)),
    max_leaves=4,
)
args = st.dictionaries(names(FIELDS + ["body", "nope"]), values, max_size=3)

call_targets = names(ENDPOINTS + FLOWS + [f"{c}.{m}" for c in CLIENTS for m in METHODS] + ["Cee.m", "Dee.a", "nope", "c.f1", "g.zz"])


@st.composite
def steps(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(names(["call", "call", "call", "await_future", "build_client", "return"]))
    step: dict[str, Any] = {}
    if draw(st.booleans()):
        step["id"] = draw(names(STEP_IDS))
    if kind == "call":
        step["call"] = draw(call_targets)
        if draw(st.booleans()):
            step["args"] = draw(args)
        if draw(st.integers(0, 4)) == 0:
            step["on"] = draw(bindings())
    elif kind == "await_future":
        step["await_future"] = draw(st.one_of(st.just(True), type_exprs))
    elif kind == "build_client":
        target = draw(names(CLIENTS + list(MODULES.values()) + ["Cee", "nope"]))
        step["build_client"] = {"client": target, "with": draw(args)} if draw(st.booleans()) else target
    else:
        step["return"] = draw(values)
    if draw(st.integers(0, 5)) == 0:
        step["after"] = draw(st.lists(names(STEP_IDS), max_size=2))
    return step


@st.composite
def flows(draw: st.DrawFn, top_level: bool) -> dict[str, Any]:
    flow: dict[str, Any] = {"steps": draw(st.lists(steps(), min_size=1, max_size=4))}
    if top_level:
        flow["client"] = draw(names(CLIENTS + ["nope"]))
    if draw(st.integers(0, 3)) == 0:
        flow["inputs"] = draw(st.dictionaries(names(FIELDS), type_exprs, max_size=2))
    return flow


@st.composite
def type_decls(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(names(["record", "record", "enum", "union", "alias"]))
    if kind == "record":
        fields: dict[str, Any] = {}
        for name in draw(st.lists(names(FIELDS), unique=True, max_size=3)):
            if draw(st.booleans()):
                fields[name] = draw(type_exprs)
            else:
                f: dict[str, Any] = {"type": draw(type_exprs)}
                if draw(st.booleans()):
                    f["default"] = draw(scalars)
                if draw(st.booleans()):
                    f["optional"] = True
                fields[name] = f
        decl: dict[str, Any] = {"fields": fields}
    elif kind == "enum":
        decl = {"enum": draw(st.lists(names(["a", "b", "lit", "x"]), min_size=1, max_size=3))}
    elif kind == "union":
        variants = draw(
            st.lists(
                st.one_of(names(TYPES + ["Nope"]), st.fixed_dictionaries({"type": names(TYPES), "tag": names(["lit", "t"])})),
                min_size=1,
                max_size=3,
            )
        )
        decl = {"union": variants}
        if draw(st.booleans()):
            decl["discriminator"] = draw(names(["type", "x"]))
    else:
        decl = {"alias": draw(type_exprs)}
    if draw(st.booleans()):
        decl["export"] = True
    return decl


@st.composite
def endpoints(draw: st.DrawFn) -> dict[str, Any]:
    variables = draw(st.lists(names(FIELDS), unique=True, max_size=2))
    path = "/r" + "".join(f"/{{{'+' if draw(st.booleans()) else ''}{v}}}" for v in variables)
    ep: dict[str, Any] = {"method": draw(names(["GET", "POST", "PUT", "PATCH", "DELETE"])), "path": path}
    for key in ("request", "response"):
        if draw(st.booleans()):
            ep[key] = draw(type_exprs)
    if draw(st.booleans()):
        ep["features"] = draw(st.lists(names(FEATURES + ["nope"]), unique=True, max_size=3))
    if draw(st.integers(0, 3)) == 0:
        ep["query"] = draw(st.dictionaries(names(FIELDS), type_exprs, max_size=2))
    if draw(st.integers(0, 3)) == 0:
        ep["path_params"] = draw(
            st.dictionaries(names(FIELDS), st.one_of(type_exprs, st.fixed_dictionaries({"raw": st.booleans()})), max_size=2)
        )
    if draw(st.integers(0, 5)) == 0:
        ep["response_handler"] = "redirect_location"
    return ep


endpoint_refs = names(ENDPOINTS + ["nope.x"])
FEATURE_PARAMS: dict[str, st.SearchStrategy[dict[str, Any]]] = {
    "retry_policy": st.fixed_dictionaries(
        {},
        optional={
            "max_retries": st.integers(-1, 5),
            "retry_on": st.fixed_dictionaries({"status": st.lists(names([408, 429, "500-599", "599-500", 200, 99]), max_size=3)}),
            "backoff": st.fixed_dictionaries({"base_ms": st.integers(0, 600), "max_ms": st.integers(0, 600)}),
        },
    ),
    "promise_result": st.fixed_dictionaries(
        {"retrieve_endpoint": endpoint_refs},
        optional={
            "request_id_field": names(FIELDS),
            "result_field": names(FIELDS),
            "try_again": st.fixed_dictionaries({"field": names(FIELDS), "value": names(["try_again"])}),
            "handle_type": type_exprs,
        },
    ),
    "session_lifecycle": st.fixed_dictionaries(
        {"create_endpoint": endpoint_refs}, optional={"heartbeat_endpoint": endpoint_refs, "session_id_field": names(FIELDS)}
    ),
    "telemetry": st.fixed_dictionaries({}, optional={"endpoint": endpoint_refs, "batch_size": st.integers(0, 20000)}),
    "idempotency_key": st.fixed_dictionaries({}, optional={"methods": st.lists(names(["POST", "PUT", "GET"]), max_size=2)}),
    "pagination": st.fixed_dictionaries({}, optional={"items_field": names(FIELDS), "total_field": names(FIELDS)}),
    "queue_state_observer": st.fixed_dictionaries({}, optional={"debounce_sec": st.integers(-1, 5)}),
    "retry_handler": st.fixed_dictionaries({"max_connections": st.integers(0, 5), "progress_timeout_ms": st.integers(0, 5)}),
    "sampling_backpressure": st.fixed_dictionaries({}, optional={"retry_status": st.lists(names([429, 503]), max_size=2)}),
}


@st.composite
def features(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(names(sorted(FEATURE_PARAMS)))
    return {"type": kind, **draw(FEATURE_PARAMS[kind])}


@st.composite
def clients(draw: st.DrawFn, cid: str) -> dict[str, Any]:
    client: dict[str, Any] = {}
    if draw(st.booleans()):
        client["module"] = MODULES[cid]
    if draw(st.booleans()):
        client["resource"] = draw(st.lists(names(GROUPS + ["zz"]), unique=True, max_size=2))
    if draw(st.booleans()):
        client["state"] = draw(
            st.dictionaries(
                names(FIELDS), st.one_of(type_exprs, st.fixed_dictionaries({"type": names(["int"]), "counter": st.just(True)})), max_size=2
            )
        )
    if draw(st.booleans()):
        target = names(ENDPOINTS + FLOWS + ["nope"])
        client["methods"] = draw(
            st.dictionaries(
                names(METHODS),
                st.one_of(
                    names(ENDPOINTS + ["nope.x"]),
                    st.fixed_dictionaries({"endpoint": target}),
                    st.fixed_dictionaries({"flow": target}),
                ),
                max_size=3,
            )
        )
    if draw(st.booleans()):
        client["flows"] = draw(st.dictionaries(names(FLOWS), flows(top_level=False), max_size=2))
    return client


@st.composite
def manifests(draw: st.DrawFn) -> dict[str, Any]:
    data: dict[str, Any] = {"schema_version": 1, "service": {"name": "svc"}}
    if draw(st.booleans()):
        data["service"]["features"] = draw(st.lists(names(FEATURES), unique=True, max_size=3))
    feats = draw(st.lists(names(FEATURES), unique=True, max_size=5))
    data["features"] = {f: draw(features()) for f in feats}
    data["types"] = {t: draw(type_decls()) for t in draw(st.lists(names(TYPES), unique=True, max_size=4))}
    data["endpoints"] = {e: draw(endpoints()) for e in draw(st.lists(names(ENDPOINTS), unique=True, max_size=4))}
    data["clients"] = {c: draw(clients(c)) for c in draw(st.lists(names(CLIENTS), unique=True, max_size=2))}
    top = [f for f in draw(st.lists(names(FLOWS), unique=True, max_size=2))]
    if top:
        data["flows"] = {f: draw(flows(top_level=True)) for f in top}
    return data


def dump(data: Any) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


# ---------------------------------------------------------------------------------------------
# Valid manifests full of hostile strings: they compile (by construction, nearly always), so every
# backend emits them, and every string the SDKs carry (defaults, docs, header values, enum values,
# wire names, flow constants) is made of pieces that trip up emitters which re-read their own text:
# the separators a call is split on (", "), brackets inside strings, quotes and escapes of each
# target, words an emitter uses as placeholders, lengths past every line width.

STRING_PIECES = [
    ", ",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    '"',
    "'",
    "`",
    '"""',
    "\\",
    "\\n",
    "\n",
    "\t",
    "\0",
    "#{x}",
    "*/",
    "/*",
    "--",
    "#",
    ":",
    ";",
    "=",
    "%s",
    "{0}",
    "IMPORTS",
    "Field(",
    "lambda",
    "end",
    " ",
    "word",
    "é",
    "\U0001f980",
    "\u2028",
]
_piece = st.one_of(st.sampled_from(STRING_PIECES), st.text(st.characters(exclude_categories=("Cs",)), max_size=3))
_short = st.lists(_piece, max_size=12).map("".join)
# long enough, sometimes, that an emitter must break the line holding it (or, past 255, that Elixir
# cannot make it an atom)
hostile_strings = st.one_of(_short, _short, st.tuples(_short, st.integers(2, 12)).map(lambda p: (p[0] + " (a, b) c, d ") * p[1]))
# a flow's string constant: `${` would be a binding
flow_strings = hostile_strings.map(lambda s: s.replace("$", ""))
# an HTTP header value: visible ASCII, inner spaces
header_values = st.one_of(
    st.sampled_from(["IMPORTS", "a, b", "f(x", '"q"', "x\\y", "#{x}"]),
    st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), min_size=1, max_size=150).map(str.strip).filter(bool),
)
VALID_FIELDS = ["text", "note", "count", "ratio", "flag", "tags", "meta", "mode", "class", "end", "default", "self", "from"]


@st.composite
def _field(draw: st.DrawFn, enum_values: list[str]) -> tuple[dict[str, Any], bool, Any]:
    """A field's declaration, whether a flow must pass it, and the constant it passes."""
    kind = draw(st.sampled_from(["string", "string", "int", "float", "bool", "[string]", "map[string,string]", "string?", "E"]))
    value: Any = {
        "string": flow_strings,
        "string?": st.one_of(st.none(), flow_strings),
        "int": st.integers(-(2**40), 2**40),
        "float": st.floats(allow_nan=False, allow_infinity=False, width=32),
        "bool": st.booleans(),
        "E": st.sampled_from(enum_values),
        "[string]": st.lists(hostile_strings, max_size=3),
        "map[string,string]": st.dictionaries(hostile_strings, hostile_strings, max_size=3),
    }[kind]
    decl: dict[str, Any] = {"type": kind}
    mode = draw(st.sampled_from(["required", "default", "default", "optional"]))
    if kind in ("[string]", "map[string,string]") and mode == "required":
        mode = "default"  # a flow passes scalars only
    if mode == "default":
        decl["default"] = draw(hostile_strings if kind in ("string", "string?") else value)
    elif mode == "optional":
        decl["optional"] = True
    if draw(st.booleans()):
        decl["json_name"] = draw(hostile_strings.filter(bool))
    if draw(st.booleans()):
        decl["doc"] = draw(hostile_strings)
    return decl, mode == "required", draw(value) if mode == "required" or draw(st.booleans()) else None


@st.composite
def valid_manifests(draw: st.DrawFn) -> dict[str, Any]:
    """One client over a few endpoints (a GET with a path parameter and a query parameter with a
    default, a POST of a record), the record and an enum, and a flow calling the endpoints with
    constants; every string in it hostile."""
    service: dict[str, Any] = {"name": "svc"}
    if draw(st.booleans()):
        service["doc"] = draw(hostile_strings)
    if draw(st.booleans()):
        service["headers"] = {"X-Mode": draw(header_values)}
    enum_values = draw(st.lists(hostile_strings, min_size=1, max_size=4, unique=True))
    fields: dict[str, Any] = {}
    flow_args: dict[str, Any] = {}
    for name in draw(st.lists(st.sampled_from(VALID_FIELDS), min_size=1, max_size=4, unique=True)):
        fields[name], required, arg = draw(_field(enum_values))
        if required or arg is not None:
            flow_args[name] = arg
    types: dict[str, Any] = {
        "R": {"fields": fields, "export": True},
        "E": {"enum": enum_values, "export": True},
    }
    if draw(st.booleans()):
        types["R"]["doc"] = draw(hostile_strings)
    get: dict[str, Any] = {"method": "GET", "path": "/r/{id}", "response": "R"}
    if draw(st.booleans()):
        get["query"] = {"q": {"type": "string", "default": draw(hostile_strings)}}
    if draw(st.booleans()):
        get["headers"] = {"X-E": draw(header_values)}
    if draw(st.booleans()):
        get["doc"] = draw(hostile_strings)
    endpoints = {"g.get": get, "g.put": {"method": "POST", "path": "/r", "request": "R", "response": "R"}}
    steps: list[dict[str, Any]] = []
    for _ in range(draw(st.integers(1, 3))):
        if draw(st.booleans()):
            args = {"id": draw(flow_strings)}
            if "query" in get and draw(st.booleans()):
                args["q"] = draw(flow_strings)
            steps.append({"call": "g.get", "args": args})
        else:
            steps.append({"call": "g.put", "args": dict(flow_args)})
    flow: dict[str, Any] = {"client": "c", "steps": steps}
    if draw(st.booleans()):
        flow["doc"] = draw(hostile_strings)
    client: dict[str, Any] = {"resource": ["g"]}
    if draw(st.booleans()):
        client["doc"] = draw(hostile_strings)
    return {
        "schema_version": 1,
        "service": service,
        "clients": {"c": client},
        "endpoints": endpoints,
        "flows": {"f": flow},
        "types": types,
    }


# Minimal reproducers found by the strategies above, run first (as hypothesis explicit examples) by
# the tests that use them. A client method that names a flow as `endpoint:` (or an endpoint as
# `flow:`), called from a flow step: the bindings pass looked the target up in the wrong table.
METHOD_KIND_ENDPOINT_NAMES_A_FLOW = {
    "schema_version": 1,
    "service": {"name": "svc"},
    "clients": {
        "c": {"methods": {"m": {"endpoint": "f1"}}, "flows": {"f1": {"steps": [{"return": 1}]}, "f2": {"steps": [{"call": "c.m"}]}}}
    },
}
METHOD_KIND_FLOW_NAMES_AN_ENDPOINT = {
    "schema_version": 1,
    "service": {"name": "svc"},
    "endpoints": {"g.a": {"method": "GET", "path": "/r"}},
    "clients": {"c": {"methods": {"m": {"flow": "g.a"}}, "flows": {"f2": {"steps": [{"call": "c.m"}]}}}},
}
# A union whose variant is an alias of the union: no record in the recursion, and the Python
# backend's ordering of aliases and unions raised graphlib.CycleError (now type.recursive-alias).
RECURSION_THROUGH_ALIAS_AND_UNION = {
    "schema_version": 1,
    "service": {"name": "svc"},
    "types": {"B": {"alias": "A", "export": True}, "A": {"union": ["B"]}},
}
# Two endpoints on one route: the OpenAPI backend raised RouteConflict (now endpoint.duplicate-route).
TWO_ENDPOINTS_ONE_ROUTE = {
    "schema_version": 1,
    "service": {"name": "svc"},
    "endpoints": {"g.a": {"method": "GET", "path": "/r"}, "g.b": {"method": "GET", "path": "/r"}},
}
REPRODUCERS = (
    METHOD_KIND_ENDPOINT_NAMES_A_FLOW,
    METHOD_KIND_FLOW_NAMES_AN_ENDPOINT,
    RECURSION_THROUGH_ALIAS_AND_UNION,
    TWO_ENDPOINTS_ONE_ROUTE,
)
