"""The lark grammars of ``grammar/`` and their transformers (one method per rule).

Parsers are built lazily, once per process, with lark's LALR parser (and its grammar cache), because
they run for every type expression and binding of a manifest.

Most texts a manifest holds are short and plain (`Name?`, `"tag"`, `/api/v1/x/{id}`, `500-599`):
each grammar has a small hand-written reader for what it can accept, giving exactly what the lark
parser gives (the differential tests in tests/property/test_grammar_fast_paths.py hold them to
it), and lark parses whatever that reader does not take, including every error, so a diagnostic
always comes from the grammar. lark itself is imported only then: `tinkc check` of a manifest
whose texts are all plain never pays for importing it.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from tinkc.diagnostics import Sink
from tinkc.frontend.limits import MAX_DEPTH, MAX_TYPE_DEPTH, MAX_UNION_MEMBERS, number_too_long
from tinkc.frontend.model import Entry, Mapping, Node, Scalar, Sequence
from tinkc.ir import nodes as ir
from tinkc.ir.span import Span

if TYPE_CHECKING:
    import lark
    from lark import Lark, Token


@functools.cache
def parser(name: str) -> Lark:
    from lark import Lark

    return Lark.open_from_package(
        "tinkc.grammar",
        f"{name}.lark",
        parser="lalr",
        propagate_positions=True,
        maybe_placeholders=False,
        cache=True,
    )


class GrammarError(Exception):
    """A parse failure at ``column`` (0-based offset into the parsed text)."""

    def __init__(self, message: str, column: int, length: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.column = column
        self.length = length


def _describe_token(tok: Token) -> str:
    if tok.type == "$END":
        return "end of input"
    return f"`{tok.value}`"


def _parse(name: str, text: str) -> lark.Tree[Token]:
    import lark

    try:
        return parser(name).parse(text)
    except lark.UnexpectedToken as exc:
        at_end = exc.token.type == "$END"
        col = len(text) if at_end or not isinstance(exc.column, int) or exc.column < 1 else exc.column - 1
        expected = sorted(e for e in exc.expected if not e.startswith("__"))
        readable = [_TERMINAL_NAMES.get(e, e) for e in expected]
        msg = f"unexpected {_describe_token(exc.token)}"
        if readable:
            msg += f"; expected {', '.join(readable[:6])}"
        raise GrammarError(msg, col, max(len(str(exc.token.value)), 1) if exc.token.type != "$END" else 1) from None
    except lark.UnexpectedCharacters as exc:
        pos = exc.pos_in_stream or 0
        raise GrammarError(f"unexpected character `{text[pos]}`", pos) from None
    except lark.UnexpectedEOF:
        raise GrammarError("unexpected end of input", len(text)) from None


_TERMINAL_NAMES = {
    "NAME": "a name",
    "RSQB": "`]`",
    "LSQB": "`[`",
    "RBRACE": "`}`",
    "LBRACE": "`{`",
    "RPAR": "`)`",
    "LPAR": "`(`",
    "COMMA": "`,`",
    "VBAR": "`|`",
    "QMARK": "`?`",
    "DOT": "`.`",
    "ESCAPED_STRING": "a string literal",
    "SIGNED_INT": "an integer",
    "CODE": "a status code",
    "MINUS": "`-`",
    "INDEX": "an index",
    "MAP": "`map`",
    "RAW": "`+`",
    "LITERAL": "path text",
    "TRUE": "`true`",
    "FALSE": "`false`",
    "CMP": "`==` or `!=`",
    "IN": "`in`",
    "SELF": "`self`",
    "OPEN": "`${`",
    "STAR": "`*`",
}


# ---------------------------------------------------------------------------------------------
# Type expressions


# The children of a rule, as the transformer's methods receive them (named here: inside the class,
# the method for the rule `list` hides the builtin).
TypeRefs = list[ir.TypeRef]
Tokens = list["Token"]
Children = list[Any]


# What each rule of grammar/types.lark builds, shared by lark's transformer and the fast reader so
# the two give the same nodes and the same errors. ``start``/``end`` are the rule's text offsets.


def _named(name: str, span: Span | None) -> ir.TypeRef:
    return ir.Prim(name=name, span=span) if name in ir.PRIMITIVES else ir.Ref(name=name, span=span)


def _map(key: str, key_start: int, value: ir.TypeRef, span: Span | None) -> ir.TypeRef:
    if key != "string":
        raise GrammarError(f"map keys must be `string`, not `{key}`", key_start, len(key))
    return ir.MapT(value=value, span=span)


def _nullable(inner: ir.TypeRef, span: Span | None) -> ir.TypeRef:
    if isinstance(inner, ir.Nullable):
        return inner
    return ir.Nullable(inner=inner, span=span)


def _union(children: TypeRefs, start: int, end: int, span: Span | None) -> ir.TypeRef:
    members: list[ir.TypeRef] = []
    for c in children:  # `A | B | C` is one flat union
        members.extend(c.members if isinstance(c, ir.UnionT) else [c])
    if len(members) > MAX_UNION_MEMBERS:  # every SDK spells each member out: a runaway union is a mistake
        raise GrammarError(f"a union of {len(members)} members (at most {MAX_UNION_MEMBERS})", start, end - start)
    seen: set[str] = set()
    for m in members:  # `A | A` decodes nothing `A` does not; listed twice is a slip, said once
        text = format_type(m)
        if text in seen:
            raise GrammarError(f"`{text}` is a member of this union twice", start, end - start)
        seen.add(text)
    return ir.UnionT(members=tuple(members), span=span)


# strict=False: a tab or other control character written inside the quotes is part of the value.
# One decoder for every literal: json.loads(..., strict=False) builds a decoder and its scanner per
# call. (A token starts with `"`, never with the byte-order mark json.loads would refuse first.)
_LOOSE_JSON = json.JSONDecoder(strict=False)


def _json_string(token: str, at: int) -> Any:
    """The text of the quoted ``token`` found at offset ``at`` (a tab written inside the quotes is
    part of it): the grammars' ESCAPED_STRING takes any backslash pair, JSON (what a literal
    means) only its own escapes."""
    try:
        return _LOOSE_JSON.decode(token)
    except json.JSONDecodeError as exc:
        raise GrammarError(f"invalid string literal {token}: {exc.msg[:1].lower()}{exc.msg[1:]}", at + exc.pos, 2) from None


def _string_literal(token: str, span: Span | None, at: int) -> ir.TypeRef:
    """The literal type of the quoted ``token``, found at offset ``at`` of the type expression."""
    return ir.Lit(value=_json_string(token, at), span=span)


@functools.cache
def _type_builder() -> type:
    """lark's transformer for grammar/types.lark (defined on first use: it needs lark)."""
    from lark import Transformer, v_args

    class TypeBuilder(Transformer["Token", ir.TypeRef]):
        def __init__(self, span_of: Callable[[Any], Span | None]) -> None:
            super().__init__()
            self.span_of = span_of

        def start(self, children: TypeRefs) -> ir.TypeRef:
            return children[0]

        @v_args(meta=True)
        def named(self, meta: Any, children: Tokens) -> ir.TypeRef:
            return _named(str(children[0]), self.span_of(meta))

        @v_args(meta=True)
        def list(self, meta: Any, children: TypeRefs) -> ir.TypeRef:
            return ir.ListT(item=children[0], span=self.span_of(meta))

        @v_args(meta=True)
        def map(self, meta: Any, children: Children) -> ir.TypeRef:
            return _map(str(children[0]), children[0].start_pos, children[1], self.span_of(meta))

        @v_args(meta=True)
        def nullable(self, meta: Any, children: TypeRefs) -> ir.TypeRef:
            return _nullable(children[0], self.span_of(meta))

        @v_args(meta=True)
        def union(self, meta: Any, children: TypeRefs) -> ir.TypeRef:
            return _union(children, meta.start_pos, meta.end_pos, self.span_of(meta))

        @v_args(meta=True)
        def string_literal(self, meta: Any, children: Tokens) -> ir.TypeRef:
            return _string_literal(str(children[0]), self.span_of(meta), meta.start_pos)

        @v_args(meta=True)
        def int_literal(self, meta: Any, children: Tokens) -> ir.TypeRef:
            return ir.Lit(value=int(str(children[0])), span=self.span_of(meta))

    return TypeBuilder


