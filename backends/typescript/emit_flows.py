"""Flow methods: each step of a manifest flow as a TypeScript statement, bindings as expressions.

Steps run in the order of the flow's stages; the steps of one stage have no data dependency, so
when several of them wait on the network they run concurrently under `Promise.all`.

Bindings are typed: walking `${result.a.b}` through optional or nullable fields gives a value that
may be absent, and where the next step needs it present (a required field, a path parameter, a
flow input without default) the method checks it (`this.present(...)`: a response-validation error
names the binding) instead of sending a hole on.
"""

from __future__ import annotations

from typing import Any

import attrs

from tinkc.backends.typescript import symbols as sym
from tinkc.backends.typescript.doc import (
    LINE,
    SOFTLINE,
    Doc,
    IfBreak,
    Indent,
    array,
    call,
    call_with_arrow,
    comment_block,
    group,
    join,
    obj,
    type_literal,
)
from tinkc.backends.typescript.emit_clients import NAMED, Writer, check_args, request_literal, statement, takes_params
from tinkc.backends.typescript.emit_types import ts_literal
from tinkc.backends.typescript.symbols import OVERLAY, REQUEST_OPTIONS
from tinkc.ir import nodes as ir
from tinkc.ir.types import base_type
from tinkc.sdk import EndpointPlan, FlowPlan, StepPlan
from tinkc.sdk.plan import DEPRECATION_NOTICE

