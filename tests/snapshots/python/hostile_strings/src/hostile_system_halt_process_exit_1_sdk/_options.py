"""Per-call options and a client's defaults of them (copied verbatim by tinkc).

They never share a namespace with the API's own parameters: a method takes them as one
`request_options=` argument, so a request field named `timeout` stays a request field. Applying
them changes what one logical request sends (its endpoint's timeout and retry limit, extra
headers, query parameters and body fields, a caller's idempotency key) before the transport sends
it, with the transport's own rules unchanged.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ._errors import ConfigurationError
from ._http import Endpoint


@dataclass(frozen=True)
class RequestOptions:
    """Options of one call (or, given to `with_options`, of every call of a client). An unknown
    option name is a `TypeError`, as for any keyword argument."""

    timeout: float | None = None  # seconds, for each HTTP request of the call
    max_retries: int | None = None  # retries after the first attempt, instead of the manifest's
    extra_headers: Mapping[str, str] | None = None  # added to the call's requests; they win
    extra_query: Mapping[str, object] | None = None  # query parameters the manifest does not declare
    extra_body: Mapping[str, object] | None = None  # body fields the manifest does not declare
    idempotency_key: str | None = None  # instead of a generated one (the endpoint must send one)

    def __post_init__(self) -> None:
        if self.timeout is not None and self.timeout <= 0:
            raise ConfigurationError(f"request_options: timeout must be positive, not {self.timeout!r}")
        if self.max_retries is not None and self.max_retries < 0:
            raise ConfigurationError(f"request_options: max_retries must be 0 or more, not {self.max_retries!r}")

    def over(self, base: RequestOptions | None) -> RequestOptions:
        """These options over ``base`` (a client's defaults): a value given here wins; headers,
        query parameters and body fields are merged, these winning."""
        if base is None:
            return self

        def merged(a: Mapping[str, Any] | None, b: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
            return {**a, **b} if a is not None and b is not None else b if b is not None else a

        return RequestOptions(
            timeout=self.timeout if self.timeout is not None else base.timeout,
            max_retries=self.max_retries if self.max_retries is not None else base.max_retries,
            extra_headers=merged(base.extra_headers, self.extra_headers),
            extra_query=merged(base.extra_query, self.extra_query),
            extra_body=merged(base.extra_body, self.extra_body),
            idempotency_key=self.idempotency_key if self.idempotency_key is not None else base.idempotency_key,
        )


@dataclass(frozen=True)
class Applied:
    endpoint: Endpoint
    query: Mapping[str, object] | None
    body: Any
    headers: dict[str, str] | None


def profiled(endpoint: Endpoint, max_retries: int | None) -> Endpoint:
    """The chosen profile's retry count (`Config.max_retries`) for the endpoints of the policy the
    profiles name; a call's `max_retries`, applied after, still wins."""
    retry = endpoint.retry
    if max_retries is None or not retry.profiled:
        return endpoint
    return dataclasses.replace(endpoint, retry=dataclasses.replace(retry, max_retries=max_retries))


def apply_options(
    options: RequestOptions | None,
    endpoint: Endpoint,
    query: Mapping[str, object] | None,
    body: Any,
    headers: dict[str, str] | None,
) -> Applied:
    """What one logical request sends with ``options``."""
    if options is None:
        return Applied(endpoint, query, body, headers)
    if options.timeout is not None:
        endpoint = dataclasses.replace(endpoint, timeout=options.timeout)
    if options.max_retries is not None:
        endpoint = dataclasses.replace(
            endpoint, retry=dataclasses.replace(endpoint.retry, max_retries=options.max_retries)
        )
    if options.extra_query:
        query = {**(query or {}), **options.extra_query}
    if options.extra_body:
        if body is not None and not isinstance(body, dict):
            raise ConfigurationError(f"{endpoint.id}: extra_body needs a JSON object body")
        body = {**(body or {}), **options.extra_body}
    if options.idempotency_key is not None:
        if endpoint.idempotency_header is None:
            raise ConfigurationError(f"{endpoint.id} sends no idempotency key: idempotency_key cannot be set")
        # a header of the call wins over the generated key, and is the same on every retry
        headers = {**(headers or {}), endpoint.idempotency_header.lower(): options.idempotency_key}
    if options.extra_headers:  # (lower case, as the transport writes its own: one entry per header)
        headers = {**(headers or {}), **{k.lower(): v for k, v in options.extra_headers.items()}}
    return Applied(endpoint, query, body, headers)
