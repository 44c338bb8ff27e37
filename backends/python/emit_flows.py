"""Flow methods: each step of a flow's plan as Python statements, bindings as expressions.

Sync and async methods come from one walk; in the async method, the steps of one stage (no data
dependency between them) run concurrently with asyncio.gather. Every decision (which steps get a
variable, which call submits and which awaits, the receiver of a step) is the plan's; this module
spells it, and lays statements out as layout documents (never by re-reading their text)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from types import SimpleNamespace

import attrs

from tinkc.backends.python import pydoc as d
from tinkc.backends.python import symbols as sym
from tinkc.backends.python.emit_types import optional, py_type, text, typed_default
from tinkc.backends.python.literals import docstring, escape_invisible, py_literal
from tinkc.backends.python.symbols import Imports, PythonSymbols
from tinkc.ir import nodes as ir
from tinkc.ir.types import base_type
from tinkc.sdk import EndpointPlan, FlowPlan, SdkPlan, StepPlan
from tinkc.sdk.plan import CALL_OPTIONS_PARAM, DEPRECATION_NOTICE

# Above this many characters a step's request body gets a statement of its own (one field a line).
INLINE_BODY = 60


def deprecation(name: str, deprecated: bool, imports: Imports) -> str | None:
    """The PEP 702 decorator of a deprecated method: type checkers flag its callers, and calling
    it warns (`DeprecationWarning`)."""
    if not deprecated:
        return None
    return f"@{imports.use(sym.lib('deprecated'))}({py_literal(f'{name}: {DEPRECATION_NOTICE}')})"


class Rendered(str):
    """A statement already laid out at the method body's indentation (a nested function)."""


def location_args(path: Sequence[tuple[d.Doc, d.Doc]], query: Sequence[tuple[d.Doc, d.Doc]]) -> list[d.Doc]:
    """`path={...}` and `query={...}` of a request (wire name: value), those that have entries."""
    out: list[d.Doc] = []
    for name, items in (("path", path), ("query", query)):
        if items:
            out.append(d.kwarg(name, d.collection("{", d.dict_items(items), "}")))
    return out


def endpoint_call(
    plan: EndpointPlan,
    imports: Imports,
    adapter: Callable[[ir.TypeRef], str],
    submit: bool = False,
    start: bool = False,
) -> tuple[str, list[str]]:
    """The runtime method that answers an endpoint as the plan's response kind says, with its leading
    arguments: (`_call`, [EP, adapter]), (`_call_future`, [EP, FT, adapter]), (`_submit`, [EP, FT])...
    ``start``: a future is answered as an APIFuture at once (the sync client's future-answering
    methods) rather than waited for."""
    const = imports.use(sym.endpoint_symbol(plan.id))
    if plan.response == "future":
        assert plan.runtime.futures is not None
        futures = imports.use(sym.feature_symbol(plan.runtime.futures))
        if submit:
            return "_submit", [const, futures]
        verb = "_start_future" if start else "_call_future"
        if plan.response_type is None:  # no response body: the call still waits for the future
            return f"{verb}_empty", [const, futures]
        return verb, [const, futures, adapter(plan.response_type)]
    if plan.response == "redirect" and plan.redirect_field is not None and plan.response_type is not None:
        return "_call_redirect", [const, adapter(plan.response_type), py_literal(plan.redirect_field)]
    if plan.response == "redirect":
        return "_call_location", [const]
    if plan.response == "empty":
        return "_call_empty", [const]
    if plan.response == "stream":  # the events, decoded as the iterator reaches them
        assert plan.response_type is not None
        return "_call_stream", [const, adapter(plan.response_type)]
    assert plan.response_type is not None
    return "_call", [const, adapter(plan.response_type)]


@attrs.frozen
class Block:
    """A compound statement: its header line (ending in `:`) and the statements it holds."""

    header: str
    body: list[d.Doc]


def render_statement(statement: d.Doc | Block, level: int) -> str:
    if isinstance(statement, Block):
        return "\n".join([d.render(statement.header, level), *(d.render(s, level + 1) for s in statement.body)])
    return d.render(statement, level)


