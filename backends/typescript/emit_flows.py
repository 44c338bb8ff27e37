"""Flow methods: each step of a manifest flow as a TypeScript statement, bindings as expressions.

Steps run in the order of the flow's stages; the steps of one stage have no data dependency, so
when several of them wait on the network they run concurrently under `Promise.all`.

Bindings are typed: walking `${result.a.b}` through optional or nullable fields gives a value that
may be absent, and where the next step needs it present (a required field, a path parameter, a
flow input without default) the method checks it (`this.present(...)`: a response-validation error
names the binding) instead of sending a hole on.
"""

from __future__ import annotations

import attrs

from tinkc.backends.typescript import naming
from tinkc.backends.typescript.doc import Doc, array, assign, block, call, comment_block, group, obj, signature, type_literal
from tinkc.backends.typescript.emit_clients import endpoint_call, endpoint_params, request_literal
from tinkc.backends.typescript.emit_spec import feature_const
from tinkc.backends.typescript.emit_types import Context, schema_expr, ts_literal, ts_type
from tinkc.ir import nodes as ir
from tinkc.ir.queries import step_binds
from tinkc.ir.types import base_type


def var(step_id: str) -> str:
    return naming.variable(f"s_{step_id}")


@attrs.frozen
class Value:
    """A TypeScript expression and what it may be besides its type: absent (`undefined`) or `null`."""

    expr: Doc
    undef: bool = False
    null: bool = False


@attrs.frozen
class Expect:
    """What the place a value goes accepts."""

    type: ir.TypeRef | None
    undef: bool = False
    null: bool = False

    @classmethod
    def anything(cls) -> Expect:
        return cls(None, True, True)


