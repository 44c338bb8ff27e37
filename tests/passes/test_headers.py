from pathlib import Path

from passcase import run_case
from util import codes

MANIFEST = """\
schema_version: 1
service:
  name: demo
  auth: {type: api_key, header: "X Key"}
  headers:
    X-Ok: "a \\"b\\" #{c} ${d} \\\\"
    "X-Odd!#$%&'*+.^_`|~": fine
    "X:Colon": v
    X-Newline: "a\\r\\nSet-Cookie: x"
    X-Accent: "caf\\u00e9"
    X-Padded: " v "
clients:
  c: {resource: [a]}
features:
  keys: {type: idempotency_key, header: "Idem Key"}
  bp: {type: sampling_backpressure, retry_status: [429], header: {X-Bp: "on\\u0000"}}
endpoints:
  a.get: {method: GET, path: /g, headers: {"": v, X-Tab: "a\\tb"}, features: [bp]}
"""


def test_header_names_are_tokens_and_values_visible_ascii(tmp_path: Path) -> None:
    r = run_case(tmp_path, "headers", "names_and_values", MANIFEST, (), header=False)
    assert sorted(codes(r)) == ["header.bad-name"] * 4 + ["header.bad-value"] * 4
    named = sorted(d.message.split("`")[1] for d in r.sink.items if d.code == "header.bad-name")
    assert named == ["", "Idem Key", "X Key", "X:Colon"]
    valued = sorted(d.message.split("`")[1] for d in r.sink.items if d.code == "header.bad-value")
    assert valued == ["X-Accent", "X-Bp", "X-Newline", "X-Padded"]
    assert all(d.span is not None for d in r.sink.items)
