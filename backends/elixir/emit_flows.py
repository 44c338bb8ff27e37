"""Client functions: endpoint calls and flows, as Elixir.

A function takes its client (a pid or a struct), turns it into a handle once (`Client.handle/1`:
context, state, counters) and runs its steps in the caller's process. A flow is one `with`:

    with {:ok, session_id} <- Client.session_id(c, :session_id),
         {:ok, step1} <- Client.submit(c, "models.create", body: %CreateModelRequest{...}),
         {:ok, step2} <- Client.await_future(c, "models.create", step1, CreateModelResponse),
         ... do
      {:ok, step4}
    end

Bindings become expressions over the step variables, the inputs and the client's state (counters
yield 0, 1, 2, ...; the session id is created on first use). The steps of one stage (no data
dependency between them) run at the same time (`Client.concurrently/1`). A flow whose result is a
future answers `{:ok, task}`: its request is sent before the function returns (so requests leave in
call order) and the task polls.
"""

from __future__ import annotations

import json

from tinkc.backends.elixir import exfmt, symbols
from tinkc.backends.elixir.emit_types import TypeRenderer, int_literal
from tinkc.backends.elixir.exfmt import Call, CallFn, Fn, Map, Match, Node, Pair, Struct, Text, Tuple
from tinkc.backends.elixir.exfmt import List as ListNode
from tinkc.backends.elixir.modules import Aliases
from tinkc.backends.elixir.signatures import Param, Signature, flow_function
from tinkc.backends.elixir.symbols import Layout
from tinkc.ir import nodes as ir
from tinkc.ir.types import base_type
from tinkc.sdk import ClientPlan, EndpointPlan, FlowInputPlan, FlowPlan, SdkPlan, StepArg, StepPlan

# The runtime function an endpoint call goes through, by the plan's response kind (a future is
# submitted and polled; `future_task` polls in a task, `call_future` in the caller).
CALLS = {"value": "call", "empty": "call_empty", "redirect": "call_location", "future": "call_future", "stream": "call_stream"}
# The calls that decode what they answer (`decode:` a codec type; `:none` for a future that
# resolves to nothing).
DECODING = frozenset({"call", "call_future", "future_task", "call_stream"})


class Scope:
    """The variables of one function: unique names, and which of them the code reads."""

    def __init__(self, taken: set[str]) -> None:
        self.taken = set(taken)
        self.read: set[str] = set()

    def fresh(self, base: str) -> str:
        name = symbols.variable_name(base)
        candidate, n = name, 2
        while candidate in self.taken:
            candidate, n = f"{name}_{n}", n + 1
        self.taken.add(candidate)
        return candidate

    def use(self, name: str) -> str:
        self.read.add(name)
        return name


