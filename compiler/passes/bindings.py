"""Pass `bindings`: every `${...}` resolved to the step that produces it and typed.

Flows are checked callees first, so a flow's inputs and result are known where other flows call it.
For each step:

* `${result...}` is the previous step's result; `${steps.<id>...}` a named earlier step's;
  `${input.x}` a flow input; `${state.x}` a field of the flow's client state (plus `session_id`
  when the service has a session_lifecycle feature). The rest of the path is checked field by
  field against the producing type (`${result.model_id}` on `CreateModelResponse`), with list
  indexes on lists; a wrong field is reported at the `${...}` text with the closest field name.
* Arguments are checked against what they feed: endpoint path/query parameters and request fields,
  a called flow's inputs, a built client's state. Required ones that are missing are reported.
* Flow inputs without a declaration get the type of the parameter they are passed to; conflicting
  uses are reported. Interpolated strings take scalars only.
* `await_future` must follow a call that answers a future; its result is the future's type.
* A call of another client's method runs on the client an earlier step built (or `on:`), else on a
  sibling client sharing this client's configuration.

Example: in `create_training_client_from_state`, `rank: ${result.lora_rank}` resolves to step
`step1` (`rest.get_weights_info_by_tinker_path` → `WeightsInfoResponse`) and field path
`lora_rank: int`.
"""

from __future__ import annotations

from typing import Any

import attrs

from tinkc.diagnostics import Sink, did_you_mean
from tinkc.frontend.grammars import format_binding, format_type
from tinkc.ir import nodes as ir
from tinkc.ir.queries import redirect_url_field, step_binds
from tinkc.ir.span import Span
from tinkc.ir.types import accepts, base_type, const_problem, field_candidates, is_scalar, make_nullable, nullable_mismatch, strip_nullable
from tinkc.passes.base import Pass
from tinkc.passes.client_state import state_flow
from tinkc.passes.flow_calls import flow_call_order

ANY = ir.Prim(name="any")
STRING = ir.Prim(name="string")


@attrs.define
class Param:
    name: str
    type: ir.TypeRef
    required: bool


def endpoint_params(api: ir.Api, ep: ir.Endpoint) -> list[Param]:
    """The arguments a call of ``ep`` takes: path parameters, request fields (or `body`), query."""
    out = [Param(p.name, p.type, True) for p in ep.path_params]
    body = api.record(ep.request)
    if body is not None:
        out.extend(Param(f.name, f.type, f.required) for f in body.fields)
    elif ep.request is not None:
        out.append(Param("body", ep.request, True))
    out.extend(Param(q.name, q.type, q.required) for q in ep.query)
    return out


def endpoint_result(api: ir.Api, ep: ir.Endpoint) -> ir.TypeRef | None:
    if ep.response_handler == "redirect_location":
        # a declared record with a `url` string field is the answer (its url the Location), else the text
        return ep.response if redirect_url_field(api, ep) is not None else STRING
    if api.future_feature(ep) is not None:
        return ir.FutureT(result=ep.response or ANY)
    return ep.response


