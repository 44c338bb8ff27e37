"""The asynchronous clients' HTTP transport: httpx's client over aiohttp's connections (copied
verbatim by tinkc).

Why: over httpx's own asynchronous transport (httpcore on anyio, a pure-Python HTTP/1.1 parser and a
send for the headers and another for the body) a request cost the async client about twice the CPU
of the same request on aiohttp, whose parser is compiled and which writes a small request in one
send; with 200 futures in flight (bench/sdk_compare.py) the client was CPU-bound there. Everything
above the transport stays httpx's (the request's URL and headers, redirects, the Response the runtime
reads), so the sync and async clients put the same requests on the wire. Only what a transport
decides is here, each decision made so that nothing changes on the wire:

* aiohttp adds no header of its own (httpx already wrote them all: the request goes out byte for
  byte as over httpx's transport) and keeps no cookies (httpx does);
* it never sends a request again by itself (its one silent retry of an idempotent request on a
  reused connection is off): retries are the manifest's, counted and logged by the runtime;
* the URL goes out as httpx encoded it (percent-encoded path parameters stay as they are);
* the body is read whole and handed to httpx undecoded, which decodes it as for its own transport;
* its errors become the httpx errors the retry policy reads: timeouts are httpx.TimeoutException,
  every other failure to get an answer an httpx.TransportError.
"""

from __future__ import annotations

import asyncio
import ssl
import weakref
from typing import Any

import aiohttp
import httpx
import yarl

# aiohttp's own defaults for these would be added to requests that lack them: httpx writes Accept,
# Accept-Encoding and User-Agent itself, and a request without a body has no Content-Type.
_NO_AUTO_HEADERS = ("Accept", "Accept-Encoding", "User-Agent", "Content-Type")


async def _without_content_length(
    request: aiohttp.ClientRequest, handler: aiohttp.ClientHandlerType
) -> aiohttp.ClientResponse:
    """aiohttp gives a body-less request a `Content-Length: 0` unless it is a GET, HEAD, OPTIONS or
    TRACE; httpx writes one only for POST, PUT and PATCH (a DELETE goes without): taken off again."""
    request.headers.popall("Content-Length", None)
    return await handler(request)


def _close_quietly(session: aiohttp.ClientSession) -> None:
    """Closes a session's connections at once, from any thread or loop state, without the errors
    aiohttp logs for a session or connector left open: what its own finalizer does, minus the log."""
    if session.closed:
        return
    connector = session.connector
    session.detach()
    if connector is not None:
        try:
            connector._close()
        except Exception:  # a finalizer never raises; aiohttp then says what it says
            pass


def transport_error(exc: BaseException) -> httpx.TransportError | None:
    """The httpx error for an aiohttp failure (None: not a transport failure, re-raised as it is)."""
    message = str(exc) or type(exc).__name__
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        return httpx.ConnectTimeout(message)
    if isinstance(exc, (aiohttp.ServerTimeoutError, asyncio.TimeoutError)):
        return httpx.ReadTimeout(message)
    if isinstance(exc, aiohttp.ClientConnectorError):
        return httpx.ConnectError(message)
    if isinstance(exc, (aiohttp.ServerDisconnectedError, aiohttp.ClientResponseError, aiohttp.ClientPayloadError)):
        return httpx.RemoteProtocolError(message)  # no answer, or one that is not HTTP
    if isinstance(exc, aiohttp.InvalidURL):
        return httpx.UnsupportedProtocol(message)
    if isinstance(exc, (aiohttp.ClientError, OSError)):
        return httpx.ReadError(message)
    return None


class AiohttpTransport(httpx.AsyncBaseTransport):
    """One aiohttp session (made in the event loop of the first request) carrying an httpx.AsyncClient's
    requests, with the client's limits and TLS context."""

    def __init__(self, *, limits: httpx.Limits, verify: ssl.SSLContext) -> None:
        self._limit = limits.max_connections or 0  # 0: aiohttp's "no limit"
        self._keepalive = limits.keepalive_expiry
        self._verify = verify
        self._session: aiohttp.ClientSession | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        # closes the session of a client dropped without being closed (and, at exit, of one still
        # open) quietly, as httpx's own transport's connections go; it holds the session, so the
        # session's connections are still there when it runs
        self._finalizer: weakref.finalize[Any, Any] | None = None

    def _current(self) -> aiohttp.ClientSession:
        loop = asyncio.get_running_loop()
        if self._session is None or self._loop is not loop:
            if self._session is not None:
                # the previous loop's connections cannot be used from this one
                self._drop()
            options: dict[str, Any] = {"limit": self._limit, "limit_per_host": 0, "ssl": self._verify}
            if self._keepalive is not None:
                options["keepalive_timeout"] = self._keepalive
            session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(**options),
                cookie_jar=aiohttp.DummyCookieJar(),
                auto_decompress=False,
            )
            # aiohttp sends an idempotent request again, once, when a reused connection turns out
            # closed; this flag (the one its own test client turns off) is the only switch for it
            session._retry_connection = False
            self._session, self._loop = session, loop
            self._finalizer = weakref.finalize(self, _close_quietly, session)
        return self._session

    def _drop(self) -> None:
        if self._finalizer is not None:
            self._finalizer()  # closes the session, once
        self._session = self._finalizer = None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        session = self._current()
        body = await request.aread()
        timeout = request.extensions.get("timeout", {})
        bare = not body and "content-length" not in request.headers  # httpx wrote no Content-Length
        try:
            async with session.request(
                request.method,
                yarl.URL(str(request.url), encoded=True),
                headers=[(k.decode("latin-1"), v.decode("latin-1")) for k, v in request.headers.raw],
                data=body or None,
                skip_auto_headers=_NO_AUTO_HEADERS,
                allow_redirects=False,
                timeout=aiohttp.ClientTimeout(
                    total=None,
                    connect=timeout.get("pool"),
                    sock_connect=timeout.get("connect"),
                    sock_read=timeout.get("read"),
                ),
                server_hostname=request.extensions.get("sni_hostname"),
                middlewares=(_without_content_length,) if bare else None,
            ) as response:
                content = await response.read()
        except Exception as exc:
            error = transport_error(exc)
            if error is None:
                raise
            raise error from exc
        version = response.version or aiohttp.HttpVersion11  # set once the status line was read
        extensions: dict[str, Any] = {"http_version": f"HTTP/{version.major}.{version.minor}".encode()}
        if response.reason:
            extensions["reason_phrase"] = response.reason.encode("latin-1", "replace")
        return httpx.Response(
            response.status,
            headers=list(response.raw_headers),
            stream=httpx.ByteStream(content),
            request=request,
            extensions=extensions,
        )

    async def aclose(self) -> None:
        if self._session is not None:
            session, self._session = self._session, None
            if self._finalizer is not None:
                self._finalizer.detach()
                self._finalizer = None
            await session.close()