class FunctionWriter:
    """What an endpoint function and a flow function share: the handle, options and calls."""

    def __init__(self, plan: SdkPlan, layout: Layout, aliases: Aliases, client: ClientPlan, sig: Signature) -> None:
        self.plan = plan
        self.api = plan.api
        self.layout = layout
        self.aliases = aliases
        self.types = TypeRenderer(plan.api, layout, aliases)
        self.client = client
        self.sig = sig
        self.module = layout.client_module(client)
        self.scope = Scope({sig.receiver, "opts", "c", *(p.name for p in sig.params)})
        self.clauses: list[Node] = []  # the `with` clauses, in order
        self.session_var: str | None = None

    @property
    def client_ref(self) -> str:
        return self.aliases.ref(self.layout.runtime("Runtime.Client"))

    def handle(self) -> str:
        return self.scope.use("c")

    def param_value(self, p: Param) -> Node:
        return Text(self.scope.use(p.name))

    def option_lines(self) -> list[list[str]]:
        """`name = Keyword.get(opts, :name, default)` for the options the body reads, one statement
        each (a long default breaks one over several lines). An option without a default left out
        is nil, which is not sent (the plan's absent rule: the encoder leaves out a nil optional
        field, the request a nil query parameter)."""
        out = []
        for p in self.sig.options:
            if p.name not in self.scope.read:
                continue
            args = [Text("opts"), Text(symbols.atom(p.name))]
            if p.has_default:
                args.append(self.types.value(p.type, p.default))
            out.append(exfmt.statement(Match(p.name, "=", Call("Keyword.get", args)), 4))
        return out

    def spread_inputs(self) -> list[FlowInputPlan]:
        return []  # only a flow has inputs with `spread:`

    def overlay_lines(self) -> list[list[str]]:
        """`spread:` inputs: the record input with the fields given as options of their own in
        place of its own (`lora_config = Client.overlay(lora_config, Keyword.take(opts, [:rank, ...]))`)."""
        out: list[list[str]] = []
        for i in self.spread_inputs():
            if i.name in self.scope.read:
                names = ListNode([Text(symbols.atom(o)) for o in i.overrides])
                given = Call("Keyword.take", [Text("opts"), names])
                out.append(exfmt.statement(Match(i.name, "=", Call(f"{self.client_ref}.overlay", [Text(i.name), given])), 4))
        return out

    def head_args(self) -> list[str]:
        # every function reads its options: at least to reject the ones it does not declare
        return [self.sig.receiver, *(p.name for p in self.sig.positional), "opts \\\\ []"]

    def session_id(self) -> str:
        """The variable holding the session id (a `with` clause fetches it once)."""
        if self.session_var is None:
            field = self.plan.session.session_id_field if self.plan.session is not None else "session_id"
            self.session_var = self.scope.fresh(field)
            self.clauses.append(
                Match(
                    f"{{:ok, {self.session_var}}}",
                    "<-",
                    Call(f"{self.client_ref}.session_id", [Text(self.handle()), Text(symbols.atom(field))]),
                )
            )
        return self.scope.use(self.session_var)

    def state(self, name: str) -> Node:
        field = next((s for s in self.client.state if s.name == name), None)
        if field is not None and field.counter:
            start = f", {field.counter_start}" if field.counter_start else ""
            return Text(f"{self.client_ref}.next({self.handle()}, {symbols.atom(symbols.field_name(name))}{start})")
        if self.plan.session is not None and name == self.plan.session.session_id_field:
            return Text(self.session_id())
        return Text(f"{self.client_ref}.state({self.handle()}, {symbols.atom(symbols.field_name(name))})")

    # -- endpoint calls -----------------------------------------------------------------------------

    def endpoint_call(self, ep: EndpointPlan, values: dict[str, Node], handle: str, call: str) -> Node:
        """`Client.<call>(handle, "ep.id", path: ..., query: ..., body: ..., decode: ...)` with the
        given parameter values (by the plan's parameter names); the request carries the wire names."""
        args: list[Node] = [Text(handle), Text(symbols.string(ep.id)), *self.request_opts(ep, values)]
        if call in DECODING:
            args.append(Pair("decode:", self.types.term(ep.response_type) if ep.response_type is not None else Text(":none")))
        if call == "call_location" and ep.redirect_field is not None and ep.response_type is not None:
            # answered as the declared record, its url field the Location
            args += [Pair("decode:", self.types.term(ep.response_type)), Pair("url_field:", Text(symbols.string(ep.redirect_field)))]
        return Call(f"{self.client_ref}.{call}", args)

    def request_opts(self, ep: EndpointPlan, values: dict[str, Node]) -> list[Node]:
        """`path: ..., query: ..., body: ...` of a request, from the parameter values given."""
        args: list[Node] = []
        path = [Pair(f"{symbols.string(p.wire)} =>", values[p.name]) for p in ep.located("path") if p.name in values]
        query = [Pair(f"{symbols.string(p.wire)} =>", values[p.name]) for p in ep.located("query") if p.name in values]
        if path:
            args.append(Pair("path:", Map(path)))
        if query:
            args.append(Pair("query:", Map(query)))
        if ep.body.kind == "record" and ep.body.record is not None:
            record = self.api.types[ep.body.record]
            assert isinstance(record, ir.Record)
            # the struct's own field order; its constant fields are its defaults, always sent
            fields = [Pair(symbols.key(symbols.field_name(f.name)), values[f.name]) for f in record.fields if f.name in values]
            args.append(Pair("body:", Struct(self.types.module(record.id), fields)))
        elif ep.body.kind == "whole" and ep.body.type is not None and "body" in values:
            args.append(Pair("body:", Tuple([self.types.term(ep.body.type), values["body"]])))
        headers = [Pair(f"{symbols.string(p.wire)} =>", values[p.name]) for p in ep.located("header") if p.name in values]
        if headers:  # header parameters: the runtime leaves absent (nil) ones out
            args.append(Pair("headers:", Map(headers)))
        return args

    # -- the function -------------------------------------------------------------------------------

    def prelude(self, body: list[str]) -> str:
        """The statements before the body: the options it reads, then the handle."""
        # an option the function does not declare is an error (`Keyword.validate!`-style), never
        # ignored: the runtime adds the per-call options every function takes (`:timeout`)
        known = ListNode([Text(symbols.atom(p.name)) for p in self.sig.options])
        check = Call(
            f"{self.client_ref}.check_options!", [Text("opts"), known, Text(symbols.string(f"{self.sig.function}/{self.sig.arity()}"))]
        )
        statements = [exfmt.statement(check, 4), *self.option_lines(), *self.overlay_lines()]
        if "c" in self.scope.read:  # the handle carries the per-call options (`:request_options`, `:timeout`)
            # a `timeout` parameter of the API is not the shorthand of the per-call timeout
            opts = "Keyword.delete(opts, :timeout)" if any(p.wire == "timeout" for p in self.sig.params) else "opts"
            statements.append(exfmt.statement(Match("c", "=", Call(f"{self.client_ref}.handle", [Text(self.sig.receiver), Text(opts)])), 4))
        prelude = exfmt.block(statements)
        if prelude and (len(body) > 1 or len(statements[-1]) > 1):
            prelude.append("")  # the formatter's blank line before or after a multi-line statement
        return "\n".join(prelude)

    def with_body(self, result: Node, result_var: str | None, indent: int = 4) -> list[str]:
        """The `with` of the clauses gathered, or the single call when there is nothing to chain."""
        if len(self.clauses) == 1 and isinstance(self.clauses[0], Match) and self.clauses[0].op == "<-":
            only = self.clauses[0]
            if result_var is not None and only.left == f"{{:ok, {result_var}}}":
                return exfmt.statement(only.right, indent)  # `with {:ok, x} <- call do {:ok, x} end` is the call
        if not self.clauses:
            return exfmt.statement(result, indent)
        return exfmt.with_lines(self.clauses, indent, exfmt.statement(result, indent + 2))


