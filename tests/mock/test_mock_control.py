"""Recordings, the control API under /__tinkc, idempotency accounting, holding responses, and the
background-thread runner."""

from __future__ import annotations

import asyncio

import httpx
from mock_support import KEY, serving, tinker_api

from tinkc.mock import running_mock

IDEM = "X-Idempotency-Key"


def test_recordings_in_arrival_order() -> None:
    async def scenario() -> None:
        async with serving({"responses": {"service.healthz": [{"status": 503}]}}) as (server, client):
            await client.get("/api/v1/healthz", headers={"X-Trace": "a"})
            await client.get("/api/v1/training_runs", params={"limit": 5, "access_scope": "accessible"})
            await client.post("/api/v1/weights_info", json={"tinker_path": "tinker://r/weights/1"})
            await client.put("/api/v1/sessions/s-1/project", content=b"plain words", headers={"content-type": "text/plain"})
            records = (await client.get("/__tinkc/requests")).json()
            assert records == server.requests()
            assert [r["seq"] for r in records] == [0, 1, 2, 3]
            first, second, third, fourth = records
            assert (first["method"], first["path"], first["endpoint"]) == ("GET", "/api/v1/healthz", "service.healthz")
            assert first["headers"]["x-trace"] == "a" and first["headers"]["x-api-key"] == KEY["X-API-Key"]
            assert all(name == name.lower() for name in first["headers"])
            assert first["response"]["status"] == 503 and first["response"]["script"] == {"status": 503}
            assert second["query"] == {"limit": "5", "access_scope": "accessible"}
            assert second["response"]["status"] == 200 and second["response"]["source"] == "generated"
            assert "training_runs" in second["response"]["body"]
            assert (third["body"], third["body_kind"]) == ({"tinker_path": "tinker://r/weights/1"}, "json")
            assert (fourth["body"], fourth["body_kind"], fourth["response"]["status"]) == ("plain words", "text", 422)
            # filters, and clearing
            only = (await client.get("/__tinkc/requests", params={"endpoint": "weights.info"})).json()
            assert [r["seq"] for r in only] == [2]
            assert [r["seq"] for r in (await client.get("/__tinkc/requests", params={"since": 3})).json()] == [3]
            assert (await client.delete("/__tinkc/requests")).status_code == 200
            assert (await client.get("/__tinkc/requests")).json() == []

    asyncio.run(scenario())


def test_reset_clears_or_rewinds() -> None:
    async def scenario() -> None:
        async with serving({"responses": {"service.healthz": [{"status": 503}]}}) as (server, client):
            assert (await client.get("/api/v1/healthz")).status_code == 503
            assert (await client.get("/api/v1/healthz")).status_code == 200
            first = (await client.get("/api/v1/training_runs")).json()
            rid = (await client.post("/api/v1/save_weights", json={"model_id": "m"})).json()["request_id"]
            await client.post("/api/v1/get_info", json={"model_id": "m"}, headers={"X-Idempotency-Key": "k"})
            await client.post("/__tinkc/scenario", json={"responses": {"service.healthz": [{"status": 500}]}})
            assert (await client.post("/__tinkc/reset")).json() == {"ok": True}
            assert server.requests() == [] and server.futures() == [] and server.idempotency()["keys"] == {}
            assert (await client.get("/api/v1/healthz")).status_code == 200  # no script left at all
            assert (await client.get("/api/v1/training_runs")).json() == first  # counters restart too
            assert (await client.post("/api/v1/retrieve_future", json={"request_id": rid})).status_code == 404
            # rewind: the startup scenario again, from its start
            assert (await client.post("/__tinkc/reset", json={"rewind": True})).status_code == 200
            assert (await client.get("/api/v1/healthz")).status_code == 503
            assert (await client.get("/api/v1/healthz")).status_code == 200

    asyncio.run(scenario())


def test_control_index_and_unknown_control_routes() -> None:
    async def scenario() -> None:
        async with serving() as (_, client):
            info = (await client.get("/__tinkc")).json()
            assert info["auth_header"] == "X-API-Key"
            assert len(info["endpoints"]) == len(tinker_api().endpoints)
            r = await client.get("/__tinkc/nothing")
            assert r.status_code == 404 and "control" in r.json()

    asyncio.run(scenario())


