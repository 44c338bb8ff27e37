"""Runtime of a minipy client (copied verbatim by tinkc-example-backend; do not edit).

Only the standard library: one blocking HTTP request per call (urllib), configuration from
argument > environment > manifest default, the error taxonomy of tinkc's runtime semantics. The
manifest's features (retries, futures polling, backpressure, telemetry) are not implemented: this
is the example of the plug-in path, not a production SDK.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

# RFC 6570 reserved expansion ({+name}) keeps these characters; simple expansion escapes them.
_RESERVED = ":/?#[]@!$&'()*+,;="


class Error(Exception):
    """Every error this client raises."""


class ConfigurationError(Error):
    """Raised before any request: no API key, or no base URL."""


class StatusError(Error):
    """The server answered a status >= 400."""

    def __init__(self, status: int, body: Any) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status
        self.body = body


class APIConnectionError(Error):
    """The connection failed."""


class APITimeoutError(Error):
    """No answer within the timeout."""


class ResponseValidationError(Error):
    """The answer is not JSON."""


@dataclass(frozen=True)
class Service:
    name: str
    version: str
    base_url: str | None
    base_url_env: str | None
    api_key_header: str | None
    api_key_env: str | None
    timeout_sec: float
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Endpoint:
    method: str
    uri_template: str  # RFC 6570: {name} is percent-encoded, {+name} inserted as it is
    headers: Mapping[str, str] = field(default_factory=dict)
    returns_location: bool = False  # redirect_location: answer the Location header, do not follow
    has_response: bool = True


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a 3xx surfaces as HTTPError; redirect_location endpoints read its Location


_OPENER = urllib.request.build_opener(_NoRedirect)


def _query_value(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


class BaseClient:
    service: ClassVar[Service]

    def __init__(
        self, *, base_url: str | None = None, api_key: str | None = None, timeout_sec: float | None = None
    ) -> None:
        svc = self.service
        chosen_url = base_url or (os.environ.get(svc.base_url_env) if svc.base_url_env else None) or svc.base_url
        if not chosen_url:
            raise ConfigurationError(f"no base URL: pass base_url or set {svc.base_url_env}")
        self._base_url: str = chosen_url
        self._api_key = api_key or (os.environ.get(svc.api_key_env) if svc.api_key_env else None)
        if svc.api_key_header and not self._api_key:
            raise ConfigurationError(f"no API key: pass api_key or set {svc.api_key_env}")
        self._timeout_sec = timeout_sec if timeout_sec is not None else svc.timeout_sec

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self._base_url!r}, api_key=<redacted>)"

    def _url(self, endpoint: Endpoint, path: Mapping[str, Any], query: Mapping[str, Any]) -> str:
        # The template's own text may hold characters a URL cannot (non-ASCII, quotes): encode them
        # once, keeping the reserved characters, existing escapes and the {variables}.
        url = urllib.parse.quote(endpoint.uri_template, safe=_RESERVED + "%{}")
        for name, value in path.items():
            url = url.replace("{+" + name + "}", urllib.parse.quote(str(value), safe=_RESERVED))
            url = url.replace("{" + name + "}", urllib.parse.quote(str(value), safe=""))
        pairs = [(name, _query_value(v)) for name, v in query.items() if v is not None]
        return self._base_url.rstrip("/") + url + ("?" + urllib.parse.urlencode(pairs) if pairs else "")

    def _location(
        self,
        endpoint: Endpoint,
        *,
        path: Mapping[str, Any] | None = None,
        query: Mapping[str, Any] | None = None,
        body: Any = None,
    ) -> str:
        """Call a redirect_location endpoint: its answer is the URL of the Location header."""
        return str(self._call(endpoint, path=path, query=query, body=body))

    def _call(
        self,
        endpoint: Endpoint,
        *,
        path: Mapping[str, Any] | None = None,
        query: Mapping[str, Any] | None = None,
        body: Any = None,
    ) -> Any:
        svc = self.service
        agent = f"{svc.name}-minipy/{svc.version}".encode("ascii", "replace").decode()  # a header is ASCII
        headers = {"Content-Type": "application/json", "User-Agent": agent}
        headers.update(svc.headers)
        headers.update(endpoint.headers)
        if svc.api_key_header and self._api_key:
            headers[svc.api_key_header] = self._api_key
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self._url(endpoint, path or {}, query or {}), data, headers, method=endpoint.method
        )
        try:
            with _OPENER.open(request, timeout=self._timeout_sec) as response:
                status, location, raw = response.status, response.headers.get("Location"), response.read()
        except urllib.error.HTTPError as exc:
            status, location, raw = exc.code, exc.headers.get("Location"), exc.read()
        except TimeoutError as exc:
            raise APITimeoutError(str(exc)) from None
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, TimeoutError):
                raise APITimeoutError(str(exc.reason)) from None
            raise APIConnectionError(str(exc.reason)) from None
        except OSError as exc:  # a connection reset or dropped while reading the answer
            raise APIConnectionError(str(exc)) from None
        if endpoint.returns_location and 300 <= status < 400 and location:
            return location
        if status >= 400:
            raise StatusError(status, _decode(raw, strict=False))
        if not endpoint.has_response or status == 204 or not raw:
            return None
        return _decode(raw, strict=True)


def _decode(raw: bytes, *, strict: bool) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        if strict:
            raise ResponseValidationError("the answer is not JSON") from None
        return raw.decode("utf-8", "replace")
