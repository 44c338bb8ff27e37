"""`clients.py`: one sync and one async class per manifest client, their endpoint and flow methods
read from the SDK plan. The shapes are templates (`decl/client.py.jinja`, `decl/method.py.jinja`);
parameters, arguments and statements are laid out by the shared printer."""

from __future__ import annotations

from types import SimpleNamespace

from tinkc.backends.python import pydoc as d
from tinkc.backends.python import symbols as sym
from tinkc.backends.python.emit_flows import FlowWriter, deprecation, endpoint_call, location_args
from tinkc.backends.python.emit_types import optional, py_type, text, typed_default
from tinkc.backends.python.literals import docstring, py_literal
from tinkc.backends.python.symbols import Imports, PythonSymbols
from tinkc.backends.python.templating import render
from tinkc.backends.symbols import Symbol
from tinkc.ir import nodes as ir
from tinkc.sdk import ApiFunctionPlan, EndpointPlan, SdkPlan
from tinkc.sdk.plan import CALL_OPTIONS_PARAM, ITER_SUFFIX

# `from . import api`: the stateless layer the endpoint methods call
API_PACKAGE = Symbol("api", ".")


class Adapters:
    """The module-level TypeAdapters of the response types the methods decode, by name."""

    def __init__(self, imports: Imports) -> None:
        self.imports = imports
        self.types: dict[str, ir.TypeRef] = {}

    def __call__(self, t: ir.TypeRef) -> str:
        key = sym.adapter_name(py_type(t, self.imports))
        self.types[key] = t
        return key

    def lines(self) -> list[str]:
        out: list[str] = []
        adapter = self.imports.use(sym.lib("TypeAdapter")) if self.types else ""
        for key in sorted(self.types):
            ann = py_type(self.types[key], self.imports)
            out.extend(d.lines(d.assign(f"{key}: {adapter}[{ann}]", d.call(adapter, [ann]))))
        return out


def stream_annotation(t: ir.TypeRef, imports: Imports, is_async: bool) -> str:
    """What a streaming call answers: the iterator of its decoded events (async: `async for`)."""
    return f"{imports.use(sym.lib('AsyncEventStream' if is_async else 'EventStream'))}[{py_type(t, imports)}]"


def return_annotation(plan: EndpointPlan, imports: Imports, is_async: bool = True) -> str:
    if plan.response == "stream":
        assert plan.response_type is not None
        return stream_annotation(plan.response_type, imports, is_async)
    if plan.response == "redirect" and plan.response_type is None:
        return "str"
    shown = "None" if plan.response_type is None else py_type(plan.response_type, imports)
    if plan.call_mode == "future" and not is_async:  # the sync method answers at once; .result() waits
        return f"{imports.use(sym.lib('APIFuture'))}[{shown}]"
    return shown


