"""The futures protocol of the bundled manifest (promise_result `futures`, retrieve endpoint
`futures.retrieve`): handle, try_again polls, result, error result, 408 pending, unknown ids."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from mock_support import problems, serving, tinker_api

from tinkc.ir import nodes as ir

CREATE = {"session_id": "s-1", "model_seq_id": 0, "base_model": "Qwen/Qwen3-8B"}
SAVE = {"model_id": "m-1", "path": "step-1"}


async def poll(client: httpx.AsyncClient, request_id: str) -> httpx.Response:
    return await client.post("/api/v1/retrieve_future", json={"request_id": request_id})


def retrieve_type() -> ir.TypeRef:
    t = tinker_api().endpoints["futures.retrieve"].response
    assert t is not None
    return t


def test_submit_try_again_then_result() -> None:
    api = tinker_api()

    async def scenario() -> None:
        async with serving({"futures": {"models.create": {"pending_polls": 3, "queue_states": ["active", "paused_capacity"]}}}) as (
            server,
            client,
        ):
            r = await client.post("/api/v1/create_model", json=CREATE)
            assert r.status_code == 200
            handle = r.json()
            assert set(handle) >= {"request_id"} and problems(api, ir.Ref(name="UntypedAPIFuture"), handle) == []
            states = []
            for _ in range(3):
                r = await poll(client, handle["request_id"])
                assert r.status_code == 200
                body = r.json()
                assert body["type"] == "try_again" and body["request_id"] == handle["request_id"]
                assert problems(api, retrieve_type(), body) == []
                states.append(body["queue_state"])
            assert states == ["active", "paused_capacity", "paused_capacity"]  # the last state repeats
            r = await poll(client, handle["request_id"])
            result = r.json()
            assert r.status_code == 200 and "type" in result and result["type"] == "create_model"
            assert problems(api, ir.Ref(name="CreateModelResponse"), result) == []
            assert handle.get("model_id", result["model_id"]) == result["model_id"]  # the handle agrees with the result
            again = await poll(client, handle["request_id"])
            assert again.json() == result  # a resolved future keeps answering its result
            [state] = server.futures()
            assert state == {
                "request_id": handle["request_id"],
                "endpoint": "models.create",
                "polls": 5,
                "pending_polls_left": 0,
                "state": "complete",
            }

    asyncio.run(scenario())


def test_default_is_one_pending_poll_and_zero_is_immediate() -> None:
    async def scenario() -> None:
        async with serving({"futures": {"*": {"pending_polls": 0}, "models.create": {"pending_polls": 1}}}) as (_, client):
            rid = (await client.post("/api/v1/create_model", json=CREATE)).json()["request_id"]
            assert (await poll(client, rid)).json()["type"] == "try_again"
            assert (await poll(client, rid)).json()["type"] == "create_model"
            rid = (await client.post("/api/v1/save_weights", json=SAVE)).json()["request_id"]
            assert "path" in (await poll(client, rid)).json()  # "*": no pending poll
        async with serving() as (_, client):
            rid = (await client.post("/api/v1/save_weights", json=SAVE)).json()["request_id"]
            assert (await poll(client, rid)).json()["type"] == "try_again"
            assert (await poll(client, rid)).json()["type"] != "try_again"

    asyncio.run(scenario())


def test_error_result_with_category() -> None:
    api = tinker_api()

    async def scenario() -> None:
        futures = {"weights.save": [{"error": "disk full", "category": "server", "pending_polls": 0}, {"error": "bad name"}]}
        async with serving({"futures": futures}) as (_, client):
            answers: list[Any] = []
            for _ in range(3):
                rid = (await client.post("/api/v1/save_weights", json=SAVE)).json()["request_id"]
                while (r := await poll(client, rid)).json().get("type") == "try_again":
                    pass
                answers.append(r.json())
            assert answers[0] == {"error": "disk full", "category": "server"}
            assert answers[1] == {"error": "bad name", "category": "user"}  # category defaults to user
            assert problems(api, ir.Ref(name="RequestFailedResponse"), answers[0]) == []
            assert "path" in answers[2]  # the list is used up: the normal result again

    asyncio.run(scenario())


def test_error_without_category_and_explicit_result() -> None:
    async def scenario() -> None:
        futures = {
            "weights.save": [
                {"error": "x", "category": None, "pending_polls": 0},
                {"result": {"path": "tinker://r/w/1"}, "pending_polls": 0},
            ]
        }
        async with serving({"futures": futures}) as (_, client):
            rid = (await client.post("/api/v1/save_weights", json=SAVE)).json()["request_id"]
            assert (await poll(client, rid)).json() == {"error": "x"}
            rid = (await client.post("/api/v1/save_weights", json=SAVE)).json()["request_id"]
            assert (await poll(client, rid)).json() == {"path": "tinker://r/w/1"}

    asyncio.run(scenario())


def test_408_pending_status() -> None:
    async def scenario() -> None:
        futures = {
            "sampling.asample": {
                "pending_polls": 2,
                "pending_status": 408,
                "queue_states": ["paused_rate_limit"],
                "queue_state_reason": "busy",
            }
        }
        async with serving({"futures": futures}) as (_, client):
            sample = {"prompt": {"chunks": [{"type": "encoded_text", "tokens": [1, 2]}]}, "sampling_params": {"max_tokens": 4}}
            rid = (await client.post("/api/v1/asample", json=sample)).json()["request_id"]
            for _ in range(2):
                r = await poll(client, rid)
                assert r.status_code == 408
                assert r.json() == {"request_id": rid, "queue_state": "paused_rate_limit", "queue_state_reason": "busy"}
            r = await poll(client, rid)
            assert r.status_code == 200 and "sequences" in r.json()

    asyncio.run(scenario())


def test_unknown_request_id_is_404() -> None:
    async def scenario() -> None:
        async with serving() as (_, client):
            r = await poll(client, "req-nope")
            assert r.status_code == 404
            r = await client.post("/api/v1/retrieve_future", json={"allow_metadata_only": True})
            assert r.status_code == 422  # the request id field is required by the request type

    asyncio.run(scenario())


def test_scripted_polls_do_not_consume_pending_polls() -> None:
    async def scenario() -> None:
        async with serving({"responses": {"futures.retrieve": [{"status": 503}]}}) as (_, client):
            rid = (await client.post("/api/v1/create_model", json=CREATE)).json()["request_id"]
            assert (await poll(client, rid)).status_code == 503
            assert (await poll(client, rid)).json()["type"] == "try_again"
            assert (await poll(client, rid)).json()["type"] == "create_model"

    asyncio.run(scenario())


def test_complete_metadata_until_the_payload_is_asked_for() -> None:
    """`complete_metadata: N`: a resolved future answers only its metadata while the poll allows
    it (`allow_metadata_only: true`), and its result once the poll asks for the payload."""

    async def scenario() -> None:
        async with serving({"futures": {"*": {"pending_polls": 0, "complete_metadata": 1234}}}) as (server, client):
            handle = (await client.post("/api/v1/create_model", json=CREATE)).json()
            ask = {"request_id": handle["request_id"], "allow_metadata_only": True}
            metadata = await client.post("/api/v1/retrieve_future", json=ask)
            assert metadata.json() == {"status": "complete_metadata", "response_payload_size": 1234}
            result = await client.post("/api/v1/retrieve_future", json={**ask, "allow_metadata_only": False})
            assert result.json()["type"] == "create_model"
            [state] = server.futures()
            assert state["metadata_answered"] == 1

    asyncio.run(scenario())


def test_a_poll_naming_another_request_type_is_refused() -> None:
    async def scenario() -> None:
        async with serving({"futures": {"*": {"pending_polls": 0}}}) as (_, client):
            handle = (await client.post("/api/v1/create_model", json=CREATE)).json()
            body = {"request_id": handle["request_id"]}
            wrong = await client.post("/api/v1/retrieve_future", json=body, headers={"X-Tinker-Request-Type": "OptimStep"})
            assert wrong.status_code == 400 and "CreateModel" in wrong.json()["detail"]
            right = await client.post("/api/v1/retrieve_future", json=body, headers={"X-Tinker-Request-Type": "CreateModel"})
            assert right.status_code == 200

    asyncio.run(scenario())
