"""The symbol provider of the Elixir target: every identifier of the generated SDK is decided here
(never in the emitters or the templates): modules and where they live (:class:`Layout`), functions,
variables, struct fields, atoms, map keys and string literals. The naming pass checks manifests with
:data:`NAMING`, which spells names with these same functions, so a collision it reports is one the
SDK would have. This module imports no emitter (`tinkc check` loads it).

Elixir's reserved words cannot name a variable or a function called without a module; a few more
names are taken by what every generated module defines (`start_link`, `new`, `decode`, ...), so a
manifest method or field of that name is suffixed instead of silently shadowing it.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Mapping
from typing import Any

import attrs

from tinkc.backends.base import ASCII_CONTROL, INVISIBLE, NamingRules, only_kept_controls, pascal_case, snake_case
from tinkc.ir import nodes as ir

# Modules of Elixir and OTP the generated code calls by their short names: a generated module of
# the same last segment is never aliased (it would shadow them), it is written out in full.
STDLIB = frozenset(
    {
        "Access", "Agent", "Application", "Atom", "Base", "Calendar", "Code", "Date", "DateTime",
        "DynamicSupervisor", "Enum", "Exception", "File", "Float", "Function", "GenServer", "IO", "Inspect",
        "Integer", "Kernel", "Keyword", "List", "Logger", "Map", "MapSet", "Module", "NaiveDateTime", "Node",
        "Path", "Port", "Process", "Protocol", "Range", "Record", "Regex", "Stream", "String", "Supervisor",
        "System", "Task", "Time", "Tuple", "URI", "Version",
    }
)  # fmt: skip

# Reserved words of the language (the parser's keywords and literal atoms).
RESERVED = frozenset({"after", "and", "catch", "do", "else", "end", "false", "fn", "in", "nil", "not", "or", "rescue", "true", "when"})

# Functions every generated client module defines itself; a manifest method of one of these names
# (and arity) would clash, so it gets the reserved suffix.
CLIENT_FUNCTIONS = frozenset(
    {"start_link", "child_spec", "init", "handle_call", "handle_info", "terminate", "new", "stop", "close", "module_info"}
)

# Functions every generated type module defines; a manifest field name never becomes a function, so
# this only guards generated helper names.
TYPE_FUNCTIONS = frozenset({"new", "decode", "from_json", "from_map", "to_json", "to_map", "__schema__", "values", "parse"})

# Kernel functions a generated client module must not redefine: calling a local function of the same
# name and arity as an import is a compile error in Elixir.
KERNEL_CLASHES = frozenset(
    {
        "apply", "binding", "exit", "get_in", "inspect", "max", "min", "node", "put_in", "raise", "reraise", "self",
        "send", "spawn", "spawn_link", "spawn_monitor", "struct", "tap", "then", "throw", "update_in",
    }
)  # fmt: skip

# Keys every struct has already (a field of that name would redefine it).
STRUCT_KEYS = frozenset({"__struct__"})

# Kernel macros and special forms: a local call `def(client, opts)` would expand the macro instead
# of calling the generated function, whatever the arity.
KERNEL_MACROS = frozenset(
    {
        "def", "defp", "defmacro", "defmacrop", "defmodule", "defstruct", "defexception", "defprotocol", "defimpl",
        "defdelegate", "defguard", "defguardp", "defoverridable", "import", "alias", "require", "use", "quote",
        "unquote", "unquote_splicing", "if", "unless", "case", "cond", "for", "with", "try", "receive", "super",
        "sigil_r", "sigil_s", "sigil_w", "sigil_c", "sigil_D", "sigil_T", "destructure", "match?", "is_nil", "to_string",
        "to_charlist", "__MODULE__", "__DIR__", "__ENV__", "__CALLER__", "__STACKTRACE__",
    }
)  # fmt: skip

RESERVED_SUFFIX = "_"

# The spellings below are memoized (pure functions of the text): an Elixir emit of the bundled
# manifest spells 2,948 strings of 737 texts, 1,539 keys of 345, 1,430 atoms of 381, 1,389 module
# segments of 194, 1,168 fields of 248. Bounded, for a language server that runs for hours.
_MEMO = 4096

_IDENT = re.compile(r"^[a-z_][a-zA-Z0-9_]*[?!]?$")
_ALIAS = re.compile(r"^[A-Z][a-zA-Z0-9_]*$")


@functools.lru_cache(maxsize=_MEMO)
def module_segment(name: str) -> str:
    """One segment of a module name (`CreateModelRequest`, `ModelID`): kept when it already is an
    Elixir alias, otherwise Pascal-cased."""
    candidate = name if _ALIAS.match(name) else pascal_case(name)
    if not candidate or not candidate[0].isalpha():
        candidate = "T" + candidate
    return candidate


def module_name(dotted: str) -> str:
    """A full module name from a dotted manifest name (`Tinkex.Types` stays `Tinkex.Types`)."""
    return ".".join(module_segment(part) for part in dotted.split(".") if part)


@functools.lru_cache(maxsize=_MEMO)
def function_name(name: str) -> str:
    candidate = name if _IDENT.match(name) and name == name.lower() else snake_case(name)
    if not candidate or candidate[0].isdigit():
        candidate = "f_" + candidate
    if candidate in RESERVED or candidate in CLIENT_FUNCTIONS or candidate in KERNEL_CLASHES or candidate in KERNEL_MACROS:
        candidate += RESERVED_SUFFIX
    return candidate


# Built-in types of Elixir and Erlang: a typespec of one of these names cannot be defined.
BUILTIN_TYPES = frozenset(
    {
        "any", "arity", "as_boolean", "atom", "binary", "bitstring", "boolean", "byte", "char", "charlist", "float",
        "fun", "function", "identifier", "integer", "iodata", "iolist", "keyword", "list", "map", "mfa", "module",
        "neg_integer", "nil", "no_return", "node", "non_neg_integer", "none", "nonempty_charlist", "nonempty_list",
        "number", "pid", "port", "pos_integer", "reference", "struct", "term", "timeout", "tuple", "string",
        "nonempty_string", "maybe_improper_list", "nonempty_maybe_improper_list", "dynamic",
    }
)  # fmt: skip


def typespec_name(name: str) -> str:
    """A typespec's name (`model_input_chunk` for `ModelInputChunk`): snake-case, suffixed when a
    built-in type or a reserved word has it."""
    candidate = snake_case(name) or "t_"
    if candidate[0].isdigit():
        candidate = "t_" + candidate
    return candidate + RESERVED_SUFFIX if candidate in BUILTIN_TYPES or candidate in RESERVED else candidate


@functools.lru_cache(maxsize=_MEMO)
def variable_name(name: str) -> str:
    candidate = name if _IDENT.match(name) and name == name.lower() else snake_case(name)
    if not candidate or candidate[0].isdigit():
        candidate = "v_" + candidate
    return candidate + RESERVED_SUFFIX if candidate in RESERVED else candidate


@functools.lru_cache(maxsize=_MEMO)
def field_name(name: str) -> str:
    """A struct field (an atom): snake-case, as Elixir structs spell keys."""
    candidate = name if _IDENT.match(name) and name == name.lower() else snake_case(name)
    if not candidate:
        candidate = "field"
    if candidate[0].isdigit():
        candidate = "f_" + candidate
    if candidate in STRUCT_KEYS:
        candidate += RESERVED_SUFFIX
    return candidate


# A plain identifier an atom or a key is written bare as (compiled once: the module-level re.match
# looked its pattern up in re's cache on each of ~3,000 calls an emit).
_BARE = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_@]*[?!]?$")


@functools.lru_cache(maxsize=_MEMO)
def atom(value: str) -> str:
    """An atom literal: `:active`, or quoted when the text is not a plain identifier (`:"paused-x"`);
    `nil`, `true` and `false` are atoms already, written bare as the formatter writes them."""
    if value in ("nil", "true", "false"):
        return value
    if _BARE.match(value):
        return ":" + value
    return ":" + string(value)


# The longest atom the BEAM makes (in characters): a longer literal is a compile error.
MAX_ATOM = 255


def enum_member(value: str) -> str:
    """The Elixir term of a known enum value: its atom, or, past the atom limit, its wire text (what
    the SDK keeps an enum value it cannot name as: the runtime treats both alike)."""
    return atom(value) if len(value) <= MAX_ATOM else string(value)


@functools.lru_cache(maxsize=_MEMO)
def key(value: str) -> str:
    """A keyword-list or struct key: `rank:` or `"x-y":`."""
    if _BARE.match(value):
        return value + ":"
    return string(value) + ":"


# The invisible characters (tinkc.backends.base.INVISIBLE) are written as `\u{...}` escapes
# (Elixir rejects raw bidirectional overrides in source).
SHORT_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def escape_text(value: str, keep: str = "") -> str:
    """The escaping of every Elixir string and heredoc: backslashes doubled, `#{` escaped so
    nothing interpolates, invisible characters (but those in ``keep``) as escapes. Quotes are the
    caller's (they differ between a string and a heredoc)."""
    if value.isascii():
        # the common case at string speed: in ASCII only the controls are invisible (docs hold
        # newlines, kept in a heredoc and escaped in a string)
        text = value.replace("\\", "\\\\")
        if not text.isprintable() and not only_kept_controls(text, keep):
            text = ASCII_CONTROL.sub(lambda m: _escape_control(m.group(), keep), text)
        return text.replace("#{", "\\#{")
    out = []
    for ch in value:
        if ch == "\\":
            out.append("\\\\")
        elif ch in keep or unicodedata.category(ch) not in INVISIBLE:
            out.append(ch)
        else:
            out.append(SHORT_ESCAPES.get(ch) or f"\\u{{{ord(ch):x}}}")
    return "".join(out).replace("#{", "\\#{")


