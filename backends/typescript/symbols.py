"""The symbol provider of the TypeScript target: every identifier of the generated SDK is decided
here, and where each one is imported from (never in the emitters, never in the templates).

* Types, their schemas and client classes are PascalCase (a type and its schema share one name:
  TypeScript keeps types and values apart, as `interface Pet` and `const Pet: Schema<Pet>`); a
  client class never takes a type's name (it gets a `_`).
* Methods are camelCase; the runtime data of spec.ts are `EP_…` (endpoints) and `FT_…` (features).
* Properties of records, parameters of methods and inputs of flows keep the manifest's names
  (usually snake_case, as on the wire, like the major TypeScript SDKs of HTTP APIs); a name that is
  not an identifier is quoted where it is used as a property.
* Words TypeScript reserves, names of the globals the generated code relies on (`Promise`,
  `Error`, ...), what the generated modules import and the members every client has get a
  trailing `_`.

The naming pass reads the same rules (:data:`NAMING`, the ``Backend.naming`` of the target), so a
manifest whose names collide in TypeScript is a diagnostic before anything is emitted.

Imports are recorded as symbols are used: a writer asks its file's :class:`Imports` for a symbol
(``imports.use(SCHEMA)`` → ``"s"``) and renders the recorder at the end; nothing reads the emitted
text back.

Example::

    >>> names = Symbols.of(plan)
    >>> imports = Imports("src/clients.ts")
    >>> imports.use(names.type_symbol("training.Datum"))
    'Datum'
    >>> imports.render()  # doctest: +SKIP
    ['import { Datum } from "./types.js";']
"""

from __future__ import annotations

import functools
import posixpath
import re
import unicodedata
from json import encoder as _json_encoder
from typing import TYPE_CHECKING

import attrs

from tinkc.backends import symbols as shared
from tinkc.backends.base import INVISIBLE, NamingRules, camel_case, pascal_case
from tinkc.backends.symbols import Symbol, SymbolProvider
from tinkc.ir import nodes as ir

if TYPE_CHECKING:  # `tinkc check` loads this module for the naming rules only, and needs no plan
    from tinkc.sdk import SdkPlan

# ECMAScript reserved words, strict-mode and TypeScript contextual keywords that cannot name a
# declaration, and the literals.
JS_RESERVED = frozenset(
    """
    break case catch class const continue debugger default delete do else enum export extends false
    finally for function if import in instanceof new null return super switch this throw true try
    typeof var void while with implements interface let package private protected public static
    yield await arguments eval undefined NaN Infinity
    """.split()
)

# Globals the generated modules (and the conformance driver) use: a declared type must not shadow them.
TS_GLOBALS = frozenset(
    """
    Promise PromiseLike Error Record Array ReadonlyArray Date Object String Number Boolean Symbol
    BigInt JSON Math Map Set Function RegExp Partial Readonly Awaited
    """.split()
)

# What the generated modules import: `s` (the schemas), `rt` (the runtime), `spec`.
GENERATED_NAMES = frozenset({"s", "rt", "spec", "BaseClient", "ClientOptions", "RequestOptions"})

# Members of every client (from BaseClient) and of every object: a method must not replace them.
CLIENT_MEMBERS = frozenset(
    """
    constructor close logEvent baseUrl toString valueOf toJSON hasOwnProperty isPrototypeOf
    propertyIsEnumerable toLocaleString __proto__ __defineGetter__ __defineSetter__
    __lookupGetter__ __lookupSetter__ sdk family state counters owner derive stateOf sessionId
    next reported present call callEmpty callLocation submit awaitFuture callFuture then
    """.split()
)

RESERVED = JS_RESERVED | TS_GLOBALS | GENERATED_NAMES | CLIENT_MEMBERS
_IDENTIFIER = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$]*$")

# The spellings below are memoized (pure functions of the name or text): a TypeScript emit of the
# bundled manifest asks for 2,163 property keys of 506 names, 1,852 string literals of 690 texts,
# 600 method names of 104. Bounded, for a language server that runs for hours.
_MEMO = 4096


