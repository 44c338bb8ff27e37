"""Chunked calls: a flow step's `chunk:` (copied verbatim by tinkc). How the list is split, sent and
combined is the SDK plan's `ChunkPlan`, the same in every tinkc SDK."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel, TypeAdapter

from ._errors import InvalidArgumentError

T = TypeVar("T")

_JSON: TypeAdapter[Any] = TypeAdapter(Any)


def json_size(value: Any) -> int:
    """The estimated size of a JSON value: strings and object keys by their UTF-8 bytes, numbers 8,
    booleans and null 1 (an estimate every SDK computes alike, not the length of one encoding)."""
    if value is None or isinstance(value, bool):
        return 1
    if isinstance(value, (int, float)):
        return 8
    if isinstance(value, str):
        return len(value.encode("utf-8"))
    if isinstance(value, Mapping):
        return sum(len(str(k).encode("utf-8")) + json_size(v) for k, v in value.items())
    if isinstance(value, Sequence):
        return sum(json_size(v) for v in value)
    return 1


def _wire(item: Any) -> Any:
    if isinstance(item, BaseModel):
        return item.model_dump(mode="json", by_alias=True, exclude_unset=True)
    return _JSON.dump_python(item, mode="json", by_alias=True)


@dataclass(frozen=True)
class Chunking:
    """A step's chunking: the limits, the input's name (for errors) and how results combine."""

    input: str
    max_items: int
    max_bytes: int
    combine: tuple[tuple[str, str], ...]

    def split(self, items: Sequence[T]) -> list[list[T]]:
        """The items in order, in chunks of at most `max_items` and about `max_bytes`; an item
        larger than `max_bytes` alone is an `InvalidArgumentError`. An empty list is one chunk."""
        chunks: list[list[T]] = []
        current: list[T] = []
        size = 0
        for index, item in enumerate(items):
            estimate = json_size(_wire(item))
            if estimate > self.max_bytes:
                raise InvalidArgumentError(
                    f"item {index} of `{self.input}` is about {estimate} bytes: more than one request carries ({self.max_bytes})"
                )
            if current and (len(current) == self.max_items or size + estimate > self.max_bytes):
                chunks.append(current)
                current, size = [], 0
            current.append(item)
            size += estimate
        chunks.append(current)
        return chunks

    def combined(self, results: Sequence[T], counts: Sequence[int]) -> T:
        """The chunks' results as one, in chunk order: `concat` fields joined, `metrics` fields
        reduced, every other field the first chunk's."""
        first = results[0]
        if len(results) == 1 or not isinstance(first, BaseModel):
            return first
        update: dict[str, Any] = {}
        for field, how in self.combine:
            values = [getattr(r, field) for r in results]
            if how == "concat":
                update[field] = [x for value in values for x in (value or [])]
            elif how == "metrics":
                update[field] = reduce_metrics([dict(value or {}) for value in values], counts)
        return first.model_copy(update=update)


def reduce_metrics(metrics: Sequence[Mapping[str, float]], weights: Sequence[int]) -> dict[str, float]:
    """Each key of the first chunk's metrics that every chunk has, reduced by the suffix after its
    last `:`: `mean` (weighted), `sum`, `min`, `max`, `slack` (max minus the weighted mean); keys
    without a known suffix are dropped, as Tinker's SDK drops them."""
    out: dict[str, float] = {}
    total = sum(weights)
    for key in metrics[0]:
        if ":" not in key or not all(key in m for m in metrics):
            continue
        values = [float(m[key]) for m in metrics]
        mean = sum(v * w for v, w in zip(values, weights, strict=True)) / total if total else sum(values) / len(values)
        reduction = key.rsplit(":", 1)[1]
        if reduction == "mean":
            out[key] = mean
        elif reduction == "sum":
            out[key] = sum(values)
        elif reduction == "min":
            out[key] = min(values)
        elif reduction == "max":
            out[key] = max(values)
        elif reduction == "slack":
            out[key] = max(values) - mean
    return out
