"""Random fault injection (`faults:` in a scenario): every kind, determinism for a seed and request
order, the counters on the control API, and how faults meet idempotency keys."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import httpx
import pytest
from mock_support import serving, tinker_api

from tinkc.mock import ScenarioError, parse_scenario

IDEM = "X-Idempotency-Key"


async def post_info(client: httpx.AsyncClient, model_id: str, key: str | None = None) -> httpx.Response | None:
    """POST get_info; None when the server dropped the connection."""
    try:
        return await client.post("/api/v1/get_info", json={"model_id": model_id}, headers={IDEM: key} if key else {})
    except httpx.RemoteProtocolError:
        return None


def faults_seen(records: list[dict[str, Any]]) -> list[str | None]:
    return [r["response"].get("fault") for r in records]


def run_sequence(seed: int) -> tuple[list[str | None], dict[str, Any]]:
    async def scenario() -> tuple[list[str | None], dict[str, Any]]:
        faults = {"seed": seed, "rate": 0.5, "kinds": ["5xx_burst", 429, 408, "slow", "malformed", "drop"], "slow_ms": 1}
        async with serving({"faults": faults}) as (server, client):
            for i in range(60):
                await post_info(client, f"m-{i}", f"k-{i}")
                with contextlib.suppress(httpx.RemoteProtocolError):  # a dropped connection
                    await client.get("/api/v1/healthz")
            return faults_seen(server.requests()), (await client.get("/__tinkc/faults")).json()

    return asyncio.run(scenario())


def test_same_seed_same_faults_and_counters() -> None:
    first, counters = run_sequence(7)
    again, _ = run_sequence(7)
    other, _ = run_sequence(8)
    assert first == again
    assert first != other
    injected = [f for f in first if f is not None]
    assert counters["total"] == len(injected) > 0
    assert counters["drawn"] == len(first)
    assert counters["injected"] == {k: injected.count(k) for k in ("5xx_burst", "429", "408", "drop", "slow", "malformed")}
    assert counters["faults"]["seed"] == 7


@pytest.mark.parametrize(
    ("kind", "check"),
    [
        ("429", lambda r: r.status_code == 429 and r.headers["retry-after"] == "1"),
        ("408", lambda r: r.status_code == 408 and "injected" in r.json()["detail"]),
        ("malformed", lambda r: r.status_code == 200 and r.headers["content-type"] == "application/json" and not _is_json(r)),
        ("slow", lambda r: r.status_code == 200 and r.json()["model_id"] == "m"),
        ("drop", lambda r: r is None),
    ],
)
def test_each_kind(kind: str, check: Any) -> None:
    async def scenario() -> None:
        async with serving({"faults": {"rate": 1, "kinds": [kind], "slow_ms": [1, 2]}}) as (server, client):
            assert check(await post_info(client, "m"))
            assert server.requests()[0]["response"]["fault"] == kind
            assert server.faults()["injected"] == {kind: 1}

    asyncio.run(scenario())


def _is_json(r: httpx.Response) -> bool:
    try:
        r.json()
    except ValueError:
        return False
    return True


def test_5xx_burst_holds_for_the_next_requests_of_the_endpoint() -> None:
    async def scenario() -> None:
        # rate 1 would start a new burst at once; with kinds = bursts only, a burst of 3 is 3 answers
        async with serving({"faults": {"rate": 1, "kinds": ["5xx_burst"], "burst": 3, "endpoints": ["models.get_info"]}}) as (
            server,
            client,
        ):
            statuses = [(await post_info(client, f"m-{i}")).status_code for i in range(3)]  # type: ignore[union-attr]
            assert all(s in (500, 502, 503, 504) for s in statuses)
            assert (await client.get("/api/v1/healthz")).status_code == 200  # not in `endpoints`
            assert server.faults()["injected"] == {"5xx_burst": 3}

    asyncio.run(scenario())


def test_try_again_storm_delays_a_future_without_using_its_pending_polls() -> None:
    async def scenario() -> None:
        faults = {"seed": 1, "rate": 1, "kinds": ["try_again_storm"], "storm_polls": 3}
        async with serving({"faults": faults, "futures": {"*": {"pending_polls": 1}}}) as (server, client):
            rid = (await client.post("/api/v1/save_weights", json={"model_id": "m"})).json()["request_id"]
            answers = []
            for _ in range(20):
                body = (await client.post("/api/v1/retrieve_future", json={"request_id": rid})).json()
                answers.append(body.get("type"))
                if body.get("type") != "try_again":
                    break
            # storms keep coming at rate 1 (each poll adds 3), so the future resolves only when faults stop
            assert answers == ["try_again"] * 20
            assert server.faults()["injected"]["try_again_storm"] == 20
            server.load_scenario({"futures": {"*": {"pending_polls": 1}}})
            rest = []
            for _ in range(100):
                body = (await client.post("/api/v1/retrieve_future", json={"request_id": rid})).json()
                rest.append(body.get("type"))
                if body.get("type") != "try_again":
                    break
            # 20 storms of 3 polls each, one of them answered already by each stormy poll; the future's
            # own pending poll was not used up by the storm
            assert rest.count("try_again") == 20 * 3 - 20 + 1
            assert rest[-1] == "save_weights" and "path" in body

    asyncio.run(scenario())


def test_a_drop_after_execution_is_replayed_to_the_retry() -> None:
    async def scenario() -> None:
        faults = {"rate": 1, "kinds": ["drop"], "drop_executed": 1, "endpoints": ["models.get_info"]}
        async with serving({"faults": faults}) as (server, client):
            assert await post_info(client, "m", "k") is None
            server.load_scenario(None)  # faults off: the retry gets through
            replayed = await post_info(client, "m", "k")
            assert replayed is not None and replayed.headers["idempotent-replayed"] == "true"
            assert server.idempotency()["keys"]["k"]["executions"] == 1
            assert server.idempotency()["keys"]["k"]["replays"] == 1
            # another drop after "execution" on a retry of the executed key: nothing is executed again
            # (the soak found this: it was counted as a second execution)
            server.load_scenario({"faults": faults})
            assert await post_info(client, "m", "k") is None
            assert server.idempotency()["keys"]["k"]["executions"] == 1
            # nor does a malformed answer (the soak found this too)
            server.load_scenario({"faults": {**faults, "kinds": ["malformed"]}})
            malformed = await post_info(client, "m", "k")
            assert malformed is not None and not _is_json(malformed)
            assert server.idempotency()["keys"]["k"]["executions"] == 1
            assert server.idempotency()["duplicates"] == []
            # a malformed answer to a new key executes it: its retry gets the stored, whole answer
            assert not _is_json(await post_info(client, "m-2", "k2"))  # type: ignore[arg-type]
            server.load_scenario(None)
            whole = await post_info(client, "m-2", "k2")
            assert whole is not None and whole.json()["model_id"] == "m-2" and whole.headers["idempotent-replayed"] == "true"

    asyncio.run(scenario())


@pytest.mark.parametrize(
    ("faults", "message"),
    [
        ({"kinds": ["drops"]}, "faults.kinds[0]: unknown fault kind `drops`"),
        ({"rate": 2}, "faults.rate: expected a number from 0 to 1, got `2`"),
        ({"slow_ms": [5, 1]}, "faults.slow_ms: expected a number >= 0 or [low, high]"),
        ({"endpoints": ["models.nope"]}, "faults.endpoints[0]: unknown endpoint `models.nope`"),
        ({"sed": 1}, "faults.sed: unknown key `sed`"),
    ],
)
def test_bad_fault_settings_are_diagnostics(faults: dict[str, Any], message: str) -> None:
    with pytest.raises(ScenarioError) as info:
        parse_scenario({"faults": faults}, tinker_api())
    assert any(d.message.startswith(message) for d in info.value.diagnostics), [d.message for d in info.value.diagnostics]


def test_bad_call_tag_is_a_diagnostic() -> None:
    with pytest.raises(ScenarioError) as info:
        parse_scenario({"idempotency": {"call_tag": "soak-("}}, tinker_api())
    assert info.value.diagnostics[0].message.startswith("idempotency.call_tag: not a regular expression")
