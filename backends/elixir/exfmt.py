"""Elixir source laid out the way `mix format` lays it out, for the constructs the emitters write.

The emitted SDK must already be in `mix format`'s canonical form (the toolchain tests run
`mix format --check-formatted`). Rather than re-implementing the whole formatter, the emitters build
small expression trees and this module renders them with the two layouts the formatter keeps as
they are written:

* everything on one line, when it fits in 98 columns;
* a call, list, map, tuple or struct broken with one element per line, the opening bracket ending
  its line and the closing one starting its own (the formatter respects this newline choice).

Blocks follow the formatter's blank-line rule: a multi-line expression is separated from its
neighbours by an empty line. Example::

    >>> layout(Call("Client.call", [Text("c"), Text('"pets.get"')]), "    ")
    ['    Client.call(c, "pets.get")']
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Sequence

import attrs

from tinkc.backends.elixir.symbols import escape_text, string

LINE = 98  # mix format's default line length


class Node:
    breakable = False

    def flat(self) -> str:
        raise NotImplementedError

    def broken(self, lead: str, indent: int, suffix: str) -> list[str]:
        return [lead + self.flat() + suffix]


@attrs.frozen
class Text(Node):
    """Text that never breaks (names, literals, short expressions)."""

    text: str

    def flat(self) -> str:
        return self.text


@attrs.frozen
class Seq(Node):
    """`open a, b, c close`: calls (`Mod.fun(`), lists, maps, tuples, structs."""

    open: str
    items: tuple[Node, ...]
    close: str
    breakable = True

    def flat(self) -> str:
        return self.open + ", ".join(i.flat() for i in self.items) + self.close

    def broken(self, lead: str, indent: int, suffix: str) -> list[str]:
        if not self.items:
            return [lead + self.flat() + suffix]
        if self.open.endswith("(") and len(self.items) == 1 and isinstance(self.items[0], Seq) and not self.items[0].open.endswith("("):
            # a call whose one argument is a list, map or tuple hugs it: `f([` ... `])`
            return layout(self.items[0], lead + self.open, indent, self.close + suffix)
        inner = " " * (indent + 2)
        out = [lead + self.open]
        for n, item in enumerate(self.items):
            out.extend(layout(item, inner, indent + 2, "," if n < len(self.items) - 1 else ""))
        out.append(" " * indent + self.close + suffix)
        return out


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


@attrs.frozen
class Pair(Node):
    """`key: value` or `"key" => value`: a broken value keeps its opening bracket on the key's line."""

    key: str  # `rank:` or `"rank" =>`
    value: Node

    breakable = True

    def flat(self) -> str:
        return f"{self.key} {self.value.flat()}"

    def broken(self, lead: str, indent: int, suffix: str) -> list[str]:
        if not self.value.breakable:  # a value that cannot break goes on the next line
            return [f"{lead}{self.key}", " " * (indent + 2) + self.value.flat() + suffix]
        return layout(self.value, f"{lead}{self.key} ", indent, suffix)


@attrs.frozen
class Match(Node):
    """`left <- right` (a `with` clause) or `left = right`. When it does not fit, the formatter puts
    a call on the next line (two more spaces in); a container after `=` stays on the line."""

    left: str
    op: str
    right: Node

    @property
    def breakable(self) -> bool:  # type: ignore[override]
        return self.right.breakable

    def flat(self) -> str:
        return f"{self.left} {self.op} {self.right.flat()}"

    def broken(self, lead: str, indent: int, suffix: str) -> list[str]:
        container = isinstance(self.right, Seq) and not self.right.open.endswith("(")
        if self.op == "=" and container:
            return layout(self.right, f"{lead}{self.left} = ", indent, suffix)
        return [f"{lead}{self.left} {self.op}", *layout(self.right, " " * (indent + 2), indent + 2, suffix)]


@attrs.frozen
class Fn(Node):
    """`fn -> body end`; broken, the body goes on its own lines."""

    body: Node
    breakable = True

    def flat(self) -> str:
        return f"fn -> {self.body.flat()} end"

    def broken(self, lead: str, indent: int, suffix: str) -> list[str]:
        return [f"{lead}fn ->", *statement(self.body, indent + 2), " " * indent + "end" + suffix]


def fits(line: str) -> bool:
    return len(line) <= LINE


def layout(node: Node, lead: str, indent: int, suffix: str = "") -> list[str]:
    """`node` after `lead` (the start of its first line, indentation included), continuation lines
    at `indent`, followed by `suffix`."""
    line = lead + node.flat() + suffix
    if fits(line) or not node.breakable:
        return [line]
    return node.broken(lead, indent, suffix)


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
    pad = " " * indent
    if not clauses:
        return body
    out: list[str] = []
    for n, clause in enumerate(clauses):
        lead = pad + ("with " if n == 0 else "     ")
        last = n == len(clauses) - 1
        out.extend(layout(clause, lead, indent + 5, " do" if last else ","))
    out.extend(body)
    out.append(pad + "end")
    return out


