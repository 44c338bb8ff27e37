"""The Python symbol provider: every identifier of the generated SDK, and where each is imported from.

The naming pass (through :data:`NAMING`, the backend's :class:`NamingRules`) and the emitters ask
the same functions, so a name the pass checked for collisions is the name the SDK uses. Nothing
here imports an emitter: ``tinkc check`` loads this module and no more.

The provider is :class:`PythonSymbols` (a :class:`~tinkc.backends.symbols.SymbolProvider`): one
per emitted SDK (the client classes depend on the API's types); the spellings that depend on nothing
but a name are also module functions (``type_name``, ``field_name``...), bound to one provider.

A file's imports are recorded while it is written: :meth:`Imports.use` (the shared recorder) takes
a :class:`Symbol` and returns the name to write; :meth:`Imports.lines` renders the import block at
the end (grouped and sorted as ruff's isort wants). No emitted text is searched for the names it uses.

Example::

    >>> imports = Imports()
    >>> imports.use(lib("Literal")), imports.use(lib("WireModel"))
    ('Literal', 'WireModel')
    >>> imports.lines()
    ['from typing import Literal', '', 'from ._runtime import WireModel']
"""

from __future__ import annotations

import functools
import keyword
import re
from collections.abc import Iterable

from tinkc.backends import symbols as shared
from tinkc.backends.base import NamingRules, pascal_case, snake_case
from tinkc.backends.symbols import Symbol, SymbolProvider
from tinkc.ir import nodes as ir

# -- where a symbol comes from --------------------------------------------------------------------

# Every name a generated module imports, with its module; modules in the order isort puts them
# (standard library, third party, then the package's own).
SOURCES: dict[str, str] = {
    "asyncio": "",  # `import asyncio`
    "Sequence": "collections.abc",
    "date": "datetime",
    "datetime": "datetime",
    "Annotated": "typing",
    "Any": "typing",
    "import_module": "importlib",  # `targets.python.extensions`: the hand-written module, at call time
    "Literal": "typing",
    "cast": "typing",
    "ClassVar": "typing",
    "TypeAlias": "typing",
    "Base64Bytes": "pydantic",
    "BaseModel": "pydantic",
    "ConfigDict": "pydantic",
    "Discriminator": "pydantic",
    "Field": "pydantic",
    "Tag": "pydantic",
    "TypeAdapter": "pydantic",
    "deprecated": "typing_extensions",  # PEP 702 (`warnings.deprecated` from Python 3.13 only)
    "AsyncBaseClient": "._client",
    "BaseClient": "._client",
    "SDK": "._client",
    "present": "._client",
    "overlay": "._client",
    "request_body": "._client",
    "IGNORED": "._client",
    "astateless": "._api",
    "araw": "._api",
    "params": "._api",
    "raw": "._api",
    "raw_stream": "._api",
    "araw_stream": "._api",
    "record_request": "._api",
    "stateless": "._api",
    "Mapping": "collections.abc",
    "ServiceSettings": "._config",
    "APIFuture": "._futures",
    "AuthScheme": "._auth",
    "Exchange": "._auth",
    "ConfigOption": "._config",
    "Profile": "._config",
    "Futures": "._futures",
    "Backpressure": "._http",
    "Endpoint": "._http",
    "RetryHandler": "._http",
    "QueueLog": "._http",
    "RetryPolicy": "._retry",
    "RequestOptions": "._options",
    "AsyncPager": "._pagination",
    "Pager": "._pagination",
    "Paging": "._pagination",
    "EventStream": "._sse",
    "AsyncEventStream": "._sse",
    "UNKNOWN_TAG": "._runtime",
    "OpenEnum": "._runtime",
    "WireModel": "._runtime",
    "discriminate": "._runtime",
    "best_fit": "._runtime",
    "parse_template": "._runtime",
    "construct": "._runtime",
    "project": "._runtime",
    "evaluate": "._runtime",
    "push": "._runtime",
    "to_wire": "._runtime",
    "delegate": "._runtime",
    "Chunking": "._chunks",
    "clear_queue_state_debounce": "._futures",
    "Session": "._session",
    "ServerConfig": "._http",
    "EventKind": "._telemetry",
    "TelemetrySpec": "._telemetry",
}
LINE_LENGTH = 120  # the generated pyproject.toml's ruff line-length: a longer import is one name a line
STDLIB = frozenset({"", "collections.abc", "datetime", "importlib", "typing"})
THIRD_PARTY = frozenset({"pydantic", "typing_extensions"})
SPEC_MODULE = "._spec"  # the endpoint and feature constants, SERVICE
TYPES_MODULE = ".types"  # the declared types