def mangle(ident: str) -> str:
    return ident + "_" if ident in RESERVED else ident


def _fix_start(name: str, prefix: str) -> str:
    return prefix + name if name[:1].isdigit() else name


@functools.lru_cache(maxsize=_MEMO)
def type_name(name: str) -> str:
    """A type (and its schema): manifest type names are kept when they are already PascalCase
    identifiers."""
    candidate = name if _IDENTIFIER.match(name) and name[:1].isupper() else pascal_case(name)
    return mangle(_fix_start(candidate or "T", "T"))


@functools.lru_cache(maxsize=_MEMO)
def method_name(name: str) -> str:
    return mangle(_fix_start(camel_case(name) or "method", "m"))


@functools.lru_cache(maxsize=_MEMO)
def variable(name: str) -> str:
    """A local variable of a generated function."""
    candidate = _fix_start(camel_case(name) or "v", "v")
    return candidate + "_" if candidate in JS_RESERVED else candidate


def step_variable(step_id: str) -> str:
    """The variable holding what a flow step answered."""
    return variable(f"s_{step_id}")


@functools.lru_cache(maxsize=_MEMO)
def _const(name: str) -> str:
    return "".join(ch if ch.isalnum() else "_" for ch in name).upper()


def endpoint_const(eid: str) -> str:
    """The spec.ts constant of an endpoint."""
    return f"EP_{_const(eid)}"


def feature_const(fid: str) -> str:
    """The spec.ts constant of a feature instance."""
    return f"FT_{_const(fid)}"


@attrs.frozen
class TypeScriptNamingRules(NamingRules):
    """The naming pass's view of this provider: types and methods spelled as the SDK spells them;
    properties keep their manifest names (any string is a valid property, quoted when it must be),
    so reserved words need no escaping there."""

    def type_name(self, name: str) -> str:
        return type_name(name)

    def method_name(self, name: str) -> str:
        return method_name(name)

    def field_name(self, name: str) -> str:
        return name


NAMING = TypeScriptNamingRules(type_case="pascal", method_case="camel", field_case="keep", reserved=RESERVED, reserved_suffix="_")


# -- literals and properties ------------------------------------------------------------------


def _escape_invisible(body: str) -> str:
    if body.isascii() and body.isprintable():
        return body  # the common case: nothing invisible
    return "".join(
        f"\\u{ord(ch):04x}" if unicodedata.category(ch) in INVISIBLE and ord(ch) < 0x10000
        else f"\\u{{{ord(ch):x}}}" if unicodedata.category(ch) in INVISIBLE
        else ch
        for ch in body
    )  # fmt: skip


@functools.lru_cache(maxsize=_MEMO)
def string_literal(text: str) -> str:
    """The one way manifest text becomes a TypeScript string literal, as Prettier writes it: double
    quotes, unless the text holds more double quotes than single ones; backslashes, quotes and every
    invisible character escaped (JSON's escapes are valid JavaScript)."""
    # json's C string encoder, which json.dumps(text, ensure_ascii=False) ends in: without the
    # encoder object json.dumps builds for a non-default option (1.4 us against 0.15 a call)
    body = _escape_invisible(_json_encoder.encode_basestring(text)[1:-1])
    if text.count('"') > text.count("'"):
        return "'" + body.replace('\\"', '"').replace("'", "\\'") + "'"
    return f'"{body}"'


@functools.lru_cache(maxsize=_MEMO)
def property_key(name: str) -> str:
    """A property of an interface: the name, quoted when it must be."""
    return name if _IDENTIFIER.match(name) else string_literal(name)


def literal_key(name: str) -> str:
    """A key of an object literal; `__proto__` is computed, as a plain key would set the prototype."""
    return '["__proto__"]' if name == "__proto__" else property_key(name)


