"""The API key never leaks (DESIGN §8): each SDK runs with a distinctive key through errors (4xx, 5xx
after retries, a timeout, a malformed body, a failed future), telemetry (batches of error events
sent to the mock), its log output at debug level and the reprs of its clients, configuration and
errors (the driver's `reprs` entry); then every byte of it is searched for the key. The one place the
key may be is the auth header of each request on the wire. With the token exchange on, the same holds
for the exchanged token, and the key is sent to the exchange only."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import tempfile
from collections.abc import Callable
from typing import Any

import pytest

from tinkc.backends.base import DriverCommand
from tinkc.mock import running_mock
from tinkc.pipeline import bundled_manifest, compile_manifest

AUTH_HEADER = "x-api-key"

pytestmark = pytest.mark.soak  # each SDK's driver against the mock, under faults

SERVER = {
    "futures": {"*": {"pending_polls": 0}, "models.create": [{"error": "no GPUs left", "category": "server"}]},
    "responses": {
        "GET /api/v1/training_runs/run-404": [{"status": 404, "body": {"detail": "no such run"}}],
        "service.get_server_capabilities": [{"status": 401, "body": {"detail": "who are you?"}}],
        "weights.info": [{"status": 500, "times": 20}],
        "checkpoints.archive_url": [{"delay_ms": 5000}],
        "training_runs.list": [{"malformed": True}],
        "sessions.get": [{"status": 422, "body": {"detail": [{"loc": ["path"], "msg": "bad", "type": "type"}]}}],
    },
}


def calls() -> list[dict[str, Any]]:
    return [
        {"open": "service", "as": "svc"},
        {"client": "svc", "method": "create_rest_client", "as": "rest"},
        {"client": "rest", "method": "get_training_run", "args": {"training_run_id": "run-404"}},
        {"client": "rest", "method": "get_server_capabilities"},
        {"client": "rest", "method": "get_weights_info_by_tinker_path", "args": {"tinker_path": "tinker://run-1/weights/1"}},
        {"client": "rest", "method": "get_checkpoint_archive_url", "args": {"training_run_id": "run-1", "checkpoint_id": "weights/1"}},
        {"client": "rest", "method": "list_training_runs"},
        {"client": "rest", "method": "get_session", "args": {"session_id": "s-1"}},
        {"client": "svc", "method": "create_lora_training_client", "args": {"base_model": "Qwen/Qwen3-8B"}},
        {"reprs": ["svc", "rest"]},
        {"close": "svc"},
    ]


EXPECTED_ERRORS = ["not_found", "authentication", "server", "timeout", "response_validation", "unprocessable", "request_failed"]


def run_driver(
    command: DriverCommand, key: str, extra_env: dict[str, str]
) -> tuple[subprocess.CompletedProcess[str], list[dict[str, Any]], list[dict[str, Any]]]:
    """The driver's run of `calls()` against the mock with `key`: its process, outcomes and the
    requests the mock saw."""
    api = compile_manifest(bundled_manifest()).api
    assert api is not None
    with running_mock(api, scenario=SERVER) as mock:
        request = {
            "base_url": mock.url,
            "control_url": mock.url,
            "api_key": key,
            "time_scale": 0.001,
            "timeout_sec": 1.0,
            "log_level": "debug",
            "calls": calls(),
        }
        env = {k: v for k, v in os.environ.items() if not k.startswith("TINKER_")}
        with tempfile.TemporaryFile("w+", encoding="utf-8") as stdin:
            json.dump(request, stdin)
            stdin.seek(0)
            proc = subprocess.run(
                list(command.argv),
                stdin=stdin,
                capture_output=True,
                text=True,
                cwd=command.cwd,
                env={**env, **command.env, **extra_env},
                timeout=180,
                check=False,
            )
        assert proc.returncode == 0, proc.stderr[-3000:]
        outcomes = [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
        records = mock.requests()
    # the run went through every path it should (else the search below proves nothing)
    assert [o.get("error") for o in outcomes[2:9]] == EXPECTED_ERRORS, outcomes
    reprs = outcomes[9]["reprs"]
    assert len(reprs) >= 4 and any("redacted" in r or "Client" in r for r in reprs), reprs
    telemetry = [r for r in records if r["endpoint"] == "telemetry.send"]
    assert telemetry and any("error" in json.dumps(r["body"]).lower() for r in telemetry), "no telemetry of the errors was sent"
    return proc, outcomes, records


def leaks_of(secret: str, proc: subprocess.CompletedProcess[str], records: list[dict[str, Any]]) -> list[str]:
    """Where `secret` shows but in the auth header of a request (or the exchange's answer)."""
    leaks = []
    if secret in proc.stdout:
        leaks.append("driver stdout (outcomes, error messages, reprs): " + _around(proc.stdout, secret))
    if secret in proc.stderr:
        leaks.append("driver stderr (logs): " + _around(proc.stderr, secret))
    for r in records:
        seen = {**r, "headers": {k: v for k, v in r["headers"].items() if k != AUTH_HEADER}}
        if r["endpoint"] == "auth.token":
            seen["response"] = None  # the token is in the exchange's answer, of course
        text = json.dumps(seen)
        if secret in text:
            leaks.append(f"request {r['seq']} ({r['endpoint']}), body or other headers: {_around(text, secret)}")
    return leaks


@pytest.mark.parametrize("target", ["python", "elixir", "typescript"])
def test_the_api_key_never_leaks(target: str, soak_driver: Callable[[str], DriverCommand]) -> None:
    key = f"tml-SECRET-{secrets.token_hex(12)}"
    proc, _, records = run_driver(soak_driver(target), key, {})
    assert all(r["headers"].get(AUTH_HEADER) == key for r in records if r["endpoint"] is not None), "the key must be sent"
    if target != "typescript":  # the TypeScript SDK logs nothing below a warning; the others do at debug
        assert proc.stderr.strip(), "no log output at debug level"
    # ... and the key appears nowhere but in the auth header of the requests
    leaks = leaks_of(key, proc, records)
    assert not leaks, "\n".join(leaks)


@pytest.mark.parametrize("target", ["python", "elixir", "typescript"])
def test_the_exchanged_token_never_leaks(target: str, soak_driver: Callable[[str], DriverCommand]) -> None:
    """With the token exchange on, the key goes only to the exchange and the token (the mock's JWT)
    in place of it; neither shows anywhere else."""
    key = f"tml-SECRET-{secrets.token_hex(12)}"
    proc, _, records = run_driver(soak_driver(target), key, {"TINKER_PJWT_AUTH": "1"})
    exchanges = [r for r in records if r["endpoint"] == "auth.token"]
    assert exchanges and all(r["headers"].get(AUTH_HEADER) == key for r in exchanges), "the exchange must send the key"
    tokens = {r["response"]["body"]["jwt"] for r in exchanges if r["response"] and r["response"].get("status") == 200}
    # the server-config fetches go first, with the key itself (0.38 fetches its config before any
    # exchange: the config says whether to exchange)
    config = {"service.client_config", "service.client_dynamic_config"}
    fetches = [r for r in records if r["endpoint"] in config]
    assert all(r["headers"].get(AUTH_HEADER) == key for r in fetches), "a config fetch carries the key"
    others = [r for r in records if r["endpoint"] not in (None, "auth.token", *config)]
    assert tokens and others and all(r["headers"].get(AUTH_HEADER) in tokens for r in others), "the token must replace the key"
    leaks = leaks_of(key, proc, records)
    for token in tokens:
        leaks += leaks_of(token, proc, records)
    assert not leaks, "\n".join(leaks)


def _around(text: str, key: str) -> str:
    i = text.index(key)
    return repr(text[max(0, i - 150) : i + len(key) + 50])
