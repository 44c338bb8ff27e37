"""A generated answer of a paginated endpoint is its last page, so an SDK iterating the pages of
`tinkc mock` ends: no next cursor or URL, and for limit/offset fewer items than the limit sent and a
total that ends at this page (scripted answers make longer sequences: the conformance scenarios)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from mock_support import serving, tinker_api

from tinkc.ir import nodes as ir
from tinkc.pipeline import compile_manifest

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "pagination" / "manifest.yaml"


def pages_api() -> ir.Api:
    result = compile_manifest(FIXTURE)
    assert result.api is not None and not result.sink.has_errors
    return result.api


@pytest.mark.parametrize("limit", [1, 2, 5])
def test_limit_offset_answer_is_the_last_page(limit: int) -> None:
    async def scenario() -> None:
        async with serving(api=pages_api()) as (_, client):
            for offset in (0, 7):
                answer = (await client.get("/pets", params={"limit": limit, "offset": offset})).json()
                assert len(answer["pets"]) < limit
                if answer.get("meta") is not None:
                    assert answer["meta"]["total"] == offset + len(answer["pets"])

    asyncio.run(scenario())


def test_cursor_and_next_url_answers_have_no_next() -> None:
    async def scenario() -> None:
        async with serving(api=pages_api()) as (_, client):
            for n in range(4):  # generated bodies vary by the request's number
                search = (await client.post("/pets/search", json={"name": f"rex-{n}"})).json()
                assert search.get("next") is None
                browse = await client.get("/pets/browse")
                assert browse.json()["links"].get("next") is None
                scan = await client.get("/pets/scan")
                assert "x-next-cursor" not in scan.headers

    asyncio.run(scenario())


def test_tinker_session_search_ends() -> None:
    async def scenario() -> None:
        async with serving(api=tinker_api()) as (_, client):
            for n in range(4):
                answer = (await client.post("/api/v1/sessions/search", json={"limit": 5 + n})).json()
                assert answer.get("next_cursor") is None
                listed = (await client.get("/api/v1/training_runs", params={"limit": 1, "offset": 3})).json()
                assert listed["training_runs"] == []
                assert listed["cursor"]["total_count"] == 3

    asyncio.run(scenario())
