"""Runtime helpers shared by the generated models (copied verbatim by tinkc)."""

from __future__ import annotations

import base64
import datetime
import enum
import re
from collections.abc import Callable
from typing import Any, ClassVar, Concatenate, ParamSpec, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError


class WireModel(BaseModel):
    """Base of the generated records. A field with a declared default counts as set, so a request
    dumped with ``exclude_unset`` carries its defaults (literal tags among them) but leaves out the
    optional fields nobody gave. An optional field given as None counts as not given (the SDK
    plan's absent-field rule, the same in every SDK): its default is sent, or nothing; null goes on
    the wire only for a field that is required but nullable."""

    model_config = ConfigDict(populate_by_name=True, protected_namespaces=())

    # derived fields: (attribute, source attribute, parse template, variable), see `derive`
    tinkc_derived: ClassVar[tuple[tuple[str, str, str, str], ...]] = ()

    def model_post_init(self, context: Any, /) -> None:
        # a decoded answer keeps what the server sent (a null stays null, as in the other SDKs)
        decoding = isinstance(context, dict) and context.get("tinkc") == "decode"
        for name, source, template, var in self.tinkc_derived:
            derive(self, name, source, template, var, decoding)
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


def derive(model: BaseModel, name: str, source: str, template: str, var: str, decoding: bool) -> None:
    """A derived field left out is the variable ``var`` of a parse template matched against the
    string field ``source`` (``Checkpoint.training_run_id`` from ``tinker_path``), as in every tinkc
    SDK; text that does not match leaves it absent."""
    from ._errors import InvalidArgumentError

    text = getattr(model, source, None)
    if getattr(model, name, None) is not None or not isinstance(text, str):
        return
    try:
        value = parse_template(template, text)[var]
    except InvalidArgumentError:
        return
    object.__setattr__(model, name, value)
    if decoding:
        model.model_fields_set.add(name)


def to_wire(value: Any) -> Any:
    """A type helper's argument in its JSON form (models by wire name, enums as their value, bytes
    base64), to be put into the helper's template."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", by_alias=True, exclude_unset=True)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [to_wire(v) for v in value]
    if isinstance(value, dict):
        return {k: to_wire(v) for k, v in value.items()}
    return value


def _drop_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_none(v) for v in value]
    return value


M = TypeVar("M", bound=BaseModel)


def construct(cls: type[M], data: dict[str, Any]) -> M:
    """A record built by a type helper (``ModelInput.from_ints``): ``data`` is its JSON form with
    the arguments in place (a None one is left out); what does not fit is an
    ``InvalidArgumentError``, as in every tinkc SDK."""
    from ._errors import InvalidArgumentError

    try:
        return cls.model_validate(_drop_none(data))
    except ValidationError as exc:
        raise InvalidArgumentError(f"{cls.__name__}: {exc}") from None


def push(value: M, field: str, item: dict[str, Any], merge: tuple[str, str | None, str | None] | None) -> M:
    """A copy of ``value`` with ``item`` (JSON, the arguments in place) appended to its list
    ``field`` (wire names), as in every tinkc SDK: with ``merge`` = (list, discriminator, tag), an
    item of the last item's kind (its discriminator equal to the tag; any, without one) extends that
    item's list instead. Done in JSON form and decoded back: what does not fit is an
    ``InvalidArgumentError``."""
    data = to_wire(value)
    items = list(data.get(field) or [])
    last = items[-1] if items else None
    if merge is not None and isinstance(last, dict) and (merge[1] is None or last.get(merge[1]) == merge[2]):
        items[-1] = {**last, merge[0]: list(last.get(merge[0]) or []) + list(item.get(merge[0]) or [])}
    else:
        items.append(item)
    return construct(type(value), {**data, field: items})


# a step of a helper's `get` path: None is every item of a list, a string an attribute, and
# (attribute, classes) an attribute of a union item that only those classes have
PathStep = str | tuple[str, tuple[type, ...]] | None


def project(value: Any, path: tuple[PathStep, ...]) -> Any:
    """What a type helper's ``get`` path reads out of ``value``, as in every tinkc SDK: each item
    of a list (an absent list is empty; items stream on, so two steps over lists flatten), an
    attribute (absent on an absent value), or one of a union item that only some variants have
    (another item is an ``InvalidArgumentError``)."""
    from ._errors import InvalidArgumentError

    values = [value]
    many = False
    for step in path:
        if step is None:
            values = [item for v in values if v is not None for item in v]
            many = True
            continue
        out: list[Any] = []
        for v in values:
            if v is None:
                out.append(None)
            elif isinstance(step, tuple):
                if not isinstance(v, step[1]):
                    raise InvalidArgumentError(f"{v!r} has no field {step[0]!r}")
                out.append(getattr(v, step[0]))
            else:
                out.append(getattr(v, step))
        values = out
    return values if many else values[0]


def evaluate(value: Any, expr: tuple[Any, ...]) -> Any:
    """What a type helper's expression answers for ``value``, as in every tinkc SDK (ir/helpers.py):
    ``("path", steps)`` reads a path; ``("key", of, key)`` a map's value (absent: None);
    ``("call", of, many, ((cls, expr), ...))`` each item's own helper, chosen by its class (an item
    of no listed class is an ``InvalidArgumentError``, an absent one None); ``("len", of)``,
    ``("sum", of)`` (absent: 0), ``("required", of)`` (absent: an ``InvalidArgumentError``),
    ``("json", of)`` (its JSON form);
    ``("==" | "!=" | "in", of, literals)`` a bool; ``("const", literal)``."""
    from ._errors import InvalidArgumentError

    op = expr[0]
    if op == "path":
        return project(value, expr[1])
    if op == "const":
        return expr[1]
    of = evaluate(value, expr[1])
    if op == "key":
        return None if of is None else of.get(expr[2])
    if op == "call":
        items = (of or []) if expr[2] else [of]
        out: list[Any] = []
        for item in items:
            if item is None:
                out.append(None)
                continue
            case = next((e for cls, e in expr[3] if isinstance(item, cls)), None)
            if case is None:
                raise InvalidArgumentError(f"{item!r} has no helper for this expression")
            out.append(evaluate(item, case))
        return out if expr[2] else out[0]
    if op == "json":
        return to_wire(of)
    if op == "len":
        return 0 if of is None else len(of)
    if op == "sum":
        return sum(of or [])
    if op == "required":
        if of is None:
            raise InvalidArgumentError(f"{value!r} lacks a value this helper requires")
        return of
    if op == "==":
        return of == expr[2][0]
    if op == "!=":
        return of != expr[2][0]
    return of in expr[2]


C = TypeVar("C")
P = ParamSpec("P")
R = TypeVar("R")


def delegate(target: Callable[[], Callable[Concatenate[C, P], R]]) -> Callable[Concatenate[C, P], R]:
    """A client alias (``SamplingClient.create(service, ...)``): another client's method, with its
    own parameters and result type; ``target`` names it lazily, as that class may be defined later."""

    def call(receiver: C, /, *args: P.args, **kwargs: P.kwargs) -> R:
        return target()(receiver, *args, **kwargs)

    return call
