"""The stateless endpoint layer (Tinkex's `Tinkex.API.*`), rendered from the plan's `api_groups`
and `raw`:

* `<Root>.API.<Group>`: per endpoint, `fun(request, opts \\\\ [])` (`fun(opts \\\\ [])` for an
  endpoint without parameters) answering `{:ok, value} | {:error, %Error{}}` as the endpoint does;
  a future endpoint's is polled to its result, and `fun_future/1,2` answers `{:ok, Task}`
  (submitted now, polled in the task). `opts`: `:config` (a `<Root>.Config`) or `:client` (an SDK
  client), `:request_options`, `:timeout`; anything else raises `ArgumentError`.
* `<Root>.API`: `post/3`, `get/2`, `put/3`, `delete/2`, the raw requests.

The clients' endpoint functions call these functions (with `client:` their handle): how a request
goes onto the wire is written here only.
"""

from __future__ import annotations

from tinkc.backends.elixir import exfmt, symbols, templating
from tinkc.backends.elixir.emit_types import TypeRenderer
from tinkc.backends.elixir.exfmt import Call, Map, Node, Pair, Struct, Text
from tinkc.backends.elixir.exfmt import List as ListNode
from tinkc.backends.elixir.modules import Aliases
from tinkc.backends.elixir.signatures import unique
from tinkc.backends.elixir.symbols import Layout
from tinkc.ir import nodes as ir
from tinkc.sdk import ApiFunctionPlan, ApiGroupPlan, EndpointPlan, SdkPlan
from tinkc.sdk.plan import RAW_METHODS, body_record, stateless_doc

# The runtime function an endpoint's stateless function goes through, by its response kind.
CALLS = {"value": "call", "empty": "call_empty", "redirect": "call_location", "future": "call_future", "stream": "call_stream"}
DECODING = frozenset({"call", "call_future", "future_task", "call_stream"})
# The suffix of a future endpoint's task-answering function (Tinkex's `forward_backward_future/2`).
FUTURE_SUFFIX = "_future"
OPTS_DEFAULT = "opts \\\\ []"
# What a streaming endpoint's function answers (the plan's STREAMING rule), said in its doc.
STREAM_DOC = (
    " Answers `{{:ok, stream}}` once the whole response is read: a lazy `Stream` of the server-sent events, each "
    "decoded as a `{type}` when the stream reaches it (an event that does not decode raises the "
    "`:validation` error); a status is `{{:error, error}}`. Never retried."
)
# The variables every stateless function's body uses itself.
TAKEN = frozenset({"c", "opts", "request", "params", "body"})


def api_module(layout: Layout) -> str:
    return f"{layout.namespace}.API"


def group_module(layout: Layout, group: str) -> str:
    return f"{api_module(layout)}.{symbols.module_segment(group)}"


def function_name(fn: ApiFunctionPlan) -> str:
    """The function's name; one a Kernel function also has (`send`, as Tinkex's
    `API.Telemetry.send/2`) is kept: the module imports Kernel without it (`kernel_excepts`)."""
    name = symbols.function_name(fn.name)
    plain = name.removesuffix(symbols.RESERVED_SUFFIX)
    return plain if plain != name and plain in symbols.KERNEL_CLASHES else name


def kernel_excepts(group: ApiGroupPlan) -> list[str]:
    """`name: arity` of the Kernel imports the group's functions replace (each function has both its
    arities: with and without the trailing `opts`)."""
    out = []
    for fn in group.functions:
        name = function_name(fn)
        if name in symbols.KERNEL_CLASHES:
            arities = (0, 1) if fn.request == "none" else (1, 2)
            out += [f"{name}: {a}" for a in arities]
    return out


def param_key(name: str) -> str:
    """The atom a parameter has in a `params` request map (as the record field of that name)."""
    return symbols.field_name(name)


def request_args(plan: SdkPlan, types: TypeRenderer, ep: EndpointPlan, values: dict[str, Node], body: Node | None) -> list[Node]:
    """`path: ..., query: ..., body: ..., headers: ...` of a request from the parameters' values (by
    manifest name); `body`: the request record already made (else made from the values)."""
    args: list[Node] = []
    path = [Pair(f"{symbols.string(p.wire)} =>", values[p.name]) for p in ep.located("path")]
    query = [Pair(f"{symbols.string(p.wire)} =>", values[p.name]) for p in ep.located("query")]
    if path:
        args.append(Pair("path:", Map(path)))
    if query:
        args.append(Pair("query:", Map(query)))
    record = body_record(plan.api, ep)
    if body is not None:
        args.append(Pair("body:", body))
    elif record is not None:
        # the struct's own field order; its constant fields are its defaults, always sent
        fields = [Pair(symbols.key(symbols.field_name(f.name)), values[f.name]) for f in record.fields if f.name in values]
        args.append(Pair("body:", Struct(types.module(record.id), fields)))
    elif ep.body.kind == "whole" and ep.body.type is not None:
        args.append(Pair("body:", exfmt.Tuple([types.term(ep.body.type), values["body"]])))
    headers = [Pair(f"{symbols.string(p.wire)} =>", values[p.name]) for p in ep.located("header")]
    if headers:  # header parameters: the runtime leaves absent (nil) ones out
        args.append(Pair("headers:", Map(headers)))
    return args