# The fast reader of type expressions. Its tokens are grammar/types.lark's terminals, except that a
# string literal with a backslash or a newline in it is left to lark (its rule for escapes is
# lark's own regular expression), as is `map` anywhere but before `[`. Whitespace is lark's WS.
_TYPE_TOKEN = re.compile(
    r"[ \t\f\r\n]*(?:(?P<name>[A-Za-z_][A-Za-z0-9_.]*)|(?P<string>\"[^\"\\\n]*\")|(?P<int>[+-]?[0-9]+)|(?P<punct>[\[\]()|?,]))"
)


class _NotFast(Exception):
    """The fast reader does not take this text: lark parses it."""


class _TypeReader:
    """Recursive descent over grammar/types.lark, for texts it can read exactly as lark does.

    Each rule returns ``(node, start, end, outer_start, outer_end)``: the node's own text offsets
    (what its span covers, as lark's ``propagate_positions`` computes them) and the offsets of the
    parentheses around it, if any (a rule that contains it starts or ends where those do)."""

    def __init__(self, text: str, span_of: Callable[[int, int], Span | None] | None) -> None:
        self.span_of = span_of
        self.tokens: list[tuple[str, str, int, int]] = []
        pos = 0
        end = len(text.rstrip(" \t\f\r\n"))  # past it only whitespace is left (lark's WS)
        while pos < end:
            m = _TYPE_TOKEN.match(text, pos)
            if m is None:
                raise _NotFast
            kind = m.lastgroup or ""
            value = m.group(kind)
            self.tokens.append((value if kind == "punct" else kind, value, m.start(kind), m.end()))
            pos = m.end()
        self.tokens.append(("$END", "", len(text), len(text)))
        self.at = 0

    def span(self, start: int, end: int) -> Span | None:
        return self.span_of(start, end - start) if self.span_of else None

    def take(self, kind: str) -> tuple[str, str, int, int]:
        tok = self.tokens[self.at]
        if tok[0] != kind:
            raise _NotFast
        self.at += 1
        return tok

    def read(self) -> ir.TypeRef:
        node = self.expr()[0]
        self.take("$END")
        return node

    def expr(self) -> tuple[ir.TypeRef, int, int, int, int]:
        first = self.postfix()
        if self.tokens[self.at][0] != "|":
            return first
        parts = [first]
        while self.tokens[self.at][0] == "|":
            self.at += 1
            parts.append(self.postfix())
        start, end = parts[0][3], parts[-1][4]
        node = _union([p[0] for p in parts], start, end, self.span(start, end))
        return node, start, end, start, end

    def postfix(self) -> tuple[ir.TypeRef, int, int, int, int]:
        atom = self.atom()
        if self.tokens[self.at][0] != "?":
            return atom
        end = self.take("?")[3]
        start = atom[3]
        return _nullable(atom[0], self.span(start, end)), start, end, start, end

    def atom(self) -> tuple[ir.TypeRef, int, int, int, int]:
        kind, value, start, end = self.tokens[self.at]
        if kind == "name" and value == "map":
            self.at += 1
            self.take("[")
            _, key, key_start, _ = self.take("name")
            if key == "map":
                raise _NotFast
            self.take(",")
            inner = self.expr()[0]
            end = self.take("]")[3]
            return _map(key, key_start, inner, self.span(start, end)), start, end, start, end
        self.at += 1
        if kind == "name":
            return _named(value, self.span(start, end)), start, end, start, end
        if kind == "string":
            return _string_literal(value, self.span(start, end), start), start, end, start, end
        if kind == "int":
            return ir.Lit(value=int(value), span=self.span(start, end)), start, end, start, end
        if kind == "[":
            inner = self.expr()[0]
            end = self.take("]")[3]
            return ir.ListT(item=inner, span=self.span(start, end)), start, end, start, end
        if kind == "(":
            node, own_start, own_end, _, _ = self.expr()
            end = self.take(")")[3]
            return node, own_start, own_end, start, end
        raise _NotFast


