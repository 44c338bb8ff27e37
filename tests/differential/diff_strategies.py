"""A hypothesis strategy of *valid* manifests, each with a scenario derived from it (docs/differential.md).

Unlike tests/property/manifest_strategies.py (coherent but mostly invalid manifests, for the fuzzer),
everything drawn here checks by construction: types are declared before they are used (no
recursion), every binding of a flow names a value of exactly the parameter's type, defaults fit
their fields, feature parameters are in range. A drawn :class:`Case` is the manifest (a plain dict,
dumped as YAML for `tinkc build`) and the scenario: the driver's calls with generated arguments of
the declared types, scripted faults from the mock's vocabulary, and the outcome where the manifest
alone determines it (``expect``); everything else is compared across the SDKs by the runner.

A manifest is made of *units* (``u0``, ``u1``, ...): each a group of endpoints with its own types,
features, clients and flows, all names prefixed by the unit, so several independent manifests can
be built and run as one SDK (one compile per toolchain for several units' scenarios).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any

import yaml
from hypothesis import strategies as st

# ---- types, as small trees (rendered to the manifest's type expressions by `text`)

PRIMS = ["string", "int", "float", "bool", "datetime", "date", "bytes", "any"]
QUERY_PRIMS = ["string", "int", "bool", "float"]
FIELD_NAMES = [
    "name",
    "count",
    "tags",
    "note",
    "size",
    "ratio",
    "flag",
    "created_at",
    "meta",
    "items",
    "label",
    "class",
    "end",
    "default",
    "score",
]
WIRE_NAMES = ["wireName", "Wire", "x_wire", "w"]


def text(t: tuple) -> str:
    kind = t[0]
    if kind in ("prim", "ref"):
        return t[1]
    if kind == "list":
        return f"[{text(t[1])}]"
    if kind == "map":
        return f"map[string,{text(t[1])}]"
    if kind == "null":
        return f"{text(t[1])}?"
    raise ValueError(t)


def yaml_type(t: tuple) -> str:
    return text(t)


@dataclass
class Field:
    name: str
    type: tuple
    mode: str  # required | optional | default
    default: Any = None
    json_name: str | None = None

    @property
    def wire(self) -> str:
        return self.json_name or self.name


@dataclass
class Decl:
    kind: str  # record | enum | union | alias
    fields: list[Field] = field(default_factory=list)
    values: list[str] = field(default_factory=list)
    variants: list[str] = field(default_factory=list)  # record names (each with a `type` literal field)
    target: tuple | None = None
    tag: str | None = None  # a union variant's tag
    export: bool = True  # emitted even when nothing uses it (every shape reaches the SDKs)

    def to_yaml(self) -> dict[str, Any]:
        out = self._yaml()
        if self.export:
            out["export"] = True
        return out

    def _yaml(self) -> dict[str, Any]:
        if self.kind == "enum":
            return {"enum": list(self.values)}
        if self.kind == "alias":
            assert self.target is not None
            return {"alias": yaml_type(self.target)}
        if self.kind == "union":
            return {"union": list(self.variants), "discriminator": "type"}
        fields: dict[str, Any] = {}
        if self.tag is not None:
            fields["type"] = {"type": f'"{self.tag}"', "default": self.tag}
        for f in self.fields:
            spec: dict[str, Any] = {"type": yaml_type(f.type)}
            if f.mode == "optional":
                spec["optional"] = True
            elif f.mode == "default":
                spec["default"] = f.default
            if f.json_name:
                spec["json_name"] = f.json_name
            fields[f.name] = spec if len(spec) > 1 else yaml_type(f.type)
        return {"fields": fields}


class Types:
    """The declared types of one unit, in declaration order (a type only refers to earlier ones)."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.decls: dict[str, Decl] = {}

    def name(self, stem: str) -> str:
        return f"{self.prefix.upper()}{stem}{len(self.decls)}"

    def records(self) -> list[str]:
        return [n for n, d in self.decls.items() if d.kind == "record" and d.tag is None]

    def resolve(self, t: tuple) -> tuple:
        while t[0] == "ref" and self.decls[t[1]].kind == "alias":
            t = self.decls[t[1]].target  # type: ignore[assignment]
        return t


