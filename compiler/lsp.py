"""`tinkc lsp`: a language server (LSP over stdio) that checks manifests as the editor edits them.

A cold `tinkc check` spends most of its time starting Python and importing tinkc; an editor that
checks on every save pays that each time. The server imports tinkc once and runs the same front half
as `tinkc check` (load, lower, the validation passes) in-process on every save, and on every change
after a short quiet period, reading the editor's unsaved buffers instead of the files on disk.

The parts that decide something (which manifests a changed file belongs to, how a tinkc diagnostic
becomes an LSP one, when a change is checked) are plain classes without I/O: :class:`Checker`,
:func:`to_lsp` and :class:`Debouncer`. :func:`serve` wires them to pygls.
"""

from __future__ import annotations

import os
import re
import traceback
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Protocol

from lsprotocol import types

from tinkc.diagnostics import Diagnostic, Severity, Sink
from tinkc.ir.span import Span

SOURCE = "tinkc"
DEFAULT_DEBOUNCE_MS = 300  # typing pauses shorter than this are not checked; a save always is
MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")

_SEVERITY = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
    Severity.NOTE: types.DiagnosticSeverity.Information,
}
# LSP counts lines split at \n, \r\n and \r only (str.splitlines also splits at \f, \x1c, U+2028, ...)
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
# a root manifest declares the service; a file that only holds types (imported) does not
_DECLARES_SERVICE = re.compile(r'^(?:service\s*:|\s*"service"\s*:)', re.MULTILINE)
# a place in a hint, as a Span prints itself: FILE:LINE:COL
_PLACE = re.compile(r"(\S+):(\d+):(\d+)")
_SAYS_SCHEMA_VERSION = re.compile(r'^schema_version\s*:|"schema_version"\s*:', re.MULTILINE)


