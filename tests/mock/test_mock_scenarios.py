"""Scripted scenarios: status sequences, headers, delays, dropped connections, malformed bodies,
raw text, keys by `METHOD /path`, the file format and its diagnostics."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import httpx
import pytest
from mock_support import serving, tinker_api

from tinkc.mock import ScenarioError, load_scenario, parse_scenario

HEALTH = "/api/v1/healthz"


def test_status_sequence_then_normal() -> None:
    async def scenario() -> None:
        async with serving({"responses": {"service.healthz": [{"status": 503, "times": 2}, {"status": 500}]}}) as (server, client):
            statuses = [(await client.get(HEALTH)).status_code for _ in range(5)]
            assert statuses == [503, 503, 500, 200, 200]
            r503 = server.requests()[0]["response"]
            assert r503["source"] == "scripted" and r503["script"] == {"status": 503, "times": 2}
            assert r503["body"] == {"detail": "Service Unavailable (scripted by tinkc mock)"}
            assert server.requests()[3]["response"]["source"] == "generated"

    asyncio.run(scenario())


def test_429_with_retry_after() -> None:
    async def scenario() -> None:
        scripted = {"responses": {"sampling.asample": {"status": 429, "headers": {"Retry-After": 1}, "body": {"detail": "slow down"}}}}
        async with serving(scripted) as (_, client):
            sample = {"prompt": {"chunks": []}, "sampling_params": {}}
            r = await client.post("/api/v1/asample", json=sample)
            assert r.status_code == 429 and r.headers["retry-after"] == "1" and r.json() == {"detail": "slow down"}
            assert (await client.post("/api/v1/asample", json=sample)).status_code == 200

    asyncio.run(scenario())


def test_delay_is_server_side() -> None:
    async def scenario() -> None:
        async with serving({"responses": {"service.healthz": [{"delay_ms": 150}]}}) as (_, client):
            started = time.monotonic()
            r = await client.get(HEALTH)
            assert r.status_code == 200 and r.json() == {"status": "ok"}  # a delay alone keeps the normal answer
            assert time.monotonic() - started >= 0.150

    asyncio.run(scenario())


def test_drop_the_first_connection() -> None:
    async def scenario() -> None:
        async with serving({"responses": {"service.healthz": [{"drop": True}]}}) as (server, client):
            with pytest.raises(httpx.RemoteProtocolError):
                await client.get(HEALTH)
            assert (await client.get(HEALTH)).status_code == 200
            first = server.requests()[0]["response"]
            assert first["dropped"] is True and first["status"] is None

    asyncio.run(scenario())


def test_malformed_body_and_raw_text() -> None:
    async def scenario() -> None:
        script = [{"malformed": True}, {"status": 502, "text": "<html>bad gateway</html>", "headers": {"Content-Type": "text/html"}}]
        async with serving({"responses": {"service.healthz": script}}) as (server, client):
            r = await client.get(HEALTH)
            assert r.status_code == 200 and r.headers["content-type"] == "application/json"
            with pytest.raises(json.JSONDecodeError):
                json.loads(r.content)
            assert server.requests()[0]["response"]["malformed"] is True
            r = await client.get(HEALTH)
            assert r.status_code == 502 and r.text == "<html>bad gateway</html>" and r.headers["content-type"] == "text/html"

    asyncio.run(scenario())


def test_scripted_json_body_status_and_modified_default() -> None:
    async def scenario() -> None:
        script = [{"body": {"status": "not-ok"}}, {"status": 201, "headers": {"X-Extra": "yes"}}, {"status": 204}]
        async with serving({"responses": {"service.healthz": script}}) as (_, client):
            r = await client.get(HEALTH)
            assert (r.status_code, r.json()) == (200, {"status": "not-ok"})
            r = await client.get(HEALTH)
            assert (r.status_code, r.json(), r.headers["x-extra"]) == (201, {"status": "ok"}, "yes")
            r = await client.get(HEALTH)
            assert (r.status_code, r.content) == (204, b"")

    asyncio.run(scenario())


def test_keys_by_method_and_path() -> None:
    async def scenario() -> None:
        responses = {
            "GET /api/v1/training_runs/run-9": [{"status": 404}],  # one concrete resource
            "DELETE /api/v1/training_runs/{training_run_id}/checkpoints/{+checkpoint_id}": [{"status": 409}],  # the template
        }
        async with serving({"responses": responses}) as (_, client):
            assert (await client.get("/api/v1/training_runs/run-1")).status_code == 200
            assert (await client.get("/api/v1/training_runs/run-9")).status_code == 404
            assert (await client.get("/api/v1/training_runs/run-9")).status_code == 200
            assert (await client.delete("/api/v1/training_runs/r/checkpoints/weights/0001")).status_code == 409

    asyncio.run(scenario())


def test_scripts_apply_before_auth_and_validation() -> None:
    async def scenario() -> None:
        async with serving({"responses": {"models.create": [{"status": 500}, {"delay_ms": 1}]}}) as (_, client):
            assert (await client.post("/api/v1/create_model", json={})).status_code == 500  # scripted: no body check
            assert (await client.post("/api/v1/create_model", json={})).status_code == 422  # modifies the normal answer only

    asyncio.run(scenario())


def test_scenario_file_yaml(tmp_path: Path) -> None:
    path = tmp_path / "faults.yaml"
    path.write_text(
        "doc: first two calls fail\n"
        "responses:\n"
        "  service.healthz:\n"
        "    - {status: 503, times: 2}\n"
        "  sampling.asample:\n"
        "    - status: 429\n"
        "      headers: {Retry-After: 1}\n"
        "futures:\n"
        '  "*": {pending_polls: 2}\n'
        "  weights.save: [{error: disk full, category: server}]\n"
    )
    scenario = load_scenario(path, tinker_api())
    assert scenario.to_json() == {
        "doc": "first two calls fail",
        "responses": {
            "service.healthz": [{"status": 503, "times": 2}],
            "sampling.asample": [{"status": 429, "headers": {"Retry-After": "1"}}],
        },
        "futures": {"*": {"pending_polls": 2}, "weights.save": [{"error": "disk full", "category": "server"}]},
    }


def test_scenario_file_diagnostics(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        "responses:\n"
        "  service.healthzz:\n"
        "    - {status: 503}\n"
        "  service.create_session:\n"
        "    - {stauts: 503}\n"
        "    - {drop: true, status: 500}\n"
        "    - {status: 99, times: 0}\n"
        "  GET /api/v1/nowhere: []\n"
        "futures:\n"
        "  service.healthz: {pending_polls: 1}\n"
        "  models.create: {pending_polls: -1, queue_states: []}\n"
    )
    with pytest.raises(ScenarioError) as exc:
        load_scenario(path, tinker_api())
    found = {(str(d.span), d.code): d for d in exc.value.diagnostics}
    assert found[(f"{path}:2:3", "scenario.unknown-endpoint")].hint == "did you mean `service.healthz`?"
    assert found[(f"{path}:5:8", "scenario.unknown-key")].hint == "did you mean `status`?"
    assert (f"{path}:6:7", "scenario.conflict") in found
    assert [d.message for d in exc.value.diagnostics if d.span and d.span.line == 7] == [
        'responses."service.create_session"[2].status: expected an integer from 200 to 599, got `99`',
        'responses."service.create_session"[2].times: expected an integer >= 1, got `0`',
    ]
    assert (f"{path}:8:3", "scenario.unknown-endpoint") in found
    assert "not a futures (promise_result) endpoint" in found[(f"{path}:10:3", "scenario.unknown-endpoint")].message
    assert sum(1 for d in exc.value.diagnostics if d.span and d.span.line == 11) == 2


def test_scenario_data_errors_name_the_path() -> None:
    with pytest.raises(ScenarioError) as exc:
        parse_scenario({"responses": {"models.create": [{"body": 1, "text": "x"}]}, "extra": 1}, tinker_api())
    messages = [d.message for d in exc.value.diagnostics]
    assert "extra: unknown key `extra`" in messages
    assert 'responses."models.create"[0]: give `body` (JSON) or `text` (raw text), not both' in messages


def test_load_a_scenario_over_the_control_api() -> None:
    async def scenario() -> None:
        async with serving() as (_, client):
            r = await client.post("/__tinkc/scenario", json={"responses": {"service.healthz": [{"status": 418}]}})
            assert r.status_code == 200 and r.json()["scenario"] == {"responses": {"service.healthz": [{"status": 418}]}}
            state = (await client.get("/__tinkc/scenario")).json()
            assert state["remaining"] == {"service.healthz": [{"status": 418, "times": 1}]}
            assert (await client.get(HEALTH)).status_code == 418
            assert (await client.get("/__tinkc/scenario")).json()["remaining"] == {}
            r = await client.post("/__tinkc/scenario", json={"responses": {"nope": []}})
            assert r.status_code == 400 and r.json()["diagnostics"][0]["code"] == "scenario.unknown-endpoint"
            yaml_text = "responses:\n  service.healthz: [{status: 503}]\n"
            r = await client.post("/__tinkc/scenario", content=yaml_text, headers={"content-type": "application/yaml"})
            assert r.status_code == 200
            assert (await client.get(HEALTH)).status_code == 503

    asyncio.run(scenario())