_SIMPLE_TYPE = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_.]*)\s*(\?)?\s*\Z")


def parse_type(text: str, span_of: Callable[[int, int], Span | None] | None = None) -> ir.TypeRef:
    """Parse a type expression. ``span_of(offset, length)`` maps text offsets to source spans.

    >>> parse_type("[string]?")
    Nullable(inner=ListT(item=Prim(name='string')))
    """
    simple = _SIMPLE_TYPE.match(text)
    if simple:  # `Name` and `Name?` are most of a manifest's types: skip the parser for them
        name, nullable = simple.group(1), simple.group(2)
        start = simple.start(1)
        span = span_of(start, len(name)) if span_of else None
        t: ir.TypeRef = ir.Prim(name=name, span=span) if name in ir.PRIMITIVES else ir.Ref(name=name, span=span)
        if nullable:
            t = ir.Nullable(inner=t, span=span_of(start, simple.end(2) - start) if span_of else None)
        return t
    depth = deepest = 0
    quoted = escaped = False
    # Bounded before parsing: the backends' type walks recurse once per level. No text has more
    # levels than opening brackets, so most texts need no walk.
    shallow = text.count("[") + text.count("(") <= MAX_TYPE_DEPTH
    for ch in "" if shallow else text:
        if quoted:  # a literal's text is not nesting
            quoted, escaped = (quoted if escaped or ch != '"' else False), (not escaped and ch == "\\")
            continue
        quoted = ch == '"'
        depth += (ch in "[(") - (ch in "])")
        deepest = max(deepest, depth)
    if deepest > MAX_TYPE_DEPTH:
        raise GrammarError(f"the type expression is nested too deeply (more than {MAX_TYPE_DEPTH} levels)", 0, len(text))
    try:
        return _TypeReader(text, span_of).read()
    except (_NotFast, GrammarError, RecursionError):
        pass  # lark decides: it parses what the reader does not take, and reports every error
    return _parse_type_with_lark(text, span_of)


