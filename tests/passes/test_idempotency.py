from pathlib import Path

from passcase import run_case
from util import codes

MANIFEST = """\
clients:
  c: {resource: [a]}
features:
  retry: {type: retry_policy, retry_on: {status: [500-599]}}
  keys: {type: idempotency_key, methods: [PATCH]}
endpoints:
  a.post: {method: POST, path: /p, features: [retry]}
  a.patch: {method: PATCH, path: /q, features: [retry]}
  a.get: {method: GET, path: /g, features: [retry]}
  a.keyed: {method: PATCH, path: /k, features: [retry, keys]}
"""


def test_retried_non_idempotent_requests_need_a_key(tmp_path: Path) -> None:
    r = run_case(tmp_path, "idempotency", "warnings", MANIFEST, ())
    assert codes(r) == ["endpoint.retry-without-idempotency"] * 2
    assert sorted(d.message.split("`")[1] for d in r.sink.items) == ["a.patch", "a.post"]
