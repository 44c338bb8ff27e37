"""Every TypeScript identifier of the generated SDK is decided here (never in the emitters).

* Types, their schemas and client classes are PascalCase (a type and its schema share one name:
  TypeScript keeps types and values apart, as `interface Pet` and `const Pet: Schema<Pet>`).
* Methods are camelCase.
* Properties of records, parameters of methods and inputs of flows keep the manifest's names
  (usually snake_case, as on the wire, like the major TypeScript SDKs of HTTP APIs); a name that is
  not an identifier is quoted where it is used as a property.
* Words TypeScript reserves, names of the globals the generated code relies on (`Promise`,
  `Error`, ...), what the generated modules import and the members every client has get a
  trailing `_`.
"""

from __future__ import annotations

import json
import re
import unicodedata

import attrs

from tinkc.backends.base import NamingRules, camel_case, pascal_case

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


@attrs.frozen
class TypeScriptNamingRules(NamingRules):
    """Properties keep their manifest names: any string is a valid property (quoted when it must
    be), so reserved words need no escaping there."""

    def field_name(self, name: str) -> str:
        return name


NAMING = TypeScriptNamingRules(
    type_case="pascal",
    method_case="camel",
    field_case="keep",
    reserved=JS_RESERVED | TS_GLOBALS | GENERATED_NAMES | CLIENT_MEMBERS,
    reserved_suffix="_",
)

_IDENTIFIER = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$]*$")


def _fix_start(name: str, prefix: str) -> str:
    return prefix + name if name[:1].isdigit() else name


def type_name(name: str) -> str:
    """Manifest type names are kept when they are already PascalCase identifiers."""
    candidate = name if _IDENTIFIER.match(name) and name[:1].isupper() else pascal_case(name)
    return NAMING.mangle(_fix_start(candidate or "T", "T"))


def method_name(name: str) -> str:
    return NAMING.mangle(_fix_start(camel_case(name) or "method", "m"))


def variable(name: str) -> str:
    """A local variable of a generated function (a flow's step results)."""
    candidate = _fix_start(camel_case(name) or "v", "v")
    return candidate + "_" if candidate in JS_RESERVED else candidate


# Unicode categories written as escapes in string literals: controls, format characters (bidi
# overrides: a "Trojan source"), the line terminators U+2028/U+2029, surrogates and private use.
INVISIBLE = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs", "Co"})


def _escape_invisible(body: str) -> str:
    return "".join(
        f"\\u{ord(ch):04x}" if unicodedata.category(ch) in INVISIBLE and ord(ch) < 0x10000
        else f"\\u{{{ord(ch):x}}}" if unicodedata.category(ch) in INVISIBLE
        else ch
        for ch in body
    )  # fmt: skip


def string_literal(text: str) -> str:
    """The one way manifest text becomes a TypeScript string literal, as Prettier writes it: double
    quotes, unless the text holds more double quotes than single ones; backslashes, quotes and every
    invisible character escaped (JSON's escapes are valid JavaScript)."""
    body = _escape_invisible(json.dumps(text, ensure_ascii=False)[1:-1])
    if text.count('"') > text.count("'"):
        return "'" + body.replace('\\"', '"').replace("'", "\\'") + "'"
    return f'"{body}"'


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
