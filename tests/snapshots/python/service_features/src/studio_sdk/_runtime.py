"""Runtime helpers shared by the generated models (copied verbatim by tinkc)."""

from __future__ import annotations

import enum
import re
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError


class WireModel(BaseModel):
    """Base of the generated records. A field with a declared default counts as set, so a request
    dumped with ``exclude_unset`` carries its defaults (literal tags among them) but leaves out the
    optional fields nobody gave. An optional field given as None counts as not given (the SDK
    plan's absent-field rule, the same in every SDK): its default is sent, or nothing; null goes on
    the wire only for a field that is required but nullable."""

    model_config = ConfigDict(populate_by_name=True, protected_namespaces=())

    def model_post_init(self, context: Any, /) -> None:
        # a decoded answer keeps what the server sent (a null stays null, as in the other SDKs)
        decoding = isinstance(context, dict) and context.get("tinkc") == "decode"
        for name, info in type(self).model_fields.items():
            if info.is_required():
                continue
            if name in self.model_fields_set and (decoding or getattr(self, name) is not None):
                continue
            if info.default is not None or info.default_factory is not None:
                if name in self.model_fields_set:  # given as None: the declared default instead
                    object.__setattr__(self, name, info.get_default(call_default_factory=True))
                self.model_fields_set.add(name)
            else:
                self.model_fields_set.discard(name)


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

    def __str__(self) -> str:
        # the wire text, as `str` would give it: httpx sends query parameters by `str()`, which for a
        # `(str, Enum)` member is `Mode.NAME` before Python 3.12
        return str.__str__(self)


UNKNOWN_TAG = "__unknown__"


def discriminate(field: str, wire_name: str, *tags: str) -> Callable[[Any], str]:
    """The discriminator of a union that tolerates unknown tags: known tags select their variant,
    anything else the union's `Unknown…` fallback model."""
    known = frozenset(tags)

    def tag_of(value: Any) -> str:
        tag = value.get(wire_name) if isinstance(value, dict) else getattr(value, field, None)
        return tag if isinstance(tag, str) and tag in known else UNKNOWN_TAG

    return tag_of


def best_fit(*members: type[BaseModel]) -> Callable[[Any], str | None]:
    """The discriminator of an untagged union of records, by the rule every SDK applies: of the
    members the value decodes as, the one that declares the most of its keys; on a tie the one
    declared first. Never merely the first that fits: a record whose fields are all optional fits
    any object. The tag of a member is its class name."""
    wire_keys = [frozenset(f.alias or name for name, f in m.model_fields.items()) for m in members]

    def tag_of(value: Any) -> str | None:
        for m in members:
            if isinstance(value, m):
                return m.__name__
        if not isinstance(value, dict):
            return None
        best: str | None = None
        best_score = -1
        for m, keys in zip(members, wire_keys, strict=True):
            score = sum(1 for k in value if k in keys)
            if score <= best_score:
                continue
            try:
                m.model_validate(value)
            except ValidationError:
                continue
            best, best_score = m.__name__, score
        return best

    return tag_of


# A parse template's variables: `{name}` (one segment, no `/`) and `{+name}` (any text).
_TEMPLATE_VARIABLE = re.compile(r"(\{\+?[A-Za-z_][A-Za-z0-9_]*\})")


def parse_template(template: str, text: object) -> dict[str, str]:
    """Splits ``text`` by a type's parse template (``tinker://{training_run_id}/{+checkpoint_id}``)
    into its variables, as every tinkc SDK does: the literal parts must appear as written; a
    variable runs to the first occurrence of the literal after it (the end, for the last one), is
    never empty, and a ``{name}`` one holds no ``/``. Anything else is an ``InvalidArgumentError``
    (a typed error, never a crash on malformed input)."""
    from ._errors import InvalidArgumentError

    parts = _TEMPLATE_VARIABLE.split(template)  # literal, variable, literal, ..., literal
    out: dict[str, str] = {}
    pos = 0
    matched = isinstance(text, str)
    for i, part in enumerate(parts):
        if not matched or not isinstance(text, str):
            break
        if i % 2 == 0:
            matched = text.startswith(part, pos)
            pos += len(part)
            continue
        raw = part[1] == "+"
        following = parts[i + 1]
        end = len(text) if not following else text.find(following, pos)
        value = text[pos:end] if end >= 0 else ""
        matched = bool(value) and (raw or "/" not in value)
        out[part[2 if raw else 1 : -1]] = value
        pos = end
    if not matched or not isinstance(text, str) or pos != len(text):
        raise InvalidArgumentError(f"{text!r} does not match `{template}`")
    return out
