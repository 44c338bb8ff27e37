"""`tinkc mock` serves every endpoint of the bundled manifest with schema-valid data, matches paths
(raw and encoded parameters), checks auth and request bodies, and answers deterministically."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from typing import Any

import httpx
import pytest
from mock_support import KEY, problems, serving, tinker_api

from tinkc.ir import nodes as ir
from tinkc.mock import Checker, Generator, Rand
from tinkc.mock.values import to_text

RAW_ID = "weights/0001"


def request_parts(api: ir.Api, ep: ir.Endpoint, seed: str) -> tuple[str, dict[str, str], Any]:
    """A valid request of ``ep``: its path, required query parameters and body."""
    gen = Generator(api)
    path = ""
    for part in ep.path.parts:
        if isinstance(part, ir.PathLiteral):
            path += part.text
        else:
            path += RAW_ID if part.raw else f"{part.name}-1"
    query = {q.wire_name or q.name: to_text(gen.value(q.type, Rand(f"{seed}/{q.name}"), name=q.name)) for q in ep.query if q.required}
    body = gen.value(ep.request, Rand(seed), name="body") if ep.request is not None else None
    return path, query, body


async def call(client: httpx.AsyncClient, api: ir.Api, ep: ir.Endpoint, seed: str = "req") -> httpx.Response:
    path, query, body = request_parts(api, ep, seed)
    return await client.request(ep.method, path, params=query, json=body)


async def resolve(client: httpx.AsyncClient, api: ir.Api, ep: ir.Endpoint, handle: dict[str, Any]) -> tuple[int, Any]:
    """Poll a future to its end; every pending answer must be a valid answer of the retrieve endpoint."""
    feature = api.future_feature(ep)
    assert feature is not None and isinstance(feature.params, ir.PromiseResult)
    spec = feature.params
    retrieve = api.endpoints[spec.retrieve_endpoint]
    for polls in range(1, 20):
        r = await client.post(retrieve.path.template, json={spec.request_id_field: handle[spec.request_id_field]})
        assert r.status_code == 200, r.text
        body = r.json()
        assert retrieve.response is not None and problems(api, retrieve.response, body) == []
        if body.get(spec.try_again_field) != spec.try_again_value:
            return polls, body
    raise AssertionError("the future never resolved")


def test_every_endpoint_answers_schema_valid_data() -> None:
    api = tinker_api()

    async def scenario() -> None:
        async with serving() as (_, client):
            for ep in api.endpoints.values():
                if any(f.params.retrieve_endpoint == ep.id for f in api.features.values() if isinstance(f.params, ir.PromiseResult)):
                    continue  # the retrieve endpoint is exercised by each future below
                r = await call(client, api, ep)
                future = api.future_feature(ep)
                if future is not None:
                    assert isinstance(future.params, ir.PromiseResult)
                    assert r.status_code == 200, (ep.id, r.text)
                    handle = r.json()
                    assert future.params.handle_type is not None
                    assert problems(api, future.params.handle_type, handle) == [], ep.id
                    polls, result = await resolve(client, api, ep, handle)
                    assert polls == 2  # one try_again by default, then the result
                    assert ep.response is not None and problems(api, ep.response, result) == [], (ep.id, result)
                elif ep.response_handler == "redirect_location":
                    assert r.status_code == 302 and r.headers["location"].startswith(str(client.base_url)), ep.id
                    follow = await client.get(r.headers["location"])
                    assert follow.status_code == 200 and follow.content
                elif ep.response is None:
                    assert r.status_code == 204 and r.content == b"", (ep.id, r.text)
                elif ep.stream is not None:  # server-sent events, each a generated response value
                    assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream"), ep.id
                    events = [json.loads(line.removeprefix("data: ")) for line in r.text.split("\n") if line.startswith("data: ")]
                    assert len(events) == 3 and r.text.endswith("\n\n"), (ep.id, r.text)
                    assert all(problems(api, ep.response, e) == [] for e in events), (ep.id, events)
                else:
                    assert r.status_code == 200, (ep.id, r.text)
                    assert r.headers["content-type"] == "application/json"
                    assert problems(api, ep.response, r.json()) == [], (ep.id, r.json())

    asyncio.run(scenario())


def test_generated_values_pass_both_validators() -> None:
    """The generator's values fit every declared type, by the strict test validator and by the
    mock's own request checker (so a generated request is never rejected)."""
    api = tinker_api()
    gen, checker = Generator(api), Checker(api)
    for type_id in api.types:
        for i in range(8):
            value = gen.value(ir.Ref(name=type_id), Rand(f"{type_id}/{i}"))
            assert problems(api, ir.Ref(name=type_id), value) == [], (type_id, value)
            assert checker.problems(ir.Ref(name=type_id), value) == [], (type_id, value)


