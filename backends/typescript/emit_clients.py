"""`src/clients.ts`: one class per manifest client, a Promise-returning method per endpoint and per
flow (flow bodies come from `emit_flows`).

An endpoint method takes one object of named parameters: the path and query parameters and the
fields of the request record, as the manifest names them (`client.getInfo({ model_id })`), in the
plan's one order. It resolves to the decoded response, the result of a server-side future (polled
until it is there; nothing when the endpoint declares no response), the `Location` of a redirect,
or nothing. What goes on the wire for a parameter left out is the plan's rule: nothing (the key is
left out), or its declared default."""

from __future__ import annotations

from typing import Any

from tinkc.backends.typescript import symbols as sym
from tinkc.backends.typescript.doc import (
    LINE,
    SOFTLINE,
    WIDTH,
    Doc,
    Indent,
    array,
    block,
    call,
    comment_block,
    group,
    join,
    obj,
    pretty,
    type_literal,
)
from tinkc.backends.typescript.emit_types import Context, TypeExprs, file_header, ts_literal
from tinkc.backends.typescript.render import template
from tinkc.backends.typescript.symbols import (
    BASE_CLIENT,
    CHUNKS,
    CLIENT_OPTIONS,
    EVENT_STREAM,
    HEADER_VALUES,
    PAGER,
    REQUEST_OPTIONS,
    SPEC,
    Imports,
    Symbols,
)
from tinkc.ir import nodes as ir
from tinkc.sdk import EndpointPlan, SdkPlan
from tinkc.sdk.plan import DEPRECATION_NOTICE, AliasPlan, ChunkerPlan

# Where a parameter goes in the params object of an endpoint method (the request record's fields
# come in as the record's own type).
NAMED = ("path", "query", "body_whole", "header")


def returns_nothing(ep: EndpointPlan) -> bool:
    """The method resolves to nothing (`void`): no response body, or a future without one."""
    return ep.response == "empty" or (ep.response == "future" and ep.response_type is None)


def takes_params(ep: EndpointPlan) -> bool:
    """Does the endpoint method take a params object (before its options)?"""
    return bool(ep.params) or ep.body.kind != "none"


def check_args(method: str, known: list[str], has_params: bool, has_options: bool) -> dict[str, Any]:
    """The first statement of every method: an unknown parameter or option is an error at run time
    too (`BaseClient.checkArgs`), as the plan's per-call rule says for every SDK."""
    args: list[Doc] = [sym.string_literal(method), "params" if has_params else "{}", array([sym.string_literal(k) for k in known])]
    if has_options:
        args.append("options")
    return statement("do", call("this.checkArgs", args))


def request_literal(items: list[tuple[str, Doc]], spread: str | None = None) -> Doc:
    """`{ key: value, ... }`, ending with `...spread` (the call's options) when given."""
    return obj([*(group(sym.literal_key(k), ": ", v) for k, v in items), *([f"...{spread}"] if spread else [])])


def defaulted(key: str, value: str, default: str) -> Doc:
    """`key: value ?? default` as Prettier lays out a property whose value is a binary expression:
    when it does not fit, the value moves to its own line, and then breaks after `??` itself (a
    long default, such as a long string, is the usual reason)."""
    return group(sym.literal_key(key), ":", group(Indent([LINE, group(value, " ??", LINE, default)])))


