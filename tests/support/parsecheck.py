"""Does every emitted file parse in its language? Each file is given to its language's own parser:

* Python (``.py``, ``.pyi``): ``compile()`` in-process (what ``ast.parse`` checks and what CPython
  checks when it compiles: a repeated parameter, ``await`` outside ``async``, …), its syntax
  warnings as errors (an invalid escape sequence is an error in a later Python); ``.toml`` with
  ``tomllib``, ``.json`` with ``json``, ``.yaml`` with PyYAML;
* TypeScript (``.ts``, ``.js``, …): the TypeScript compiler's parser, ``ts.createSourceFile``'s
  ``parseDiagnostics``, in one long-lived Node process (``parse_typescript.cjs``) using the pinned
  toolchain of ``tinkc.backends.typescript.toolchain`` (the one the toolchain tests use);
* Elixir (``.ex``, ``.exs``, ``mix.exs`` too): ``Code.string_to_quoted/2``, in one long-lived
  ``elixir`` process (``parse_elixir.exs``).

Files go to the external parsers in batches (one per `check` call; the Node and Elixir batches are
parsed at the same time as the Python files), and a text that parsed once is not parsed again (the
runtime files every SDK copies are sent once per session). Other files (Markdown, Graphviz, …) are
not checked.

Missing parsers (no ``node``, no ``elixir``, no npm to install TypeScript) raise ``ParserMissing``
with what to install: a test must fail on it, never skip.
"""

from __future__ import annotations

import atexit
import hashlib
import importlib.util
import json
import os
import re
import selectors
import shutil
import subprocess
import tempfile
import time
import tomllib
import warnings
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath
from types import ModuleType
from typing import IO

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
TYPESCRIPT_SCRIPT = os.path.join(HERE, "parse_typescript.cjs")
ELIXIR_SCRIPT = os.path.join(HERE, "parse_elixir.exs")

LANGUAGES = {
    ".py": "python",
    ".pyi": "python",
    ".toml": "toml",
    ".json": "json",
    ".yaml": "yaml",
    ".yml": "yaml",
    ".ts": "typescript",
    ".mts": "typescript",
    ".cts": "typescript",
    ".tsx": "typescript",
    ".js": "typescript",
    ".mjs": "typescript",
    ".cjs": "typescript",
    ".ex": "elixir",
    ".exs": "elixir",
}
# One batch's answers must come within this long (a parser that hangs fails the test, not the run).
TIMEOUT_S = 300.0


def language(path: str) -> str | None:
    """The language a file is checked as, or None when it is not checked."""
    return LANGUAGES.get(PurePosixPath(path).suffix)


class ParserMissing(RuntimeError):
    """A parser this check needs is not installed."""


@dataclass(frozen=True)
class Problem:
    """One file that does not parse: where, and the parser's message."""

    path: str
    language: str
    line: int
    col: int
    message: str

    def render(self, text: str | None = None) -> str:
        out = f"{self.path}:{self.line}:{self.col}: {self.language} parser: {self.message}"
        if text is None or self.line < 1:
            return out
        lines = text.splitlines()
        first = max(1, self.line - 2)
        for n in range(first, min(len(lines), self.line + 1) + 1):
            line = lines[n - 1]
            shown = line if len(line) <= 200 else line[:200] + " …"
            out += f"\n    {n:>5} | {shown}"
            if n == self.line and self.col >= 1:
                out += f"\n          | {' ' * min(self.col - 1, 200)}^"
        return out


def report(problems: Iterable[Problem], texts: dict[str, str] | None = None) -> str:
    texts = texts or {}
    return "\n".join(p.render(texts.get(p.path)) for p in problems)


# ---------------------------------------------------------------------------------------------
# In-process parsers


def _python(path: str, text: str) -> Problem | None:
    try:
        with warnings.catch_warnings():
            # what a later Python rejects (an invalid escape sequence) is an error here
            warnings.simplefilter("error", SyntaxWarning)
            warnings.simplefilter("error", DeprecationWarning)
            compile(text, path, "exec", dont_inherit=True)
    except SyntaxError as e:
        return Problem(path, "python", e.lineno or 0, e.offset or 0, f"{type(e).__name__}: {e.msg}")
    except (ValueError, Warning) as e:  # "source code string cannot contain null bytes"
        return Problem(path, "python", 0, 0, f"{type(e).__name__}: {e}")
    except (RecursionError, MemoryError) as e:  # nesting too deep for CPython: the module cannot be imported
        return Problem(path, "python", 0, 0, f"{type(e).__name__}: {e} (CPython cannot compile this file)")
    return None


TOML_AT = re.compile(r"\(at line (\d+), column (\d+)\)")