def _parse_type_with_lark(text: str, span_of: Callable[[int, int], Span | None] | None) -> ir.TypeRef:
    try:
        tree = _parse("types", text)
    except RecursionError:
        raise GrammarError("the type expression is nested too deeply", 0, len(text)) from None

    def meta_span(meta: Any) -> Span | None:
        if span_of is None or getattr(meta, "empty", True):
            return None
        return span_of(meta.start_pos, meta.end_pos - meta.start_pos)

    from lark.exceptions import VisitError

    try:
        return cast(ir.TypeRef, _type_builder()(meta_span).transform(tree))
    except VisitError as exc:
        if isinstance(exc.orig_exc, GrammarError):
            raise exc.orig_exc from None
        if isinstance(exc.orig_exc, RecursionError):
            raise GrammarError("the type expression is nested too deeply", 0, len(text)) from None
        raise
    except RecursionError:
        raise GrammarError("the type expression is nested too deeply", 0, len(text)) from None


def format_type(t: ir.TypeRef) -> str:
    """The canonical text of a type expression; ``parse_type(format_type(t)) == t``."""
    if isinstance(t, (ir.Prim, ir.Ref)):
        return t.name
    if isinstance(t, ir.ListT):
        return f"[{format_type(t.item)}]"
    if isinstance(t, ir.MapT):
        return f"map[string,{format_type(t.value)}]"
    if isinstance(t, ir.Nullable):
        inner = format_type(t.inner)
        return f"({inner})?" if isinstance(t.inner, ir.UnionT) else f"{inner}?"
    if isinstance(t, ir.Lit):
        return json.dumps(t.value)
    if isinstance(t, ir.UnionT):
        return " | ".join(f"({format_type(m)})" if isinstance(m, ir.UnionT) else format_type(m) for m in t.members)
    if isinstance(t, ir.ClientT):
        return f"client {t.client}"
    if isinstance(t, ir.FutureT):
        return f"future {format_type(t.result)}"
    raise TypeError(t)


# ---------------------------------------------------------------------------------------------
# Bindings and interpolation


_SIMPLE_BINDING = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)((?:\.[A-Za-z_][A-Za-z0-9_]*)*)\}\Z")


