"""Endpoints as OpenAPI ``paths``: one operation per endpoint, ``operationId`` = the endpoint id.

The endpoint id (``group.name``, unique, letters, digits, ``_`` and one dot) is already a valid and
unique ``operationId``, and keeping it lets a reader go from the document back to the manifest;
generators turn it into their own identifiers. The group is the operation's tag.

OpenAPI cannot say some things a manifest can, and this module decides how to write them:

* raw path parameters (RFC 6570 ``{+name}``, inserted unescaped) appear as ``{name}`` with
  ``x-tinkc-raw: true``: OpenAPI path templates have no reserved expansion;
* OpenAPI forbids two templated paths that differ only in variable names (``/a/{id}`` and
  ``/a/{key}``), so endpoints on such paths share the path of the first one (by id) and their
  parameters are renamed positionally, keeping the manifest's name in ``x-tinkc-name``;
* two endpoints with the same method on the same path cannot both be operations: that is an
  error (the manifest is ambiguous for any server too);
* fixed headers (``Api.request_headers``, and those features add) are header parameters with a
  ``const`` value, except ``Accept``, ``Content-Type`` and ``Authorization``, which OpenAPI says
  to ignore as parameters; those go to ``x-tinkc-headers``;
* a future-returning endpoint's ``200`` response is the type the future resolves to, as the SDKs
  return it; ``x-tinkc-future`` names the feature, the retrieve operation and the handle type;
* ``redirect_location`` endpoints answer ``3XX`` with a ``Location`` header, which the SDKs return.
"""

from __future__ import annotations

from typing import Any

from tinkc.backends.openapi.schemas import SchemaBuilder
from tinkc.ir import nodes as ir

# The order of operations inside a path item, as the OpenAPI specification lists them.
METHOD_ORDER = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
# Header parameters OpenAPI says to ignore (RFC 9110 content negotiation and auth own them).
IGNORED_HEADER_PARAMETERS = frozenset({"accept", "content-type", "authorization"})
JSON = "application/json"


class RouteConflict(ValueError):
    """Two endpoints that one OpenAPI operation slot would have to hold."""


def _skeleton(path: ir.PathTemplate) -> str:
    """The path with every variable blank, as sent (``/a b`` and ``/a%20b`` are one path): what
    OpenAPI compares templated paths by."""
    return "".join(ir.encode_path_literal(part.text) if isinstance(part, ir.PathLiteral) else "{}" for part in path.parts)


def _path_key(path: ir.PathTemplate) -> str:
    """The OpenAPI path: literal text as it goes on the wire (percent-encoded where RFC 3986 wants
    it, as the SDKs send it), variables as ``{name}``."""
    return "".join(ir.encode_path_literal(part.text) if isinstance(part, ir.PathLiteral) else "{" + part.name + "}" for part in path.parts)


