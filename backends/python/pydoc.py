"""Python constructs on the shared layout engine (:mod:`tinkc.backends.layout`), laid out as
`ruff format` lays them out at the emitted package's line length (120, four-space indents).

ruff's rules, as the snapshots show them (the real formatter checks every snapshot):

- a call's (or a ``def``'s) brackets hold their contents flat when the line fits; else the
  arguments go on one indented line when that fits; else one a line with a trailing comma;
- a collection literal (list, tuple, dict) is flat or one item a line, never the middle form: the
  trailing comma ruff adds when it explodes one keeps it exploded ("magic trailing comma"), which
  is also how an emitter asks for an exploded literal (:func:`exploded`);
- ruff does not hug a sole bracketed argument (``f([`` ... ``])``) as Prettier does;
- an assignment whose right-hand side is too long splits inside that side's last bracket; a union
  (``A | B``) on the right of an assignment is wrapped in parentheses, one operand a line.

Example::

    >>> pretty(call("f", ["a", "b"]))
    'f(a, b)'
"""

from __future__ import annotations

from collections.abc import Sequence

from tinkc.backends.layout import (
    HARDLINE,
    LINE,
    SOFTLINE,
    Doc,
    Group,
    IfBreak,
    Indent,
    Line,
    Measures,
    join,
    measure,
    pretty,
    text_width,
)

WIDTH = 120  # the emitted pyproject's `[tool.ruff] line-length`
INDENT = "    "

__all__ = [
    "HARDLINE",
    "INDENT",
    "WIDTH",
    "Doc",
    "assign",
    "call",
    "collection",
    "exploded",
    "exploded_call",
    "lines",
    "render",
    "short_line",
    "signature",
    "union",
]


def flat(doc: Doc) -> str | None:
    """``doc`` on one line, or None when something in it must break (a hard line, a broken group)."""
    if type(doc) is str:
        return doc
    out: list[str] = []
    try:
        done = _flat_into(doc, out)
    except RecursionError:
        return _flat_general(doc)
    return "".join(out) if done else None


def _flat_into(doc: Doc, out: list[str]) -> bool:
    """Append ``doc`` on one line to ``out``; False when something in it must break. Recursive,
    with a list's text taken in its loop: twice as fast as the explicit stack of
    :func:`_flat_general` (which pushed every piece), and this is called at every level of
    :func:`render` (~2,200 times on the bundled manifest)."""
    kind = type(doc)
    if kind is list:
        for x in doc:  # type: ignore[union-attr]
            if type(x) is str:
                out.append(x)
            elif not _flat_into(x, out):
                return False
        return True
    if kind is str or isinstance(doc, str):
        out.append(doc)  # type: ignore[arg-type]
        return True
    if kind is Line or isinstance(doc, Line):
        if doc.hard:  # type: ignore[union-attr]
            return False
        if not doc.soft:  # type: ignore[union-attr]
            out.append(" ")
        return True
    if isinstance(doc, list):
        return all(_flat_into(x, out) for x in doc)
    if isinstance(doc, Group):
        return not doc.broken and _flat_into(doc.contents, out)
    if isinstance(doc, Indent):
        return _flat_into(doc.contents, out)
    if isinstance(doc, IfBreak):
        return _flat_into(doc.flat, out)
    return False  # a Choice: the printer decides


def _flat_general(doc: Doc) -> str | None:
    """:func:`flat` without recursion: the reference, and the walk of documents nested deeper than
    the recursion limit."""
    out: list[str] = []
    stack: list[Doc] = [doc]
    while stack:
        x = stack.pop()
        kind = type(x)  # the exact type first: text and lists are most of a document
        if kind is str:
            out.append(x)  # type: ignore[arg-type]
        elif kind is list:
            stack.extend(reversed(x))  # type: ignore[arg-type]
        elif isinstance(x, str):
            out.append(x)
        elif isinstance(x, list):
            stack.extend(reversed(x))
        elif isinstance(x, Group):
            if x.broken:
                return None
            stack.append(x.contents)
        elif isinstance(x, Line):
            if x.hard:
                return None
            if not x.soft:
                out.append(" ")
        elif isinstance(x, Indent):
            stack.append(x.contents)
        elif isinstance(x, IfBreak):
            stack.append(x.flat)
        else:  # a Choice: the printer decides
            return None
    return "".join(out)