class Writer:
    """What the writers of clients.ts share: the plan, the names, the file's imports."""

    def __init__(self, plan: SdkPlan, names: Symbols, imports: Imports, ctx: Context) -> None:
        self.plan = plan
        self.api = plan.api
        self.names = names
        self.imports = imports
        self.ctx = ctx
        self.x = TypeExprs(names, imports)

    @property
    def spec(self) -> str:
        return self.imports.use(SPEC)

    def stream_type(self, t: ir.TypeRef | None) -> str:
        """What a streaming call resolves to: the `for await` iterable of its decoded events."""
        return f"{self.imports.use(EVENT_STREAM)}<{self.x.ts_type(t)}>"

    def return_type(self, ep: EndpointPlan) -> str:
        if ep.response == "stream":
            return self.stream_type(ep.response_type)
        if ep.response == "redirect" and ep.response_type is None:
            return "string"
        if returns_nothing(ep):
            return "void"
        return self.x.ts_type(ep.response_type)

    def endpoint_call(self, ep: EndpointPlan, request: list[Doc], submit: bool = False, receiver: str = "this") -> Doc:
        """The runtime call of an endpoint with a request (`[]` for none), as its response kind
        says: decoded, empty, a redirect's location, a future polled to its result (nothing, when
        the endpoint declares no response) or only submitted (its request id, polled by a later
        step)."""
        const = f"{self.spec}.{self.names.endpoint(ep.id)}"
        if ep.response == "future" and ep.runtime.futures is not None:
            futures = f"{self.spec}.{self.names.feature(ep.runtime.futures)}"
            if submit:
                return call(f"{receiver}.submit", [const, futures, *request])
            result = self.x.nothing() if ep.response_type is None else self.x.schema(ep.response_type)
            return call(f"{receiver}.callFuture", [const, futures, result, *request])
        if ep.response == "redirect" and ep.redirect_field is not None:
            return call(
                f"{receiver}.callRedirect", [const, self.x.schema(ep.response_type), sym.string_literal(ep.redirect_field), *request]
            )
        if ep.response == "redirect":
            return call(f"{receiver}.callLocation", [const, *request])
        if ep.response == "empty":
            return call(f"{receiver}.callEmpty", [const, *request])
        if ep.response == "stream":
            return call(f"{receiver}.callStream", [const, self.x.schema(ep.response_type), *request])
        return call(f"{receiver}.call", [const, self.x.schema(ep.response_type), *request])