def parse_template(text: str) -> list[str | tuple[str, tuple[str | int, ...], int, int]]:
    """Split a string into literal text and bindings ``(source, path, offset, length)``.

    >>> parse_template("${state.session_id}:train")
    [('state', ('session_id',), 0, 19), ':train']
    """
    if "$" not in text:
        return [text] if text else []
    whole = _SIMPLE_BINDING.match(text)
    if whole:  # `${input.path}`, most of a manifest's bindings: skip the parser for them
        path = tuple(whole.group(2).split(".")[1:])
        return [(whole.group(1), path, 0, len(text))]
    from lark import Token

    tree = _parse("bindings", text)
    out: list[str | tuple[str, tuple[str | int, ...], int, int]] = []
    for child in tree.children:
        if isinstance(child, Token):
            piece = "${" if child.type == "ESCAPE" else str(child)
            if out and isinstance(out[-1], str):
                out[-1] += piece
            else:
                out.append(piece)
            continue
        toks = cast(Tokens, child.children)  # a binding's rule has terminals only
        steps: list[str | int] = [int(t) if t.type == "INDEX" else str(t) for t in toks[1:]]
        out.append((str(toks[0]), tuple(steps), child.meta.start_pos, child.meta.end_pos - child.meta.start_pos))
    return out


def format_binding(source: str, path: tuple[str | int, ...]) -> str:
    text = source
    for p in path:
        text += f"[{p}]" if isinstance(p, int) else f".{p}"
    return "${" + text + "}"


# ---------------------------------------------------------------------------------------------
# Path templates


# grammar/paths.lark as one regular expression (it has no nesting and ignores no whitespace): a
# literal run, or a variable `{name}` / `{+name}`.
_PATH_PART = re.compile(r"(?P<literal>[^{}]+)|\{(?P<raw>\+?)(?P<name>[A-Za-z_][A-Za-z0-9_]*)\}")
_PATH = re.compile(rf"(?:{_PATH_PART.pattern})*\Z")


def path_well_formed(text: str) -> bool:
    """Whether a path template is literal text and `{name}` / `{+name}` variables only, as
    grammar/paths.lark reads it (its parse is then :func:`parse_path`'s fast reading)."""
    return _PATH.match(text) is not None


def parse_path(text: str) -> list[tuple[str, str, bool, int, int]]:
    """Split a path template into ``(kind, text, raw, offset, length)`` parts, kind literal|var."""
    if path_well_formed(text):  # read it without lark
        return [
            ("literal", m.group("literal"), False, m.start(), m.end() - m.start())
            if m.group("literal") is not None
            else ("var", m.group("name"), bool(m.group("raw")), m.start(), m.end() - m.start())
            for m in _PATH_PART.finditer(text)
        ]
    return _parse_path_with_lark(text)


def _parse_path_with_lark(text: str) -> list[tuple[str, str, bool, int, int]]:
    from lark import Token

    tree = _parse("paths", text)
    out: list[tuple[str, str, bool, int, int]] = []
    for child in tree.children:
        if isinstance(child, Token):
            out.append(("literal", str(child), False, child.start_pos or 0, len(child)))
        else:
            toks = cast(Tokens, child.children)  # a variable's rule has terminals only
            raw = any(t.type == "RAW" for t in toks)
            name = next(t for t in toks if t.type == "NAME")
            out.append(("var", str(name), raw, child.meta.start_pos, child.meta.end_pos - child.meta.start_pos))
    return out


# ---------------------------------------------------------------------------------------------
# Helper expressions


# The pure functions a helper expression may call (ir/helpers.py says what each means).
HELPER_FUNCTIONS = ("len", "sum", "required", "json")


def _not_a_function(name: str, start: int) -> GrammarError:
    return GrammarError(f"`{name}` is not a function of helper expressions ({', '.join(HELPER_FUNCTIONS)})", start, len(name))