def property_access(base: str, name: str) -> str:
    """``base.name``, or ``base["name"]`` when the name is not an identifier."""
    return f"{base}.{name}" if _IDENTIFIER.match(name) else f"{base}[{string_literal(name)}]"


def optional_access(base: str, name: str) -> str:
    """``base?.name``, or ``base?.["name"]`` when the name is not an identifier."""
    return f"{base}?.{name}" if _IDENTIFIER.match(name) else f"{base}?.[{string_literal(name)}]"


def package_name(name: str) -> str:
    """An npm package name: lower case, URL-safe (`a-z 0-9 - . _`), a scope (`@scope/name`) kept;
    anything else (a `/` outside the scope, quotes, spaces) becomes `-`."""

    def clean(part: str) -> str:
        return re.sub(r"-{2,}", "-", re.sub(r"[^a-z0-9._-]+", "-", part)).strip("-._")

    lowered = name.lower()
    if lowered.startswith("@") and "/" in lowered:
        scope, _, rest = lowered[1:].partition("/")
        if clean(scope) and clean(rest):
            return f"@{clean(scope)}/{clean(rest)}"
    return clean(lowered) or "sdk"


# -- where symbols come from ------------------------------------------------------------------


SCHEMA = Symbol("s", "src/runtime/schema.js", "namespace")  # the schema combinators
RUNTIME = Symbol("rt", "src/runtime/index.js", "namespace")  # the runtime's spec types
SPEC = Symbol("spec", "src/spec.js", "namespace")  # the manifest as runtime data
TYPES = Symbol("t", "src/types.js", "namespace")  # the types' schemas, where their names may be shadowed
BASE_CLIENT = Symbol("BaseClient", "src/runtime/client.js")
CLIENT_OPTIONS = Symbol("ClientOptions", "src/runtime/client.js", "type")
REQUEST_OPTIONS = Symbol("RequestOptions", "src/runtime/client.js", "type")
PAGER = Symbol("Pager", "src/runtime/pagination.js", "type")
EVENT_STREAM = Symbol("EventStream", "src/runtime/sse.js", "type")  # a streaming call's answer
HEADER_VALUES = Symbol("headerValues", "src/runtime/client.js")
OVERLAY = Symbol("overlay", "src/runtime/client.js")  # a `spread:` input's fields over its record
CHUNKS = Symbol("chunks", "src/runtime/chunks.js", "namespace")  # a `chunkers:` function splits with it
CLEAR_QUEUE_MARKS = Symbol("clearQueueStateDebounce", "src/runtime/futures.js")  # a client's clearQueueStateDebounce
TYPES_MODULE = "src/types.js"
CLIENTS_MODULE = "src/clients.js"


def _specifier(module: str, folder: str) -> str:
    """``module``'s path relative to ``folder`` (both in the package) as an import specifier:
    `./x.js`, `../runtime/x.js`. What posixpath.relpath answers, computed on the two paths' parts:
    relpath makes both absolute first (a getcwd system call each), 65 us a call against 2 us here,
    and an emit asks ~300 times (measured on the bundled manifest)."""
    target = [p for p in posixpath.normpath(module).split("/") if p and p != "."]
    start = [p for p in posixpath.normpath(folder or ".").split("/") if p and p != "."]
    if module.startswith("/") or folder.startswith("/") or ".." in target or ".." in start:
        rel = posixpath.relpath(module, folder or ".")  # not a path in the package: the general rule
    else:
        common = 0
        for a, b in zip(start, target, strict=False):
            if a != b:
                break
            common += 1
        rel = "/".join([".."] * (len(start) - common) + target[common:]) or "."
    return rel if rel.startswith("../") else "./" + rel


