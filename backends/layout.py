"""The one layout engine of every backend: documents of text, line breaks, groups and
indentation, printed at a width each target chooses (Wadler's "prettier printer", the algorithm behind Prettier).

Emitters describe *structure* (a call, an object literal, a list of statements) and never count
columns; the printer decides where lines break, so the output is laid out the same way everywhere
and stays within :data:`WIDTH` where it can. A group is printed flat when it fits on the rest of
the line, else broken: its ``line``\\s become newlines at its indentation.

Example::

    >>> pretty(call("f", ["a", "b"]))
    'f(a, b)'
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from typing import Any

import attrs

WIDTH = 100  # the default; each target passes its own (ruff 120 here, Prettier 100, mix format 98)
INDENT = "  "  # the default; Python passes four spaces


@attrs.frozen
class Line:
    """A space (``soft``: nothing) when its group is flat; a newline when it is broken."""

    soft: bool = False
    hard: bool = False  # always a newline (and the groups around it break)


# The containers below are plain classes with __slots__, not attrs frozen classes: an emit builds
# ~5,000 (TypeScript) to ~18,000 (Elixir) of them, and attrs' frozen __init__ (object.__setattr__
# per field) cost twice a plain one (0.78 vs 0.34 us a Group, measured). They keep attrs' value
# equality and repr; they are not frozen (nothing assigns to a document once built).


class _Node:
    __slots__: tuple[str, ...] = ()

    def _fields(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self.__slots__)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._fields() == other._fields()

    def __ne__(self, other: object) -> bool:
        result = self.__eq__(other)
        return result if result is NotImplemented else not result

    def __hash__(self) -> int:  # hashable when its fields are, as attrs' frozen classes are
        return hash((self.__class__.__name__, *self._fields()))

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__)
        return f"{self.__class__.__name__}({fields})"


class Group(_Node):
    __slots__ = ("contents", "broken")

    def __init__(self, contents: Doc, broken: bool = False) -> None:
        self.contents = contents
        self.broken = broken  # break even when it fits


class Indent(_Node):
    __slots__ = ("contents",)

    def __init__(self, contents: Doc) -> None:
        self.contents = contents


class IfBreak(_Node):
    """``broken`` inside a broken group, ``flat`` inside a flat one (trailing commas)."""

    __slots__ = ("broken", "flat")

    def __init__(self, broken: Doc, flat: Doc = "") -> None:
        self.broken = broken
        self.flat = flat


class Choice(_Node):
    """The first of ``options`` whose first line fits (each tried broken up to its first newline);
    the last one otherwise. How a call hugs its last argument: ``f(a, {`` … ``})``."""

    __slots__ = ("options",)

    def __init__(self, options: tuple[Doc, ...]) -> None:
        self.options = options


Doc = str | Line | Group | Indent | IfBreak | Choice | list[Any]  # a list (of Docs) concatenates

LINE = Line()
SOFTLINE = Line(soft=True)
HARDLINE = Line(hard=True)


def text_width(text: str) -> int:
    """Columns as Prettier counts them (its `getStringWidth`): East Asian wide and fullwidth
    characters (most emoji) take two, combining marks and (in non-ASCII text) control characters none."""
    if text.isascii():
        return len(text)
    width = 0
    for ch in text:
        code = ord(ch)
        if code <= 0x1F or 0x7F <= code <= 0x9F or 0x300 <= code <= 0x36F:
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


def wrap(text: str, width: int) -> list[str]:
    """``textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False)``: the lines
    of a comment or docstring paragraph. Text of words one space apart (no tab, newline or other
    whitespace, nothing unprintable) is wrapped here, greedily as textwrap does (a word longer
    than the width alone on its line): textwrap's chunk-by-chunk loop and its wrapper object cost
    ~5 ms over the ~430 paragraphs of the bundled manifest's Python and Elixir docs. Anything
    else is left to textwrap. Empty text (a blank line of a docstring) has no lines, as textwrap
    answers, without importing it (~1 ms; the Python emit of the bundled manifest wraps 61 such)."""
    if not text and width > 0:
        return []
    if width <= 0 or not text.isprintable() or text[0] == " " or text[-1] == " " or "  " in text:
        import textwrap  # here, not with the module: ~1 ms to import (its patterns), rarely needed

        return textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False)
    # Greedy, a line at a time: the last space within the width ends the line (its words are the
    # most that fit); with none, the first word, longer than the width, is alone on its line.
    # Found by str.rfind rather than adding the words one by one (~2.6 ms -> ~0.7 ms over the 323
    # paragraphs of the bundled manifest's Python and Elixir docs).
    lines: list[str] = []
    start, end = 0, len(text)
    while end - start > width:
        cut = text.rfind(" ", start, start + width + 1)
        if cut == -1:
            cut = text.find(" ", start)
            if cut == -1:
                break
        lines.append(text[start:cut])
        start = cut + 1
    lines.append(text[start:])
    return lines


def join(sep: Doc, docs: Iterable[Doc]) -> list[Doc]:
    out: list[Doc] = []
    append = out.append
    if type(sep) is list:
        # a separator of several pieces (`[",", LINE]`) spliced in, not nested: a list is the
        # concatenation of its items, so the text is the same, and the printer meets the comma
        # and the line in the list it walks instead of a list of two to measure or print on its
        # own (~3,700 of them an emit of the bundled manifest, a call and a memo entry each)
        extend = out.extend
        for d in docs:
            extend(sep)
            append(d)
        del out[: len(sep)]
        return out
    for d in docs:  # a separator before each, the first one dropped: no test per item (~3,000 calls an emit)
        append(sep)
        append(d)
    del out[:1]
    return out


def _children(doc: Doc) -> list[Doc]:
    """The documents whose breaking decides whether ``doc`` must break."""
    if isinstance(doc, list):
        return doc
    if isinstance(doc, (Group, Indent)):
        return [doc.contents]
    if isinstance(doc, IfBreak):
        return [doc.broken]
    if isinstance(doc, Choice):
        return [doc.options[0]]
    return []


def _breaks(doc: Doc, memo: dict[int, bool]) -> bool:
    """Must ``doc`` break: does it hold a hard line or a group that always breaks? A group that must
    break breaks the groups around it too (Prettier's break propagation); a choice propagates what
    its first option holds."""
    try:
        return _breaks_shallow(doc, memo)
    except RecursionError:  # the common case recursively (faster); the rare deep one iteratively
        return _breaks_deep(doc, memo)


def _breaks_shallow(doc: Doc, memo: dict[int, bool]) -> bool:
    # Dispatched on the exact type, the commonest first: text and lines (most of a document's
    # leaves) are answered without the memo, lists without a chain of isinstance.
    kind = type(doc)
    if kind is str:
        return False
    if kind is Line:
        return doc.hard  # type: ignore[union-attr]
    key = id(doc)
    known = memo.get(key)
    if known is not None:
        return known
    if kind is list:
        result = False
        for d in doc:  # type: ignore[union-attr]
            if _breaks_shallow(d, memo):
                result = True
                break
    else:  # a container met for the first time: rarer than the leaves and the memo's answers
        result = _breaks_by_isinstance(doc, memo)
    memo[key] = result
    return result


def _breaks_by_isinstance(doc: Doc, memo: dict[int, bool]) -> bool:
    if isinstance(doc, Line):
        return doc.hard
    if isinstance(doc, list):
        return any(_breaks_shallow(d, memo) for d in doc)
    if isinstance(doc, Group):
        return doc.broken or _breaks_shallow(doc.contents, memo)
    if isinstance(doc, Indent):
        return _breaks_shallow(doc.contents, memo)
    if isinstance(doc, IfBreak):
        return _breaks_shallow(doc.broken, memo)
    if isinstance(doc, Choice):
        return _breaks_shallow(doc.options[0], memo)
    return False


def _breaks_deep(doc: Doc, memo: dict[int, bool]) -> bool:
    """:func:`_breaks` without recursion (children first, with an explicit stack): for documents
    nested deeper than Python's recursion limit allows (a manifest may nest a type or a default
    hundreds of levels)."""
    if isinstance(doc, str):
        return False
    if isinstance(doc, Line):
        return doc.hard
    stack: list[tuple[Doc, bool]] = [(doc, False)]
    while stack:
        current, expanded = stack.pop()
        key = id(current)
        if key in memo:
            continue
        children = _children(current)
        if not expanded:  # its containers first, then itself (text and lines are decided on the spot)
            stack.append((current, True))
            stack.extend((c, False) for c in children if not isinstance(c, (str, Line)) and id(c) not in memo)
            continue
        memo[key] = (isinstance(current, Group) and current.broken) or any(
            c.hard if isinstance(c, Line) else (not isinstance(c, str) and memo[id(c)]) for c in children
        )
    return memo[id(doc)]


def _flat_text(doc: Doc, texts: dict[int, str]) -> str:
    """``doc`` printed flat (its lines as spaces or nothing, the flat side of each choice), built
    once per document: a group that is measured at many places, or measured and then printed,
    costs one walk."""
    kind = type(doc)
    if kind is str:
        return doc  # type: ignore[return-value]
    if kind is Line:
        return "" if doc.soft else " "  # type: ignore[union-attr]
    key = id(doc)
    known = texts.get(key)
    if known is not None:
        return known
    if kind is list:
        parts = []
        for d in doc:  # type: ignore[union-attr]
            k = type(d)
            parts.append(d if k is str else _flat_text(d, texts))
        result = "".join(parts)
    elif isinstance(doc, str):
        return doc
    elif isinstance(doc, Line):
        result = "" if doc.soft else " "
    elif isinstance(doc, list):
        result = "".join([_flat_text(d, texts) for d in doc])
    elif isinstance(doc, (Group, Indent)):
        result = _flat_text(doc.contents, texts)
    elif isinstance(doc, IfBreak):
        result = _flat_text(doc.flat, texts)
    else:
        result = _flat_text(doc.options[0], texts)
    texts[key] = result
    return result


def _fits(
    todo: list[tuple[int, bool, Doc]],
    rest: list[tuple[int, bool, Doc]],
    width: int,
    memo: dict[int, bool],
    texts: dict[int, str] | None = None,
) -> bool:
    """Does the text up to the next newline fit in ``width`` columns? ``todo`` is measured as laid
    out; then the commands after it, in their own modes. A document measured flat that cannot break
    (no hard line, no group that must break) is taken at its flat width in one step."""
    stack = list(reversed(todo))
    rest_index = len(rest)
    while width >= 0:
        if not stack:
            if rest_index == 0:
                return True
            rest_index -= 1
            stack.append(rest[rest_index])
            continue
        ind, flat, doc = stack.pop()
        kind = type(doc)
        if kind is str:
            width -= len(doc) if doc.isascii() else text_width(doc)  # type: ignore[union-attr,arg-type]
        elif kind is Line:
            if not flat or doc.hard:  # type: ignore[union-attr]
                return True
            width -= 0 if doc.soft else 1  # type: ignore[union-attr]
        elif isinstance(doc, str):
            width -= text_width(doc)
        elif texts is not None and flat and not isinstance(doc, Line) and not _breaks(doc, memo):
            try:
                width -= text_width(_flat_text(doc, texts))
            except RecursionError:  # nested deeper than the recursion limit: measured piece by piece
                texts = None
                stack.append((ind, flat, doc))
        elif isinstance(doc, list):
            stack.extend([(ind, flat, d) for d in reversed(doc)])
        elif isinstance(doc, Line):
            if not flat or doc.hard:
                return True
            width -= 0 if doc.soft else 1
        elif isinstance(doc, Group):
            stack.append((ind, flat and not _breaks(doc, memo), doc.contents))
        elif isinstance(doc, Indent):
            stack.append((ind + 1, flat, doc.contents))
        elif isinstance(doc, IfBreak):
            stack.append((ind, flat, doc.flat if flat else doc.broken))
        elif isinstance(doc, Choice):
            stack.append((ind, flat, doc.options[0] if flat else doc.options[-1]))
    return False


def pretty(doc: Doc, width: int = WIDTH, indent: str = INDENT, measured: Measures | None = None) -> str:
    """``doc`` laid out in ``width`` columns, ``indent`` a level. ``measured``: what :func:`measure`
    answered for documents of ``doc`` (the printer measures each document once; a caller that
    measured ``doc`` to see whether it fits one line hands its measures on)."""
    try:
        return _pretty_fast(doc, width, indent, measured)
    except (RecursionError, _Declined):
        # a document nested deeper than the recursion limit, or holding a value the fast path does
        # not know: printed again from the start by the general printer (output is a function of
        # the document alone, so nothing printed so far is lost)
        return _pretty_general(doc, width, indent)


_UNKNOWN = object()  # not measured yet (None is an answer: it must break)

Measures = dict[int, "str | None"]  # a document's flat text (None: it must break), by identity


def measure(doc: Doc, measured: Measures) -> str | None:
    """``doc``'s flat text as the printer measures it, or None when it must break (a hard line, a
    group that always breaks); ``measured`` keeps the answers for its documents, for :func:`pretty`.
    Raises RecursionError on a document nested deeper than the recursion limit and ValueError on
    something that is not a document."""
    try:
        return _measure_any(doc, measured)
    except _Declined:
        raise ValueError(f"not a layout document: {doc!r}") from None


class _Declined(Exception):
    """The fast printer met something it does not handle (not one of the document types)."""


def _measure(doc: Doc, memo: dict[int, str | None]) -> str | None:
    """The flat text of a container document, or None when it must break (it holds a hard line or
    a group that always breaks): :func:`_breaks` and :func:`_flat_text` in one walk, memoized by
    identity. Measured on the TypeScript emit of the bundled manifest, the two walks were ~40% of
    the printer's time (51k and 28k calls, one per leaf too); here leaves are handled in the loop."""
    key = id(doc)
    known = memo.get(key, _UNKNOWN)
    if known is not _UNKNOWN:
        return known  # type: ignore[return-value]
    kind = type(doc)
    result: str | None
    if kind is list:
        parts: list[str] = []
        append = parts.append
        for d in doc:  # type: ignore[union-attr]
            k = type(d)
            if k is str:
                append(d)
            elif k is Line:
                if d.hard:  # type: ignore[union-attr]
                    memo[key] = None
                    return None
                if not d.soft:  # type: ignore[union-attr]
                    append(" ")
            elif k is IfBreak and type(d.broken) is str and type(d.flat) is str:  # type: ignore[union-attr]
                append(d.flat)  # type: ignore[union-attr]  # a trailing comma: text either way, no memo
            else:
                if k is Indent and type(d.contents) is list:  # type: ignore[union-attr]
                    d = d.contents  # type: ignore[union-attr]  # an indent measures as its contents
                elif k is Group and type(d.contents) is list:  # type: ignore[union-attr]
                    # a group measures as its contents, or must break: measured through its list
                    # (the printer asks for a group's contents, not the group; ~2,800 groups an emit)
                    if d.broken:  # type: ignore[union-attr]
                        memo[key] = None
                        return None
                    d = d.contents  # type: ignore[union-attr]
                text = _measure(d, memo)
                if text is None:
                    memo[key] = None
                    return None
                append(text)
        result = "".join(parts)
    elif isinstance(doc, Group):  # Group and its subclasses (pydoc's Exploded)
        result = None if doc.broken else _measure_any(doc.contents, memo)
    elif kind is Indent:
        result = _measure_any(doc.contents, memo)  # type: ignore[union-attr]
    elif kind is IfBreak:
        # whether it breaks is its broken side's; its text is its flat side's, even one that holds
        # a hard line (the general printer's _flat_text reads such a line as a space)
        if _measure_any(doc.broken, memo) is None:  # type: ignore[union-attr]
            result = None
        else:
            result = _measure_any(doc.flat, memo)  # type: ignore[union-attr]
            if result is None:
                result = _flat_text(doc.flat, {})  # type: ignore[union-attr]
    elif kind is Choice:
        result = _measure_any(doc.options[0], memo)  # type: ignore[union-attr]
    elif isinstance(doc, str):
        return doc
    elif isinstance(doc, Line):
        return None if doc.hard else ("" if doc.soft else " ")
    else:
        raise _Declined
    memo[key] = result
    return result