def default_for(types: Types, t: tuple) -> Any | None:
    """A default value of type t, or None when the field should not have one."""
    t = types.resolve(t)
    if t[0] == "prim":
        return {"string": "dflt", "int": 7, "float": 0.5, "bool": True}.get(t[1])
    if t[0] == "ref" and types.decls[t[1]].kind == "enum":
        return types.decls[t[1]].values[-1]
    if t[0] == "list":
        return []
    if t[0] == "map":
        return {}
    return None


@st.composite
def type_refs(draw: st.DrawFn, types: Types, depth: int = 0, scalar_only: bool = False) -> tuple:
    options = ["prim", "prim"]
    named = [n for n, d in types.decls.items() if d.tag is None]
    if named and not scalar_only:
        options += ["ref", "ref"]
    if depth < 2 and not scalar_only:
        options += ["list", "map"]
    kind = draw(st.sampled_from(options))
    if kind == "prim":
        return ("prim", draw(st.sampled_from(PRIMS)))
    if kind == "ref":
        return ("ref", draw(st.sampled_from(named)))
    inner = draw(type_refs(types, depth + 1))
    return (kind, inner)


@st.composite
def fields_of(draw: st.DrawFn, types: Types, min_size: int = 0, max_size: int = 4) -> list[Field]:
    names = draw(st.lists(st.sampled_from(FIELD_NAMES), unique=True, min_size=min_size, max_size=max_size))
    out = []
    wires = iter(WIRE_NAMES)
    for name in names:
        t = draw(type_refs(types))
        mode = draw(st.sampled_from(["required", "required", "optional", "default"]))
        default = None
        if mode == "default":
            default = default_for(types, t)
            if default is None:
                mode = "optional"
        if draw(st.integers(0, 4)) == 0 and mode != "default":
            t = ("null", t)
        json_name = next(wires, None) if draw(st.integers(0, 4)) == 0 else None
        out.append(Field(name, t, mode, default, json_name))
    return out


@st.composite
def declare_types(draw: st.DrawFn, types: Types) -> None:
    """A few named types of every kind, each referring only to earlier ones."""
    for _ in range(draw(st.integers(1, 5))):
        kind = draw(st.sampled_from(["record", "record", "enum", "union", "alias"]))
        if kind == "enum":
            values = draw(st.lists(st.sampled_from(["red", "green", "blue", "on", "off", "no"]), unique=True, min_size=1, max_size=3))
            types.decls[types.name("E")] = Decl("enum", values=values)
        elif kind == "record":
            types.decls[types.name("R")] = Decl("record", fields=draw(fields_of(types)))
        elif kind == "union":
            variants = []
            for i in range(draw(st.integers(1, 3))):
                vname = types.name("V")
                types.decls[vname] = Decl("record", fields=draw(fields_of(types, max_size=2)), tag=f"{vname.lower()}_{i}")
                variants.append(vname)
            types.decls[types.name("U")] = Decl("union", variants=variants)
        else:
            types.decls[types.name("A")] = Decl("alias", target=draw(type_refs(types)))


# ---- values of a type (the JSON form: wire names, ISO dates, base64 bytes)

SAFE_TEXT = st.text(alphabet="abcxyz019 -_.~:@/%é", min_size=0, max_size=8)
PATH_TEXT = st.text(alphabet="abcxyz019-_.~:@ %", min_size=1, max_size=8)
RAW_PATH_TEXT = st.lists(st.text(alphabet="abc019-_.", min_size=1, max_size=5), min_size=1, max_size=3).map("/".join)


