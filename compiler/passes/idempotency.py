"""Pass `idempotency`: a retried request that is not idempotent must carry an idempotency key.

A POST or PATCH endpoint with a retry policy that retries, and no idempotency_key feature (on the
endpoint or the service) covering its method, could be executed twice by the server when a
response is lost: a warning.
"""

from __future__ import annotations

from tinkc.diagnostics import Sink
from tinkc.ir import nodes as ir
from tinkc.passes.base import Pass

NON_IDEMPOTENT = ("POST", "PATCH")


def run(api: ir.Api, sink: Sink) -> ir.Api:
    for ep in api.endpoints.values():
        if ep.method not in NON_IDEMPOTENT:
            continue
        retries = [
            f for f in api.endpoint_features(ep, "retry_policy") if isinstance(f.params, ir.RetryPolicy) and f.params.max_retries > 0
        ]
        if not retries:
            continue
        keys = [f for f in api.endpoint_features(ep, "idempotency_key") if isinstance(f.params, ir.IdempotencyKey)]
        if not any(ep.method in f.params.methods for f in keys):  # type: ignore[union-attr]
            sink.warning(
                "endpoint.retry-without-idempotency",
                f"{ep.method} endpoint `{ep.id}` is retried by `{retries[0].id}` without an idempotency key",
                ep.span,
                hint="add an idempotency_key feature to the service (or the endpoint), so a retry is never executed twice",
            )
    return api


PASS = Pass(name="idempotency", kind="validation", run=run, doc=__doc__ or "")
