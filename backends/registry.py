"""Discovery of backends through the ``tinkc.backends`` entry-point group (built-in and installed
alike). Loading is lazy: ``tinkc check`` never imports a backend's templates."""

from __future__ import annotations

import functools
from importlib.metadata import EntryPoint, entry_points
from typing import TYPE_CHECKING

import attrs

if TYPE_CHECKING:  # importing the contract imports the IR: `tinkc build`'s no-op path needs neither
    from tinkc.backends.base import Backend

GROUP = "tinkc.backends"


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


@functools.cache
def _discover() -> dict[str, BackendInfo]:
    out: dict[str, BackendInfo] = {}
    for ep in sorted(entry_points(group=GROUP), key=lambda e: e.name):
        dist = ep.dist
        out.setdefault(
            ep.name,
            BackendInfo(
                name=ep.name,
                entry_point=ep,
                distribution=dist.name if dist is not None else "?",
                version=dist.version if dist is not None else "?",
            ),
        )
    return out


def available() -> dict[str, BackendInfo]:
    """The installed backends by name (scanning the installed distributions' metadata once per
    process: a build asks several times, and each scan reads every distribution's entry points)."""
    return dict(_discover())
