"""What the stateless endpoint layer (`api.<group>.<function>`, `api.post`...) shares (copied
verbatim by tinkc): the client a call goes through, and the request as the caller gives it.

A stateless function takes `client=` (an SDK client: its configuration, connections and session)
or `config=` (a client's options, `api_key`, `base_url`, `timeout`...: a bare client of its own is
made for the call and closed after it, without a session, telemetry or server configuration); an
unknown option is a `TypeError`, as an unknown keyword argument of a client is.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import AsyncIterator, Iterator, Mapping
from typing import Any

from pydantic import BaseModel

from ._client import IGNORED, SDK, AsyncBaseClient, BaseClient, request_body
from ._errors import InvalidArgumentError
from ._http import Endpoint, decode
from ._options import RequestOptions
from ._retry import NO_RETRY
from ._sse import AsyncEventStream, EventStream, parse_events


def _bare_sdk(sdk: SDK) -> SDK:
    return dataclasses.replace(sdk, session=None, telemetry=None, server_config=None)


class BareClient(BaseClient):
    """The client of one stateless call made from a configuration: no session, telemetry or
    server configuration of its own."""

    def __init__(self, sdk: SDK, config: Mapping[str, Any]) -> None:
        self._sdk = _bare_sdk(sdk)
        super().__init__(**config)


class AsyncBareClient(AsyncBaseClient):
    """`BareClient`, asynchronous."""

    def __init__(self, sdk: SDK, config: Mapping[str, Any]) -> None:
        self._sdk = _bare_sdk(sdk)
        super().__init__(**config)


def _check_source(client: object, config: Mapping[str, Any] | None, expected: type, function: str) -> None:
    if client is not None and config is not None:
        raise TypeError(f"{function}: give `client` or `config`, not both")
    if client is not None and not isinstance(client, expected):
        raise TypeError(f"{function}: `client` must be a {expected.__name__}, got {type(client).__name__}")


@contextlib.contextmanager
def stateless(
    sdk: SDK, client: BaseClient | None, config: Mapping[str, Any] | None, function: str
) -> Iterator[BaseClient]:
    """The client a stateless call goes through: `client`, or a bare one from `config` (closed after)."""
    _check_source(client, config, BaseClient, function)
    if client is not None:
        yield client
        return
    bare = BareClient(sdk, config or {})
    try:
        yield bare
    finally:
        bare.close()


@contextlib.asynccontextmanager
async def astateless(
    sdk: SDK, client: AsyncBaseClient | None, config: Mapping[str, Any] | None, function: str
) -> AsyncIterator[AsyncBaseClient]:
    """`stateless`, asynchronous."""
    _check_source(client, config, AsyncBaseClient, function)
    if client is not None:
        yield client
        return
    bare = AsyncBareClient(sdk, config or {})
    try:
        yield bare
    finally:
        await bare.aclose()


def record_request(model: type[BaseModel], request: object, required: tuple[str, ...], function: str) -> Any:
    """The JSON body of a request given as its record (the fields it was given) or a mapping of its
    fields by name; the absent-field rule of `request_body` applies (a None optional field is left
    out). Anything else, or a name the record does not have, is a `TypeError`."""
    if isinstance(request, model):
        values = {name: getattr(request, name) for name in request.model_fields_set}
    elif isinstance(request, Mapping):
        values = dict(request)
    else:
        raise TypeError(
            f"{function}: the request must be a {model.__name__} or a mapping of its fields, got {type(request).__name__}"
        )
    unknown = sorted(str(k) for k in values if k not in model.model_fields)
    if unknown:
        raise TypeError(f"{function}: {model.__name__} has no field(s) {', '.join(unknown)}")
    return request_body(
        model,
        {k: v for k, v in values.items() if k in required},
        {k: v for k, v in values.items() if k not in required},
    )


def params(request: object, known: tuple[str, ...], required: tuple[str, ...], function: str) -> dict[str, Any]:
    """The parameters of a request given as a mapping by name: a name the endpoint does not have, or
    a required one missing, is a `TypeError` before any request."""
    if not isinstance(request, Mapping):
        raise TypeError(f"{function}: the request must be a mapping of the parameters, got {type(request).__name__}")
    given = dict(request)
    unknown = sorted(str(k) for k in given if k not in known)
    if unknown:
        raise TypeError(f"{function}: unknown parameter(s) {', '.join(unknown)} (known: {', '.join(known)})")
    missing = [k for k in required if k not in given]
    if missing:
        raise TypeError(f"{function}: missing parameter(s) {', '.join(missing)}")
    return given


def _raw_endpoint(endpoint: Endpoint, path: str, function: str) -> Endpoint:
    # (a `{` would be read as a template variable: a raw path is sent as it is given)
    if not isinstance(path, str) or not path.startswith("/") or "{" in path:
        raise InvalidArgumentError(
            f"{function}: the path must be a string starting with / (without `{{`), got {path!r}"
        )
    return dataclasses.replace(endpoint, path=path)


def _raw_body(body: Any) -> Any:
    if isinstance(body, BaseModel):
        return body.model_dump(mode="json", by_alias=True, exclude_unset=True)
    return body


def raw(
    client: BaseClient, endpoint: Endpoint, path: str, body: Any, request_options: RequestOptions | None, function: str
) -> Any:
    """A raw request (`api.post`...) through the client's runtime: the decoded JSON (None: empty body)."""
    sent = _raw_endpoint(endpoint, path, function)
    response = client._send(sent, request_options, body=_raw_body(body))
    return decode(response, IGNORED)


async def araw(
    client: AsyncBaseClient,
    endpoint: Endpoint,
    path: str,
    body: Any,
    request_options: RequestOptions | None,
    function: str,
) -> Any:
    """`raw`, asynchronous."""
    sent = _raw_endpoint(endpoint, path, function)
    response = await client._send(sent, request_options, body=_raw_body(body))
    return decode(response, IGNORED)


# A raw streaming GET asks for server-sent events and is never retried, as a streaming endpoint.
_STREAM_HEADERS = (("Accept", "text/event-stream"),)


def raw_stream(
    client: BaseClient, endpoint: Endpoint, path: str, request_options: RequestOptions | None, function: str
) -> EventStream[Any]:
    """A raw streaming GET (`api.stream_get`): once the whole body is read, its server-sent events'
    data decoded as JSON as the iterator reaches them (ResponseValidationError for data that is not)."""
    sent = dataclasses.replace(_raw_endpoint(endpoint, path, function), retry=NO_RETRY, headers=_STREAM_HEADERS)
    return EventStream(parse_events(client._send(sent, request_options).text), IGNORED)


async def araw_stream(
    client: AsyncBaseClient, endpoint: Endpoint, path: str, request_options: RequestOptions | None, function: str
) -> AsyncEventStream[Any]:
    """`raw_stream`, asynchronous (`async for`)."""
    sent = dataclasses.replace(_raw_endpoint(endpoint, path, function), retry=NO_RETRY, headers=_STREAM_HEADERS)
    return AsyncEventStream(parse_events((await client._send(sent, request_options)).text), IGNORED)
