"""Compiled regular expressions kept between runs, as Python keeps a module's bytecode in ``.pyc``.

``re`` compiles a pattern in pure Python (parse it, then generate the matcher's code, character
class by character class) and keeps the result only for the process. A `tinkc check` compiles
about 80 patterns — tinkc's readers, PyYAML's resolver, argparse, platform, the OpenAPI backend's
classes — in about 12 ms of its ~190 ms, the same ones in every run; a build compiles jinja's
lexer and the backends' too.

:func:`install` routes ``re``'s compiler (``re._compiler.compile``, which ``re`` calls only for a
pattern not in its own per-process cache) through a file of the matcher code compiled in earlier
runs. What is kept for a pattern is exactly what ``re._compiler.compile`` hands to ``_sre.compile``
— the final flags, the code, the group count and names — computed by ``re``'s own parser and code
generator the first time, keyed on the pattern's text, type and flags, in a file per Python build
and ``re`` engine version (``sys.hexversion``, ``_sre.MAGIC``). So the pattern objects are the ones
``re`` would make.

Only the patterns written as constants in the code of tinkc, the libraries its commands import and
the standard library are kept (see :func:`_kept`): a test suite's or a host program's own patterns,
or patterns built at run time, would only make the file, read whole by every run, longer. Used only on the CPython versions whose ``re`` internals it was written against (3.11 -
3.13); elsewhere ``re`` compiles as it does. The file lives with tinkc's other compiled code
(:mod:`tinkc.runcache`); ``TINKC_CACHE_DIR=off`` turns it off.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

from tinkc import runcache

FORMAT = 3  # of the file's content; part of its name (2: constant patterns only; 3: module constants of tinkc only)
MAX_ENTRIES = 1000
# whose patterns are kept (the top-level package of the module calling re): tinkc and the libraries
# its commands import; the standard library's count too (sys.stdlib_module_names)
KEPT_PACKAGES = frozenset({"tinkc", "yaml", "jinja2", "markupsafe", "attr", "attrs", "lark", "networkx"})

# (final flags, code, groups - 1, group index, index group): the arguments of _sre.compile after
# the pattern
Compiled = tuple[int, list[int], int, dict[str, int], tuple[str | None, ...]]


class PatternCache:
    """Matcher code by (pattern type, pattern, flags); :meth:`compile` is the drop-in for
    ``re._compiler.compile``."""

    def __init__(self, path: Path | None, compile_: Any, parse: Any, code: Any, sre_compile: Any) -> None:
        self.path = path
        self._compile, self._parse, self._code, self._sre_compile = compile_, parse, code, sre_compile
        self.entries: dict[tuple[str, str | bytes, int], Compiled] = _read(path) if path is not None else {}
        self.new: dict[tuple[str, str | bytes, int], Compiled] = {}
        self.hits = 0

    def compile(self, pattern: Any, flags: int = 0) -> Any:
        if type(pattern) not in (str, bytes) or flags & re.DEBUG:  # a parsed pattern, or a compile that prints
            return self._compile(pattern, flags)
        key = (type(pattern).__name__, pattern, int(flags))
        found = self.entries.get(key)
        if found is not None:
            self.hits += 1
        else:
            found = self._generate(pattern, int(flags))
            if _kept(pattern, sys._getframe(1)):
                self.entries[key] = self.new[key] = found
        return self._sre_compile(pattern, *found)

    def _generate(self, pattern: str | bytes, flags: int) -> Compiled:
        """What ``re._compiler.compile`` computes for ``_sre.compile``, with ``re``'s own parser and
        code generator (the same steps, in the same order)."""
        parsed = self._parse(pattern, flags)
        code = [int(op) for op in self._code(parsed, flags)]  # its opcodes are int subclasses marshal refuses
        groupindex = dict(parsed.state.groupdict)
        indexgroup: list[str | None] = [None] * parsed.state.groups
        for name, index in groupindex.items():
            indexgroup[index] = name
        return (int(flags | parsed.state.flags), code, parsed.state.groups - 1, groupindex, tuple(indexgroup))

    def save(self) -> None:
        if self.path is None or not self.new:
            return
        runcache.write_merged(self.path, self.new, _read(self.path), MAX_ENTRIES)
        self.new = {}


def _kept(pattern: str | bytes, frame: Any) -> bool:
    """Whether ``pattern`` is kept: written as a constant in the code (or module) of tinkc, of a
    library it imports or of the standard library — the first caller outside ``re`` decides. Patterns built
    at run time are not: a manifest's (the mock's routes), or one whose text changes from process
    to process (tokenize joins a set of string prefixes, in hash order) would add an entry at
    every run to a file every run reads whole."""
    while frame is not None:
        top = frame.f_globals.get("__name__", "").partition(".")[0]
        if top != "re":
            return (top in KEPT_PACKAGES or top in sys.stdlib_module_names) and _constant(pattern, frame, top == "tinkc")
        frame = frame.f_back
    return False


def _constant(pattern: str | bytes, frame: Any, own: bool) -> bool:
    """Whether ``pattern`` is a constant of the calling code, or, in tinkc's ``own`` code, of its
    module (``PATTERN = "..."`` at the top, compiled in a function by its name). Only tinkc's: a
    module's text can be built at import (tokenize's ``PseudoToken`` joins a set of prefixes, in an
    order that changes with the hash seed: a new 10 KB entry in every process)."""
    if pattern in frame.f_code.co_consts:
        return True
    kind = type(pattern)
    return own and any(type(value) is kind and value == pattern for value in frame.f_globals.values())


def _read(path: Path) -> dict[tuple[str, str | bytes, int], Compiled]:
    data = runcache.read(path)
    if not isinstance(data, dict):
        return {}
    return {k: v for k, v in data.items() if _valid_key(k) and _valid_entry(v)}


def _valid_key(k: Any) -> bool:
    return isinstance(k, tuple) and len(k) == 3 and (k[0], type(k[1])) in (("str", str), ("bytes", bytes)) and type(k[2]) is int


def _valid_entry(v: Any) -> bool:
    return (
        isinstance(v, tuple)
        and len(v) == 5
        and type(v[0]) is int
        and isinstance(v[1], list)
        and type(v[2]) is int
        and isinstance(v[3], dict)
        and isinstance(v[4], tuple)
    )


def cache_file(base: Path, magic: int) -> Path:
    """One file per Python build and ``re`` engine version (``magic``: its code format)."""
    return base / f"re-{sys.implementation.cache_tag}-{sys.hexversion:x}-{magic}-{FORMAT}.marshal"


_installed: PatternCache | None = None


def install() -> PatternCache | None:
    """Route ``re``'s compiling through the cache (once per process, as early as possible: most
    patterns are compiled while modules are imported). Returns the cache, or None when it is turned
    off or this Python's ``re`` is not one it knows."""
    global _installed
    if _installed is not None:
        return _installed
    if sys.implementation.name != "cpython" or not (3, 11) <= sys.version_info[:2] <= (3, 13):
        return None
    base = runcache.cache_dir()
    if base is None:
        return None
    # re's internals, as re/_compiler.py uses them (the engine module _sre is one of its globals)
    compiler: Any = getattr(re, "_compiler", None)
    parser: Any = getattr(re, "_parser", None)
    sre: Any = getattr(compiler, "_sre", None)
    if not (hasattr(compiler, "compile") and hasattr(compiler, "_code") and hasattr(parser, "parse") and hasattr(sre, "MAGIC")):
        return None
    cache = PatternCache(cache_file(base, sre.MAGIC), compiler.compile, parser.parse, compiler._code, sre.compile)
    compiler.compile = cache.compile
    runcache.on_exit(cache.save)
    _installed = cache
    return cache