def endpoint_method(
    api: ir.Api,
    name: str,
    plan: EndpointPlan,
    is_async: bool,
    imports: Imports,
    adapters: Adapters,
    stateless: ApiFunctionPlan | None = None,
) -> SimpleNamespace:
    """An endpoint's method: its parameters in the plan's order; an optional one defaults to None
    (left out of the request) unless the manifest declares a default a signature can show (query
    parameters; a body field's default is the model's, sent when the argument is left out)."""
    params: list[d.Doc] = []
    path: list[tuple[d.Doc, d.Doc]] = []
    query: list[tuple[d.Doc, d.Doc]] = []
    required: list[tuple[d.Doc, d.Doc]] = []
    optional_: list[tuple[d.Doc, d.Doc]] = []
    headers: list[tuple[d.Doc, d.Doc]] = []
    for p in plan.params:
        pname = sym.field_name(p.name)
        ann = py_type(p.type, imports)
        if p.required:
            params.append(f"{pname}: {ann}")
        elif p.location in ("query", "header") and p.absent == "default":
            params.append(f"{pname}: {ann} = {typed_default(api, p.type, p.default, imports)[0]}")
        else:
            params.append(f"{pname}: {optional(ann)} = None")
        if p.location == "path":
            path.append((py_literal(p.wire), pname))
            if p.body_field is not None:  # also a field of the request body
                required.append((py_literal(sym.field_name(p.body_field)), pname))
        elif p.location == "query":
            query.append((py_literal(p.wire), pname))
        elif p.location == "body":
            (required if p.required else optional_).append((py_literal(pname), pname))
        elif p.location == "header":
            headers.append((py_literal(p.wire), pname))
    # the per-call options: one argument, apart from the API's parameters
    params.append(f"{CALL_OPTIONS_PARAM}: {optional(imports.use(sym.lib('RequestOptions')))} = None")
    # what every endpoint method has, whichever way its request goes out
    method = dict(
        kind="endpoint",
        is_async=is_async,
        name=sym.method_name(name),
        decorator=deprecation(sym.method_name(name), plan.deprecated, imports),
        params=params,
        returns=return_annotation(plan, imports, is_async),
        doc=text(docstring(plan.doc or f"`{plan.method} {api.endpoints[plan.id].path.template}`", "        ")),
    )
    if stateless is not None:
        # (emit_api reads this module's Adapters: imported here, once both are loaded)
        from tinkc.backends.python.emit_api import ASYNC_SUFFIX, FUTURE_SUFFIX, function_name, group_module, request_dict

        # the endpoint's stateless function (`api.<group>.<fun>`) with this client: the request
        # goes onto the wire there; the parameters as its request, by their Python names
        fn = stateless
        name_ = function_name(fn) + (ASYNC_SUFFIX if is_async else FUTURE_SUFFIX if plan.call_mode == "future" else "")
        values: dict[str, d.Doc] = {p.name: sym.field_name(p.name) for p in plan.params}
        request = request_dict(api, plan, fn, values)
        callee = f"{'await ' if is_async else ''}{imports.use(API_PACKAGE)}.{group_module(fn.group)}.{name_}"
        return SimpleNamespace(
            **method,
            callee=callee,
            args=[*([request] if request is not None else []), "client=self", f"{CALL_OPTIONS_PARAM}={CALL_OPTIONS_PARAM}"],
        )
    call, leading = endpoint_call(plan, imports, adapters, start=not is_async)
    args: list[d.Doc] = [*leading, *location_args(path, query)]
    if plan.body.kind == "record":
        assert plan.body.record is not None
        record = imports.use(sym.type_symbol(plan.body.record))
        dicts = [d.exploded("{", d.dict_items(items), "}") for items in (required, optional_)]
        args.append(d.kwarg("body", d.exploded_call(imports.use(sym.lib("request_body")), [record, *dicts])))
    elif plan.body.kind == "whole":
        assert plan.body.type is not None
        adapter = imports.use(sym.lib("TypeAdapter"))
        args.append(f'body={adapter}({py_type(plan.body.type, imports)}).dump_python(body, mode="json", by_alias=True)')
    if headers:  # header parameters: the runtime leaves absent ones out
        args.append(d.kwarg("headers", d.collection("{", d.dict_items(headers), "}")))
    args.append(f"{CALL_OPTIONS_PARAM}={CALL_OPTIONS_PARAM}")
    return SimpleNamespace(**method, call=call, args=args)


def paging_literal(plan: EndpointPlan, imports: Imports) -> d.Doc:
    """The runtime's `Paging` of a paginated endpoint: the plan's rule, as data."""
    page = plan.page
    assert page is not None

    def strings(values: tuple[str, ...]) -> d.Doc:
        return d.collection("(", [py_literal(v) for v in values], ")", tuple_=True)

    args: list[d.Doc] = [d.kwarg("style", py_literal(page.style))]
    for key, control in (("limit", page.limit), ("offset", page.offset), ("cursor", page.cursor)):
        if control is not None:
            args.append(d.kwarg(key, strings((control.location, control.wire))))
    for key, path in (("total", page.total_path), ("next_field", page.next_path)):
        if path:
            args.append(d.kwarg(key, strings(path)))
    if page.next_header is not None:
        args.append(d.kwarg("next_header", py_literal(page.next_header)))
    return d.call(imports.use(sym.lib("Paging")), args)


def iterator_method(api: ir.Api, name: str, plan: EndpointPlan, is_async: bool, imports: Imports, adapters: Adapters) -> SimpleNamespace:
    """The page iterator of a paginated endpoint's method (`<method>_iter`): the same parameters,
    the first request as the method sends it, then the plan's rule for the next ones."""
    page = plan.page
    assert page is not None and plan.response_type is not None
    method = endpoint_method(api, name, plan, is_async, imports, adapters)
    adapter = adapters(plan.response_type)
    page_t = py_type(plan.response_type, imports)
    item_t = py_type(page.item_type, imports)
    pager = imports.use(sym.lib("AsyncPager" if is_async else "Pager"))
    leading = [method.args[0], paging_literal(plan, imports), adapter, f"lambda page: page.{sym.field_name(page.items_field)}"]
    rest = method.args[2:]  # after the endpoint and its adapter: path, query, body as the method sends them
    iterate = "async for" if is_async else "for"
    doc = f"Every item of `{sym.method_name(name)}`, page after page (`{iterate} item in ...`; `.pages()`: the pages)."
    return SimpleNamespace(
        kind="endpoint",
        is_async=False,  # the pager is made at once; iterating it sends the requests
        name=sym.method_name(name + ITER_SUFFIX),
        decorator=deprecation(sym.method_name(name + ITER_SUFFIX), plan.deprecated, imports),
        params=method.params,
        returns=f"{pager}[{page_t}, {item_t}]",
        doc=text(docstring(doc, "        ")),
        call="_paginate",
        args=[*leading, *rest],
    )


