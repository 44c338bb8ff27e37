"""The Elixir backend's jinja2 templates (`templates/`), through the shared environment of
:mod:`tinkc.backends.templates`.

Elixir source is full of jinja's default delimiters (`{%{"a" => 1}, x}`, `{{:ok, v}, s}`), so the
templates use EEx's instead: `<%= value %>`, `<% for ... %>`, `<%# comment %>`. Templates show the
shape of a file or a declaration; what they print comes computed: names from the symbol provider
(:mod:`tinkc.backends.elixir.symbols`), aliases from each module's recorder, and anything that can
exceed the line width already laid out by :mod:`tinkc.backends.elixir.exfmt`.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import jinja2

from tinkc.backends.templates import environment

FOLDER = Path(__file__).parent / "templates"

SYNTAX = {
    "block_start_string": "<%",
    "block_end_string": "%>",
    "variable_start_string": "<%=",
    "variable_end_string": "%>",
    "comment_start_string": "<%#",
    "comment_end_string": "%>",
}


@functools.cache
def template(name: str) -> jinja2.Template:
    """A template, loaded and compiled once per process."""
    return environment(FOLDER, syntax=SYNTAX).get_template(name)


def render(name: str, **context: Any) -> str:
    return template(name).render(**context)


def module(name: str, head: list[str], blocks: list[str]) -> str:
    """A module: `defmodule name do`, its head parts and its blocks, each a blank line apart."""
    return render("module.ex.jinja", module=name, head=[h for h in head if h], blocks=[b for b in blocks if b])
