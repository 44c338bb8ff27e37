"""The Python SDK runtime's auth (docs/manifest.md `service.auth`): schemes, the credential command,
and the token exchange's renewal and single replay, through the emitted runtime with scripted HTTP
answers (httpx.MockTransport) and an injected wall clock: no server, no real waiting."""

from __future__ import annotations

import asyncio
import base64
import importlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

SRC = Path(__file__).resolve().parent.parent / "snapshots" / "python" / "futures_flows" / "src"
KEY = "sk-secret-credential"


@pytest.fixture(scope="module")
def rt() -> Iterator[dict[str, ModuleType]]:
    sys.path.insert(0, str(SRC))
    try:
        yield {name: importlib.import_module(f"jobs_sdk.{name}") for name in ("_auth", "_config", "_errors", "_http")}
    finally:
        sys.path.remove(str(SRC))


class Server:
    """Answers the exchange with the next token and other requests with the next status; records
    the auth header of every request."""

    def __init__(self, tokens: list[dict[str, Any]], statuses: list[int] | None = None) -> None:
        self.tokens = list(tokens)
        self.statuses = list(statuses or [])
        self.seen: list[tuple[str, str]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.seen.append((request.url.path, request.headers.get("authorization", "")))
        if request.url.path == "/token":
            return httpx.Response(200, json=self.tokens.pop(0))
        status = self.statuses.pop(0) if self.statuses else 200
        if status == 401:
            return httpx.Response(401, json={"detail": "expired"}, headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
        return httpx.Response(status, json={})


def scheme(rt: dict[str, ModuleType], kind: str = "bearer", **exchange: Any) -> Any:
    """A scheme with an exchange (its parameters overridden by `exchange`)."""
    auth = rt["_auth"]
    params = {
        "endpoint": rt["_http"].Endpoint(id="auth.token", method="POST", path="/token"),
        "body": {},
        "token_field": "access_token",
        "lifetime_claim": None,
        "lifetime_field": "expires_in",
        "refresh_window": (0.45, 0.55),
        "refresh_before": 60,
        "enabled": True,
        "enable_env": None,
    }
    x = auth.Exchange(**{**params, **exchange})
    prefix = {"api_key": "", "bearer": "Bearer ", "basic": "Basic "}[kind]
    return auth.AuthScheme(
        header="Authorization",
        credential_prefix=prefix,
        credential_base64=kind == "basic",
        token_prefix="" if kind == "api_key" else "Bearer ",
        exchange=x,
    )


def transport(rt: dict[str, ModuleType], server: Server, auth: Any, now: list[float], rand: float = 0.0) -> Any:
    config = rt["_config"].Config(api_key=KEY, base_url="http://api.test")
    return rt["_http"].Transport(
        config,
        user_agent="t",
        auth_header="Authorization",
        http=httpx.Client(transport=httpx.MockTransport(server)),
        sleep=lambda _: None,
        rand=lambda: rand,
        auth=auth,
        wall=lambda: now[0],
    )


def pets(rt: dict[str, ModuleType]) -> Any:
    return rt["_http"].Endpoint(id="pets.list", method="GET", path="/pets")


def test_schemes_format_the_credential(rt: dict[str, ModuleType]) -> None:
    for kind, expected in (
        ("api_key", KEY),
        ("bearer", f"Bearer {KEY}"),
        ("basic", "Basic " + base64.b64encode(KEY.encode()).decode()),
    ):
        server = Server([])
        t = transport(rt, server, _plain(rt, kind), [0.0])
        t.send(pets(rt))
        assert server.seen == [("/pets", expected)]


def _plain(rt: dict[str, ModuleType], kind: str) -> Any:
    prefix = {"api_key": "", "bearer": "Bearer ", "basic": "Basic "}[kind]
    return rt["_auth"].AuthScheme(header="Authorization", credential_prefix=prefix, credential_base64=kind == "basic")


def test_token_is_renewed_within_the_refresh_window(rt: dict[str, ModuleType]) -> None:
    """Lifetime 1000 s, window [0.45, 0.55] with the draw 0.5: renewed at 500 s, not before."""
    server = Server([{"access_token": "t1", "expires_in": 1000}, {"access_token": "t2", "expires_in": 1000}])
    now = [10_000.0]
    t = transport(rt, server, scheme(rt), now, rand=0.5)
    t.send(pets(rt))
    now[0] = 10_499.0
    t.send(pets(rt))
    now[0] = 10_500.0
    t.send(pets(rt))
    assert server.seen == [
        ("/token", f"Bearer {KEY}"),  # the exchange carries the credential
        ("/pets", "Bearer t1"),
        ("/pets", "Bearer t1"),
        ("/token", f"Bearer {KEY}"),
        ("/pets", "Bearer t2"),
    ]


def test_token_is_renewed_when_little_time_remains(rt: dict[str, ModuleType]) -> None:
    """Window [0.99, 0.99] of 1000 s would wait 990 s; at most 60 s remaining renews at 940 s."""
    server = Server([{"access_token": "t1", "expires_in": 1000}, {"access_token": "t2", "expires_in": 1000}])
    now = [0.0]
    t = transport(rt, server, scheme(rt, refresh_window=(0.99, 0.99)), now)
    t.send(pets(rt))
    now[0] = 939.0
    t.send(pets(rt))
    now[0] = 940.0
    t.send(pets(rt))
    assert [h for p, h in server.seen if p == "/pets"] == ["Bearer t1", "Bearer t1", "Bearer t2"]


def test_jwt_expiry_and_issue_time_come_from_its_claims(rt: dict[str, ModuleType]) -> None:
    def jwt(claims: dict[str, Any]) -> str:
        part = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
        return f"e30.{part}.sig"

    server = Server([{"access_token": jwt({"iat": 1000, "exp": 2000})}, {"access_token": jwt({"iat": 1500, "exp": 2500})}])
    now = [1200.0]
    t = transport(rt, server, scheme(rt, lifetime_claim="exp", lifetime_field=None), now)  # draw 0: 45 %
    t.send(pets(rt))
    now[0] = 1449.0
    t.send(pets(rt))
    now[0] = 1450.0  # issued at 1000 + 45 % of 1000 s
    t.send(pets(rt))
    assert [p for p, _ in server.seen] == ["/token", "/pets", "/pets", "/token", "/pets"]

    bad = Server([{"access_token": "not-a-jwt"}])
    with pytest.raises(rt["_errors"].ResponseValidationError, match="no `exp` claim"):
        transport(rt, bad, scheme(rt, lifetime_claim="exp", lifetime_field=None), [0.0]).send(pets(rt))


def test_invalid_token_gets_one_new_token_and_one_replay(rt: dict[str, ModuleType]) -> None:
    tokens = [{"access_token": f"t{i}", "expires_in": 3600} for i in range(1, 5)]
    server = Server(tokens, statuses=[401, 200, 401, 401])
    t = transport(rt, server, scheme(rt), [0.0])
    assert t.send(pets(rt)).status_code == 200
    with pytest.raises(rt["_errors"].AuthenticationError):
        t.send(pets(rt))
    assert server.seen == [
        ("/token", f"Bearer {KEY}"),
        ("/pets", "Bearer t1"),
        ("/token", f"Bearer {KEY}"),
        ("/pets", "Bearer t2"),  # the replay
        ("/pets", "Bearer t2"),
        ("/token", f"Bearer {KEY}"),
        ("/pets", "Bearer t3"),  # rejected again: no second replay
    ]


def test_async_transport_exchanges_once_for_concurrent_requests(rt: dict[str, ModuleType]) -> None:
    server = Server([{"access_token": "t1", "expires_in": 3600}], statuses=[200, 200, 200])
    config = rt["_config"].Config(api_key=KEY, base_url="http://api.test")

    async def run() -> None:
        t = rt["_http"].AsyncTransport(
            config,
            user_agent="t",
            auth_header="Authorization",
            http=httpx.AsyncClient(transport=httpx.MockTransport(server)),
            auth=scheme(rt),
            wall=lambda: 0.0,
        )
        await asyncio.gather(*(t.send(pets(rt)) for _ in range(3)))
        await t.aclose()

    asyncio.run(run())
    assert [p for p, _ in server.seen].count("/token") == 1
    assert [h for p, h in server.seen if p == "/pets"] == ["Bearer t1"] * 3


def test_exchange_option_beats_environment_beats_default(rt: dict[str, ModuleType]) -> None:
    x = scheme(rt, enabled=False, enable_env="JOBS_EXCHANGE").exchange
    assert not x.active(None, {})
    assert x.active(None, {"JOBS_EXCHANGE": "yes"})
    assert not x.active(False, {"JOBS_EXCHANGE": "1"})
    assert x.active(True, {})


def test_credential_command_comes_last_and_never_shows_its_output(rt: dict[str, ModuleType]) -> None:
    config = rt["_config"]
    settings = config.ServiceSettings("JOBS_API_KEY", None, "http://default", 60.0, credential_command_env="JOBS_CMD")
    assert config.resolve_config(settings, environ={"JOBS_CMD": "echo ' sk-cmd '"}).api_key == "sk-cmd"
    env = {"JOBS_CMD": "echo sk-cmd", "JOBS_API_KEY": "sk-env"}
    assert config.resolve_config(settings, environ=env).api_key == "sk-env"
    assert config.resolve_config(settings, api_key="sk-arg", environ=env).api_key == "sk-arg"
    with pytest.raises(rt["_errors"].ConfigurationError) as failed:
        config.resolve_config(settings, environ={"JOBS_CMD": "echo sk-printed-secret; exit 3"})
    assert "exit status 3" in str(failed.value) and "sk-printed-secret" not in str(failed.value)


def test_tokens_are_not_shown(rt: dict[str, ModuleType]) -> None:
    server = Server([{"access_token": "tok-SECRET", "expires_in": 3600}])
    t = transport(rt, server, scheme(rt), [0.0])
    t.send(pets(rt))
    assert t.tokens is not None and t.tokens.value == "Bearer tok-SECRET"
    for shown in (repr(t.tokens), repr(t.tokens.value), repr(t.config), repr(vars(t.tokens))):
        assert "tok-SECRET" not in shown and KEY not in shown


def test_named_environments_and_their_precedence(rt: dict[str, ModuleType]) -> None:
    """base_url argument > environment argument > base URL variable > environment variable > default."""
    config = rt["_config"]
    settings = config.ServiceSettings(
        "K",
        "JOBS_BASE_URL",
        "http://default",
        60.0,
        environments=(("production", "http://prod"), ("staging", "http://staging")),
        environment_env="JOBS_ENVIRONMENT",
    )

    def url(environ: dict[str, str], **kw: Any) -> str:
        return str(config.resolve_config(settings, environ={"K": "k", **environ}, **kw).base_url)

    assert url({}) == "http://default"
    assert url({"JOBS_ENVIRONMENT": "staging"}) == "http://staging"
    assert url({"JOBS_ENVIRONMENT": "staging", "JOBS_BASE_URL": "http://var"}) == "http://var"
    assert url({"JOBS_BASE_URL": "http://var"}, environment="production") == "http://prod"
    assert url({}, environment="production", base_url="http://arg") == "http://arg"
    with pytest.raises(rt["_errors"].ConfigurationError, match="unknown environment 'nowhere'.*production, staging"):
        url({"JOBS_ENVIRONMENT": "nowhere"})
    no_default = config.ServiceSettings("K", None, None, 60.0, environments=(("production", "http://prod"),))
    assert config.resolve_config(no_default, environ={"K": "k"}).base_url == "http://prod"