class EndpointFunction(FunctionWriter):
    """A client function that calls one endpoint."""

    def __init__(self, plan: SdkPlan, layout: Layout, aliases: Aliases, client: ClientPlan, sig: Signature, ep: EndpointPlan) -> None:
        super().__init__(plan, layout, aliases, client, sig)
        self.ep = ep

    def body(self) -> list[str]:
        """The endpoint's stateless function (`API.<Group>.<fun>`) with this client's handle: the
        request as that function takes it (the body record, or the parameters by name); a future
        answers its task at once (`<fun>_future`: the request is sent now, the task polls)."""
        values = {p.wire: self.param_value(p) for p in self.sig.params}
        fn = next(f for g in self.plan.api_groups for f in g.functions if f.endpoint == self.ep.id)
        args: list[Node] = []
        if fn.request == "record":
            record = self.api.types[self.ep.body.record or ""]
            assert isinstance(record, ir.Record)
            fields = [Pair(symbols.key(symbols.field_name(f.name)), values[f.name]) for f in record.fields if f.name in values]
            args.append(Struct(self.types.module(record.id), fields))
        elif fn.request == "params":
            args.append(Map([Pair(symbols.key(symbols.field_name(p.name)), values[p.name]) for p in self.ep.params]))
        args.append(Pair("client:", Text(self.handle())))
        from tinkc.backends.elixir.emit_api import FUTURE_SUFFIX, function_name

        name = function_name(fn) + (FUTURE_SUFFIX if self.ep.call_mode == "future" else "")
        module = self.aliases.ref(f"{self.layout.namespace}.API.{symbols.module_segment(fn.group)}")
        return exfmt.statement(Call(f"{module}.{name}", args), 4)