def _measure_any(doc: Doc, memo: dict[int, str | None]) -> str | None:
    kind = type(doc)
    if kind is str:
        return doc  # type: ignore[return-value]
    if kind is Line:
        return None if doc.hard else ("" if doc.soft else " ")  # type: ignore[union-attr]
    return _measure(doc, memo)


def _fits_fast(stack: list[tuple[bool, Doc]], rest: list[tuple[int, bool, Doc]], width: int, memo: dict[int, str | None]) -> bool:
    """:func:`_fits` on what :func:`_measure` knows: ``stack`` (flat?, doc), last first, is measured,
    then the commands of ``rest`` in their own modes, up to the next newline."""
    rest_index = len(rest)
    while width >= 0:
        if not stack:
            if rest_index == 0:
                return True
            rest_index -= 1
            _, flat, doc = rest[rest_index]
        else:
            flat, doc = stack.pop()
        kind = type(doc)
        if kind is str:
            width -= len(doc) if doc.isascii() else text_width(doc)  # type: ignore[union-attr,arg-type]
            continue
        if kind is Line:
            if not flat or doc.hard:  # type: ignore[union-attr]
                return True
            if not doc.soft:  # type: ignore[union-attr]
                width -= 1
            continue
        if flat:
            text = _measure(doc, memo)
            if text is not None:
                width -= len(text) if text.isascii() else text_width(text)
                continue
        if kind is list:
            # its leading text and lines measured here, the rest queued from its first container (a
            # broken list is often long and ended, for the measure, by its first line)
            n = len(doc)  # type: ignore[arg-type]
            i = 0
            while i < n:
                x: Any = doc[i]  # type: ignore[index]
                k = type(x)
                if k is str:
                    width -= len(x) if x.isascii() else text_width(x)
                elif k is Line:
                    if not flat or x.hard:
                        return True
                    if not x.soft:
                        width -= 1
                else:
                    stack.extend([(flat, doc[j]) for j in range(n - 1, i - 1, -1)])  # type: ignore[index]
                    break
                if width < 0:
                    return False
                i += 1
        elif isinstance(doc, Group):
            # measured flat only when it cannot break, which _measure has answered above
            stack.append((False, doc.contents))
        elif kind is Indent:
            stack.append((flat, doc.contents))  # type: ignore[union-attr]
        elif kind is IfBreak:
            stack.append((flat, doc.flat if flat else doc.broken))  # type: ignore[union-attr]
        elif kind is Choice:
            stack.append((flat, doc.options[0] if flat else doc.options[-1]))  # type: ignore[union-attr]
        elif isinstance(doc, str):
            width -= text_width(doc)
        elif isinstance(doc, Line):
            if not flat or doc.hard:
                return True
            width -= 0 if doc.soft else 1
        else:
            raise _Declined
    return False


