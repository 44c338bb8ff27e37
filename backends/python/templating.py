"""The backend's templates (``templates/``) and the filters they print with.

A template holds the shape of a file or a declaration; what can exceed the line width reaches it
laid out, or is laid out by a filter here on the shared printer (:mod:`tinkc.backends.python.pydoc`):

- ``py`` (a literal), ``pytuple`` (a tuple of literals), ``seconds`` (milliseconds as seconds),
  ``statuses`` (status ranges as a tuple of pairs): values of the spec's constants;
- ``call`` (``cls | call(args)``, a layout document), ``headers`` (``headers=(...)``, one),
  ``pytuple_of`` (names as a tuple, one), ``assign`` (``doc | assign(name)``: the statement, printed);
- ``signature`` (``params | signature("def name", returns)``: a method's ``def`` at one indent) and
  ``exploded`` (``args | exploded(head)``: a call one argument a line, at two).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tinkc.backends.python import pydoc as d
from tinkc.backends.python.literals import py_literal, tuple_literal
from tinkc.backends.templates import environment
from tinkc.ir import nodes as ir

TEMPLATES = Path(__file__).parent / "templates"


def seconds(ms: float) -> str:
    return repr(ms / 1000)


def statuses(ranges: tuple[ir.StatusRange, ...] | tuple[tuple[int, int], ...]) -> str:
    pairs = [(r.lo, r.hi) if isinstance(r, ir.StatusRange) else r for r in ranges]
    inner = ", ".join(f"({lo}, {hi})" for lo, hi in pairs)
    return f"({inner},)" if len(pairs) == 1 else f"({inner})"


def headers(pairs: Sequence[tuple[str, str]]) -> d.Doc:
    """`headers=((name, value), ...)`: flat, else one pair a line (a tuple ruff explodes)."""
    return d.kwarg("headers", d.collection("(", [f"({py_literal(n)}, {py_literal(v)})" for n, v in pairs], ")", tuple_=True))


def signature(params: Sequence[d.Doc], head: str, returns: str) -> str:
    """``head(self, *, params) -> returns:`` laid out at one indent (a method of a class)."""
    return d.render(d.signature(head, ["self", *(["*"] if params else []), *params], f" -> {returns}:"), 1)


FILTERS: dict[str, Any] = {
    "py": py_literal,
    "pytuple": tuple_literal,
    "seconds": seconds,
    "statuses": statuses,
    "headers": headers,
    "call": lambda head, args: d.call(head, args),
    "pytuple_of": lambda names: d.collection("(", names, ")", tuple_=True),
    "assign": lambda value, name: d.render(d.assign(name, value)),
    "signature": signature,
    "exploded": lambda args, head: d.render(d.exploded_call(head, args), 2),
}


def render(template: str, **context: Any) -> str:
    """One of the backend's templates, filled in."""
    return environment(TEMPLATES, FILTERS).get_template(template).render(**context)