def _group(module: str) -> int:
    return 0 if module in STDLIB else 1 if module in THIRD_PARTY else 2


@functools.cache
def lib(name: str) -> Symbol:
    """A name of the standard library, pydantic or the SDK's runtime modules, from its known source."""
    return Symbol(name, SOURCES[name])


class Imports(shared.Imports):
    """The imports of one emitted file, recorded as its writer uses symbols (the shared recorder);
    rendered as Python import lines."""

    def __init__(self, exploded: Iterable[str] = (), own: str | None = None, nested: bool = False) -> None:
        super().__init__()
        self._own = own  # the module being written: its own names are not imported
        # a module of a subpackage (`api/models.py`): the package's own modules are one level up
        self._nested = nested
        # modules whose import is written one name a line (a trailing comma keeps ruff from joining it)
        self._exploded = frozenset(exploded)

    def use(self, symbol: Symbol) -> str:
        module = symbol.module
        if module is not None and module != self._own:  # the shared recorder's use(), inlined (~3,100 calls an emit)
            names = self._used.get(module)
            if names is None:
                names = self._used[module] = {}
            names[symbol.name] = symbol
        return symbol.name

    def lines(self) -> list[str]:
        """The import block: `import x` and `from m import ...` by group, a blank line between groups."""
        out: list[str] = []
        last = -1
        for module, names in sorted(self.by_module(), key=lambda mn: (_group(mn[0]), mn[0].startswith("."), mn[0].lstrip("."))):
            group = _group(module)
            if last != -1 and group != last:
                out.append("")
            last = group
            names = sorted(names, key=_isort_key)
            exploded = module in self._exploded
            if self._nested and module.startswith("."):
                module = "." + module
            if module == "":
                out.extend(f"import {n}" for n in names)
            elif exploded or len(f"from {module} import {', '.join(names)}") > LINE_LENGTH:
                out += [f"from {module} import (", *(f"    {n}," for n in names), ")"]
            else:
                out.append(f"from {module} import {', '.join(names)}")
        return out


@functools.lru_cache(maxsize=4096)
def _constant(name: str) -> str:
    # memoized: a character at a time, and a Python emit of the bundled manifest asks for 350
    # constants of 103 names (endpoint and feature ids, adapters)
    return "".join(ch if ch.isalnum() else "_" for ch in name).upper()


@functools.lru_cache(maxsize=4096)  # the same names sort in every file that imports them (~960 keys an emit)
def _isort_key(name: str) -> tuple[int, tuple[str | int, ...], tuple[str | int, ...]]:
    # ruff's isort (order-by-type): CONSTANTS, then Classes, then functions; within a kind, names
    # compare case-insensitively first (`OptimizerConfig` before `OptimStepRequest`), in natural
    # order (`V2` before `V10`), then case-sensitively
    kind = 0 if name.isupper() and len(name) > 1 else 1 if name[:1].isupper() else 2
    return kind, _natural(name.lower()), _natural(name)


_DIGITS = re.compile(r"(\d+)")  # compiled once: ~1,000 sort keys an emit


def _natural(text: str) -> tuple[str | int, ...]:
    return tuple(int(part) if part.isdigit() else part for part in _DIGITS.split(text) if part)


