"""The stateless endpoint layer (Tinkex's `Tinkex.API.*`), rendered from the plan's `api_groups`
and `raw`, as the package `api`:

* `api/<group>.py`: per endpoint, `fun(request, *, client=None, config=None, request_options=None)`
  (without `request` for an endpoint without parameters) answering as the endpoint does, a future
  polled to its result; `fun_async` (the same with an `AsyncBaseClient`, a coroutine); for a future
  endpoint `fun_future(request, *, client, request_options=None)`: the `APIFuture` at once;
* `api/__init__.py`: the groups' modules, and the raw requests `post`, `get`, `put`, `delete` (and
  their `_async` twins).

The clients' endpoint methods call these functions with `client=self`: how a request goes onto the
wire is written here only.
"""

from __future__ import annotations

import keyword
from types import SimpleNamespace

from tinkc.backends.python import pydoc as d
from tinkc.backends.python import symbols as sym
from tinkc.backends.python.emit_clients import Adapters
from tinkc.backends.python.emit_flows import endpoint_call, location_args
from tinkc.backends.python.emit_spec import raw_const
from tinkc.backends.python.emit_types import py_type, text, typed_default
from tinkc.backends.python.literals import docstring, py_literal
from tinkc.backends.python.symbols import Imports
from tinkc.backends.python.templating import render
from tinkc.ir import nodes as ir
from tinkc.sdk import ApiFunctionPlan, ApiGroupPlan, EndpointPlan, SdkPlan
from tinkc.sdk.plan import CALL_OPTIONS_PARAM, RAW_METHODS, body_record, stateless_doc

PACKAGE = "api"
# What `api/__init__.py` defines besides the groups' modules: the raw requests and the driver's table.
INIT_NAMES = frozenset(
    {"get", "post", "put", "delete", "get_async", "post_async", "put_async", "delete_async", "stream_get", "stream_get_async", "FUNCTIONS"}
)
ASYNC_SUFFIX = "_async"
FUTURE_SUFFIX = "_future"
# What a streaming endpoint's function answers (the plan's STREAMING rule), said in its docstring.
STREAM_DOC = (
    " Answers once the whole response is read: an iterator of the server-sent events (`async for` from the async"
    " flavour), each decoded when reached (one that does not decode raises `ResponseValidationError`); a status is"
    " raised as its `APIStatusError`. Never retried."
)


def group_module(group: str) -> str:
    """The group's module of `api/` (a keyword, or a name `api/__init__.py` defines, gets a `_`)."""
    name = sym.PythonSymbols.module_name(group)
    return name + "_" if keyword.iskeyword(name) or name in INIT_NAMES else name


def function_name(fn: ApiFunctionPlan) -> str:
    return sym.method_name(fn.name)


def request_dict(api: ir.Api, ep: EndpointPlan, fn: ApiFunctionPlan, values: dict[str, d.Doc]) -> d.Doc | None:
    """The request a client method hands the stateless function: a dict of the values (by the
    Python names of the record's fields or the parameters); None for an endpoint without any."""
    if fn.request == "none":
        return None
    items = [(py_literal(sym.field_name(p.name)), values[p.name]) for p in ep.params]
    return d.exploded("{", d.dict_items(items), "}")