class PagesFunction(EndpointFunction):
    """The page stream of a paginated endpoint's function: the request its function sends, and
    the plan's rule (`paging:`) with the page's items (`items:`), for `Client.pages/3`."""

    def body(self) -> list[str]:
        page = self.ep.page
        assert page is not None
        values = {p.wire: self.param_value(p) for p in self.sig.params}
        call = self.endpoint_call(self.ep, values, self.handle(), "call")
        assert isinstance(call, exfmt.Seq)
        paging: list[Node] = [Pair("style:", Text(":" + page.style))]
        for key, control in (("limit", page.limit), ("offset", page.offset), ("cursor", page.cursor)):
            if control is not None:
                paging.append(Pair(f"{key}:", Tuple([Text(":" + control.location), Text(symbols.string(control.wire))])))
        for key, path in (("total", page.total_path), ("next_field", page.next_path)):
            if path:
                paging.append(Pair(f"{key}:", ListNode([Text(symbols.string(x)) for x in path])))
        if page.next_header is not None:
            paging.append(Pair("next_header:", Text(symbols.string(page.next_header))))
        items = Text(f"& &1.{symbols.field_name(page.items_field)}")
        pages = Call(f"{self.client_ref}.pages", [*call.items, Pair("paging:", Map(paging)), Pair("items:", items)])
        return exfmt.statement(pages, 4)