def _pretty_fast(doc: Doc, width: int, indent: str, measured: Measures | None = None) -> str:
    """:func:`_pretty_general` with each document's break check and flat text measured in one walk
    (:func:`_measure`), dispatched on exact types, and a container that hands on to one document
    (an indent, a broken group, a choice, a list's first container) continuing with it in place
    rather than through the command stack. Raises RecursionError or :class:`_Declined` where it
    cannot follow the general printer (then :func:`pretty` uses that one)."""
    out: list[str] = []
    append = out.append
    column = 0
    memo: dict[int, str | None] = {} if measured is None else measured
    cmds: list[tuple[int, bool, Doc]] = [(0, False, doc)]
    pop = cmds.pop
    while cmds:
        ind, flat, d = pop()
        while True:  # `d` printed; `continue` goes on with the document it hands on to, `break` pops
            kind = type(d)
            if kind is str:
                append(d)  # type: ignore[arg-type]
                column += len(d) if d.isascii() else text_width(d)  # type: ignore[union-attr,arg-type]
                break
            if kind is Line:
                if flat and not d.hard:  # type: ignore[union-attr]
                    if not d.soft:  # type: ignore[union-attr]
                        append(" ")
                        column += 1
                else:
                    while out and out[-1].endswith(" "):  # no trailing whitespace
                        out[-1] = out[-1].rstrip(" ")
                    append("\n" + indent * ind)
                    column = len(indent) * ind
                break
            if flat:
                # a document printed flat that cannot break is one piece of text (most groups fit)
                text = _measure(d, memo)
                if text is not None:
                    if isinstance(d, Line):  # a subclass of Line: printed as the general printer does
                        if not d.soft:
                            append(" ")
                            column += 1
                        break
                    append(text)
                    column += len(text) if text.isascii() else text_width(text)
                    break
            if kind is list:
                # its leading text and lines printed here, then its first container, the rest queued:
                # most lists of a broken document are statements or `head(`, group, `)` runs
                n = len(d)  # type: ignore[arg-type]
                i = 0
                while i < n:
                    x: Any = d[i]  # type: ignore[index]
                    k = type(x)
                    if k is str:
                        append(x)
                        column += len(x) if x.isascii() else text_width(x)
                    elif k is Line:
                        if flat and not x.hard:
                            if not x.soft:
                                append(" ")
                                column += 1
                        else:
                            while out and out[-1].endswith(" "):  # no trailing whitespace
                                out[-1] = out[-1].rstrip(" ")
                            append("\n" + indent * ind)
                            column = len(indent) * ind
                    else:
                        break
                    i += 1
                if i == n:
                    break
                if i < n - 1:
                    cmds.extend([(ind, flat, d[j]) for j in range(n - 1, i, -1)])  # type: ignore[index]
                d = d[i]  # type: ignore[index]
            elif isinstance(d, Group):
                contents = d.contents
                text = None if d.broken else _measure_any(contents, memo)
                if text is not None:
                    size = len(text) if text.isascii() else text_width(text)
                    rest = width - column - size
                    if rest >= 0 and _fits_fast([], cmds, rest, memo):
                        # printed flat here, as the general printer prints its contents flat next
                        if isinstance(contents, Line):
                            if not contents.soft:
                                append(" ")
                                column += 1
                        else:
                            append(text)
                            column += size
                        break
                flat = False  # it must break, or does not fit
                d = contents
            elif kind is Indent:
                ind += 1
                d = d.contents  # type: ignore[union-attr]
            elif kind is IfBreak:
                d = d.flat if flat else d.broken  # type: ignore[union-attr]
            elif kind is Choice:
                if flat:
                    d = d.options[0]  # type: ignore[union-attr]
                    continue
                options = d.options  # type: ignore[union-attr]
                first = options[0]
                if type(first) is str:  # (Elixir's nodes: their flat text, then their broken layout)
                    rest = width - column - (len(first) if first.isascii() else text_width(first))
                    if rest >= 0 and _fits_fast([], cmds, rest, memo):
                        append(first)
                        column = width - rest
                        break
                    d = options[-1]
                    for option in options[1:]:
                        if _fits_fast([(False, option)], cmds, width - column, memo):
                            d = option
                            break
                    continue
                d = options[-1]
                for i, option in enumerate(options):
                    # the first option must fit entirely flat; the others up to their first break
                    if _fits_fast([(i == 0, option)], cmds, width - column, memo):
                        d = option
                        break
            elif isinstance(d, str):
                append(d)
                column += text_width(d)
                break
            elif isinstance(d, Line):
                if flat and not d.hard:
                    if not d.soft:
                        append(" ")
                        column += 1
                else:
                    while out and out[-1].endswith(" "):
                        out[-1] = out[-1].rstrip(" ")
                    append("\n" + indent * ind)
                    column = len(indent) * ind
                break
            else:
                raise _Declined
    return "".join(out)