class GroupWriter:
    def __init__(self, plan: SdkPlan, layout: Layout, group: ApiGroupPlan) -> None:
        self.plan = plan
        self.layout = layout
        self.group = group
        self.module = group_module(layout, group.name)
        self.aliases = Aliases(self.module)
        for runtime in ("Runtime.Client", "Error", "Config"):
            self.aliases.claim(layout.runtime(runtime))
        self.types = TypeRenderer(plan.api, layout, self.aliases)

    @property
    def client(self) -> str:
        return self.aliases.ref(self.layout.runtime("Runtime.Client"))

    def request_spec(self, fn: ApiFunctionPlan, ep: EndpointPlan) -> list[str]:
        if fn.request == "none":
            return []
        record = body_record(self.plan.api, ep)
        if fn.request == "record" and record is not None:
            return [f"{self.types.module(record.id)}.t() | map() | keyword()"]
        return ["map() | keyword()"]

    def value_spec(self, ep: EndpointPlan) -> str:
        if ep.response == "stream":  # a `Stream` of the decoded events
            return "Enumerable.t()"
        if ep.response == "redirect" and ep.response_type is None:
            return "String.t()"
        if ep.response_type is None:
            return "nil"
        return self.types.spec(ep.response_type)

    def label(self, name: str, fn: ApiFunctionPlan) -> str:
        arity = 1 if fn.request == "none" else 2
        return symbols.string(f"{self.module}.{name}/{arity}")

    def body(self, fn: ApiFunctionPlan, ep: EndpointPlan, name: str, call: str) -> list[str]:
        """The statements of a function: the handle, the request, the runtime call."""
        label = self.label(name, fn)
        statements = [exfmt.statement(exfmt.Match("c", "=", Call(f"{self.client}.stateless", [Text("opts"), Text(label)])), 4)]
        values: dict[str, Node] = {}
        body: Node | None = None
        if fn.request == "record":
            record = body_record(self.plan.api, ep)
            assert record is not None
            module = self.types.module(record.id)
            statements.append(
                exfmt.statement(exfmt.Match("body", "=", Call(f"{self.client}.record!", [Text("request"), Text(module), Text(label)])), 4)
            )
            body = Text("body")
            values = {p.name: Text(f"body.{symbols.field_name(p.body_field or p.name)}") for p in ep.params}
        elif fn.request == "params":
            known = ListNode([Text(symbols.atom(param_key(p.name))) for p in ep.params])
            required = ListNode([Text(symbols.atom(param_key(p.name))) for p in ep.params if p.required])
            check = Call(f"{self.client}.params!", [Text("request"), known, required, Text(label)])
            statements.append(exfmt.statement(exfmt.Match("params", "=", check), 4))
            defaulted = [p for p in ep.params if not p.required and p.absent == "default"]
            # a parameter with a default: a variable of its own (a statement the formatter lays out
            # as the clients' `Keyword.get` of an option with a default)
            names = unique([symbols.variable_name(p.name) for p in defaulted], TAKEN)
            variables = dict(zip((p.name for p in defaulted), names, strict=True))
            for p in ep.params:
                key = param_key(p.name)
                if p.required:
                    values[p.name] = Text(f"params.{key}" if symbols.atom(key) == f":{key}" else f"params[{symbols.atom(key)}]")
                elif p.name in variables:
                    get = Call("Map.get", [Text("params"), Text(symbols.atom(key)), self.types.value(p.type, p.default)])
                    statements.append(exfmt.statement(exfmt.Match(variables[p.name], "=", get), 4))
                    values[p.name] = Text(variables[p.name])
                else:
                    values[p.name] = Text(f"params[{symbols.atom(key)}]")
        args: list[Node] = [Text("c"), Text(symbols.string(ep.id)), *request_args(self.plan, self.types, ep, values, body)]
        if call in DECODING:
            args.append(Pair("decode:", self.types.term(ep.response_type) if ep.response_type is not None else Text(":none")))
        if call == "call_location" and ep.redirect_field is not None and ep.response_type is not None:
            args += [Pair("decode:", self.types.term(ep.response_type)), Pair("url_field:", Text(symbols.string(ep.redirect_field)))]
        statements.append(exfmt.statement(Call(f"{self.client}.{call}", args), 4))
        return exfmt.block(statements)

    def doc(self, fn: ApiFunctionPlan, ep: EndpointPlan, task: bool) -> str:
        text = stateless_doc(self.plan.api, ep)
        if fn.request == "record":
            record = body_record(self.plan.api, ep)
            assert record is not None
            text += f" The request: a `{self.types.module(record.id)}` struct, or a map or keyword list of its fields."
        elif fn.request == "params":
            names = ", ".join(f"`{symbols.atom(param_key(p.name))}`" + ("" if p.required else " (optional)") for p in ep.params)
            text += f" The request: a map or keyword list of the parameters {names}."
        text += (
            " Options: `:config` (a `"
            + self.layout.runtime("Config")
            + "`) or `:client` (a client of the SDK: its configuration, connections and session), "
            "`:request_options`, `:timeout`; another option raises `ArgumentError`."
        )
        if task:
            text += " Answers `{:ok, task}`: the request is sent now, the task polls its result (`Task.await/2`)."
        elif ep.response == "stream":
            text += STREAM_DOC.format(type=self.types.module(ep.response_type.name) if isinstance(ep.response_type, ir.Ref) else "value")
        elif ep.response == "future":
            text += f" The server computes the result later: the call polls it (`{function_name(fn)}{FUTURE_SUFFIX}` answers a task)."
        return "\n".join(exfmt.heredoc("@doc", text))

    def function(self, fn: ApiFunctionPlan) -> list[str]:
        ep = self.plan.endpoint(fn.endpoint)
        name = function_name(fn)
        args = [] if fn.request == "none" else ["request"]
        specs = [*self.request_spec(fn, ep), "keyword()"]
        error = self.aliases.ref(self.layout.runtime("Error"))
        result = [f"{{:ok, {self.value_spec(ep)}}}", f"{{:error, {error}.t()}}"]
        out: list[str] = []
        if ep.response == "future":
            future = f"{name}{FUTURE_SUFFIX}"
            call = f"{future}({', '.join([*args, 'opts'])})"
            head = ", ".join([*args, OPTS_DEFAULT])
            out.append(
                "\n".join(
                    [
                        self.doc(fn, ep, task=False),
                        *exfmt.spec(name, specs, result),
                        *exfmt.short_def(f"{name}({head})", Text(f"{self.client}.await_answer({call})")),
                    ]
                )
            )
            out.append(self.function_text(fn, ep, future, args, specs, ["{:ok, Task.t()}"], "future_task", task=True))
        else:
            out.append(self.function_text(fn, ep, name, args, specs, result, CALLS[ep.response], task=False))
        return out

    def function_text(
        self, fn: ApiFunctionPlan, ep: EndpointPlan, name: str, args: list[str], specs: list[str], ret: list[str], call: str, task: bool
    ) -> str:
        return "\n".join(
            [
                self.doc(fn, ep, task),
                *exfmt.spec(name, specs, ret),
                *exfmt.def_head(name, [*args, "opts \\\\ []"]),
                *self.body(fn, ep, name, call),
                "  end",
            ]
        )

    def metadata(self) -> str:
        """`__functions__/0`: each function with its endpoint's id, request kind and the request's
        codec terms (the record's module, or each parameter's atom, manifest name and type), for
        the conformance driver."""
        entries: list[Node] = []
        for fn in self.group.functions:
            ep = self.plan.endpoint(fn.endpoint)
            term: Node = Text("nil")
            if fn.request == "record":
                record = body_record(self.plan.api, ep)
                assert record is not None
                term = Text(self.types.module(record.id))
            elif fn.request == "params":
                term = ListNode(
                    [
                        exfmt.Tuple([Text(symbols.atom(param_key(p.name))), Text(symbols.string(p.name)), self.types.term(p.type)])
                        for p in ep.params
                    ]
                )
            entries.append(
                exfmt.Tuple(
                    [Text(symbols.atom(function_name(fn))), Text(symbols.string(fn.endpoint)), Text(symbols.atom(fn.request)), term]
                )
            )
        return "\n".join(["  @doc false", "  def __functions__ do", *exfmt.statement(ListNode(entries), 4), "  end"])

    def source(self) -> tuple[str, str]:
        blocks: list[str] = []
        for fn in self.group.functions:
            blocks.extend(self.function(fn))
        blocks.append(self.metadata())
        doc = (
            f"The stateless functions of the `{self.group.name}` endpoints of the {self.plan.api.service.name} API: each "
            "takes the request and options, and answers `{:ok, value}` or `{:error, %"
            + self.layout.runtime("Error")
            + "{}}` as the endpoint does, through the same runtime as the clients (retries, auth headers, idempotency keys, "
            "telemetry). The clients' functions call these.\n\nGenerated by tinkc: do not edit."
        )
        excepts = kernel_excepts(self.group)
        imports = f"  import Kernel, except: [{', '.join(excepts)}]" if excepts else ""
        head = ["\n".join(exfmt.heredoc("@moduledoc", doc)), imports, "\n".join(self.aliases.lines())]
        return self.layout.path(self.module), templating.module(self.module, head, blocks)


