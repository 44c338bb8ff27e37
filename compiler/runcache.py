"""Where tinkc keeps its own compiled code between runs, and how such a file is read and written.

Like Python's ``.pyc`` files, these hold only what tinkc's own code compiles the same way every
time — attrs' generated methods (:mod:`tinkc.attrscache`), regular expressions
(:mod:`tinkc.recache`), the backends' jinja templates (:mod:`tinkc.backends.templates`) — never
anything a build outputs. They live in ``$TINKC_CACHE_DIR``, else ``$XDG_CACHE_HOME/tinkc``, else
``~/.cache/tinkc``; ``TINKC_CACHE_DIR=off`` turns them all off. A missing, unreadable or corrupt
file only means compiling, as without it.

The folder is bounded: each tinkc installation (a virtualenv, a checkout) keeps its own attrs file,
a new Python or ``re`` version or file format a new file, and jinja a new entry for every template
text it compiles, so the files of installations since removed or upgraded would stay forever.
Whenever a file of one of these kinds is written, those of the same kind that have not been
written for :data:`MAX_AGE_DAYS` are removed (:func:`prune`). A file still in use that is removed
so (an installation that compiled nothing new for that long) costs its next run one compile.
"""

from __future__ import annotations

import atexit
import marshal
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

MAX_AGE_DAYS = 30  # a cache file not written for this long is removed when another of its kind is


def cache_dir() -> Path | None:
    """Where tinkc keeps what it compiled for later runs, or None when turned off."""
    configured = os.environ.get("TINKC_CACHE_DIR")
    if configured == "off":
        return None
    if configured:
        return Path(configured)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "tinkc"


def read(path: Path) -> Any:
    """The marshalled content of ``path``, or None when it cannot be read."""
    try:
        return marshal.loads(path.read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        return None


def write_merged(path: Path, entries: dict[Any, Any], now: dict[Any, Any], max_entries: int) -> None:
    """Write ``entries`` merged into ``now`` (what the file holds now, read by the caller): so that
    processes compiling different things at once (a build's forked emitters, each saving as it
    ends) keep each other's entries. This process's entries win and count as the most recently
    used; past ``max_entries`` the least recently used are dropped (what an edited tinkc no longer
    compiles). The whole file is replaced atomically; a cache directory that cannot be written is
    left alone (the next run compiles again)."""
    for key in entries:
        now.pop(key, None)
    now.update(entries)
    data = marshal.dumps(dict(list(now.items())[-max_entries:]))
    import tempfile  # only when there is something to save (its import costs a check 10 ms)

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".cache-")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise
    except OSError:
        return
    # its kind: the name's first word (each cache names its files `<kind>-<what it is for>.marshal`)
    prune(path.parent, path.name.partition("-")[0] + "-*.marshal", keep=path)


def prune(folder: Path, pattern: str, keep: Path | None = None) -> None:
    """Remove the files of ``folder`` matching ``pattern`` (a glob: one kind of cache file) that
    have not been written for :data:`MAX_AGE_DAYS`, but ``keep``. Best effort: a file another
    process removes or replaces meanwhile, or one that cannot be removed, is left to the next
    time."""
    import time

    oldest = time.time() - MAX_AGE_DAYS * 86400
    try:
        candidates = list(folder.glob(pattern))
    except OSError:
        return
    for candidate in candidates:
        if candidate == keep:
            continue
        try:
            if candidate.is_file() and not candidate.is_symlink() and candidate.stat().st_mtime < oldest:
                candidate.unlink()
        except OSError:
            pass


_savers: list[Callable[[], None]] = []


def on_exit(save: Callable[[], None]) -> None:
    """Run ``save`` when the process ends, or when :func:`save_all` is called."""
    if not _savers:
        atexit.register(save_all)
    _savers.append(save)


def save_all() -> None:
    """Save what this process compiled (at exit; a process that ends with ``os._exit``, such as a
    forked emitter, calls it itself)."""
    for save in _savers:
        save()