def clients_module(api: ir.Api, plan: SdkPlan, names: PythonSymbols) -> str:
    imports = Imports(exploded=(sym.SPEC_MODULE, sym.TYPES_MODULE))
    adapters = Adapters(imports)
    classes: list[SimpleNamespace] = []
    for client in plan.clients.values():
        for is_async in (False, True):
            methods: list[SimpleNamespace] = []
            for m in client.methods:
                if m.kind == "endpoint":
                    fn = next(f for g in plan.api_groups for f in g.functions if f.endpoint == m.target)
                    methods.append(endpoint_method(api, m.name, plan.endpoint(m.target), is_async, imports, adapters, fn))
                    if plan.endpoint(m.target).page is not None:
                        methods.append(iterator_method(api, m.name, plan.endpoint(m.target), is_async, imports, adapters))
                else:
                    writer = FlowWriter(api, plan, plan.flow(m.target), is_async, imports, adapters, names)
                    methods.append(writer.method(sym.method_name(m.name)))
            aliases = []
            for a in client.aliases:
                # Tinkex's `SamplingClient.create_async(service, ...)`: the other client's method, typed
                # as it is (a ParamSpec), looked up when called (that class may come later in the module)
                target = f"{names.client_class(a.client, is_async)}.{sym.method_name(a.method)}"
                doc = a.doc or f"Same as ``{target}`` (the first argument is that client)."
                aliases.append(
                    "\n".join(
                        [
                            f"    {sym.method_name(a.name)} = staticmethod({imports.use(sym.lib('delegate'))}(lambda: {target}))",
                            *docstring(doc, "    "),
                        ]
                    )
                )
            for k in client.chunkers:
                # Tinkex's `TrainingClient.DataProcessor.chunk_data/1`: a static method here
                item = py_type(k.chunk.item, imports)
                doc = (k.doc or f"The chunks of ``{k.chunk.input}``.") + (
                    f" At most {k.chunk.max_items} items and about {k.chunk.max_bytes} bytes (estimated from the JSON form) a "
                    "chunk; an item larger than that alone is an ``InvalidArgumentError``."
                )
                chunking = d.call(
                    imports.use(sym.lib("Chunking")), [py_literal(k.chunk.input), str(k.chunk.max_items), str(k.chunk.max_bytes), "()"]
                )
                aliases.append(
                    "\n".join(
                        [
                            "    @staticmethod",
                            f"    def {sym.method_name(k.name)}(items: {imports.use(sym.lib('Sequence'))}[{item}]) -> list[list[{item}]]:",
                            *docstring(doc, "        "),
                            d.render(["return ", chunking, ".split(items)"], 2),
                        ]
                    )
                )
            if client.queue_key is not None:
                # Tinkex's `SamplingClient.clear_queue_state_debounce/1`: a static method here
                arg = names.field_name(client.queue_key)
                doc = (
                    f"Forgets when the queue-state log last logged a change for ``{arg}``: the next change of "
                    "its futures is logged at once (the log lines are debounced per value of it)."
                )
                aliases.append(
                    "\n".join(
                        [
                            "    @staticmethod",
                            f"    def clear_queue_state_debounce({arg}: str) -> None:",
                            *docstring(doc, "        "),
                            f"        {imports.use(sym.lib('clear_queue_state_debounce'))}({arg})",
                        ]
                    )
                )
            classes.append(
                SimpleNamespace(
                    aliases=aliases,
                    name=names.client_class(client.id, is_async),
                    base=imports.use(sym.lib("AsyncBaseClient" if is_async else "BaseClient")),
                    doc=text(docstring(client.doc or f"The `{client.id}` client.", "    ")),
                    service=imports.use(sym.spec_symbol("SERVICE")),
                    methods=methods,
                )
            )
    adapter_lines = text(adapters.lines())
    return render(
        "clients.py.jinja",
        doc=text(docstring(f"Clients of the {api.service.name} API. Generated by tinkc: do not edit.", "")),
        imports=text(imports.lines()),
        adapters=adapter_lines,
        classes=classes,
    )


__all__ = ["clients_module"]