def test_recursion_is_bounded() -> None:
    tree = ir.Record(
        id="Tree",
        fields=(
            ir.Field(name="children", type=ir.ListT(item=ir.Ref(name="Tree")), json_name="children", required=True),
            ir.Field(name="next", type=ir.Nullable(inner=ir.Ref(name="Tree")), json_name="next", required=True),
        ),
    )
    api = ir.Api(schema_version=1, service=ir.Service(name="t"), types={"Tree": tree})
    value = Generator(api).value(ir.Ref(name="Tree"), Rand("x"))
    assert problems(api, ir.Ref(name="Tree"), value) == []
    assert len(json.dumps(value)) < 200_000


def test_path_parameters_raw_and_encoded() -> None:
    async def scenario() -> None:
        async with serving() as (server, client):
            r = await client.delete(f"/api/v1/training_runs/run-1/checkpoints/{RAW_ID}")
            assert r.status_code == 204
            r = await client.post(f"/api/v1/training_runs/run-1/checkpoints/{RAW_ID}/publish")
            assert r.status_code == 204
            r = await client.get(f"/api/v1/training_runs/run-1/checkpoints/{RAW_ID}/external_weights_urls")
            assert r.status_code == 200
            r = await client.get("/api/v1/training_runs/run%2F2")  # an encoded / stays in its one segment
            assert r.status_code == 200 and r.json()["training_run_id"] == "run/2"  # echoed into the answer
            r = await client.get("/api/v1/samplers/a%20b")
            assert r.json()["sampler_id"] == "a b"
            seen = [(q["endpoint"], q["path_params"]) for q in server.requests()]
            assert seen == [
                ("checkpoints.delete", {"training_run_id": "run-1", "checkpoint_id": RAW_ID}),
                ("checkpoints.publish", {"training_run_id": "run-1", "checkpoint_id": RAW_ID}),
                ("checkpoints.external_weights_urls", {"training_run_id": "run-1", "checkpoint_id": RAW_ID}),
                ("training_runs.get", {"training_run_id": "run/2"}),
                ("samplers.get", {"sampler_id": "a b"}),
            ]
            # a one-segment parameter does not swallow a `/`
            r = await client.get("/api/v1/training_runs/run/extra")
            assert r.status_code == 404

    asyncio.run(scenario())


def test_unknown_paths_and_methods() -> None:
    async def scenario() -> None:
        async with serving() as (server, client):
            r = await client.get("/api/v1/nothing-here")
            assert r.status_code == 404 and "no endpoint" in r.json()["detail"]
            r = await client.get("/api/v1/create_model")
            assert r.status_code == 405 and r.headers["allow"] == "POST"
            assert [q["endpoint"] for q in server.requests()] == [None, None]  # recorded all the same

    asyncio.run(scenario())


def test_401_without_the_api_key() -> None:
    async def scenario() -> None:
        async with serving() as (_, client):
            r = await client.get("/api/v1/healthz", headers={"X-API-Key": ""})
            assert r.status_code == 401 and "X-API-Key" in r.json()["detail"]
            async with httpx.AsyncClient(base_url=str(client.base_url)) as anonymous:
                r = await anonymous.post("/api/v1/create_model", json={})
                assert r.status_code == 401
            r = await client.get("/api/v1/healthz")
            assert r.status_code == 200

    asyncio.run(scenario())


