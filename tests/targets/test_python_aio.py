"""The Python runtime's asynchronous transport (runtime/_aio.py: httpx's client over aiohttp) against
a raw TCP server that records the bytes it receives: requests go out byte for byte as over httpx's
own transport, nothing is sent again behind the runtime's back, and failures are the httpx errors
the retry policy reads."""

from __future__ import annotations

import asyncio
import gzip
import importlib.util
import socket
from collections.abc import Awaitable, Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

RUNTIME = Path(__file__).resolve().parents[2] / "backends" / "python" / "runtime" / "_aio.py"


@pytest.fixture(scope="module")
def aio() -> ModuleType:
    # _aio.py imports only httpx, aiohttp and yarl: it loads on its own, outside a generated package
    spec = importlib.util.spec_from_file_location("tinkc_runtime_aio", RUNTIME)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def over_aiohttp(aio: ModuleType) -> httpx.AsyncClient:
    limits = httpx.Limits(max_connections=10)
    return httpx.AsyncClient(transport=aio.AiohttpTransport(limits=limits, verify=httpx.create_ssl_context()))


Answer = Callable[[bytes], Awaitable[bytes | None]]  # a request's bytes -> the raw answer (None: close)


async def serve(answer: Answer) -> tuple[asyncio.Server, str, list[bytes]]:
    """A server reading HTTP/1.1 requests (Content-Length bodies) off each connection in turn."""
    received: list[bytes] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.split(b"\r\n")
                length = next((int(x.split(b":", 1)[1]) for x in lines if x.lower().startswith(b"content-length:")), 0)
                request = head + await reader.readexactly(length)
                received.append(request)
                reply = await answer(request)
                if reply is None:
                    break
                writer.write(reply)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass  # the client closed the connection
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    return server, f"http://127.0.0.1:{port}", received


async def ok(request: bytes) -> bytes:
    body = gzip.compress(b'{"ok": true}')
    head = b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nSet-Cookie: s=1; Path=/\r\nX-Dup: 1\r\nX-Dup: 2\r\n"
    if request.startswith(b"HEAD "):
        return head + b"Content-Length: 0\r\n\r\n"
    return head + b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body


async def exchange(client: httpx.AsyncClient, base: str) -> list[Any]:
    """Requests of every shape the runtime sends; what the client made of the answers."""
    seen: list[Any] = []
    async with client:
        for method, path, options in [
            (
                "POST",
                "/a/b%2Fc%20d",
                {"params": {"q": "é z", "n": 1}, "content": b'{"k":1}', "headers": {"Content-Type": "application/json"}},
            ),
            ("GET", "/get", {"headers": {"X-API-Key": "tml-1", "X-Idempotency-Key": "k"}}),
            ("POST", "/empty", {}),
            ("PUT", "/put", {"content": b"x"}),
            ("PATCH", "/patch", {}),
            ("DELETE", "/delete", {}),
            ("OPTIONS", "/options", {}),
            ("HEAD", "/head", {}),
        ]:
            response = await client.request(method, base + path, **options)
            seen.append((response.status_code, response.content, response.headers.get_list("x-dup")))
        seen.append(dict(client.cookies))
    return seen


def test_requests_go_out_byte_for_byte_as_over_httpx_transport(aio: ModuleType) -> None:
    async def main() -> tuple[list[bytes], list[bytes], list[Any], list[Any]]:
        server, base, received = await serve(ok)
        async with server:
            ours = await exchange(over_aiohttp(aio), base)
            mine = list(received)
            received.clear()
            theirs = await exchange(httpx.AsyncClient(), base)
        return mine, list(received), ours, theirs

    mine, theirs, ours, expected = asyncio.run(main())
    assert len(mine) == 8 and mine == theirs
    # the answer is decoded by httpx (gzip), repeated headers kept, the cookie kept by httpx's jar
    assert ours == expected and ours[0] == (200, b'{"ok": true}', ["1", "2"]) and ours[-1] == {"s": "1"}
    assert b"Cookie: s=1\r\n" in mine[1]  # sent back by httpx, once


def test_a_dropped_connection_is_not_sent_again(aio: ModuleType) -> None:
    """aiohttp would send an idempotent request again when a reused connection turns out closed:
    the runtime's retry policy decides that, so the transport must fail instead."""
    answers = 0

    async def then_drop(request: bytes) -> bytes | None:
        nonlocal answers
        answers += 1
        return await ok(request) if answers == 1 else None

    async def main() -> tuple[BaseException | None, int]:
        server, base, received = await serve(then_drop)
        async with server:
            async with over_aiohttp(aio) as client:
                await client.get(base + "/first")
                try:
                    await client.get(base + "/second")  # on the kept-alive connection, dropped
                except httpx.HTTPError as exc:
                    return exc, len(received)
        return None, len(received)

    error, requests = asyncio.run(main())
    assert isinstance(error, httpx.TransportError) and not isinstance(error, httpx.TimeoutException)
    assert requests == 2


def test_failures_are_the_httpx_errors_the_retry_policy_reads(aio: ModuleType) -> None:
    async def never(request: bytes) -> bytes | None:
        await asyncio.Event().wait()  # never answers: the client's read timeout ends it
        return None

    async def main() -> tuple[BaseException | None, BaseException | None]:
        server, base, _ = await serve(never)
        async with server:
            async with over_aiohttp(aio) as client:
                try:
                    await client.get(base + "/slow", timeout=httpx.Timeout(5.0, read=0.05))
                    timeout = None
                except httpx.HTTPError as exc:
                    timeout = exc
        with socket.socket() as s:  # a port nobody listens on
            s.bind(("127.0.0.1", 0))
            closed = s.getsockname()[1]
        async with over_aiohttp(aio) as client:
            try:
                await client.get(f"http://127.0.0.1:{closed}/")
                refused = None
            except httpx.HTTPError as exc:
                refused = exc
        return timeout, refused

    timeout, refused = asyncio.run(main())
    assert isinstance(timeout, httpx.ReadTimeout)
    assert isinstance(refused, httpx.ConnectError)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("ConnectionTimeoutError", httpx.ConnectTimeout),
        ("SocketTimeoutError", httpx.ReadTimeout),
        ("ServerDisconnectedError", httpx.RemoteProtocolError),
        ("ClientPayloadError", httpx.RemoteProtocolError),
        ("ClientOSError", httpx.ReadError),
    ],
)
def test_aiohttp_errors_map_to_httpx_errors(aio: ModuleType, name: str, expected: type[httpx.TransportError]) -> None:
    import aiohttp

    error = aio.transport_error(getattr(aiohttp, name)())
    assert type(error) is expected
    assert aio.transport_error(ValueError("not a transport failure")) is None


def test_a_client_dropped_unclosed_goes_quietly(aio: ModuleType) -> None:
    """httpx's own transport closes a dropped client's connections without a word; aiohttp would
    report an unclosed session and connector through the event loop's exception handler."""
    import gc

    reported: list[dict[str, Any]] = []

    async def main() -> None:
        asyncio.get_running_loop().set_exception_handler(lambda loop, context: reported.append(context))
        server, base, _ = await serve(ok)
        async with server:
            client = over_aiohttp(aio)
            await client.get(base + "/kept-alive")
            del client
            gc.collect()

    asyncio.run(main())
    assert [c["message"] for c in reported if "Unclosed" in c["message"]] == []