class GroupWriter:
    def __init__(self, plan: SdkPlan, group: ApiGroupPlan) -> None:
        self.plan = plan
        self.api = plan.api
        self.group = group
        self.imports = Imports(exploded=(sym.SPEC_MODULE, sym.TYPES_MODULE), nested=True)
        self.adapters = Adapters(self.imports)

    def request_annotation(self, fn: ApiFunctionPlan, ep: EndpointPlan) -> str:
        mapping = f"{self.imports.use(sym.lib('Mapping'))}[str, {self.imports.use(sym.lib('Any'))}]"
        record = body_record(self.api, ep)
        if fn.request == "record" and record is not None:
            return f"{self.imports.use(sym.type_symbol(record.id))} | {mapping}"
        return mapping

    def prepare(self, fn: ApiFunctionPlan, ep: EndpointPlan, label: str) -> tuple[list[str], list[d.Doc]]:
        """The statements that read the request, and the request's arguments of the runtime call."""
        statements: list[str] = []
        path: list[tuple[d.Doc, d.Doc]] = []
        query: list[tuple[d.Doc, d.Doc]] = []
        headers: list[tuple[d.Doc, d.Doc]] = []
        args: list[d.Doc] = []
        if fn.request == "record":
            record = body_record(self.api, ep)
            assert record is not None
            model = self.imports.use(sym.type_symbol(record.id))
            required = d.collection("(", [py_literal(sym.field_name(f.name)) for f in record.fields if f.required], ")", tuple_=True)
            call = d.call(self.imports.use(sym.lib("record_request")), [model, "request", required, py_literal(label)])
            statements.append(d.render(d.assign("body", call), 1))
            for p in ep.located("path"):  # a path parameter shared with a body field: the field's value
                field = record.field(p.body_field or p.name)
                assert field is not None
                path.append((py_literal(p.wire), f"body[{py_literal(field.json_name)}]"))
            args.append("body=body")
            return statements, [*location_args(path, query), *args]
        if fn.request == "params":
            known = d.collection("(", [py_literal(sym.field_name(p.name)) for p in ep.params], ")", tuple_=True)
            required = d.collection("(", [py_literal(sym.field_name(p.name)) for p in ep.params if p.required], ")", tuple_=True)
            call = d.call(self.imports.use(sym.lib("params")), ["request", known, required, py_literal(label)])
            statements.append(d.render(d.assign("p", call), 1))
        body_required: list[tuple[d.Doc, d.Doc]] = []
        body_optional: list[tuple[d.Doc, d.Doc]] = []
        for p in ep.params:
            key = py_literal(sym.field_name(p.name))
            value: d.Doc
            if p.required:
                value = f"p[{key}]"
            elif p.location in ("query", "header") and p.absent == "default":
                value = d.call("p.get", [key, typed_default(self.api, p.type, p.default, self.imports)[0]])
            else:
                value = f"p.get({key})"
            if p.location == "path":
                path.append((py_literal(p.wire), value))
                if p.body_field is not None:
                    body_required.append((py_literal(sym.field_name(p.body_field)), value))
            elif p.location == "query":
                query.append((py_literal(p.wire), value))
            elif p.location == "header":
                headers.append((py_literal(p.wire), value))
            elif p.location == "body":
                (body_required if p.required else body_optional).append((key, value))
        args = location_args(path, query)
        record = body_record(self.api, ep)
        if record is not None:
            model = self.imports.use(sym.type_symbol(record.id))
            dicts = [d.exploded("{", d.dict_items(items), "}") for items in (body_required, body_optional)]
            args.append(d.kwarg("body", d.exploded_call(self.imports.use(sym.lib("request_body")), [model, *dicts])))
        elif ep.body.kind == "whole" and ep.body.type is not None:
            adapter = self.imports.use(sym.lib("TypeAdapter"))
            args.append(f'body={adapter}({py_type(ep.body.type, self.imports)}).dump_python(p["body"], mode="json", by_alias=True)')
        elif ep.body.kind == "record":  # a body of constants only (no argument): the record's defaults
            assert ep.body.record is not None
        if headers:
            args.append(d.kwarg("headers", d.collection("{", d.dict_items(headers), "}")))
        return statements, args

    def returns(self, ep: EndpointPlan, flavour: str = "sync") -> str:
        if ep.response == "stream":
            assert ep.response_type is not None
            stream = self.imports.use(sym.lib("AsyncEventStream" if flavour == "async" else "EventStream"))
            return f"{stream}[{py_type(ep.response_type, self.imports)}]"
        if ep.response == "redirect" and ep.response_type is None:
            return "str"
        return "None" if ep.response_type is None else py_type(ep.response_type, self.imports)

    def doc(self, fn: ApiFunctionPlan, ep: EndpointPlan, flavour: str) -> str:
        text_ = stateless_doc(self.api, ep)
        if fn.request == "record":
            record = body_record(self.api, ep)
            assert record is not None
            text_ += f" The request: a `{sym.type_name(record.id)}`, or a mapping of its fields."
        elif fn.request == "params":
            names = ", ".join(f"`{sym.field_name(p.name)}`" + ("" if p.required else " (optional)") for p in ep.params)
            text_ += f" The request: a mapping of the parameters {names}."
        if flavour == "future":
            text_ += " Sent now through `client`; the `APIFuture` of its result at once (`.result()` waits)."
        else:
            text_ += (
                " Through `client` (an SDK client: its configuration, connections and session) or `config` (a client's "
                "options: a client of its own for the call)."
            )
            if ep.response == "future":
                text_ += " The server computes the result later: the call waits for it."
            if ep.response == "stream":
                text_ += STREAM_DOC
        return text(docstring(text_, "    "))

    def function(self, fn: ApiFunctionPlan, flavour: str) -> SimpleNamespace:
        """One function: `sync`, `async` or (future endpoints) `future`."""
        ep = self.plan.endpoint(fn.endpoint)
        name = function_name(fn) + {"sync": "", "async": ASYNC_SUFFIX, "future": FUTURE_SUFFIX}[flavour]
        label = f"{PACKAGE}.{group_module(fn.group)}.{name}"
        options = self.imports.use(sym.lib("RequestOptions"))
        mapping = f"{self.imports.use(sym.lib('Mapping'))}[str, {self.imports.use(sym.lib('Any'))}]"
        base = self.imports.use(sym.lib("AsyncBaseClient" if flavour == "async" else "BaseClient"))
        params: list[d.Doc] = [] if fn.request == "none" else [f"request: {self.request_annotation(fn, ep)}"]
        params.append("*")
        if flavour == "future":
            params.append(f"client: {base}")
        else:
            params += [f"client: {base} | None = None", f"config: {mapping} | None = None"]
        params.append(f"{CALL_OPTIONS_PARAM}: {options} | None = None")
        statements, request_args = self.prepare(fn, ep, label)
        verb, leading = endpoint_call(ep, self.imports, self.adapters, start=flavour == "future")
        args = [*leading, *request_args, f"{CALL_OPTIONS_PARAM}={CALL_OPTIONS_PARAM}"]
        returns = self.returns(ep, flavour)
        if flavour == "future":
            returns = f"{self.imports.use(sym.lib('APIFuture'))}[{returns}]"
            body = [*statements, d.render(d.call(f"return client.{verb}", args), 1)]
        else:
            manager = self.imports.use(sym.lib("astateless" if flavour == "async" else "stateless"))
            service = self.imports.use(sym.spec_symbol("SERVICE"))
            opener = f"    {'async ' if flavour == 'async' else ''}with {manager}({service}, client, config, {py_literal(label)}) as c:"
            await_ = "await " if flavour == "async" else ""
            body = [*statements, opener, d.render(d.call(f"return {await_}c.{verb}", args), 2)]
        keyword = "async def" if flavour == "async" else "def"
        head = d.render(d.signature(f"{keyword} {name}", params, f" -> {returns}:"), 0)
        return SimpleNamespace(head=head, doc=self.doc(fn, ep, flavour), body="\n".join(body))

    def source(self) -> str:
        functions = []
        for fn in self.group.functions:
            functions.append(self.function(fn, "sync"))
            functions.append(self.function(fn, "async"))
            if self.plan.endpoint(fn.endpoint).response == "future":
                functions.append(self.function(fn, "future"))
        doc = (
            f"The stateless functions of the `{self.group.name}` endpoints of the {self.api.service.name} API: each takes "
            "the request and `client=` or `config=`, and answers as the endpoint does, through the same runtime as the "
            "clients (retries, auth headers, idempotency keys, telemetry). Generated by tinkc: do not edit."
        )
        adapters = text(self.adapters.lines())  # (before the imports: the adapters use names)
        return render(
            "api_group.py.jinja",
            doc=text(docstring(doc, "")),
            imports=text(self.imports.lines()),
            adapters=adapters,
            functions=functions,
        )