class Imports(shared.Imports):
    """The imports of one emitted file, recorded as its writer uses symbols (the shared recorder),
    rendered at the end (in the order of the modules' specifiers, the names of one module sorted).
    A symbol's module is its path in the package (`src/runtime/schema.js`); its kind is a value
    (`import { X }`), a type only (`import { type X }`) or a namespace (`import * as s`). A symbol
    of the file's own module, or one its template imports itself (``provided``), is not recorded."""

    def __init__(self, origin: str, provided: tuple[Symbol, ...] = ()) -> None:
        super().__init__()
        self.origin = origin  # the file's path in the package, `src/clients.ts`
        self.own = origin.rsplit(".", 1)[0] + ".js"
        self.provided = frozenset(provided)  # what the file's template imports itself

    def use(self, symbol: Symbol) -> str:
        """The name under which ``symbol`` is reached in this file (recorded for import)."""
        # (`provided` tested only when there is one, the driver's: a Symbol's hash is attrs' tuple
        # hash, ~2,500 of them an emit otherwise)
        if symbol.module == self.own or (self.provided and symbol in self.provided):
            return symbol.name
        return super().use(symbol)

    def specifier(self, module: str) -> str:
        return _specifier(module, posixpath.dirname(self.origin))

    def statements(self) -> list[tuple[str, list[str], str]]:
        """(``namespace`` | ``names``, the names, the specifier) per import statement, in order."""
        out: list[tuple[str, list[str], str]] = []
        for module, symbols in sorted(self.symbols(), key=lambda item: self.specifier(item[0])):
            spec = self.specifier(module)
            for ns in sorted(s.name for s in symbols if s.kind == "namespace"):
                out.append(("namespace", [ns], spec))
            named = [s for s in symbols if s.kind != "namespace"]
            if named:
                out.append(("names", [f"type {s.name}" if s.kind == "type" else s.name for s in named], spec))
        return out


class Symbols(SymbolProvider):
    """The identifiers of one API's SDK, decided once per build from its plan: the types (and the
    `Unknown…` variants of tagged unions), the client classes, the methods of each client."""

    naming = NAMING

    def __init__(self, plan: SdkPlan) -> None:
        api = plan.api
        self.types = {t: type_name(t) for t in api.types}
        taken = set(self.types.values())
        self.unknown: dict[str, str] = {}  # union id → its Unknown… variant
        for decl in api.types.values():
            if isinstance(decl, ir.Union_) and decl.discriminator:
                name = f"Unknown{type_name(decl.id)}"
                while name in taken:
                    name += "_"
                taken.add(name)
                self.unknown[decl.id] = name
        self.classes: dict[str, str] = {}  # client id → class name; never a declared type's name
        for client in plan.clients.values():
            name = type_name(client.display_name)
            while name in taken or name in self.classes.values():
                name += "_"
            self.classes[client.id] = name

    @classmethod
    def of(cls, plan: SdkPlan) -> Symbols:
        return cls(plan)

    def type(self, tid: str) -> str:
        return self.types.get(tid) or type_name(tid)

    def type_symbol(self, tid: str) -> Symbol:
        """A declared type and its schema (one name), exported by types.ts."""
        return Symbol(self.type(tid), TYPES_MODULE)

    def client_symbol(self, cid: str) -> Symbol:
        return Symbol(self.classes[cid], CLIENTS_MODULE)

    def parse_function(self, tid: str, function: str) -> Symbol:
        """A record's parse function (`parsedCheckpointTinkerPathFromTinkerPath`), exported by
        types.ts beside the type: lower camel case, so never a type's (PascalCase) name."""
        return Symbol(mangle(camel_case(f"{self.type(tid)}_{function}")), TYPES_MODULE)

    @staticmethod
    def namespace(namespace: str) -> str:
        """A types `namespace:` as the index exports it: `telemetry` (`export * as telemetry`)."""
        return mangle(camel_case(namespace))

    method = staticmethod(method_name)
    variable = staticmethod(variable)
    step = staticmethod(step_variable)
    endpoint = staticmethod(endpoint_const)
    feature = staticmethod(feature_const)


def namespace_module(namespace: str) -> str:
    """The module of a types `namespace:` (`types_telemetry`, beside `types.ts`)."""
    return f"types_{namespace}"