class FlowChecker:
    def __init__(self, api: ir.Api, flow: ir.Flow, sink: Sink, checked: dict[str, ir.Flow]) -> None:
        self.api = api
        self.flows = checked  # flows by id, callees already checked (their inputs and results known)
        self.flow = flow
        self.sink = sink
        self.client = api.clients.get(flow.client or "")
        self.results: dict[str, ir.TypeRef | None] = {}
        self.order: list[str] = []
        inputs = self.spread(flow.inputs)
        flow = self.flow = flow if inputs is flow.inputs else attrs.evolve(flow, inputs=inputs)
        self.declared = {i.name: i for i in flow.inputs if i.declared}
        self.inferred: dict[str, tuple[ir.TypeRef | None, Span | None]] = {}
        self.input_order: list[str] = [i.name for i in flow.inputs]
        self.current_index = 0

    def spread(self, inputs: tuple[ir.FlowInput, ...]) -> tuple[ir.FlowInput, ...]:
        """`spread: true` on a record input: every field of the record becomes an optional input
        of its own, right after it, which overrides that field when given (`rank:` beside
        `lora_config:`, as Tinkex and tinker 0.38 both take them). The record input must have a
        value to override: a default, or a caller who must give it."""
        names = {i.name for i in inputs}
        out: list[ir.FlowInput] = []
        for i in inputs:
            out.append(i)
            if not i.spread:
                continue
            record = self.api.record(base_type(self.api, i.type)[0]) if i.type is not None else None
            where = i.span or self.flow.span
            if record is None:
                shown = format_type(i.type) if i.type is not None else "untyped"
                self.sink.error(
                    "flow.bad-spread",
                    f"input `{i.name}` of flow `{self.flow.id}` is `{shown}`: only a record's fields can be spread",
                    where,
                    hint="drop `spread: true`, or give the input a record type",
                )
                continue
            if not i.required and not i.has_default:
                self.sink.error(
                    "flow.bad-spread",
                    f"input `{i.name}` of flow `{self.flow.id}` may be left out with no default: its fields have nothing to override",
                    where,
                    hint=f"give `{i.name}` a `default:` (a record literal), or make it required",
                )
                continue
            spread_already = {o.name for o in inputs if o.spread_of == i.name}  # the pass ran before
            for f in record.fields:
                if isinstance(f.type, ir.Lit) or f.name in spread_already:  # a tag is no caller's choice
                    continue
                if f.name in names:
                    self.sink.error(
                        "flow.spread-clash",
                        f"input `{i.name}` of flow `{self.flow.id}` spreads field `{f.name}` of `{record.id}`, "
                        f"but the flow has an input `{f.name}` already",
                        where,
                        hint=f"rename the input `{f.name}`, or drop `spread: true` and pass `{i.name}: {{{f.name}: ...}}`",
                    )
                    continue
                names.add(f.name)
                t = make_nullable(f.type, True)
                doc = f"Overrides `{i.name}.{f.name}`" + (f": {f.doc}" if f.doc else ".")
                out.append(ir.FlowInput(name=f.name, type=t, declared=True, doc=doc, spread_of=i.name, span=i.span))
        return inputs if len(out) == len(inputs) else tuple(out)  # nothing spread: the same inputs

    # -- bindings ------------------------------------------------------------------------------

    def state_fields(self) -> dict[str, ir.TypeRef]:
        out: dict[str, ir.TypeRef] = {}
        for use in self.api.service.features:
            feat = self.api.features.get(use.feature)
            if feat is not None and isinstance(feat.params, ir.SessionLifecycle):
                out[feat.params.session_id_field] = STRING
        if self.client is not None:
            out.update({s.name: s.type for s in self.client.state})
        return out

    def root(self, b: ir.Bind, expected: ir.TypeRef | None) -> tuple[str | None, ir.TypeRef | None, bool]:
        """(producing step, type of the binding's root, ok)."""
        if b.source == "result":
            if not self.order:
                self.sink.error(
                    "binding.no-previous-step",
                    f"`{b.text}` in the first step of flow `{self.flow.id}`: there is no previous result",
                    b.span,
                    hint="use `${input.<name>}` for the flow's parameters",
                )
                return None, None, False
            step = self.order[-1]
            return step, self.results.get(step), True
        if b.source == "steps":
            sid = b.path[0]
            assert isinstance(sid, str)
            if sid not in self.results:
                later = [s.id for s in self.flow.steps[self.current_index :]]
                if sid in later:
                    msg = f"`{b.text}` refers to step `{sid}`, which runs later"
                    hint: str | None = f"move step `{sid}` before this one: a step can only read results of earlier steps"
                else:
                    msg = f"`{b.text}`: flow `{self.flow.id}` has no step `{sid}` before this one"
                    hint = did_you_mean(sid, self.order)
                self.sink.error("binding.unknown-step", msg, b.span, hint=hint)
                return None, None, False
            return sid, self.results.get(sid), True
        if b.source == "state":
            fields = self.state_fields()
            name = b.path[0]
            if name not in fields:
                client = self.flow.client or "?"
                hint = did_you_mean(str(name), fields) or (f"declare it under `clients.{client}.state`" if self.client else None)
                self.sink.error("binding.unknown-state", f"`{b.text}`: client `{client}` has no state `{name}`", b.span, hint=hint)
                return None, None, False
            return None, fields[str(name)], True
        if b.source == "config":
            option = self.api.service.config_option(str(b.path[0]))
            if option is None:
                names = [o.name for o in self.api.service.config]
                self.sink.error(
                    "binding.unknown-config",
                    f"`{b.text}`: the service declares no config option `{b.path[0]}`",
                    b.span,
                    hint=did_you_mean(str(b.path[0]), names) or "declare it under `service.config`",
                )
                return None, None, False
            # an option without a default that nobody gave is absent: read as null
            t = option.type if option.has_default else make_nullable(option.type, True)
            return None, t, True
        if b.source == "server":
            return self.server_root(b)
        # input
        name = str(b.path[0])
        if self.declared and name not in self.declared:
            self.sink.error(
                "binding.unknown-input",
                f"`{b.text}`: flow `{self.flow.id}` declares no input `{name}`",
                b.span,
                hint=did_you_mean(name, self.declared) or "add it under `inputs:`",
            )
            return None, None, False
        if name not in self.input_order:
            self.input_order.append(name)
        if name in self.declared:
            return None, self.declared[name].type, True
        if len(b.path) == 1:
            self.infer(name, expected, b)
            return None, expected, True
        prior = self.inferred.get(name, (None, None))[0]
        if prior is None:
            self.inferred.setdefault(name, (None, b.span))
        return None, prior, True

    def infer(self, name: str, expected: ir.TypeRef | None, b: ir.Bind) -> None:
        prior, span = self.inferred.get(name, (None, None))
        if expected is None:
            self.inferred.setdefault(name, (None, b.span))
            return
        if prior is None:
            self.inferred[name] = (expected, b.span)
            return
        p_base, p_null = strip_nullable(prior)
        e_base, e_null = strip_nullable(expected)
        if p_base == e_base:
            self.inferred[name] = (make_nullable(p_base, p_null and e_null), span)  # both uses must accept it
        elif accepts(self.api, p_base, e_base) and accepts(self.api, e_base, p_base):
            return
        else:
            self.sink.error(
                "flow.input-conflict",
                f"input `{name}` of flow `{self.flow.id}` is used as `{format_type(prior)}` and as `{format_type(expected)}`",
                b.span,
                hint="declare its type under `inputs:`",
            )

    def walk(self, b: ir.Bind, t: ir.TypeRef | None, path: tuple[str | int, ...]) -> tuple[ir.TypeRef | None, bool]:
        nullable = False
        for i, acc in enumerate(path):
            if t is None:
                return None, True
            base, null = base_type(self.api, t)
            nullable = nullable or null
            shown = format_binding(b.source, b.path[: len(b.path) - len(path) + i])
            if isinstance(base, ir.Prim) and base.name == "any":
                return ANY, True
            if isinstance(base, ir.Ref) and base.name not in self.api.types:
                return None, True
            if isinstance(base, ir.FutureT):
                self.sink.error(
                    "binding.unawaited-future",
                    f"`{b.text}`: `{shown}` is a future, not its result",
                    b.span,
                    hint="add an `await_future:` step after the call",
                )
                return None, False
            if isinstance(acc, int):
                if not isinstance(base, ir.ListT):
                    self.sink.error("binding.not-a-list", f"`{b.text}`: `{shown}` is `{format_type(t)}`, not a list", b.span)
                    return None, False
                t = base.item
                continue
            if isinstance(base, ir.MapT):
                t = base.value
                continue
            rec = self.api.record(base)
            if rec is None:
                self.sink.error("binding.unknown-field", f"`{b.text}`: `{shown}` is `{format_type(t)}`, which has no fields", b.span)
                return None, False
            f = rec.field(acc)
            if f is None:
                self.sink.error(
                    "binding.unknown-field",
                    f"`{b.text}`: `{rec.id}` has no field `{acc}`",
                    b.span,
                    hint=did_you_mean(acc, field_candidates(self.api, base)),
                )
                return None, False
            t = f.type
        return (make_nullable(t, nullable) if t is not None else None), True

    def server_root(self, b: ir.Bind) -> tuple[str | None, ir.TypeRef | None, bool]:
        """`${server.<field>}`: a field of a config endpoint's answer (server_config), read with the
        field's declared default when the endpoint is missing or failed."""
        from tinkc.sdk.params import server_fields

        feat = self.api.service_feature(ir.ServerConfig)
        if feat is None:
            self.sink.error(
                "binding.no-server-config",
                f"`{b.text}`: the service fetches no server configuration",
                b.span,
                hint="add a `server_config` feature to `service.features`",
            )
            return None, None, False
        name = str(b.path[0])
        fields = {f.name: f for f in server_fields(self.api)}
        found = fields.get(name)
        if found is None:
            self.sink.error(
                "binding.unknown-server-field",
                f"`{b.text}`: no config endpoint of `{feat.id}` answers a field `{name}`",
                b.span,
                hint=did_you_mean(name, fields) or "declare it in a config endpoint's response record",
            )
            return None, None, False
        if not found.has_default:
            self.sink.error(
                "binding.server-field-no-default",
                f"`{b.text}`: `{found.record}.{name}` has no default, to read when the server does not answer it",
                b.span,
                hint=f"give `{found.record}.{name}` a `default:`",
            )
            return None, None, False
        inner = base_type(self.api, found.type)[0]
        if not (isinstance(inner, ir.Prim) and inner.name in ("bool", "int", "float", "string")):
            self.sink.error(
                "binding.server-field-type",
                f"`{b.text}`: `{found.record}.{name}` is `{format_type(found.type)}`; a server field read by a flow is a bool, int, float or string",
                b.span,
                hint="read a scalar field of the config answer",
            )
            return None, None, False
        return None, found.type, True

    def bind(self, b: ir.Bind, expected: ir.TypeRef | None, what: str) -> ir.Bind:
        step, t, ok = self.root(b, expected)
        if not ok:
            return b
        path = b.path[1:] if b.source in ("steps", "state", "input", "config", "server") else b.path
        t, ok = self.walk(b, t, path)
        if ok and t is not None and expected is not None:
            if not accepts(self.api, expected, t):
                self.sink.error(
                    "binding.type-mismatch", f"`{b.text}` is `{format_type(t)}`, but {what} expects `{format_type(expected)}`", b.span
                )
            elif nullable_mismatch(self.api, expected, t):
                self.sink.error(
                    "binding.maybe-null",
                    f"`{b.text}` may be null, but {what} does not accept null (`{format_type(expected)}`)",
                    b.span,
                    hint="make the receiving type nullable, or bind a field that is never null",
                )
        return attrs.evolve(b, step=step, type=t)

    # -- values ----------------------------------------------------------------------------------

    def value(self, v: ir.Value, expected: ir.TypeRef | None, what: str) -> ir.Value:
        if isinstance(v, ir.Invalid):
            return v
        if isinstance(v, ir.Bind):
            return self.bind(v, expected, what)
        if isinstance(v, ir.Const):
            if expected is not None:
                problem = const_problem(self.api, expected, v.value)
                if problem:
                    self.sink.error("flow.bad-argument", f"{what}: {problem}", v.span)
            return v
        if isinstance(v, ir.Interp):
            parts: list[str | ir.Bind] = []
            for part in v.parts:
                if isinstance(part, ir.Bind):
                    part = self.bind(part, None, what)
                    if part.type is not None and not is_scalar(self.api, part.type):
                        self.sink.error(
                            "binding.not-scalar",
                            f"`{part.text}` is `{format_type(part.type)}`; only scalars can be interpolated into a string",
                            part.span,
                        )
                    if part.source == "input" and len(part.path) == 1 and part.path[0] not in self.declared:
                        name = str(part.path[0])
                        if self.inferred.get(name, (None, None))[0] is None:
                            self.inferred[name] = (STRING, part.span)
                parts.append(part)
            if expected is not None and not accepts(self.api, expected, STRING):
                self.sink.error(
                    "binding.type-mismatch", f"an interpolated string is a `string`, but {what} expects `{format_type(expected)}`", v.span
                )
            return attrs.evolve(v, parts=tuple(parts))
        if isinstance(v, ir.ListValue):
            base = base_type(self.api, expected)[0] if expected is not None else None
            item = base.item if isinstance(base, ir.ListT) else None
            if base is not None and not isinstance(base, ir.ListT) and not (isinstance(base, ir.Prim) and base.name == "any"):
                self.sink.error("flow.bad-argument", f"{what}: a list is not a `{format_type(expected)}`", v.span)  # type: ignore[arg-type]
            return attrs.evolve(v, items=tuple(self.value(x, item, what) for x in v.items))
        # ObjValue: a record (or map) built in place
        assert isinstance(v, ir.ObjValue)
        base = base_type(self.api, expected)[0] if expected is not None else None
        rec = self.api.record(base) if base is not None else None
        if rec is None:
            value_t = base.value if isinstance(base, ir.MapT) else None
            if (
                base is not None
                and not isinstance(base, ir.MapT)
                and not (isinstance(base, ir.Prim) and base.name == "any")
                and not (isinstance(base, ir.Ref) and base.name not in self.api.types)
            ):
                self.sink.error("flow.bad-argument", f"{what}: a mapping is not a `{format_type(expected)}`", v.span)  # type: ignore[arg-type]
            return attrs.evolve(v, items=tuple((k, self.value(x, value_t, f"`{k}`")) for k, x in v.items))
        items = []
        given = {k for k, _ in v.items}
        for k, x in v.items:
            f = rec.field(k)
            if f is None:
                self.sink.error(
                    "flow.unknown-argument",
                    f"{what}: `{rec.id}` has no field `{k}`",
                    x.span or v.span,
                    hint=did_you_mean(k, [f.name for f in rec.fields]),
                )
                items.append((k, x))
                continue
            items.append((k, self.value(x, f.type, f"field `{rec.id}.{k}`")))
        missing = [f.name for f in rec.fields if f.required and f.name not in given]
        if missing:
            self.sink.error("flow.missing-argument", f"{what}: `{rec.id}` needs {', '.join(f'`{m}`' for m in missing)}", v.span)
        return attrs.evolve(v, items=tuple(items))

    def args(self, step: ir.Step, params: list[Param], target: str) -> tuple[ir.Arg, ...]:
        by_name = {p.name: p for p in params}
        out = []
        for a in step.args:
            p = by_name.get(a.name)
            if p is None:
                self.sink.error(
                    "flow.unknown-argument",
                    f"`{target}` takes no argument `{a.name}`",
                    a.span,
                    hint=did_you_mean(a.name, by_name) or (f"it takes: {', '.join(by_name)}" if by_name else "it takes no arguments"),
                )
                out.append(a)
                continue
            out.append(attrs.evolve(a, value=self.value(a.value, p.type, f"argument `{a.name}` of `{target}`")))
        given = {a.name for a in step.args}
        missing = [p.name for p in params if p.required and p.name not in given]
        if missing:
            self.sink.error(
                "flow.missing-argument",
                f"the call of `{target}` misses required argument{'s' if len(missing) > 1 else ''} {', '.join(f'`{m}`' for m in missing)}",
                step.span,
                hint=f"add {'them' if len(missing) > 1 else 'it'} under `args:`",
            )
        return tuple(out)

    # -- steps -----------------------------------------------------------------------------------

    def receiver(self, step: ir.Step, owner: str | None) -> tuple[str, ir.Bind | None]:
        if step.on is not None:
            on = self.bind(step.on, None, "`on`")
            if on.type is not None:
                t = base_type(self.api, on.type)[0]
                if not isinstance(t, ir.ClientT):
                    self.sink.error("flow.bad-receiver", f"`on: {on.text}` is `{format_type(on.type)}`, not a client", on.span)
                elif owner is not None and t.client != owner:
                    self.sink.error(
                        "flow.bad-receiver",
                        f"`{step.written_target}` runs on client `{owner}`, but `on:` gives a `{t.client}` client",
                        on.span,
                    )
            return "bind", on
        if owner is None or owner == self.flow.client:
            return "self", None
        built = [sid for sid in self.order if isinstance(self.results.get(sid), ir.ClientT) and self.results[sid].client == owner]  # type: ignore[union-attr]
        if len(built) > 1:
            self.sink.error(
                "flow.ambiguous-receiver",
                f"`{step.written_target}` runs on a `{owner}` client, and steps {', '.join(f'`{b}`' for b in built)} each produced one",
                step.span,
                hint=f"say which: `on: ${{steps.{built[-1]}}}`",
            )
        if built:
            return f"step:{built[-1]}", None
        return "sibling", None

    def retarget(self, step: ir.Step, owner: str | None) -> ir.Step:
        """A call written `client.method` that the references resolved to an endpoint of the same
        name, where that client's method is a flow (one that fills the client's state): the flow."""
        if owner is None or step.target_kind != "endpoint":
            return step
        made = state_flow(self.api, self.flow.client, step.written_target)
        if made is not None and made in self.flows:
            return attrs.evolve(step, target=made, target_kind="flow")
        return step

    def implicit_args(self, step: ir.Step, params: list[Param], receiver: str) -> ir.Step:
        """Parameters a call leaves out, filled by name (each one written into the IR, so `tinkc ir`
        shows it): a required one from the flow's own client state when it runs on that client; and,
        when the step gives no `args:` at all, every other one from the flow's input of that name
        (declared, or inferred from this use)."""
        given = {a.name for a in step.args}
        state = self.state_fields() if receiver == "self" else {}
        passthrough = not step.args and (not self.declared or any(p.name in self.declared for p in params))
        extra = []
        for p in params:
            if p.name in given:
                continue
            if p.required and p.name in state:
                value = ir.Bind(source="state", path=(p.name,), text=f"${{state.{p.name}}}", span=step.span)
            elif passthrough and (not self.declared or p.name in self.declared):
                value = ir.Bind(source="input", path=(p.name,), text=f"${{input.{p.name}}}", span=step.span)
            else:
                continue
            extra.append(ir.Arg(name=p.name, value=value, span=step.span))
        return attrs.evolve(step, args=(*step.args, *extra)) if extra else step

    def step(self, step: ir.Step) -> ir.Step:
        result: ir.TypeRef | None = None
        known = step.target in self.api.endpoints if step.target_kind == "endpoint" else step.target in self.flows
        if step.kind in ("call", "call_await") and step.target is not None and known:
            owner = self.call_owner(step)
            receiver, on = self.receiver(step, owner)
            step = self.retarget(step, owner)
            assert step.target is not None  # (a retargeted step names a flow)
            if step.target_kind == "endpoint":
                ep = self.api.endpoints[step.target]
                params = endpoint_params(self.api, ep)
                step = self.implicit_args(step, params, receiver)
                args = self.args(step, params, step.written_target)
                result = endpoint_result(self.api, ep)
            else:
                callee = self.flows[step.target or ""]
                params = [Param(i.name, i.type or ANY, i.required) for i in callee.inputs]
                step = self.implicit_args(step, params, receiver)
                args = self.args(step, params, step.written_target)
                result = callee.result
            if step.kind == "call_await" and isinstance(result, ir.FutureT):
                result = result.result  # fused by `fuse-call-await`: the step answers what its future resolves to
            if step.chunk is not None:
                result = self.chunked(step, result)
            step = attrs.evolve(step, args=args, receiver=receiver, on=on, result_type=result)
        elif step.kind == "await_future":
            prev_id = self.order[-1] if self.order else None
            prev = self.results.get(prev_id) if prev_id else None
            chunked = self.flow.step(prev_id) if prev_id else None
            if chunked is not None and chunked.chunk is not None:
                self.sink.error(
                    "flow.bad-chunk",
                    "a chunked call is polled and combined where it is made: it answers no future to await",
                    step.span,
                    hint="remove this `await_future` step",
                )
            if prev_id is None or not isinstance(prev, ir.FutureT):
                if prev_id is None or prev is not None:
                    prev_step = self.flow.step(prev_id) if prev_id else None
                    what = f"the previous step (`{prev_step.written_target or prev_step.kind}`)" if prev_step else "the previous step"
                    self.sink.error(
                        "flow.await-not-future",
                        "`await_future` must follow a call that answers a future"
                        + (f"; {what} answers `{format_type(prev)}`" if prev is not None else ""),
                        step.span,
                        hint="the called endpoint needs a promise_result feature",
                    )
                result = step.expected
            else:
                result = prev.result
                if step.expected is not None and result is not None and not accepts(self.api, step.expected, result):
                    self.sink.error(
                        "flow.await-type-mismatch",
                        f"the future resolves to `{format_type(result)}`, not `{format_type(step.expected)}`",
                        step.span,
                    )
            step = attrs.evolve(step, awaits=prev_id, result_type=result)
        elif step.kind == "build_client" and step.target in self.api.clients:
            assert step.target is not None
            client = self.api.clients[step.target]
            params = [Param(s.name, s.type, False) for s in client.state if not s.counter]
            step = attrs.evolve(
                step, args=self.args(step, params, f"build_client {client.display_name}"), result_type=ir.ClientT(client=client.id)
            )
            result = step.result_type
        elif step.kind == "parse":
            decl = self.api.types.get(step.target or "")
            if not isinstance(decl, ir.Record) or decl.parse is None:
                parsable = [t.id for t in self.api.types.values() if isinstance(t, ir.Record) and t.parse is not None]
                self.sink.error(
                    "flow.bad-parse",
                    f"`parse: {step.written_target}`: " + ("no such type" if decl is None else "the type declares no parse template"),
                    step.span,
                    hint=did_you_mean(step.written_target, parsable) or 'declare `parse: "<template>"` on a record type',
                )
                step = attrs.evolve(step, args=self.args(step, [Param("value", STRING, True)], "parse"))
            else:
                args = self.args(step, [Param("value", STRING, True)], f"parse {decl.id}")
                result = ir.Ref(name=decl.id)
                step = attrs.evolve(step, args=args, result_type=result)
        elif step.kind == "return":
            arg = step.args[0]
            value = self.value(arg.value, None, "`return`")
            result = self.value_type(value)
            step = attrs.evolve(step, args=(attrs.evolve(arg, value=value),), result_type=result)
        self.results[step.id] = result
        self.order.append(step.id)
        return step

    def chunked(self, step: ir.Step, result: ir.TypeRef | None) -> ir.TypeRef | None:
        """A call with `chunk:`: its input is a declared list input of the flow, its endpoint answers
        a future resolving to a record, and each combined field suits its way of combining. The step
        answers the future of the combined record, which it polls itself (no `await_future` after it)."""
        chunk = step.chunk
        assert chunk is not None
        declared = self.declared.get(chunk.input)
        base = base_type(self.api, declared.type)[0] if declared is not None and declared.type is not None else None
        if not isinstance(base, ir.ListT):
            lists = [n for n, i in self.declared.items() if i.type is not None and isinstance(base_type(self.api, i.type)[0], ir.ListT)]
            self.sink.error(
                "flow.bad-chunk",
                f"`chunk.input: {chunk.input}` must be a list input of flow `{self.flow.id}`"
                + (f", not `{format_type(declared.type)}`" if declared is not None and declared.type is not None else ""),
                chunk.input_span or chunk.span,
                hint=(did_you_mean(chunk.input, self.declared) if declared is None else None)
                or (f"its list inputs: {', '.join(f'`{n}`' for n in lists)}" if lists else None)
                or f"declare it under `inputs:` as a list (`{chunk.input}: [Item]`)",
            )
        if not isinstance(result, ir.FutureT):
            self.sink.error(
                "flow.bad-chunk",
                f"`{step.written_target}` does not answer a server-side future: only future calls are chunked",
                chunk.span,
                hint="the endpoint needs a promise_result feature",
            )
            return result
        record = self.api.record(base_type(self.api, result.result)[0])
        if record is None:
            self.sink.error(
                "flow.bad-chunk", f"the results of `{step.written_target}` are not records: they cannot be combined", chunk.span
            )
            return result
        for index, (name, how) in enumerate(chunk.combine):
            where = (chunk.combine_spans[index] if index < len(chunk.combine_spans or ()) else None) or chunk.span
            field = record.field(name)
            if field is None:
                self.sink.error(
                    "flow.bad-chunk",
                    f"`combine.{name}`: `{record.id}` has no field `{name}`",
                    where,
                    hint=did_you_mean(name, [f.name for f in record.fields]),
                )
                continue
            ftype = base_type(self.api, field.type)[0]
            numeric = isinstance(ftype, ir.MapT) and all(
                isinstance(m, ir.Prim) and m.name in ("float", "int")
                for m in (ftype.value.members if isinstance(ftype.value, ir.UnionT) else (ftype.value,))
            )
            if how == "concat" and not isinstance(ftype, ir.ListT) or how == "metrics" and not numeric:
                want = "a list" if how == "concat" else "a map of numbers"
                self.sink.error(
                    "flow.bad-chunk",
                    f"`combine.{name}: {how}` needs {want}; `{record.id}.{name}` is `{format_type(field.type)}`",
                    where,
                )
        # still a future (of the combined record): a flow answers it as it answers an unchunked call
        return result

    def call_owner(self, step: ir.Step) -> str | None:
        """The client a call must run on: the written `client.method` client, or a called flow's client."""
        head = step.written_target.rpartition(".")[0]
        if step.target_kind == "flow":
            return self.flows[step.target].client if step.target in self.flows else None
        other = self.api.clients.get(head)
        if step.written_target in self.api.endpoints and other is not None and other.id != self.flow.client:
            # `training.load_state`: an endpoint of the group a client is named after, which that
            # client has as a method: the call runs on such a client (see `retarget`)
            m = other.method(step.written_target.rpartition(".")[2])
            if m is not None and (m.target == step.target or m.kind == "flow"):
                return other.id
        if head and head not in self.api.endpoints and step.written_target not in self.api.endpoints:
            from tinkc.ir.queries import find_client

            client = find_client(self.api, head)
            return client.id if client else None
        return None

    def value_type(self, v: ir.Value) -> ir.TypeRef | None:
        if isinstance(v, ir.Bind):
            return v.type
        if isinstance(v, ir.Interp):
            return STRING
        if isinstance(v, ir.Const):
            val: Any = v.value
            if isinstance(val, bool):
                return ir.Prim(name="bool")
            if isinstance(val, int):
                return ir.Prim(name="int")
            if isinstance(val, float):
                return ir.Prim(name="float")
            if isinstance(val, str):
                return STRING
        return ANY

    def check(self) -> ir.Flow:
        for declared in self.declared.values():
            if declared.has_default and declared.type is not None:
                problem = const_problem(self.api, declared.type, declared.default)
                if problem:
                    self.sink.error(
                        "flow.bad-default", f"default of input `{declared.name}` of flow `{self.flow.id}`: {problem}", declared.span
                    )
        steps = []
        for i, step in enumerate(self.flow.steps):
            self.current_index = i
            steps.append(self.step(step))
        inputs = []
        for name in self.input_order:
            if name in self.declared:
                inputs.append(self.declared[name])
                continue
            t, span = self.inferred.get(name, (None, None))
            if t is None:
                self.sink.error(
                    "flow.input-untyped",
                    f"the type of input `{name}` of flow `{self.flow.id}` cannot be inferred from its uses",
                    span or self.flow.span,
                    hint=f"declare it: `inputs: {{{name}: <type>}}`",
                )
            inputs.append(ir.FlowInput(name=name, type=t, declared=False, span=span))
        for flow_input in inputs:
            if flow_input.name == "request_options":  # (the plan's CALL_OPTIONS_PARAM)
                self.sink.error(
                    "flow.input-clash",
                    f"input `request_options` of flow `{self.flow.id}` is the name of the SDKs' per-call options argument",
                    flow_input.span or self.flow.span,
                    hint="rename the input",
                )
        result = steps[-1].result_type if steps else None
        return attrs.evolve(self.flow, steps=tuple(steps), inputs=tuple(inputs), result=result)


