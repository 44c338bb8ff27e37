"""Discovery of backends through the ``tinkc.backends`` entry-point group (built-in and installed
alike). Loading is lazy: ``tinkc check`` never imports a backend's templates.

Every command that compiles asks which backends are installed (their naming rules and options are
checked), so discovery is on the path of ``tinkc check``. ``importlib.metadata`` answers it, but
importing it (with the email parser it reads metadata with) costs a tenth of a check; the common
case — distributions installed as ``*.dist-info`` / ``*.egg-info`` directories in directories on
``sys.path`` — is read here directly, by the same rules (see :func:`_scan`), and anything else
(a zip or egg on ``sys.path``, another finder that provides distributions, a file these rules do
not read) is left to ``importlib.metadata``. tests/unit/test_backend_discovery.py holds the two to the same
answer.
"""

from __future__ import annotations

import functools
import os
import re
import sys
from typing import TYPE_CHECKING, Any

import attrs

if TYPE_CHECKING:  # importing the contract imports the IR: `tinkc build`'s no-op path needs neither
    from tinkc.backends.base import Backend

GROUP = "tinkc.backends"


class EntryPoint:
    """One entry point (``name = module:attr``), as ``importlib.metadata.EntryPoint`` reads and
    loads it."""

    __slots__ = ("name", "value", "group")

    # importlib.metadata.EntryPoint.pattern
    _PATTERN = re.compile(r"(?P<module>[\w.]+)\s*" r"(:\s*(?P<attr>[\w.]+)\s*)?" r"((?P<extras>\[.*\])\s*)?$")

    def __init__(self, name: str, value: str, group: str) -> None:
        self.name, self.value, self.group = name, value, group

    def __eq__(self, other: object) -> bool:
        return isinstance(other, EntryPoint) and (self.name, self.value, self.group) == (other.name, other.value, other.group)

    def __hash__(self) -> int:
        return hash((self.name, self.value, self.group))

    def __repr__(self) -> str:
        return f"EntryPoint(name={self.name!r}, value={self.value!r}, group={self.group!r})"

    @property
    def module(self) -> str:
        match = self._PATTERN.match(self.value)
        if match is None:
            raise ValueError(f"not an entry point value: {self.value!r}")
        return match.group("module")

    def load(self) -> Any:
        import importlib

        match = self._PATTERN.match(self.value)
        if match is None:
            raise ValueError(f"not an entry point value: {self.value!r}")
        obj: Any = importlib.import_module(match.group("module"))
        for attr in filter(None, (match.group("attr") or "").split(".")):
            obj = getattr(obj, attr)
        return obj


@attrs.frozen
class BackendInfo:
    name: str
    entry_point: EntryPoint
    distribution: str
    version: str

    def load(self) -> type[Backend]:
        from tinkc.backends.base import Backend

        cls = self.entry_point.load()
        if not (isinstance(cls, type) and issubclass(cls, Backend)):
            raise TypeError(f"entry point {self.entry_point.value} is not a tinkc Backend subclass")
        return cls


# (entry point, distribution name or None, version or None), in importlib.metadata's order
Found = list[tuple[EntryPoint, "str | None", "str | None"]]


class _Unusual(Exception):
    """Something the direct scan does not read as importlib.metadata would: ask importlib.metadata."""


def _normalize(name: str) -> str:
    # importlib.metadata.Prepared.normalize
    return re.sub(r"[-_.]+", "-", name).lower().replace("-", "_")


def _read(path: str) -> str | None:
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError):
        return None


_HEADER_NAME = re.compile(r"[\041-\071\073-\176]+")  # the email parser's header name characters


def _headers(text: str) -> dict[str, str]:
    """The first value of each header of a METADATA / PKG-INFO file, as the email parser's compat32
    policy reads it (a folded name or version, or a line it would not read as a header, is left to
    importlib.metadata)."""
    out: dict[str, str] = {}
    last = None
    for line in re.split(r"\r\n|\r|\n", text):
        if not line:
            break
        if line[0] in " \t":  # a folded header (License, Description): only its first line is read here
            if last is None or last in ("name", "version"):
                raise _Unusual
            continue
        key, colon, value = line.partition(":")
        if not colon or not _HEADER_NAME.fullmatch(key) or line.startswith("From "):
            raise _Unusual  # a folded header, or a line the email parser would not read as a header
        last = key.lower()
        out.setdefault(last, value.lstrip(" \t"))
    return out