def test_idempotency_accounting() -> None:
    async def scenario() -> None:
        script = {"responses": {"models.get_info": [{"status": 503}, {"drop": True}]}, "idempotency": {"call_tag": "m-[0-9]+"}}
        async with serving(script) as (server, client):
            body = {"model_id": "m-1"}
            # a retried request: 503, a dropped connection, then executed once
            for _ in range(2):
                try:
                    await client.post("/api/v1/get_info", json=body, headers={IDEM: "key-1"})
                except httpx.RemoteProtocolError:
                    pass
            first = await client.post("/api/v1/get_info", json=body, headers={IDEM: "key-1"})
            # a retry of an executed key: the stored answer again, not a second execution
            again = await client.post("/api/v1/get_info", json=body, headers={IDEM: "key-1"})
            assert again.json() == first.json() and again.headers["idempotent-replayed"] == "true"
            assert server.requests()[-1]["response"]["source"] == "replayed"
            # the same logical call (tag m-2) executed under two keys, and m-3 twice without a key: duplicates
            await client.post("/api/v1/get_info", json={"model_id": "m-2"}, headers={IDEM: "key-2"})
            await client.post("/api/v1/get_info", json={"model_id": "m-2"}, headers={IDEM: "key-3"})
            await client.post("/api/v1/get_info", json={"model_id": "m-3"})
            await client.post("/api/v1/get_info", json={"model_id": "m-3"})
            # a GET is idempotent: not counted
            await client.get("/api/v1/healthz", headers={IDEM: "key-4"})
            report = (await client.get("/__tinkc/idempotency")).json()
            assert report["keys"]["key-1"] == {
                "endpoint": "models.get_info",
                "method": "POST",
                "attempts": 4,
                "executions": 1,
                "replays": 1,
            }
            assert sorted(report["keys"]) == ["key-1", "key-2", "key-3"]
            assert report["calls"]["models.get_info m-1"] == {
                "endpoint": "models.get_info",
                "tag": "m-1",
                "executions": 1,
                "keys": ["key-1"],
            }
            assert report["duplicates"] == [
                {"kind": "call", "endpoint": "models.get_info", "tag": "m-2", "executions": 2, "keys": ["key-2", "key-3"]},
                {"kind": "call", "endpoint": "models.get_info", "tag": "m-3", "executions": 2, "keys": [None, None]},
            ]
            assert report["without_key"] == {"models.get_info": 2}
            assert report["totals"] == {"keys": 3, "attempts": 6, "executions": 3, "replays": 1, "calls": 3, "duplicates": 2}

    asyncio.run(scenario())


def test_executed_override() -> None:
    async def scenario() -> None:
        # the server did the work, then the connection broke: a retry with the same key gets the stored
        # answer; a retry under a new key executes again, which is a duplicate of the logical call
        script = {
            "responses": {"models.get_info": [{"drop": True, "executed": True}]},
            "idempotency": {"call_tag": "^m$"},
        }
        async with serving(script) as (server, client):
            try:
                await client.post("/api/v1/get_info", json={"model_id": "m"}, headers={IDEM: "k"})
            except httpx.RemoteProtocolError:
                pass
            replayed = await client.post("/api/v1/get_info", json={"model_id": "m"}, headers={IDEM: "k"})
            assert replayed.status_code == 200 and replayed.json()["model_id"] == "m"
            assert server.idempotency()["keys"]["k"] == {
                "endpoint": "models.get_info",
                "method": "POST",
                "attempts": 2,
                "executions": 1,
                "replays": 1,
            }
            assert server.idempotency()["duplicates"] == []
            server.load_scenario(script)
            try:
                await client.post("/api/v1/get_info", json={"model_id": "m"}, headers={IDEM: "k2"})
            except httpx.RemoteProtocolError:
                pass
            assert [d["keys"] for d in server.idempotency()["duplicates"]] == [["k", "k2"]]

    asyncio.run(scenario())


def test_hold_and_stats() -> None:
    async def scenario() -> None:
        async with serving() as (server, client):
            await client.post("/__tinkc/hold", json={"held": True})
            pending = [asyncio.create_task(client.get("/api/v1/healthz")) for _ in range(3)]
            r = await client.get("/__tinkc/stats", params={"in_flight": 3, "timeout_ms": 10000})
            assert r.status_code == 200
            stats = r.json()
            assert (stats["in_flight"], stats["held"], stats["holding"]) == (3, 3, True)
            assert not any(t.done() for t in pending)
            await client.post("/__tinkc/hold", json={"held": False})
            assert [(await t).status_code for t in pending] == [200, 200, 200]
            stats = server.stats()
            assert (stats["in_flight"], stats["max_in_flight"], stats["requests"]) == (0, 3, 3)
            # waiting for more than ever arrives times out with 408
            r = await client.get("/__tinkc/stats", params={"in_flight": 1, "timeout_ms": 1})
            assert r.status_code == 408

    asyncio.run(scenario())


def test_running_mock_in_a_background_thread() -> None:
    with running_mock(tinker_api(), scenario={"responses": {"service.healthz": [{"status": 503}]}}) as mock:
        assert mock.url == f"http://127.0.0.1:{mock.port}"
        with httpx.Client(base_url=mock.url, headers=KEY) as client:
            assert client.get("/api/v1/healthz").status_code == 503
            assert client.get("/api/v1/healthz").status_code == 200
            assert [r["response"]["status"] for r in mock.requests()] == [503, 200]
            mock.load_scenario({"responses": {"service.healthz": [{"status": 500}]}})
            assert client.get("/api/v1/healthz").status_code == 500
            mock.reset(rewind=True)
            assert mock.requests() == [] and mock.stats()["requests"] == 0
            assert client.get("/api/v1/healthz").status_code == 503
    assert mock.server.port is None