def _escape_control(ch: str, keep: str) -> str:
    return ch if ch in keep else SHORT_ESCAPES.get(ch) or f"\\u{{{ord(ch):x}}}"


@functools.lru_cache(maxsize=_MEMO)
def string(value: str) -> str:
    """The one way manifest text becomes an Elixir string literal: double-quoted, escaped so that
    nothing interpolates or ends it."""
    return '"' + string_body(value) + '"'


def string_body(value: str) -> str:
    """The inside of a string literal (a piece of an interpolated string)."""
    return escape_text(value).replace('"', '\\"')


def app_name(name: str) -> str:
    """The OTP application (an atom without the colon): snake-case."""
    return snake_case(name) or "sdk"


class ElixirNaming(NamingRules):
    """The naming pass's view of this provider: a method or a field is spelled as the SDK spells
    it; a type by the Pascal-cased name whose snake-cased file it lives in (two types that differ
    only in casing would share a file)."""

    def method_name(self, name: str) -> str:
        return function_name(name)

    def field_name(self, name: str) -> str:
        return field_name(name)


NAMING = ElixirNaming(type_case="pascal", method_case="snake", field_case="snake", reserved=RESERVED, reserved_suffix=RESERVED_SUFFIX)


@attrs.frozen
class Layout:
    """Where each generated module lives and what it is called: the application, the root
    namespace and the types' (`targets.elixir`: `app`, `namespace`, `types_namespace`, with
    defaults derived from the service name)."""

    app: str  # the OTP application, e.g. "tinkex"
    namespace: str  # e.g. "Tinkex"
    types_namespace: str  # e.g. "Tinkex.Types"
    version: str
    # type id -> its `namespace:` (`telemetry`), for the types that have one
    type_namespaces: Mapping[str, str] = attrs.field(factory=dict, eq=False)

    @classmethod
    def of(cls, api: ir.Api, options: Mapping[str, Any]) -> Layout:
        namespace = module_name(str(options.get("namespace") or module_segment(api.service.name)))
        types = module_name(str(options.get("types_namespace") or f"{namespace}.Types"))
        app = app_name(str(options.get("app") or api.service.name))
        namespaces = {t.id: t.namespace for t in api.types.values() if t.namespace}
        return cls(
            app=app, namespace=namespace, types_namespace=types, version=sdk_version(api.service.version), type_namespaces=namespaces
        )

    def runtime(self, name: str) -> str:
        """A runtime module: `Runtime.Client` -> `Tinkex.Runtime.Client`."""
        return f"{self.namespace}.{name}"

    def type_module(self, type_id: str) -> str:
        """`Tinkex.Types.CreateModelRequest`; a type with `namespace: telemetry` lives one level
        down, `Tinkex.Types.Telemetry.EventType` (in `lib/tinkex/types/telemetry/`)."""
        namespace = self.type_namespaces.get(type_id)
        if namespace:
            return f"{self.types_namespace}.{module_segment(namespace)}.{module_segment(type_id)}"
        return f"{self.types_namespace}.{module_segment(type_id)}"

    def client_module(self, client: ir.Client | Any) -> str:
        """The module of a client (an IR client or its plan: both have `id` and `module`)."""
        if client.module:
            return module_name(client.module)
        return f"{self.namespace}.{module_segment(client.id)}Client"

    @staticmethod
    def path(module: str) -> str:
        """`lib/tinkex/types/create_model_request.ex` for `Tinkex.Types.CreateModelRequest`."""
        return "lib/" + "/".join(snake_case(part) for part in module.split(".")) + ".ex"


def sdk_version(version: str) -> str:
    """The service version as a Mix version (Mix wants SemVer: `0.38` becomes `0.38.0`)."""
    if re.match(r"^\d+\.\d+\.\d+([-+].*)?$", version):
        return version
    parts = re.findall(r"\d+", version)[:3]
    return ".".join((parts + ["0", "0", "0"])[:3])