class FlowWriter:
    def __init__(self, ctx: Context, flow: ir.Flow, classes: dict[str, str]) -> None:
        self.ctx = ctx
        self.api = ctx.api
        self.flow = flow
        self.classes = classes
        self.results = {s.id: s.result_type for s in flow.steps}
        self.inputs = {i.name: i for i in flow.inputs}
        client = self.api.clients.get(flow.client or "")
        self.state = {f.name: f for f in client.state} if client else {}
        self.session_field = session_id_field(self.api)
        # futures calls a later step awaits: they only submit their request (see is_submit)
        self.submitted = {s.awaits for s in flow.steps if s.kind == "await_future" and s.awaits}
        # steps whose result a later step reads: only they get a variable
        self.used: set[str] = {b.step for s in flow.steps for b in step_binds(s) if b.step}
        self.used |= {s.receiver[5:] for s in flow.steps if s.receiver.startswith("step:")}
        if flow.steps and flow.result is not None:
            self.used.add(flow.steps[-1].id)
        for s in reversed(flow.steps):  # an await reads its call's handle; awaiting a flow's result passes it on
            awaited = flow.step(s.awaits) if s.awaits else None
            if awaited is not None and (awaited.target_kind == "endpoint" or s.id in self.used):
                self.used.add(awaited.id)

    # -- values ----------------------------------------------------------------------------------

    def access(
        self, base: str, t: ir.TypeRef | None, path: tuple[str | int, ...], start: Value | None = None
    ) -> tuple[Value, ir.TypeRef | None]:
        """`base.a[0].b` along `path` from a value of type `t`, with `?.` after anything that may be
        absent; the value's type at the end."""
        expr = base
        undef = start.undef if start else False
        null = start.null if start else False
        for acc in path:
            b, nullable = base_type(self.api, t) if t is not None else (None, False)
            dot = "?." if (undef or null or nullable) else "."
            undef = undef or null or nullable  # a chain through an absent value is absent
            null = False
            if isinstance(acc, int):
                expr += f"{dot if dot == '?.' else ''}[{acc}]"
                t = b.item if isinstance(b, ir.ListT) else None
                undef = True  # an index may be past the end
                continue
            rec = self.api.record(b) if b is not None else None
            field = rec.field(acc) if rec is not None else None
            if rec is not None and field is not None:
                expr = naming.property_access(expr, acc) if dot == "." else naming.optional_access(expr, acc)
                t = field.type
                undef = undef or self.ctx.optional(rec, field)
                null = base_type(self.api, t)[1]
            else:
                expr += f"{'?.' if dot == '?.' else ''}[{naming.string_literal(acc)}]"
                t = b.value if isinstance(b, ir.MapT) else None
                undef = True
        if t is not None and base_type(self.api, t)[1]:
            null = True
        return Value(expr, undef, null), t

    def bind(self, b: ir.Bind) -> Value:
        if b.source == "input":
            name = str(b.path[0])
            i = self.inputs.get(name)
            expr = naming.property_access("params", name)
            t = i.type if i else None
            undef = i is not None and not i.required and not i.has_default
            if i is not None and i.has_default:
                expr = f"{expr} ?? {ts_literal(i.default)}"
                if len(b.path) > 1:
                    expr = f"({expr})"
            start = Value(expr, undef, t is not None and base_type(self.api, t)[1])
            value, _ = self.access(expr, t, b.path[1:], start)
            return value
        if b.source == "state":
            name = str(b.path[0])
            field = self.state.get(name)
            if field is not None and field.counter:
                expr, t = f"this.next({naming.string_literal(name)})", field.type
            elif name == self.session_field:
                expr, t = ("(await this.sessionId())" if len(b.path) > 1 else "await this.sessionId()"), ir.Prim(name="string")
            else:
                t = field.type if field else None
                expr = f"this.stateOf<{ts_type(t)}>({naming.string_literal(name)})"
            value, _ = self.access(expr, t, b.path[1:], Value(expr, False, t is not None and base_type(self.api, t)[1]))
            return value
        assert b.step is not None
        path = b.path[1:] if b.source == "steps" else b.path
        t = self.results.get(b.step)
        if isinstance(t, ir.FutureT):
            t = t.result
        value, _ = self.access(var(b.step), t, path)
        return value

    def value(self, v: ir.Value, expect: Expect) -> Doc:
        """An expression for `v`, fitted to where it goes."""
        if isinstance(v, ir.Bind):
            return self.fit(self.bind(v), expect, v.text or "the value")
        if isinstance(v, ir.Const):
            return ts_literal(v.value)
        if isinstance(v, ir.Interp):
            text = ""
            for part in v.parts:
                if isinstance(part, str):
                    text += part.replace("\\", "\\\\").replace("`", "\\`").replace("${", "\\${")
                else:
                    inner = self.bind(part).expr
                    assert isinstance(inner, str)
                    text += "${" + inner + "}"
            return f"`{text}`"
        if isinstance(v, ir.ObjValue):
            rec = self.api.record(base_type(self.api, expect.type)[0]) if expect.type is not None else None
            items: list[Doc] = []
            for k, x in v.items:
                f = rec.field(k) if rec is not None else None
                inner = Expect(f.type, self.ctx.optional(rec, f), base_type(self.api, f.type)[1]) if rec and f else Expect.anything()
                items.append(group(naming.literal_key(k), ": ", self.value(x, inner)))
            return obj(items)
        if isinstance(v, ir.ListValue):
            b = base_type(self.api, expect.type)[0] if expect.type is not None else None
            item = b.item if isinstance(b, ir.ListT) else None
            inner = Expect(item, False, item is not None and base_type(self.api, item)[1]) if item else Expect.anything()
            return array([self.value(x, inner) for x in v.items])
        return "undefined"

    def fit(self, value: Value, expect: Expect, what: str) -> Doc:
        """The value where `expect` says what is accepted: `null` ↔ absent where one is accepted and
        the other is not, else checked present."""
        bad_undef = value.undef and not expect.undef
        bad_null = value.null and not expect.null
        if not bad_undef and not bad_null:
            return value.expr
        if bad_undef and not bad_null and expect.null:
            return [value.expr, " ?? null"]
        if bad_null and not bad_undef and expect.undef:
            return [value.expr, " ?? undefined"]
        return call("this.present", [value.expr, naming.string_literal(what)])

    # -- steps -----------------------------------------------------------------------------------

    def receiver(self, step: ir.Step) -> str:
        if step.receiver.startswith("step:"):
            return var(step.receiver[5:])
        if step.receiver == "bind" and step.on is not None:
            expr = self.bind(step.on).expr
            assert isinstance(expr, str)
            return expr
        if step.receiver == "sibling":
            owner = self.owner(step)
            if owner is not None:
                return f"this.derive({self.classes[owner]})"
        return "this"

    def owner(self, step: ir.Step) -> str | None:
        if step.target_kind == "flow" and step.target in self.api.flows:
            return self.api.flows[step.target].client
        from tinkc.ir.queries import find_client

        head = step.written_target.rpartition(".")[0]
        c = find_client(self.api, head) if head else None
        return c.id if c else None

    def public_endpoint_method(self, step: ir.Step) -> str | None:
        """The method of the receiver's client that a call of an endpoint on another client names."""
        owner = self.api.clients.get(self.owner(step) or "")
        name = step.written_target.rpartition(".")[2]
        if owner is None:
            return None
        m = owner.method(name)
        if m is not None and m.kind == "endpoint" and m.target == step.target:
            return naming.method_name(m.name)
        return None

    def endpoint_args(
        self, step: ir.Step, ep: ir.Endpoint
    ) -> tuple[list[tuple[str, Doc]], list[tuple[str, Doc]], list[tuple[str, Doc]], ir.Record | None]:
        """The step's arguments fitted as path, query and body values of the endpoint."""
        params, record = endpoint_params(self.api, ep)
        given = {a.name: a for a in step.args}
        path: list[tuple[str, Doc]] = []
        query: list[tuple[str, Doc]] = []
        body: list[tuple[str, Doc]] = []
        for p in params:
            if p.name not in given:
                continue
            declared = next((x.type for x in (*ep.path_params, *ep.query) if x.name == p.name), ep.request)
            nullable = declared is not None and base_type(self.api, declared)[1]
            expect = Expect(declared, p.optional, nullable)
            target = {"path": path, "query": query, "body": body}[p.where]
            target.append((p.name, self.value(given[p.name].value, expect)))
        # query values are keyed by the manifest's names, as the endpoint methods take them; a
        # request built here carries the wire names (see endpoint_step)
        if record is not None:
            for a in step.args:  # in the manifest's order: counters count in the order written
                f = record.field(a.name)
                if f is not None:
                    expect = Expect(f.type, self.ctx.optional(record, f), base_type(self.api, f.type)[1])
                    body.append((f.name, self.value(a.value, expect)))
        return path, query, body, record

    def endpoint_step(self, step: ir.Step) -> tuple[Doc, bool]:
        """(the expression, does the variable hold the final result) of a call of an endpoint."""
        ep = self.api.endpoints[step.target or ""]
        path, query, body, record = self.endpoint_args(step, ep)
        public = self.public_endpoint_method(step) if step.receiver != "self" else None
        if public is not None:
            # on another client: its own method, which resolves a future itself
            args = [*path, *query, *(body if record is not None else []), *([("body", body[0][1])] if body and record is None else [])]
            takes_params = bool(endpoint_params(self.api, ep)[0]) or record is not None
            return call(f"{self.receiver(step)}.{public}", [*([request_literal(args)] if takes_params else []), "options"]), True
        items: list[tuple[str, Doc]] = []
        if path:
            items.append(("path", request_literal(path)))
        if query:
            wire = {q.name: q.wire_name for q in ep.query}
            items.append(("query", request_literal([(wire.get(name, name), value) for name, value in query])))
        if record is not None:
            items.append(("body", call("s.encode", [naming.type_name(record.id), request_literal(body)])))
        elif body:
            items.append(("body", call("s.encode", [schema_expr(ep.request), body[0][1]])))
        submit = step.id in self.submitted and step.kind == "call"
        request = request_literal(items, spread="options") if items else "options"
        return endpoint_call(self.api, ep, [request], submit=submit), not submit

    def flow_step(self, step: ir.Step) -> Doc:
        callee = self.api.flows[step.target or ""]
        method = method_of(self.api, callee)
        inputs = {i.name: i for i in callee.inputs}
        args: list[Doc] = []
        for a in step.args:
            i = inputs.get(a.name)
            # absent goes only where null may: a flow input's default is for callers leaving it
            # out, not for a value the server left out (as the other SDKs do)
            nullable = i is not None and i.type is not None and base_type(self.api, i.type)[1]
            expect = Expect(i.type, nullable, nullable) if i else Expect.anything()
            args.append(group(naming.literal_key(a.name), ": ", self.value(a.value, expect)))
        return call(f"{self.receiver(step)}.{method}", [*([obj(args)] if callee.inputs else []), "options"])

    def step_expr(self, step: ir.Step) -> tuple[Doc, bool]:
        """(expression, is it a Promise to await)."""
        if step.kind in ("call", "call_await") and step.target_kind == "endpoint":
            expr, _ = self.endpoint_step(step)
            return expr, True
        if step.kind == "call" and step.target_kind == "flow":
            return self.flow_step(step), True
        if step.kind == "await_future":
            awaited = self.flow.step(step.awaits or "")
            ep = self.api.endpoints.get(awaited.target or "") if awaited and awaited.target_kind == "endpoint" else None
            futures = self.api.future_feature(ep) if ep else None
            if awaited is None or ep is None or futures is None or step.result_type is None or not self.is_submit(awaited):
                return var(awaited.id) if awaited else "undefined", False  # already resolved by its step
            args = [f"spec.{feature_const(futures.id)}", var(awaited.id), schema_expr(step.result_type), "options.signal"]
            return call("this.awaitFuture", args), True
        if step.kind == "build_client":
            state = [group(naming.literal_key(a.name), ": ", self.value(a.value, Expect.anything())) for a in step.args]
            return call("this.derive", [self.classes[step.target or ""], *([obj(state)] if state else [])]), False
        if step.kind == "return" and step.args:
            return self.value(step.args[0].value, self.result_expect()), False
        return "undefined", False

    def is_submit(self, step: ir.Step) -> bool:
        """Does this call step only submit its future (a later step awaits it)?"""
        if step.kind != "call" or step.target_kind != "endpoint" or step.id not in self.submitted:
            return False
        return step.receiver == "self" or self.public_endpoint_method(step) is None

    def result_expect(self) -> Expect:
        t = self.flow.result
        if isinstance(t, ir.FutureT):
            t = t.result
        return Expect(t, False, t is not None and not isinstance(t, ir.ClientT) and base_type(self.api, t)[1])

    # -- the method ------------------------------------------------------------------------------

    def return_type(self) -> str:
        t = self.flow.result
        if isinstance(t, ir.FutureT):
            t = t.result
        if t is None:
            return "void"
        if isinstance(t, ir.ClientT):
            return self.classes[t.client]
        return ts_type(t)

    def params(self) -> tuple[Doc | None, bool]:
        if not self.flow.inputs:
            return None, True
        members: list[Doc] = []
        for i in self.flow.inputs:
            optional = "?" if not i.required else ""
            members.append([*comment_block(i.doc), f"{naming.property_key(i.name)}{optional}: {ts_type(i.type)}"])
        return type_literal(members), all(not i.required for i in self.flow.inputs)

    def method(self, name: str, doc: str | None) -> Doc:
        ptype, omittable = self.params()
        statements: list[Doc] = []
        steps = {s.id: s for s in self.flow.steps}
        last = self.flow.steps[-1].id if self.flow.steps else None
        for stage in self.flow.stages:
            rendered = {sid: self.step_expr(steps[sid]) for sid in stage}
            awaited = [sid for sid in stage if rendered[sid][1]]
            rest = list(stage)
            if len(awaited) > 1:  # independent requests: at the same time
                names = [var(sid) if sid in self.used else "" for sid in awaited]
                while names and not names[-1]:
                    names.pop()
                lhs = f"const [{', '.join(names)}] = " if names else ""
                statements.append([lhs, "await ", call("Promise.all", [array([rendered[sid][0] for sid in awaited])]), ";"])
                rest = [sid for sid in stage if sid not in awaited]
            for sid in rest:
                expr, is_promise = rendered[sid]
                prefix = "await " if is_promise else ""
                if sid == last and self.flow.result is not None:
                    statements.append(["return ", prefix, expr, ";"])
                elif sid in self.used:
                    statements.append([assign(f"const {var(sid)}", [prefix, expr]), ";"])
                elif is_promise:
                    statements.append([prefix, expr, ";"])
        parameters: list[tuple[str, Doc, str | None]] = []
        if ptype is not None:
            parameters.append(("params", ptype, "{}" if omittable else None))
        if any(s.kind in ("call", "call_await") for s in self.flow.steps):  # steps that send requests take the options
            parameters.append(("options", "RequestOptions", "{}"))
        head = signature(f"async {name}", parameters, f": Promise<{self.return_type()}> ")
        return [
            *comment_block((doc or self.flow.doc or f"The `{self.flow.id}` flow.") + ("\n\n@deprecated" if self.flow.deprecated else "")),
            head,
            *block(statements),
        ]


def session_id_field(api: ir.Api) -> str | None:
    feat = api.service_feature(ir.SessionLifecycle)
    return feat.params.session_id_field if feat is not None and isinstance(feat.params, ir.SessionLifecycle) else None


def method_of(api: ir.Api, flow: ir.Flow) -> str:
    client = api.clients.get(flow.client or "")
    for m in client.methods if client else ():
        if m.kind == "flow" and m.target == flow.id:
            return naming.method_name(m.name)
    return naming.method_name(flow.id)
