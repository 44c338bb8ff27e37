"""Streaming endpoints (`stream: sse`): the plan's decisions, the diagnostics of their misuse, the
server-sent event reading every runtime shares (Python's checked here; the conformance scenarios
`stream_sse_*` run all three SDKs against the mock) and the mock's `events:` scripts."""

from __future__ import annotations

from pathlib import Path

import pytest

from tinkc.mock.scenario import ScenarioError, parse_scenario
from tinkc.mock.sse import Event, stream_text
from tinkc.pipeline import bundled_manifest, compile_manifest
from tinkc.sdk.plan import plan_api

BASE = """
schema_version: 1
service:
  name: demo
clients:
  chat: {resource: chat}
types:
  Prompt: {fields: {text: string}}
  Token: {fields: {text: string, index: "int?"}}
features:
  retry:
    type: retry_policy
    max_retries: 2
    retry_on: {status: [503]}
    backoff: {type: exponential, base_ms: 10, max_ms: 20, jitter: 0.0}
  paged: {type: pagination, items_field: text}
endpoints:
"""


def compiled(tmp_path: Path, endpoints: str, flows: str = ""):
    path = tmp_path / "manifest.yaml"
    path.write_text(BASE + endpoints + flows, encoding="utf-8")
    return compile_manifest(path)


def errors(result) -> list[tuple[str, str]]:
    return [(d.code, d.message) for d in result.sink.items if d.severity.value == "error"]


def test_a_stream_is_planned_once_never_retried_and_asks_for_event_streams(tmp_path: Path) -> None:
    result = compiled(
        tmp_path,
        "  chat.stream: {method: POST, path: /stream, stream: sse, request: Prompt, response: Token}\n"
        "  chat.plain: {method: POST, path: /plain, request: Prompt, response: Token, features: [retry]}\n",
    )
    assert result.api is not None and not result.sink.has_errors, errors(result)
    plan = plan_api(result.api)
    ep = plan.endpoint("chat.stream")
    assert (ep.response, ep.call_mode) == ("stream", "stream")
    assert ep.response_type is not None and ep.runtime.retry is None
    assert ("Accept", "text/event-stream") in ep.runtime.headers
    assert plan.endpoint("chat.plain").response == "value"


def test_an_accept_header_of_its_own_is_kept(tmp_path: Path) -> None:
    result = compiled(
        tmp_path,
        "  chat.stream: {method: POST, path: /stream, stream: sse, request: Prompt, response: Token,"
        " headers: {accept: text/event-stream; charset=utf-8}}\n",
    )
    assert result.api is not None and not result.sink.has_errors, errors(result)
    headers = plan_api(result.api).endpoint("chat.stream").runtime.headers
    assert [h for h in headers if h[0].lower() == "accept"] == [("accept", "text/event-stream; charset=utf-8")]


@pytest.mark.parametrize(
    ("endpoint", "code", "words"),
    [
        ("{method: POST, path: /s, stream: websocket, response: Token}", "endpoint.unknown-stream", "unknown stream format"),
        ("{method: POST, path: /s, stream: sse}", "endpoint.bad-stream", "not a record"),
        ("{method: POST, path: /s, stream: sse, response: string}", "endpoint.bad-stream", "not a record"),
        ("{method: POST, path: /s, stream: sse, response: Token?}", "endpoint.bad-stream", "not a record"),
        ("{method: POST, path: /s, stream: sse, response: Token, features: [retry]}", "endpoint.bad-stream", "never retried"),
        (
            "{method: GET, path: /s, stream: sse, response: Token, response_handler: redirect_location}",
            "endpoint.bad-stream",
            "response_handler",
        ),
        ("{method: GET, path: /s, stream: sse, response: Token, features: [paged]}", "endpoint.bad-stream", "no pages"),
    ],
)
def test_misuse_of_stream_is_a_positioned_error(tmp_path: Path, endpoint: str, code: str, words: str) -> None:
    result = compiled(tmp_path, f"  chat.stream: {endpoint}\n")
    found = [(c, m) for c, m in errors(result) if c == code]
    assert found and words in found[0][1], errors(result)
    d = next(d for d in result.sink.items if d.code == code)
    assert d.span is not None and d.hint


STREAMING = "  chat.stream: {method: POST, path: /stream, stream: sse, request: Prompt, response: Token}\n"


