"""Retry decisions (copied verbatim by tinkc): pure functions of the manifest's retry_policy, so the
synchronous and asynchronous transports share them and tests need no clock."""

from __future__ import annotations

import email.utils
import time
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class RetryPolicy:
    max_retries: int
    statuses: tuple[tuple[int, int], ...]  # inclusive ranges
    on_connection_error: bool
    on_timeout: bool
    base_delay: float  # seconds
    max_delay: float
    jitter: float  # fraction of the delay randomly removed
    retry_after_max: float  # Retry-After is honoured up to this many seconds
    should_retry_header: str | None = None  # the server's "true"/"false" there overrides the statuses
    # the policy a config option's profiles name: the chosen profile's retry count replaces
    # max_retries (`Config.max_retries`); a call's own `max_retries` still wins
    profiled: bool = False

    def retries_status(self, status: int) -> bool:
        return any(lo <= status <= hi for lo, hi in self.statuses)

    def retries(self, status: int, headers: Mapping[str, str]) -> bool:
        """Whether a response with this status and these headers is retried (retries left aside)."""
        if self.should_retry_header is not None:
            wanted = self.should_retry_header.lower()
            hint = next((v for k, v in headers.items() if k.lower() == wanted), None)
            if hint == "true":
                return True
            if hint == "false":
                return False
        return self.retries_status(status)

    def backoff(self, retry: int, rand: float) -> float:
        """Delay before retry number ``retry`` (0-based): min(base·2^n, max) × (1 − jitter·rand)."""
        return float(min(self.base_delay * 2.0**retry, self.max_delay) * (1 - self.jitter * rand))

    def delay(self, retry: int, rand: float, headers: Mapping[str, str] | None) -> float:
        """The server's Retry-After when it gives one in bounds, else the backoff."""
        hinted = retry_after(headers or {}, self.retry_after_max)
        return hinted if hinted is not None else self.backoff(retry, rand)


NO_RETRY = RetryPolicy(0, (), False, False, 0.0, 0.0, 0.0, 0.0)


def retry_after(headers: Mapping[str, str], limit: float, now: float | None = None) -> float | None:
    """Seconds from `retry-after-ms` or `Retry-After` (seconds or an HTTP date), when 0 ≤ s ≤ limit."""
    lowered = {k.lower(): v for k, v in headers.items()}
    seconds: float | None = None
    raw_ms = lowered.get("retry-after-ms")
    raw = lowered.get("retry-after")
    try:
        if raw_ms is not None:
            seconds = float(raw_ms) / 1000
        elif raw is not None:
            seconds = float(raw)
    except ValueError:
        seconds = None
    if seconds is None and raw is not None:
        parsed = email.utils.parsedate_to_datetime(raw) if _looks_like_date(raw) else None
        if parsed is not None:
            seconds = parsed.timestamp() - (time.time() if now is None else now)
    if seconds is None or not 0 <= seconds <= limit:
        return None
    return seconds


def _looks_like_date(raw: str) -> bool:
    try:
        email.utils.parsedate_to_datetime(raw)
        return True
    except (TypeError, ValueError):
        return False
