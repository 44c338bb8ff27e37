"""The error taxonomy every tinkc SDK shares (copied verbatim by tinkc).

    SDKError
    ├── ConfigurationError            bad or missing configuration (e.g. no API key), before any request
    ├── InvalidArgumentError          an argument the SDK checks itself is wrong (text that does not
    │                                 match a parse template), before any request
    └── APIError
        ├── APIStatusError            the server answered an error status
        │   ├── BadRequestError (400), AuthenticationError (401), PermissionDeniedError (403),
        │   ├── NotFoundError (404), ConflictError (409), UnprocessableEntityError (422),
        │   └── RateLimitError (429), InternalServerError (5xx)
        ├── APIConnectionError        no answer: connection failed or dropped
        │   └── APITimeoutError       no answer in time
        ├── RequestFailedError        a server-side future failed (with its category)
        └── ResponseValidationError   the answer does not have the declared shape
            └── PaginationError       pages that do not follow each other (a cursor repeats)

No error message or repr ever contains the API key.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class SDKError(Exception):
    """Base of every error this SDK raises."""


class ConfigurationError(SDKError):
    """The client cannot be configured (raised before any request is sent)."""


class InvalidArgumentError(SDKError):
    """An argument is not what the API declares (e.g. text that does not match a type's parse
    template); raised before any request is sent."""


class APIError(SDKError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class APIStatusError(APIError):
    """The server answered with an error status: ``status``, the parsed ``body``, the response's
    ``headers`` (names in lower case) and its ``request_id`` (``x-request-id``), as a raw response
    carries them on success."""

    def __init__(
        self,
        message: str,
        *,
        status: int,
        body: Any,
        request_id: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.body = body
        self.request_id = request_id
        self.headers: Mapping[str, str] = dict(headers or {})


class BadRequestError(APIStatusError):
    pass


class AuthenticationError(APIStatusError):
    pass


class PermissionDeniedError(APIStatusError):
    pass


class NotFoundError(APIStatusError):
    pass


class ConflictError(APIStatusError):
    pass


class UnprocessableEntityError(APIStatusError):
    pass


class RateLimitError(APIStatusError):
    pass


class InternalServerError(APIStatusError):
    pass


class APIConnectionError(APIError):
    """No answer: the connection failed or was dropped."""


class APITimeoutError(APIConnectionError):
    """No answer within the timeout."""


class RequestFailedError(APIError):
    """A server-side future finished with an error. ``category`` is one the manifest lists, or
    ``"unknown"`` for anything else."""

    def __init__(self, message: str, *, category: str, body: Any) -> None:
        super().__init__(message)
        self.category = category
        self.body = body


class ResponseValidationError(APIError):
    """The server's answer does not have the shape the API declares."""

    def __init__(self, message: str, *, body: Any) -> None:
        super().__init__(message)
        self.body = body


class PaginationError(ResponseValidationError):
    """The pages do not follow each other: a cursor or next URL repeats (the pages would never
    end), or a next URL leaves the base URL."""


_BY_STATUS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def status_error(
    status: int, body: Any, request_id: str | None = None, headers: Mapping[str, str] | None = None
) -> APIStatusError:
    """The specific error class of an error status."""
    cls = _BY_STATUS.get(status) or (InternalServerError if status >= 500 else APIStatusError)
    detail = ""
    if isinstance(body, dict):
        for key in ("detail", "message", "error"):
            if isinstance(body.get(key), str):
                detail = f": {body[key]}"
                break
    return cls(f"HTTP {status}{detail}", status=status, body=body, request_id=request_id, headers=headers)