var = sym.step_variable


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
    """One flow method, rendered from the flow's plan: its steps' modes, which of them get a
    variable, the clients they run on and its stages are the plan's."""

    def __init__(self, writer: Writer, flow: FlowPlan) -> None:
        self.w = writer
        self.ctx = writer.ctx
        self.api = writer.api
        self.plan = writer.plan
        self.names = writer.names
        self.x = writer.x
        self.flow = flow
        self.results = {s.id: s.result_type for s in flow.steps}
        self.inputs = {i.name: i for i in flow.inputs}
        client = self.plan.clients.get(flow.client or "")
        self.state = {f.name: f for f in client.state} if client else {}
        self.session_field = self.plan.session.session_id_field if self.plan.session is not None else None
        self.rebound: dict[str, str] = {}  # flow inputs read as another variable (a chunked step's chunk)

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
                expr = sym.property_access(expr, acc) if dot == "." else sym.optional_access(expr, acc)
                t = field.type
                undef = undef or self.ctx.optional(rec, field)
                null = base_type(self.api, t)[1]
            else:
                expr += f"{'?.' if dot == '?.' else ''}[{sym.string_literal(acc)}]"
                t = b.value if isinstance(b, ir.MapT) else None
                undef = True
        if t is not None and base_type(self.api, t)[1]:
            null = True
        return Value(expr, undef, null), t

    def bind(self, b: ir.Bind) -> Value:
        if b.source == "input":
            name = str(b.path[0])
            i = self.inputs.get(name)
            expr = self.rebound.get(name) or sym.property_access("params", name)
            t = i.type if i else None
            undef = i is not None and not i.required and not i.has_default and name not in self.rebound
            if i is not None and i.has_default and name not in self.rebound:
                expr = f"{expr} ?? {ts_literal(i.default)}"
                if len(b.path) > 1:
                    expr = f"({expr})"
            start = Value(expr, undef, t is not None and base_type(self.api, t)[1])
            value, _ = self.access(expr, t, b.path[1:], start)
            return value
        if b.source == "server":
            server = self.plan.server_config
            assert server is not None
            served = server.field(str(b.path[0]))
            expr = f"await this.serverValue<{self.x.ts_type(served.type)}>({sym.string_literal(served.wire)}, {ts_literal(ir.thaw(served.default))})"
            return Value(expr, False, base_type(self.api, served.type)[1])
        if b.source == "config":
            option = next((o for o in self.plan.config if o.name == str(b.path[0])), None)
            t = option.type if option else None
            expr = f"this.configOption<{self.x.ts_type(t)}>({sym.string_literal(str(b.path[0]))})"
            absent = option is None or not option.has_default
            value, _ = self.access(expr, t, b.path[1:], Value(expr, absent, t is not None and base_type(self.api, t)[1]))
            return value
        if b.source == "state":
            name = str(b.path[0])
            field = self.state.get(name)
            if field is not None and field.counter:
                first = f", {field.counter_start}" if field.counter_start else ""
                expr, t = f"this.next({sym.string_literal(name)}{first})", field.type
            elif name == self.session_field:
                expr, t = ("(await this.sessionId())" if len(b.path) > 1 else "await this.sessionId()"), ir.Prim(name="string")
            else:
                t = field.type if field else None
                expr = f"this.stateOf<{self.x.ts_type(t)}>({sym.string_literal(name)})"
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
                fits = Expect(f.type, self.ctx.optional(rec, f), base_type(self.api, f.type)[1]) if rec and f else Expect.anything()
                items.append(group(sym.literal_key(k), ": ", self.value(x, fits)))
            return obj(items)
        if isinstance(v, ir.ListValue):
            b = base_type(self.api, expect.type)[0] if expect.type is not None else None
            item = b.item if isinstance(b, ir.ListT) else None
            each = Expect(item, False, item is not None and base_type(self.api, item)[1]) if item else Expect.anything()
            return array([self.value(x, each) for x in v.items])
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
        return call("this.present", [value.expr, sym.string_literal(what)])

    # -- steps -----------------------------------------------------------------------------------

    def receiver(self, step: StepPlan) -> str:
        r = step.receiver
        if r is None or r.kind == "self":
            return "this"
        if r.kind == "step" and r.step is not None:
            return var(r.step)
        if r.kind == "bind" and r.bind is not None:
            expr = self.bind(r.bind).expr
            assert isinstance(expr, str)
            return expr
        if r.kind == "sibling" and r.client is not None:
            return f"this.derive({self.names.classes[r.client]})"
        return "this"

    def public_endpoint_method(self, step: StepPlan) -> str | None:
        """The method of the receiver's client that a call of an endpoint on another client names
        (it answers as its endpoint does: a future resolved)."""
        return self.names.method(step.method) if step.method is not None else None

    def endpoint_args(self, step: StepPlan, ep: EndpointPlan) -> tuple[list[tuple[str, Doc]], list[tuple[str, Doc]], list[tuple[str, Doc]]]:
        """The step's arguments fitted as path, query and body values of the endpoint (query values
        keyed by the manifest's names, as the endpoint methods take them; body values in the order
        written: counters count in that order)."""
        given = {a.name: a for a in step.args}
        path: list[tuple[str, Doc]] = []
        query: list[tuple[str, Doc]] = []
        body: list[tuple[str, Doc]] = []
        for p in ep.params:
            if p.location in NAMED and p.name in given:
                expect = Expect(p.type, not p.required, base_type(self.api, p.type)[1])
                target = {"path": path, "query": query, "body_whole": body}[p.location]
                target.append((p.name, self.value(given[p.name].value, expect)))
        record = self.api.record(ep.body.type) if ep.body.kind == "record" else None
        if record is not None:
            for a in step.args:
                f = record.field(a.name)
                if f is not None:
                    expect = Expect(f.type, self.ctx.optional(record, f), base_type(self.api, f.type)[1])
                    body.append((f.name, self.value(a.value, expect)))
        return path, query, body

    def chunked_step(self, step: StepPlan) -> Doc:
        """A chunked step (the plan's ChunkPlan): the runtime's `callChunked`, with the function
        building one chunk's request (the flow input read as `chunk`)."""
        chunk = step.chunk
        assert chunk is not None
        ep = self.plan.endpoint(step.endpoint or "")
        assert ep.runtime.futures is not None and ep.response_type is not None
        items = self.bind(ir.Bind(source="input", path=(chunk.input,))).expr
        self.rebound = {chunk.input: "chunk"}
        request = self.request_doc(step, ep)
        self.rebound = {}
        spec = obj(
            [
                group("input: ", sym.string_literal(chunk.input)),
                group("item: ", self.x.schema(chunk.item)),
                f"maxItems: {chunk.max_items}",
                f"maxBytes: {chunk.max_bytes}",
                group("combine: ", array([array([sym.string_literal(f), sym.string_literal(h)]) for f, h in chunk.combine], matrix=True)),
            ]
        )
        const = f"{self.w.spec}.{self.names.endpoint(ep.id)}"
        futures = f"{self.w.spec}.{self.names.feature(ep.runtime.futures)}"
        arrow = ["async (chunk) => (", request, ")"]
        args = [const, futures, self.x.schema(ep.response_type), spec, items, arrow]
        # one argument a line: Prettier hugs no last argument after an object literal that breaks
        return group("this.callChunked(", Indent([SOFTLINE, *join([",", LINE], args)]), IfBreak(","), SOFTLINE, ")")

    def request_doc(self, step: StepPlan, ep: EndpointPlan) -> Doc:
        """The request of an endpoint call: `{ path, query, body, ...options }`."""
        path, query, body = self.endpoint_args(step, ep)
        items: list[tuple[str, Doc]] = []
        if path:
            items.append(("path", request_literal(path)))
        if query:
            wire = {p.name: p.wire for p in ep.located("query")}
            items.append(("query", request_literal([(wire.get(name, name), value) for name, value in query])))
        if ep.body.kind == "record" and ep.body.record is not None:
            items.append(("body", call(f"{self.x.s}.encode", [self.x.type_ref(ep.body.record), request_literal(body)])))
        elif body:
            items.append(("body", call(f"{self.x.s}.encode", [self.x.schema(ep.body.type), body[0][1]])))
        return request_literal(items, spread="options") if items else "options"

    def endpoint_step(self, step: StepPlan, submit: bool = False) -> Doc:
        """A call of an endpoint: answered as the endpoint answers, or only submitted (`submit`)."""
        ep = self.plan.endpoint(step.endpoint or "")
        path, query, body = self.endpoint_args(step, ep)
        public = self.public_endpoint_method(step)
        if public is not None:
            # on another client: its own method, which resolves a future itself
            # (a path parameter that is also a body field is one property of the params object)
            args = [*path, *query, *[b for b in body if all(b[0] != name for name, _ in path)]]
            return call(f"{self.receiver(step)}.{public}", [*([request_literal(args)] if takes_params(ep) else []), "options"])
        request = self.request_doc(step, ep)
        return self.w.endpoint_call(ep, [request], submit=submit or step.mode == "submit")

    def ordered_polled(self, step: StepPlan) -> bool:
        """An ordered step whose future is submitted in the lane and polled after it."""
        ep = self.plan.endpoint(step.endpoint or "")
        return (
            step.ordered is not None
            and step.chunk is None  # a chunked step sends, polls and combines its chunks in the lane
            and step.mode == "call"
            and ep.response == "future"
            and ep.runtime.futures is not None
        )

    def ordered_statements(self, step: StepPlan) -> tuple[list[dict[str, Any]], Doc]:
        """A step carrying an ordered counter: in the client's lane of that counter, the request
        (whose body reads the counter) until the server answered it; a future is then polled
        outside the lane. (statements first, the step's expression: the lane, or the polling)."""
        assert step.ordered is not None
        polled = self.ordered_polled(step)
        # a chunked step builds, sends, polls and combines all its chunks inside the lane
        inner = self.chunked_step(step) if step.chunk is not None else self.endpoint_step(step, submit=polled)
        lane = call_with_arrow("this.inLane", [sym.string_literal(step.ordered)], inner)
        if not polled:
            return [], lane
        ep = self.plan.endpoint(step.endpoint or "")
        handle = var(step.id) + "Id"
        result = self.x.nothing() if ep.response_type is None else self.x.schema(ep.response_type)
        futures = f"{self.w.spec}.{self.names.feature(ep.runtime.futures or '')}"
        const = f"{self.w.spec}.{self.names.endpoint(ep.id)}"
        poll = call("this.awaitFuture", [const, futures, handle, result, "options.signal"])
        return [statement("const", lane, True, name=handle)], poll

    def flow_step(self, step: StepPlan) -> Doc:
        callee = self.plan.flow(step.flow or "")
        method = self.names.method(callee.method or callee.id)
        inputs = {i.name: i for i in callee.inputs}
        args: list[Doc] = []
        for a in step.args:
            i = inputs.get(a.name)
            # absent goes only where null may: a flow input's default is for callers leaving it
            # out, not for a value the server left out (as the other SDKs do)
            nullable = i is not None and i.type is not None and base_type(self.api, i.type)[1]
            expect = Expect(i.type, nullable, nullable) if i else Expect.anything()
            args.append(group(sym.literal_key(a.name), ": ", self.value(a.value, expect)))
        return call(f"{self.receiver(step)}.{method}", [*([obj(args)] if callee.inputs else []), "options"])

    def submitted_here(self, step: StepPlan) -> bool:
        """Did this `submit` step only submit (a later `await` polls), or did it call another
        client's method, which resolved the future itself?"""
        return step.mode == "submit" and self.public_endpoint_method(step) is None

    def step_expr(self, step: StepPlan) -> tuple[Doc, bool]:
        """(expression, is it a Promise to await)."""
        if step.mode == "call" and step.chunk is not None:
            return self.chunked_step(step), True
        if step.mode in ("call", "submit"):
            return self.endpoint_step(step), True
        if step.mode == "call_flow":
            return self.flow_step(step), True
        if step.mode == "await":
            call_step = self.flow.step(step.awaits or "")
            ep = self.plan.endpoint(call_step.endpoint or "")
            if not self.submitted_here(call_step) or ep.runtime.futures is None:
                return var(call_step.id), False  # already resolved by its step
            result = self.x.nothing() if ep.response_type is None else self.x.schema(step.result_type or ep.response_type)
            futures = f"{self.w.spec}.{self.names.feature(ep.runtime.futures)}"
            endpoint = f"{self.w.spec}.{self.names.endpoint(ep.id)}"
            return call("this.awaitFuture", [endpoint, futures, var(call_step.id), result, "options.signal"]), True
        if step.mode == "pass":
            return var(step.awaits or ""), False  # already resolved inside the called flow
        if step.mode == "parse":  # the record's parse function (InvalidArgumentError on bad text)
            decl = self.api.types[step.parsed or ""]
            assert isinstance(decl, ir.Record) and decl.parse is not None
            fn = self.x.imports.use(self.names.parse_function(decl.id, decl.parse.function))
            return call(fn, [self.value(step.args[0].value, Expect(ir.Prim(name="string"), False, False))]), False
        if step.mode == "build_client":
            state = [group(sym.literal_key(a.name), ": ", self.value(a.value, Expect.anything())) for a in step.args]
            return call("this.derive", [self.names.classes[step.client or ""], *([obj(state)] if state else [])]), False
        if step.mode == "return" and step.returned is not None:
            return self.value(step.returned, self.result_expect()), False
        return "undefined", False

    def result_expect(self) -> Expect:
        t = self.flow.result
        if isinstance(t, ir.FutureT):
            t = t.result
        return Expect(t, False, t is not None and not isinstance(t, ir.ClientT) and base_type(self.api, t)[1])

    # -- the method ------------------------------------------------------------------------------

    def return_type(self) -> str:
        if self.flow.returns == "nothing":
            return "void"
        if self.flow.returns == "stream":  # the events of its last step's streaming endpoint
            return self.w.stream_type(self.flow.result)
        t = self.flow.result
        if isinstance(t, ir.FutureT):
            t = t.result
        if t is None:
            return "void"
        if isinstance(t, ir.ClientT):
            return self.names.classes[t.client]
        return self.x.ts_type(t)

    def params(self) -> tuple[Doc | None, bool]:
        if not self.flow.inputs:
            return None, True
        members: list[Doc] = []
        for i in self.flow.inputs:
            optional = "?" if not i.required else ""
            members.append([*comment_block(i.doc), f"{sym.property_key(i.name)}{optional}: {self.x.ts_type(i.type)}"])
        return type_literal(members), all(not i.required for i in self.flow.inputs)

    def method(self, name: str, doc: str | None) -> dict[str, Any]:
        """The flow's method for the template: its doc, signature parts and statements (the steps of
        a stage that wait on the network awaited together)."""
        ptype, omittable = self.params()
        statements: list[dict[str, Any]] = []
        for i in self.flow.inputs:
            if i.overrides:  # `spread:` the fields given on their own over the record, read from then on
                record = self.bind(ir.Bind(source="input", path=(i.name,))).expr
                given = obj([f"{sym.property_key(o)}: {sym.property_access('params', o)}" for o in i.overrides])
                statements.append(statement("const", call(self.w.imports.use(OVERLAY), [record, given]), name=sym.variable(i.name)))
                self.rebound[i.name] = sym.variable(i.name)
        steps = {s.id: s for s in self.flow.steps}
        for stage in self.flow.stages:
            rendered = {sid: self.step_expr(steps[sid]) for sid in stage}
            for sid in stage:  # an ordered step waits for its turn in its lane, never in a Promise.all
                if steps[sid].ordered is not None and steps[sid].mode in ("call", "submit"):
                    pre, lane_expr = self.ordered_statements(steps[sid])
                    statements.extend(pre)
                    rendered[sid] = (lane_expr, True)
            awaited = [sid for sid in stage if rendered[sid][1] and steps[sid].ordered is None]
            rest = list(stage)
            if len(awaited) > 1:  # independent requests: at the same time
                result = self.flow.result_step if self.flow.result_step in awaited else None
                names = [var(sid) if steps[sid].variable or sid == result else "" for sid in awaited]
                while names and not names[-1]:
                    names.pop()
                statements.append(statement("all", call("Promise.all", [array([rendered[sid][0] for sid in awaited])]), names=names))
                if result is not None:  # the flow answers what one of them answered
                    statements.append(statement("return", var(result)))
                rest = [sid for sid in stage if sid not in awaited]
            for sid in rest:
                expr, is_promise = rendered[sid]
                if sid == self.flow.result_step:
                    statements.append(statement("return", expr, is_promise))
                elif steps[sid].variable:
                    statements.append(statement("const", expr, is_promise, name=var(sid)))
                elif is_promise:
                    statements.append(statement("do", expr, is_promise))
        parameters: list[tuple[str, Doc, str | None]] = []
        if ptype is not None:
            parameters.append(("params", ptype, "{}" if omittable else None))
        sends = self.flow.sends_requests
        if sends:  # steps that send requests take the options
            parameters.append(("options", self.w.imports.use(REQUEST_OPTIONS), "{}"))
        if ptype is not None or sends:
            check = check_args(name.removeprefix("async "), [i.name for i in self.flow.inputs], ptype is not None, sends)
            statements.insert(0, check)
        text = (doc or self.flow.doc or f"The `{self.flow.id}` flow.") + (
            f"\n\n@deprecated {DEPRECATION_NOTICE}" if self.flow.deprecated else ""
        )
        return {"doc": text, "name": f"async {name}", "params": parameters, "returns": self.return_type(), "statements": statements}
