from pathlib import Path

from passcase import run_case
from util import codes


def test_nonsense_values(tmp_path: Path) -> None:
    r = run_case(
        tmp_path,
        "feature-params",
        "nonsense",
        """\
        schema_version: 1
        service: {name: x, features: [r]}
        features:
          r:
            type: retry_policy
            max_retries: -1
            retry_on: {status: [600-700, 599-500, 200]}
            backoff: {base_ms: -5, max_ms: 10, jitter: 1.5}
          t: {type: telemetry, batch_size: 100, max_queue_size: 10}
          h: {type: retry_handler, max_connections: 0, progress_timeout_ms: 10}
        endpoints:
          telemetry.send: {method: POST, path: /t, request: Events, features: [t]}
        types:
          Events: {fields: {events: "[any]"}}
        """,
        ("features",),
        header=False,
    )
    assert r.sink.has_errors
    got = codes(r)
    assert got.count("feature.bad-value") >= 5 and got.count("feature.bad-status") == 2 and "feature.misplaced" in got


def test_retrieve_endpoint_shape(tmp_path: Path) -> None:
    r = run_case(
        tmp_path,
        "feature-params",
        "retrieve_shape",
        """\
        features:
          fut: {type: promise_result, retrieve_endpoint: futures.get}
        clients:
          c: {resource: [jobs, futures]}
        endpoints:
          jobs.run: {method: POST, path: /run, response: Out, features: [fut]}
          futures.get: {method: GET, path: /f, request: Req}
        types:
          Out: {fields: {x: int}}
          Req: {fields: {id: string}}
        """,
        ("features",),
    )
    assert codes(r).count("feature.bad-retrieve-endpoint") == 2


def test_session_create_args_must_make_the_create_request(tmp_path: Path) -> None:
    r = run_case(
        tmp_path,
        "feature-params",
        "session_create_args",
        """\
        schema_version: 1
        service: {name: x, features: [session]}
        features:
          session: {type: session_lifecycle, create_endpoint: sessions.create, create_args: {tags: oops}}
        clients:
          c: {resource: sessions}
        endpoints:
          sessions.create: {method: POST, path: /s, request: Create, response: Session}
        types:
          Create: {fields: {tags: "[string]", sdk_version: string}}
          Session: {fields: {session_id: string}}
        """,
        ("features",),
        header=False,
    )
    [d] = [d for d in r.sink.items if d.code == "feature.bad-value"]
    assert "`tags`" in d.message and d.span is not None and d.span.line == 4
