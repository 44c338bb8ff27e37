"""Flow methods: each step of a manifest flow as Python statements, bindings as expressions.

Sync and async methods come from one walk; in the async method, the steps of one stage (no data
dependency between them) run concurrently with asyncio.gather."""

from __future__ import annotations

from collections.abc import Callable

from tinkc.backends.python import naming
from tinkc.backends.python.emit_types import USED, Call, call_lines, docstring, escape_invisible, py_literal, py_type, typed_default
from tinkc.ir import nodes as ir
from tinkc.ir.types import base_type


def var(step_id: str) -> str:
    return f"s_{naming.field_name(step_id)}"


class FlowWriter:
    def __init__(
        self, api: ir.Api, flow: ir.Flow, is_async: bool, consts: Callable[[str], str], adapter: Callable[[ir.TypeRef], str]
    ) -> None:
        self.api = api
        self.flow = flow
        self.is_async = is_async
        self.endpoint_const = consts
        self.adapter = adapter
        self.results = {s.id: s.result_type for s in flow.steps}
        # the endpoint calls of the steps as (callee, arguments), for laying out a long one like ruff
        self.calls: dict[str, Call] = {}
        self.maybe_none = False  # set by access(): the last path crossed an optional or nullable field
        awaited = {s.awaits for s in flow.steps if s.kind == "await_future"}
        self.submitted = awaited  # futures calls awaited by a later step: submit, then await there
        from tinkc.ir.queries import step_binds

        # steps whose result a later step reads: only they are bound to a variable
        self.used: set[str] = {b.step for s in flow.steps for b in step_binds(s) if b.step}
        self.used |= {s.receiver[5:] for s in flow.steps if s.receiver.startswith("step:")}
        if flow.steps and flow.result is not None:
            self.used.add(flow.steps[-1].id)
        for s in reversed(flow.steps):  # an await reads its call's handle; awaiting a flow's result passes it on
            call = flow.step(s.awaits) if s.awaits else None
            if call is not None and (call.target_kind == "endpoint" or s.id in self.used):
                self.used.add(call.id)

    # -- expressions -----------------------------------------------------------------------------

    def access(self, base: str, t: ir.TypeRef | None, path: tuple[str | int, ...]) -> str:
        out = base
        self.maybe_none = False
        for acc in path:
            b = base_type(self.api, t)[0] if t is not None else None
            if isinstance(acc, int):
                out += f"[{acc}]"
                t = b.item if isinstance(b, ir.ListT) else None
                continue
            rec = self.api.record(b) if b is not None else None
            if rec is not None and rec.field(acc) is not None:
                field = rec.field(acc)
                assert field is not None
                out += f".{naming.field_name(acc)}"
                t = field.type
                # an optional field is None when absent; a nullable one when null
                self.maybe_none = (not field.required and not field.has_default) or base_type(self.api, t)[1]
            else:
                out += f"[{py_literal(acc)}]"
                t = b.value if isinstance(b, ir.MapT) else None
        return out

    def bind(self, b: ir.Bind, quote: str = '"') -> str:
        if b.source == "input":
            return self.access(naming.field_name(str(b.path[0])), None, b.path[1:])
        if b.source == "state":
            name = str(b.path[0])
            client = self.api.clients.get(self.flow.client or "")
            field = next((s for s in client.state if s.name == name), None) if client else None
            if field is not None and field.counter:
                return f"self._next({quote}{name}{quote})"
            if name == session_id_field(self.api):  # created on first use
                return "(await self._session_id())" if self.is_async else "self._session_id()"
            return f"self._state[{quote}{name}{quote}]"
        assert b.step is not None
        path = b.path[1:] if b.source == "steps" else b.path
        return self.access(var(b.step), self.results.get(b.step), path)

    def value(self, v: ir.Value, expected: ir.TypeRef | None = None) -> str:
        if isinstance(v, ir.Bind):
            return self.bind(v)
        if isinstance(v, ir.Const):
            base = base_type(self.api, expected)[0] if expected is not None else None
            decl = self.api.types.get(base.name) if isinstance(base, ir.Ref) else None
            if isinstance(decl, ir.Enum) and isinstance(v.value, str):
                return f"{naming.type_name(decl.id)}({py_literal(v.value)})"
            return py_literal(v.value)
        if isinstance(v, ir.Interp):
            body = ""
            for part in v.parts:
                if isinstance(part, str):
                    text = escape_invisible(part.replace("\\", "\\\\").replace('"', '\\"'))
                    body += text.replace("{", "{{").replace("}", "}}")
                else:
                    body += "{" + self.bind(part, quote="'") + "}"
            return f'f"{body}"'
        if isinstance(v, ir.ObjValue):
            return "{" + ", ".join(f"{py_literal(k)}: {self.value(x)}" for k, x in v.items) + "}"
        if isinstance(v, ir.ListValue):
            return "[" + ", ".join(self.value(x) for x in v.items) + "]"
        return "None"

    # -- steps -----------------------------------------------------------------------------------

    def receiver(self, step: ir.Step) -> str:
        if step.receiver.startswith("step:"):
            return var(step.receiver[5:])
        if step.receiver == "bind" and step.on is not None:
            return self.bind(step.on)
        if step.receiver == "sibling":
            owner = self.owner(step)
            if owner is not None:
                return f"self._sibling({self.class_name(owner)})"
        return "self"

    def owner(self, step: ir.Step) -> str | None:
        head = step.written_target.rpartition(".")[0]
        if step.target_kind == "flow" and step.target in self.api.flows:
            return self.api.flows[step.target].client
        from tinkc.ir.queries import find_client

        c = find_client(self.api, head) if head else None
        return c.id if c else None

    def class_name(self, client_id: str) -> str:
        return ("Async" if self.is_async else "") + naming.client_class(self.api, client_id)

    def endpoint_call(self, step: ir.Step) -> tuple[list[str], str]:
        from tinkc.backends.python.emit_clients import endpoint_method_params, feature_const

        ep = self.api.endpoints[step.target or ""]
        args = {a.name: a for a in step.args}
        params = endpoint_method_params(self.api, ep)
        path = [(p.wire, self.value(args[p.wire].value)) for p in params if p.where == "path" and p.wire in args]
        # a step names query parameters as the manifest does; the request carries their wire names
        query = [(q.wire_name, self.value(args[q.name].value)) for q in ep.query if q.name in args]
        record = self.api.record(ep.request)
        kwargs: list[str] = []
        pre: list[str] = []
        if path:
            kwargs.append("path={" + ", ".join(f"{py_literal(k)}: {v}" for k, v in path) + "}")
        if query:
            kwargs.append("query={" + ", ".join(f"{py_literal(k)}: {v}" for k, v in query) + "}")
        if record is not None:
            fields = {f.name: f for f in record.fields}
            given = [(naming.field_name(a.name), self.value(a.value, fields[a.name].type)) for a in step.args if a.name in fields]
            inline = f"request_body({naming.type_name(record.id)}, " + "{" + ", ".join(f"{py_literal(k)}: {v}" for k, v in given) + "}, {})"
            if len(inline) <= 60:
                kwargs.append(f"body={inline}")
            else:  # a body of its own, one field a line (the trailing commas keep ruff from joining them)
                name = f"body_{naming.field_name(step.id)}"
                pre = [f"        {name} = request_body(", f"            {naming.type_name(record.id)},", "            {"]
                pre += [f"                {py_literal(k)}: {v}," for k, v in given]
                pre += ["            },", "            {},", "        )"]
                kwargs.append(f"body={name}")
        elif "body" in args:
            kwargs.append(f"body={self.value(args['body'].value)}")
        futures = self.api.future_feature(ep)
        recv = self.receiver(step)
        const = self.endpoint_const(ep.id)
        if futures is not None and step.id in self.submitted:
            head, call_args = f"{recv}._submit", [const, feature_const(futures.id), *kwargs]
        elif ep.response_handler == "redirect_location":
            head, call_args = f"{recv}._call_location", [const, *kwargs]
        elif ep.response is None:
            head, call_args = f"{recv}._call_empty", [const, *kwargs]
        elif futures is not None:
            head, call_args = f"{recv}._call_future", [const, feature_const(futures.id), self.adapter(ep.response), *kwargs]
        else:
            head, call_args = f"{recv}._call", [const, self.adapter(ep.response), *kwargs]
        self.calls[step.id] = (head, call_args)
        return pre, f"{head}({', '.join(call_args)})"

    def step_expr(self, step: ir.Step) -> tuple[list[str], str, bool]:
        """(statements to run first, expression, is it awaitable in the async method)."""
        if step.kind in ("call", "call_await") and step.target_kind == "endpoint":  # call_await: sent and polled in one
            pre, expr = self.endpoint_call(step)
            return pre, expr, True
        expr, awaitable = self.plain_step_expr(step)
        return [], expr, awaitable

    def plain_step_expr(self, step: ir.Step) -> tuple[str, bool]:
        if step.kind == "call" and step.target_kind == "flow":
            callee = self.api.flows[step.target or ""]
            method = method_of(self.api, callee)
            kwargs = []
            inputs = {i.name: i for i in callee.inputs}
            for a in step.args:
                i = inputs.get(a.name)
                self.maybe_none = False
                expr = self.value(a.value, i.type if i else None)
                if self.maybe_none and i is not None and i.type is not None and not base_type(self.api, i.type)[1]:
                    expr = f"present({expr}, {py_literal(a.value.text if isinstance(a.value, ir.Bind) else a.name)})"
                kwargs.append(f"{naming.field_name(a.name)}={expr}")
            return f"{self.receiver(step)}.{method}({', '.join(kwargs)})", True
        if step.kind == "await_future":
            from tinkc.backends.python.emit_clients import feature_const

            call = self.flow.step(step.awaits or "")
            if call is not None and call.target_kind == "flow":
                return var(call.id), False  # a called flow's futures are already awaited inside it
            ep = self.api.endpoints.get(call.target or "") if call else None
            futures = self.api.future_feature(ep) if ep else None
            if call is None or ep is None or futures is None or step.result_type is None:
                return "None", False
            return f"self._await_future({feature_const(futures.id)}, {var(call.id)}, {self.adapter(step.result_type)})", True
        if step.kind == "build_client":
            kwargs = [f"{a.name}={self.value(a.value)}" for a in step.args]
            return f"{self.class_name(step.target or '')}._derive({', '.join(['self', *kwargs])})", False
        if step.kind == "return":
            return self.value(step.args[0].value), False
        return "None", False

    def return_type(self) -> str:
        t = self.flow.result
        if t is None:
            return "None"
        if isinstance(t, ir.ClientT):
            return self.class_name(t.client)
        if isinstance(t, ir.FutureT):
            t = t.result
        if isinstance(t, ir.ClientT):
            return self.class_name(t.client)
        return py_type(t)

    def lines(self, name: str) -> list[str]:
        params = []
        for i in sorted(self.flow.inputs, key=lambda i: not i.required):
            ann = py_type(i.type) if i.type is not None else "Any"
            if i.type is None:
                USED.add("Any")
            if i.has_default:
                default, _ = typed_default(self.api, i.type, i.default) if i.type is not None else (py_literal(i.default), False)
                params.append(f"{naming.field_name(i.name)}: {ann} = {default}")
            elif not i.required:
                params.append(f"{naming.field_name(i.name)}: {ann} = None")
            else:
                params.append(f"{naming.field_name(i.name)}: {ann}")
        args = ["self"] + (["*"] if params else []) + params
        prefix = "async def" if self.is_async else "def"
        out = call_lines(f"{prefix} {name}", args, "    ", f" -> {self.return_type()}:")
        out.extend(docstring(self.flow.doc or f"The `{self.flow.id}` flow.", "        "))
        rendered = {s.id: self.step_expr(s) for s in self.flow.steps}
        for stage in self.flow.stages:
            awaitable = [sid for sid in stage if rendered[sid][2]]
            if self.is_async and len(awaitable) > 1:  # independent steps: at the same time
                names = ", ".join(var(sid) for sid in awaitable)
                for sid in awaitable:
                    out.extend(rendered[sid][0])
                # an endpoint call goes as (callee, arguments), so a long one is split as ruff splits it
                exprs: list[str | Call] = [self.calls.get(sid, rendered[sid][1]) for sid in awaitable]
                out.extend(call_lines(f"{names} = await asyncio.gather", exprs, "        "))
                rest = [sid for sid in stage if sid not in awaitable]
            else:
                rest = list(stage)
            for sid in rest:
                pre, expr, is_awaitable = rendered[sid]
                out.extend(pre)
                awaited = "await " if self.is_async and is_awaitable else ""
                if sid in self.used:
                    out.extend(assignment(var(sid), awaited + expr))
                elif is_awaitable:
                    out.extend(assignment(None, awaited + expr))
        last = self.flow.steps[-1].id if self.flow.steps else None
        out.append(f"        return {var(last)}" if last and self.flow.result is not None else "        return None")
        return out


def assignment(target: str | None, expr: str) -> list[str]:
    lhs = f"{target} = " if target else ""
    line = f"        {lhs}{expr}"
    if len(line) <= 120:
        return [line]
    # one long call: break inside its last (outermost trailing) parentheses, as ruff does when the
    # arguments then fit one line
    depth, opening = 0, -1
    for i in range(len(expr) - 1, -1, -1):
        depth += {")": 1, "(": -1}.get(expr[i], 0)
        if depth == 0:
            opening = i
            break
    head, inner = expr[:opening], expr[opening + 1 : -1]
    if len(f"            {inner}") <= 120:
        return [f"        {lhs}{head}(", f"            {inner}", "        )"]
    return [f"        {lhs}{expr}  # fmt: skip"]


def session_id_field(api: ir.Api) -> str | None:
    for use in api.service.features:
        feat = api.features.get(use.feature)
        if feat is not None and isinstance(feat.params, ir.SessionLifecycle):
            return feat.params.session_id_field
    return None


def method_of(api: ir.Api, flow: ir.Flow) -> str:
    client = api.clients.get(flow.client or "")
    for m in client.methods if client else ():
        if m.kind == "flow" and m.target == flow.id:
            return naming.method_name(m.name)
    return naming.method_name(flow.id)
