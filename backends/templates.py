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
import io
import marshal
import pickle
import tempfile
from collections.abc import Callable, Mapping, MutableMapping
from pathlib import Path
from typing import Any

import jinja2
import jinja2.bccache
from jinja2.bccache import bc_magic

from tinkc import runcache


class _FileSystemBytecodeCache(jinja2.FileSystemBytecodeCache):
    """jinja's file cache, each entry read at once and unmarshalled from memory: jinja's own
    ``marshal.load(file)`` reads the code object piece by piece through the file object (~0.5 ms a
    template against ~0.03 ms; a first emit loads 13 to 17 templates per target). The same files,
    the same checks (jinja's magic header, then the template's source checksum)."""

    _pruned = False  # the folder was pruned by this cache's first write

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        """jinja's write of a newly compiled template; then, once per process, the entries of
        templates not compiled for :data:`tinkc.runcache.MAX_AGE_DAYS` go (jinja keeps one for
        every template text it ever compiled: a changed template leaves its old entry behind)."""
        super().dump_bytecode(bucket)
        if not self._pruned:
            self._pruned = True
            runcache.prune(Path(self.directory), self.pattern.replace("%s", "*"))

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            with open(self._get_cache_filename(bucket), "rb") as f:
                data = f.read()
        except (FileNotFoundError, IsADirectoryError, PermissionError):
            return
        if not data.startswith(bc_magic):
            bucket.reset()
            return
        stream = io.BytesIO(data)
        stream.seek(len(bc_magic))
        try:
            checksum = pickle.load(stream)
        except Exception:  # noqa: BLE001 - a damaged entry (cut short, overwritten) raises anything pickle
            # can raise; jinja's own reader lets it out, and every later build would fail on it
            bucket.reset()
            return
        if checksum != bucket.checksum:  # the template's source changed: compiled again
            bucket.reset()
            return
        try:
            bucket.code = marshal.loads(memoryview(data)[stream.tell() :])
        except (EOFError, ValueError, TypeError):
            bucket.reset()


def _bytecode_cache() -> jinja2.BytecodeCache | None:
    """Compiled templates kept between runs, as pip and mypy keep theirs: parsing and compiling a
    backend's templates costs more than rendering them on a small manifest, and `tinkc build` runs
    on every save. The cache lives in ``$TINKC_CACHE_DIR`` (else ``$XDG_CACHE_HOME/tinkc``, else
    ``~/.cache/tinkc``); jinja checks each entry against the template's source checksum and its own
    and Python's versions, so a stale entry is recompiled, never used. ``TINKC_CACHE_DIR=off`` (or a
    directory that cannot be made) turns it off; the output is the same either way."""
    base = runcache.cache_dir()
    if base is None:
        return None
    folder = base / "jinja"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = tempfile.NamedTemporaryFile(dir=folder, prefix=".probe-")  # noqa: SIM115 - closed (and removed) at once
        probe.close()
    except OSError:
        return None
    return _FileSystemBytecodeCache(str(folder))


@functools.cache
def _shared_bytecode_cache() -> jinja2.BytecodeCache | None:
    return _bytecode_cache()


_DICT_ATTRIBUTES = frozenset(dir(dict))


class _Environment(jinja2.Environment):
    """jinja's environment, with ``x.name`` on a dict looked up as jinja looks it up, without the
    AttributeError jinja's ``getattr`` raises and catches first (1.07 us against ~0.15 us; the
    templates read their declarations' dicts this way, ~6,200 times in a TypeScript emit of the
    bundled manifest). A dict's own attributes (``items``, ``get``...) are still what ``x.items``
    is, as in jinja. Any other object's attribute is read at once, jinja's first step, without the
    call to jinja's method (0.32 us against 0.15 us; the Python templates read ~6,200 attributes
    of namespaces an emit); what it lacks is left to jinja (an item, else undefined)."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict:
            if attribute not in _DICT_ATTRIBUTES:
                try:
                    return obj[attribute]
                except KeyError:
                    pass
        else:
            try:
                return getattr(obj, attribute)
            except AttributeError:
                pass
        return super().getattr(obj, attribute)

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        """A template's globals over the environment's, as one plain dict made when the template is
        loaded, not jinja's ChainMap of the two: every render copies the globals into its context
        and lists their names, and a ChainMap lists them in Python (two walks a render: 11.2 us
        against 4.9 us a render of a small template; an Elixir emit renders 279). The difference,
        a global set on the environment after a template is loaded is not seen by that template,
        never arises: tinkc sets none (jinja's docs ask as much: "avoid modifying any globals
        after a template is loaded")."""
        return {**self.globals, **(d or {})}


@functools.cache
def _environment(
    folder: str, filters: tuple[tuple[str, Callable[..., Any]], ...], syntax: tuple[tuple[str, str], ...] = ()
) -> jinja2.Environment:
    env = _Environment(
        loader=jinja2.FileSystemLoader(folder),
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # source code, not HTML
        keep_trailing_newline=True,
        trim_blocks=True,  # a block tag's own line leaves no blank line behind
        lstrip_blocks=True,
        auto_reload=False,  # templates are package data: read and compiled once per process
        cache_size=-1,
        bytecode_cache=_shared_bytecode_cache(),
        **dict(syntax),
    )
    env.filters.update(dict(filters))
    return env


def environment(
    folder: Path, filters: Mapping[str, Callable[..., Any]] | None = None, syntax: Mapping[str, str] | None = None
) -> jinja2.Environment:
    """The environment of a backend's templates folder (cached: the same folder and filters give the
    same environment, whose compiled templates are kept). ``syntax``: other delimiters, for a target
    whose own source is full of jinja's (Elixir writes `{%{...}}` and `{{:ok, x}, y}`), e.g.
    ``{"block_start_string": "<%", ...}`` (jinja2.Environment's keyword arguments)."""
    return _environment(str(folder), tuple(sorted((filters or {}).items())), tuple(sorted((syntax or {}).items())))


def render(
    folder: Path,
    name: str,
    filters: Mapping[str, Callable[..., Any]] | None = None,
    syntax: Mapping[str, str] | None = None,
    **context: Any,
) -> str:
    """Render one template of ``folder`` with ``context``."""
    return environment(folder, filters, syntax).get_template(name).render(**context)