def render(doc: Doc, level: int = 0, suffix: str = "") -> str:
    """``doc`` then ``suffix``, printed at ``level`` indents (the first line's indentation
    included). A document that fits one line is joined directly, and an exploded bracket (text
    before it allowed) is printed item by item: what the printer would print, without its machinery."""
    # Measured as the printer measures (the documents pydoc builds hold no choice, and their
    # if-breaks break to text, where the printer's flat text is :func:`flat`'s), its measures
    # handed on to the printer when it does not fit: 612 of the ~2,200 documents of the bundled
    # manifest, each walked once instead of twice.
    measured: Measures = {}
    try:
        one = measure(doc, measured)
    except (RecursionError, ValueError):  # nested deeper than the recursion limit, or not a document
        one, measured = flat(doc), {}
    if one is not None and text_width(one) + len(suffix) + len(INDENT) * level <= WIDTH:
        return INDENT * level + one + suffix
    prefix, last = _split_exploded(doc)
    if last is not None:
        items = [render(item, level + 1, ",") for item in last.items]
        return "\n".join([f"{INDENT * level}{prefix}{last.head}{last.open}", *items, f"{INDENT * level}{last.close}{suffix}"])
    doc = [doc, suffix] if suffix else doc
    if level == 0:
        return pretty(doc, WIDTH, INDENT, measured)
    return pretty([INDENT * level, _nest(doc, level)], WIDTH, INDENT, measured)


def short_line(doc: Doc, limit: int) -> str | None:
    """What :func:`render` prints for ``doc`` (level 0, no suffix) when that is one line of at most
    ``limit`` characters, else None: without laying out the lines of a document whose flat text is
    already longer than ``limit``. The printer never prints such a document on one shorter line:
    on one line its lines are flat, and the if-breaks pydoc builds print at least as much broken as
    flat (a trailing comma, a union's parentheses). The Python emit of the bundled manifest printed
    54 of its 66 flow request bodies in full only to see that they did not fit 60 columns (the 66
    renders: ~2 ms of its ~60; the emit now runs ~2% fewer instructions)."""
    try:
        one = measure(doc, {})
    except (RecursionError, ValueError):  # as render measures these
        one = flat(doc)
    if one is not None:
        if len(one) > limit:
            return None
        if text_width(one) <= WIDTH:  # render's answer is this line
            return None if "\n" in one else one
    printed = render(doc)  # a document that must break (which may still print as one line)
    return printed if len(printed) <= limit and "\n" not in printed else None


def _split_exploded(doc: Doc) -> tuple[str, Exploded | None]:
    """``doc`` as (text, an exploded bracket) when it is one, maybe after plain text."""
    if isinstance(doc, Exploded):
        return "", doc
    if isinstance(doc, list) and doc and isinstance(doc[-1], Exploded) and all(isinstance(x, str) for x in doc[:-1]):
        return "".join(doc[:-1]), doc[-1]
    return "", None


def _nest(doc: Doc, level: int) -> Doc:
    for _ in range(level):
        doc = Indent([doc])
    return doc


def lines(doc: Doc, level: int = 0) -> list[str]:
    return render(doc, level).split("\n")


# Pieces every call and collection holds, made once and shared (as LINE is): a document is never
# changed once built, and the printer answers these the same wherever they are.
_COMMA_LINE: list[Doc] = [",", LINE]
_TRAILING_COMMA = IfBreak(",")
_TRAILING_COMMAS = {"": _TRAILING_COMMA, ",": IfBreak(",", ",")}  # a collection's, by its flat side