# The fast reader's tokens: grammar/helper_expr.lark's terminals, with only a space between them
# (the grammar ignores " " and nothing else). A word is a name or one of the grammar's keywords;
# the reader takes a keyword only where the grammar has it and a name only where it is not a
# keyword, leaving the rest to lark (its contextual lexer reads a keyword as a name in some places).
# A string literal with a backslash or a control character in it is left to lark too.
_HELPER_TOKEN = re.compile(
    r' *(?:(?P<word>[A-Za-z_][A-Za-z0-9_]*)|(?P<string>"[^"\\\x00-\x1f]*")|(?P<int>[+-]?[0-9]+)|(?P<punct>\$\{|==|!=|[}.\[\]*(),]))'
)
_HELPER_KEYWORDS = frozenset({"self", "in", "true", "false"})
_HelperToken = tuple[str, str, int, int]  # kind (a punctuation's or keyword's own text), text, start, end


class _HelperReader:
    """Recursive descent over grammar/helper_expr.lark, for texts it can read exactly as lark does.

    A node's span runs from its rule's first token to its last, the anonymous ones included
    (`${` to `}` for a path, the name to `)` for a call): what lark's ``propagate_positions``
    gives. A name that is not a function is reported as lark's tree is built, after the whole
    text is read: the first one, outermost first."""

    def __init__(self, text: str, span_of: Callable[[int, int], Span | None] | None) -> None:
        self.span_of = span_of
        self.tokens: list[_HelperToken] = []
        pos, n = 0, len(text)
        while pos < n:
            m = _HELPER_TOKEN.match(text, pos)
            if m is None:
                if text[pos:].strip(" "):
                    raise _NotFast
                break
            group = m.lastgroup or ""
            value = m.group(group)
            kind = group
            if group == "punct" or (group == "word" and value in _HELPER_KEYWORDS):
                kind = value
            elif group == "word":
                kind = "name"
            self.tokens.append((kind, value, m.start(group), m.end()))
            pos = m.end()
        self.tokens.append(("$END", "", n, n))
        self.at = 0
        self.bad_name: GrammarError | None = None

    def span(self, start: int, end: int) -> Span | None:
        return self.span_of(start, end - start) if self.span_of else None

    def take(self, kind: str) -> _HelperToken:
        tok = self.tokens[self.at]
        if tok[0] != kind:
            raise _NotFast
        self.at += 1
        return tok

    def read(self) -> ir.HelperExpr:
        node = self.expr()[0]
        self.take("$END")
        if self.bad_name is not None:
            raise self.bad_name
        return node

    def expr(self) -> tuple[ir.HelperExpr, int, int]:
        left, start, end = self.operand()
        kind = self.tokens[self.at][0]
        if kind in ("==", "!="):
            self.at += 1
            value, _, end = self.literal()
            return ir.ExprCompare(op=kind, left=left, values=(value,), span=self.span(start, end)), start, end
        if kind == "in":
            self.at += 1
            self.take("[")
            values = [self.literal()[0]]
            while self.tokens[self.at][0] == ",":
                self.at += 1
                values.append(self.literal()[0])
            end = self.take("]")[3]
            return ir.ExprCompare(op="in", left=left, values=tuple(values), span=self.span(start, end)), start, end
        return left, start, end

    def operand(self) -> tuple[ir.HelperExpr, int, int]:
        kind, value, start, _ = self.tokens[self.at]
        if kind == "${":
            return self.path()
        if kind == "name":
            self.at += 1
            self.take("(")
            if value not in HELPER_FUNCTIONS and self.bad_name is None:
                self.bad_name = _not_a_function(value, start)
            arg = self.expr()[0]
            end = self.take(")")[3]
            return ir.ExprFunc(name=value, arg=arg, span=self.span(start, end)), start, end
        lit, start, end = self.literal()
        return ir.ExprLit(value=lit, span=self.span(start, end)), start, end

    def path(self) -> tuple[ir.HelperExpr, int, int]:
        start = self.take("${")[2]
        self.take("self")
        steps: list[str] = []
        key = call = None
        while True:
            kind = self.tokens[self.at][0]
            if kind == ".":
                self.at += 1
                name = self.take("name")[1]
                if self.tokens[self.at][0] == "(":  # `.name()` ends the path
                    self.at += 1
                    self.take(")")
                    call = name
                    break
                steps.append(name)
            elif kind == "[":
                self.at += 1
                if self.tokens[self.at][0] == "string":  # `["key"]` ends the path
                    key = self.string(self.tokens[self.at][1])
                    self.at += 1
                    self.take("]")
                    break
                self.take("*")
                self.take("]")
                steps.append("*")
            else:
                break
        end = self.take("}")[3]
        return ir.ExprPath(steps=tuple(steps), key=key, call=call, span=self.span(start, end)), start, end

    @staticmethod
    def string(token: str) -> Any:
        try:
            return json.loads(token)
        except json.JSONDecodeError:
            raise _NotFast from None  # lark reads it, and reports the escape

    def literal(self) -> tuple[Any, int, int]:
        kind, value, start, end = self.tokens[self.at]
        self.at += 1
        if kind == "string":
            return self.string(value), start, end
        if kind == "int":
            return int(value), start, end
        if kind in ("true", "false"):
            return kind == "true", start, end
        raise _NotFast


