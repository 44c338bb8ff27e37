"""Runtime helpers shared by the generated models (copied verbatim by tinkc)."""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import Any


class OpenEnum(str, enum.Enum):
    """A string enum that accepts values it does not know (a newer server may send them): an
    unknown value becomes a pseudo-member whose name and value are that string."""

    @classmethod
    def _missing_(cls, value: object) -> OpenEnum | None:
        if not isinstance(value, str):
            return None
        member = str.__new__(cls, value)
        member._name_ = value
        member._value_ = value
        return member


UNKNOWN_TAG = "__unknown__"


def discriminate(field: str, wire_name: str, *tags: str) -> Callable[[Any], str]:
    """The discriminator of a union that tolerates unknown tags: known tags select their variant,
    anything else the union's `Unknown…` fallback model."""
    known = frozenset(tags)

    def tag_of(value: Any) -> str:
        tag = value.get(wire_name) if isinstance(value, dict) else getattr(value, field, None)
        return tag if isinstance(tag, str) and tag in known else UNKNOWN_TAG

    return tag_of