def short_def(head: str, body: Node, indent: int = 2) -> list[str]:
    """`def head, do: body` when it fits, else the `do` block."""
    pad = " " * indent
    one = f"{pad}def {head}, do: {body.flat()}"
    if fits(one):
        return [one]
    return [f"{pad}def {head} do", *statement(body, indent + 2), f"{pad}end"]


def keyword_call(head: str, pairs: Sequence[Node], indent: int = 2) -> list[str]:
    """`head k1: v1, k2: v2` (a call without parentheses whose one argument is a keyword list, as
    `defstruct`): one line, or one pair a line aligned under the first (the formatter's layout)."""
    pad = " " * indent
    one = f"{pad}{head} {', '.join(p.flat() for p in pairs)}"
    if fits(one) or not pairs:
        return [one]
    align = " " * (indent + len(head) + 1)
    out: list[str] = []
    for n, pair in enumerate(pairs):
        lead = f"{pad}{head} " if n == 0 else align
        out.extend(layout(pair, lead, len(align), "," if n < len(pairs) - 1 else ""))
    return out


def def_head(name: str, args: Sequence[str], indent: int = 2, keyword: str = "def") -> list[str]:
    """`def name(args) do`, or the arguments one per line as the formatter breaks a long head."""
    pad = " " * indent
    one = f"{pad}{keyword} {name}({', '.join(args)}) do"
    if fits(one) or not args:
        return [one]
    inner = " " * (indent + 6)
    return [f"{pad}{keyword} {name}(", *(f"{inner}{a}," for a in args[:-1]), f"{inner}{args[-1]}", f"{pad}    ) do"]


def union_type(head: str, alternatives: Sequence[str], indent: int) -> list[str]:
    """`@type t :: a | b | c`, or the alternatives one per line as the formatter breaks them."""
    pad = " " * indent
    one = f"{pad}{head} :: {' | '.join(alternatives)}"
    if fits(one):
        return [one]
    inner = " " * (indent + 8)
    return [f"{pad}{head} ::", f"{inner}{alternatives[0]}", *(f"{inner}| {a}" for a in alternatives[1:])]


def spec(name: str, args: Sequence[str], ret: Sequence[str], indent: int = 2) -> list[str]:
    """`@spec name(args) :: ret` (ret: the alternatives of a union) in the formatter's layout."""
    pad = " " * indent
    head = f"{name}({', '.join(args)})"
    if fits(f"{pad}@spec {head} :: {' | '.join(ret)}"):
        return [f"{pad}@spec {head} :: {' | '.join(ret)}"]
    if fits(f"{pad}@spec {head} ::"):
        return union_type(f"@spec {head}", ret, indent)
    inner = " " * (indent + 8)
    lines = [f"{pad}@spec {name}("]
    lines += [f"{inner}{a}," for a in args[:-1]] + [f"{inner}{args[-1]}"]
    closing = " " * (indent + 6) + ") :: " + " | ".join(ret)
    return [*lines, closing]


def struct_type(fields: Sequence[tuple[str, str]], indent: int = 2) -> list[str]:
    """`@type t :: %__MODULE__{field: type, ...}`."""
    pad = " " * indent
    if not fields:
        return [f"{pad}@type t :: %__MODULE__{{}}"]
    one = f"{pad}@type t :: %__MODULE__{{{', '.join(f'{k} {v}' for k, v in fields)}}}"
    if fits(one):
        return [one]
    inner = " " * (indent + 8)
    out = [f"{pad}@type t :: %__MODULE__{{"]
    for n, (k, v) in enumerate(fields):
        out.extend(_type_field(k, v, inner, indent + 8, n < len(fields) - 1))
    out.append(" " * (indent + 6) + "}")
    return out


def _type_field(key: str, typ: str, lead: str, indent: int, comma: bool) -> list[str]:
    tail = "," if comma else ""
    one = f"{lead}{key} {typ}{tail}"
    if fits(one):
        return [one]
    parts = split_union(typ)
    if len(parts) > 1:  # the formatter breaks a long union value after the key, one `|` a line
        inner = " " * (indent + 2)
        return [f"{lead}{key}", f"{inner}{parts[0]}", *(f"{inner}| {p}" for p in parts[1:-1]), f"{inner}| {parts[-1]}{tail}"]
    return [one]


def split_union(typ: str) -> list[str]:
    """The top-level alternatives of a typespec `a | b | c` (brackets respected)."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(typ):
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == "|" and depth == 0 and typ[i - 1 : i + 2] == " | ":
            parts.append(typ[start : i - 1])
            start = i + 2
    parts.append(typ[start:])
    return [p.strip() for p in parts]


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
        if len(pad) + len(line) > LINE and not line.startswith((" ", "*", "|", "#", "-")):
            lines.extend(textwrap.wrap(line, LINE - len(pad), break_long_words=False, break_on_hyphens=False))
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