@pytest.mark.parametrize(
    "steps",
    [
        # read by a later step
        "        - {call: chat.stream, args: {text: a}}\n        - return: ${result}\n",
        # not the last step
        "        - {call: chat.stream, args: {text: a}}\n        - {call: chat.stream, args: {text: b}}\n",
    ],
)
def test_a_flow_answers_a_stream_only_as_its_last_step(tmp_path: Path, steps: str) -> None:
    flows = "flows:\n  talk:\n    client: chat\n    steps:\n" + steps
    result = compiled(tmp_path, STREAMING, flows)
    assert "flow.stream-not-last" in [c for c, _ in errors(result)], errors(result)


def test_a_flow_ending_on_a_stream_answers_it(tmp_path: Path) -> None:
    flows = 'flows:\n  talk:\n    client: chat\n    inputs: {text: string}\n    steps:\n        - {call: chat.stream, args: {text: "${input.text}"}}\n'
    result = compiled(tmp_path, STREAMING, flows)
    assert result.api is not None and not result.sink.has_errors, errors(result)
    assert plan_api(result.api).flow("talk").returns == "stream"


def test_the_bundled_manifest_has_tinkex_sample_stream() -> None:
    result = compile_manifest(bundled_manifest())
    assert result.api is not None
    plan = plan_api(result.api)
    ep = plan.endpoint("sampling.sample_stream")
    assert (ep.method, ep.path, ep.response) == ("POST", "/api/v1/stream_sample", "stream")
    assert plan.flow(next(f for f in plan.flows if f.endswith("sample_stream"))).returns == "stream"


# -- reading events (the Python runtime's reader; the Elixir and TypeScript ones follow one rule) ---


def test_sse_reading_follows_the_event_stream_rules() -> None:
    runtime = Path(__file__).resolve().parents[2] / "backends" / "python" / "runtime" / "_sse.py"
    source = runtime.read_text(encoding="utf-8")
    # the reader alone (the module's other parts need the SDK package around them)
    start, end = source.index("_LINES ="), source.index("def decode_event")
    namespace: dict[str, object] = {}
    exec(  # noqa: S102 - the runtime's own parsing code, tested outside a generated package
        "import re\nfrom dataclasses import dataclass\n" + source[start:end], namespace
    )
    parse = namespace["parse_events"]
    body = '\ufeff: hello\r\ndata: {"a":\r\ndata:1}\r\n\r\nevent: x\ndata\n\n:only a comment\n\nid: 3\n\ndata:  two spaces\rdata: tail'
    events = [(e.event, e.data) for e in parse(body)]  # type: ignore[operator, attr-defined]
    # a `data` line without a colon is data "" (an event, as the standard says); comments, and
    # blank lines with no data before them, are none; the end of the body ends the last event
    assert events == [(None, '{"a":\n1}'), ("x", ""), (None, " two spaces\ntail")]


# -- the mock's `events:` ---------------------------------------------------------------------------


def test_mock_events_are_written_as_server_sent_events() -> None:
    text = stream_text(
        [
            Event(data={"token": "a"}, has_data=True, comment="hi"),
            Event(comment="keep-alive"),
            Event(lines=("{", "}"), event="token", id="2"),
        ]
    )
    assert text == ': hi\ndata: {"token":"a"}\n\n: keep-alive\nevent: token\nid: 2\ndata: {\ndata: }\n\n'


def test_scripted_events_are_checked() -> None:
    result = compile_manifest(bundled_manifest())
    assert result.api is not None
    ok = parse_scenario({"responses": {"sampling.sample_stream": [{"events": [{"data": {"token": "a"}}]}]}}, result.api)
    assert ok.responses[0][1][0].events is not None
    for bad, words in [
        ({"sessions.list": [{"events": [{"data": 1}]}]}, "does not stream"),
        ({"sampling.sample_stream": [{"events": [{"data": 1, "lines": ["x"]}]}]}, "not both"),
        ({"sampling.sample_stream": [{"events": [{"event": "x"}]}]}, "`data`, `lines` or a `comment`"),
        ({"sampling.sample_stream": [{"events": [{"lines": ["a\nb"]}]}]}, "single lines"),
        ({"sampling.sample_stream": [{"events": [], "body": {}}]}, "remove `body`"),
    ]:
        with pytest.raises(ScenarioError, match=words):
            parse_scenario({"responses": bad}, result.api)
