"""A JSON Schema (draft 2020-12) of the manifest language, for editors and CI (`tinkc schema`).

The schema describes the *structure* the lowering accepts: every section and key, the spelling of
type expressions, bindings, paths and statuses (as patterns), and every feature type with its
parameters. What needs the whole manifest (does a referenced type exist, does a binding's field
exist) is the passes' job and stays out: a manifest the schema accepts may still draw diagnostics
from `tinkc check`, never the other way round.

One schema covers both kinds of manifest file: a *root* manifest (it has `service`, and must have
`schema_version`) and an *imported* one (`imports:` of a root: no `service`, no `targets`).

The feature section is derived from :data:`tinkc.features.FEATURE_TYPES` and the key names and
patterns from the lowering's own constants, so the schema cannot drift from what tinkc reads;
`tests/test_schema.py` checks both.
"""

from __future__ import annotations

import json
import re
from typing import Any

from tinkc.features import FEATURE_TYPES, HTTP_METHODS, REQUIRED, RESPONSE_HANDLERS, STREAMS, Param
from tinkc.frontend.load import SUPPORTED_SCHEMA_VERSIONS
from tinkc.frontend.lower import _ENDPOINT_ID, _HELPER_NAME, _IDENT, _TYPE_ID, BINDING_SOURCES, IMPORTED_KEYS, ROOT_KEYS

SCHEMA_ID = "urn:tinkc:manifest:v1"  # an identifier, not a location: nothing fetches it

Schema = dict[str, Any]


def _anchored(regex: re.Pattern[str]) -> str:
    """A Python full-match regex (``...\\Z``) as an ECMA-262 pattern (JSON Schema patterns are not anchored)."""
    return "^" + regex.pattern.removesuffix(r"\Z") + "$"


IDENT = _anchored(_IDENT)
ENDPOINT_ID = _anchored(_ENDPOINT_ID)
TYPE_ID = _anchored(_TYPE_ID)
HELPER_NAME = _anchored(_HELPER_NAME)

# Type expressions (grammar/types.lark) need balanced brackets, which no regular expression checks;
# the pattern accepts exactly the strings made of the grammar's tokens, so editors flag `List<int>`,
# `string!` or `{}` as they are typed, and `tinkc check` reports the rest at the character.
TYPE_EXPR = r'^\s*(?:[A-Za-z_][A-Za-z0-9_.]*|[-+]?[0-9]+|"(?:[^"\\]|\\.)*"|[\[\]()?|,]|\s)+$'
# A string that may hold `${...}` bindings (grammar/bindings.lark, plus the lowering's rules on the
# source: `input`/`state` need a name, `steps` a step id). `$${` is a literal `${`.
_ACCESSOR = r"(?:\.[A-Za-z_][A-Za-z0-9_]*|\[[0-9]+\])"
assert set(BINDING_SOURCES) == {"input", "result", "steps", "state", "config", "server"}, "a new binding source needs its rule in BINDING"
BINDING = rf"\$\{{(?:result{_ACCESSOR}*|(?:input|state|config|server){_ACCESSOR}+|steps\.[A-Za-z_][A-Za-z0-9_]*{_ACCESSOR}*)\}}"
TEMPLATE = rf"^(?:[^$]|\$\$\{{|\$(?![{{$])|\$\$(?!\{{)|\$$|{BINDING})*$"
STATUS = r"^\s*[0-9]+\s*(?:-\s*[0-9]+\s*)?$"
PATH = r"^/[^?#\s]*$"


def _case_insensitive(word: str) -> str:
    return "".join(f"[{c.upper()}{c.lower()}]" if c.isalpha() else re.escape(c) for c in word)


def _nullable(schema: Schema) -> Schema:
    """A mapping the lowering also accepts written as an empty value (`types:` with nothing under it)."""
    return {"anyOf": [schema, {"type": "null"}]}


def _ref(name: str) -> Schema:
    return {"$ref": f"#/$defs/{name}"}


def _obj(properties: dict[str, Schema], *, required: tuple[str, ...] = (), description: str = "", **extra: Any) -> Schema:
    out: Schema = {"type": "object"}
    if description:
        out["description"] = description
    out["properties"] = properties
    if required:
        out["required"] = list(required)
    out["additionalProperties"] = False
    out.update(extra)
    return out


def _map(values: Schema, *, keys: str | None = None, description: str = "") -> Schema:
    out: Schema = {"type": "object"}
    if description:
        out["description"] = description
    if keys:
        out["propertyNames"] = {"pattern": keys}
    out["additionalProperties"] = values
    return out


