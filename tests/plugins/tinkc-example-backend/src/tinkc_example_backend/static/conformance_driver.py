"""Conformance driver of a minipy client (copied by tinkc-example-backend; the protocol is tinkc's
docs/conformance.md).

Reads the request as JSON on stdin and prints one JSON outcome per entry of ``calls``. The client
is blocking and has no features, so the entries it cannot express (``async``, ``concurrent``,
``as``, ``open``/``close``, ``wait_until``, ``hold_until_in_flight``) answer ``unsupported``,
which fails the scenario honestly instead of pretending.
"""

from __future__ import annotations

import importlib
import json
import keyword
import sys
from typing import Any

PACKAGE = "__package__"  # replaced with the generated package's name

STATUS_KINDS = {400: "bad_request", 401: "authentication", 403: "permission_denied", 404: "not_found", 409: "conflict", 422: "unprocessable", 429: "rate_limit"}  # fmt: skip
UNSUPPORTED = ("async", "concurrent", "as", "hold_until_in_flight")


def python_name(name: str) -> str:
    return name + "_" if keyword.iskeyword(name) else name


def outcome_of(exc: Exception, runtime: Any) -> dict[str, Any]:
    if isinstance(exc, runtime.ConfigurationError):
        return {"error": "configuration"}
    if isinstance(exc, runtime.StatusError):
        kind = STATUS_KINDS.get(exc.status) or ("server" if exc.status >= 500 else "status")
        return {"error": kind, "status": exc.status}
    if isinstance(exc, runtime.APITimeoutError):
        return {"error": "timeout"}
    if isinstance(exc, runtime.APIConnectionError):
        return {"error": "connection"}
    if isinstance(exc, runtime.ResponseValidationError):
        return {"error": "response_validation"}
    raise exc


def run(entry: dict[str, Any], request: dict[str, Any], package: Any, runtime: Any) -> dict[str, Any]:
    if "method" not in entry or any(entry.get(key) for key in UNSUPPORTED):
        return {"error": "unsupported", "entry": entry}
    client_class = package.CLIENTS.get(entry["client"])
    method_name = python_name(entry["method"])
    if client_class is None or not hasattr(client_class, method_name):
        return {"error": "unsupported", "entry": entry}
    try:
        client = client_class(
            base_url=request["base_url"], api_key=request["api_key"], timeout_sec=request["timeout_sec"]
        )
        args = {python_name(k): v for k, v in (entry.get("args") or {}).items()}
        return {"ok": True, "result": getattr(client, method_name)(**args)}
    except runtime.Error as exc:
        return outcome_of(exc, runtime)


def main() -> int:
    request = json.load(sys.stdin)
    package = importlib.import_module(PACKAGE)
    runtime = importlib.import_module(f"{PACKAGE}._runtime")
    for entry in request["calls"]:
        print(json.dumps(run(entry, request, package, runtime), sort_keys=True), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
