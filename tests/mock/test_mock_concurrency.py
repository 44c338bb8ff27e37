"""The mock holds at least 1,000 connections open at once (the sampling retry handler's default
max_connections), and answers them all."""

from __future__ import annotations

import asyncio
import resource
import time

import aiohttp
from mock_support import KEY, serving

CONNECTIONS = 1000
DELAY_MS = 50


def _raise_open_file_limit(wanted: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted if hard == resource.RLIM_INFINITY else min(wanted, hard), hard))


def test_a_thousand_concurrent_connections() -> None:
    _raise_open_file_limit(4 * CONNECTIONS + 256)  # each connection is two descriptors here (client and server)

    async def scenario() -> None:
        script = {"responses": {"service.healthz": [{"delay_ms": DELAY_MS, "times": CONNECTIONS}]}}
        async with serving(script) as (server, _):
            server.hold()  # nothing is answered until every request is in, so all connections are open at once
            connector = aiohttp.TCPConnector(limit=0, force_close=True)
            async with aiohttp.ClientSession(connector=connector, headers=KEY, timeout=aiohttp.ClientTimeout(total=60)) as session:

                async def one() -> tuple[int, float]:
                    async with session.get(server.url + "/api/v1/healthz") as r:
                        await r.read()
                        return r.status, time.monotonic()

                tasks = [asyncio.create_task(one()) for _ in range(CONNECTIONS)]
                assert await server.wait_in_flight(CONNECTIONS, timeout=30)
                assert server.stats()["held"] == CONNECTIONS
                released = time.monotonic()
                server.hold(False)
                results = await asyncio.gather(*tasks)
            assert [status for status, _ in results] == [200] * CONNECTIONS
            assert min(at for _, at in results) - released >= DELAY_MS / 1000  # each waited its scripted delay
            stats = server.stats()
            assert stats["max_in_flight"] == CONNECTIONS and stats["in_flight"] == 0
            assert all(r["response"]["status"] == 200 for r in server.requests())

    asyncio.run(scenario())
