"""Pass `client-state` and the bindings' inferences for flows written as the schema proposal writes
them: state carried from an awaited result, state filling parameters, the receiver of a
`client.method` call, and arg-less calls taking the flow's inputs."""

from pathlib import Path

from util import codes, compile_text, only

BASE = """\
clients:
  service:
    resource: models
    flows:
      - name: create
        steps:
          - call: models.create
          - await_future: Created
          - build_client: TrainingClient
{extra_flows}
  training:
    module: Demo.TrainingClient
    resource: training
{training_state}
features:
  futures:
    type: promise_result
    retrieve_endpoint: futures.retrieve
    try_again_field: type
    try_again_value: try_again
    error_field: error
    category_field: category
    queue_state_field: queue_state
    queue_state_reason_field: queue_state_reason
endpoints:
  models.create:
    method: POST
    path: /create
    request: CreateRequest
    response: Created
    features: [futures]
  training.step:
    method: POST
    path: /step
    request: StepRequest
    response: Stepped
  futures.retrieve:
    method: POST
    path: /retrieve
    request: Retrieve
    response: Created
types:
  CreateRequest: {{fields: {{base_model: string, rank: int?}}}}
  Created: {{fields: {{model_id: string, created_at: string?}}}}
  StepRequest: {{fields: {{model_id: string, lr: float}}}}
  Stepped: {{fields: {{loss: float?}}}}
  Retrieve: {{fields: {{request_id: string}}}}
"""


def _compile(tmp_path: Path, extra_flows: str = "", training_state: str = ""):  # type: ignore[no-untyped-def]
    return compile_text(tmp_path, BASE.format(extra_flows=extra_flows, training_state=training_state))


def test_state_is_inferred_from_the_awaited_result_and_fills_the_endpoint_methods(tmp_path: Path) -> None:
    r = _compile(tmp_path)
    assert not r.sink.has_errors, codes(r)
    api = r.api
    assert api is not None
    training = api.clients["training"]
    # `created_at` is not needed by any endpoint of the client: not state
    assert [s.name for s in training.state] == ["model_id"]
    step = training.method("step")
    assert step is not None and step.kind == "flow"
    assert [(i.name, i.required) for i in api.flows[step.target].inputs] == [("lr", True)]
    # the arg-less models.create takes the flow's inputs: base_model required, rank optional
    assert [(i.name, i.required) for i in api.flows["create"].inputs] == [("base_model", True), ("rank", False)]


def test_a_declared_state_is_filled_from_the_awaited_result_and_not_inferred(tmp_path: Path) -> None:
    r = _compile(tmp_path, training_state="    state: {model_id: string, created_at: string?}\n")
    assert not r.sink.has_errors, codes(r)
    api = r.api
    assert api is not None
    build = api.flows["create"].steps[-1]
    assert [a.name for a in build.args] == ["model_id", "created_at"]
    # declared state: the endpoint methods keep their parameters
    step = api.clients["training"].method("step")
    assert step is not None and step.kind == "endpoint"


def test_a_call_after_the_step_that_built_its_client_runs_on_it(tmp_path: Path) -> None:
    flow = """\
      - name: create_and_step
        steps:
          - call: service.create
            args: {base_model: m}
          - call: training.step
            args: {lr: 0.1}
"""
    r = _compile(tmp_path, extra_flows=flow)
    assert not r.sink.has_errors, codes(r)
    assert r.api is not None
    step = r.api.flows["create_and_step"].steps[-1]
    assert step.receiver == "step:step1" and step.target == "training_step" and step.target_kind == "flow"


def test_two_candidate_receivers_are_an_error_with_a_hint(tmp_path: Path) -> None:
    flow = """\
      - name: two
        steps:
          - id: a
            call: service.create
            args: {base_model: m}
          - id: b
            call: service.create
            args: {base_model: n}
          - call: training.step
            args: {lr: 0.1}
"""
    d = only(_compile(tmp_path, extra_flows=flow), "flow.ambiguous-receiver")
    assert d.span is not None and d.hint == "say which: `on: ${steps.b}`"