def parse_helper_expr(text: str, span_of: Callable[[int, int], Span | None] | None = None) -> ir.HelperExpr:
    """A helper's `get:` expression (grammar/helper_expr.lark) as IR; ``span_of(offset, length)``
    maps text offsets to source spans. A name that is not a function is a ``GrammarError`` at it.

    >>> parse_helper_expr('len(${self.tokens})')
    ExprFunc(name='len', arg=ExprPath(steps=('tokens',), key=None, call=None))
    """
    try:
        return _HelperReader(text, span_of).read()
    except (_NotFast, RecursionError):
        pass  # lark decides: it parses what the reader does not take, and reports every syntax error
    return _parse_helper_expr_with_lark(text, span_of)


def _parse_helper_expr_with_lark(text: str, span_of: Callable[[int, int], Span | None] | None) -> ir.HelperExpr:
    from lark import Tree

    tree = _parse("helper_expr", text)

    def span(meta: Any) -> Span | None:
        if span_of is None or getattr(meta, "empty", True):
            return None
        return span_of(meta.start_pos, meta.end_pos - meta.start_pos)

    def literal(node: Tree[Token]) -> Any:
        if node.data == "string":  # strict=False: a tab written inside the quotes is part of the value
            token = cast("Token", node.children[0])
            return _json_string(str(token), token.start_pos or 0)
        if node.data == "int":
            return int(str(node.children[0]))
        return node.data == "true"

    def build(node: Tree[Token] | Token) -> ir.HelperExpr:
        assert isinstance(node, Tree)
        kind = str(node.data)
        if kind == "path":
            steps: list[str] = []
            key = call = None
            for step in node.children:
                if not isinstance(step, Tree):
                    continue  # the `${` opening the path
                if step.data == "each":
                    steps.append("*")
                elif step.data == "field":
                    steps.append(str(step.children[0]))
                elif step.data == "key":
                    token = cast("Token", step.children[0])
                    key = _json_string(str(token), token.start_pos or 0)
                else:
                    call = str(step.children[0])
            return ir.ExprPath(steps=tuple(steps), key=key, call=call, span=span(node.meta))
        if kind == "func":
            name = cast("Token", node.children[0])
            if str(name) not in HELPER_FUNCTIONS:
                raise _not_a_function(str(name), name.start_pos or 0)
            return ir.ExprFunc(name=str(name), arg=build(node.children[1]), span=span(node.meta))
        if kind == "compare":
            op = str(node.children[1])
            value = literal(cast("Tree[Token]", node.children[2]))
            return ir.ExprCompare(op=op, left=build(node.children[0]), values=(value,), span=span(node.meta))
        if kind == "member":
            values = tuple(literal(cast("Tree[Token]", c)) for c in node.children[1:])
            return ir.ExprCompare(op="in", left=build(node.children[0]), values=values, span=span(node.meta))
        return ir.ExprLit(value=literal(node), span=span(node.meta))

    return build(tree)


# ---------------------------------------------------------------------------------------------
# Status lists


# grammar/status.lark as a regular expression (WS is lark's common.WS)
_STATUS = re.compile(r"[ \t\f\r\n]*([0-9]+)(?:[ \t\f\r\n]*-[ \t\f\r\n]*([0-9]+))?[ \t\f\r\n]*\Z")