# -- reserved words -------------------------------------------------------------------------------

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
# The module-level names the types module imports: a declared type must not shadow them.
TYPES_MODULE_NAMES = frozenset(n for n, m in SOURCES.items() if m in ("datetime", "typing", "pydantic", "._runtime"))
# Builtins that annotations inside a class use: a method of that name would shadow them there.
ANNOTATION_BUILTINS = frozenset({"list", "dict", "set", "tuple", "type", "str", "int", "float", "bool", "bytes", "object"})

NAMING = NamingRules(
    type_case="pascal",
    method_case="snake",
    field_case="snake",
    reserved=PY_RESERVED | PYDANTIC_RESERVED | TYPES_MODULE_NAMES,
    reserved_suffix="_",
)

# -- identifiers ----------------------------------------------------------------------------------

PRIMS = {"string": "str", "int": "int", "float": "float", "bool": "bool", "bytes": "Base64Bytes", "any": "Any",
         "datetime": "datetime", "date": "date"}  # fmt: skip


class PythonSymbols(SymbolProvider):
    """Every identifier of one Python SDK, and the module each symbol is imported from."""

    naming = NAMING

    def __init__(self, api: ir.Api | None = None) -> None:
        self.api = api
        self._classes: dict[str, str] | None = None

    # -- spellings of a manifest name -----------------------------------------------------------

    def type_name(self, name: str) -> str:
        """Manifest type names are kept when they are already Pascal-case identifiers."""
        candidate = name if name.isidentifier() and name[:1].isupper() else pascal_case(name)
        return NAMING.mangle(candidate)

    def method_name(self, name: str) -> str:
        candidate = NAMING.method_name(name)
        return candidate + "_" if candidate in ANNOTATION_BUILTINS else candidate

    def field_name(self, name: str) -> str:
        candidate = name if name.isidentifier() and name == name.lower() else snake_case(name)
        if candidate[:1].isdigit():
            candidate = "f_" + candidate
        return NAMING.mangle(candidate)

    def unknown_class(self, union_id: str) -> str:
        """The fallback model of a discriminated union (a variant this SDK does not know)."""
        return f"Unknown{self.type_name(union_id)}"

    def tag_function(self, union_id: str) -> str:
        return f"_{self.field_name(union_id)}_tag"

    def tag_accessor(self, union_id: str, name: str) -> str:
        """`tag_accessor:` of a union: a module function beside it, `telemetry_event_event_type`
        (a type alias has no methods; the union's name keeps two unions' accessors apart)."""
        return f"{self.field_name(union_id)}_{self.field_name(name)}"

    @staticmethod
    def namespace_module(namespace: str) -> str:
        """The module of a types `namespace:` (`types_telemetry`), beside `types`: it re-exports
        the namespace's types, which stay importable from `types` as tinker's Python SDK has them."""
        return f"types_{namespace}"

    @staticmethod
    def enum_member(value: str) -> str:
        """The member name a value would take on its own (`in-progress` → `IN_PROGRESS`)."""
        candidate = snake_case(value).upper() or "EMPTY"
        if candidate[:1].isdigit():
            candidate = "V_" + candidate
        return candidate + "_" if keyword.iskeyword(candidate.lower()) and candidate.lower() == candidate else candidate

    def enum_members(self, values: Iterable[str]) -> dict[str, str]:
        """Member names for all values of one enum, in declaration order. Values are wire data a user
        cannot rename, and several may spell alike (`"*/"` and `"-->"` have no letters at all), so a
        name already taken gets the lowest free `_2`, `_3`, ... suffix instead of redefining a member."""
        values = list(values)
        taken = {self.enum_member(v) for v in values}
        out: dict[str, str] = {}
        used: set[str] = set()
        for value in values:
            name = self.enum_member(value)
            if name in used:
                n = 2
                while f"{name}_{n}" in used or f"{name}_{n}" in taken:
                    n += 1
                name = f"{name}_{n}"
            used.add(name)
            out[value] = name
        return out

    @staticmethod
    def module_name(name: str) -> str:
        return snake_case(name) or "sdk"

    @staticmethod
    def constant(name: str) -> str:
        return _constant(name)

    def endpoint_const(self, eid: str) -> str:
        return f"EP_{self.constant(eid)}"

    def feature_const(self, fid: str) -> str:
        return f"FT_{self.constant(fid)}"

    def event_const(self, feature_const_name: str, kind: str) -> str:
        return f"{feature_const_name}_{self.constant(kind)}"

    def adapter_name(self, annotation: str) -> str:
        """The module-level TypeAdapter of a response type, named after its annotation."""
        return "_" + self.constant(annotation.replace(" | None", "_or_none")) + "_ADAPTER"

    def step_var(self, step_id: str) -> str:
        return f"s_{self.field_name(step_id)}"

    def body_var(self, step_id: str) -> str:
        return f"body_{self.field_name(step_id)}"

    # -- symbols and where they come from -------------------------------------------------------

    def type_symbol(self, type_id: str) -> Symbol:
        return Symbol(self.type_name(type_id), TYPES_MODULE)

    def endpoint_symbol(self, eid: str) -> Symbol:
        return Symbol(self.endpoint_const(eid), SPEC_MODULE)

    def feature_symbol(self, fid: str) -> Symbol:
        return Symbol(self.feature_const(fid), SPEC_MODULE)

    def spec_symbol(self, name: str) -> Symbol:
        return Symbol(name, SPEC_MODULE)

    # -- client classes (they depend on the API's types) ----------------------------------------

    def client_classes(self) -> dict[str, str]:
        """Client id → class name. The clients module imports the types by name, so a class (or its
        `Async` twin) never takes the name of a declared type: it gets `_` suffixes until it is free."""
        if self._classes is None:
            assert self.api is not None, "client classes are the provider of one API's"
            api = self.api
            types = {self.type_name(t) for t in api.types}
            types |= {self.unknown_class(d.id) for d in api.types.values() if isinstance(d, ir.Union_) and d.discriminator}
            out: dict[str, str] = {}
            for client in api.clients.values():
                name = self.type_name(client.display_name)
                while {name, f"Async{name}"} & types or name in out.values():
                    name += "_"
                out[client.id] = name
            self._classes = out
        return self._classes

    def client_class(self, client_id: str, is_async: bool = False) -> str:
        return ("Async" if is_async else "") + self.client_classes()[client_id]


