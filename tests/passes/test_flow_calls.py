from pathlib import Path

from passcase import run_case
from util import codes, compile_text, only


def test_call_targets_resolve_three_ways(tmp_path: Path) -> None:
    r = run_case(
        tmp_path,
        "flow-calls",
        "targets",
        """\
        clients:
          svc: {module: Acme.ServiceClient, resource: pets}
          tr: {module: Acme.TrainingClient, methods: {fetch: pets.get}}
        endpoints:
          pets.get: {method: GET, path: /p}
        flows:
          inner: {client: svc, steps: [{call: pets.get}]}
          outer:
            client: svc
            steps:
              - call: pets.get
              - call: tr.fetch
              - call: TrainingClient.fetch
              - call: inner
              - build_client: TrainingClient
        """,
        ("flows",),
    )
    assert not r.sink.items
    assert r.api is not None
    steps = r.api.flows["outer"].steps
    assert [(s.target, s.target_kind) for s in steps] == [
        ("pets.get", "endpoint"),
        ("pets.get", "endpoint"),
        ("pets.get", "endpoint"),
        ("inner", "flow"),
        ("tr", "client"),
    ]


def test_cycles_are_spelled_out(tmp_path: Path) -> None:
    r = run_case(
        tmp_path,
        "flow-calls",
        "cycles",
        """\
        clients:
          c: {}
        flows:
          a: {client: c, steps: [{call: b}]}
          b: {client: c, steps: [{call: a}]}
          x: {client: c, steps: [{call: y}]}
          y: {client: c, steps: [{call: z}]}
          z: {client: c, steps: [{call: x}]}
          self_loop: {client: c, steps: [{call: self_loop}]}
        """,
        ("flows",),
    )
    messages = sorted(d.message for d in r.sink.items if d.code == "flow.cycle")
    assert messages == [
        "flows call each other in a cycle: a → b → a",
        "flows call each other in a cycle: self_loop → self_loop",
        "flows call each other in a cycle: x → y → z → x",
    ]


def test_unknown_target(tmp_path: Path) -> None:
    r = run_case(
        tmp_path,
        "flow-calls",
        "unknown",
        """\
        clients:
          c: {resource: pets}
        endpoints:
          pets.get: {method: GET, path: /p}
        flows:
          f: {client: c, steps: [{call: pets.gte}, {build_client: Trainer}]}
        """,
        ("flows",),
    )
    assert codes(r) == ["ref.unknown-call-target", "ref.unknown-client"]
    assert only(r, "ref.unknown-call-target").hint == "did you mean `pets.get`?"


def test_a_flow_may_not_call_a_deprecated_flow(tmp_path: Path) -> None:
    # the deprecated flow's SDK function warns when called: the SDK would warn on its own calls
    r = compile_text(
        tmp_path,
        """\
        clients:
          c: {resource: pets}
        endpoints:
          pets.get: {method: GET, path: /p, deprecated: true}
        flows:
          old: {client: c, deprecated: true, steps: [{call: pets.get}]}
          uses_old: {client: c, steps: [{call: old}]}
          uses_endpoint: {client: c, steps: [{call: pets.get}]}
        """,
    )
    d = only(r, "flow.calls-deprecated")
    assert d.message == "step `step1` of flow `uses_old` calls flow `old`, which is deprecated"
    assert d.hint is not None and "do not deprecate" in d.hint
    assert d.span is not None


def test_a_flow_input_may_not_be_named_like_the_per_call_options(tmp_path: Path) -> None:
    # every SDK's flow method takes `request_options` beside the inputs (Python, Elixir keywords)
    r = compile_text(
        tmp_path,
        """\
        clients:
          c: {}
        endpoints:
          pets.get: {method: GET, path: /p}
        flows:
          f: {client: c, inputs: {request_options: string}, steps: [{call: pets.get}]}
        """,
    )
    d = next(d for d in r.sink.items if d.code == "flow.input-clash")
    assert "`request_options` of flow `f`" in d.message and d.hint == "rename the input" and d.span is not None
