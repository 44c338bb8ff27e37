"""TypeScript constructs on the shared layout engine (:mod:`tinkc.backends.layout`), laid out as
Prettier lays them out.

Example::

    >>> pretty(call("f", ["a", "b"]))
    'f(a, b)'
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

from tinkc.backends.base import INVISIBLE, only_kept_controls
from tinkc.backends.layout import (
    HARDLINE,
    LINE,
    SOFTLINE,
    WIDTH,
    Choice,
    Doc,
    Group,
    IfBreak,
    Indent,
    Line,
    group,
    join,
    pretty,
    pretty_blocks,
    text_width,
)

__all__ = [
    "HARDLINE",
    "LINE",
    "SOFTLINE",
    "WIDTH",
    "Choice",
    "Doc",
    "Group",
    "IfBreak",
    "Indent",
    "Line",
    "group",
    "join",
    "pretty",
    "pretty_blocks",
    "text_width",
]


# -- TypeScript constructs --------------------------------------------------------------------

# Pieces every call, object and array holds, made once and shared (as LINE is): a document is never
# changed once built, and the printer answers these the same wherever they are. Building them for
# each construct was a fifth of building a call (~1,400 calls an emit of the bundled manifest).
_COMMA_LINE: list[Doc] = [",", LINE]
_TRAILING_COMMA = IfBreak(",")


def block(lines: Sequence[Doc]) -> list[Doc]:
    """``{`` statements ``}``: each statement on its own line."""
    if not lines:
        return ["{}"]
    return ["{", Indent([HARDLINE, *join(HARDLINE, lines)]), HARDLINE, "}"]


def _expanded(doc: Doc) -> Doc | None:
    """``doc`` with its object or array literal broken, when it is one (or an arrow function
    returning one): the last argument a call may hug, ``f(a, {`` … ``})``."""
    if isinstance(doc, Group) and isinstance(doc.contents, list) and doc.contents and doc.contents[0] in ("{", "["):
        return Group(doc.contents, broken=True)
    if isinstance(doc, list) and len(doc) >= 2 and isinstance(doc[0], str) and doc[0].endswith(("=> (", "=> ")):
        inner = _expanded(doc[1])
        return None if inner is None else [doc[0], inner, *doc[2:]]
    return None


def call(callee: Doc, args: Sequence[Doc]) -> Doc:
    """``callee(a, b)``: on one line; else hugging a last object, array or arrow argument; else one
    argument a line (Prettier's choices)."""
    if not args:
        return [callee, "()"]
    spread = Group([callee, "(", Indent([SOFTLINE, *join(_COMMA_LINE, args)]), _TRAILING_COMMA, SOFTLINE, ")"])
    if type(args[-1]) is str:  # text is no object, array or arrow to hug (most calls' last argument)
        return spread
    last = _expanded(args[-1])
    if last is None or (len(args) > 1 and _expanded(args[-2]) is not None):
        return spread
    flat = [callee, "(", *join(", ", args), ")"]
    hug = [callee, "(", *join(", ", [*args[:-1], last]), ")"]
    return Choice((flat, hug, spread))


def obj(items: Sequence[Doc], broken: bool = False) -> Doc:
    """An object literal of ``key: value`` items."""
    if not items:
        return "{}"
    return Group(["{", Indent([LINE, *join(_COMMA_LINE, items)]), _TRAILING_COMMA, LINE, "}"], broken)


def array(items: Sequence[Doc], matrix: bool = False) -> Doc:
    """An array literal. ``matrix``: its items are arrays (or objects) of more than one item, which
    Prettier always lays out one a line when there are several."""
    if not items:
        return "[]"
    broken = matrix and len(items) > 1
    return Group(["[", Indent([SOFTLINE, *join(_COMMA_LINE, items)]), _TRAILING_COMMA, SOFTLINE, "]"], broken)


def type_literal(members: Sequence[Doc]) -> Doc:
    """``{ a: string; b?: number }``, broken one member a line."""
    if not members:
        return "{}"
    return group("{", Indent([LINE, *join([IfBreak(";", ";"), LINE], members)]), IfBreak(";"), LINE, "}")


def union(members: Sequence[Doc]) -> Doc:
    """``A | B``, broken ``| A`` one member a line."""
    if len(members) == 1:
        return members[0]
    return group(IfBreak(["|", " "]), *join([LINE, "| "], members))


def comment_text(text: str) -> str:
    """Manifest text made safe inside a `/* */` comment: `*/` cannot end it, and every invisible
    character (but the newline) is shown as a `\\u{...}` escape instead of hiding in the source."""
    import unicodedata

    if text.isascii() and only_kept_controls(text, "\n"):
        return text.replace("*/", "*\\/")  # the common case: nothing invisible to show
    shown = "".join(ch if ch == "\n" or unicodedata.category(ch) not in INVISIBLE else f"\\u{{{ord(ch):x}}}" for ch in text)
    return shown.replace("*/", "*\\/")


def comment_lines(text: str | None) -> list[str]:
    """The lines of a JSDoc comment for a declaration (``/** text */`` when it is one line), or none."""
    if not text or not text.strip():
        return []
    return list(_comment_lines(text))


# Memoized (a pure function of the text): the same docs are commented in the types, the clients
# and the api modules, 1,034 comments of 586 texts a TypeScript emit of the bundled manifest.
# Bounded, for a language server that runs for hours.
@functools.lru_cache(maxsize=4096)
def _comment_lines(text: str) -> tuple[str, ...]:
    lines = comment_text(text.strip().replace("\r\n", "\n").replace("\r", "\n")).split("\n")
    if len(lines) == 1:
        return (f"/** {lines[0]} */",)
    return ("/**", *(f" * {line}".rstrip() for line in lines), " */")


def comment_block(text: str | None) -> list[Doc]:
    """A JSDoc comment (with hard line breaks) for a declaration, or nothing."""
    out: list[Doc] = []
    for line in comment_lines(text):
        out.extend([line, HARDLINE])
    return out


def import_names(names: Sequence[str], module: str, keyword: str = "import") -> Doc:
    """``import { A, B } from "module";``, broken one name a line."""
    return group(f"{keyword} {{", Indent([LINE, *join([",", LINE], names)]), IfBreak(","), LINE, f'}} from "{module}";')


def imports_doc(statements: Sequence[tuple[str, Sequence[str], str]]) -> Doc:
    """The import statements of a file (see :meth:`symbols.Imports.statements`), one a line."""
    return join(
        HARDLINE,
        [
            f'import * as {names[0]} from "{spec}";' if kind == "namespace" else import_names(names, spec)
            for kind, names, spec in statements
        ],
    )


def export_names(names: Sequence[str], module: str) -> Doc:
    """``export { A, B } from "module";``"""
    return import_names(names, module, "export")


def signature(head: str, params: Sequence[tuple[str, Doc, str | None]], tail: str) -> Doc:
    """``head(name: type = default, ...)tail``. A lone parameter typed by an object type literal
    (and without a default) hugs the parentheses, ``f(params: {`` … ``})``; otherwise the parameters
    break one a line (Prettier's choices)."""
    if not params:
        return f"{head}(){tail}"
    typed = [[f"{name}: ", type_, f" = {default}" if default else ""] for name, type_, default in params]
    lone = params[0][1] if len(params) == 1 and params[0][2] is None else None
    if isinstance(lone, Group) and isinstance(lone.contents, list) and lone.contents[:1] == ["{"]:
        return group(f"{head}(", typed[0], ")", tail)
    return group(f"{head}(", Indent([SOFTLINE, *join([",", LINE], typed)]), IfBreak(","), SOFTLINE, ")", tail)


def json_doc(value: object) -> Doc:
    """JSON as Prettier lays it out: objects one member a line, arrays on one line when they fit, no
    trailing commas."""
    import json

    if isinstance(value, dict) and value:
        items = [[json.dumps(k, ensure_ascii=False), ": ", json_doc(v)] for k, v in value.items()]
        return group("{", Indent([LINE, *join([",", LINE], items)]), LINE, "}", broken=True)
    if isinstance(value, list) and value:
        return group("[", Indent([SOFTLINE, *join([",", LINE], [json_doc(v) for v in value])]), SOFTLINE, "]")
    return json.dumps(value, ensure_ascii=False)


def assign(lhs: Doc, rhs: Doc) -> Doc:
    """``lhs = rhs``, the right-hand side on the next line (indented) only when not even its first
    line fits after the ``=`` (Prettier's "fluid" assignment layout)."""
    same_line = [lhs, " = ", rhs]
    return Choice((same_line, same_line, Group([lhs, " =", Indent([LINE, rhs])], broken=True)))


def call_with_arrow(callee: Doc, args: Sequence[Doc], body: Doc) -> Doc:
    """``callee(a, () => body)``: on one line when it all fits, else broken after the arrow with the
    body on its own indented line (what Prettier does with a last arrow argument that returns a call)."""
    head: list[Doc] = [callee, "("]
    if args:
        head += [join(", ", args), ", "]
    flat = [*head, "() => ", body, ")"]
    broken = [*head, "() =>", Indent([LINE, body, ","]), LINE, ")"]
    return group(IfBreak(broken, flat))