def _str(description: str, **extra: Any) -> Schema:
    return {"type": "string", "description": description, **extra}


def _one_or_many(item: Schema, description: str) -> Schema:
    """The lowering reads a single value where a list is expected (`features: retry`)."""
    return {"description": description, "anyOf": [item, {"type": "array", "items": item}]}


DOC = _str("Documentation, copied into the generated code.")
DEPRECATED = {"type": "boolean", "description": "Marked deprecated in every target."}


# -- features ------------------------------------------------------------------------------------


def _json_default(value: Any) -> Any:
    """A parameter default as JSON (status ranges as `lo-hi` strings), or None when it has none."""
    if value is REQUIRED or value is None:
        return None
    if isinstance(value, tuple):
        items = []
        for v in value:
            if isinstance(v, tuple) and len(v) == 2 and all(isinstance(x, int) for x in v):
                items.append(v[0] if v[0] == v[1] else f"{v[0]}-{v[1]}")
            else:
                items.append(_json_default(v))
        return items
    return value


def param_schema(spec: Param) -> Schema:
    """The JSON Schema of one feature parameter, from its :class:`~tinkc.features.Param`."""
    kind = spec.kind
    out: Schema
    if kind == "int":
        out = {"type": "integer"}
    elif kind == "float":
        out = {"type": "number"}
    elif kind == "bool":
        out = {"type": "boolean"}
    elif kind == "str":
        out = {"type": "string"}
        if spec.choices:
            out["enum"] = list(spec.choices)
    elif kind == "endpoint":
        out = {"type": "string", "pattern": ENDPOINT_ID}
    elif kind == "str_list":
        item: Schema = {"type": "string", "enum": list(spec.choices)} if spec.choices else {"type": "string"}
        out = {"anyOf": [item, {"type": "array", "items": item}]}
    elif kind == "status_list":
        out = _ref("StatusList")
    elif kind == "headers":
        out = _ref("Headers")
    elif kind == "str_map":
        out = {"type": "object", "additionalProperties": {"type": "string"}}
    elif kind == "type":
        out = _ref("TypeExpr")
    elif kind == "json":
        out = {"type": "object"}
    elif kind == "obj":
        assert spec.fields is not None
        out = _obj({name: param_schema(sub) for name, sub in spec.fields.items()})
    else:
        raise AssertionError(f"feature parameter kind `{kind}` has no JSON Schema")
    if spec.default is not REQUIRED:
        # An optional parameter may be written empty: the lowering then uses its default.
        out = {"anyOf": [out, {"type": "null"}]} if "anyOf" not in out else {"anyOf": [*out["anyOf"], {"type": "null"}]}
    described = spec.doc or ("required" if spec.default is REQUIRED else "")
    default = _json_default(spec.default)
    if default is not None:
        described = f"{described} (default: {json.dumps(default)})".lstrip()
        out["default"] = default
    if described:
        out = {"description": described, **out}
    return out


def feature_schemas() -> dict[str, Schema]:
    """One definition per feature type: ``type`` (its name), ``doc`` and its parameters."""
    out: dict[str, Schema] = {}
    for name, ft in FEATURE_TYPES.items():
        props: dict[str, Schema] = {
            "type": {"const": name, "description": "The feature type."},
            "doc": DOC,
        }
        props.update({pname: param_schema(spec) for pname, spec in ft.params.items()})
        required = ("type", *(p for p, spec in ft.params.items() if spec.default is REQUIRED))
        where = " or ".join(ft.scopes)
        out[f"feature.{name}"] = _obj(
            props, required=required, description=f"`{name}` ({where} feature): {ft.doc}", title=f"{name} feature"
        )
    return out


def _feature_instance() -> Schema:
    return {
        "type": "object",
        "description": "A feature instance: `type` names a built-in feature type, the other keys are its parameters.",
        "properties": {"type": {"enum": list(FEATURE_TYPES), "description": "The feature type."}},
        "required": ["type"],
        "allOf": [{"if": {"properties": {"type": {"const": name}}}, "then": _ref(f"feature.{name}")} for name in FEATURE_TYPES],
    }


# -- the rest of the language -------------------------------------------------------------------