@st.composite
def values_of(draw: st.DrawFn, types: Types, t: tuple, depth: int = 0, fill_optional: bool | None = None) -> Any:
    kind = t[0]
    if kind == "null":
        return None if draw(st.integers(0, 3)) == 0 else draw(values_of(types, t[1], depth))
    if kind == "list":
        return draw(st.lists(values_of(types, t[1], depth + 1), max_size=2 if depth < 2 else 0))
    if kind == "map":
        keys = st.sampled_from(["k", "key-1", "a b"])
        return draw(st.dictionaries(keys, values_of(types, t[1], depth + 1), max_size=2 if depth < 2 else 0))
    if kind == "prim":
        p = t[1]
        if p == "string":
            return draw(SAFE_TEXT)
        if p == "int":
            return draw(st.integers(-5, 10**6))
        if p == "float":
            return draw(st.sampled_from([0.25, 1.5, -3.75, 2.0, 100.125]))
        if p == "bool":
            return draw(st.booleans())
        if p == "datetime":
            return draw(st.sampled_from(["2025-09-13T01:30:52Z", "2024-02-29T23:59:59Z"]))
        if p == "date":
            return draw(st.sampled_from(["2025-03-02", "2024-12-31"]))
        if p == "bytes":
            return base64.b64encode(draw(st.binary(max_size=6))).decode()
        return draw(st.one_of(st.text(alphabet="abc", max_size=3), st.integers(0, 9), st.just({"k": [1, "v"]})))
    decl = types.decls[t[1]]
    if decl.kind == "alias":
        assert decl.target is not None
        return draw(values_of(types, decl.target, depth, fill_optional))
    if decl.kind == "enum":
        return draw(st.sampled_from(decl.values))
    if decl.kind == "union":
        return draw(values_of(types, ("ref", draw(st.sampled_from(decl.variants))), depth))
    out: dict[str, Any] = {}
    if decl.tag is not None:
        out["type"] = decl.tag
    for f in decl.fields:
        if f.mode != "required":
            give = draw(st.booleans()) if fill_optional is None else fill_optional
            if not give:
                continue
        out[f.wire] = draw(values_of(types, f.type, depth + 1))
    return out


# ---- endpoints, features, clients, flows

RETRIEVE = "futures.retrieve"  # shared by every unit's promise_result features


@dataclass
class Endpoint:
    id: str
    method: str
    path_params: list[tuple[str, tuple, bool]]  # name, type, raw
    query: list[Field]
    request: str | None  # a record type name
    response: tuple | None
    kind: str  # plain | future | redirect | paged
    features: list[str]
    headers: dict[str, str]
    future_feature: str | None = None

    @property
    def method_name(self) -> str:
        return self.id.split(".", 1)[1]


@dataclass
class Unit:
    prefix: str
    types: Types
    features: dict[str, dict[str, Any]]
    endpoints: list[Endpoint]
    client: dict[str, Any]
    clients_extra: dict[str, dict[str, Any]]
    flows: dict[str, dict[str, Any]]  # flow name -> {inputs: {name: Field}, yaml, result}


@st.composite
def retry_feature(draw: st.DrawFn) -> dict[str, Any]:
    statuses = draw(st.lists(st.sampled_from([408, 429, "500-599", "502-504", 503]), unique=True, min_size=1, max_size=3))
    exceptions = draw(st.lists(st.sampled_from(["connection_error", "connection_timeout"]), unique=True, max_size=2))
    feature: dict[str, Any] = {
        "type": "retry_policy",
        "max_retries": draw(st.integers(0, 3)),
        "retry_on": {"status": statuses, **({"exceptions": exceptions} if exceptions else {})},
        "backoff": {
            "type": "exponential",
            "base_ms": draw(st.sampled_from([10, 100, 500])),
            "max_ms": 2000,
            "jitter": draw(st.sampled_from([0, 0.25])),
        },
    }
    if draw(st.booleans()):
        feature["retry_after"] = {"max_ms": draw(st.sampled_from([1000, 60000]))}
    return feature


