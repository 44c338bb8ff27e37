from pathlib import Path

from passcase import run_case
from util import codes, compile_text, only


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


FUTURES_POLL = """\
features:
  fut:
    type: promise_result
    retrieve_endpoint: futures.get
    poll_headers: {request_type: X-Request-Type, iteration: X-Request-Iteration}
    request_types:
      jobs.run: Run
      jobs.runn: Typo
    metadata_only: {request_field: allow_metadata}
clients:
  c: {resource: [jobs, futures]}
endpoints:
  jobs.run: {method: POST, path: /run, response: Out, features: [fut]}
  jobs.other: {method: POST, path: /other, response: Out, features: [fut]}
  futures.get: {method: POST, path: /f, request: Req}
types:
  Out: {fields: {x: int}}
  Req: {fields: {request_id: string, allow_metadata_only: bool}}
"""


def test_request_types_name_the_futures_endpoints(tmp_path: Path) -> None:
    """Every endpoint of a feature whose polls carry a request type has one; an entry names an
    endpoint of the feature; the metadata-only flag is a field of the retrieve request."""
    r = compile_text(tmp_path, FUTURES_POLL)
    missing = only(r, "feature.missing-request-type")
    assert "`jobs.other`" in missing.message and missing.span is not None and missing.span.line == 19
    unknown = [d for d in r.sink.items if d.code == "feature.bad-endpoint"]
    assert len(unknown) == 1 and "`jobs.runn`" in unknown[0].message and unknown[0].hint and "jobs.run" in unknown[0].hint
    assert unknown[0].span is not None and unknown[0].span.line == 13
    field = only(r, "feature.bad-field")
    assert "`allow_metadata`" in field.message and field.hint and "allow_metadata_only" in field.hint


def test_request_types_without_their_header(tmp_path: Path) -> None:
    text = FUTURES_POLL.replace("    poll_headers: {request_type: X-Request-Type, iteration: X-Request-Iteration}\n", "")
    text = text.replace("      jobs.runn: Typo\n", "").replace("allow_metadata}", "allow_metadata_only}")
    r = compile_text(tmp_path, text)
    assert "sent in no header" in only(r, "feature.bad-value").message
    assert "feature.missing-request-type" not in codes(r)


def test_request_types_complete(tmp_path: Path) -> None:
    text = FUTURES_POLL.replace("      jobs.runn: Typo\n", "      jobs.other: Other\n").replace("allow_metadata}", "allow_metadata_only}")
    r = compile_text(tmp_path, text)
    assert not r.sink.has_errors, [(d.code, d.message) for d in r.sink.items]
    [feat] = [f for f in r.api.features.values() if f.id == "fut"]
    assert feat.params.request_type("jobs.other") == "Other" and feat.params.iteration_header == "X-Request-Iteration"
    assert feat.params.metadata_only_field == "allow_metadata_only" and feat.params.metadata_status_value == "complete_metadata"


def test_poll_status_parameters_are_checked(tmp_path: Path) -> None:
    text = FUTURES_POLL.replace("      jobs.runn: Typo\n", "      jobs.other: Other\n").replace("allow_metadata}", "allow_metadata_only}")
    text = text.replace(
        "    metadata_only:",
        "    expired: {status: [410], resubmits: -1}\n"
        "    bounded_retry: {status: [700]}\n"
        "    billing_pause: {status: [402], delay_ms: 0}\n"
        "    metadata_only:",
    )
    r = compile_text(tmp_path, text)
    messages = [d.message for d in r.sink.items if d.code in ("feature.bad-value", "feature.bad-status")]
    assert any("expired.resubmits" in m for m in messages), messages
    assert any("billing_pause.delay_ms" in m for m in messages), messages
    assert "feature.bad-status" in codes(r)


def test_retry_policy_should_retry_header(tmp_path: Path) -> None:
    r = compile_text(
        tmp_path,
        """\
        features:
          r: {type: retry_policy, max_retries: 2, retry_on: {status: [503]}, should_retry_header: x-should-retry}
        clients:
          c: {resource: jobs}
        endpoints:
          jobs.list: {method: GET, path: /jobs, response: Out, features: [r]}
        types:
          Out: {fields: {x: int}}
        """,
    )
    assert not r.sink.has_errors, [(d.code, d.message) for d in r.sink.items]
    assert r.api.features["r"].params.should_retry_header == "x-should-retry"


SERVER_CONFIG = """\
schema_version: 1
service: {{name: x, features: [cfg]}}
features:
  cfg: {{type: server_config, endpoints: {endpoints}, body: {body}}}
clients:
  c: {{resource: [config, other]}}
endpoints:
  config.get: {{method: POST, path: /config, request: ConfigRequest, response: Config}}
  config.dynamic: {{method: POST, path: /dynamic, request: ConfigRequest, response: Config}}
  other.items: {{method: GET, path: "/items/{{id}}", response: Config}}
  other.list: {{method: GET, path: /list, response: "[Config]"}}
types:
  ConfigRequest: {{fields: {{sdk_version: string}}}}
  Config: {{fields: {{flag: {{type: bool, default: false}}}}}}
"""


def test_server_config_is_planned_with_each_fetch_body(tmp_path: Path) -> None:
    from tinkc.sdk import plan_of

    r = compile_text(tmp_path, SERVER_CONFIG.format(endpoints="[config.get, config.dynamic]", body='{sdk_version: "1.2"}'), header=False)
    assert not r.sink.has_errors, [d.message for d in r.sink.items]
    assert r.api is not None
    plan = plan_of(r.api).server_config
    assert plan is not None and [(eid, dict(body.items)) for eid, body in plan.fetches] == [
        ("config.get", {"sdk_version": "1.2"}),
        ("config.dynamic", {"sdk_version": "1.2"}),
    ]


def test_server_config_body_must_make_each_request(tmp_path: Path) -> None:
    r = compile_text(tmp_path, SERVER_CONFIG.format(endpoints="[config.get]", body="{sdk_version: 3}"), header=False)
    d = only(r, "feature.bad-value")
    assert "`body` of `cfg`" in d.message and d.span is not None and d.span.line == 4 and d.hint


def test_server_config_endpoints_are_checked(tmp_path: Path) -> None:
    r = compile_text(
        tmp_path,
        SERVER_CONFIG.format(endpoints="[config.get, config.get, other.items, other.list, config.gett]", body="{sdk_version: x}"),
        header=False,
    )
    got = codes(r)
    # config.get twice; a body for other.items and other.list, which take none
    assert got.count("feature.bad-value") == 3
    # other.items takes a path parameter; other.list answers a list, not a record
    assert got.count("feature.bad-endpoint") == 2
    d = only(r, "ref.unknown-endpoint")
    assert "config.gett" in d.message and d.hint is not None and "config.get" in d.hint