def _definitions() -> dict[str, Schema]:
    d: dict[str, Schema] = {}
    d["TypeExpr"] = {
        "description": "A type expression: `string int float bool bytes any datetime date`, a declared type, `T?` (nullable), "
        "`[T]`, `map[string,T]`, `A | B`, a literal `'\"text\"'`. A YAML list of one element is a list type.",
        "anyOf": [
            {"type": "string", "pattern": TYPE_EXPR},
            {"type": "array", "minItems": 1, "maxItems": 1, "items": _ref("TypeExpr")},
        ],
    }
    d["Template"] = {
        "type": "string",
        "pattern": TEMPLATE,
        "description": "A string, possibly with bindings: `${input.x}`, `${result.a.b}`, `${steps.<id>.a}`, `${state.x}`; "
        "`$${` is a literal `${`.",
    }
    d["Value"] = {
        "description": "A literal, a binding, a string with bindings, or a list or mapping of these (a mapping builds a record).",
        "anyOf": [
            _ref("Template"),
            {"type": ["number", "boolean", "null"]},
            {"type": "array", "items": _ref("Value")},
            {"type": "object", "additionalProperties": _ref("Value")},
        ],
    }
    d["Binding"] = {"type": "string", "pattern": f"^{BINDING}$", "description": "A single binding such as `${steps.client}`."}
    d["StatusList"] = _one_or_many(
        {"anyOf": [{"type": "integer"}, {"type": "string", "pattern": STATUS}]},
        "HTTP statuses and inclusive ranges, e.g. `[408, 429, 500-599]`.",
    )
    d["Headers"] = _nullable(_map({"type": ["string", "number"]}, description="Header name → value."))
    d["FeatureUses"] = _one_or_many({"type": "string"}, "Names of feature instances declared under `features:`.")
    d["Service"] = _obj(
        {
            "name": _str("Neutral service name; default names in every target derive from it."),
            "version": _str('SDK version, reported in the user agent. Quote it: `"1.0"`.'),
            "doc": DOC,
            "base_url": {
                "description": "The default base URL, or `{default, env}`.",
                "anyOf": [
                    {"type": "string"},
                    _obj(
                        {
                            "default": _str("Base URL used when neither an option nor the environment variable gives one."),
                            "env": _str("Environment variable that overrides the default."),
                        }
                    ),
                ],
            },
            "environments": _map(
                {"type": "string", "pattern": "^https?://"},
                keys="^[a-z][a-z0-9_]*$",
                description="Named base URLs (`{production: https://..., staging: https://...}`), chosen by the client's "
                "`environment` argument or `environment_env`. Precedence: base URL argument, environment argument, the base "
                "URL variable, the environment variable, `base_url.default` (else the first environment).",
            ),
            "environment_env": _str("Environment variable naming one of `environments`."),
            "auth": _nullable(
                _obj(
                    {
                        "type": {
                            "enum": ["api_key", "bearer", "basic"],
                            "description": "Authentication scheme (default: api_key): the key as it is, `Bearer <key>`, "
                            "or HTTP basic (`Basic ` + base64 of a `user:password` credential).",
                        },
                        "header": _str("Header carrying the credential (default: Authorization)."),
                        "env": _str("Environment variable holding the credential."),
                        "command_env": _str(
                            "Environment variable holding a shell command that prints the credential, run when neither "
                            "the argument nor `env` gives one."
                        ),
                        "exchange": _obj(
                            {
                                "endpoint": _str("The endpoint that exchanges the credential for a short-lived token."),
                                "token": _str("The field of its answer holding the token."),
                                "lifetime": _obj(
                                    {
                                        "claim": _str("JWT claim holding the expiry (seconds since the epoch)."),
                                        "field": _str("Answer field holding the lifetime in seconds."),
                                    },
                                    description="When the token expires, one of: a JWT claim (`{claim: exp}`, the default) "
                                    "or an answer field of seconds (`{field: expires_in}`).",
                                    minProperties=1,
                                    maxProperties=1,
                                ),
                                "refresh_window": {
                                    "type": "array",
                                    "items": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1},
                                    "minItems": 2,
                                    "maxItems": 2,
                                    "description": "Renew after a fraction of the lifetime drawn in `[low, high]` (default [0.45, 0.55]).",
                                },
                                "refresh_before_sec": {
                                    "type": "integer",
                                    "minimum": 0,
                                    "description": "Renew when at most this many seconds remain (default 60).",
                                },
                                "enabled": {
                                    "type": "boolean",
                                    "description": "On by default (default true); a client option overrides it.",
                                },
                                "enable_env": _str("Environment variable turning the exchange on or off when no client option does."),
                            },
                            required=("endpoint", "token"),
                            description="Exchange the credential for short-lived tokens; a 401 with `invalid_token` gets one new token and one replay.",
                        ),
                    },
                    description="How requests authenticate. A missing credential fails at client construction.",
                )
            ),
            "headers": _ref("Headers") | {"description": "Headers sent on every request."},
            "timeout_ms": {"type": "integer", "description": "Default per-request timeout (default: 60000)."},
            "features": _ref("FeatureUses") | {"description": "Service-wide features (telemetry, session_lifecycle, ...)."},
            "config": _nullable(
                _map(
                    {
                        "anyOf": [
                            _ref("TypeExpr"),
                            _obj(
                                {
                                    "type": _ref("TypeExpr"),
                                    "env": _str(
                                        "Environment variable read when the option is not given (text, number, boolean, "
                                        "comma-separated list of strings, or JSON)."
                                    ),
                                    "default": {"description": "Value used when neither the option nor the variable gives one."},
                                    "doc": DOC,
                                    "profiles": _map(
                                        _nullable(
                                            _obj(
                                                {
                                                    "timeout_ms": {"type": "integer", "minimum": 1, "description": "The default timeout."},
                                                    "max_retries": {
                                                        "type": "integer",
                                                        "minimum": 0,
                                                        "description": "The retry count of `retry_policy`'s endpoints.",
                                                    },
                                                }
                                            )
                                        ),
                                        description="Named profiles of defaults the option's (string) value chooses among "
                                        "(Tinkex's parity modes); a value naming none is a configuration error.",
                                    ),
                                    "retry_policy": _str("The retry_policy feature whose `max_retries` a profile's replaces."),
                                },
                                required=("type",),
                            ),
                        ]
                    }
                )
            )
            | {
                "description": "Configuration options of every client (option > env > default), read by flows as "
                "`${config.<name>}`; names are lower_snake_case and not a built-in option."
            },
        },
        required=("name",),
        description="The HTTP service: name, base URL, authentication.",
    )
    field_long = _obj(
        {
            "type": _ref("TypeExpr"),
            "default": {"description": "Value when the key is absent (makes the field not required)."},
            "optional": {"type": "boolean", "description": "The key may be absent (omitted from the wire when not set)."},
            "nullable": {
                "type": "boolean",
                "description": "Required but may be null (sent as null); `T?` alone is optional and nullable.",
            },
            "json_name": _str("Wire name when it differs from the field name."),
            "deprecated": DEPRECATED,
            "doc": DOC,
            "derive": _obj(
                {
                    "from": _str("The string field the value is parsed from (`tinker_path`)."),
                    "parse": _str("A record with a parse template (`ParsedCheckpointTinkerPath`).", pattern=TYPE_ID),
                    "field": _str("The template's variable that gives the value (`training_run_id`).", pattern=IDENT),
                },
                required=("from", "parse", "field"),
                description="A derived field (an optional string): filled when decoding leaves it out, from the parse of "
                "another field; text that does not match leaves it absent.",
            ),
        },
        required=("type",),
        description="Long form of a field.",
    )
    d["Field"] = {
        "description": "`name: <type expr>` or the long form `{type, default, optional, nullable, json_name, deprecated, doc}`; `T?` is optional and nullable."
    }
    d["Field"]["anyOf"] = [_ref("TypeExpr"), field_long]
    common = {
        "doc": DOC,
        "deprecated": DEPRECATED,
        "export": {"type": "boolean", "description": "Keep even when no endpoint uses it."},
        "namespace": _str(
            "A sub-namespace of the types (`telemetry`): Elixir `<Types>.Telemetry.<Name>`, Python module `types_telemetry`, "
            "TypeScript `telemetry.<Name>`; the flat name stays in Python and TypeScript.",
            pattern="^[a-z][a-z0-9_]*$",
        ),
    }
    template = _str("`literal{name}literal{+name}`: `{name}` is one segment (no `/`), `{+name}` any text; variables are string fields.")
    d["ParseTemplate"] = {
        "description": "A parse template: the record's `parse` function (default `parse`) splits a string by it into the record.",
        "anyOf": [
            template,
            _obj(
                {"template": template, "function": _str("The function's name (`from_tinker_path`).", pattern="^[a-z_][a-z0-9_]*$")},
                required=("template",),
            ),
        ],
    }
    d["Record"] = _obj(
        {
            **common,
            "fields": _nullable(_map(_ref("Field"), keys=IDENT, description="Field name → type.")),
            "parse": _ref("ParseTemplate"),
            "helpers": _nullable(
                _map(
                    _obj(
                        {
                            "doc": DOC,
                            "params": _nullable(
                                _map(
                                    {
                                        "anyOf": [
                                            _ref("TypeExpr"),
                                            _obj(
                                                {
                                                    "type": _ref("TypeExpr"),
                                                    "default": {
                                                        "type": ["string", "number", "boolean"],
                                                        "description": "The value when the argument is left out (the parameter is optional).",
                                                    },
                                                },
                                                required=("type",),
                                            ),
                                        ]
                                    },
                                    keys=IDENT,
                                    description="Positional parameters in order; `T?` ones and ones with a `default` last (optional).",
                                )
                            ),
                            "new": {"description": "A value template building the record; `${input.<param>}` puts a parameter."},
                            "positional": {
                                "type": "boolean",
                                "description": "A constructing helper (not `new`) whose optional parameters are trailing positional "
                                "arguments with defaults, not options.",
                            },
                            "get": {"$ref": "#/$defs/HelperGet"},
                            "push": _obj(
                                {
                                    "to": _str("The list field the item is appended to."),
                                    "value": {"description": "The item: a value template of the parameters, as `new` takes."},
                                    "merge": _str(
                                        "A list field of the items: an item of the last item's kind extends that item's list instead."
                                    ),
                                },
                                required=("to", "value"),
                                description="A copy of the value with an item appended to one of its lists (`ModelInput.append`).",
                            ),
                        },
                        description="A helper: `new` (with `params`) builds the record, `get` reads from it, `push` appends to it; "
                        "exactly one of them.",
                    ),
                    keys=HELPER_NAME,
                    description="Functions on the type in the binding language (`from_ints`, `to_ints`, `model_names`, `length`, `success?`).",
                )
            ),
        },
        required=("fields",),
        description="A record: named fields.",
        title="record",
    )
    enum_value = {
        "anyOf": [
            {"type": ["string", "number"]},
            _obj({"value": {"type": ["string", "number"]}, "doc": DOC}, required=("value",)),
        ]
    }
    d["HelperGet"] = _str(
        "What the helper answers, read out of the value (grammar/helper_expr.lark): a path `${self.field[*].other}` "
        '(`[*]`: every item of a list; items flatten) that may end in a map key `["loss"]` or a call of the items\' '
        "own helper `.length()`; `len(...)`, `sum(...)`, `required(...)`, `json(...)`; `==`, `!=`, `in [...]` against literals; a "
        "literal (`true`).",
    )
    d["Enum"] = _obj(
        {
            **common,
            "enum": {"type": "array", "minItems": 1, "items": enum_value, "description": "The values (unknown ones are tolerated)."},
            "helpers": _nullable(
                _map(
                    _obj({"doc": DOC, "get": {"$ref": "#/$defs/HelperGet"}}, required=("get",), description="A helper reading the value."),
                    keys=HELPER_NAME,
                    description="Functions on the enum's values in the binding language (`retryable?: {get: '${self} != \"user\"'}`).",
                )
            ),
        },
        required=("enum",),
        description="An enum; SDKs tolerate values they do not know.",
        title="enum",
    )
    variant = {
        "anyOf": [
            {"type": "string", "pattern": TYPE_ID},
            _obj({"type": {"type": "string", "pattern": TYPE_ID}, "tag": {"type": ["string", "number"]}}, required=("type",)),
        ]
    }
    d["Union"] = _obj(
        {
            **common,
            "union": {"type": "array", "minItems": 1, "items": variant, "description": "The variant records (or `{type, tag}`)."},
            "discriminator": _str("The field whose literal value tags each variant."),
            "tag_accessor": _str(
                "The name of a function answering a value's tag (`event_type`); needs `discriminator`.", pattern="^[a-z][a-z0-9_]*$"
            ),
        },
        required=("union",),
        description="A discriminated union of records; SDKs tolerate unknown tags.",
        title="union",
    )
    d["Alias"] = _obj({**common, "alias": _ref("TypeExpr")}, required=("alias",), description="Another name for a type.", title="alias")
    d["TypeDecl"] = {
        "description": "A record (`fields`), enum (`enum`), discriminated union (`union`) or alias (`alias`).",
        "oneOf": [_ref("Record"), _ref("Enum"), _ref("Union"), _ref("Alias")],
    }
    d["Endpoint"] = _obj(
        {
            "method": {
                "description": f"HTTP method: {', '.join(HTTP_METHODS)}.",
                "anyOf": [
                    {"enum": list(HTTP_METHODS)},
                    {"type": "string", "pattern": "^(?:" + "|".join(map(_case_insensitive, HTTP_METHODS)) + ")$"},
                ],
            },
            "path": _str("Path template: `{name}` is percent-encoded, `{+name}` inserted raw.", pattern=PATH),
            "doc": DOC,
            "path_params": _nullable(
                _map(
                    {"anyOf": [_ref("TypeExpr"), _obj({"type": _ref("TypeExpr"), "raw": {"type": "boolean"}, "doc": DOC})]},
                    keys=IDENT,
                    description="Types, docs and the raw flag of path parameters.",
                )
            ),
            "query": _nullable(
                _map(
                    {
                        "anyOf": [
                            _ref("TypeExpr"),
                            _obj(
                                {
                                    "type": _ref("TypeExpr"),
                                    "default": {"description": "Sent with this value unless overridden."},
                                    "optional": {"type": "boolean"},
                                    "json_name": _str("Wire name."),
                                    "doc": DOC,
                                },
                                required=("type",),
                            ),
                        ]
                    },
                    description="Query parameters.",
                )
            ),
            "header_params": _nullable(
                _map(
                    {
                        "anyOf": [
                            _ref("TypeExpr"),
                            _obj(
                                {
                                    "type": _ref("TypeExpr"),
                                    "header": _str("The header's name (default: the parameter's name)."),
                                    "default": {"description": "Sent with this value unless overridden."},
                                    "optional": {"type": "boolean"},
                                    "doc": DOC,
                                },
                                required=("type",),
                            ),
                        ]
                    },
                    keys=IDENT,
                    description="Request headers whose values are method arguments (string, int, bool, enum or literal).",
                )
            ),
            "request": _ref("TypeExpr") | {"description": "The JSON body's type."},
            "response": _ref("TypeExpr") | {"description": "The response type (for a futures endpoint: what the future resolves to)."},
            "features": _ref("FeatureUses") | {"description": "Feature instances applied to this endpoint."},
            "headers": _ref("Headers") | {"description": "Headers sent with this endpoint's requests."},
            "response_handler": {
                "enum": list(RESPONSE_HANDLERS),
                "description": "; ".join(f"`{k}`: {v}" for k, v in RESPONSE_HANDLERS.items()),
            },
            "stream": {
                "enum": list(STREAMS),
                "description": "The response body is a stream of events, each a `response` record (no retries; a flow may only "
                "answer it as its last step): " + "; ".join(f"`{k}`: {v}" for k, v in STREAMS.items()),
            },
            "deprecated": DEPRECATED,
            "api": _str(
                "The endpoint's function of the stateless layer, `group.function` (default: the endpoint's own id): "
                "Elixir `<Root>.API.<Group>.<function>`, Python `api.<group>.<function>`, TypeScript `api.<group>.<function>`.",
                pattern=r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$",
            ),
        },
        required=("method", "path"),
        description="One HTTP endpoint, keyed `group.name`.",
    )
    d["FlowInput"] = {
        "anyOf": [
            _ref("TypeExpr"),
            _obj(
                {
                    "type": _ref("TypeExpr"),
                    "default": {"description": "Makes the input optional."},
                    "doc": DOC,
                    "spread": {
                        "type": "boolean",
                        "description": "A record input whose fields are also inputs of their own, each overriding that field when given.",
                    },
                },
                required=("type",),
            ),
        ]
    }
    d["Step"] = _obj(
        {
            "id": _str("Names the step for `${steps.<id>...}`.", pattern=IDENT),
            "doc": DOC,
            "call": _str("An endpoint id, `client.method` or a flow name."),
            "on": _ref("Binding") | {"description": "The receiver: a client produced by an earlier step."},
            "chunk": _obj(
                {
                    "input": _str("The flow input (a list) split into chunks; inside the step it is the chunk.", pattern=IDENT),
                    "max_items": {"type": "integer", "minimum": 1, "description": "Items a request carries at most."},
                    "max_bytes": {"type": "integer", "minimum": 1, "description": "Estimated bytes a request carries at most."},
                    "combine": _map(
                        {"enum": ["concat", "metrics", "first"]},
                        description="How the chunks' results combine, per field of the result (default `first`).",
                    ),
                },
                required=("input", "max_items", "max_bytes"),
                description="Split a list input into chunks: one request each, sent concurrently (the first last), results combined.",
            ),
            "args": _nullable(_map(_ref("Value"), description="Arguments: the target's parameters.")),
            "await_future": {
                "description": "Wait for the previous call's future; `true` or the type it resolves to.",
                "anyOf": [{"const": True}, {"type": "null"}, _ref("TypeExpr")],
            },
            "build_client": {
                "description": "Make a client: its key or module's last segment, or `{client, with}`.",
                "anyOf": [
                    {"type": "string"},
                    _obj(
                        {"client": {"type": "string"}, "with": _nullable(_map(_ref("Value"), description="Client state values."))},
                        required=("client",),
                    ),
                ],
            },
            "parse": _obj(
                {"type": _str("A record with a parse template."), "value": _ref("Value") | {"description": "The text to split."}},
                required=("type", "value"),
                description="Split a string by a record's parse template into that record (bad text: the invalid-argument error).",
            ),
            "return": _ref("Value") | {"description": "The flow's result (default: the last step's)."},
            "after": _one_or_many({"type": "string"}, "Step ids this step must run after (besides its data dependencies)."),
        },
        description="One step: exactly one of `call`, `await_future`, `build_client`, `parse`, `return`.",
        oneOf=[{"required": [k]} for k in ("call", "await_future", "build_client", "parse", "return")],
        dependentRequired={"args": ["call"], "on": ["call"], "chunk": ["call"]},
    )
    flow_common = {
        "doc": DOC,
        "inputs": _nullable(_map(_ref("FlowInput"), description="Parameters (inferred from use when omitted).")),
        "steps": {"type": "array", "minItems": 1, "items": _ref("Step")},
        "deprecated": DEPRECATED,
        "returns": {"const": "task", "description": "The function answers a task of the result (Elixir `{:ok, Task}`)."},
        "overloads": _str(
            "Another method of the flow's client that the flow is also another arity of, in Elixir "
            "(`<method>/<1 + required inputs>`; Python and TypeScript keep the flow's own name).",
            pattern=IDENT,
        ),
    }
    d["Flow"] = _obj(
        {"client": _str("The client the flow is a method of."), **flow_common},
        required=("client", "steps"),
        description="A composite client method: steps chained with bindings.",
    )
    d["InlineFlow"] = _obj(
        {"name": _str("The flow's (method's) name.", pattern=IDENT), **flow_common},
        required=("steps",),
        description="A flow declared inside its client.",
    )
    method_long = _obj(
        {
            "endpoint": _str("Endpoint id.", pattern=ENDPOINT_ID),
            "flow": _str("Flow name."),
            "doc": DOC,
            "returns": {"const": "value", "description": "A flow method answering the result where the flow answers a task."},
        },
        oneOf=[{"required": ["endpoint"]}, {"required": ["flow"]}],
        dependentRequired={"returns": ["flow"]},
    )
    d["Client"] = _obj(
        {
            "module": _str("Module name (e.g. the Elixir module `Tinkex.TrainingClient`); other targets derive from its last segment."),
            "doc": DOC,
            "resource": _one_or_many({"type": "string"}, "Endpoint groups whose every endpoint becomes a method."),
            "state": _nullable(
                _map(
                    {
                        "anyOf": [
                            _ref("TypeExpr"),
                            _obj(
                                {
                                    "type": _ref("TypeExpr"),
                                    "counter": {"type": "boolean", "description": "Each read yields the next value."},
                                    "start": {
                                        "type": "integer",
                                        "minimum": 0,
                                        "description": "A counter's first value (default 0); only with `counter: true`.",
                                    },
                                    "ordered": {
                                        "type": "boolean",
                                        "description": "Requests carrying this counter are sent in counter order, one at a time "
                                        "until the server answered the previous one; their futures are polled concurrently.",
                                    },
                                    "doc": DOC,
                                },
                                required=("type",),
                            ),
                        ]
                    },
                    keys=IDENT,
                    description="Client state, readable as `${state.x}`.",
                )
            ),
            "methods": _nullable(
                _map(
                    {"anyOf": [{"type": "string"}, method_long]},
                    keys=IDENT,
                    description="Method name → endpoint id, or `{endpoint|flow, doc}`.",
                )
            ),
            "aliases": _nullable(
                _map(
                    {
                        "anyOf": [
                            _str("`<client>.<method>`: another client's method."),
                            _obj({"method": _str("`<client>.<method>`: another client's method."), "doc": DOC}, required=("method",)),
                        ]
                    },
                    keys="^[a-z_][a-z0-9_]*$",
                    description="Functions of this client's module that are another client's methods (their first argument "
                    "is that client): Tinkex's `SamplingClient.create_async(service, opts)`.",
                )
            ),
            "chunkers": _nullable(
                _map(
                    _obj(
                        {
                            "flow": _str("A flow with one chunked step (`forward_backward`)."),
                            "module": _str(
                                "The Elixir module under the client's that holds the function (`DataProcessor`); other "
                                "SDKs: a static function of the client class.",
                                pattern="^[A-Z][A-Za-z0-9_]*$",
                            ),
                            "doc": DOC,
                        },
                        required=("flow",),
                    ),
                    keys="^[a-z_][a-z0-9_]*$",
                    description="Public functions splitting a list as a flow's chunked step does: Tinkex's "
                    "`TrainingClient.DataProcessor.chunk_data/1`.",
                )
            ),
            "flows": {
                "description": "Inline flows: a list (each with `name`) or a mapping by name.",
                "anyOf": [
                    {"type": "array", "items": {"allOf": [_ref("InlineFlow"), {"required": ["name"]}]}},
                    _map(_ref("InlineFlow"), keys=IDENT),
                    {"type": "null"},
                ],
            },
        },
        description="A client of the SDK and its methods.",
    )
    d.update(feature_schemas())
    d["Feature"] = _feature_instance()
    return d