@st.composite
def future_feature(draw: st.DrawFn) -> dict[str, Any]:
    feature: dict[str, Any] = {"type": "promise_result", "retrieve_endpoint": RETRIEVE}
    if draw(st.booleans()):  # the flat spelling
        feature.update(
            {
                "request_id_field": "request_id",
                "try_again_field": "type",
                "try_again_value": "try_again",
                "error_field": "error",
                "category_field": "category",
            }
        )
        if draw(st.booleans()):
            feature.update({"queue_state_field": "queue_state", "queue_state_reason_field": "queue_state_reason"})
    else:
        feature.update({"try_again": {"field": "type", "value": "try_again"}, "error_field": "error", "error_category_field": "category"})
        if draw(st.booleans()):
            feature["queue_state"] = {"field": "queue_state", "reason_field": "queue_state_reason"}
    if draw(st.integers(0, 2)) == 0:
        feature["pending_status"] = [408]
    if draw(st.booleans()):
        feature["poll_retry"] = {"base_ms": 100, "max_ms": 1000, "jitter": 0}
    return feature


@st.composite
def endpoint_of(draw: st.DrawFn, unit: str, index: int, types: Types, features: dict[str, dict[str, Any]], idem: bool) -> Endpoint:
    kind = draw(st.sampled_from(["plain", "plain", "plain", "future", "redirect", "paged"]))
    eid = f"{unit}.op{index}"
    path_params: list[tuple[str, tuple, bool]] = []
    segments = [f"/{unit}", f"/op{index}"]
    for n in range(draw(st.integers(0, 2))):
        raw = draw(st.integers(0, 3)) == 0
        ptype = ("prim", "string") if raw else ("prim", draw(st.sampled_from(["string", "string", "int"])))
        name = f"p{n}"
        path_params.append((name, ptype, raw))
        segments.insert(1 + n, f"/{{{'+' if raw else ''}{name}}}")
        if raw:  # nothing after a raw parameter but literal text
            break
    method = "GET"
    request = None
    response: tuple | None = None
    query: list[Field] = []
    feats: list[str] = []
    headers: dict[str, str] = {}
    future = None
    if kind == "plain":
        method = draw(st.sampled_from(["GET", "POST", "PUT", "PATCH", "DELETE"]))
        if method in ("POST", "PUT", "PATCH"):
            rec = types.name("Req")
            types.decls[rec] = Decl("record", fields=draw(fields_of(types, min_size=0, max_size=4)))
            request = rec
        if method != "DELETE" and draw(st.integers(0, 3)) != 0:
            response = draw(type_refs(types))
    elif kind == "future":
        method = "POST"
        rec = types.name("Req")
        types.decls[rec] = Decl("record", fields=draw(fields_of(types, min_size=1, max_size=3)))
        request = rec
        res = types.name("Res")
        types.decls[res] = Decl("record", fields=draw(fields_of(types, min_size=1, max_size=3)))
        response = ("ref", res)
        future = f"{unit}_future"
        if future not in features:
            features[future] = draw(future_feature())
        feats.append(future)
        if draw(st.integers(0, 2)) == 0:
            obs = f"{unit}_queue"
            features.setdefault(obs, {"type": "queue_state_observer", "debounce_sec": 0})
            feats.append(obs)
    elif kind == "redirect":
        pass
    else:  # paged: a limit_offset list
        item = draw(type_refs(types))
        res = types.name("Page")
        types.decls[res] = Decl("record", fields=[Field("items", ("list", item), "required"), Field("total", ("prim", "int"), "required")])
        response = ("ref", res)
        query += [Field("limit", ("prim", "int"), "default", 10), Field("offset", ("prim", "int"), "default", 0)]
        page = f"{unit}_page"
        features.setdefault(
            page,
            {
                "type": "pagination",
                "style": "limit_offset",
                "limit_param": "limit",
                "offset_param": "offset",
                "items_field": "items",
                "total_field": "total",
            },
        )
        feats.append(page)
    if kind != "paged" and draw(st.booleans()):
        for qname in draw(st.lists(st.sampled_from(["q", "limit", "filter", "order", "page_size"]), unique=True, min_size=1, max_size=2)):
            qt: tuple = ("prim", draw(st.sampled_from(QUERY_PRIMS)))
            enums = [n for n, d in types.decls.items() if d.kind == "enum"]
            if enums and draw(st.integers(0, 3)) == 0:
                qt = ("ref", draw(st.sampled_from(enums)))
            mode = draw(st.sampled_from(["required", "default", "nullable"]))
            if mode == "default":
                query.append(Field(qname, qt, "default", default_for(types, qt)))
            elif mode == "nullable":
                query.append(Field(qname, ("null", qt), "optional"))
            else:
                query.append(Field(qname, qt, "required"))
    if draw(st.booleans()):
        retry = f"{unit}_retry{draw(st.integers(0, 1))}"
        if retry not in features:
            features[retry] = draw(retry_feature())
        feats.append(retry)
    if not idem and method != "GET" and draw(st.integers(0, 2)) == 0:
        key = f"{unit}_idem"
        features.setdefault(key, {"type": "idempotency_key", "header": "X-Idempotency-Key"})
        feats.append(key)
    if kind == "redirect" or draw(st.integers(0, 5)) == 0:
        headers = {"accept": draw(st.sampled_from(["application/gzip", "text/plain", "application/json"]))}
    return Endpoint(eid, method, path_params, query, request, response, kind, feats, headers, future)


