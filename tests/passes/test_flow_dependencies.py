import textwrap
from pathlib import Path

from passcase import run_case

BASE = """\
clients:
  c: {resource: [a]}
endpoints:
  a.one: {method: GET, path: /1, response: One}
  a.two: {method: GET, path: /2, response: Two}
  a.join: {method: POST, path: /j, request: Join, response: One}
types:
  One: {fields: {x: string}}
  Two: {fields: {y: string}}
  Join: {fields: {x: string, y: string}}
"""


def test_independent_steps_share_a_stage(tmp_path: Path) -> None:
    r = run_case(
        tmp_path,
        "flow-dependencies",
        "stages",
        BASE
        + textwrap.dedent("""\
        flows:
          f:
            client: c
            steps:
              - {id: one, call: a.one}
              - {id: two, call: a.two}
              - id: join
                call: a.join
                args:
                  x: ${steps.one.x}
                  y: ${steps.two.y}
              - {id: ordered, call: a.one, after: [join]}
              - return: ${steps.join}
        """),
        ("flows",),
    )
    assert not r.sink.items
    assert r.api is not None
    flow = r.api.flows["f"]
    assert flow.stages == (("one", "two"), ("join",), ("ordered",), ("step5",))
    assert flow.step("join").depends_on == ("one", "two")  # type: ignore[union-attr]
    assert flow.step("step5").depends_on == ("one", "two", "join", "ordered")  # type: ignore[union-attr]


def test_sequential_chain(tmp_path: Path) -> None:
    r = run_case(
        tmp_path,
        "flow-dependencies",
        "chain",
        BASE
        + textwrap.dedent("""\
        flows:
          f:
            client: c
            steps:
              - call: a.one
              - call: a.join
                args: {x: "${result.x}", y: "${result.x}!"}
        """),
        ("flows",),
    )
    assert r.api is not None and r.api.flows["f"].stages == (("step1",), ("step2",))