def _toml(path: str, text: str) -> Problem | None:
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        at = TOML_AT.search(str(e))
        line, col = (int(at.group(1)), int(at.group(2))) if at else (0, 0)
        return Problem(path, "toml", line, col, str(e))
    return None


def _json(path: str, text: str) -> Problem | None:
    try:
        json.loads(text)
    except json.JSONDecodeError as e:
        return Problem(path, "json", e.lineno, e.colno, e.msg)
    return None


YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _yaml(path: str, text: str) -> Problem | None:
    try:
        yaml.load(text, Loader=YAML_LOADER)  # noqa: S506 - a safe loader
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line, col = (mark.line + 1, mark.column + 1) if mark is not None else (0, 0)
        return Problem(path, "yaml", line, col, str(getattr(e, "problem", None) or e))
    return None


IN_PROCESS = {"python": _python, "toml": _toml, "json": _json, "yaml": _yaml}


# ---------------------------------------------------------------------------------------------
# Long-lived parser processes


class _Process:
    """A child that reads a batch on stdin and answers when the batch ends. Reads are unbuffered
    with a deadline, so a parser that dies or hangs is a clear failure, never a stuck test run."""

    def __init__(self, name: str, argv: list[str]) -> None:
        self.name = name
        self.stderr: IO[bytes] = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.stderr, bufsize=0)
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.stdin, self.stdout = self.proc.stdin, self.proc.stdout
        self.buffer = bytearray()
        self.selector = selectors.DefaultSelector()
        self.selector.register(self.stdout, selectors.EVENT_READ)

    def send(self, data: bytes) -> None:
        try:
            self.stdin.write(data)
        except BrokenPipeError:
            raise RuntimeError(self._died()) from None

    def _fill(self, deadline: float) -> None:
        if not self.selector.select(max(0.0, deadline - time.monotonic())):
            raise RuntimeError(f"the {self.name} parser gave no answer within {TIMEOUT_S:.0f} s")
        chunk = os.read(self.stdout.fileno(), 1 << 16)
        if not chunk:
            raise RuntimeError(self._died())
        self.buffer += chunk

    def read_line(self, deadline: float) -> bytes:
        while (end := self.buffer.find(b"\n")) < 0:
            self._fill(deadline)
        line = bytes(self.buffer[: end + 1])
        del self.buffer[: end + 1]
        return line

    def read_exactly(self, size: int, deadline: float) -> bytes:
        while len(self.buffer) < size:
            self._fill(deadline)
        data = bytes(self.buffer[:size])
        del self.buffer[:size]
        return data

    def _died(self) -> str:
        code = self.proc.wait(timeout=10)
        self.stderr.seek(0)
        return f"the {self.name} parser process exited ({code}):\n" + self.stderr.read().decode("utf-8", "replace")[-4000:]

    def close(self, kill: bool = False) -> None:
        if kill:
            self.proc.kill()
        try:
            self.stdin.close()
        except OSError:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.selector.close()
        self.stderr.close()


