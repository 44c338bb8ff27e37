"""Diagnostics: every error a user can cause, as a value.

A diagnostic has a stable dotted code (``ref.unknown-type``), a severity, a message, the source span
and, where it helps, a hint. Stages report into a :class:`Sink`; nothing below the CLI prints.
The renderer draws them like the best compilers do::

    error[ref.unknown-type]: unknown type `ForwardRequst`
      --> manifests/tinker.yaml:120:14
        |
    120 |     request: ForwardRequst
        |              ^^^^^^^^^^^^^
        = hint: did you mean `ForwardRequest`?
"""

from __future__ import annotations

import enum
import json
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from tinkc.ir.span import Span


class Severity(enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"


_SEVERITY_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.NOTE: 2}


@attrs.frozen(kw_only=True)
class Diagnostic:
    code: str
    severity: Severity
    message: str
    span: Span | None = None
    hint: str | None = None
    notes: tuple[str, ...] = ()

    def sort_key(self) -> tuple[Any, ...]:
        s = self.span
        where = (s.file, s.line, s.col) if s is not None else ("", 0, 0)
        return (*where, _SEVERITY_ORDER[self.severity], self.code, self.message)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "code": self.code,
            "severity": self.severity.value,
            "message": self.message,
        }
        if self.span is not None:
            out["span"] = attrs.asdict(self.span)
        if self.hint:
            out["hint"] = self.hint
        if self.notes:
            out["notes"] = list(self.notes)
        return out


class Sink:
    """Collects the diagnostics of one run. Passes and the frontend report here, never print."""

    def __init__(self) -> None:
        self._items: list[Diagnostic] = []
        self._seen: set[tuple[Any, ...]] = set()

    def report(self, diagnostic: Diagnostic) -> None:
        key = (diagnostic.code, diagnostic.message, diagnostic.span)
        if key not in self._seen:  # the same fact found twice (e.g. via an import) is said once
            self._seen.add(key)
            self._items.append(diagnostic)

    def error(self, code: str, message: str, span: Span | None, hint: str | None = None, notes: Iterable[str] = ()) -> None:
        self.report(Diagnostic(code=code, severity=Severity.ERROR, message=message, span=span, hint=hint, notes=tuple(notes)))

    def warning(self, code: str, message: str, span: Span | None, hint: str | None = None, notes: Iterable[str] = ()) -> None:
        self.report(Diagnostic(code=code, severity=Severity.WARNING, message=message, span=span, hint=hint, notes=tuple(notes)))

    @property
    def items(self) -> list[Diagnostic]:
        return sorted(self._items, key=Diagnostic.sort_key)

    @property
    def has_errors(self) -> bool:
        return any(d.severity is Severity.ERROR for d in self._items)

    def error_count(self) -> int:
        return sum(1 for d in self._items if d.severity is Severity.ERROR)

    def warning_count(self) -> int:
        return sum(1 for d in self._items if d.severity is Severity.WARNING)


def did_you_mean(name: str, candidates: Iterable[str]) -> str | None:
    """A hint naming the closest candidate, or None when nothing is close."""
    import difflib  # only when a name is unknown: most runs never need it

    pool = sorted(set(candidates))
    matches = difflib.get_close_matches(name, pool, n=1, cutoff=0.6)
    if not matches:
        lowered = {c.lower(): c for c in pool}
        if name.lower() in lowered:
            matches = [lowered[name.lower()]]
    return f"did you mean `{matches[0]}`?" if matches else None


MAX_SHOWN_LINE = 160


def render_text(diagnostics: Iterable[Diagnostic], sources: Mapping[str, str], color: bool = False) -> str:
    """Render diagnostics with the source line and a caret under the span."""
    out: list[str] = []
    split: dict[str, list[str]] = {}  # each file split into lines once, not once per diagnostic
    for d in diagnostics:
        sev = d.severity.value
        if color:
            tint = {"error": "\x1b[1;31m", "warning": "\x1b[1;33m", "note": "\x1b[1;36m"}[sev]
            out.append(f"{tint}{sev}[{d.code}]\x1b[0m\x1b[1m: {d.message}\x1b[0m")
        else:
            out.append(f"{sev}[{d.code}]: {d.message}")
        if d.span is not None:
            s = d.span
            gutter = len(str(s.line))
            pad = " " * gutter
            out.append(f"{pad}--> {s.file}:{s.line}:{s.col}")
            if s.file not in split:
                text = sources.get(s.file)
                split[s.file] = text.splitlines() if text is not None else []
            lines = split[s.file]
            if 1 <= s.line <= len(lines):
                line = lines[s.line - 1].replace("\t", " ")
                end = s.end_col if s.end_line == s.line else len(line) + 1
                width = max(1, min(end, len(line) + 1) - s.col)
                col = s.col
                if len(line) > MAX_SHOWN_LINE:  # show a window around the caret, not a megabyte of line
                    start = max(0, min(col - 1 - MAX_SHOWN_LINE // 2, len(line) - MAX_SHOWN_LINE))
                    prefix = "…" if start else ""
                    shown = line[start : start + MAX_SHOWN_LINE]
                    line = prefix + shown + ("…" if start + MAX_SHOWN_LINE < len(line) else "")
                    col = col - start + len(prefix)
                    width = max(1, min(width, MAX_SHOWN_LINE - (col - 1 - len(prefix))))
                out.append(f"{pad} |")
                out.append(f"{s.line} | {line}")
                out.append(f"{pad} | {' ' * (col - 1)}{'^' * width}")
        for note in d.notes:
            out.append(f"{' ' * 2}= note: {note}")
        if d.hint:
            out.append(f"{' ' * 2}= hint: {d.hint}")
        out.append("")
    return "\n".join(out)


def summary_line(sink: Sink) -> str:
    e, w = sink.error_count(), sink.warning_count()
    parts = []
    if e:
        parts.append(f"{e} error{'s' if e != 1 else ''}")
    if w:
        parts.append(f"{w} warning{'s' if w != 1 else ''}")
    return ", ".join(parts) if parts else "no problems"


def render_json(diagnostics: Iterable[Diagnostic]) -> str:
    return json.dumps({"diagnostics": [d.to_json() for d in diagnostics]}, indent=2, sort_keys=True)