def _scan(group: str) -> Found:
    """The entry points of ``group`` of the distributions on ``sys.path``, read as
    ``importlib.metadata.entry_points(group=...)`` reads them (Python 3.11-3.13): each path entry's
    ``*.dist-info`` / ``*.egg-info`` directories, grouped by normalized name in listing order, the
    first distribution of each name on ``sys.path`` only, ``entry_points.txt`` as its section parser
    reads it. Raises :class:`_Unusual` where those rules do not decide alone."""
    from importlib.machinery import PathFinder

    for finder in sys.meta_path:  # another finder may provide distributions of its own
        if getattr(finder, "find_distributions", None) is not None and finder is not PathFinder:
            raise _Unusual
    found: Found = []
    seen: set[str] = set()
    for entry in sys.path:
        root = entry or "."
        try:
            children = os.listdir(root)
        except OSError:
            if os.path.exists(root):  # a zip file (or an unreadable directory)
                raise _Unusual from None
            continue
        if os.path.basename(entry).lower().endswith(".egg"):
            raise _Unusual
        groups: dict[str, list[str]] = {}
        for child in children:
            low = child.lower()
            if low.endswith((".dist-info", ".egg-info")):
                if not child.endswith((".dist-info", ".egg-info")):
                    raise _Unusual  # importlib.metadata then names it from its metadata
                groups.setdefault(_normalize(low.rpartition(".")[0].partition("-")[0]), []).append(child)
        for children_of_name in groups.values():
            for child in children_of_name:
                normalized = _normalize(os.path.splitext(child)[0].partition("-")[0])
                if normalized in seen:
                    continue
                seen.add(normalized)
                path = os.path.join(root if entry else "", child)
                text = _read(os.path.join(path, "entry_points.txt"))
                if not text:
                    continue
                eps = _entry_points(text, group)
                if not eps:
                    continue
                meta = _read(os.path.join(path, "METADATA")) or _read(os.path.join(path, "PKG-INFO")) or ""
                headers = _headers(meta)
                found.extend((ep, headers.get("name"), headers.get("version")) for ep in eps)
    return found


def _entry_points(text: str, group: str) -> list[EntryPoint]:
    # importlib.metadata's Sectioned.section_pairs: stripped lines, `#` comments and blank lines
    # dropped, `[section]` headers, `name = value` pairs (a line without `=` fails there too)
    out: list[EntryPoint] = []
    section: str | None = None
    for line in map(str.strip, text.splitlines()):
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line.strip("[]")
            continue
        if section is None:
            continue
        if "=" not in line:
            raise _Unusual
        name, value = line.split("=", 1)
        if section == group:
            out.append(EntryPoint(name.strip(), value.strip(), section))
    return out


def _with_importlib_metadata(group: str) -> Found:
    from importlib.metadata import entry_points

    found: Found = []
    for ep in entry_points(group=group):
        dist = ep.dist
        found.append((EntryPoint(ep.name, ep.value, ep.group), dist.name if dist else None, dist.version if dist else None))
    return found


def _entry_points_of(group: str) -> Found:
    try:
        return _scan(group)
    except _Unusual:
        return _with_importlib_metadata(group)


@functools.cache
def _discover() -> dict[str, BackendInfo]:
    out: dict[str, BackendInfo] = {}
    for ep, dist, version in sorted(_entry_points_of(GROUP), key=lambda found: found[0].name):
        out.setdefault(
            ep.name,
            BackendInfo(name=ep.name, entry_point=ep, distribution=dist or "?", version=version or "?"),
        )
    return out


def available() -> dict[str, BackendInfo]:
    """The installed backends by name (scanning the installed distributions' metadata once per
    process: a build asks several times, and each scan reads every distribution's entry points)."""
    return dict(_discover())
