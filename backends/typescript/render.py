"""The templates of the TypeScript target and the filters they lay code out with.

A template holds the *shape* of a file or a declaration (`export interface {{ name }} {`, a
method's `{` … `}`, the `;` after a statement); names come from the symbol provider, and whatever
may exceed the line width reaches the template as a layout document (:mod:`doc`), printed by the
``layout`` filter at the depth where the template places it:

    {{ ("return ", call, ";") | layout(2) }}

prints the statement as the printer lays it out two indentations deep, without the first line's
indentation (the template writes it). A tuple is the documents one after the other.

Filters that build documents from the template's own text: ``assign`` (``lhs = rhs`` and a tail, as
Prettier breaks an assignment), ``hang`` (``head`` then the document on the next line, indented, when
it does not fit), ``union`` (``A | B``), ``signature`` (``name(params)tail``), and the comments:
``jsdoc`` (the lines of a JSDoc comment), ``jsdoc_text`` (the same as text, each line ended).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import jinja2

from tinkc.backends.templates import environment
from tinkc.backends.typescript.doc import HARDLINE, LINE, Doc, Indent, assign, comment_lines, group, pretty, signature, union

TEMPLATES = Path(__file__).parent / "templates"


def _doc(parts: Doc | tuple[Doc, ...]) -> Doc:
    return list(parts) if isinstance(parts, tuple) else parts


def layout(parts: Doc | tuple[Doc, ...], level: int = 0) -> str:
    """``parts`` printed as they are ``level`` indentations deep, the first line without its
    indentation."""
    doc = _doc(parts)
    if level == 0:
        return pretty(doc)
    doc = [HARDLINE, doc]
    for _ in range(level):
        doc = Indent(doc)
    return pretty(doc)[1 + 2 * level :]


def assign_filter(lhs: Doc, rhs: Doc | tuple[Doc, ...], tail: str = "") -> Doc:
    return [assign(lhs, _doc(rhs)), tail] if tail else assign(lhs, _doc(rhs))


def hang(head: str, doc: Doc, tail: str = "") -> Doc:
    return group(head, Indent([LINE, doc]), tail)


def union_filter(members: Sequence[Doc]) -> Doc:
    return union(list(members))


def signature_filter(head: str, params: Sequence[tuple[str, Doc, str | None]], tail: str) -> Doc:
    return signature(head, list(params), tail)


def doc_body(text: str | None, deprecated: bool = False) -> str:
    """A declaration's comment text: its doc, then `@deprecated` when it is."""
    body = (text or "").strip()
    if deprecated:
        body = (body + "\n\n@deprecated" if body else "@deprecated").strip()
    return body


def jsdoc(text: str | None, deprecated: bool = False) -> list[str]:
    return comment_lines(doc_body(text, deprecated))


def jsdoc_text(text: str | None, deprecated: bool = False) -> str:
    return "".join(line + "\n" for line in jsdoc(text, deprecated))


FILTERS: dict[str, Any] = {
    "layout": layout,
    "assign": assign_filter,
    "hang": hang,
    "union": union_filter,
    "signature": signature_filter,
    "jsdoc": jsdoc,
    "jsdoc_text": jsdoc_text,
    "json": lambda value: json.dumps(value, ensure_ascii=False),
}


def template(name: str) -> jinja2.Template:
    """A template of the target (compiled once per process; one environment for all of them)."""
    return environment(TEMPLATES, FILTERS).get_template(name)