def test_422_on_a_bad_request() -> None:
    async def scenario() -> None:
        async with serving() as (_, client):
            r = await client.post("/api/v1/create_model", json={"session_id": 7, "base_model": "m", "lora_config": {"rank": "high"}})
            assert r.status_code == 422
            detail = {tuple(d["loc"]): d for d in r.json()["detail"]}
            assert detail[("body", "session_id")]["type"] == "type"
            assert detail[("body", "model_seq_id")]["type"] == "missing"
            assert "model_seq_id" in detail[("body", "model_seq_id")]["msg"]
            assert ("body", "lora_config", "rank") in detail
            r = await client.post("/api/v1/create_model", content=b"{not json", headers={"content-type": "application/json"})
            assert r.status_code == 422 and r.json()["detail"][0]["type"] == "json"
            r = await client.post("/api/v1/create_model")
            assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body"]
            # a wrong discriminated-union tag, an unknown enum value, bad base64
            r = await client.post(
                "/api/v1/forward_backward",
                json={
                    "model_id": "m",
                    "forward_backward_input": {
                        "data": [{"model_input": {"chunks": [{"type": "video"}, {"type": "image", "data": "@@", "format": "png"}]}}],
                        "loss_fn": "magic",
                    },
                },
            )
            assert r.status_code == 422
            locs = [d["loc"] for d in r.json()["detail"]]
            assert ["body", "forward_backward_input", "data", 0, "model_input", "chunks", 0, "type"] in locs
            assert ["body", "forward_backward_input", "data", 0, "model_input", "chunks", 1, "data"] in locs
            assert ["body", "forward_backward_input", "loss_fn"] in locs
            # unknown fields are fine
            ok = {"session_id": "s", "model_seq_id": 0, "base_model": "m", "something_new": True}
            assert (await client.post("/api/v1/create_model", json=ok)).status_code == 200
            # query parameters are typed too
            r = await client.get("/api/v1/training_runs", params={"limit": "ten"})
            assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["query", "limit"]
            r = await client.get("/api/v1/billing/usage/events", params={"starting_on": "2025-01-01T00:00:00Z"})
            assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["query", "ending_before"]

    asyncio.run(scenario())


def _bodies_of_a_session() -> list[Any]:
    api = tinker_api()

    async def scenario() -> list[Any]:
        out = []
        async with serving() as (_, client):
            for ep in api.endpoints.values():
                for _ in range(2):
                    r = await call(client, api, ep)
                    out.append([ep.id, r.status_code, r.text])
        return out

    return asyncio.run(scenario())


def test_determinism_across_server_instances() -> None:
    first, second = _bodies_of_a_session(), _bodies_of_a_session()
    assert first == second
    # the counter, not time, varies the answers of repeated calls
    by_endpoint = {(e, i % 2): text for i, (e, _, text) in enumerate(first)}
    assert by_endpoint[("training_runs.list", 0)] != by_endpoint[("training_runs.list", 1)]


def test_generated_values_do_not_depend_on_the_hash_seed() -> None:
    program = (
        "import json; from tinkc.mock import Generator, Rand; from tinkc.ir.nodes import Ref; "
        "from tinkc.pipeline import compile_manifest, bundled_manifest; api = compile_manifest(bundled_manifest()).api; "
        "g = Generator(api); print(json.dumps([g.value(Ref(name=t), Rand(t)) for t in api.types]))"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=True, env=env).stdout
    api = tinker_api()
    gen = Generator(api)
    assert json.loads(out) == [gen.value(ir.Ref(name=t), Rand(t)) for t in api.types]


@pytest.mark.parametrize("header", ["X-API-Key", "x-api-key"])
def test_auth_header_name_is_case_insensitive(header: str) -> None:
    async def scenario() -> None:
        async with serving() as (_, client):
            async with httpx.AsyncClient(base_url=str(client.base_url)) as other:
                r = await other.get("/api/v1/healthz", headers={header: KEY["X-API-Key"]})
                assert r.status_code == 200

    asyncio.run(scenario())


def test_config_endpoints_answer_their_declared_defaults() -> None:
    """The server_config endpoints answer a server with nothing to change: every field with a
    declared default holds it (pjwt_auth_enabled false, refresh_interval_sec 300), so no SDK flag
    flips by chance; a scenario's `responses` script other answers."""
    api = tinker_api()

    async def main() -> None:
        async with serving() as (_, client):
            for eid in ("service.client_config", "service.client_dynamic_config"):
                ep = api.endpoints[eid]
                record = api.record(ep.response)
                assert record is not None
                for n in range(2):
                    r = await call(client, api, ep, seed=f"cfg{n}")
                    assert r.status_code == 200, r.text
                    answer = r.json()
                    assert problems(api, ep.response, answer) == []
                    defaults = {f.json_name: ir.thaw(f.default) for f in record.fields if f.has_default}
                    assert defaults and {k: answer[k] for k in defaults} == defaults
            r = await call(client, api, api.endpoints["service.client_config"])
            assert r.json()["pjwt_auth_enabled"] is False

    asyncio.run(main())