# The spellings that depend on a name alone, for the writers that hold no provider of their own
# (the most asked are remembered: a large manifest spells each type and field name many times).
SYMBOLS = PythonSymbols()
type_name = functools.lru_cache(maxsize=4096)(SYMBOLS.type_name)
method_name = SYMBOLS.method_name
field_name = functools.lru_cache(maxsize=4096)(SYMBOLS.field_name)
unknown_class = SYMBOLS.unknown_class
tag_function = SYMBOLS.tag_function
tag_accessor = SYMBOLS.tag_accessor
namespace_module = SYMBOLS.namespace_module
enum_members = SYMBOLS.enum_members
module_name = SYMBOLS.module_name
constant = SYMBOLS.constant
endpoint_const = SYMBOLS.endpoint_const
feature_const = SYMBOLS.feature_const
event_const = SYMBOLS.event_const
adapter_name = SYMBOLS.adapter_name
step_var = SYMBOLS.step_var
body_var = SYMBOLS.body_var
type_symbol = functools.lru_cache(maxsize=4096)(SYMBOLS.type_symbol)
endpoint_symbol = functools.lru_cache(maxsize=4096)(SYMBOLS.endpoint_symbol)
feature_symbol = functools.lru_cache(maxsize=4096)(SYMBOLS.feature_symbol)
spec_symbol = SYMBOLS.spec_symbol