def raw_module(plan: SdkPlan, layout: Layout) -> tuple[str, str]:
    """`<Root>.API`: the raw requests, and the list of the endpoint groups' modules."""
    module = api_module(layout)
    aliases = Aliases(module)
    client = aliases.ref(layout.runtime("Runtime.Client"))
    error = aliases.ref(layout.runtime("Error"))
    blocks: list[str] = []
    for method in RAW_METHODS:
        name = method.lower()
        body = method in ("POST", "PUT")
        args = ["path", "body"] if body else ["path"]
        label = symbols.string(f"{module}.{name}/{len(args) + 1}")
        doc = (
            f"A raw `{method}` of `path` (under the base URL)"
            + (", `body` any JSON term (a map, a list, a struct of the SDK's types)" if body else "")
            + ": the decoded JSON answer (`nil` for an empty body), or `{:error, %"
            + layout.runtime("Error")
            + "{}}`. Options as the `API.*` functions: `:config` or `:client`, `:request_options`, `:timeout`."
        )
        call = Call(f"{client}.raw", [Text(symbols.atom(name)), Text("path"), Text("body" if body else "nil"), Text("opts"), Text(label)])
        specs = ["String.t()", *(["term()"] if body else []), "keyword()"]
        blocks.append(
            "\n".join(
                [
                    *exfmt.heredoc("@doc", doc),
                    *exfmt.spec(name, specs, ["{:ok, term()}", f"{{:error, {error}.t()}}"]),
                    *exfmt.def_head(name, [*args, "opts \\\\ []"]),
                    *exfmt.statement(call, 4),
                    "  end",
                ]
            )
        )
    # Tinkex's `stream_get/2`: a raw GET answered as a streaming endpoint is (the plan's STREAMING rule)
    label = symbols.string(f"{module}.stream_get/2")
    doc = (
        "A raw streaming `GET` of `path` (under the base URL), asking for `text/event-stream`: once the whole body is read, "
        "`{:ok, stream}`, a lazy `Stream` of its server-sent events' data decoded as JSON (data that is not JSON raises the "
        "`:validation` error), or `{:error, %" + layout.runtime("Error") + "{}}` for a status. Never retried. Options as the "
        "`API.*` functions."
    )
    blocks.append(
        "\n".join(
            [
                *exfmt.heredoc("@doc", doc),
                *exfmt.spec("stream_get", ["String.t()", "keyword()"], ["{:ok, Enumerable.t()}", f"{{:error, {error}.t()}}"]),
                *exfmt.def_head("stream_get", ["path", "opts \\\\ []"]),
                *exfmt.statement(Call(f"{client}.raw_stream", [Text("path"), Text("opts"), Text(label)]), 4),
                "  end",
            ]
        )
    )
    modules = Map([Pair(f"{symbols.string(g.name)} =>", Text(group_module(layout, g.name))) for g in plan.api_groups])
    blocks.append("\n".join(["  @doc false", *exfmt.short_def("__groups__", modules)]))
    groups = ", ".join(f"`{group_module(layout, g.name)}`" for g in plan.api_groups)
    doc = (
        f"The stateless layer of the {plan.api.service.name} API: the raw requests (`post/3`, `get/2`, `put/3`, `delete/2`, "
        "`stream_get/2`); "
        f"one module per endpoint group holds a function per endpoint ({groups}).\n\nGenerated by tinkc: do not edit."
    )
    head = ["\n".join(exfmt.heredoc("@moduledoc", doc)), "\n".join(aliases.lines())]
    return layout.path(module), templating.module(module, head, blocks)


def api_modules(plan: SdkPlan, layout: Layout) -> list[tuple[str, str]]:
    return [raw_module(plan, layout), *(GroupWriter(plan, layout, g).source() for g in plan.api_groups)]