def _pretty_general(doc: Doc, width: int = WIDTH, indent: str = INDENT) -> str:
    """:func:`pretty` for any document: the reference the fast path (:func:`_pretty_fast`) agrees
    with, and what prints the documents it declines (nested deeper than the recursion limit, or
    holding something that is not a document)."""
    out: list[str] = []
    column = 0
    memo: dict[int, bool] = {}  # _breaks of each group, by identity (docs are shared, not copied)
    # commands still to print, last one first: (indentation level, flat?, doc)
    cmds: list[tuple[int, bool, Doc]] = [(0, False, doc)]
    texts: dict[int, str] | None = {}  # the flat text of each document measured or printed flat, by identity
    while cmds:
        ind, flat, d = cmds.pop()
        if type(d) is str:
            out.append(d)
            column += len(d) if d.isascii() else text_width(d)
        elif isinstance(d, Line):  # before the containers: after text, the commonest
            if flat and not d.hard:
                if not d.soft:
                    out.append(" ")
                    column += 1
            else:
                while out and out[-1].endswith(" "):  # no trailing whitespace
                    out[-1] = out[-1].rstrip(" ")
                out.append("\n" + indent * ind)
                column = len(indent) * ind
        elif isinstance(d, str):
            out.append(d)
            column += text_width(d)
        elif texts is not None and flat and not _breaks(d, memo):
            # a document printed flat that cannot break is one piece of text (most groups fit)
            try:
                text = _flat_text(d, texts)
            except RecursionError:  # nested deeper than the recursion limit: printed piece by piece
                texts = None
                cmds.append((ind, flat, d))
                continue
            out.append(text)
            column += text_width(text)
        elif isinstance(d, list):
            cmds.extend([(ind, flat, x) for x in reversed(d)])
        elif isinstance(d, Group):
            must_break = _breaks(d, memo)
            if flat and not must_break:
                cmds.append((ind, True, d.contents))
            else:
                fits = not must_break and _fits([(ind, True, d.contents)], cmds, width - column, memo, texts)
                cmds.append((ind, fits, d.contents))
        elif isinstance(d, Indent):
            cmds.append((ind + 1, flat, d.contents))
        elif isinstance(d, IfBreak):
            cmds.append((ind, flat, d.flat if flat else d.broken))
        elif isinstance(d, Choice):
            if flat:
                cmds.append((ind, True, d.options[0]))
                continue
            chosen = d.options[-1]
            for i, option in enumerate(d.options):
                # the first option must fit entirely flat; the others up to their first break
                if _fits([(ind, i == 0, option)], cmds, width - column, memo, texts):
                    chosen = option
                    break
            cmds.append((ind, False, chosen))
    return "".join(out)


def pretty_blocks(blocks: Iterable[Doc], width: int = WIDTH, indent: str = INDENT) -> str:
    """Top-level declarations, a blank line apart, each laid out on its own: given a generator, a
    declaration's document is built, printed and dropped before the next, so memory (and the
    garbage collector's work) does not grow with the size of the module."""
    return "\n\n".join(pretty(block, width, indent) for block in blocks)


def group(*contents: Doc, broken: bool = False) -> Group:
    return Group(list(contents), broken)
