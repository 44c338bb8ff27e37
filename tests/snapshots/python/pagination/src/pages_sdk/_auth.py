"""Authentication (copied verbatim by tinkc): how the credential becomes the auth header, and the
token exchange (DESIGN: auth). Every decision is in the SDK plan; `TokenState` holds the one piece
of state (the current token and when to renew it), shared by the synchronous and asynchronous
transports, which differ only in how they send the exchange request."""

from __future__ import annotations

import base64
import binascii
import json
import os
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ._config import RedactedStr
from ._errors import ResponseValidationError


@dataclass(frozen=True)
class Exchange:
    """The manifest's `auth.exchange` (generated per SDK); `endpoint` is an `Endpoint`."""

    endpoint: Any
    body: Any
    token_field: str
    lifetime_claim: str | None
    lifetime_field: str | None
    refresh_window: tuple[float, float]
    refresh_before: float
    enabled: bool
    enable_env: str | None

    def active(self, option: bool | None, environ: Mapping[str, str] | None = None) -> bool:
        """On by the client option, else the environment variable, else the manifest's default."""
        if option is not None:
            return option
        env = os.environ if environ is None else environ
        value = env.get(self.enable_env) if self.enable_env else None
        if value:
            return value.strip().lower() in ("1", "true", "yes", "on")
        return self.enabled


@dataclass(frozen=True)
class AuthScheme:
    """The manifest's `service.auth` (generated per SDK)."""

    header: str
    credential_prefix: str = ""
    credential_base64: bool = False
    token_prefix: str = ""
    exchange: Exchange | None = None

    def credential_value(self, credential: str) -> RedactedStr:
        """The header's value for the credential itself (basic: `user:password`, base64)."""
        text = base64.b64encode(credential.encode()).decode() if self.credential_base64 else credential
        return RedactedStr(self.credential_prefix + text)

    def token_value(self, token: str) -> RedactedStr:
        return RedactedStr(self.token_prefix + token)


def invalid_token(headers: Mapping[str, str]) -> bool:
    """A 401 that says the token (not the credential) is no good: `WWW-Authenticate: ... invalid_token`."""
    return "invalid_token" in headers.get("www-authenticate", "")


def jwt_claims(token: str) -> dict[str, Any] | None:
    """The JWT's payload, decoded without verifying it (the server verifies; the SDK only reads
    when the token expires)."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        payload = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (ValueError, binascii.Error):
        return None
    return payload if isinstance(payload, dict) else None


def _seconds(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


class TokenState:
    """The exchanged token and when to renew it: once a fraction of its lifetime drawn in the
    refresh window has passed (drawn once per token), or when at most `refresh_before` seconds remain.
    `wall` is the time since the epoch (a JWT's `exp` is one), injected by tests."""

    def __init__(
        self,
        exchange: Exchange,
        scheme: AuthScheme,
        *,
        wall: Callable[[], float] = time.time,
        rand: Callable[[], float] = random.random,
    ) -> None:
        self.exchange = exchange
        self.scheme = scheme
        self.wall = wall
        self.rand = rand
        self.value: RedactedStr | None = None  # the header's value carrying the token
        self.renew_at = 0.0
        self.expires_at = 0.0

    def __repr__(self) -> str:
        return f"TokenState(token={'<redacted>' if self.value is not None else None})"

    def current(self) -> RedactedStr | None:
        """The header value to send, or None when a new token must be fetched first."""
        if self.value is None:
            return None
        now = self.wall()
        if now >= self.renew_at or self.expires_at - now <= self.exchange.refresh_before:
            return None
        return self.value

    def invalidate(self, value: str) -> None:
        """The server rejected `value`; a request that still holds an older one changes nothing."""
        if self.value == value:
            self.value = None

    def store(self, body: Any) -> RedactedStr:
        """Keeps the token the exchange answered; returns the header value."""
        x = self.exchange
        token = body.get(x.token_field) if isinstance(body, dict) else None
        if not isinstance(token, str) or not token:
            raise ResponseValidationError(f"the token exchange answered no `{x.token_field}`", body=None)
        now = self.wall()
        issued = now
        if x.lifetime_field is not None:
            seconds = _seconds(body.get(x.lifetime_field))
            if seconds is None:
                raise ResponseValidationError(f"the token exchange answered no `{x.lifetime_field}`", body=None)
            expires = now + seconds
        else:
            claims = jwt_claims(token) or {}
            expiry = _seconds(claims.get(x.lifetime_claim or "exp"))
            if expiry is None:
                raise ResponseValidationError(f"the exchanged token has no `{x.lifetime_claim}` claim", body=None)
            expires = expiry
            iat = _seconds(claims.get("iat"))
            if iat is not None and iat <= now:
                issued = iat
        low, high = x.refresh_window
        self.expires_at = expires
        self.renew_at = issued + (expires - issued) * (low + (high - low) * self.rand())
        self.value = self.scheme.token_value(token)
        return self.value