def utf16_units(text: str) -> int:
    """How many UTF-16 code units ``text`` takes: LSP's default unit of columns (tinkc counts code
    points, so a character beyond the Basic Multilingual Plane, an emoji, is one column to tinkc
    and two to the editor)."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def to_range(span: Span, lines: list[str]) -> types.Range:
    """A 1-based, end-exclusive tinkc span (columns in code points) → a 0-based LSP range (columns in
    UTF-16 code units of the line's text). Positions past a line's end are kept past it: the client
    clamps them, as the protocol says."""

    def position(line: int, col: int) -> types.Position:
        text = lines[line - 1] if 1 <= line <= len(lines) else ""
        before = text[: max(col - 1, 0)]
        extra = max(col - 1 - len(text), 0)  # a column past the end (an end-exclusive caret after the last character)
        return types.Position(line=max(line - 1, 0), character=utf16_units(before) + extra)

    start = position(span.line, span.col)
    end = position(span.end_line, span.end_col)
    if (end.line, end.character) < (start.line, start.character):
        end = start
    return types.Range(start=start, end=end)


def to_lsp(diagnostic: Diagnostic, lines: list[str], sources: dict[str, list[str]] | None = None) -> types.Diagnostic:
    """A tinkc diagnostic as the editor shows it: the hint and notes follow the message, as
    `tinkc check` prints them under it (an editor shows the message; not every one shows
    relatedInformation). A hint or note that names a place of a file the check read (`first
    declared at FILE:LINE:COL`) is also related information there, so the editor can go to it.
    ``sources`` holds the lines of every file the check read, by the name diagnostics give it."""
    message = diagnostic.message
    related: list[types.DiagnosticRelatedInformation] = []
    for kind, text in [("hint", diagnostic.hint), *(("note", n) for n in diagnostic.notes)]:
        if not text:
            continue
        message += f"\n{kind}: {text}"
        for place in _PLACE.finditer(text):
            display, line, col = place.group(1), int(place.group(2)), int(place.group(3))
            if sources is not None and display in sources:
                at = to_range(Span(file=display, line=line, col=col, end_line=line, end_col=col + 1), sources[display])
                related.append(
                    types.DiagnosticRelatedInformation(
                        location=types.Location(uri=resolve_display(display).as_uri(), range=at), message=text
                    )
                )
    span = diagnostic.span
    where = (
        to_range(span, lines)
        if span is not None
        else types.Range(start=types.Position(line=0, character=0), end=types.Position(line=0, character=0))
    )
    return types.Diagnostic(
        range=where,
        message=message,
        severity=_SEVERITY[diagnostic.severity],
        code=diagnostic.code,
        source=SOURCE,
        related_information=related or None,
    )


def split_lines(text: str) -> list[str]:
    return _LINE_BREAK.split(text)


def resolve_display(display: str) -> Path:
    """The file a diagnostic names: tinkc names files relative to the working directory."""
    return (Path(os.getcwd()) / display).resolve()


class Checker:
    """Which manifests to check when a file changes, the check itself, and what to publish.

    ``overlay`` holds the text of the documents open in the editor (resolved path → text). A check
    of a root manifest remembers every file it read, so that a change to an imported file re-checks
    the manifests that import it, and what it published to each file, so that a file whose problems
    are gone gets an empty list.
    """

    def __init__(self) -> None:
        self.overlay: dict[Path, str] = {}
        self._read_by: dict[Path, set[Path]] = {}  # file → the roots whose last check read it
        self._found: dict[Path, dict[Path, list[types.Diagnostic]]] = {}  # root → file → its diagnostics

    def roots_of(self, path: Path) -> list[Path]:
        """The manifests to check when ``path`` changed: those whose last check read it; else ``path``
        itself when it declares a service; else the manifests nearby that import it; else ``path``
        when it says `schema_version` (a manifest that lacks its service); else none."""
        known = self._read_by.get(path)
        if known:
            return sorted(known)
        text = self._text(path)
        if text is not None and _DECLARES_SERVICE.search(text):
            return [path]
        importers = self._importers_nearby(path)
        if importers:
            return importers
        # any other YAML or JSON file (a CI workflow, a docker-compose file) is left alone: the
        # editor attaches the server to every YAML file, and only manifests say `schema_version`
        return [path] if text is not None and _SAYS_SCHEMA_VERSION.search(text) else []

    def _text(self, path: Path) -> str | None:
        if path in self.overlay:
            return self.overlay[path]
        try:
            return path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None

    def _importers_nearby(self, path: Path) -> list[Path]:
        """Manifests in the file's folder or the one above that name it (an imported types file is
        usually beside its manifest or in a subfolder of it). Only a hint of where to look: the
        check itself tells whether they import it."""
        found: list[Path] = []
        for folder in dict.fromkeys((path.parent, path.parent.parent)):
            try:
                candidates = sorted(p for p in folder.iterdir() if p.suffix in MANIFEST_SUFFIXES and p.is_file())
            except OSError:
                continue
            for candidate in candidates:
                candidate = candidate.resolve()
                if candidate == path:
                    continue
                text = self._text(candidate)
                if text is not None and path.name in text and _DECLARES_SERVICE.search(text):
                    found.append(candidate)
        return found

    def check(self, root: Path) -> dict[Path, list[types.Diagnostic]]:
        """Check one root manifest (as `tinkc check` does) and return what to publish: every file
        with diagnostics now, and every file that had some from this root before (now maybe none),
        each with the diagnostics of all roots that read it."""
        from tinkc.frontend.load import load_manifest
        from tinkc.frontend.lower import lower
        from tinkc.pipeline import Result, run_passes

        sink = Sink()
        result = Result(sink=sink)
        result.manifest = load_manifest(root, sink, result.sources, overlay=self.overlay)
        if result.manifest is not None:
            api = lower(result.manifest, sink)
            if api is not None:
                run_passes(api, result, optimize=False)
        read = {root} | {resolve_display(d) for d in result.sources}
        if result.manifest is not None:
            read |= {doc.path for doc in result.manifest.documents}
        return self.record(root, read, sink.items, result.sources)

    def record(
        self, root: Path, read: Iterable[Path], diagnostics: Iterable[Diagnostic], sources: dict[str, str]
    ) -> dict[Path, list[types.Diagnostic]]:
        for roots in self._read_by.values():
            roots.discard(root)
        for path in read:
            self._read_by.setdefault(path, set()).add(root)
        self._read_by = {p: r for p, r in self._read_by.items() if r}
        diagnostics = list(diagnostics)
        # each file's lines, for the ranges (not split when there is nothing to publish: a clean save)
        lines = {display: split_lines(text) for display, text in sources.items()} if diagnostics else {}
        found: dict[Path, list[types.Diagnostic]] = {}
        for d in diagnostics:
            display = d.span.file if d.span is not None else None
            path = resolve_display(display) if display is not None else root
            found.setdefault(path, []).append(to_lsp(d, lines.get(display, []) if display is not None else [], lines))
        before = self._found.get(root, {})
        self._found[root] = found
        publish: dict[Path, list[types.Diagnostic]] = {}
        for path in sorted({root, *before, *found}):
            publish[path] = [d for r in sorted(self._found) for d in self._found[r].get(path, [])]
        return publish

    def files_of(self, root: Path) -> list[Path]:
        """The files the last check of ``root`` read."""
        return sorted(p for p, roots in self._read_by.items() if root in roots)

    def forget(self, root: Path) -> dict[Path, list[types.Diagnostic]]:
        """Drop a root (its document was closed and nothing open reads it): clear what it published."""
        before = self._found.pop(root, {})
        for roots in self._read_by.values():
            roots.discard(root)
        self._read_by = {p: r for p, r in self._read_by.items() if r}
        return {path: [d for r in sorted(self._found) for d in self._found[r].get(path, [])] for path in sorted(before)}


class Cancellable(Protocol):
    def cancel(self) -> None: ...


class Debouncer:
    """Runs a check once the edits to a document have paused for ``delay`` seconds; a save runs it
    at once. ``call_later(delay, fn)`` is the event loop's (tests pass a fake clock's)."""

    def __init__(self, delay: float, call_later: Callable[[float, Callable[[], None]], Cancellable]) -> None:
        self.delay = delay
        self._call_later = call_later
        self._pending: dict[object, Cancellable] = {}

    def later(self, key: object, fn: Callable[[], None]) -> None:
        self.cancel(key)

        def run() -> None:
            self._pending.pop(key, None)
            fn()

        self._pending[key] = self._call_later(self.delay, run)

    def now(self, key: object, fn: Callable[[], None]) -> None:
        self.cancel(key)
        fn()

    def cancel(self, key: object) -> None:
        handle = self._pending.pop(key, None)
        if handle is not None:
            handle.cancel()

    @property
    def pending(self) -> int:
        return len(self._pending)


def serve(debounce_ms: int = DEFAULT_DEBOUNCE_MS) -> None:
    """Run the language server on stdin/stdout until the client says `exit`."""
    import asyncio
    import gc

    from pygls.lsp.server import LanguageServer
    from pygls.uris import from_fs_path, to_fs_path

    from tinkc import __version__

    server = LanguageServer("tinkc", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Full)
    checker = Checker()
    debouncer: Debouncer | None = None
    # the URI the editor named each file by: tinkc works on resolved paths, and a path through a
    # symlink (or spelt with other escapes) would be another document to the editor
    uris: dict[Path, str] = {}

    def path_of(uri: str) -> Path | None:
        fs = to_fs_path(uri)
        if fs is None or not fs.endswith(MANIFEST_SUFFIXES):
            return None
        path = Path(fs).resolve()
        uris.setdefault(path, uri)
        return path

    def log(kind: types.MessageType, message: str) -> None:
        server.window_log_message(types.LogMessageParams(type=kind, message=message))

    def publish(found: dict[Path, list[types.Diagnostic]]) -> None:
        for target, diagnostics in found.items():
            server.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(uri=uris.get(target) or from_fs_path(str(target)) or "", diagnostics=diagnostics)
            )

    def check(path: Path) -> None:
        try:
            roots = checker.roots_of(path)
        except Exception as exc:  # noqa: BLE001 - as below
            log(types.MessageType.Error, f"tinkc: internal error finding the manifests of {path}: {type(exc).__name__}: {exc}")
            return
        check_roots(roots)

    def check_roots(roots: list[Path]) -> None:
        # A check allocates ~300k objects that live until it ends: the cyclic collector rescans them
        # as they pile up (~8 of the ~78 ms of a check of the bundled manifest, measured). It is off
        # during the checks and on again once the diagnostics are out, where it collects them.
        gc.disable()
        try:
            for root in roots:
                try:
                    found = checker.check(root)
                except Exception as exc:  # noqa: BLE001 - a bug in tinkc must not take the editor's server down
                    error = f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}"
                    log(types.MessageType.Error, f"tinkc: internal error checking {root}: {error}")
                    continue
                publish(found)
        finally:
            gc.enable()

    def schedule() -> Debouncer:
        nonlocal debouncer
        if debouncer is None:  # the loop runs only once the server does
            loop = asyncio.get_running_loop()
            debouncer = Debouncer(debounce_ms / 1000, loop.call_later)
        return debouncer

    @server.feature(types.INITIALIZED)
    def initialized(params: types.InitializedParams) -> None:
        # import the checker's modules now, while the editor is still opening its files, rather
        # than in the first check (load, lower and the passes import on first use)
        from tinkc.frontend import load, lower  # noqa: F401
        from tinkc.pipeline import pass_names

        pass_names()  # imports every pass

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(params: types.DidOpenTextDocumentParams) -> None:
        path = path_of(params.text_document.uri)
        if path is not None:
            checker.overlay[path] = params.text_document.text
            schedule().now(path, lambda: check(path))

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(params: types.DidChangeTextDocumentParams) -> None:
        path = path_of(params.text_document.uri)
        if path is not None:
            # full sync: pygls has applied the change to its copy of the document
            checker.overlay[path] = server.workspace.get_text_document(params.text_document.uri).source
            schedule().later(path, lambda: check(path))

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE, types.SaveOptions(include_text=True))
    def did_save(params: types.DidSaveTextDocumentParams) -> None:
        path = path_of(params.text_document.uri)
        if path is not None:
            if params.text is not None:
                checker.overlay[path] = params.text
            schedule().now(path, lambda: check(path))

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(params: types.DidCloseTextDocumentParams) -> None:
        path = path_of(params.text_document.uri)
        if path is None:
            return
        checker.overlay.pop(path, None)
        schedule().cancel(path)
        try:
            roots = checker.roots_of(path)
        except Exception as exc:  # noqa: BLE001 - as in check(): said, and the server goes on
            log(types.MessageType.Error, f"tinkc: internal error finding the manifests of {path}: {type(exc).__name__}: {exc}")
            return
        for root in roots:
            if any(p in checker.overlay for p in checker.files_of(root)):
                check_roots([root])  # another of its files is open: the closed one is read from disk again
            else:
                publish(checker.forget(root))  # nothing of it is open: its problems leave the editor with it

    server.start_io()