def endpoint_yaml(ep: Endpoint, types: Types) -> dict[str, Any]:
    path = "/" + ep.id.split(".")[0]
    for name, _, raw in ep.path_params:
        path += f"/{{{'+' if raw else ''}{name}}}"
    path += "/" + ep.id.split(".")[1]
    # raw parameters last: a literal segment after them keeps the route unambiguous
    out: dict[str, Any] = {"method": ep.method, "path": path}
    params = {name: {"type": text(t)} for name, t, raw in ep.path_params if t != ("prim", "string")}
    if params:
        out["path_params"] = params
    if ep.query:
        q: dict[str, Any] = {}
        for f in ep.query:
            if f.mode == "default":
                q[f.name] = {"type": text(f.type), "default": f.default}
            else:
                q[f.name] = text(f.type)
        out["query"] = q
    if ep.request:
        out["request"] = ep.request
    if ep.response:
        out["response"] = text(ep.response)
    if ep.headers:
        out["headers"] = dict(ep.headers)
    if ep.features:
        out["features"] = list(ep.features)
    if ep.kind == "redirect":
        out["response_handler"] = "redirect_location"
    return out


def parameters(ep: Endpoint, types: Types) -> list[tuple[str, tuple, bool]]:
    """The method's parameters: (name, type, required) — path parameters, body fields, query."""
    out = [(name, t, True) for name, t, _ in ep.path_params]
    if ep.request:
        out += [(f.name, f.type, f.mode == "required") for f in types.decls[ep.request].fields]
    out += [(f.name, f.type, f.mode == "required") for f in ep.query]
    return out


@st.composite
def endpoint_args(draw: st.DrawFn, ep: Endpoint, types: Types) -> dict[str, Any]:
    args: dict[str, Any] = {}
    raw = {name for name, _, r in ep.path_params if r}
    paths = {name for name, _, _ in ep.path_params}
    for name, t, required in parameters(ep, types):
        if not required and not draw(st.booleans()):
            continue
        if name in raw:
            args[name] = draw(RAW_PATH_TEXT)
        elif name in paths and t == ("prim", "string"):
            args[name] = draw(PATH_TEXT)
        else:
            args[name] = draw(values_of(types, t))
    return args


# ---- flows


