from pathlib import Path

from passcase import run_case


def test_identical_features_become_one(tmp_path: Path) -> None:
    r = run_case(
        tmp_path,
        "intern-features",
        "merges",
        """\
        clients:
          c: {resource: [a]}
        features:
          retry_a: {type: retry_policy, retry_on: {status: [500-599]}, backoff: {base_ms: 100, max_ms: 1000}}
          retry_b: {type: retry_policy, retry_on: {status: [500-599]}, backoff: {base_ms: 100, max_ms: 1000}}
          retry_slow: {type: retry_policy, retry_on: {status: [500-599]}, backoff: {base_ms: 900, max_ms: 9000}}
        endpoints:
          a.one: {method: GET, path: /1, features: [retry_a]}
          a.two: {method: GET, path: /2, features: [retry_b]}
          a.slow: {method: GET, path: /4, features: [retry_slow]}
        """,
        ("features", "endpoints"),
    )
    assert r.api is not None
    assert sorted(r.api.features) == ["retry_a", "retry_slow"]
    uses = {k: [u.feature for u in ep.features] for k, ep in r.api.endpoints.items()}
    assert uses == {"a.one": ["retry_a"], "a.slow": ["retry_slow"], "a.two": ["retry_a"]}