class ClientsWriter(Writer):
    def params_type(self, ep: EndpointPlan) -> tuple[Doc, bool]:
        """The type of an endpoint method's params object, and whether it may be left out (nothing in it
        is required). The request record's fields come in as the record's own type (`{...} & Record`)."""
        named = [p for p in ep.params if p.location in NAMED]
        members: list[Doc] = [
            [*comment_block(p.doc), f"{sym.property_key(p.name)}{'' if p.required else '?'}: {self.x.ts_type(p.type)}"] for p in named
        ]
        required = any(p.required for p in named)
        record = self.api.record(ep.body.type) if ep.body.kind == "record" else None
        if record is None:
            return type_literal(members), not required
        required = required or any(not self.ctx.optional(record, f) for f in record.fields)
        name = self.x.type_ref(record.id)
        return ([type_literal(members), " & ", name] if members else name), not required

    def method_doc(self, text: str | None, ep: EndpointPlan) -> str:
        parts = [text.strip()] if text and text.strip() else []
        parts.append(f"`{ep.method} {self.api.endpoints[ep.id].path.template}`")
        if ep.deprecated:
            parts.append(f"@deprecated {DEPRECATION_NOTICE}")
        return "\n\n".join(parts)

    def request_doc(self, ep: EndpointPlan, options: str = "options") -> Doc:
        """The request object of an endpoint's call from its params object (`params`) and the
        call's options (the variable `options`): path, query, body and header values, the
        options spread in (header parameters, then the call's own headers, which win)."""
        items: list[tuple[str, Doc]] = []
        for where in ("path", "query"):
            values: list[Doc] = []
            for p in ep.located(where):
                access = sym.property_access("params", p.name)
                if p.absent == "default":
                    values.append(defaulted(p.wire, access, ts_literal(p.default)))
                else:
                    values.append(group(sym.literal_key(p.wire), ": ", access))
            if values:
                items.append((where, obj(values)))
        if ep.body.kind == "record" and ep.body.record is not None:
            # the encoder leaves an absent field out, or sends its default, and always the constants
            items.append(("body", call(f"{self.x.s}.encode", [self.x.type_ref(ep.body.record), "params"])))
        elif ep.body.kind == "whole":
            items.append(("body", call(f"{self.x.s}.encode", [self.x.schema(ep.body.type), "params.body"])))
        request = request_literal(items, spread=options) if items else options
        headers: list[Doc] = []
        for p in ep.located("header"):
            access = sym.property_access("params", p.name)
            if p.absent == "default":
                headers.append(defaulted(p.wire, access, ts_literal(p.default)))
            else:
                headers.append(group(sym.literal_key(p.wire), ": ", access))
        if headers:  # header parameters, then the call's own headers (which win), after the options
            merged = call(self.imports.use(HEADER_VALUES), [obj(headers), f"{options}.headers"])
            request = obj([*(group(sym.literal_key(k), ": ", v) for k, v in items), f"...{options}", group("headers: ", merged)])
        return request

    def known(self, ep: EndpointPlan) -> list[str]:
        """The names an endpoint's params object may hold: its named parameters, the record's fields."""
        known = [p.name for p in ep.params if p.location in NAMED]
        record = self.api.record(ep.body.type) if ep.body.kind == "record" else None
        if record is not None:
            known += [f.name for f in record.fields if f.name not in known]
        return known

    def endpoint_method(self, name: str, ep: EndpointPlan, doc: str | None) -> dict[str, Any]:
        """An endpoint method for the template: its doc, signature parts and its statements: the
        check of its arguments, then the endpoint's stateless function (`api.<group>.<fun>`) with
        this client (the request goes onto the wire there)."""
        from tinkc.backends.typescript.emit_api import API_NAMESPACE, function_of, group_name

        parameters: list[tuple[str, Doc, str | None]] = []
        if takes_params(ep):
            ptype, omittable = self.params_type(ep)
            parameters.append(("params", ptype, "{}" if omittable else None))
        parameters.append(("options", self.imports.use(REQUEST_OPTIONS), "{}"))
        known = self.known(ep)
        fn = function_of(self.plan, ep.id)
        callee = f"{self.imports.use(API_NAMESPACE)}.{group_name(fn.group)}.{sym.method_name(fn.name)}"
        stateless = call(callee, [*(["params"] if takes_params(ep) else []), obj(["...options", "client: this"])])
        return {
            "doc": self.method_doc(doc or ep.doc, ep),
            "name": name,
            "params": parameters,
            "returns": self.return_type(ep),
            "statements": [check_args(name, known, takes_params(ep), True), statement("return", stateless)],
            "known": known,
        }

    def paging_literal(self, ep: EndpointPlan) -> Doc:
        """The runtime's `Paging` of a paginated endpoint: the plan's rule, as data."""
        page = ep.page
        assert page is not None

        def strings(values: tuple[str, ...]) -> str:
            return "[" + ", ".join(ts_literal(v) for v in values) + "]"

        members: list[Doc] = [group("style: ", ts_literal(page.style))]
        for key, control in (("limit", page.limit), ("offset", page.offset), ("cursor", page.cursor)):
            if control is not None:
                members.append(group(f"{key}: ", strings((control.location, control.wire))))
        for key, path in (("total", page.total_path), ("nextField", page.next_path)):
            if path:
                members.append(group(f"{key}: ", strings(path)))
        if page.next_header is not None:
            members.append(group("nextHeader: ", ts_literal(page.next_header)))
        return obj(members)

    def iterator_method(self, name: str, ep: EndpointPlan) -> dict[str, Any]:
        """The page iterator of a paginated endpoint's method (`<method>Iter`): the same
        parameters, the first request as the method sends it, then the plan's rule."""
        page = ep.page
        assert page is not None and ep.response_type is not None
        method = self.endpoint_method(name, ep, None)
        page_t = self.x.ts_type(ep.response_type)
        item_t = self.x.ts_type(page.item_type)
        pager = self.imports.use(PAGER)
        items = "(page) => " + sym.property_access("page", page.items_field)
        const = f"{self.spec}.{self.names.endpoint(ep.id)}"
        # the request the plain method sends (its path, query and body, and the call's options)
        # the paging object next to the request object: Prettier hugs neither, one argument a line
        expr = call("this.paginate", [const, self.x.schema(ep.response_type), items, self.paging_literal(ep), self.request_doc(ep)])
        return {
            "doc": f"Every item of `{name}`, page after page (`for await`; `.pages()`: the pages)."
            + (f"\n\n@deprecated {DEPRECATION_NOTICE}" if ep.deprecated else ""),
            "name": name + "Iter",
            "params": method["params"],
            "returns": f"{pager}<{page_t}, {item_t}>",
            "plain": True,
            "statements": [check_args(name + "Iter", method["known"], takes_params(ep), True), statement("return", expr)],
        }


def statement(kind: str, expr: Doc, awaited: bool = False, name: str = "", names: list[str] | None = None) -> dict[str, Any]:
    """A statement of a method body, for the template: `return`, `const` (a variable), `all` (the
    steps of a stage awaited together), or `do` (an expression statement)."""
    return {"kind": kind, "expr": expr, "awaited": awaited, "name": name, "names": names or []}


