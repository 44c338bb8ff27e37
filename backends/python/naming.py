"""Every Python identifier of the generated SDK is decided here (never in templates)."""

from __future__ import annotations

import keyword

from tinkc.backends.base import NamingRules, pascal_case, snake_case

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
PY_RESERVED = frozenset(keyword.kwlist) | frozenset(keyword.softkwlist) | frozenset({"None", "True", "False"})
# Module-level names of the generated types module: a type must not shadow them.
TYPES_MODULE_NAMES = frozenset({"Any", "Annotated", "Literal", "TypeAlias", "BaseModel", "ConfigDict", "Field", "datetime", "date"})

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
    candidate = snake_case(value).upper() or "EMPTY"
    if candidate[:1].isdigit():
        candidate = "V_" + candidate
    return candidate + "_" if keyword.iskeyword(candidate.lower()) and candidate.lower() == candidate else candidate


def module_name(name: str) -> str:
    return snake_case(name) or "sdk"