_SECTION_DOCS = {
    "schema_version": "Version of the manifest language.",
    "imports": "Further manifest files (types, features, endpoints, flows, clients), relative to this file.",
    "service": "The HTTP service (root manifest only).",
    "targets": "Per-backend options, e.g. `python: {package: my_sdk}` (root manifest only).",
    "clients": "Clients of the SDK, keyed by identifier.",
    "features": "Feature instances, keyed by name; attached to endpoints or to the service.",
    "endpoints": "Endpoints, keyed `group.name`.",
    "flows": "Top-level flows (each names its `client`).",
    "types": "Type declarations, keyed by name.",
}


def _target_options() -> Schema:
    """One backend's options. Which options a backend takes is its own (checked by the lowering
    against what it declares); the shape of `extensions`, common to the SDK backends, is given here."""
    function = _str("A delegated function as `name/arity` (`from_text/2`).", pattern=r"^[^/\s]+/[0-9]{1,3}$")
    extension = _obj(
        {
            "module": _str(
                "The hand-written module the record's generated module delegates to (Elixir `TinkexExt.ModelInput`, "
                "Python `tinker_sdk.model_input_ext`, TypeScript `./ext/model_input` under `src/`)."
            ),
            "functions": {"type": "array", "items": function, "description": "The delegated functions."},
        },
        required=("module", "functions"),
    )
    return {
        "type": "object",
        "properties": {
            "extensions": _map(
                extension,
                keys=TYPE_ID,
                description="Record name → hand-written module: the record's generated module delegates the listed functions to it.",
            ),
            "typespecs": _map(
                {"type": "array", "items": _str("A declared type.", pattern=TYPE_ID), "minItems": 1},
                keys="^[A-Z][A-Za-z0-9_]*$",
                description="Elixir only: module name → types; a module of typespecs in the types' namespace, one snake-cased "
                "`@type` per listed type (`Types.TypeAliases`: `@type loss_fn_inputs :: LossFnInputs.t()`).",
            ),
        },
    }


