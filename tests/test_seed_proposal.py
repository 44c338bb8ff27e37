"""The schema proposal's own example loads: every piece of syntax it shows is accepted, and what it
names but never declares is reported — every one, at its position, in one run."""

from __future__ import annotations

from pathlib import Path

from tinkc.pipeline import compile_manifest

FIXTURE = Path(__file__).parent / "fixtures" / "seed_proposal" / "manifest.yaml"

# Named by the proposal's snippets, declared nowhere in them.
UNDECLARED_TYPES = {
    "CreateModelResponse",
    "GetServerCapabilitiesResponse",
    "ForwardRequest",
    "ForwardBackwardOutput",
    "SampleRequest",
    "SampleResponse",
    "TelemetrySendRequest",
    "TelemetryResponse",
    "FutureRetrieveRequest",
    "FutureRetrieveResponse",
    "CheckpointArchiveUrlResponse",
}
UNDECLARED_CALLS = {"models.create", "get_weights_info_by_tinker_path", "load_state"}


def _text_at(lines: list[str], d: object) -> str:
    span = d.span  # type: ignore[attr-defined]
    return lines[span.line - 1][span.col - 1 : span.end_col - 1]


def test_every_undeclared_name_is_reported_at_its_position() -> None:
    result = compile_manifest(FIXTURE)
    lines = FIXTURE.read_text().splitlines()
    syntax = [
        d for d in result.sink.items if d.code.startswith(("load.", "manifest.", "type.syntax", "feature.missing", "feature.unknown"))
    ]
    assert not syntax, [(d.code, d.message) for d in syntax]  # all of the proposal's syntax is accepted

    unknown_types = [d for d in result.sink.items if d.code == "ref.unknown-type"]
    assert {_text_at(lines, d) for d in unknown_types} == UNDECLARED_TYPES
    assert len(unknown_types) == len(UNDECLARED_TYPES)

    calls = [d for d in result.sink.items if d.code == "ref.unknown-call-target"]
    assert len(calls) == len(UNDECLARED_CALLS)
    for d in calls:
        written = _text_at(lines, d)
        assert any(written.endswith(name) for name in UNDECLARED_CALLS), written


def test_both_futures_spellings_in_the_proposal_are_the_same_feature() -> None:
    result = compile_manifest(FIXTURE)
    assert result.api is not None
    flat, nested = result.api.features["futures"], result.api.features["futures_nested"]
    assert flat.params.__class__ is nested.params.__class__
    # the nested form also names result_field, which the flat form leaves out
    import attrs

    assert attrs.evolve(nested.params, result_field=None) == flat.params


COMPLETED = Path(__file__).parent / "fixtures" / "seed_proposal_completed" / "manifest.yaml"
# What the proposal's own content draws (features it declares but attaches nowhere, retried POSTs
# without an idempotency key, types only its §5 shows): warnings, never errors.
PROPOSAL_WARNINGS = {"unused.feature", "unused.endpoint", "unused.type", "endpoint.retry-without-idempotency"}


def test_the_completed_proposal_checks_clean_and_builds_for_every_sdk() -> None:
    """The proposal's examples verbatim plus only the types and endpoints they leave out."""
    from tinkc.backends.registry import available
    from tinkc.ir.nodes import thaw

    proposal = FIXTURE.read_text()
    completed = COMPLETED.read_text()
    # verbatim: every line of the proposal's assembly (its header comment aside) is in the completion
    for line in proposal.splitlines()[3:]:
        assert line in completed.splitlines(), line
    result = compile_manifest(COMPLETED)
    assert not result.sink.has_errors, [(d.code, d.message) for d in result.sink.items]
    assert {d.code for d in result.sink.items} <= PROPOSAL_WARNINGS
    assert result.api is not None
    for target in ("python", "typescript", "elixir"):
        files = list(available()[target].load()().emit(result.api, thaw(result.api.targets.get(target)) or {}))
        assert files, target
    # (their strict checks run on the snapshot trees: tests/targets/test_*_toolchain.py)


def test_the_proposal_flow_inferences_are_in_the_ir() -> None:
    import tinkc.ir.nodes as ir

    api = compile_manifest(COMPLETED).api
    assert api is not None
    # the TrainingClient, built from the awaited CreateModelResponse, carries its model_id as state
    training = api.clients["training"]
    assert [s.name for s in training.state] == ["model_id"]
    build = api.flows["create_lora_training_client"].steps[-1]
    assert build.kind == "build_client" and [(a.name, a.value.text) for a in build.args] == [("model_id", "${result.model_id}")]  # type: ignore[union-attr]
    # its endpoint methods read model_id from that state
    load = training.method("load_state")
    assert load is not None and load.kind == "flow"
    assert [i.name for i in api.flows[load.target].inputs] == ["path"]
    # `training.load_state` right after the step that produced the client runs on it, no `on:`
    flow = api.flows["create_training_client_from_state"]
    step = flow.steps[-1]
    assert step.receiver == "step:step2" and step.target == load.target
    # the arg-less first step takes the flow's `path` input
    assert [(a.name, a.value.text) for a in flow.steps[0].args] == [("path", "${input.path}")]  # type: ignore[union-attr]
    assert isinstance(flow.steps[0].args[0].value, ir.Bind)
