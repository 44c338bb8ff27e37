"""attrs' generated methods kept between runs, as Python keeps a module's bytecode in ``.pyc``.

Every ``@attrs.define``/``@attrs.frozen`` class gets its ``__init__``, ``__eq__``, ``__hash__``,
``__repr__``... as Python source that attrs writes and compiles when the class statement runs. tinkc
defines about 150 such classes (the IR, the SDK plan, the diagnostics), and compiling their methods
was about a third of `tinkc check`'s CPU time, in every process, for the same text every time.

So :func:`install` gives attrs' code generator (the module ``attr._make``, which calls the builtin
``compile`` by its global name) a ``compile`` that first looks the script up in a file of code
objects kept from earlier runs: an entry is used only when its script is character for character the
one attrs wrote now, under the same file name, so the methods are exactly the ones attrs would
compile (a changed class — a field added, attrs upgraded — writes another script and is compiled
again). The classes attrs builds for itself while it is imported (its validators, ``Factory``...)
go through the cache too: :func:`install` imports attrs with a finder that gives ``attr._make`` the
cache's ``compile`` before that module runs. Compiled scripts are added to the file when the
process ends. The file is per Python version (``sys.implementation.cache_tag``: code objects are
not portable) and lives with tinkc's other compiled code (:mod:`tinkc.runcache`). A missing,
unreadable or corrupt file only means compiling, as without the cache; the classes are the same
either way.

Only tinkc's classes and attrs' own are kept. The libraries that `tinkc lsp` and `tinkc mock` import
define hundreds more (lsprotocol alone 550): kept, they made the file three times larger, and
reading it cost every `tinkc check` 4 ms more, for processes that start once and run for long.
"""

from __future__ import annotations

import builtins
import marshal
import os
import sys
import zlib
from collections.abc import Callable
from pathlib import Path
from types import CodeType
from typing import Any

from tinkc import runcache

FORMAT = 2  # of the file's content; part of its name
# Entries kept at most: scripts of classes that no longer exist (an edited tinkc) are dropped, least
# recently used first, past this many.
MAX_ENTRIES = 1000


def cache_file(base: Path) -> Path:
    """One file per Python version and per tinkc installation: two checkouts whose classes differ
    keep their own entries instead of replacing each other's at every run."""
    where = zlib.crc32(os.fsencode(Path(__file__).resolve().parent))
    return base / f"attrs-{sys.implementation.cache_tag}-{marshal.version}-{FORMAT}-{where:08x}.marshal"


class CodeCache:
    """Compiled scripts by (file name, script): ``compile`` is the drop-in for the builtin."""

    def __init__(self, path: Path | None, keep: Callable[[str], bool] = lambda filename: True) -> None:
        self.path = path
        self.keep = keep  # which scripts are kept, by file name
        # file name -> (script, code, the number that is _SALT in the script, if any); a file name is
        # one class's (attrs makes it unique per class)
        self.entries: dict[str, tuple[str, CodeType, int | None]] = {}
        self.compiled = 0  # scripts compiled here, not found in the file
        self.rewrite = False  # the file is to be written even when nothing was compiled
        self.hits = 0
        if path is not None:
            self.entries, dropped = self._read(path)
            # entries this cache does not keep (an older tinkc kept every class) are dropped from
            # the file by a save, which this makes happen once
            self.rewrite = dropped > 0

    def compile(self, source: Any, filename: Any, mode: str, *args: Any, **kwargs: Any) -> Any:
        if not (isinstance(source, str) and isinstance(filename, str) and mode == "exec" and not args and not kwargs):
            return builtins.compile(source, filename, mode, *args, **kwargs)
        # A hashable class's __hash__ starts from hash() of the class's name, which Python
        # randomizes per process, written into the script as a number: the entry keeps the
        # script with that number replaced by a placeholder, and the number its code holds.
        salt = _type_hash(filename)
        if salt is not None and str(salt) in source:
            script = source.replace(str(salt), _SALT)
        else:
            script, salt = source, None
        found = self.entries.get(filename)
        if found is not None and found[0] == script:
            self.hits += 1
            # most recently used last, so that trimming drops the stale entries first
            self.entries[filename] = self.entries.pop(filename)
            code, old = found[1], found[2]
            return code if salt is None or old == salt else _replace_constant(code, old, salt)
        code = builtins.compile(source, filename, mode)
        if self.keep(filename):
            self.entries.pop(filename, None)
            self.entries[filename] = (script, code, salt)
            self.compiled += 1
        return code

    def save(self) -> None:
        """Write the entries back when something was compiled: merged into what the file holds
        now (:func:`tinkc.runcache.write_merged`)."""
        if self.path is None or not (self.compiled or self.rewrite):
            return
        runcache.write_merged(self.path, self.entries, self._read(self.path)[0], MAX_ENTRIES)
        self.compiled, self.rewrite = 0, False

    def _read(self, path: Path) -> tuple[dict[str, tuple[str, CodeType, int | None]], int]:
        """The file's entries this cache keeps, and how many others it held."""
        data = runcache.read(path)
        if not isinstance(data, dict):
            return {}, 0
        kept = {
            k: v
            for k, v in data.items()
            if isinstance(k, str)
            and self.keep(k)
            and isinstance(v, tuple)
            and len(v) == 3
            and isinstance(v[0], str)
            and isinstance(v[1], CodeType)
            and (v[2] is None or type(v[2]) is int)
        }
        return kept, len(data) - len(kept)


