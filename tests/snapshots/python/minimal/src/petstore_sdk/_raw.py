"""Raw responses: a call's parsed value with its HTTP status, headers and request id (copied
verbatim by tinkc).

`with_raw_response(client.method)` is the method answering a `RawResponse` instead (`async_...`
for an `Async…` client's). The response is the call's own request's: the first one the call
sends (for a server-side future, its submission; the polls are the SDK's). Errors carry the same
facts already (`APIStatusError.status`, `.request_id`).
"""

from __future__ import annotations

import contextvars
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Generic, ParamSpec, TypeVar

import httpx

from ._errors import ConfigurationError

P = ParamSpec("P")
T = TypeVar("T")

# The responses of the calls running under `with_raw_response` in this context, in order.
_SEEN: contextvars.ContextVar[list[httpx.Response] | None] = contextvars.ContextVar("tinkc_raw_responses", default=None)


def record(response: httpx.Response) -> None:
    """Called by the client for each logical request's final response."""
    seen = _SEEN.get()
    if seen is not None:
        seen.append(response)


@dataclass(frozen=True)
class RawResponse(Generic[T]):
    parsed: T
    status: int
    headers: Mapping[str, str]  # lower-case names
    request_id: str | None

    @classmethod
    def of(cls, parsed: T, seen: list[httpx.Response]) -> RawResponse[T]:
        if not seen:
            raise ConfigurationError("with_raw_response: the call sent no request of its own")
        first = seen[0]
        headers = {k.lower(): v for k, v in first.headers.items()}
        return cls(parsed=parsed, status=first.status_code, headers=headers, request_id=headers.get("x-request-id"))


def with_raw_response(method: Callable[P, T]) -> Callable[P, RawResponse[T]]:
    """``method`` answering its value with the status, headers and request id of its response."""

    def call(*args: P.args, **kwargs: P.kwargs) -> RawResponse[T]:
        seen: list[httpx.Response] = []
        token = _SEEN.set(seen)
        try:
            value = method(*args, **kwargs)
        finally:
            _SEEN.reset(token)
        return RawResponse.of(value, seen)

    return call


def async_with_raw_response(method: Callable[P, Awaitable[T]]) -> Callable[P, Awaitable[RawResponse[T]]]:
    """`with_raw_response` of an `Async…` client's method."""

    async def call(*args: P.args, **kwargs: P.kwargs) -> RawResponse[T]:
        seen: list[httpx.Response] = []
        token = _SEEN.set(seen)
        try:
            value = await method(*args, **kwargs)
        finally:
            _SEEN.reset(token)
        return RawResponse.of(value, seen)

    return call
