"""Elixir source laid out the way `mix format` lays it out, for the constructs the emitters write,
as documents of the shared layout engine (:mod:`tinkc.backends.layout`).

The emitted SDK must already be in `mix format`'s canonical form (the toolchain tests run
`mix format --check-formatted`). Rather than re-implementing the whole formatter, the emitters build
small Elixir expression trees (calls, lists, maps, tuples, structs, `key: value` pairs, matches,
`fn`s) whose documents have the two layouts the formatter keeps as they are written:

* everything on one line, when it fits in 98 columns;
* a call, list, map, tuple or struct broken with one element per line, the opening bracket ending
  its line and the closing one starting its own (the formatter respects this newline choice); a
  call whose one argument is a list, map, tuple or `fn` hugs it (`f([` ... `])`).

The declarations around them (`def` heads, `@spec`s, `@type` unions and structs, `defstruct`,
`with` clauses, `def ..., do:`) are documents too. A document is printed from the column where
its continuation lines align (:func:`aligned`: `with` clauses five columns in, `defstruct` pairs
under the first), so everything inside nests by the formatter's two spaces. Blocks follow the
formatter's blank-line rule: a multi-line statement is separated from its neighbours by an empty
line. Example::

    >>> layout(Call("Client.call", [Text("c"), Text('"pets.get"')]), "    ", 4)
    ['    Client.call(c, "pets.get")']
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from tinkc.backends.elixir.symbols import escape_text, string
from tinkc.backends.layout import HARDLINE, LINE, SOFTLINE, Choice, Doc, Group, IfBreak, Indent, join, pretty, text_width, wrap

WIDTH = 98  # mix format's default line length
UNIT = "  "  # the formatter's indentation


def nest(columns: int, doc: Doc) -> Doc:
    """``doc`` with its line breaks ``columns`` (an even number) further in than the enclosing ones."""
    if columns == 2:
        return Indent(doc)
    for _ in range(columns // 2):
        doc = Indent(doc)
    return doc


def fits(line: str) -> bool:
    return len(line) <= WIDTH


def aligned(lead: str, column: int, doc: Doc) -> list[str]:
    """The lines of ``doc`` printed after ``lead``, its continuation lines at ``column`` (the first
    ``column`` characters of ``lead`` are what precedes that column on the first line): the document
    is printed from that column, with the width left there, and its lines shifted to it."""
    lines = pretty([lead[column:], doc], WIDTH - column, UNIT).split("\n")
    pad = " " * column
    return [lead[:column] + lines[0], *(pad + line if line else line for line in lines[1:])]


class Node:
    """An Elixir expression: its one-line text (:meth:`flat`) and its document (:meth:`doc`).

    A breakable node's document is ``Choice((flat text, broken layout))``: the printer takes the
    flat text when it fits the rest of the line, exactly as it would print the node's group flat,
    but measures one string instead of walking the group (what keeps printing fast)."""

    # Nodes are plain classes with __slots__ (not attrs frozen ones): an Elixir emit builds ~11,000
    # (Text ~6,500), and attrs' frozen __init__ cost twice a plain one. They keep attrs' value
    # equality, hash and repr, over the fields ``__slots__`` names.
    __slots__: tuple[str, ...] = ()
    breakable = False

    def _fields(self) -> tuple[object, ...]:
        return tuple(getattr(self, name) for name in self.__slots__)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._fields() == other._fields()  # type: ignore[attr-defined,no-any-return]

    def __ne__(self, other: object) -> bool:
        result = self.__eq__(other)
        return result if result is NotImplemented else not result

    def __hash__(self) -> int:
        return hash((self.__class__.__name__, *self._fields()))

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__)
        return f"{self.__class__.__name__}({fields})"

    def flat(self) -> str:
        return self.build()[0]

    def doc(self) -> Doc:
        return self.build()[1]

    def build(self) -> tuple[str, Doc]:
        """The flat text and the document, made in one walk of the tree."""
        raise NotImplementedError

    def _print(self, p: _Printer, level: int, rest: int) -> None:
        """Print :meth:`doc` as the printer would in a broken context at indentation ``level``,
        ``rest`` columns of text after it before the next line break."""
        raise NotImplementedError


def _choice(flat: str, broken: Doc) -> Doc:
    return Choice((flat, broken))


class _Printer:
    """What the layout printer (:func:`tinkc.backends.layout.pretty`) does with a node's document,
    done on the node itself (:meth:`Node._print`): a node's document is text, a choice between its
    flat text and its broken layout, and always-broken groups, so the printer's only decision is
    whether the flat text fits before the next line break (``rest``: the columns of the text
    between the node and that break). The output is kept in the printer's pieces, so that a
    newline strips the trailing spaces of the last one as the printer does. Measured on the
    bundled manifest: the printer spent ~13 ms on the 294 nodes that do not fit their line."""

    __slots__ = ("out", "column", "width")

    def __init__(self, first: str, width: int) -> None:
        self.out = [first]
        self.column = _width(first)
        self.width = width

    def text(self, text: str) -> None:
        self.out.append(text)
        self.column += len(text) if text.isascii() else text_width(text)  # _width, inlined (~5,300 calls)

    def newline(self, level: int) -> None:
        out = self.out
        while out and out[-1].endswith(" "):  # no trailing whitespace
            out[-1] = out[-1].rstrip(" ")
        out.append("\n" + UNIT * level)
        self.column = len(UNIT) * level

    def flat(self, flat: str, rest: int) -> bool:
        """Print ``flat`` if it fits with the ``rest`` columns after it (the printer's choice)."""
        size = len(flat) if flat.isascii() else text_width(flat)  # _width, inlined (~2,700 calls)
        if self.column + size + rest > self.width:
            return False
        self.out.append(flat)
        self.column += size
        return True


def _width(text: str) -> int:
    return len(text) if text.isascii() else text_width(text)


class Text(Node):
    """Text that never breaks (names, literals, short expressions)."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def flat(self) -> str:
        return self.text

    def build(self) -> tuple[str, Doc]:
        return self.text, self.text

    def _print(self, p: _Printer, level: int, rest: int) -> None:
        p.text(self.text)


class _Remembered(Node):
    """A node that keeps its one-line text once made (in a slot outside its fields: not part of
    its equality, hash or repr). A node that does not fit its line asks each of its children for
    theirs, after its own text asked them already: without the memo, a call nested n deep made its
    innermost text n times (8,700 texts made of ~2,500 calls and lists on the bundled manifest)."""

    __slots__ = ("_text",)


class Seq(_Remembered):
    """`open a, b, c close`: calls (`Mod.fun(`), lists, maps, tuples, structs."""

    __slots__ = ("open", "items", "close")
    breakable = True

    def __init__(self, open: str, items: tuple[Node, ...], close: str) -> None:  # noqa: A002 - the bracket
        self.open = open
        self.items = items
        self.close = close
        self._text: str | None = None

    @property
    def call(self) -> bool:
        return self.open.endswith("(")

    def flat(self) -> str:
        text = self._text
        if text is None:
            if not self.items:
                text = self.open + self.close
            else:
                text = self.open + ", ".join([i.flat() for i in self.items]) + self.close
            self._text = text
        return text

    def build(self) -> tuple[str, Doc]:
        if not self.items:
            text = self.open + self.close
            return text, text
        built = [i.build() for i in self.items]
        flat = self.open + ", ".join(f for f, _ in built) + self.close
        only = self.items[0]
        if self.call and len(self.items) == 1 and (isinstance(only, Fn) or isinstance(only, Seq) and not only.call):
            # a call whose one argument is a list, map, tuple or fn hugs it: `f([` ... `])`
            return flat, _choice(flat, [self.open, built[0][1], self.close])
        items = join([",", LINE], (d for _, d in built))
        return flat, _choice(flat, Group([self.open, nest(2, [SOFTLINE, *items]), SOFTLINE, self.close], broken=True))

    def _print(self, p: _Printer, level: int, rest: int) -> None:
        items = self.items
        if not items:
            p.text(self.open + self.close)
            return
        if p.flat(self.flat(), rest):
            return
        only = items[0]
        if self.call and len(items) == 1 and (isinstance(only, Fn) or isinstance(only, Seq) and not only.call):
            p.text(self.open)
            only._print(p, level, _width(self.close) + rest)
            p.text(self.close)
            return
        p.text(self.open)
        inner = level + 1
        p.newline(inner)
        last = len(items) - 1
        for i, item in enumerate(items):
            if i < last:
                item._print(p, inner, 1)  # its `,`, then the line break
                p.text(",")
                p.newline(inner)
            else:
                item._print(p, inner, 0)
        p.newline(level)
        p.text(self.close)


def Call(fun: str, args: Iterable[Node]) -> Seq:  # noqa: N802 - a node constructor
    return Seq(f"{fun}(", tuple(args), ")")


def List(items: Iterable[Node]) -> Seq:  # noqa: N802
    return Seq("[", tuple(items), "]")


def Tuple(items: Iterable[Node]) -> Seq:  # noqa: N802
    return Seq("{", tuple(items), "}")


def Map(pairs: Iterable[Node]) -> Seq:  # noqa: N802
    return Seq("%{", tuple(pairs), "}")


def Struct(module: str, pairs: Iterable[Node]) -> Seq:  # noqa: N802
    return Seq(f"%{module}{{", tuple(pairs), "}")


class Pair(Node):
    """`key: value` or `"key" => value`: a broken value keeps its opening bracket on the key's
    line; a value that cannot break goes on the next line."""

    __slots__ = ("key", "value")
    breakable = True

    def __init__(self, key: str, value: Node) -> None:
        self.key = key  # `rank:` or `"rank" =>`
        self.value = value

    def flat(self) -> str:
        return f"{self.key} {self.value.flat()}"

    def build(self) -> tuple[str, Doc]:
        value, doc = self.value.build()
        flat = f"{self.key} {value}"
        if self.value.breakable:
            return flat, [self.key, " ", doc]
        return flat, _choice(flat, Group([self.key, nest(2, [LINE, doc])], broken=True))

    def _print(self, p: _Printer, level: int, rest: int) -> None:
        if self.value.breakable:
            p.text(self.key)
            p.text(" ")
            self.value._print(p, level, rest)
            return
        if p.flat(self.flat(), rest):
            return
        p.text(self.key)
        p.newline(level + 1)
        self.value._print(p, level + 1, rest)


class Match(Node):
    """`left <- right` (a `with` clause) or `left = right`. When it does not fit, the formatter puts
    a call on the next line (two more spaces in); a container after `=` stays on the line."""

    __slots__ = ("left", "op", "right")

    def __init__(self, left: str, op: str, right: Node) -> None:
        self.left = left
        self.op = op
        self.right = right

    @property
    def breakable(self) -> bool:  # type: ignore[override]
        return self.right.breakable

    def flat(self) -> str:
        return f"{self.left} {self.op} {self.right.flat()}"

    def build(self) -> tuple[str, Doc]:
        right, doc = self.right.build()
        flat = f"{self.left} {self.op} {right}"
        if not self.right.breakable:
            return flat, flat
        if self.op == "=" and isinstance(self.right, Seq) and not self.right.call:
            return flat, [self.left, " = ", doc]
        return flat, _choice(flat, Group([self.left, " ", self.op, nest(2, [LINE, doc])], broken=True))

    def _print(self, p: _Printer, level: int, rest: int) -> None:
        if not self.right.breakable:
            p.text(self.flat())
            return
        if self.op == "=" and isinstance(self.right, Seq) and not self.right.call:
            p.text(self.left)
            p.text(" = ")
            self.right._print(p, level, rest)
            return
        if p.flat(self.flat(), rest):
            return
        p.text(self.left)
        p.text(" ")
        p.text(self.op)
        p.newline(level + 1)
        self.right._print(p, level + 1, rest)


class Fn(Node):
    """`fn -> body end` (or `fn params -> body end`); broken, the body goes on its own lines."""

    __slots__ = ("body", "params")
    breakable = True

    def __init__(self, body: Node, params: str = "") -> None:
        self.body = body
        self.params = params

    def flat(self) -> str:
        return f"{'fn ' + self.params + ' ->' if self.params else 'fn ->'} {self.body.flat()} end"

    def build(self) -> tuple[str, Doc]:
        body, doc = self.body.build()
        head = f"fn {self.params} ->" if self.params else "fn ->"
        flat = f"{head} {body} end"
        return flat, _choice(flat, Group([head, nest(2, [LINE, doc]), LINE, "end"], broken=True))

    def _print(self, p: _Printer, level: int, rest: int) -> None:
        if p.flat(self.flat(), rest):
            return
        p.text(f"fn {self.params} ->" if self.params else "fn ->")
        p.newline(level + 1)
        self.body._print(p, level + 1, 0)
        p.newline(level)
        p.text("end")


class CallFn(Node):
    """`fun(a, b, fn -> body end)`: a call whose last argument is an `fn`; broken, the `fn` hugs
    the call (`fun(a, b, fn ->` body `end)`), as the formatter lays it out."""

    __slots__ = ("fun", "args", "fn")
    breakable = True

    def __init__(self, fun: str, args: tuple[Node, ...], fn: Fn) -> None:
        self.fun = fun
        self.args = args
        self.fn = fn

    def flat(self) -> str:
        return self.fun + "(" + "".join(a.flat() + ", " for a in self.args) + self.fn.flat() + ")"

    def build(self) -> tuple[str, Doc]:
        head = self.fun + "(" + "".join(a.flat() + ", " for a in self.args)
        fn_flat, fn_doc = self.fn.build()
        flat = head + fn_flat + ")"
        return flat, _choice(flat, [head, fn_doc, ")"])

    def _print(self, p: _Printer, level: int, rest: int) -> None:
        if p.flat(self.flat(), rest):
            return
        p.text(self.fun + "(" + "".join(a.flat() + ", " for a in self.args))
        self.fn._print(p, level, 1 + rest)
        p.text(")")


def layout(node: Node, lead: str, indent: int, suffix: str = "") -> list[str]:
    """`node` after `lead` (the start of its first line, indentation included), continuation lines
    at `indent`, followed by `suffix`."""
    line = lead + node.flat() + suffix
    if fits(line):  # what the printer would answer (every line break is in a choice), without it
        return [line]
    # printed by the node itself as the printer would print its document (_Printer); its document
    # is built only for a tree deeper than the recursion limit, for the printer
    try:
        p = _Printer(lead[indent:], WIDTH - indent)
        node._print(p, 0, _width(suffix))
    except RecursionError:
        return aligned(lead, indent, [node.doc(), suffix])
    p.text(suffix)
    lines = "".join(p.out).split("\n")
    pad = " " * indent
    return [lead[:indent] + lines[0], *(pad + line if line else line for line in lines[1:])]


def statement(node: Node, indent: int, suffix: str = "") -> list[str]:
    return layout(node, " " * indent, indent, suffix)


def block(statements: Sequence[list[str]]) -> list[str]:
    """Statements of one block, with the blank line the formatter puts around multi-line ones."""
    out: list[str] = []
    previous_multi = False
    for lines in statements:
        if not lines:
            continue
        multi = len(lines) > 1
        if out and (multi or previous_multi) and out[-1] != "":
            out.append("")
        out.extend(lines)
        previous_multi = multi
    return out


def with_lines(clauses: Sequence[Node], indent: int, body: list[str]) -> list[str]:
    """`with c1,\\n     c2 do ... end` with one clause per line (a layout the formatter keeps)."""
    if not clauses:
        return body
    head = aligned(" " * indent + "with ", indent + 5, [*join([",", HARDLINE], (c.doc() for c in clauses)), " do"])
    return [*head, *body, " " * indent + "end"]


def short_def(head: str, body: Node, indent: int = 2) -> list[str]:
    """`def head, do: body` when it fits, else the `do` block."""
    one = f"{' ' * indent}def {head}, do: {body.flat()}"
    if text_width(one) <= WIDTH:  # what the printer answers for the group below (its flat text fits), without
        return [one]  # building the body's document (tests/property/test_exfmt_flat.py holds the two equal)
    return _short_def(head, body, indent)


def _short_def(head: str, body: Node, indent: int = 2) -> list[str]:
    """:func:`short_def` by the printer: the reference of its one-line answer, and its answer otherwise."""
    return aligned(
        " " * indent, indent, Group([f"def {head}", IfBreak(" do", ", do:"), nest(2, [LINE, body.doc()]), IfBreak([LINE, "end"])])
    )


def keyword_call(head: str, pairs: Sequence[Node], indent: int = 2) -> list[str]:
    """`head k1: v1, k2: v2` (a call without parentheses whose one argument is a keyword list, as
    `defstruct`): one line, or one pair a line aligned under the first (the formatter's layout)."""
    one = f"{' ' * indent}{head} {', '.join([p.flat() for p in pairs])}"
    if fits(one):  # (each fast path below answers what the printer would, without it; past it,
        return [one]  # the group is known not to fit: broken from the start)
    lead = f"{' ' * indent}{head} "
    return aligned(lead, len(lead), Group(join([",", LINE], (p.doc() for p in pairs)), broken=True))


def def_head(name: str, args: Sequence[str], indent: int = 2, keyword: str = "def") -> list[str]:
    """`def name(args) do`, or the arguments one per line as the formatter breaks a long head."""
    one = f"{' ' * indent}{keyword} {name}({', '.join(args)}) do"
    if fits(one) or not args:
        return [one]
    return aligned(
        " " * indent,
        indent,
        Group([f"{keyword} {name}(", nest(6, [SOFTLINE, *join([",", LINE], args)]), nest(4, SOFTLINE), ") do"], broken=True),
    )


def _union(alternatives: Sequence[str]) -> Doc:
    """`a | b | c`; broken, one alternative a line, each but the first after `| `."""
    return join([LINE, "| "], alternatives)


def union_type(head: str, alternatives: Sequence[str], indent: int) -> list[str]:
    """`@type t :: a | b | c`, or the alternatives one per line as the formatter breaks them."""
    one = f"{' ' * indent}{head} :: {' | '.join(alternatives)}"
    if fits(one):
        return [one]
    return aligned(" " * indent, indent, Group([head, " ::", nest(8, [LINE, _union(alternatives)])], broken=True))


def spec(name: str, args: Sequence[str], ret: Sequence[str], indent: int = 2) -> list[str]:
    """`@spec name(args) :: ret` (ret: the alternatives of a union) in the formatter's layout: one
    line; else the union broken after `::`; else the arguments one a line."""
    pad = " " * indent
    head = f"@spec {name}({', '.join(args)}) ::"
    if fits(f"{pad}{head} {' | '.join(ret)}"):
        return [f"{pad}{head} {' | '.join(ret)}"]
    one: Doc = [head, " ", " | ".join(ret)]
    union: Doc = [head, nest(8, [HARDLINE, *join([HARDLINE, "| "], ret)])]
    broken: Doc = [f"@spec {name}(", nest(8, [HARDLINE, join([",", HARDLINE], args)]), nest(6, HARDLINE), ") :: ", " | ".join(ret)]
    return aligned(pad, indent, Choice((one, union, broken)))


def struct_type(fields: Sequence[tuple[str, Sequence[str]]], indent: int = 2) -> list[str]:
    """`@type t :: %__MODULE__{field: type, ...}`, each field's type given as the alternatives of
    its union (so a long one breaks between them, never inside one)."""
    pad = " " * indent
    if not fields:
        return [f"{pad}@type t :: %__MODULE__{{}}"]
    flat = ", ".join(f"{k} {' | '.join(v)}" for k, v in fields)
    if fits(f"{pad}@type t :: %__MODULE__{{{flat}}}"):
        return [f"{pad}@type t :: %__MODULE__{{{flat}}}"]
    docs: list[Doc] = []
    for key, alternatives in fields:
        text = f"{key} {' | '.join(alternatives)}"
        if len(alternatives) < 2:
            docs.append(text)
        else:  # the formatter breaks a long union value after the key, one `|` a line
            docs.append(_choice(text, Group([key, nest(2, [LINE, _union(alternatives)])], broken=True)))
    fields_doc = [nest(8, [SOFTLINE, *join([",", LINE], docs)]), nest(6, SOFTLINE)]
    return aligned(pad, indent, Group(["@type t :: %__MODULE__{", *fields_doc, "}"], broken=True))


def heredoc(attribute: str, text: str | None, indent: int = 2) -> list[str]:
    """A `@moduledoc` / `@doc` heredoc, the text escaped so that nothing in it interpolates or ends
    the heredoc early."""
    pad = " " * indent
    if text is None:
        return []
    body = escape_text(text.strip().replace("\r\n", "\n").replace("\r", "\n"), keep="\n").replace('"""', '\\"""')
    lines = []
    for line in body.split("\n"):
        line = line.rstrip()
        if len(pad) + len(line) > WIDTH and not line.startswith((" ", "*", "|", "#", "-")):
            lines.extend(wrap(line, WIDTH - len(pad)))  # textwrap.wrap's answer, faster
        else:
            lines.append(line)
    out = [f'{pad}{attribute} """']
    out += [f"{pad}{line}" if line else "" for line in lines]
    out.append(f'{pad}"""')
    return out


def doc_attr(attribute: str, text: str | None, indent: int = 2) -> list[str]:
    """A one-line `@doc "..."` when the text is a short single line, else a heredoc."""
    if text is None:
        return []
    text = text.strip()
    one = f"{' ' * indent}{attribute} {string(text)}"
    if "\n" not in text and fits(one):
        return [one]
    return heredoc(attribute, text, indent)
