"""Discovery of backends through the ``tinkc.backends`` entry-point group (built-in and installed
alike). Loading is lazy: ``tinkc check`` never imports a backend's templates."""

from __future__ import annotations

from importlib.metadata import EntryPoint, entry_points

import attrs

from tinkc.backends.base import Backend

GROUP = "tinkc.backends"


@attrs.frozen
class BackendInfo:
    name: str
    entry_point: EntryPoint
    distribution: str
    version: str

    def load(self) -> type[Backend]:
        cls = self.entry_point.load()
        if not (isinstance(cls, type) and issubclass(cls, Backend)):
            raise TypeError(f"entry point {self.entry_point.value} is not a tinkc Backend subclass")
        return cls


def available() -> dict[str, BackendInfo]:
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
