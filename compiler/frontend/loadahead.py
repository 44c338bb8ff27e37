"""Loading a manifest in a second process while this one imports the rest of the compiler.

A fresh `tinkc check` or `tinkc build` spends about 30 ms importing what comes after loading
(lowering, the IR's classes, the passes) and about 25 ms importing PyYAML and loading the manifest;
neither needs the other. So :func:`start` forks a process that loads the manifest with
:func:`tinkc.frontend.load.load_manifest`, unchanged, and sends back through a pipe the model, the
files' texts and the loader's diagnostics as plain data (:mod:`marshal`), while this process goes
on importing; :meth:`Loading.result` rebuilds them here. The model's spans are plain positions until
read (:mod:`tinkc.frontend.model`), so they cross as they are. On two cores a check's wall time
drops by the load's share; on one, the loading process only interleaves with this one.

It forks only where that is safe and pays: on a platform with ``fork``, with no other thread
running (a forked copy of a threaded process may hold another thread's locks), and for the CLI's
commands, which start a process per run (``compile_manifest(load_ahead=True)``); a long-running
process (`tinkc lsp`, a test session) has the compiler imported already and loads in process. When
the loading process fails in any way (killed, out of memory, an internal error), the caller loads the
manifest in process, which reports the same as it would have: :class:`LoadingFailed`.
"""

from __future__ import annotations

import marshal
import os
import threading
from pathlib import Path
from typing import Any

from tinkc.diagnostics import Diagnostic, Severity, Sink
from tinkc.forked import reap
from tinkc.frontend.model import Document, Entry, Manifest, Mapping, Node, Scalar, Sequence, positions_of
from tinkc.ir.span import Span

# the node kinds as they cross the pipe: (SCALAR, value, span, quoted), (SEQUENCE, [item...], span),
# (MAPPING, [(key, key span, value)...], span); a span is (file, line, col, end line, end col),
# zero-based (the model's positions)
SCALAR, SEQUENCE, MAPPING = 0, 1, 2


class LoadingFailed(Exception):
    """The loading process ended without a manifest to give: load it in process instead."""


class Loading:
    """A manifest being loaded by another process (:func:`start`)."""

    def __init__(self, pid: int, pipe: int) -> None:
        self.pid = pid
        self.pipe = os.fdopen(pipe, "rb")  # closed when dropped: the loading process then ends

    def result(self, sink: Sink, sources: dict[str, str]) -> Manifest | None:
        """What ``load_manifest(path, sink, sources)`` returns, with its diagnostics reported into
        ``sink`` and the files' texts into ``sources``. Raises :class:`LoadingFailed` when the
        loading process gave nothing usable. The data decides, not the exit status: a process that
        sent all of it and then failed (saving its caches) has done its work; one that sent part of
        it gives data that does not decode."""
        try:
            with self.pipe:
                data = self.pipe.read()
            try:
                # decoded before the process is waited for: it may still be saving what it compiled
                return decode(marshal.loads(data), sink, sources)
            except (EOFError, ValueError, TypeError, IndexError) as exc:
                failure = exc
        finally:
            ended = reap(self.pid)
        raise LoadingFailed(f"the loading process {ended} without sending a manifest ({failure})") from failure

    def cancel(self) -> None:
        """Stop the loading process and wait for it (its result is not wanted)."""
        import signal  # (its enums take a check 0.6 ms to import; a cancel is rare)

        self.pipe.close()
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        reap(self.pid)