def _arguments(items: Sequence[Doc]) -> Doc:
    """Arguments in a broken call: on one line when they fit, else one a line with a trailing comma."""
    return Group([*join(_COMMA_LINE, items), _TRAILING_COMMA])


def call(head: Doc, args: Sequence[Doc], tail: Doc = "") -> Doc:
    """``head(args)tail``: flat, else the arguments on one indented line, else one a line."""
    if not args:
        return [head, "()", tail]
    return [Group([head, "(", Indent([SOFTLINE, _arguments(args)]), SOFTLINE, ")"]), tail]


class Exploded(Group):
    """A group that always breaks, one item a line with a trailing comma: ``head open`` items
    ``close``. The printer sees a broken :class:`Group`; :func:`render` prints it directly (each
    item on its own, as the printer would), which spares the printer's fitting on large methods."""

    __slots__ = ("head", "open", "items", "close")

    def __init__(
        self, contents: Doc, broken: bool = False, head: str = "", open: str = "(", items: tuple[Doc, ...] = (), close: str = ")"
    ) -> None:  # noqa: A002 - the bracket's name
        super().__init__(contents, broken)
        self.head = head
        self.open = open
        self.items = items
        self.close = close

    def _fields(self) -> tuple[object, ...]:
        return (self.contents, self.broken, self.head, self.open, self.items, self.close)

    def __repr__(self) -> str:
        return (
            f"Exploded(contents={self.contents!r}, broken={self.broken!r}, head={self.head!r}, open={self.open!r},"
            f" items={self.items!r}, close={self.close!r})"
        )


def _exploded(head: str, open_: str, items: Sequence[Doc], close: str) -> Exploded:
    contents = [head, open_, Indent([SOFTLINE, *join(_COMMA_LINE, items), ","]), SOFTLINE, close]
    return Exploded(contents, True, head, open_, tuple(items), close)


def exploded_call(head: str, args: Sequence[Doc]) -> Doc:
    """``head(`` one argument a line ``)`` even when it would fit (a magic trailing comma)."""
    return _exploded(head, "(", args, ")")


def signature(head: str, params: Sequence[Doc], tail: str) -> Doc:
    """``def name(params) -> T:``, laid out as a call (``tail`` counts on the first line)."""
    return [Group([head, "(", Indent([SOFTLINE, _arguments(params)]), SOFTLINE, ")", tail])]


def collection(open_: str, items: Sequence[Doc], close: str, *, tuple_: bool = False) -> Doc:
    """A list, tuple or dict literal: flat, else one item a line with a trailing comma (a tuple of
    one keeps its comma either way)."""
    if not items:
        return open_ + close
    single = "," if tuple_ and len(items) == 1 else ""
    return Group([open_, Indent([SOFTLINE, *join(_COMMA_LINE, items), _TRAILING_COMMAS[single]]), SOFTLINE, close])


def exploded(open_: str, items: Sequence[Doc], close: str) -> Doc:
    """A literal one item a line even when it would fit (its trailing comma keeps ruff from joining it)."""
    if not items:
        return open_ + close
    return _exploded("", open_, items, close)


def union(members: Sequence[Doc]) -> Doc:
    """``A | B | C`` as the right-hand side of an assignment: flat, else in parentheses one operand a line."""
    rest = [[LINE, "| ", m] for m in members[1:]]
    return Group([IfBreak("("), Indent([SOFTLINE, members[0], *rest]), SOFTLINE, IfBreak(")")])


def bare_union(members: Sequence[Doc], suffix: str = "") -> Doc:
    """``A | B | C`` as an item of an exploded bracket: flat, else one operand a line at the item's indent."""
    rest = [[LINE, "| ", m] for m in members[1:]]
    return [Group([members[0], *rest]), suffix]


def assign(target: str, value: Doc) -> Doc:
    return [target, " = ", value]


def kwarg(name: str, value: Doc) -> Doc:
    return [name, "=", value]


def dict_items(items: Sequence[tuple[Doc, Doc]]) -> list[Doc]:
    return [[k, ": ", v] for k, v in items]