def _root_properties() -> dict[str, Schema]:
    sections: dict[str, Schema] = {
        "schema_version": {"enum": list(SUPPORTED_SCHEMA_VERSIONS)},
        "imports": _one_or_many({"type": "string", "minLength": 1}, ""),
        "service": _ref("Service"),
        "targets": _nullable(_map(_target_options(), description="")),
        "clients": _nullable(_map(_ref("Client"), keys=IDENT)),
        "features": _nullable(_map(_ref("Feature"))),
        "endpoints": _nullable(_map(_ref("Endpoint"), keys=ENDPOINT_ID)),
        "flows": _nullable(_map(_ref("Flow"), keys=IDENT)),
        "types": _nullable(_map(_ref("TypeDecl"), keys=TYPE_ID)),
    }
    assert tuple(sections) == ROOT_KEYS and set(IMPORTED_KEYS) <= set(ROOT_KEYS)
    return {key: {"description": _SECTION_DOCS[key], **s} for key, s in sections.items()}


def manifest_schema() -> Schema:
    """The schema as a JSON-ready dict (key order is part of the output: `tinkc fmt` follows it)."""
    only_root = sorted(set(ROOT_KEYS) - set(IMPORTED_KEYS))
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "tinkc manifest",
        "description": "An API manifest compiled by tinkc into SDKs (docs/manifest.md). A root manifest has `service`; "
        "a file it imports has neither `service` nor `targets`.",
        "type": "object",
        "properties": _root_properties(),
        "additionalProperties": False,
        "anyOf": [
            {"title": "root manifest", "required": ["schema_version", "service"]},
            {"title": "imported manifest", "not": {"anyOf": [{"required": [k]} for k in only_root]}},
        ],
        "$defs": _definitions(),
    }


def render() -> str:
    """The schema as `tinkc schema` prints it: deterministic, two-space indented JSON."""
    return json.dumps(manifest_schema(), indent=2, ensure_ascii=False) + "\n"