def parse_status(text: str) -> tuple[int, int]:
    """One status entry: ``"429"`` → (429, 429); ``"500-599"`` → (500, 599)."""
    fast = _STATUS.match(text)
    if fast:
        first = int(fast.group(1))
        return (first, int(fast.group(2)) if fast.group(2) is not None else first)
    return _parse_status_with_lark(text)


def _parse_status_with_lark(text: str) -> tuple[int, int]:
    tree = _parse("status", text)
    codes = [int(t) for t in cast(Tokens, tree.children)]
    return (codes[0], codes[-1])


# ---------------------------------------------------------------------------------------------
# JSON with spans


def json_to_model(text: str, display: str, sink: Sink) -> Node | None:
    import lark
    from lark import Token

    try:
        tree = parser("json").parse(text)
    except lark.UnexpectedInput as exc:
        line = getattr(exc, "line", 1) or 1
        col = getattr(exc, "column", 1) or 1
        if isinstance(exc, lark.UnexpectedToken) and exc.token.type == "$END":
            lines = text.splitlines() or [""]
            line, col = len(lines), len(lines[-1]) + 1
            problem = "unexpected end of input"
        elif isinstance(exc, lark.UnexpectedCharacters):
            problem = f"unexpected character `{text[exc.pos_in_stream or 0]}`"
        else:
            problem = f"unexpected `{getattr(getattr(exc, 'token', None), 'value', '?')}`"
        hint = None
        if isinstance(exc, lark.UnexpectedToken) and exc.token.value in ("}", "]") and exc.token.start_pos is not None:
            if text[: exc.token.start_pos].rstrip().endswith(","):
                hint = f"JSON does not allow a trailing comma: remove the `,` before `{exc.token.value}`"
        sink.error(
            "load.json-syntax",
            f"JSON syntax error: {problem}",
            Span(file=display, line=line, col=col, end_line=line, end_col=col + 1),
            hint=hint,
        )
        return None

    def span(meta: Any) -> Span:
        return Span(file=display, line=meta.line, col=meta.column, end_line=meta.end_line, end_col=meta.end_column)

    def tok_span(tok: Token) -> Span:
        return Span(file=display, line=tok.line or 1, col=tok.column or 1, end_line=tok.end_line or 1, end_col=tok.end_column or 1)

    def convert(t: Any, depth: int = 0) -> Node:
        if depth > MAX_DEPTH:
            raise RecursionError
        if isinstance(t, Token):  # a bare scalar at the top level
            return Scalar(value=json.loads(str(t)), span=tok_span(t))
        kind = t.data
        if kind == "object":
            entries: dict[str, Entry] = {}
            for pair in t.children:
                if pair is None:
                    continue
                key_tok, value = pair.children
                key = json.loads(str(key_tok))
                if key in entries:
                    sink.error(
                        "load.duplicate-key",
                        f"duplicate key `{key}`",
                        tok_span(key_tok),
                        hint=f"`{key}` is first defined at line {entries[key].key_span.line}, column {entries[key].key_span.col}; "
                        "remove or rename one of them",
                    )
                    continue
                entries[key] = Entry(key=key, key_span=tok_span(key_tok), value=convert(value, depth + 1))
            return Mapping(entries=entries, span=span(t.meta))
        if kind == "array":
            return Sequence(items=[convert(c, depth + 1) for c in t.children if c is not None], span=span(t.meta))
        tok = t.children[0] if t.children else None
        s = span(t.meta)
        if kind == "string":
            return Scalar(value=json.loads(str(tok)), span=s, quoted=True)
        if kind == "number":
            raw = str(tok)
            if not raw.lstrip("-").isdigit():
                return Scalar(value=float(raw), span=s)
            if number_too_long(raw, sink, lambda: s):
                return Scalar(value=raw, span=s)
            return Scalar(value=int(raw), span=s)
        return Scalar(value={"true": True, "false": False, "null": None}[kind], span=s)

    try:
        return convert(tree)
    except RecursionError:
        sink.error(
            "load.too-large",
            "the manifest is nested too deeply",
            Span(file=display, line=1, col=1, end_line=1, end_col=2),
            hint=f"nesting is limited to {MAX_DEPTH} levels",
        )
        return None