def init_source(plan: SdkPlan) -> str:
    """`api/__init__.py`: the raw requests and the groups' modules."""
    imports = Imports(nested=True)
    functions = []
    for method in RAW_METHODS:
        has_body = method in ("POST", "PUT")
        for flavour in ("sync", "async"):
            name = method.lower() + (ASYNC_SUFFIX if flavour == "async" else "")
            label = f"{PACKAGE}.{name}"
            base = imports.use(sym.lib("AsyncBaseClient" if flavour == "async" else "BaseClient"))
            any_ = imports.use(sym.lib("Any"))
            mapping = f"{imports.use(sym.lib('Mapping'))}[str, {any_}]"
            options = imports.use(sym.lib("RequestOptions"))
            params: list[d.Doc] = ["path: str", *([f"body: {any_} = None"] if has_body else []), "*"]
            params += [
                f"client: {base} | None = None",
                f"config: {mapping} | None = None",
                f"{CALL_OPTIONS_PARAM}: {options} | None = None",
            ]
            keyword = "async def" if flavour == "async" else "def"
            manager = imports.use(sym.lib("astateless" if flavour == "async" else "stateless"))
            raw = imports.use(sym.lib("araw" if flavour == "async" else "raw"))
            endpoint = imports.use(sym.spec_symbol(raw_const(method)))
            service = imports.use(sym.spec_symbol("SERVICE"))
            await_ = "await " if flavour == "async" else ""
            doc = (
                f"A raw `{method}` of `path` (under the base URL)"
                + (", `body` any JSON value (or a model of the SDK's types)" if has_body else "")
                + ": the decoded JSON answer (None for an empty body). Through `client` or `config`, as the functions of "
                "the groups' modules, with the runtime's retries, auth headers, idempotency keys and telemetry."
            )
            call = d.render(
                d.call(
                    f"return {await_}{raw}", ["c", endpoint, "path", "body" if has_body else "None", CALL_OPTIONS_PARAM, py_literal(label)]
                ),
                2,
            )
            functions.append(
                SimpleNamespace(
                    head=d.render(d.signature(f"{keyword} {name}", params, f" -> {any_}:"), 0),
                    doc=text(docstring(doc, "    ")),
                    body="\n".join(
                        [
                            f"    {'async ' if flavour == 'async' else ''}with {manager}({service}, client, config, {py_literal(label)}) as c:",
                            call,
                        ]
                    ),
                )
            )
    # Tinkex's `stream_get`: a raw GET answered as a streaming endpoint is (the plan's STREAMING rule)
    for flavour in ("sync", "async"):
        is_async = flavour == "async"
        name = "stream_get" + (ASYNC_SUFFIX if is_async else "")
        base = imports.use(sym.lib("AsyncBaseClient" if is_async else "BaseClient"))
        any_ = imports.use(sym.lib("Any"))
        mapping = f"{imports.use(sym.lib('Mapping'))}[str, {any_}]"
        options = imports.use(sym.lib("RequestOptions"))
        params = ["path: str", "*", f"client: {base} | None = None", f"config: {mapping} | None = None"]
        params.append(f"{CALL_OPTIONS_PARAM}: {options} | None = None")
        manager = imports.use(sym.lib("astateless" if is_async else "stateless"))
        call_fn = imports.use(sym.lib("araw_stream" if is_async else "raw_stream"))
        stream = imports.use(sym.lib("AsyncEventStream" if is_async else "EventStream"))
        endpoint = imports.use(sym.spec_symbol(raw_const("GET")))
        service = imports.use(sym.spec_symbol("SERVICE"))
        label = f"{PACKAGE}.{name}"
        doc = (
            "A raw streaming `GET` of `path` (under the base URL), asking for `text/event-stream`: once the whole body is "
            "read, an iterator of its server-sent events' data decoded as JSON (`ResponseValidationError` for data that is "
            "not); a status is raised as its `APIStatusError`. Never retried. Through `client` or `config`."
        )
        call_line = d.render(
            d.call(f"return {'await ' if is_async else ''}{call_fn}", ["c", endpoint, "path", CALL_OPTIONS_PARAM, py_literal(label)]), 2
        )
        functions.append(
            SimpleNamespace(
                head=d.render(d.signature(f"{'async def' if is_async else 'def'} {name}", params, f" -> {stream}[{any_}]:"), 0),
                doc=text(docstring(doc, "    ")),
                body="\n".join(
                    [f"    {'async ' if is_async else ''}with {manager}({service}, client, config, {py_literal(label)}) as c:", call_line]
                ),
            )
        )
    groups = sorted(group_module(g.name) for g in plan.api_groups)
    # `from . import models, ...` after the package's modules (ruff's isort: furthest first)
    own = f"from . import {', '.join(groups)}" if groups else ""
    if len(own) > d.WIDTH:
        own = "\n".join(["from . import (", *(f"    {g}," for g in groups), ")"])
    # the functions by endpoint id, for the conformance driver: (module, function, request kind, names)
    table = d.exploded(
        "{",
        d.dict_items(
            [
                (
                    py_literal(fn.endpoint),
                    d.collection(
                        "(",
                        [
                            py_literal(group_module(g.name)),
                            py_literal(function_name(fn)),
                            py_literal(fn.request),
                            d.collection(
                                "(",
                                [
                                    d.collection("(", [py_literal(p.name), py_literal(sym.field_name(p.name))], ")", tuple_=True)
                                    for p in plan.endpoint(fn.endpoint).params
                                ],
                                ")",
                                tuple_=True,
                            ),
                        ],
                        ")",
                        tuple_=True,
                    ),
                )
                for g in plan.api_groups
                for fn in g.functions
            ]
        ),
        "}",
    )
    any_ = imports.use(sym.lib("Any"))
    doc = (
        f"The stateless layer of the {plan.api.service.name} API: a module per endpoint group "
        f"({', '.join(f'`{PACKAGE}.{g}`' for g in groups)}), each with a function per endpoint; and the raw requests "
        "(`post`, `get`, `put`, `delete`). Generated by tinkc: do not edit."
    )
    return render(
        "api_init.py.jinja",
        doc=text(docstring(doc, "")),
        imports=text(imports.lines()),
        functions=functions,
        table=d.render(d.assign("FUNCTIONS: dict[str, tuple[str, str, str, tuple[tuple[str, str], ...]]]", table)),
        own=own,
        all=d.render(
            d.assign(
                "__all__",
                d.exploded(
                    "[",
                    [py_literal(n) for n in sorted(["FUNCTIONS", *groups, *(f.head.split("(")[0].split()[-1] for f in functions)])],
                    "]",
                ),
            )
        ),
    )


def api_files(plan: SdkPlan, src: str) -> list[tuple[str, str]]:
    out = [(f"{src}/{PACKAGE}/__init__.py", init_source(plan))]
    for g in plan.api_groups:
        out.append((f"{src}/{PACKAGE}/{group_module(g.name)}.py", GroupWriter(plan, g).source()))
    return out
