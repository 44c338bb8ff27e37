"""Every Python identifier of the generated SDK is decided here (never in templates)."""

from __future__ import annotations

import keyword
from collections.abc import Iterable

from tinkc.backends.base import NamingRules, pascal_case, snake_case
from tinkc.ir import nodes as ir

# Names a pydantic model field must not take: BaseModel's own attributes and methods.
PYDANTIC_RESERVED = frozenset(
    {
        "construct", "copy", "dict", "json", "parse_file", "parse_obj", "parse_raw", "schema", "schema_json",
        "update_forward_refs", "validate", "fields", "model_config", "model_fields", "model_computed_fields",
        "model_extra", "model_fields_set", "model_construct", "model_copy", "model_dump", "model_dump_json",
        "model_json_schema", "model_parametrized_name", "model_post_init", "model_rebuild", "model_validate",
        "model_validate_json", "model_validate_strings",
    }
)  # fmt: skip
# `self` is no keyword, but it is the first parameter of every generated method: a field or parameter
# of that name would be a duplicate argument.
PY_RESERVED = frozenset(keyword.kwlist) | frozenset(keyword.softkwlist) | frozenset({"None", "True", "False", "self"})
# Module-level names of the generated types module (everything `emit_types.IMPORTS` may import):
# a type must not shadow them.
TYPES_MODULE_NAMES = frozenset(
    {
        "Any", "Annotated", "Literal", "TypeAlias", "BaseModel", "ConfigDict", "Field", "datetime", "date", "Base64Bytes",
        "Discriminator", "Tag", "TypeAdapter", "UNKNOWN_TAG", "OpenEnum", "WireModel", "discriminate",
    }
)  # fmt: skip

# Builtins that annotations inside a class use: a method of that name would shadow them there.
ANNOTATION_BUILTINS = frozenset({"list", "dict", "set", "tuple", "type", "str", "int", "float", "bool", "bytes", "object"})

NAMING = NamingRules(
    type_case="pascal",
    method_case="snake",
    field_case="snake",
    reserved=PY_RESERVED | PYDANTIC_RESERVED | TYPES_MODULE_NAMES,
    reserved_suffix="_",
)


def type_name(name: str) -> str:
    """Manifest type names are kept when they are already Pascal-case identifiers."""
    candidate = name if name.isidentifier() and name[:1].isupper() else pascal_case(name)
    return NAMING.mangle(candidate)


def method_name(name: str) -> str:
    candidate = NAMING.method_name(name)
    return candidate + "_" if candidate in ANNOTATION_BUILTINS else candidate


def field_name(name: str) -> str:
    candidate = name if name.isidentifier() and name == name.lower() else snake_case(name)
    if candidate[:1].isdigit():
        candidate = "f_" + candidate
    return NAMING.mangle(candidate)


def enum_member(value: str) -> str:
    """The member name a value would take on its own (`in-progress` → `IN_PROGRESS`)."""
    candidate = snake_case(value).upper() or "EMPTY"
    if candidate[:1].isdigit():
        candidate = "V_" + candidate
    return candidate + "_" if keyword.iskeyword(candidate.lower()) and candidate.lower() == candidate else candidate


def enum_members(values: Iterable[str]) -> dict[str, str]:
    """Member names for all values of one enum, in declaration order. Values are wire data a user
    cannot rename, and several may spell alike (`"*/"` and `"-->"` have no letters at all), so a
    name already taken gets the lowest free `_2`, `_3`, ... suffix instead of redefining a member."""
    values = list(values)
    taken = {enum_member(v) for v in values}
    out: dict[str, str] = {}
    used: set[str] = set()
    for value in values:
        name = enum_member(value)
        if name in used:
            n = 2
            while f"{name}_{n}" in used or f"{name}_{n}" in taken:
                n += 1
            name = f"{name}_{n}"
        used.add(name)
        out[value] = name
    return out


def module_name(name: str) -> str:
    return snake_case(name) or "sdk"


# client_classes of the last IR asked about: emitting asks once per flow step and method, and the
# answer takes a pass over every type (it was most of the time of a large manifest's emission)
_CLIENT_CLASSES: list[tuple[ir.Api, dict[str, str]]] = []


def client_classes(api: ir.Api) -> dict[str, str]:
    """Client id → class name. The clients module imports the types by name, so a class (or its
    `Async` twin) never takes the name of a declared type: it gets `_` suffixes until it is free."""
    if _CLIENT_CLASSES and _CLIENT_CLASSES[0][0] is api:
        return _CLIENT_CLASSES[0][1]
    out = _client_classes(api)
    _CLIENT_CLASSES[:] = [(api, out)]
    return out


def _client_classes(api: ir.Api) -> dict[str, str]:
    types = {type_name(t) for t in api.types}
    types |= {f"Unknown{type_name(d.id)}" for d in api.types.values() if isinstance(d, ir.Union_) and d.discriminator}
    out: dict[str, str] = {}
    for client in api.clients.values():
        name = type_name(client.display_name)
        while {name, f"Async{name}"} & types or name in out.values():
            name += "_"
        out[client.id] = name
    return out


def client_class(api: ir.Api, client_id: str) -> str:
    return client_classes(api)[client_id]