class PathsBuilder:
    def __init__(self, api: ir.Api, schemas: SchemaBuilder) -> None:
        self.api = api
        self.schemas = schemas

    def paths(self) -> dict[str, Any]:
        # The first endpoint (by id) on a skeleton decides the variable names of that path.
        canonical: dict[str, ir.PathTemplate] = {}
        taken: dict[tuple[str, str], str] = {}
        operations: dict[str, dict[str, dict[str, Any]]] = {}
        for endpoint in self.api.endpoints.values():
            skeleton = _skeleton(endpoint.path)
            method = endpoint.method.lower()
            if (skeleton, method) in taken:
                raise RouteConflict(
                    f"endpoints `{taken[skeleton, method]}` and `{endpoint.id}` are both {endpoint.method} {endpoint.path.template}:"
                    " an OpenAPI document has one operation per method and path"
                )
            taken[skeleton, method] = endpoint.id
            template = canonical.setdefault(skeleton, endpoint.path)
            renames = {
                own.name: shared.name
                for own, shared in zip(endpoint.path.variables, template.variables, strict=True)
                if own.name != shared.name
            }
            operations.setdefault(_path_key(template), {})[method] = self.operation(endpoint, renames)
        return {key: {m: operations[key][m] for m in sorted(operations[key], key=METHOD_ORDER.index)} for key in sorted(operations)}

    def operation(self, endpoint: ir.Endpoint, renames: dict[str, str]) -> dict[str, Any]:
        op: dict[str, Any] = {"operationId": endpoint.id, "tags": [endpoint.group]}
        if endpoint.doc:
            op["description"] = endpoint.doc
        if endpoint.deprecated:
            op["deprecated"] = True
        parameters, ignored_headers = self.parameters(endpoint, renames)
        if parameters:
            op["parameters"] = parameters
        if endpoint.request is not None:
            op["requestBody"] = {"required": True, "content": {JSON: {"schema": self.schemas.type_schema(endpoint.request)}}}
        op["responses"] = self.responses(endpoint)
        uses = [use.feature for use in endpoint.features]
        if uses:
            op["x-tinkc-features"] = uses
        future = self.api.future_feature(endpoint)
        if future is not None and isinstance(future.params, ir.PromiseResult):
            op["x-tinkc-future"] = self.future(future.id, future.params)
        if endpoint.response_handler is not None:
            op["x-tinkc-response-handler"] = endpoint.response_handler
        if ignored_headers:
            op["x-tinkc-headers"] = ignored_headers
        return op

    # -- parameters -------------------------------------------------------------------------------

    def parameters(self, endpoint: ir.Endpoint, renames: dict[str, str]) -> tuple[list[dict[str, Any]], dict[str, str]]:
        out = [self.path_parameter(p, renames.get(p.name, p.name)) for p in endpoint.path_params]
        out.extend(self.query_parameter(q) for q in endpoint.query)
        out.extend(self.header_parameter(h) for h in endpoint.header_params)
        headers, ignored = self.fixed_headers(endpoint)
        out.extend(headers)
        idempotency = self.api.idempotency_key(endpoint)
        if idempotency is not None and all(h["name"].lower() != idempotency.header.lower() for h in headers):
            prefix = f" Keys start with `{idempotency.prefix}`." if idempotency.prefix else ""
            out.append(
                {
                    "name": idempotency.header,
                    "in": "header",
                    "required": False,
                    "description": "Set by the SDK (`idempotency_key`): one key per call, reused by all its retries." + prefix,
                    "schema": {"type": "string"},
                }
            )
        return out, ignored

    def path_parameter(self, param: ir.PathParam, name: str) -> dict[str, Any]:
        out: dict[str, Any] = {"name": name, "in": "path", "required": True}
        if param.doc:
            out["description"] = param.doc
        out["schema"] = self.schemas.type_schema(param.type)
        if param.raw:
            out["x-tinkc-raw"] = True
        if name != param.name:
            out["x-tinkc-name"] = param.name
        return out

    def query_parameter(self, param: ir.QueryParam) -> dict[str, Any]:
        wire = param.wire_name or param.name
        out: dict[str, Any] = {"name": wire, "in": "query", "required": param.required}
        if param.doc:
            out["description"] = param.doc
        schema = self.schemas.type_schema(param.type)
        if param.has_default:
            schema["default"] = ir.thaw(param.default)
        out["schema"] = schema
        if wire != param.name:
            out["x-tinkc-name"] = param.name
        return out

    def header_parameter(self, param: ir.HeaderParam) -> dict[str, Any]:
        """A header whose value is an argument of the SDK's method (`header_params`)."""
        out: dict[str, Any] = {"name": param.wire_name or param.name, "in": "header", "required": param.required}
        if param.doc:
            out["description"] = param.doc
        schema = self.schemas.type_schema(param.type)
        if param.has_default:
            schema["default"] = ir.thaw(param.default)
        out["schema"] = schema
        out["x-tinkc-name"] = param.name
        return out

    def fixed_headers(self, endpoint: ir.Endpoint) -> tuple[list[dict[str, Any]], dict[str, str]]:
        """The headers an SDK sends on this endpoint with fixed values: the request headers of the
        IR (service, then endpoint), then those its features add. Names compare case-insensitively;
        a later one replaces an earlier one."""
        endpoint_own = {h.name.lower() for h in endpoint.headers}
        merged: dict[str, tuple[str, str, str]] = {}
        for h in self.api.request_headers(endpoint):
            merged[h.name.lower()] = (h.name, h.value, "an endpoint header" if h.name.lower() in endpoint_own else "a service header")
        for feature in self.api.endpoint_features(endpoint, "sampling_backpressure"):
            if isinstance(feature.params, ir.SamplingBackpressure):
                for h in feature.params.headers:
                    merged[h.name.lower()] = (h.name, h.value, f"added by the `{feature.id}` feature")
        params = []
        ignored = {}
        for key, (name, value, source) in merged.items():
            if key in IGNORED_HEADER_PARAMETERS:
                ignored[name] = value
                continue
            params.append(
                {
                    "name": name,
                    "in": "header",
                    "required": True,
                    "description": f"Sent with this value by the SDK ({source}).",
                    "schema": {"type": "string", "const": value},
                }
            )
        return params, ignored

    # -- responses --------------------------------------------------------------------------------

    def responses(self, endpoint: ir.Endpoint) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if endpoint.response_handler == "redirect_location":
            redirect: dict[str, Any] = {
                "description": "A redirect, not followed: the SDK returns its `Location`.",
                "headers": {"Location": {"required": True, "schema": {"type": "string", "format": "uri-reference"}}},
            }
            if endpoint.response is not None:  # what the manifest declares the method to return
                redirect["x-tinkc-declared-response"] = self.schemas.type_schema(endpoint.response)
            out["3XX"] = redirect
        else:
            future = self.api.future_feature(endpoint)
            if future is not None and isinstance(future.params, ir.PromiseResult):
                success: dict[str, Any] = {
                    "description": "The future's result. The immediate answer is a handle that the SDK polls with "
                    f"`{future.params.retrieve_endpoint}` until this result is ready (see `x-tinkc-future`)."
                }
            else:
                success = {"description": "Success." if endpoint.response is not None else "Success (the body is not read)."}
            if endpoint.stream is not None and endpoint.response is not None:
                # OpenAPI 3.1 has no schema of an event stream's items: the body is text, each
                # event's data the declared schema (`x-tinkc-stream`)
                success["description"] = "Server-sent events, each event's data one value of `x-tinkc-stream.event` as JSON."
                success["content"] = {
                    "text/event-stream": {
                        "schema": {"type": "string"},
                        "x-tinkc-stream": {"format": endpoint.stream, "event": self.schemas.type_schema(endpoint.response)},
                    }
                }
            elif endpoint.response is not None:
                success["content"] = {JSON: {"schema": self.schemas.type_schema(endpoint.response)}}
            out["200"] = success
        out["default"] = {"description": "An error status: the SDKs raise a status error carrying the status and the parsed body."}
        return out

    def future(self, feature_id: str, params: ir.PromiseResult) -> dict[str, Any]:
        out: dict[str, Any] = {"feature": feature_id, "retrieve_operation": params.retrieve_endpoint}
        if params.handle_type is not None:
            out["handle"] = self.schemas.type_schema(params.handle_type)
        out["request_id_field"] = params.request_id_field
        return out
