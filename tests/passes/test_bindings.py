import textwrap
from pathlib import Path

from passcase import run_case
from util import codes, only

from tinkc.ir import nodes as ir

BASE = """\
clients:
  svc:
    module: Acme.ServiceClient
    state: {session_id: string, seq: {type: int, counter: true}}
    resource: [models, weights]
  training:
    module: Acme.TrainingClient
    state: {model_id: string}
    methods: {load_state: weights.load}
features:
  fut: {type: promise_result, retrieve_endpoint: futures.retrieve}
endpoints:
  models.create: {method: POST, path: /create, request: CreateModel, response: CreateModelResponse, features: [fut]}
  models.info: {method: POST, path: /info, request: InfoRequest, response: Info}
  weights.info: {method: POST, path: /winfo, request: WeightsInfoBody, response: WeightsInfo}
  weights.load: {method: POST, path: /load, request: LoadWeights, response: Loaded, features: [fut]}
  futures.retrieve: {method: POST, path: /retrieve, request: Retrieve, response: any}
types:
  CreateModel: {fields: {session_id: string, seq: int, base_model: string, lora: Lora}}
  Lora: {fields: {rank: int, train_mlp: {type: bool, default: true}}}
  CreateModelResponse: {fields: {model_id: string, model_seq_id: int}}
  InfoRequest: {fields: {model_id: string}}
  Info: {fields: {model_id: string, tokens: "[int]"}}
  WeightsInfoBody: {fields: {tinker_path: string}}
  WeightsInfo: {fields: {base_model: string, lora_rank: int, note: string?}}
  LoadWeights: {fields: {model_id: string, path: string}}
  Loaded: {fields: {path: string}}
  Retrieve: {fields: {request_id: string}}
"""

GOOD = BASE + textwrap.dedent("""\
flows:
  create_lora:
    client: svc
    steps:
      - call: models.create
        args:
          session_id: ${state.session_id}
          seq: ${state.seq}
          base_model: ${input.base_model}
          lora:
            rank: ${input.rank}
      - await_future: CreateModelResponse
      - id: info
        call: models.info
        args:
          model_id: "${state.session_id}:train:${result.model_seq_id}"
      - build_client:
          client: TrainingClient
          with:
            model_id: ${steps.info.model_id}
  from_state:
    client: svc
    steps:
      - call: weights.info
        args:
          tinker_path: ${input.path}
      - id: client
        call: create_lora
        args:
          base_model: ${result.base_model}
          rank: ${result.lora_rank}
      - call: training.load_state
        args:
          model_id: ${input.path}
          path: ${input.path}
      - await_future: true
      - return: ${steps.client}
""")


def test_bindings_resolve_to_steps_and_typed_paths(tmp_path: Path) -> None:
    r = run_case(tmp_path, "bindings", "resolved", GOOD, ("flows",))
    assert not r.sink.items, codes(r)
    assert r.api is not None
    lora = r.api.flows["create_lora"]
    assert [(i.name, i.type) for i in lora.inputs] == [("base_model", ir.Prim(name="string")), ("rank", ir.Prim(name="int"))]
    assert lora.result == ir.ClientT(client="training")
    interp = lora.steps[2].args[0].value
    assert isinstance(interp, ir.Interp)
    bind = interp.parts[2]
    assert isinstance(bind, ir.Bind) and bind.step == "step2" and bind.type == ir.Prim(name="int")
    from_state = r.api.flows["from_state"]
    rank = from_state.steps[1].args[1].value
    assert isinstance(rank, ir.Bind) and (rank.step, rank.path, rank.type) == ("step1", ("lora_rank",), ir.Prim(name="int"))
    assert from_state.steps[2].receiver == "step:client"
    assert [(i.name, i.type) for i in from_state.inputs] == [("path", ir.Prim(name="string"))]
    assert from_state.result == ir.ClientT(client="training")