class FlowFunction(FunctionWriter):
    """A client function that runs a manifest flow (the plan's steps, stage by stage)."""

    def spread_inputs(self) -> list[FlowInputPlan]:
        return [i for i in self.flow.inputs if i.overrides]

    def __init__(self, plan: SdkPlan, layout: Layout, aliases: Aliases, client: ClientPlan, sig: Signature, flow: FlowPlan) -> None:
        super().__init__(plan, layout, aliases, client, sig)
        self.flow = flow
        self.steps = {s.id: s for s in flow.steps}
        self.inputs = {p.wire: p for p in sig.params}
        self.vars: dict[str, str] = {}
        self.rebound: dict[str, str] = {}  # flow inputs read as another variable (a chunked step's chunk)
        self.maybe_none = False
        # the steps bound to a variable: those the plan says a later step reads, and each awaited
        # call (its `await` step reads the handle or the task it answered)
        self.read = {s.id for s in flow.steps if s.variable} | {s.awaits for s in flow.steps if s.awaits}

    # -- values -------------------------------------------------------------------------------------

    def var(self, step_id: str) -> str:
        if step_id not in self.vars:
            base = step_id if step_id.startswith("step") else f"step_{step_id}"
            self.vars[step_id] = self.scope.fresh(base)
        return self.vars[step_id]

    def access(self, base: str, t: ir.TypeRef | None, path: tuple[str | int, ...]) -> str:
        out = base
        self.maybe_none = False
        for acc in path:
            b = base_type(self.api, t)[0] if t is not None else None
            if isinstance(acc, int):
                out = f"Enum.at({out}, {acc})"
                t = b.item if isinstance(b, ir.ListT) else None
                continue
            rec = self.api.record(b) if b is not None else None
            field = rec.field(acc) if rec is not None else None
            if field is not None:
                out += f".{symbols.field_name(acc)}"
                t = field.type
                self.maybe_none = (not field.required and not field.has_default) or base_type(self.api, t)[1]
            else:
                out += f"[{symbols.string(acc)}]"
                t = b.value if isinstance(b, ir.MapT) else None
                self.maybe_none = True
        return out

    def bind(self, b: ir.Bind) -> Node:
        self.maybe_none = False
        if b.source == "input":
            p = self.inputs.get(str(b.path[0]))
            name = self.scope.use(p.name) if p is not None else "nil"
            name = self.rebound.get(str(b.path[0]), name)
            if p is not None and not p.positional and not p.has_default:
                self.maybe_none = True
            return Text(self.access(name, p.type if p else None, b.path[1:]) if len(b.path) > 1 else name)
        if b.source == "config":
            option = next((o for o in self.plan.config if o.name == str(b.path[0])), None)
            self.maybe_none = option is None or not option.has_default
            node = f"{self.client_ref}.config_option({self.handle()}, {symbols.atom(str(b.path[0]))})"
            return Text(self.access(node, option.type if option else None, b.path[1:])) if len(b.path) > 1 else Text(node)
        if b.source == "server":
            assert self.plan.server_config is not None
            field = self.plan.server_config.field(str(b.path[0]))
            self.maybe_none = base_type(self.api, field.type)[1]
            default = self.types.value(field.type, field.default).flat()
            return Text(f"{self.client_ref}.server_value({self.handle()}, {symbols.string(field.wire)}, {default})")
        if b.source == "state":
            base = self.state(str(b.path[0]))
            return Text(self.access(base.flat(), None, b.path[1:])) if len(b.path) > 1 else base
        assert b.step is not None
        path = b.path[1:] if b.source == "steps" else b.path
        step = self.steps.get(b.step)
        return Text(self.access(self.scope.use(self.var(b.step)), step.result_type if step else None, path))

    def value(self, v: ir.Value, expected: ir.TypeRef | None) -> Node:
        if isinstance(v, ir.Bind):
            return self.bind(v)
        if isinstance(v, ir.Const):
            return self.types.value(expected, v.value)
        if isinstance(v, ir.Interp):
            text = ""
            for part in v.parts:
                if isinstance(part, str):
                    text += symbols.string_body(part)
                else:
                    text += "#{" + self.bind(part).flat() + "}"
            return Text(f'"{text}"')
        if isinstance(v, ir.ObjValue):
            record = self.api.record(base_type(self.api, expected)[0]) if expected is not None else None
            if record is not None:
                fields = {f.name: f for f in record.fields}
                # a field the record requires filled by a value that may be absent is checked
                # present on its own (a clause), as a step argument is
                pairs = [
                    Pair(
                        symbols.key(symbols.field_name(k)),
                        self.required_value(x, fields[k].type, k) if k in fields else self.value(x, None),
                    )
                    for k, x in v.items
                ]
                self.maybe_none = False
                return Map(pairs)
            base = base_type(self.api, expected)[0] if expected is not None else None
            inner = base.value if isinstance(base, ir.MapT) else None
            return Map([Pair(f"{symbols.string(k)} =>", self.value(x, inner)) for k, x in v.items])
        if isinstance(v, ir.ListValue):
            base = base_type(self.api, expected)[0] if expected is not None else None
            item = base.item if isinstance(base, ir.ListT) else None
            return ListNode([self.value(x, item) for x in v.items])
        return Text("nil")

    def required_value(self, v: ir.Value, expected: ir.TypeRef | None, name: str) -> Node:
        """A value a callee needs: when it may be absent (an optional field of a response) and the
        callee's parameter is not nullable, a clause checks it is present."""
        node = self.value(v, expected)
        nullable = expected is not None and base_type(self.api, expected)[1]
        if self.maybe_none and not nullable and isinstance(v, ir.Bind):
            var = self.scope.fresh(name)
            self.clauses.append(
                Match(f"{{:ok, {var}}}", "<-", Call(f"{self.client_ref}.present", [node, Text(symbols.string(v.text or name))]))
            )
            return Text(self.scope.use(var))
        return node

    # -- steps --------------------------------------------------------------------------------------

    def receiver_handle(self, step: StepPlan) -> str:
        r = step.receiver
        if r is not None and r.kind == "step" and r.step is not None:
            return f"{self.client_ref}.handle({self.scope.use(self.var(r.step))})"
        if r is not None and r.kind == "bind" and r.bind is not None:
            return f"{self.client_ref}.handle({self.bind(r.bind).flat()})"
        return self.handle()

    def step_call(self, step: StepPlan) -> str:
        """The runtime call of an endpoint step, by its mode and its endpoint's response kind."""
        ep = self.plan.endpoint(step.endpoint or "")
        if step.mode == "submit":
            return "submit"
        if ep.response == "future" and self.sig.kind == "task" and self.flow.returns == "future" and step.id == self.flow.result_step:
            return "future_task"  # the flow answers the future itself: its task
        return CALLS[ep.response]

    def step_expr(self, step: StepPlan) -> Node | None:
        """The expression of a step answering `{:ok, value}`; None for a `return`."""
        if step.mode == "call" and step.chunk is not None:
            return self.chunked_expr(step)
        if step.mode in ("call", "submit"):
            ep = self.plan.endpoint(step.endpoint or "")
            values = {a.name: self.value(a.value, a.expected) for a in step.args}
            call = self.step_call(step)
            if step.ordered is not None:
                return self.ordered_call(step, ep, values, call)
            return self.endpoint_call(ep, values, self.receiver_handle(step), call)
        if step.mode == "call_flow":
            return self.flow_call(step)
        if step.mode == "pass":  # a called flow's future: its task
            return Call(f"{self.client_ref}.await_task", [Text(self.scope.use(self.var(step.awaits or "")))])
        if step.mode == "await":
            call = self.steps[step.awaits or ""]
            # a future of an endpoint without a response resolves to nothing, fused or not
            resolves = self.plan.endpoint(call.endpoint or "").response_type is not None
            decode = self.types.term(step.result_type) if resolves and step.result_type is not None else Text(":none")
            handle_var = self.scope.use(self.var(call.id))
            return Call(
                f"{self.client_ref}.await_future",
                [Text(self.handle()), Text(symbols.string(call.endpoint or "")), Text(handle_var), decode],
            )
        if step.mode == "parse":  # the record's parse function: `{:ok, struct}` or the invalid-argument error
            decl = self.api.types[step.parsed or ""]
            assert isinstance(decl, ir.Record) and decl.parse is not None
            value = self.value(step.args[0].value, step.args[0].expected)
            return Call(f"{self.types.module(decl.id)}.{symbols.function_name(decl.parse.function)}", [value])
        if step.mode == "build_client":
            target = self.plan.clients[step.client or ""]
            items = [Pair(symbols.key(symbols.field_name(a.name)), self.value(a.value, a.expected)) for a in step.args]
            module = self.aliases.ref(self.layout.client_module(target))
            return Call(f"{self.client_ref}.build", [Text(self.handle()), Text(module), Map(items)])
        return None

    def ordered_call(self, step: StepPlan, ep: EndpointPlan, values: dict[str, Node], call: str) -> Node:
        """A step carrying an ordered counter: in the client's lane of that counter (held by
        `Client.in_lane/3` while the fn runs), the request, whose body reads the counter, until the
        server answered it. A future polled here is submitted in the lane and polled after it
        (`future_task` already submits before its task polls)."""
        handle = self.receiver_handle(step)
        lane = Text(symbols.atom(symbols.field_name(step.ordered or "")))
        if call == "call_future":
            submitted = CallFn(f"{self.client_ref}.in_lane", (Text(handle), lane), Fn(self.endpoint_call(ep, values, handle, "submit")))
            decode = self.types.term(ep.response_type) if ep.response_type is not None else Text(":none")
            return Call(f"{self.client_ref}.await_submitted", [Text(handle), Text(symbols.string(ep.id)), submitted, decode])
        return CallFn(f"{self.client_ref}.in_lane", (Text(handle), lane), Fn(self.endpoint_call(ep, values, handle, call)))

    def chunked_expr(self, step: StepPlan) -> Node:
        """A chunked step (the plan's ChunkPlan): `Chunks.task/6` (the flow answers its task) or
        `Chunks.call/6`, with a function building one chunk's request (the input read as `chunk`)."""
        chunk = step.chunk
        assert chunk is not None
        ep = self.plan.endpoint(step.endpoint or "")
        items = self.bind(ir.Bind(source="input", path=(chunk.input,), text=""))
        chunk_var = self.scope.fresh("chunk")
        self.rebound = {chunk.input: chunk_var}
        values = {a.name: self.value(a.value, a.expected) for a in step.args}
        self.rebound = {}
        spec = Map(
            [
                Pair("input:", Text(symbols.string(chunk.input))),
                Pair("item:", self.types.term(chunk.item)),
                Pair("max_items:", Text(int_literal(chunk.max_items))),
                Pair("max_bytes:", Text(int_literal(chunk.max_bytes))),
                Pair("combine:", ListNode([Pair(symbols.key(symbols.field_name(f)), Text(f":{how}")) for f, how in chunk.combine])),
            ]
        )
        decode = self.types.term(ep.response_type) if ep.response_type is not None else Text(":none")
        task = self.sig.kind == "task" and self.flow.returns == "future" and step.id == self.flow.result_step
        chunks = self.aliases.ref(self.layout.runtime("Runtime.Chunks"))
        request = Fn(ListNode(self.request_opts(ep, values)), params=chunk_var)
        return Call(
            f"{chunks}.{'task' if task else 'call'}",
            [Text(self.receiver_handle(step)), Text(symbols.string(ep.id)), items, spec, decode, request],
        )

    def flow_call(self, step: StepPlan) -> Node:
        callee = self.plan.flow(step.flow or "")
        owner = flow_function(self.plan, callee)
        assert owner is not None
        client, sig = owner
        module = self.layout.client_module(client)
        r = step.receiver
        if r is not None and r.kind == "step" and r.step is not None:
            receiver = self.scope.use(self.var(r.step))
        elif r is not None and r.kind == "bind" and r.bind is not None:
            receiver = self.bind(r.bind).flat()
        elif r is not None and r.kind == "sibling" and module != self.module:
            receiver = self.scope.fresh(f"{symbols.variable_name(client.id)}_client")
            target = self.aliases.ref(module)
            self.clauses.append(
                Match(f"{{:ok, {receiver}}}", "<-", Call(f"{self.client_ref}.sibling", [Text(self.handle()), Text(target)]))
            )
            receiver = self.scope.use(receiver)
        else:
            receiver = self.sig.receiver
        args: dict[str, StepArg] = {a.name: a for a in step.args}
        call_args: list[Node] = [Text(receiver)]
        for p in sig.positional:
            a = args.get(p.wire)
            call_args.append(self.required_value(a.value, p.type, p.name) if a is not None else Text("nil"))
        for p in sig.options:
            a = args.get(p.wire)
            if a is not None:
                call_args.append(Pair(symbols.key(p.name), self.required_value(a.value, p.type, p.name)))
        if callee.sends_requests:  # the called flow's requests carry this call's options
            # (a `timeout` parameter of the API is not the shorthand of the per-call timeout)
            opts = "Keyword.delete(opts, :timeout)" if any(p.wire == "timeout" for p in self.sig.params) else "opts"
            call_args.append(Pair("request_options:", Call(f"{self.client_ref}.passed_options", [Text(opts)])))
        fun = sig.function if module == self.module else f"{self.aliases.ref(module)}.{sig.function}"
        if callee.task and callee.returns != "future":  # it answers `{:ok, task}`: its result here
            return Call(f"{self.client_ref}.await_answer", [Call(fun, call_args)])
        return Call(fun, call_args)

    def step_variable(self, v: ir.Value | None) -> str | None:
        """The variable a value is, when it is a step's whole answer."""
        if isinstance(v, ir.Bind) and v.step is not None and not (v.path[1:] if v.source == "steps" else v.path):
            return self.var(v.step)
        return None

    def eager_submit(self) -> tuple[Node, str] | None:
        """A `returns: task` flow whose first step sends a future's request: that request is sent
        before the function returns (so it leaves in call order, its counters taken now, as
        Tinkex's own functions do), the rest runs in the task. (the submission, the task function's
        parameter: the request id)"""
        first = self.steps[self.flow.stages[0][0]] if self.flow.stages and len(self.flow.stages[0]) == 1 else None
        if first is None or first.mode not in ("call", "submit") or first.chunk is not None:
            return None
        ep = self.plan.endpoint(first.endpoint or "")
        if ep.response != "future" or (first.receiver is not None and first.receiver.kind != "self"):
            return None
        values = {a.name: self.value(a.value, a.expected) for a in first.args}
        if self.clauses:  # its arguments need a clause of their own (the session id): all in the task
            return None
        submission = self.endpoint_call(ep, values, self.handle(), "submit")
        if first.mode == "submit":  # a later `await` step polls it: the request id is its variable
            return submission, self.var(first.id) if first.id in self.read else "_request_id"
        request_id = self.scope.fresh("request_id")
        decode = self.types.term(ep.response_type) if ep.response_type is not None else Text(":none")
        poll = Call(f"{self.client_ref}.await_future", [Text(self.handle()), Text(symbols.string(ep.id)), Text(request_id), decode])
        name = self.var(first.id) if first.id in self.read else "_"
        self.clauses.append(Match(f"{{:ok, {name}}}", "<-", poll))
        return submission, request_id

    def body(self) -> list[str]:
        result: Node = Text("{:ok, nil}")
        result_var: str | None = None
        # `returns: task` (and not a `returns: value` name of the flow): the flow in a task
        task = self.flow.task and self.flow.returns != "future" and self.sig.kind == "task"
        eager = self.eager_submit() if task else None
        for index, stage in enumerate(self.flow.stages):
            if eager is not None and index == 0:
                continue
            exprs: list[tuple[str, Node]] = []
            for sid in stage:
                if self.steps[sid].mode == "return":
                    continue
                expr = self.step_expr(self.steps[sid])
                if expr is not None:
                    exprs.append((sid, expr))
            if len(exprs) > 1:  # independent steps: at the same time
                names = [self.var(sid) if sid in self.read else f"_{self.var(sid)}" for sid, _ in exprs]
                concurrent = Call(f"{self.client_ref}.concurrently", [ListNode([Fn(e) for _, e in exprs])])
                self.clauses.append(Match(f"{{:ok, [{', '.join(names)}]}}", "<-", concurrent))
            else:
                for sid, expr in exprs:
                    name = self.var(sid) if sid in self.read else "_"
                    self.clauses.append(Match(f"{{:ok, {name}}}", "<-", expr))
            for sid in stage:
                step = self.steps[sid]
                if step.mode == "return":
                    returned = self.value(step.returned, None) if step.returned is not None else Text("nil")
                    result = Tuple([Text(":ok"), returned])
                    result_var = self.step_variable(step.returned)
        last = self.flow.result_step
        if last is not None and self.steps[last].mode != "return":
            result_var = self.scope.use(self.var(last))
            result = Text(f"{{:ok, {result_var}}}")
        if task and eager is not None:
            submission, request_id = eager
            return [
                *exfmt.statement(Match("submitted", "=", submission), 4),
                "",
                f"    {self.client_ref}.in_task(submitted, fn {request_id} ->",
                *self.with_body(result, result_var, 6),
                "    end)",
            ]
        if task:
            return [f"    {self.client_ref}.in_task(fn ->", *self.with_body(result, result_var, 6), "    end)"]
        return self.with_body(result, result_var)


def function_doc(doc: str | None, sig: Signature, extra: list[str]) -> list[str]:
    text = (doc or "").strip()
    parts = [text] if text else []
    parts += extra
    lines = ["## Options", ""]
    for p in sig.options:
        default = f" (default: `{json.dumps(ir.thaw(p.default))}`)" if p.has_default else ""
        lines.append(f"  * `{symbols.atom(p.name)}`{' - ' + p.doc.strip() if p.doc else ''}{default}")
    if not any(p.wire == "timeout" for p in sig.params):
        lines.append("  * `:timeout` - the HTTP timeout of this call's requests, in milliseconds")
    lines.append(
        "  * `:request_options` - this call's options: `:timeout` (ms), `:max_retries`, `:headers`, `:query`, `:body`, `:idempotency_key`"
    )
    parts.append("\n".join(lines))
    return exfmt.heredoc("@doc", "\n\n".join(parts))