def check_config(api: ir.Api, sink: Sink) -> None:
    """`service.config`: an option read from the environment has a type text can become; a
    default is a value of the option's type."""
    from tinkc.sdk.params import env_kind

    for o in api.service.config:
        if o.env is not None and env_kind(api, o.type) is None:
            sink.error(
                "config.env-type",
                f"config option `{o.name}` is `{format_type(o.type)}`: an environment variable cannot give it",
                o.span,
                hint="read strings, numbers, booleans, lists of strings (comma-separated) or maps (JSON) from `env`; drop `env:`",
            )
        if o.has_default and o.default is not None:
            problem = const_problem(api, o.type, o.default)
            if problem:
                sink.error(
                    "config.bad-default",
                    f"the default of config option `{o.name}` is not a `{format_type(o.type)}`: {problem}",
                    o.span,
                    hint="give a value of the option's type",
                )
    check_profiles(api, sink)


def check_profiles(api: ir.Api, sink: Sink) -> None:
    """`profiles:` of a config option: one option has them, a string one whose default (if any) is
    a profile's name; a profile's `max_retries` replaces that of the retry policy `retry_policy` names."""
    with_profiles = [o for o in api.service.config if o.profiles]
    for extra in with_profiles[1:]:
        sink.error(
            "config.bad-profile",
            f"config options `{with_profiles[0].name}` and `{extra.name}` both choose profiles",
            extra.span,
            hint="one option chooses the profile of defaults: merge their profiles",
        )
    for o in with_profiles[:1]:
        names = [p.name for p in o.profiles]
        base = o.type.inner if isinstance(o.type, ir.Nullable) else o.type
        if not (isinstance(base, ir.Prim) and base.name == "string"):
            sink.error(
                "config.bad-profile",
                f"config option `{o.name}` chooses a profile by name: its type is `string`, not `{format_type(o.type)}`",
                o.span,
                hint=f"`type: string` (its values: {', '.join(names)})",
            )
        if o.has_default and o.default is not None and o.default not in names:
            sink.error(
                "config.bad-profile",
                f"the default `{o.default}` of config option `{o.name}` is not one of its profiles",
                o.span,
                hint=did_you_mean(str(o.default), names) or f"one of: {', '.join(names)}",
            )
        policies = [fid for fid, f in api.features.items() if isinstance(f.params, ir.RetryPolicy)]
        if o.retry_policy is not None and o.retry_policy not in policies:
            sink.error(
                "config.bad-profile",
                f"config option `{o.name}`: `retry_policy: {o.retry_policy}` is not a retry_policy feature",
                o.span,
                hint=did_you_mean(o.retry_policy, policies) or "name a feature of `type: retry_policy`",
            )
        elif o.retry_policy is None and any(p.max_retries is not None for p in o.profiles):
            sink.error(
                "config.bad-profile",
                f"config option `{o.name}`: a profile gives `max_retries`, and no `retry_policy` says whose",
                o.span,
                hint="`retry_policy: <a retry_policy feature>`: the profile's count replaces that policy's `max_retries`",
            )


