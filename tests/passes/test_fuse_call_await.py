from pathlib import Path

from passcase import run_case

FUTURES = """\
clients:
  c: {resource: [jobs]}
features:
  futures:
    type: promise_result
    retrieve_endpoint: futures.retrieve
    try_again: {field: type, value: try_again}
endpoints:
  jobs.submit: {method: POST, path: /jobs, request: Submit, response: Done, features: [futures]}
  jobs.peek: {method: GET, path: /peek, response: Done}
  futures.retrieve: {method: POST, path: /futures/retrieve, request: Retrieve, response: any}
types:
  Submit: {fields: {name: string}}
  Done: {fields: {job_id: string}}
  Retrieve: {fields: {request_id: string}}
"""


def test_call_then_await_becomes_one_step(tmp_path: Path) -> None:
    r = run_case(
        tmp_path,
        "fuse-call-await",
        "fused",
        FUTURES
        + """\
flows:
  f:
    client: c
    steps:
      - {id: peek, call: jobs.peek}
      - {id: submit, call: jobs.submit, args: {name: "${input.name}"}}
      - {id: done, await_future: Done}
      - return: ${steps.done.job_id}
""",
        ("flows",),
    )
    assert r.api is not None
    flow = r.api.flows["f"]
    assert [(s.id, s.kind, s.target) for s in flow.steps] == [
        ("peek", "call", "jobs.peek"),
        ("done", "call_await", "jobs.submit"),
        ("step4", "return", None),
    ]
    done = flow.step("done")
    assert done is not None and done.args[0].name == "name" and done.result_type is not None
    # the fused step depends on nothing, so it runs beside `peek`
    assert flow.stages == (("peek", "done"), ("step4",))


def test_a_future_read_twice_is_not_fused(tmp_path: Path) -> None:
    r = run_case(
        tmp_path,
        "fuse-call-await",
        "kept",
        FUTURES
        + """\
flows:
  f:
    client: c
    steps:
      - {id: submit, call: jobs.submit, args: {name: "${input.name}"}}
      - {id: done, await_future: Done}
      - {id: again, call: jobs.submit, args: {name: "${input.name}"}, after: [submit]}
      - return: ${steps.done.job_id}
""",
        ("flows",),
    )
    assert r.api is not None
    kinds = [s.kind for s in r.api.flows["f"].steps]
    # `submit` is read by `after:` as well, and `again`'s future is never awaited
    assert kinds == ["call", "await_future", "call", "return"]