def tinkc_or_attrs(filename: str) -> bool:
    """Whether the methods in ``filename`` are of a class of tinkc's or of attrs' own."""
    if not filename.startswith(_PREFIX):
        return False
    qualified = filename[len(_PREFIX) :].partition(" ")[2]
    return qualified.partition(".")[0] in ("tinkc", "attr", "attrs")


_SALT = "__tinkc_attrs_type_hash__"
_PREFIX = "<attrs generated "


def _type_hash(filename: str) -> int | None:
    """The number attrs writes into the __hash__ of the class whose methods are ``filename``: a
    class's methods are ``<attrs generated methods CLASS>``, and the classes attrs builds for itself
    get theirs one by one (``<attrs generated __hash__ CLASS>``)."""
    if not filename.startswith(_PREFIX) or " " not in filename[len(_PREFIX) :]:
        return None
    return hash("<attrs generated hash " + filename[len(_PREFIX) :].split(" ", 1)[1])


def _replace_constant(code: CodeType, old: int | None, new: int) -> CodeType:
    """``code`` with the integer constant ``old`` replaced by ``new``, in nested functions too.
    Only the code objects that hold it are rebuilt (a class's ``__hash__`` and the module code
    around it; its ``__init__``, ``__eq__``, ``__repr__`` are returned as they are): rebuilding
    every one was ~2 ms of the ~20 ms that defining the IR's classes takes."""
    consts = code.co_consts
    replaced: list[Any] | None = None
    for i, c in enumerate(consts):
        if type(c) is int and c == old:
            c = new
        elif isinstance(c, CodeType):
            c = _replace_constant(c, old, new)
        else:
            continue
        if c is not consts[i]:
            if replaced is None:
                replaced = list(consts)
            replaced[i] = c
    return code if replaced is None else code.replace(co_consts=tuple(replaced))


_installed: CodeCache | None = None


def install() -> CodeCache | None:
    """Route attrs' compiling through the cache (once per process; before tinkc's classes are
    defined). Returns the cache, or None when it is turned off or attrs compiles otherwise."""
    global _installed
    if _installed is not None:
        return _installed
    base = runcache.cache_dir()
    if base is None:
        return None
    cache = CodeCache(cache_file(base), keep=tinkc_or_attrs)
    finder = None
    if "attr._make" not in sys.modules:
        # attrs builds classes of its own while it is imported (its validators, Attribute,
        # Factory...): 3-4 ms of a check compiling them. The finder hands attr._make this cache's
        # compile before that module's code runs, so those are cached too.
        finder = _AttrsMakeFinder(cache)
        sys.meta_path.insert(0, finder)
    try:
        from attr import _make
    except ImportError:  # an attrs that is laid out otherwise: compile as it does
        return None
    finally:
        if finder in sys.meta_path:  # (it removes itself when it finds attr._make)
            sys.meta_path.remove(finder)
    if not hasattr(_make, "_compile_and_eval"):
        return None
    _make.compile = cache.compile  # type: ignore[attr-defined]  # shadows the builtin in that module only
    runcache.on_exit(cache.save)
    _installed = cache
    return cache


class _AttrsMakeFinder:
    """Finds ``attr._make`` as Python would, once, and gives the module the cache's ``compile``
    as a global before its code runs (the module defines no ``compile`` of its own: the name
    would otherwise be the builtin)."""

    def __init__(self, cache: CodeCache) -> None:
        self.cache = cache

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> Any:
        if fullname != "attr._make":
            return None
        sys.meta_path.remove(self)
        from importlib.machinery import PathFinder

        spec = PathFinder.find_spec(fullname, path)
        loader = spec.loader if spec is not None else None
        if loader is None or not hasattr(loader, "exec_module"):
            return spec
        cache, exec_module = self.cache, loader.exec_module

        def exec_with_cache(module: Any) -> None:
            module.compile = cache.compile
            exec_module(module)

        # on this spec's own loader (PathFinder made it for this one module), not on its class
        loader.exec_module = exec_with_cache  # type: ignore[method-assign]
        return spec
