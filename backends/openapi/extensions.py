"""What OpenAPI has no words for, as ``x-tinkc-*`` extensions: feature instances, clients, flows.

OpenAPI describes the wire; a tinkc manifest also says how an SDK behaves (retries, futures,
sessions, telemetry) and what its client methods are (flows that chain calls). Those go into
extensions so that nothing of the manifest is lost and a tool can still rebuild the SDK surface
from the document alone. Conventions, the same everywhere:

* an endpoint is named by its id, which is also its ``operationId``;
* a type is a schema (``$ref`` to ``components/schemas`` for declared types);
* durations are in milliseconds, as in the IR; status lists are codes and ``"lo-hi"`` ranges, as
  a manifest writes them;
* every field of a feature's IR parameters is written (converted generically, so a parameter
  added to the IR appears here without a change to this backend).
"""

from __future__ import annotations

from typing import Any

import attrs

from tinkc.backends.openapi.schemas import SchemaBuilder, schema_ref
from tinkc.ir import nodes as ir

TYPE_NODES = (ir.Prim, ir.Ref, ir.ListT, ir.MapT, ir.Nullable, ir.Lit, ir.UnionT, ir.ClientT, ir.FutureT)


class Extensions:
    def __init__(self, api: ir.Api, schemas: SchemaBuilder) -> None:
        self.api = api
        self.schemas = schemas

    # -- features ---------------------------------------------------------------------------------

    def features(self) -> dict[str, Any]:
        """``components/x-tinkc-features``: every feature instance by id."""
        out: dict[str, Any] = {}
        for feature in self.api.features.values():
            entry: dict[str, Any] = {"kind": feature.kind}
            if feature.doc:
                entry["description"] = feature.doc
            entry["params"] = self.feature_params(feature.params)
            out[feature.id] = entry
        return out

    def feature_params(self, params: ir.FeatureParams) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for a in attrs.fields(type(params)):
            value = getattr(params, a.name)
            if a.name == "event_types":  # (kind, record id) pairs: which record each event kind sends
                out[a.name] = {kind: schema_ref(record) for kind, record in value}
            else:
                out[a.name] = self.param_value(value)
        return out

    def param_value(self, value: Any) -> Any:
        if isinstance(value, ir.StatusRange):
            return value.lo if value.lo == value.hi else f"{value.lo}-{value.hi}"
        if isinstance(value, TYPE_NODES):
            return self.schemas.type_schema(value)
        if isinstance(value, tuple) and value and all(isinstance(v, ir.Header) for v in value):
            return {h.name: h.value for h in value}
        if isinstance(value, tuple):
            return [self.param_value(v) for v in value]
        if isinstance(value, ir.Obj):
            return ir.thaw(value)
        if attrs.has(type(value)):  # nested parameter records (Backoff)
            return {a.name: self.param_value(getattr(value, a.name)) for a in attrs.fields(type(value)) if a.name != "span"}
        return value

    # -- service, clients, flows ------------------------------------------------------------------

    def service(self) -> dict[str, Any]:
        service = self.api.service
        out: dict[str, Any] = {"schema_version": self.api.schema_version, "timeout_ms": service.timeout_ms}
        if service.headers:
            out["headers"] = {h.name: h.value for h in service.headers}
        out["features"] = [use.feature for use in service.features]
        return out

    def clients(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for client in self.api.clients.values():
            entry: dict[str, Any] = {}
            if client.module:
                entry["module"] = client.module
            if client.doc:
                entry["description"] = client.doc
            if client.resources:
                entry["resources"] = list(client.resources)
            if client.state:
                entry["state"] = {s.name: self._state_field(s) for s in client.state}
            entry["methods"] = {m.name: self._method(m) for m in client.methods}
            out[client.id] = entry
        return out

    def _state_field(self, state: ir.StateField) -> dict[str, Any]:
        entry: dict[str, Any] = {"schema": self.schemas.type_schema(state.type)}
        if state.counter:
            entry["counter"] = True
        if state.doc:
            entry["description"] = state.doc
        return entry

    @staticmethod
    def _method(method: ir.Method) -> dict[str, Any]:
        # kind `endpoint`: target is an operationId; kind `flow`: a key of `x-tinkc-flows`
        entry: dict[str, Any] = {"kind": method.kind, "target": method.target}
        if method.doc:
            entry["description"] = method.doc
        return entry

    def flows(self) -> dict[str, Any]:
        return {flow.id: self.flow(flow) for flow in self.api.flows.values()}

    def flow(self, flow: ir.Flow) -> dict[str, Any]:
        entry: dict[str, Any] = {}
        if flow.client:
            entry["client"] = flow.client
        if flow.doc:
            entry["description"] = flow.doc
        if flow.deprecated:
            entry["deprecated"] = True
        entry["inputs"] = {i.name: self._flow_input(i) for i in flow.inputs}
        if flow.result is not None:
            entry["result"] = self.schemas.type_schema(flow.result)
        entry["steps"] = [self.step(s) for s in flow.steps]
        entry["stages"] = [list(stage) for stage in flow.stages]
        return entry

    def _flow_input(self, flow_input: ir.FlowInput) -> dict[str, Any]:
        entry: dict[str, Any] = {}
        if flow_input.type is not None:
            entry["schema"] = self.schemas.type_schema(flow_input.type)
        entry["required"] = flow_input.required
        if flow_input.has_default:
            entry["default"] = ir.thaw(flow_input.default)
        if not flow_input.declared:  # its type was inferred from where the flow uses it
            entry["inferred"] = True
        if flow_input.doc:
            entry["description"] = flow_input.doc
        return entry

    def step(self, step: ir.Step) -> dict[str, Any]:
        entry: dict[str, Any] = {"id": step.id, "kind": step.kind}
        if step.target is not None:
            entry["target"] = step.target
            entry["target_kind"] = step.target_kind
        if step.written_target and step.written_target != step.target:
            entry["written_target"] = step.written_target
        entry["receiver"] = step.receiver
        if step.on is not None:
            entry["on"] = self.value(step.on)
        if step.awaits is not None:
            entry["awaits"] = step.awaits
        if step.expected is not None:
            entry["expected"] = self.schemas.type_schema(step.expected)
        if step.args:
            entry["args"] = {a.name: self.value(a.value) for a in step.args}
        if step.after:
            entry["after"] = list(step.after)
        if step.depends_on:
            entry["depends_on"] = list(step.depends_on)
        if step.result_type is not None:
            entry["result"] = self.schemas.type_schema(step.result_type)
        return entry

    def value(self, value: ir.Value) -> dict[str, Any]:
        """A flow argument, tagged by its kind so that a constant object never reads as a binding."""
        if isinstance(value, ir.Const):
            return {"const": ir.thaw(value.value)}
        if isinstance(value, ir.Bind):
            entry: dict[str, Any] = {"bind": value.text, "source": value.source, "path": list(value.path)}
            if value.step is not None:
                entry["step"] = value.step
            if value.type is not None:
                entry["schema"] = self.schemas.type_schema(value.type)
            return entry
        if isinstance(value, ir.Interp):
            return {"interpolate": [part if isinstance(part, str) else self.value(part) for part in value.parts]}
        if isinstance(value, ir.ObjValue):
            return {"object": {k: self.value(v) for k, v in value.items}}
        if isinstance(value, ir.ListValue):
            return {"list": [self.value(v) for v in value.items]}
        return {"invalid": True}  # already reported by the compiler; a valid IR has none