def _toolchain() -> ModuleType:
    """`tinkc.backends.typescript.toolchain` (the TypeScript compiler the toolchain tests use), read
    from its file when the backend's package does not import: the module needs nothing of tinkc, and
    the Python and Elixir files can still be checked while the TypeScript backend is broken."""
    try:
        from tinkc.backends.typescript import toolchain

        return toolchain
    except ImportError:
        backends = importlib.util.find_spec("tinkc.backends")
        assert backends is not None and backends.submodule_search_locations
        path = os.path.join(list(backends.submodule_search_locations)[0], "typescript", "toolchain.py")
        spec = importlib.util.spec_from_file_location("parsecheck_typescript_toolchain", path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module


class _TypeScript(_Process):
    def __init__(self) -> None:
        node = shutil.which("node")
        if node is None:
            raise ParserMissing(
                "checking that emitted TypeScript parses needs Node.js (`node` is not on PATH): `make toolchains` installs it"
            )
        toolchain = _toolchain()
        try:
            modules = toolchain.ensure()
        except toolchain.ToolchainError as e:
            raise ParserMissing(f"checking that emitted TypeScript parses needs the TypeScript compiler from npm: {e}") from e
        super().__init__("TypeScript", [node, TYPESCRIPT_SCRIPT, str(modules)])

    def submit(self, files: list[tuple[str, str]]) -> None:
        lines = [json.dumps({"path": path, "text": text}) + "\n" for path, text in files]
        self.send(("".join(lines) + "{}\n").encode("utf-8", "surrogatepass"))

    def answers(self, files: list[tuple[str, str]]) -> list[Problem]:
        deadline = time.monotonic() + TIMEOUT_S
        out = []
        for path, _ in files:
            answer = json.loads(self.read_line(deadline))
            assert answer["path"] == path, (answer["path"], path)
            out += [Problem(path, "typescript", d["line"], d["col"], f"TS{d['code']}: {d['message']}") for d in answer["diagnostics"]]
        return out


class _Elixir(_Process):
    def __init__(self) -> None:
        elixir = shutil.which("elixir")
        if elixir is None:
            raise ParserMissing(
                "checking that emitted Elixir parses needs Elixir (`elixir` is not on PATH): `make toolchains` installs it"
                " (Debian: elixir erlang-jiffy)"
            )
        super().__init__("Elixir", [elixir, ELIXIR_SCRIPT])

    def submit(self, files: list[tuple[str, str]]) -> None:
        parts = []
        for path, text in files:
            p, t = path.encode(), text.encode("utf-8", "surrogatepass")
            parts += [f"FILE {len(p)} {len(t)}\n".encode(), p, t]
        self.send(b"".join(parts) + b"END\n")

    def answers(self, files: list[tuple[str, str]]) -> list[Problem]:
        deadline = time.monotonic() + TIMEOUT_S
        out = []
        for path, _ in files:
            head = self.read_line(deadline).decode().split()
            if head[0] == "error":
                line, col, size = map(int, head[1:])
                message = self.read_exactly(size, deadline).decode("utf-8", "replace")
                out.append(Problem(path, "elixir", line, col, message))
            elif head != ["ok"]:
                raise RuntimeError(f"the Elixir parser answered {head!r}")
        return out


# ---------------------------------------------------------------------------------------------
# The checker


class Checker:
    """Parses files by their language. `seen` counts the files given per language, `parsed` those
    actually parsed (a text that parsed once is not parsed again)."""

    def __init__(self) -> None:
        self._typescript: _TypeScript | None = None
        self._elixir: _Elixir | None = None
        self._ok: set[tuple[str, str]] = set()
        self.seen: Counter[str] = Counter()
        self.parsed: Counter[str] = Counter()

    def typescript(self) -> _TypeScript:
        if self._typescript is None:
            self._typescript = _TypeScript()
        return self._typescript

    def elixir(self) -> _Elixir:
        if self._elixir is None:
            self._elixir = _Elixir()
        return self._elixir

    def start(self) -> None:
        """Start the external parsers now (ParserMissing when one is not installed)."""
        self.typescript()
        self.elixir()

    def check(self, files: Iterable[tuple[str, str]]) -> list[Problem]:
        """The problems of these (path, text) files, in their order; [] when every file parses."""
        todo: dict[str, list[tuple[str, str, tuple[str, str]]]] = {}
        order: dict[str, int] = {}
        for path, text in files:
            order.setdefault(path, len(order))
            lang = language(path)
            if lang is None:
                continue
            self.seen[lang] += 1
            key = (PurePosixPath(path).suffix, hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest())
            if key not in self._ok:
                todo.setdefault(lang, []).append((path, text, key))
        batches = {lang: [(p, t) for p, t, _ in todo.get(lang, [])] for lang in ("typescript", "elixir")}
        # the external parsers work on their batches while the Python side parses its own files
        externals = [(lang, parser) for lang, parser in (("typescript", self.typescript), ("elixir", self.elixir)) if batches[lang]]
        problems: list[Problem] = []
        try:
            running = []
            for lang, start in externals:
                proc = start()
                proc.submit(batches[lang])
                running.append((lang, proc))
            for lang, items in todo.items():
                if lang in IN_PROCESS:
                    for path, text, _ in items:
                        problem = IN_PROCESS[lang](path, text)
                        if problem is not None:
                            problems.append(problem)
            for lang, proc in running:
                problems += proc.answers(batches[lang])
        except BaseException:
            # a batch may be left half answered (an interrupt, a parser that died): the next check
            # starts fresh parsers rather than read this batch's answers as its own
            self.close(kill=True)
            raise
        bad = {p.path for p in problems}
        for lang, items in todo.items():
            self.parsed[lang] += len(items)
            self._ok.update(key for path, _, key in items if path not in bad)
        return sorted(problems, key=lambda p: (order[p.path], p.line, p.col))

    def close(self, kill: bool = False) -> None:
        for proc in (self._typescript, self._elixir):
            if proc is not None:
                proc.close(kill)
        self._typescript = self._elixir = None


_CHECKER: Checker | None = None


def checker() -> Checker:
    """The session's checker: its parser processes start on first use and end with the process."""
    global _CHECKER
    if _CHECKER is None:
        _CHECKER = Checker()
        atexit.register(_CHECKER.close)
    return _CHECKER
