"""The backend contract.

A backend receives the final IR and returns the files of an SDK as ``(relative_path, content)``;
it never touches the disk (the writer does). One :class:`NamingRules` object decides every
identifier of its target: casing, reserved words, escaping. Backends register under the entry-point
group ``tinkc.backends`` (built-in ones too), so ``tinkc targets`` lists built-in and installed
backends alike, and the core never branches on a target's name.

Example (a complete, if useless, backend)::

    class EchoBackend(Backend):
        name = "echo"
        version = "1.0"
        naming = NamingRules(reserved=frozenset({"if"}))

        def emit(self, api, options):
            return [OutputFile("service.txt", api.service.name + "\\n")]
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, ClassVar

import attrs

from tinkc.ir.nodes import Api


@attrs.frozen
class OutputFile:
    path: str  # relative, forward slashes
    content: str


# A dependency's version requirement in any of the three ecosystems (`>=0.15`, `~> 0.9`, `^0.1`):
# characters that cannot break out of the TOML, JSON or Elixir string it is written into.
DEP_REQUIREMENT = r"[A-Za-z0-9~^<>=!*.,+\- ]*[A-Za-z0-9*]"


@attrs.frozen
class TargetOption:
    """One option a backend accepts under ``targets.<backend>`` in a manifest. Options are checked
    when the manifest is lowered, before anything is emitted, so a bad value is a positioned
    diagnostic; a value that feeds a file or module name must be a plain name (``pattern``), never a
    path."""

    pattern: str  # a regex the whole value must match (for `deps`: each version requirement)
    example: str  # shown in the hint
    doc: str
    max_length: int = 100
    # `name`: one string; `deps`: a mapping from package names (`key_pattern`) to requirements
    kind: str = "name"
    key_pattern: str = ""
    # `extensions` (issue 14 item 10): `pattern` is the hand-written module's name, `key_pattern` a
    # delegated function's name; `reserved` the names the backend itself generates on a record's
    # module (besides its fields, helpers and parse function), which a delegation may not take
    reserved: tuple[str, ...] = ()


@attrs.frozen
class DriverCommand:
    """How to start the conformance driver of an SDK tree (docs/conformance.md): the program reads
    the scenario's calls as JSON on stdin and prints one outcome per line."""

    argv: tuple[str, ...]
    cwd: Path
    env: Mapping[str, str] = attrs.field(factory=dict)


_WORD = re.compile(r"[A-Z]+(?=[A-Z][a-z0-9])|[A-Z]?[a-z0-9]+|[A-Z]+|[0-9]+")


def words(name: str) -> list[str]:
    """Split any identifier (snake, camel, Pascal, dotted, kebab) into lower-case words."""
    return [w.lower() for w in _WORD.findall(name)]


# The three spellings are remembered per name (pure functions of a string; a manifest has a few
# hundred distinct names): every target's naming rules spell the same type, method and field names,
# the naming pass once per target (5 rule sets: 4.6 -> 3.4 ms of a check's CPU), the emitters again.
# Bounded, for `tinkc lsp`: a server checks every edit's new names for hours.
_SPELLINGS_KEPT = 4096


@functools.lru_cache(maxsize=_SPELLINGS_KEPT)
def snake_case(name: str) -> str:
    return "_".join(words(name))


@functools.lru_cache(maxsize=_SPELLINGS_KEPT)
def camel_case(name: str) -> str:
    ws = words(name)
    return ws[0] + "".join(w.capitalize() for w in ws[1:]) if ws else name


@functools.lru_cache(maxsize=_SPELLINGS_KEPT)
def pascal_case(name: str) -> str:
    return "".join(w.capitalize() for w in words(name))


_SPELLERS: dict[str, Callable[[str], str]] = {"snake": snake_case, "camel": camel_case, "pascal": pascal_case, "keep": str}


@attrs.frozen
class NamingRules:
    """How a target spells identifiers. Subclass or configure per backend."""

    type_case: str = "pascal"
    method_case: str = "snake"
    field_case: str = "snake"
    reserved: frozenset[str] = frozenset()
    reserved_suffix: str = "_"

    def _case(self, style: str, name: str) -> str:
        return _SPELLERS[style](name)

    def mangle(self, ident: str) -> str:
        return ident + self.reserved_suffix if ident in self.reserved else ident

    def type_name(self, name: str) -> str:
        return self.mangle(self._case(self.type_case, name))

    def method_name(self, name: str) -> str:
        return self.mangle(self._case(self.method_case, name))

    def field_name(self, name: str) -> str:
        return self.mangle(self._case(self.field_case, name))


# The neutral rules: what every target must at least be able to tell apart.
NEUTRAL_NAMING = NamingRules()


# -- text every target escapes ----------------------------------------------------------------

# Unicode categories no target writes as they are in a string, a doc or a comment: controls (NUL),
# format characters (bidirectional overrides: a "Trojan source"), line and paragraph separators
# (line terminators in some readers), surrogates and private use. (Not "unassigned": that depends on
# the Unicode version of the Python running tinkc, and the output must not.) Each target decides
# only how it writes them.
INVISIBLE = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs", "Co"})
# In ASCII, the invisible characters are exactly these.
ASCII_CONTROL = re.compile("[\x00-\x1f\x7f]")


def only_kept_controls(text: str, keep: str) -> bool:
    """Whether the controls of ASCII ``text`` are all in ``keep``, so that escaping it would change
    nothing. A multi-line doc's newlines are most often its only controls: 175 of the Elixir emit's
    387 heredocs went through a substitution, a Python call per newline (~690), to write them back."""
    for ch in keep:
        text = text.replace(ch, "")
    return text.isprintable()


class Backend:
    """Subclass per target; set the class attributes and implement :meth:`emit`."""

    name: ClassVar[str]
    version: ClassVar[str] = "0.0.0"
    description: ClassVar[str] = ""
    naming: ClassVar[NamingRules] = NEUTRAL_NAMING
    capabilities: ClassVar[frozenset[str]] = frozenset()
    # The options of `targets.<name>`; None: the backend does not declare them (not checked).
    options: ClassVar[Mapping[str, TargetOption] | None] = None
    # Modules its emit() imports that other targets' emit() import too (the built-in SDK backends:
    # jinja2, through tinkc.backends.templates): a build that emits targets in forked processes
    # imports each such module once, before forking, instead of once in every process.
    shared_imports: ClassVar[tuple[str, ...]] = ()

    def emit(self, api: Api, options: Mapping[str, Any]) -> list[OutputFile]:
        raise NotImplementedError

    def conformance_driver(self, tree: Path) -> DriverCommand | None:
        """Prepare the SDK emitted into ``tree`` (a scratch copy the backend may build in) to run its
        conformance driver, and say how to start it. ``None``: this backend has no driver, so the
        conformance suite skips it. Raise with a clear message when the target's toolchain is
        missing or the build fails."""
        return None