@st.composite
def flow_of(
    draw: st.DrawFn, unit: str, index: int, eps: list[Endpoint], types: Types, client_id: str, sub_client: str | None
) -> dict[str, Any] | None:
    """A flow of 1–3 steps over this unit's endpoints with bindings of exactly the parameters' types:
    `${input.x}`, `${result.a}`, `${steps.id.a}`, literals; an await_future after a future's call;
    independent steps (only inputs and literals) where it happens; a build_client of the unit's
    second client at the end, sometimes."""
    callable_eps = [e for e in eps if e.kind != "redirect"]
    if not callable_eps:
        return None
    inputs: dict[str, Field] = {}
    available: list[tuple[str, tuple]] = []  # (binding, type) from earlier steps' results
    steps: list[dict[str, Any]] = []
    result_type: tuple | None = None
    # distinct endpoints: two independent calls of one endpoint could run in either order
    chosen = draw(st.lists(st.sampled_from(callable_eps), min_size=1, max_size=3, unique_by=lambda e: e.id))
    for n, ep in enumerate(chosen):
        sid = f"s{n}"
        args: dict[str, Any] = {}
        for pname, t, required in parameters(ep, types):
            if pname in {name for name, _, raw in ep.path_params}:
                t = t  # path parameters: inputs or results, never literals (kept readable)
            if not required and draw(st.booleans()):
                continue
            sources = [b for b, bt in available if bt == t]
            choice = draw(st.sampled_from(["input", "input", "literal"] + (["bound", "bound"] if sources else [])))
            if choice == "bound":
                args[pname] = draw(st.sampled_from(sources))
            elif (
                choice == "literal"
                and t[0] == "prim"
                and t[1] in ("string", "int", "bool")
                and pname not in {x for x, _, _ in ep.path_params}
            ):
                args[pname] = {"string": "lit", "int": 3, "bool": False}[t[1]]
            else:
                iname = f"{pname}_{n}"
                inputs[iname] = Field(iname, t, "required" if t[0] != "null" else "optional")
                args[pname] = "${input." + iname + "}"
        step: dict[str, Any] = {"id": sid, "call": ep.id}
        if args:
            step["args"] = args
        steps.append(step)
        rtype = ep.response
        if ep.kind == "future":
            steps.append({"id": f"{sid}w", "await_future": text(ep.response)})  # type: ignore[arg-type]
            sid = f"{sid}w"
        result_type = rtype
        if rtype is not None:
            resolved = types.resolve(rtype)
            if resolved[0] == "ref" and types.decls[resolved[1]].kind == "record" and types.decls[resolved[1]].tag is None:
                for f in types.decls[resolved[1]].fields:
                    if f.mode == "required":
                        available.append(("${steps." + sid + "." + f.name + "}", f.type))
    ret = draw(st.sampled_from(["last", "steps", "client", "client"] if sub_client else ["last", "steps"]))
    if ret == "steps" and steps:
        # not a future's call step (its result is the handle, not a value of the manifest's types)
        target = draw(st.sampled_from([s["id"] for s in steps if s.get("call") not in {e.id for e in eps if e.kind == "future"}]))
        steps.append({"return": "${steps." + target + "}"})
        result_type = None
    elif ret == "client" and sub_client:
        state_sources = [b for b, bt in available if bt == ("prim", "string")]
        value = draw(st.sampled_from(state_sources)) if state_sources else "fixed"
        steps.append({"build_client": {"client": sub_client, "with": {"ref": value}}})
        result_type = ("client", sub_client)
    flow: dict[str, Any] = {"client": client_id}
    if inputs:
        flow["inputs"] = {name: text(f.type) for name, f in inputs.items()}
    flow["steps"] = steps
    return {"name": f"{unit}_flow{index}", "yaml": flow, "inputs": inputs, "result": result_type}


# ---- units and manifests