def test_wrong_fields_and_types(tmp_path: Path) -> None:
    r = run_case(
        tmp_path,
        "bindings",
        "errors",
        BASE
        + textwrap.dedent("""\
        flows:
          f:
            client: svc
            steps:
              - call: weights.info
                args:
                  tinker_path: ${result.x}
              - call: models.info
                args:
                  model_id: ${result.lora_rnk}
              - call: models.info
                args:
                  model_id: ${steps.later.model_id}
              - id: later
                call: models.info
                args:
                  model_id: ${state.sesion_id}
                  extra: 1
              - call: models.create
                args:
                  session_id: ${input.m}
                  seq: ${steps.later.tokens}
                  base_model: "m-${steps.later.tokens}"
                  lora:
                    rank: ${input.m}
              - call: weights.info
                args:
                  tinker_path: ${result.model_id}
        """),
        ("flows",),
    )
    got = codes(r)
    for code in (
        "binding.no-previous-step",
        "binding.unknown-field",
        "binding.unknown-step",
        "binding.unknown-state",
        "flow.unknown-argument",
        "binding.type-mismatch",
        "binding.not-scalar",
        "flow.input-conflict",
        "binding.unawaited-future",
    ):
        assert code in got, (code, got)
    unknown_field = only(r, "binding.unknown-field")
    assert unknown_field.hint == "did you mean `lora_rank`?"
    assert unknown_field.span is not None and unknown_field.span.col == 21  # the `$` of `${result.lora_rnk}`


def test_await_after_non_future_and_maybe_null(tmp_path: Path) -> None:
    r = run_case(
        tmp_path,
        "bindings",
        "await_and_null",
        BASE
        + textwrap.dedent("""\
        flows:
          g:
            client: svc
            steps:
              - call: weights.info
                args: {tinker_path: x}
              - await_future: WeightsInfo
              - call: models.info
                args:
                  model_id: ${steps.step1.note}
        """),
        ("flows",),
    )
    assert codes(r) == ["flow.await-not-future", "binding.maybe-null"]


SERVER_FLOW = """\
schema_version: 1
service: {{name: x, features: [{features}]}}
features:
  cfg: {{type: server_config, endpoints: [config.get, config.dynamic]}}
clients:
  c:
    resource: [jobs, config]
    flows:
      - name: start
        steps:
          - call: jobs.submit
            args: {{queue: "{value}"}}
endpoints:
  config.get: {{method: GET, path: /config, response: Config}}
  config.dynamic: {{method: GET, path: /dynamic, response: Dynamic}}
  jobs.submit: {{method: POST, path: /jobs, request: Submit}}
types:
  Config: {{fields: {{queue: {{type: string, default: standard}}, bare: string, nested: {{type: Dynamic, default: {{}}}}}}}}
  Dynamic: {{fields: {{interval: {{type: int, default: 300}}}}}}
  Submit: {{fields: {{queue: "string?"}}}}
"""


def _server_flow(tmp_path: Path, value: str, features: str = "cfg") -> object:
    from util import compile_text

    return compile_text(tmp_path, SERVER_FLOW.format(value=value, features=features), header=False)


def test_server_field_is_read_with_its_default(tmp_path: Path) -> None:
    from tinkc.sdk import plan_of

    r = _server_flow(tmp_path, "${server.queue}")
    assert not r.sink.has_errors, [d.message for d in r.sink.items]
    server = plan_of(r.api).server_config
    assert server is not None
    # every field the config endpoints answer, later endpoints' after earlier ones'
    assert [(f.name, f.has_default, ir.thaw(f.default)) for f in server.fields][:2] == [("queue", True, "standard"), ("bare", False, None)]
    assert server.field("interval").record == "Dynamic"


def test_server_field_diagnostics(tmp_path: Path) -> None:
    cases = {
        "${server.queu}": "binding.unknown-server-field",
        "${server.bare}": "binding.server-field-no-default",
        "${server.nested}": "binding.server-field-type",
    }
    for i, (value, code) in enumerate(cases.items()):
        r = _server_flow(tmp_path / str(i), value)
        d = only(r, code)
        assert d.span is not None and d.span.line == 12 and d.hint, (value, d)
    assert "queue" in (only(_server_flow(tmp_path / "typo", "${server.queu}"), "binding.unknown-server-field").hint or "")
    r = _server_flow(tmp_path / "none", "${server.queue}", features="")
    assert "server_config" in (only(r, "binding.no-server-config").hint or "")