def alias_method(alias: AliasPlan, names: Symbols) -> str:
    """A static method that is another client's method (Tinkex's `SamplingClient.create_async`):
    `SamplingClient.create(service, ...args)`, typed as that method is."""
    other = names.classes[alias.client]
    method = f'{other}["{names.method(alias.method)}"]'
    doc = alias.doc or f"Same as `{other}.{names.method(alias.method)}` (the first argument is that client)."
    receiver = sym.variable(alias.client)
    text = pretty(
        [
            *comment_block(doc),
            # (no trailing comma when broken: a rest parameter may not have one)
            group(
                f"static {names.method(alias.name)}(",
                Indent([SOFTLINE, *join([",", LINE], [f"{receiver}: {other}", f"...args: Parameters<{method}>"])]),
                SOFTLINE,
                ")",
            ),
            f": ReturnType<{method}> ",
            block([[f"return {receiver}.{names.method(alias.method)}(...args);"]]),
        ],
        WIDTH - 2,  # printed as a member of the class, two columns in
    ).rstrip("\n")
    return "\n".join("  " + line if line else line for line in text.split("\n"))


def chunker_method(chunker: ChunkerPlan, names: Symbols, x: TypeExprs, imports: Imports) -> str:
    """A static method splitting a list as a flow's chunked step does (Tinkex's
    `TrainingClient.DataProcessor.chunk_data/1`: `TrainingClient.chunkData(items)`)."""
    c = chunker.chunk
    doc = (chunker.doc or f"The chunks of `{c.input}`.") + (
        f" At most {c.max_items} items and about {c.max_bytes} bytes (estimated from the JSON form) a chunk; an item "
        "larger than that alone throws `InvalidArgumentError`."
    )
    item = x.ts_type(c.item)
    spec = obj(
        [
            group("input: ", sym.string_literal(c.input)),
            group("item: ", x.schema(c.item)),
            f"maxItems: {c.max_items}",
            f"maxBytes: {c.max_bytes}",
            "combine: []",
        ]
    )
    text = pretty(
        [
            *comment_block(doc),
            group(f"static {names.method(chunker.name)}(items: readonly ", item, "[]): ", item, "[][] "),
            block([["return ", call(f"{imports.use(CHUNKS)}.split", [spec, "items"]), ";"]]),
        ],
        WIDTH - 2,  # printed as a member of the class, two columns in
    ).rstrip("\n")
    return "\n".join("  " + line if line else line for line in text.split("\n"))


def clear_queue_method(key: str, imports: Imports) -> str:
    """Tinkex's `SamplingClient.clear_queue_state_debounce/1`: a static method forgetting the
    queue-state log marks of one value of the client's debounce key."""
    arg = sym.variable(key)
    doc = (
        f"Forgets when the queue-state log last logged a change for `{arg}`: the next change of its futures is "
        "logged at once (the log lines are debounced per value of it)."
    )
    text = pretty(
        [
            *comment_block(doc),
            f"static clearQueueStateDebounce({arg}: string): void ",
            block([[f"{imports.use(sym.CLEAR_QUEUE_MARKS)}({arg});"]]),
        ],
        WIDTH - 2,  # printed as a member of the class, two columns in
    ).rstrip("\n")
    return "\n".join("  " + line if line else line for line in text.split("\n"))


def clients_module(plan: SdkPlan, names: Symbols, ctx: Context | None = None) -> str:
    from tinkc.backends.typescript.emit_flows import FlowWriter

    imports = Imports("src/clients.ts")
    writer = ClientsWriter(plan, names, imports, ctx or Context.of(plan.api))
    classes: list[dict[str, Any]] = []
    for client in plan.clients.values():
        methods: list[dict[str, Any]] = []
        for m in client.methods:
            name = names.method(m.name)
            if m.kind == "endpoint":
                methods.append(writer.endpoint_method(name, plan.endpoint(m.target), m.doc))
                if plan.endpoint(m.target).page is not None:
                    methods.append(writer.iterator_method(name, plan.endpoint(m.target)))
            else:
                methods.append(FlowWriter(writer, plan.flow(m.target)).method(name, m.doc))
        aliases = [alias_method(a, names) for a in client.aliases]
        aliases += [chunker_method(k, names, writer.x, imports) for k in client.chunkers]
        if client.queue_key is not None:
            aliases.append(clear_queue_method(client.queue_key, imports))
        classes.append(
            {"doc": client.doc or f"The `{client.id}` client.", "name": names.classes[client.id], "methods": methods, "aliases": aliases}
        )
    context = {"base": imports.use(BASE_CLIENT), "options": imports.use(CLIENT_OPTIONS), "spec": imports.use(SPEC)} if classes else {}
    header = file_header(f"Clients of the {plan.service.name} API. Generated by tinkc: do not edit.", imports, exports=bool(classes))
    return template("clients.ts.jinja").render(header=header, classes=classes, **{"base": "", "options": "", "spec": "", **context})