@st.composite
def unit_of(draw: st.DrawFn, prefix: str, idem: bool) -> Unit:
    types = Types(prefix)
    draw(declare_types(types))
    features: dict[str, dict[str, Any]] = {}
    eps = [draw(endpoint_of(prefix, i, types, features, idem)) for i in range(draw(st.integers(1, 4)))]
    client_id = f"{prefix}c"
    sub = f"{prefix}sub"
    client: dict[str, Any] = {"module": f"Diff.{prefix.upper()}Client", "resource": [prefix]}
    renamed = [e for e in eps if draw(st.integers(0, 3)) == 0]
    if renamed:  # a method of another name than its endpoint's (which then is no resource method)
        client["methods"] = {f"{e.method_name}_alias": {"endpoint": e.id} for e in renamed}
    clients_extra: dict[str, dict[str, Any]] = {}
    use_sub = draw(st.booleans())
    if use_sub:
        clients_extra[sub] = {"module": f"Diff.{prefix.upper()}SubClient", "state": {"ref": "string"}}
    flows: dict[str, dict[str, Any]] = {}
    for i in range(draw(st.sampled_from([0, 1, 1, 2]))):
        flow = draw(flow_of(prefix, i, eps, types, client_id, sub if use_sub else None))
        if flow is not None:
            flows[flow["name"]] = flow
    if use_sub and not any(f["result"] == ("client", sub) for f in flows.values()):
        clients_extra.pop(sub)
        # the sub-client is only reachable from a flow that builds it
    if use_sub and sub in clients_extra and eps:
        # a method of the sub-client: a flow reading its state
        ep = next(
            (e for e in eps if any(t == ("prim", "string") for _, t, req in parameters(e, types) if req) and e.kind != "redirect"), None
        )
        if ep is not None:
            args = {}
            for pname, t, required in parameters(ep, types):
                if not required:
                    continue
                args[pname] = "${state.ref}" if t == ("prim", "string") else None
            if all(v is not None for v in args.values()):
                clients_extra[sub]["flows"] = {f"{prefix}_use_ref": {"steps": [{"call": ep.id, "args": args}]}}
    return Unit(prefix, types, features, eps, client, clients_extra, flows)


@dataclass
class Case:
    """A manifest (dict), the scenario derived from it (dict, docs/conformance.md) and how many units
    it holds."""

    manifest: dict[str, Any]
    scenario: dict[str, Any]
    units: int

    def manifest_yaml(self) -> str:
        return dump(self.manifest)

    def scenario_yaml(self) -> str:
        return dump(self.scenario)


def dump(data: Any) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=120)


@st.composite
def cases(draw: st.DrawFn, max_units: int = 2) -> Case:
    from diff_scenarios import derive  # the scenario of a drawn manifest

    service_idem = draw(st.booleans())
    n_units = draw(st.integers(1, max_units))
    units = [draw(unit_of(f"u{i}", service_idem)) for i in range(n_units)]
    service: dict[str, Any] = {
        "name": "diffsvc",
        "version": "0.1.0",
        "base_url": {"default": "http://localhost:9", "env": "DIFFSVC_BASE_URL"},
        "auth": {"type": "api_key", "header": draw(st.sampled_from(["X-API-Key", "Authorization"])), "env": "DIFFSVC_API_KEY"},
    }
    if draw(st.booleans()):
        service["headers"] = {"X-Fixed": "fixed value"}
    features: dict[str, Any] = {}
    if service_idem:
        features["idem"] = {"type": "idempotency_key", "header": "X-Idempotency-Key"}
        service["features"] = ["idem"]
    types: dict[str, Any] = {}
    endpoints: dict[str, Any] = {}
    clients: dict[str, Any] = {}
    flows: dict[str, Any] = {}
    for u in units:
        features.update(u.features)
        types.update({n: d.to_yaml() for n, d in u.types.decls.items()})
        endpoints.update({e.id: endpoint_yaml(e, u.types) for e in u.endpoints})
        clients[f"{u.prefix}c"] = u.client
        clients.update(u.clients_extra)
        flows.update({name: f["yaml"] for name, f in u.flows.items()})
    if any(e.kind == "future" for u in units for e in u.endpoints):
        endpoints[RETRIEVE] = {"method": "POST", "path": "/futures/retrieve", "request": "RetrieveFuture", "response": "any"}
        types["RetrieveFuture"] = {"fields": {"request_id": "string"}}
    manifest: dict[str, Any] = {"schema_version": 1, "service": service}
    if features:
        manifest["features"] = features
    manifest["clients"] = clients
    manifest["endpoints"] = endpoints
    if flows:
        manifest["flows"] = flows
    manifest["types"] = types
    scenario = draw(derive(units, manifest))
    return Case(manifest, scenario, n_units)