def run(api: ir.Api, sink: Sink) -> ir.Api:
    check_config(api, sink)
    order, cycles = flow_call_order(api)
    in_cycle = {name for cycle in cycles for name in cycle}
    flows = dict(api.flows)
    for name in order:
        if name in in_cycle or name not in flows:
            continue
        flows[name] = FlowChecker(api, flows[name], sink, flows).check()
    for flow in flows.values():
        _check_ordered_counters(api, flow, sink)
    return attrs.evolve(api, flows=flows)


def _check_ordered_counters(api: ir.Api, flow: ir.Flow, sink: Sink) -> None:
    """An `ordered` counter orders the requests that carry it: it is read only as an argument of an
    endpoint call on its own client, at most once a step (one value, one request, one place in the lane)."""
    client = api.clients.get(flow.client or "")
    ordered = {s.name for s in client.state if s.counter and s.ordered} if client is not None else set()
    if not ordered:
        return
    for step in flow.steps:
        reads = [b for b in step_binds(step) if b.source == "state" and b.path and str(b.path[0]) in ordered]
        if not reads:
            continue
        if step.kind not in ("call", "call_await") or step.target_kind != "endpoint" or step.receiver != "self":
            sink.error(
                "flow.ordered-counter",
                f"`{reads[0].text}` is an ordered counter: only a request of its own client may carry it",
                reads[0].span,
                hint="read it in an endpoint call step of this client, or drop `ordered: true`",
            )
        elif len(reads) > 1:
            sink.error(
                "flow.ordered-counter",
                f"step reads ordered counters {len(reads)} times: one request takes one place in the order",
                reads[1].span,
                hint="read one ordered counter once per step",
            )


PASS = Pass(name="bindings", kind="validation", run=run, doc=__doc__ or "")
