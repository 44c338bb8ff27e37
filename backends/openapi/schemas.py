"""IR types as JSON Schema 2020-12 (the schema dialect of OpenAPI 3.1).

Every declared type becomes one entry of ``components/schemas`` under its id, and every reference to
it a ``$ref``, so names survive into documentation viewers and other generators. Choices that a
reader might question:

* nullability uses 3.1's type arrays (``type: [string, "null"]``) where the schema has a plain
  ``type``, else ``oneOf`` with ``{type: "null"}``; a type that already admits null (``any``, an
  alias of ``T?``) is not wrapped again, because ``oneOf`` fails when both branches match;
* untagged unions are ``anyOf``: ``int | float`` would match two branches, which ``oneOf`` forbids;
  declared unions with a discriminator are ``oneOf`` plus ``discriminator`` (their variants carry
  distinct literal tags, so exactly one matches);
* records stay open (no ``additionalProperties: false``): servers may add fields, and tinkc's SDKs
  ignore unknown ones;
* bytes carry both 3.1's ``contentEncoding: base64`` and the older ``format: byte``, which most
  generators still key on.

Example::

    >>> SchemaBuilder(api).type_schema(ir.Nullable(inner=ir.ListT(item=ir.Ref(name="Pet"))))
    {'type': ['array', 'null'], 'items': {'$ref': '#/components/schemas/Pet'}}
"""

from __future__ import annotations

from typing import Any

from tinkc.ir import nodes as ir
from tinkc.ir.types import base_type

SCHEMAS_POINTER = "#/components/schemas/"

# Fresh dicts are made from these on every use: the document must not share objects (a YAML dumper
# would turn shared objects into anchors).
PRIMITIVE_SCHEMAS: dict[str, dict[str, Any]] = {
    "string": {"type": "string"},
    "int": {"type": "integer"},
    "float": {"type": "number", "format": "double"},
    "bool": {"type": "boolean"},
    "bytes": {"type": "string", "format": "byte", "contentEncoding": "base64"},
    "any": {},
    "datetime": {"type": "string", "format": "date-time"},
    "date": {"type": "string", "format": "date"},
}


def schema_ref(type_id: str) -> dict[str, Any]:
    return {"$ref": SCHEMAS_POINTER + type_id}


def _literal_type(value: str | int) -> str:
    return "string" if isinstance(value, str) else "integer"


class SchemaBuilder:
    """Turns type expressions and declarations of one :class:`~tinkc.ir.nodes.Api` into schemas."""

    def __init__(self, api: ir.Api) -> None:
        self.api = api

    # -- type expressions ------------------------------------------------------------------------

    def type_schema(self, t: ir.TypeRef) -> dict[str, Any]:
        if isinstance(t, ir.Prim):
            return dict(PRIMITIVE_SCHEMAS[t.name])
        if isinstance(t, ir.Ref):
            return schema_ref(t.name)
        if isinstance(t, ir.ListT):
            return {"type": "array", "items": self.type_schema(t.item)}
        if isinstance(t, ir.MapT):
            return {"type": "object", "additionalProperties": self.type_schema(t.value)}
        if isinstance(t, ir.Nullable):
            return self.nullable_schema(t.inner)
        if isinstance(t, ir.Lit):
            return {"type": _literal_type(t.value), "const": t.value}
        if isinstance(t, ir.UnionT):
            return self.inline_union_schema(t)
        # The two below occur only in flows (`x-tinkc-flows`), never on the wire.
        if isinstance(t, ir.ClientT):
            return {"x-tinkc-client": t.client}
        if isinstance(t, ir.FutureT):
            return {"x-tinkc-future-of": self.type_schema(t.result)}
        raise TypeError(f"unknown IR type node {type(t).__name__}")

    def inline_union_schema(self, t: ir.UnionT) -> dict[str, Any]:
        members = t.members
        if members and all(isinstance(m, ir.Lit) for m in members):
            kinds = {_literal_type(m.value) for m in members if isinstance(m, ir.Lit)}
            if len(kinds) == 1:  # `"png" | "svg"`: an enum reads better than a list of consts
                return {"type": kinds.pop(), "enum": [m.value for m in members if isinstance(m, ir.Lit)]}
        return {"anyOf": [self.type_schema(m) for m in members]}

    def nullable_schema(self, inner: ir.TypeRef) -> dict[str, Any]:
        schema = self.type_schema(inner)
        base, already_nullable = base_type(self.api, inner)
        if already_nullable or isinstance(base, ir.Prim) and base.name == "any":
            return schema
        if isinstance(schema.get("type"), str) and "const" not in schema:
            schema["type"] = [schema["type"], "null"]
            if "enum" in schema:
                schema["enum"] = [*schema["enum"], None]
            return schema
        if list(schema) == ["anyOf"]:
            schema["anyOf"].append({"type": "null"})
            return schema
        return {"oneOf": [schema, {"type": "null"}]}

    # -- declarations ----------------------------------------------------------------------------

    def declaration_schema(self, decl: ir.TypeDecl) -> dict[str, Any]:
        if isinstance(decl, ir.Record):
            schema = self.record_schema(decl)
        elif isinstance(decl, ir.Enum):
            schema = self.enum_schema(decl)
        elif isinstance(decl, ir.Union_):
            schema = self.union_schema(decl)
        else:
            schema = self.type_schema(decl.target)
        # A declaration's description leads (it is what a reader of components looks for first).
        head: dict[str, Any] = _annotate({}, doc=decl.doc, deprecated=decl.deprecated, extra={})
        return {**head, **schema, **({"x-tinkc-export": True} if decl.export else {})}

    def record_schema(self, record: ir.Record) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "object"}
        if record.fields:
            schema["properties"] = {f.json_name: self.field_schema(f) for f in record.fields}
        required = [f.json_name for f in record.fields if f.required]
        if required:
            schema["required"] = required
        return schema

    def field_schema(self, field: ir.Field) -> dict[str, Any]:
        extra: dict[str, Any] = {}
        if field.has_default:
            extra["default"] = ir.thaw(field.default)
        if field.name != field.json_name:  # the SDKs' name for a field sent under another key
            extra["x-tinkc-name"] = field.name
        return _annotate(self.type_schema(field.type), doc=field.doc, deprecated=field.deprecated, extra=extra)

    def enum_schema(self, enum: ir.Enum) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "string", "enum": [v.value for v in enum.values]}
        if any(v.doc for v in enum.values):
            # The extension openapi-generator and others read for per-value docs (aligned with `enum`).
            schema["x-enum-descriptions"] = [v.doc or "" for v in enum.values]
        return schema

    def union_schema(self, union: ir.Union_) -> dict[str, Any]:
        variants = [schema_ref(v.type) for v in union.variants]
        if union.discriminator is None:
            return {"anyOf": variants}
        mapping = {v.tag: SCHEMAS_POINTER + v.type for v in union.variants if v.tag is not None}
        return {"oneOf": variants, "discriminator": {"propertyName": union.discriminator, "mapping": mapping}}


def _annotate(schema: dict[str, Any], *, doc: str | None, deprecated: bool, extra: dict[str, Any]) -> dict[str, Any]:
    """Add documentation keywords after the schema's own (JSON Schema 2020-12 and OpenAPI 3.1 allow
    them beside ``$ref``)."""
    if doc:
        schema["description"] = doc
    if deprecated:
        schema["deprecated"] = True
    schema.update(extra)
    return schema