def start(path: str | Path) -> Loading | None:
    """Fork a process loading ``path``; None where forking is not safe (see the module's doc)."""
    if not hasattr(os, "fork") or threading.active_count() > 1 or _processors() < 2:
        return None
    read_end, write_end = os.pipe()
    try:
        pid = os.fork()
    except OSError:  # no memory or process left for it: load in process
        os.close(read_end)
        os.close(write_end)
        return None
    if pid == 0:  # the loading process: never returns
        status = 1
        try:
            os.close(read_end)
            data = marshal.dumps(_load(path))
            with os.fdopen(write_end, "wb") as pipe:
                pipe.write(data)
            status = 0  # (what follows is for later runs: its failure is not this one's)
            from tinkc import runcache

            runcache.save_all()  # what it compiled (PyYAML's patterns): ended by os._exit, not at exit
        finally:
            os._exit(status)  # nothing of the parent's (its buffered output, atexit handlers) runs twice
    os.close(write_end)
    return Loading(pid, read_end)


def _processors() -> int:
    """How many processors this process may run on: with one, the two processes would only take
    turns, and the crossing of the pipe would be added time."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on every platform
        return os.cpu_count() or 1


def _load(path: str | Path) -> tuple[Any, ...]:
    from tinkc.frontend.load import load_manifest

    sink = Sink()
    sources: dict[str, str] = {}
    return encode(load_manifest(path, sink, sources), sink, sources)


# -- the data that crosses the pipe ------------------------------------------------------------


def encode(manifest: Manifest | None, sink: Sink, sources: dict[str, str]) -> tuple[Any, ...]:
    """A loaded manifest, its diagnostics and sources as data :mod:`marshal` writes."""
    documents = None
    if manifest is not None:
        documents = [(str(d.path), d.display, _encode_node(d.root)) for d in manifest.documents]
    # sorted, as they are shown: the sort is stable, so replayed before any later stage's, they
    # sort as they would have in process
    diagnostics = [
        (d.code, d.severity.value, d.message, None if d.span is None else _span_values(d.span), d.hint, d.notes) for d in sink.items
    ]
    return (documents, diagnostics, sources)


def decode(data: tuple[Any, ...], sink: Sink, sources: dict[str, str]) -> Manifest | None:
    """The inverse of :func:`encode`: the diagnostics reported into ``sink``, the texts added to
    ``sources`` (the same dict the manifest keeps, as ``load_manifest`` does)."""
    documents, diagnostics, texts = data
    # all made before anything is reported: data that does not decode leaves the sink as it was
    made = [
        Diagnostic(
            code=code, severity=Severity(severity), message=message, span=None if span is None else Span(*span), hint=hint, notes=notes
        )
        for code, severity, message, span, hint, notes in diagnostics
    ]
    loaded = (
        None
        if documents is None
        else [Document(path=Path(p), display=display, root=_decode_mapping(node)) for p, display, node in documents]
    )
    for diagnostic in made:
        sink.report(diagnostic)
    sources.update(texts)
    if loaded is None:
        return None
    return Manifest(root=loaded[0], imported=loaded[1:], sources=sources)


def _span_values(span: Span) -> tuple[str, int, int, int, int]:
    return (span.file, span.line, span.col, span.end_line, span.end_col)


def _encode_node(node: Node) -> tuple[Any, ...]:
    if isinstance(node, Scalar):
        return (SCALAR, node.value, positions_of(node._span), node.quoted)
    if isinstance(node, Sequence):
        return (SEQUENCE, [_encode_node(n) for n in node.items], positions_of(node._span))
    return (MAPPING, [(e.key, positions_of(e._key_span), _encode_node(e.value)) for e in node], positions_of(node._span))


def _decode_node(data: tuple[Any, ...]) -> Node:
    kind = data[0]
    if kind == SCALAR:
        return Scalar(data[1], data[2], data[3])  # (value, span, quoted)
    if kind == SEQUENCE:
        return Sequence([_decode_node(n) for n in data[1]], data[2])  # (items, span)
    return _decode_mapping(data)


def _decode_mapping(data: tuple[Any, ...]) -> Mapping:
    entries = {}
    for key, key_span, value in data[1]:
        # half of all nodes: a mapping's scalar value, made here without a call
        entries[key] = Entry(key, key_span, Scalar(value[1], value[2], value[3]) if value[0] == SCALAR else _decode_node(value))
    return Mapping(entries, data[2])  # (entries, span)
