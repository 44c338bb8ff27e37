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
