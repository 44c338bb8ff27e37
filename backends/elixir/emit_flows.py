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

from tinkc.backends.elixir import exfmt, naming
from tinkc.backends.elixir.emit_types import TypeRenderer
from tinkc.backends.elixir.exfmt import Call, Fn, Map, Match, Node, Pair, Struct, Text, Tuple
from tinkc.backends.elixir.exfmt import List as ListNode
from tinkc.backends.elixir.modules import Aliases, Layout
from tinkc.backends.elixir.signatures import (
    Param,
    Signature,
    endpoint_params,
    flow_method,
    flow_signature,
    session_id_field,
)
from tinkc.ir import nodes as ir
from tinkc.ir.queries import step_binds
from tinkc.ir.types import base_type


class Scope:
    """The variables of one function: unique names, and which of them the code reads."""

    def __init__(self, taken: set[str]) -> None:
        self.taken = set(taken)
        self.read: set[str] = set()

    def fresh(self, base: str) -> str:
        name = naming.variable_name(base)
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

    def __init__(self, api: ir.Api, layout: Layout, aliases: Aliases, client: ir.Client, sig: Signature) -> None:
        self.api = api
        self.layout = layout
        self.aliases = aliases
        self.types = TypeRenderer(api, layout, aliases)
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
        each (a long default breaks one over several lines)."""
        out = []
        for p in self.sig.options:
            if p.name not in self.scope.read:
                continue
            args = [Text("opts"), Text(naming.atom(p.name))]
            if p.has_default:
                args.append(self.types.value(p.type, p.default))
            out.append(exfmt.statement(Match(p.name, "=", Call("Keyword.get", args)), 4))
        return out

    def head_args(self) -> list[str]:
        args = [self.sig.receiver, *(p.name for p in self.sig.positional)]
        used = "c" in self.scope.read or any(p.name in self.scope.read for p in self.sig.options)
        args.append("opts \\\\ []" if used else "_opts \\\\ []")
        return args

    def session_id(self) -> str:
        """The variable holding the session id (a `with` clause fetches it once)."""
        if self.session_var is None:
            field = session_id_field(self.api) or "session_id"
            self.session_var = self.scope.fresh(field)
            self.clauses.append(
                Match(
                    f"{{:ok, {self.session_var}}}",
                    "<-",
                    Call(f"{self.client_ref}.session_id", [Text(self.handle()), Text(naming.atom(field))]),
                )
            )
        return self.scope.use(self.session_var)

    def state(self, name: str) -> Node:
        field = next((s for s in self.client.state if s.name == name), None)
        if field is not None and field.counter:
            return Text(f"{self.client_ref}.next({self.handle()}, {naming.atom(naming.field_name(name))})")
        if name == session_id_field(self.api):
            return Text(self.session_id())
        return Text(f"{self.client_ref}.state({self.handle()}, {naming.atom(naming.field_name(name))})")

    # -- endpoint calls -----------------------------------------------------------------------------

    def endpoint_call(self, ep: ir.Endpoint, values: dict[str, Node], handle: str, mode: str) -> Node:
        """`Client.<mode>(handle, "ep.id", path: ..., query: ..., body: ..., decode: ...)` with the
        given parameter values (by manifest name)."""
        params = endpoint_params(self.api, ep)
        args: list[Node] = [Text(handle), Text(naming.string(ep.id))]
        path = [Pair(f"{naming.string(p.wire)} =>", values[p.wire]) for p in params if p.where == "path" and p.wire in values]
        # the values are keyed by the manifest's parameter names; the request carries the wire names
        query = [Pair(f"{naming.string(q.wire_name)} =>", values[q.name]) for q in ep.query if q.name in values]
        if path:
            args.append(Pair("path:", Map(path)))
        if query:
            args.append(Pair("query:", Map(query)))
        record = self.api.record(ep.request)
        if record is not None:
            request = self.types.module(record.id)
            fields = [Pair(naming.key(naming.field_name(f.name)), values[f.name]) for f in record.fields if f.name in values]
            args.append(Pair("body:", Struct(request, fields)))
        elif ep.request is not None and "body" in values:
            args.append(Pair("body:", Tuple([self.types.term(ep.request), values["body"]])))
        if mode in ("call", "call_future", "future_task"):
            assert ep.response is not None
            args.append(Pair("decode:", self.types.term(ep.response)))
        return Call(f"{self.client_ref}.{mode}", args)

    def call_mode(self, ep: ir.Endpoint, submitted: bool, returns_future: bool) -> str:
        if ep.response_handler == "redirect_location":
            return "call_location"
        futures = self.api.future_feature(ep) is not None
        if futures and submitted:
            return "submit"
        if ep.response is None:
            return "call_empty"
        if futures:
            return "future_task" if returns_future else "call_future"
        return "call"

    # -- the function -------------------------------------------------------------------------------

    def function(self, body: list[str], doc: list[str], spec: list[str]) -> list[str]:
        lines = [*doc, *spec, *exfmt.def_head(self.sig.function, self.head_args())]
        statements = self.option_lines()
        if "c" in self.scope.read:  # the handle carries the per-call options (`:timeout`)
            statements.append(
                exfmt.statement(Match("c", "=", Call(f"{self.client_ref}.handle", [Text(self.sig.receiver), Text("opts")])), 4)
            )
        prelude = exfmt.block(statements)
        if prelude and (len(body) > 1 or len(statements[-1]) > 1):
            prelude.append("")
        lines += prelude + body
        lines.append("  end")
        return lines

    def with_body(self, result: Node) -> list[str]:
        """The `with` of the clauses gathered, or the single call when there is nothing to chain."""
        if len(self.clauses) == 1 and isinstance(self.clauses[0], Match) and self.clauses[0].op == "<-":
            only = self.clauses[0]
            if result.flat() == only.left:  # `with {:ok, x} <- call do {:ok, x} end` is the call
                return exfmt.statement(only.right, 4)
        if not self.clauses:
            return exfmt.statement(result, 4)
        return exfmt.with_lines(self.clauses, 4, exfmt.statement(result, 6))


class EndpointFunction(FunctionWriter):
    """A client function that calls one endpoint."""

    def __init__(self, api: ir.Api, layout: Layout, aliases: Aliases, client: ir.Client, sig: Signature, ep: ir.Endpoint) -> None:
        super().__init__(api, layout, aliases, client, sig)
        self.ep = ep

    def body(self) -> list[str]:
        # endpoint_call takes values by the manifest's names; a query parameter's Param carries its wire name
        manifest_name = {q.wire_name: q.name for q in self.ep.query}
        values: dict[str, Node] = {}
        for p in self.sig.params:
            values[manifest_name.get(p.wire, p.wire) if p.where == "query" else p.wire] = self.param_value(p)
        mode = self.call_mode(self.ep, submitted=False, returns_future=True)
        return exfmt.statement(self.endpoint_call(self.ep, values, self.handle(), mode), 4)


class FlowFunction(FunctionWriter):
    """A client function that runs a manifest flow."""

    def __init__(self, api: ir.Api, layout: Layout, aliases: Aliases, client: ir.Client, sig: Signature, flow: ir.Flow) -> None:
        super().__init__(api, layout, aliases, client, sig)
        self.flow = flow
        self.inputs = {p.wire: p for p in sig.params}
        self.results = {s.id: s.result_type for s in flow.steps}
        self.vars: dict[str, str] = {}
        self.submitted = {s.awaits for s in flow.steps if s.kind == "await_future" and s.awaits}
        self.maybe_none = False
        # the steps whose value a later step (or the result) reads
        self.read: set[str] = {b.step for s in flow.steps for b in step_binds(s) if b.step}
        self.read |= {s.receiver[5:] for s in flow.steps if s.receiver.startswith("step:")}
        self.read |= self.submitted
        if flow.steps and flow.result is not None:
            self.read.add(flow.steps[-1].id)

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
                out += f".{naming.field_name(acc)}"
                t = field.type
                self.maybe_none = (not field.required and not field.has_default) or base_type(self.api, t)[1]
            else:
                out += f"[{naming.string(acc)}]"
                t = b.value if isinstance(b, ir.MapT) else None
                self.maybe_none = True
        return out

    def bind(self, b: ir.Bind) -> Node:
        self.maybe_none = False
        if b.source == "input":
            p = self.inputs.get(str(b.path[0]))
            name = self.scope.use(p.name) if p is not None else "nil"
            if p is not None and not p.positional and not p.has_default:
                self.maybe_none = True
            return Text(self.access(name, p.type if p else None, b.path[1:]) if len(b.path) > 1 else name)
        if b.source == "state":
            base = self.state(str(b.path[0]))
            return Text(self.access(base.flat(), None, b.path[1:])) if len(b.path) > 1 else base
        assert b.step is not None
        path = b.path[1:] if b.source == "steps" else b.path
        return Text(self.access(self.scope.use(self.var(b.step)), self.results.get(b.step), path))

    def value(self, v: ir.Value, expected: ir.TypeRef | None) -> Node:
        if isinstance(v, ir.Bind):
            return self.bind(v)
        if isinstance(v, ir.Const):
            return self.types.value(expected, v.value)
        if isinstance(v, ir.Interp):
            text = ""
            for part in v.parts:
                if isinstance(part, str):
                    text += naming.string(part)[1:-1]
                else:
                    text += "#{" + self.bind(part).flat() + "}"
            return Text(f'"{text}"')
        if isinstance(v, ir.ObjValue):
            record = self.api.record(base_type(self.api, expected)[0]) if expected is not None else None
            if record is not None:
                fields = {f.name: f for f in record.fields}
                return Map(
                    [Pair(naming.key(naming.field_name(k)), self.value(x, fields[k].type if k in fields else None)) for k, x in v.items]
                )
            base = base_type(self.api, expected)[0] if expected is not None else None
            inner = base.value if isinstance(base, ir.MapT) else None
            return Map([Pair(f"{naming.string(k)} =>", self.value(x, inner)) for k, x in v.items])
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
                Match(f"{{:ok, {var}}}", "<-", Call(f"{self.client_ref}.present", [node, Text(naming.string(v.text or name))]))
            )
            return Text(self.scope.use(var))
        return node

    # -- steps --------------------------------------------------------------------------------------

    def receiver_handle(self, step: ir.Step) -> str:
        if step.receiver.startswith("step:"):
            return f"{self.client_ref}.handle({self.scope.use(self.var(step.receiver[5:]))})"
        if step.receiver == "bind" and step.on is not None:
            return f"{self.client_ref}.handle({self.bind(step.on).flat()})"
        return self.handle()

    def step_expr(self, step: ir.Step, last: bool) -> Node | None:
        """The expression of a step answering `{:ok, value}`; None for a `return`."""
        args = {a.name: a.value for a in step.args}
        if step.kind in ("call", "call_await") and step.target_kind == "endpoint":
            ep = self.api.endpoints[step.target or ""]
            params = {p.wire: p for p in endpoint_params(self.api, ep)}
            record = self.api.record(ep.request)
            fields = {f.name: f for f in record.fields} if record else {}
            values: dict[str, Node] = {}
            for name, v in args.items():
                expected = fields[name].type if name in fields else (params[name].type if name in params else None)
                values[name] = self.value(v, expected)
            returns_future = last and isinstance(self.flow.result, ir.FutureT)
            mode = self.call_mode(ep, submitted=step.id in self.submitted, returns_future=returns_future)
            return self.endpoint_call(ep, values, self.receiver_handle(step), mode)
        if step.kind == "call" and step.target_kind == "flow":
            return self.flow_call(step, args)
        if step.kind == "await_future":
            call = self.flow.step(step.awaits or "")
            assert call is not None
            handle_var = self.scope.use(self.var(call.id))
            if call.target_kind == "flow":
                return Call(f"{self.client_ref}.await_task", [Text(handle_var)])
            assert step.result_type is not None
            return Call(
                f"{self.client_ref}.await_future",
                [Text(self.handle()), Text(naming.string(call.target or "")), Text(handle_var), self.types.term(step.result_type)],
            )
        if step.kind == "build_client":
            target = self.api.clients[step.target or ""]
            state = {s.name: s for s in target.state}
            items = [
                Pair(naming.key(naming.field_name(a.name)), self.value(a.value, state[a.name].type if a.name in state else None))
                for a in step.args
            ]
            module = self.aliases.ref(self.layout.client_module(target))
            return Call(f"{self.client_ref}.build", [Text(self.handle()), Text(module), Map(items)])
        return None

    def flow_call(self, step: ir.Step, args: dict[str, ir.Value]) -> Node:
        callee = self.api.flows[step.target or ""]
        owner = flow_method(self.api, callee)
        assert owner is not None
        client, function = owner
        sig = flow_signature(self.api, client, function, callee)
        module = self.layout.client_module(client)
        if step.receiver.startswith("step:"):
            receiver = self.scope.use(self.var(step.receiver[5:]))
        elif step.receiver == "bind" and step.on is not None:
            receiver = self.bind(step.on).flat()
        elif step.receiver == "sibling" and module != self.module:
            receiver = self.scope.fresh(f"{naming.variable_name(client.id)}_client")
            target = self.aliases.ref(module)
            self.clauses.append(
                Match(f"{{:ok, {receiver}}}", "<-", Call(f"{self.client_ref}.sibling", [Text(self.handle()), Text(target)]))
            )
            receiver = self.scope.use(receiver)
        else:
            receiver = self.sig.receiver
        call_args: list[Node] = [Text(receiver)]
        for p in sig.positional:
            call_args.append(self.required_value(args[p.wire], p.type, p.name) if p.wire in args else Text("nil"))
        for p in sig.options:
            if p.wire in args:
                call_args.append(Pair(naming.key(p.name), self.required_value(args[p.wire], p.type, p.name)))
        fun = function if module == self.module else f"{self.aliases.ref(module)}.{function}"
        return Call(fun, call_args)

    def body(self) -> list[str]:
        steps = {s.id: s for s in self.flow.steps}
        last = self.flow.steps[-1].id if self.flow.steps else None
        result: Node = Text("{:ok, nil}")
        for stage in self.flow.stages:
            runnable = [sid for sid in stage if steps[sid].kind != "return"]
            exprs: list[tuple[str, Node]] = []
            for sid in runnable:
                expr = self.step_expr(steps[sid], last=sid == last)
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
                if steps[sid].kind == "return":
                    result = Tuple([Text(":ok"), self.value(steps[sid].args[0].value, None)])
        if last is not None and self.flow.result is not None and steps[last].kind != "return":
            result = Text(f"{{:ok, {self.scope.use(self.var(last))}}}")
        return self.with_body(result)


def function_doc(doc: str | None, sig: Signature, extra: list[str]) -> list[str]:
    text = (doc or "").strip()
    parts = [text] if text else []
    parts += extra
    lines = ["## Options", ""]
    for p in sig.options:
        default = f" (default: `{json.dumps(ir.thaw(p.default))}`)" if p.has_default else ""
        lines.append(f"  * `{naming.atom(p.name)}`{' - ' + p.doc.strip() if p.doc else ''}{default}")
    lines.append("  * `:timeout` - the HTTP timeout of this call's requests, in milliseconds")
    parts.append("\n".join(lines))
    return exfmt.heredoc("@doc", "\n\n".join(parts))
