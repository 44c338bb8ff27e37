"""The jinja2 side of every backend: one environment per templates folder, built once per process.

Templates hold the *shape* of a file or a declaration (a module's skeleton, a model class, a client
method's shell); everything they show is computed in Python first: names by the target's symbol
provider, imports by the file's import recorder, and anything that can exceed the line width by the
layout engine (:mod:`tinkc.backends.layout`), reached through a filter. Undefined names are errors
(``StrictUndefined``), so a template cannot silently print nothing.

Example::

    env = environment(Path(__file__).parent / "templates", filters={"layout": my_layout})
    text = env.get_template("module.py.jinja").render(imports=..., classes=...)
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import jinja2


@functools.cache
def _environment(folder: str, filters: tuple[tuple[str, Callable[..., Any]], ...]) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(folder),
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # source code, not HTML
        keep_trailing_newline=True,
        trim_blocks=True,  # a block tag's own line leaves no blank line behind
        lstrip_blocks=True,
        auto_reload=False,  # templates are package data: read and compiled once per process
        cache_size=-1,
    )
    env.filters.update(dict(filters))
    return env


def environment(folder: Path, filters: Mapping[str, Callable[..., Any]] | None = None) -> jinja2.Environment:
    """The environment of a backend's templates folder (cached: the same folder and filters give the
    same environment, whose compiled templates are kept)."""
    return _environment(str(folder), tuple(sorted((filters or {}).items())))


def render(folder: Path, name: str, filters: Mapping[str, Callable[..., Any]] | None = None, **context: Any) -> str:
    """Render one template of ``folder`` with ``context``."""
    return environment(folder, filters).get_template(name).render(**context)