class FlowWriter:
    """One flow method (sync or async) of a client class."""

    def __init__(
        self,
        api: ir.Api,
        plan: SdkPlan,
        flow: FlowPlan,
        is_async: bool,
        imports: Imports,
        adapter: Callable[[ir.TypeRef], str],
        names: PythonSymbols,
    ) -> None:
        self.api = api
        self.plan = plan
        self.flow = flow
        self.is_async = is_async
        self.imports = imports
        self.adapter = adapter
        self.names = names
        self.results = {s.id: s.result_type for s in flow.steps}
        self.maybe_none = False  # set by access(): the last path crossed an optional or nullable field
        self.session_id_field = plan.session.session_id_field if plan.session is not None else None
        self.rebound: dict[str, str] = {}  # flow inputs read as another variable (a chunked step's chunk)

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
            field = rec.field(acc) if rec is not None else None
            if field is not None:
                out += f".{sym.field_name(acc)}"
                t = field.type
                # an optional field is None when absent; a nullable one when null
                self.maybe_none = (not field.required and not field.has_default) or base_type(self.api, t)[1]
            else:
                out += f"[{py_literal(acc)}]"
                t = b.value if isinstance(b, ir.MapT) else None
        return out

    def bind(self, b: ir.Bind, quote: str = '"') -> str:
        if b.source == "input":
            name = str(b.path[0])
            return self.access(self.rebound.get(name) or sym.field_name(name), None, b.path[1:])
        if b.source == "config":
            option = next((o for o in self.plan.config if o.name == str(b.path[0])), None)
            self.maybe_none = option is None or not option.has_default
            return f"self._config_option({quote}{b.path[0]}{quote})"
        if b.source == "server":
            assert self.plan.server_config is not None
            served = self.plan.server_config.field(str(b.path[0]))
            self.maybe_none = base_type(self.api, served.type)[1]
            call = f"self._server_value({quote}{served.wire}{quote}, {py_literal(ir.thaw(served.default))})"
            return f"(await {call})" if self.is_async else call
        if b.source == "state":
            name = str(b.path[0])
            client = self.plan.clients.get(self.flow.client or "")
            field = next((s for s in client.state if s.name == name), None) if client else None
            if field is not None and field.counter:
                start = f", {field.counter_start}" if field.counter_start else ""
                return f"self._next({quote}{name}{quote}{start})"
            if name == self.session_id_field:  # created on first use
                return "(await self._session_id())" if self.is_async else "self._session_id()"
            return f"self._state[{quote}{name}{quote}]"
        assert b.step is not None
        path = b.path[1:] if b.source == "steps" else b.path
        return self.access(sym.step_var(b.step), self.results.get(b.step), path)

    def typed_state(self, v: ir.Value) -> str | None:
        """The declared type, as text, of a whole plain state field a binding reads (None for any
        other binding: counters and the session id are typed already)."""
        if not isinstance(v, ir.Bind) or v.source != "state" or len(v.path) != 1:
            return None
        name = str(v.path[0])
        client = self.plan.clients.get(self.flow.client or "")
        field = next((s for s in client.state if s.name == name), None) if client else None
        if field is None or field.counter or name == self.session_id_field:
            return None
        return py_type(field.type, self.imports)

    def value(self, v: ir.Value, expected: ir.TypeRef | None = None) -> str:
        if isinstance(v, ir.Bind):
            return self.bind(v)
        if isinstance(v, ir.Const):
            base = base_type(self.api, expected)[0] if expected is not None else None
            decl = self.api.types.get(base.name) if isinstance(base, ir.Ref) else None
            if isinstance(decl, ir.Enum) and isinstance(v.value, str):
                return f"{self.imports.use(sym.type_symbol(decl.id))}({py_literal(v.value)})"
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
            # a field the record requires (not nullable) filled by a value that may be absent is
            # checked present on its own: the literal itself is never None
            rec = self.api.record(base_type(self.api, expected)[0]) if expected is not None else None
            items = []
            for k, x in v.items:
                f = rec.field(k) if rec is not None else None
                self.maybe_none = False
                expr = self.value(x, f.type if f is not None else None)
                if self.maybe_none and f is not None and not base_type(self.api, f.type)[1] and isinstance(x, ir.Bind):
                    expr = f"{self.imports.use(sym.lib('present'))}({expr}, {py_literal(x.text or k)})"
                items.append(f"{py_literal(k)}: {expr}")
            self.maybe_none = False
            return "{" + ", ".join(items) + "}"
        if isinstance(v, ir.ListValue):
            return "[" + ", ".join(self.value(x) for x in v.items) + "]"
        return "None"

    # -- steps -----------------------------------------------------------------------------------

    @staticmethod
    def options_kwarg() -> str:
        """The flow's per-call options, passed on to every request it sends."""
        return f"{CALL_OPTIONS_PARAM}={CALL_OPTIONS_PARAM}"

    def receiver(self, step: StepPlan) -> str:
        r = step.receiver
        assert r is not None
        if r.kind == "step" and r.step is not None:
            return sym.step_var(r.step)
        if r.kind == "bind" and r.bind is not None:
            return self.bind(r.bind)
        if r.kind == "sibling" and r.client is not None:
            return f"self._sibling({self.class_name(r.client)})"
        return "self"

    def class_name(self, client_id: str) -> str:
        return self.names.client_class(client_id, self.is_async)

    def endpoint_call(self, step: StepPlan, submit: bool = False) -> tuple[list[d.Doc], d.Doc]:
        """(statements to run first, the call); ``submit``: a futures call only submitted."""
        if step.chunk is not None:
            return self.chunked_call(step)
        ep = self.plan.endpoint(step.endpoint or "")
        pre, kwargs = self.request_kwargs(step)
        method, leading = endpoint_call(
            ep,
            self.imports,
            self.adapter,
            submit=submit or step.mode == "submit",
            start=not submit and self.starts_future(step),
        )
        return pre, d.call(f"{self.receiver(step)}.{method}", [*leading, *kwargs, self.options_kwarg()])

    def chunked_call(self, step: StepPlan) -> tuple[list[d.Doc], d.Doc]:
        """A chunked step (the plan's ChunkPlan): a nested function builds one chunk's request (the
        flow input read as `chunk`), and the runtime's `_call_chunked` splits, sends, polls and
        combines."""
        chunk = step.chunk
        assert chunk is not None
        ep = self.plan.endpoint(step.endpoint or "")
        assert ep.runtime.futures is not None and ep.response_type is not None
        self.rebound = {chunk.input: "chunk"}
        pre, kwargs = self.request_kwargs(step)
        self.rebound = {}
        fn = f"request_{sym.step_var(step.id)}"
        head = "async def" if self.is_async else "def"
        item = py_type(chunk.item, self.imports)
        any_ = self.imports.use(sym.lib("Any"))
        body = [*pre, ["return ", d.call("dict", [*kwargs, self.options_kwarg()])]]
        nested = Rendered(  # the formatter's blank lines around a nested function
            "\n".join(
                [
                    "",
                    f"{d.INDENT * 2}{head} {fn}(chunk: list[{item}]) -> dict[str, {any_}]:",
                    *(d.render(statement, 3) for statement in body),
                    "",
                ]
            )
        )
        combine = d.collection(
            "(", [d.collection("(", [py_literal(f), py_literal(h)], ")", tuple_=True) for f, h in chunk.combine], ")", tuple_=True
        )
        chunking = d.call(
            self.imports.use(sym.lib("Chunking")), [py_literal(chunk.input), str(chunk.max_items), str(chunk.max_bytes), combine]
        )
        leading = [
            self.imports.use(sym.endpoint_symbol(ep.id)),
            self.imports.use(sym.feature_symbol(ep.runtime.futures)),
            self.adapter(ep.response_type),
        ]
        items = self.access(sym.field_name(chunk.input), None, ())
        verb = "_start_chunked" if self.starts_future(step) else "_call_chunked"  # see endpoint_call's `start`
        return [nested], d.call(f"{self.receiver(step)}.{verb}", [*leading, chunking, items, fn])

    def request_kwargs(self, step: StepPlan) -> tuple[list[d.Doc], list[d.Doc]]:
        """(statements to run first, the request's keyword arguments: path, query, body)."""
        ep = self.plan.endpoint(step.endpoint or "")
        # a step names query parameters as the manifest does; the request carries their wire names
        path = [(py_literal(a.wire), self.value(a.value)) for a in step.args if a.location == "path"]
        query = [(py_literal(a.wire), self.value(a.value)) for a in step.args if a.location == "query"]
        kwargs = location_args(path, query)
        pre: list[d.Doc] = []
        if ep.body.kind == "record":
            assert ep.body.record is not None
            given: list[tuple[d.Doc, d.Doc]] = []
            optional: list[tuple[d.Doc, d.Doc]] = []
            for a in step.args:
                p = ep.param(a.name)
                if p is None or (p.location != "body" and p.body_field is None):
                    continue
                # an optional argument whose value is absent (None) is left out, as the method does
                (given if p.required else optional).append((py_literal(sym.field_name(a.name)), self.value(a.value, a.expected)))
            record = self.imports.use(sym.type_symbol(ep.body.record))
            helper = self.imports.use(sym.lib("request_body"))
            flat = d.call(helper, [record, *(d.collection("{", d.dict_items(items), "}") for items in (given, optional))])
            if d.short_line(flat, INLINE_BODY) is not None:  # what it prints: one short line
                kwargs.append(d.kwarg("body", flat))
            else:  # a body of its own, one field a line (the trailing commas keep ruff from joining them)
                name = sym.body_var(step.id)
                dicts = [d.exploded("{", d.dict_items(items), "}") for items in (given, optional)]
                pre.append(d.assign(name, d.exploded_call(helper, [record, *dicts])))
                kwargs.append(f"body={name}")
        elif ep.body.kind == "whole":
            whole = next((a for a in step.args if a.location == "body_whole"), None)
            if whole is not None:
                kwargs.append(f"body={self.value(whole.value)}")
        return pre, kwargs

    def ordered_step(self, step: StepPlan) -> list[d.Doc | Block]:
        """A step that carries an ordered counter: in the client's lane of that counter, the body
        (which reads the counter) and the request, until the server answered it; a future is then
        polled outside the lane, so the next request can leave while this one is pending."""
        ep = self.plan.endpoint(step.endpoint or "")
        # submitted in the lane, polled after; a sync flow answering this future submits it in the
        # lane all the same (`_start_future` submits in the caller's thread) and answers it at once
        # (a chunked step sends, polls and combines its chunks inside the lane)
        polled = ep.response == "future" and step.mode == "call" and step.chunk is None and not self.starts_future(step)
        pre, call = self.endpoint_call(step, submit=polled)
        # a chunked step's `pre` is the nested function building one chunk's request: defined
        # before the lane (it reads the counter when the runtime calls it, inside the lane)
        before, pre = (pre, []) if step.chunk is not None else ([], pre)
        awaited: d.Doc = ["await ", call] if self.is_async else call
        lane = f"self._lane({py_literal(step.ordered)})"
        handle = sym.step_var(step.id) + "_id" if polled else sym.step_var(step.id)
        inner = [*pre, d.assign(handle, awaited) if polled or step.variable else awaited]
        out: list[d.Doc | Block] = [*before, Block(("async with " if self.is_async else "with ") + lane + ":", inner)]
        if polled:
            ft = self.imports.use(sym.feature_symbol(ep.runtime.futures or ""))
            endpoint = self.imports.use(sym.endpoint_symbol(ep.id))
            if ep.response_type is None:
                poll = d.call("self._await_future_empty", [endpoint, ft, handle])
            else:
                poll = d.call("self._await_future", [endpoint, ft, handle, self.adapter(ep.response_type)])
            polled_doc: d.Doc = ["await ", poll] if self.is_async else poll
            out.append(d.assign(sym.step_var(step.id), polled_doc) if step.variable else polled_doc)
        return out

    def starts_future(self, step: StepPlan) -> bool:
        """The sync method of a flow that answers a future answers it as an APIFuture at once: the
        step that makes the future starts it (the async method awaits it, as before)."""
        return not self.is_async and self.flow.returns == "future" and step.id == self.flow.result_step

    def step_expr(self, step: StepPlan) -> tuple[list[d.Doc], d.Doc, bool]:
        """(statements to run first, expression, is it awaitable in the async method)."""
        if step.mode in ("call", "submit"):
            pre, expr = self.endpoint_call(step)
            return pre, expr, True
        expr, awaitable = self.plain_step_expr(step)
        return [], expr, awaitable

    def plain_step_expr(self, step: StepPlan) -> tuple[d.Doc, bool]:
        if step.mode == "call_flow":
            callee = self.plan.flow(step.flow or "")
            kwargs: list[d.Doc] = []
            for a in step.args:
                self.maybe_none = False
                expr = self.value(a.value, a.expected)
                if self.maybe_none and a.expected is not None and not base_type(self.api, a.expected)[1]:
                    what = a.value.text if isinstance(a.value, ir.Bind) else a.name
                    expr = f"{self.imports.use(sym.lib('present'))}({expr}, {py_literal(what)})"
                rec = self.api.record(base_type(self.api, a.expected)[0]) if a.expected is not None else None
                if rec is not None and isinstance(a.value, ir.ObjValue):  # the callee takes the model
                    expr = f"{self.imports.use(sym.type_symbol(rec.id))}.model_validate({expr})"
                kwargs.append(f"{sym.field_name(a.name)}={expr}")
            if callee.sends_requests:  # the called flow's requests carry this call's options
                kwargs.append(self.options_kwarg())
            called = d.call(f"{self.receiver(step)}.{sym.method_name(callee.method or callee.id)}", kwargs)
            # its sync method answers an APIFuture: waited for, unless this flow answers that future
            if not self.is_async and callee.returns == "future" and not self.starts_future(step):
                return [called, ".result()"], True
            return called, True
        if step.mode == "pass":
            return sym.step_var(step.awaits or ""), False  # a called flow's futures are already awaited inside it
        if step.mode == "await":
            call = self.flow.step(step.awaits or "")
            ep = self.plan.endpoint(call.endpoint or "")
            if ep.runtime.futures is None:
                return "None", False
            ft = self.imports.use(sym.feature_symbol(ep.runtime.futures))
            endpoint = self.imports.use(sym.endpoint_symbol(ep.id))
            if ep.response_type is None:  # the future resolves to nothing: polled all the same
                return d.call("self._await_future_empty", [endpoint, ft, sym.step_var(call.id)]), True
            return d.call("self._await_future", [endpoint, ft, sym.step_var(call.id), self.adapter(ep.response_type)]), True
        if step.mode == "parse":  # the record's parse classmethod (InvalidArgumentError on bad text)
            decl = self.api.types[step.parsed or ""]
            assert isinstance(decl, ir.Record) and decl.parse is not None
            record = self.imports.use(sym.type_symbol(decl.id))
            return d.call(f"{record}.{sym.method_name(decl.parse.function)}", [self.value(step.args[0].value)]), False
        if step.mode == "build_client":
            kwargs = ["self", *(f"{a.name}={self.value(a.value)}" for a in step.args)]
            return d.call(f"{self.class_name(step.client or '')}._derive", kwargs), False
        if step.mode == "return":
            if step.returned is None:
                return "None", False
            typed = self.typed_state(step.returned)
            if typed is not None:  # the state dict holds Any: the flow answers the field's declared type
                return d.call(self.imports.use(sym.lib("cast")), [py_literal(typed), self.value(step.returned)]), False
            return self.value(step.returned), False
        return "None", False

    def return_type(self) -> str:
        t = self.flow.result
        if t is None:
            return "None"
        if self.flow.returns == "stream":  # the events of its last step's streaming endpoint
            from tinkc.backends.python.emit_clients import stream_annotation

            return stream_annotation(t, self.imports, self.is_async)
        started = isinstance(t, ir.FutureT) and not self.is_async
        if isinstance(t, ir.FutureT):
            t = t.result
        if isinstance(t, ir.ClientT):
            shown = self.class_name(t.client)
        else:
            shown = py_type(t, self.imports)
        return f"{self.imports.use(sym.lib('APIFuture'))}[{shown}]" if started else shown

    def params(self) -> list[d.Doc]:
        params: list[d.Doc] = []
        for i in self.flow.inputs:
            ann = py_type(i.type, self.imports) if i.type is not None else self.imports.use(sym.lib("Any"))
            pname = sym.field_name(i.name)
            if i.has_default:
                factory = False
                if i.type is not None:
                    default, factory = typed_default(self.api, i.type, i.default, self.imports)
                else:
                    default = py_literal(i.default)
                if factory:
                    # a model (or mutable) default is built per call: the parameter defaults to
                    # None and the method's first statement puts the default in its place
                    params.append(f"{pname}: {optional(ann)} = None")
                else:
                    params.append(f"{pname}: {ann} = {default}")
            elif not i.required:
                params.append(f"{pname}: {ann} = None")
            else:
                params.append(f"{pname}: {ann}")
        if self.flow.sends_requests:  # the per-call options, apart from the flow's inputs
            params.append(f"{CALL_OPTIONS_PARAM}: {optional(self.imports.use(sym.lib('RequestOptions')))} = None")
        return params

    def method(self, name: str) -> SimpleNamespace:
        """The method's pieces for `decl/method.py.jinja`: its parameters, docstring, and statements
        laid out at two indents."""
        statements: list[d.Doc | Block] = []
        for i in self.flow.inputs:
            if i.has_default and i.type is not None:
                default, factory = typed_default(self.api, i.type, i.default, self.imports)
                if factory:
                    pname = sym.field_name(i.name)
                    built = default.removeprefix("lambda: ") if default.startswith("lambda: ") else f"{default}()"
                    statements.append(f"{pname} = {built} if {pname} is None else {pname}")
        for i in self.flow.inputs:
            if i.overrides:  # `spread:` the fields given on their own override the record's
                pname = sym.field_name(i.name)
                given = [f"{sym.field_name(o)}={sym.field_name(o)}" for o in i.overrides]
                statements.append(d.assign(pname, d.call(self.imports.use(sym.lib("overlay")), [pname, *given])))
        rendered = {s.id: self.step_expr(s) for s in self.flow.steps}
        ordered = {s.id for s in self.flow.steps if s.ordered is not None and s.mode in ("call", "submit")}
        for stage in self.flow.stages:
            awaitable = [sid for sid in stage if rendered[sid][2] and sid not in ordered]
            if self.is_async and len(awaitable) > 1:  # independent steps: at the same time
                names = ", ".join(sym.step_var(sid) for sid in awaitable)
                for sid in awaitable:
                    statements.extend(rendered[sid][0])
                gather = d.call(f"await {self.imports.use(sym.lib('asyncio'))}.gather", [rendered[sid][1] for sid in awaitable])
                statements.append(d.assign(names, gather))
                rest = [sid for sid in stage if sid not in awaitable]
            else:
                rest = list(stage)
            for sid in rest:
                if sid in ordered:
                    statements.extend(self.ordered_step(self.flow.step(sid)))
                    continue
                pre, expr, is_awaitable = rendered[sid]
                statements.extend(pre)
                step = self.flow.step(sid)
                awaited: d.Doc = ["await ", expr] if self.is_async and is_awaitable else expr
                if step.variable:
                    statements.append(d.assign(sym.step_var(sid), awaited))
                elif is_awaitable:
                    statements.append(awaited)
        last = self.flow.result_step  # None when the flow answers nothing (the plan's `returns`)
        return SimpleNamespace(
            kind="flow",
            is_async=self.is_async,
            name=name,
            decorator=deprecation(name, self.flow.deprecated, self.imports),
            params=self.params(),
            returns=self.return_type(),
            doc=text(docstring(self.flow.doc or f"The `{self.flow.id}` flow.", "        ")),
            statements=[s if isinstance(s, Rendered) else render_statement(s, 2) for s in statements],
            result=sym.step_var(last) if last is not None else "None",
        )
