"""Client counters: `start:` (the first value) and `ordered:` (requests sent in counter order, one at
a time), their diagnostics, and how the mock checks them (issue 15 items 1 and 2)."""

from __future__ import annotations

from pathlib import Path

import pytest
from util import compile_text, errors, only

from tinkc.mock.sequence import SequenceChecker, sequenced_fields
from tinkc.pipeline import bundled_manifest, compile_manifest

CLIENT = """
types:
  Step: {{fields: {{model_id: string, seq_id: int}}}}
  Done: {{fields: {{ok: bool}}}}
endpoints:
  train.step: {{method: POST, path: /step, request: Step, response: Done}}
clients:
  trainer:
    state:
      model_id: string
      seq_id: {{type: int, counter: true{extra}}}
    flows:
      - name: step
        steps:
          - call: train.step
            args: {{model_id: "${{state.model_id}}", seq_id: "${{state.seq_id}}"}}
"""


def test_start_and_ordered_reach_the_ir(tmp_path: Path) -> None:
    result = compile_text(tmp_path, CLIENT.format(extra=", start: 1, ordered: true"))
    assert not errors(result)
    (seq,) = [s for s in result.api.clients["trainer"].state if s.name == "seq_id"]
    assert (seq.counter, seq.counter_start, seq.ordered) == (True, 1, True)
    (found,) = sequenced_fields(result.api)["train.step"]
    assert (found.wire, found.group, found.start, found.ordered) == ("seq_id", ("model_id",), 1, True)


def test_a_plain_counter_is_not_checked_by_the_mock(tmp_path: Path) -> None:
    result = compile_text(tmp_path, CLIENT.format(extra=""))
    assert not errors(result)
    assert sequenced_fields(result.api) == {}


@pytest.mark.parametrize(
    ("state", "code"),
    [
        ("seq_id: {type: int, start: 1}", "manifest.conflict"),
        ("seq_id: {type: int, ordered: true}", "manifest.conflict"),
        ("seq_id: {type: int, counter: true, start: -1}", "manifest.bad-value"),
        ("seq_id: {type: int, counter: true, start: one}", "manifest.expected-integer"),
        ("seq_id: {type: int, counter: true, ordered: 1}", "manifest.expected-boolean"),
        ("seq_id: {type: int, counter: true, begin: 1}", "manifest.unknown-key"),
    ],
)
def test_bad_counter_options_are_positioned_errors(tmp_path: Path, state: str, code: str) -> None:
    text = f"""
clients:
  trainer:
    state:
      {state}
"""
    d = only(compile_text(tmp_path, text), code)
    assert d.span is not None and d.span.line == 10  # the header is 5 lines, then a blank one
    assert d.hint or code in ("manifest.bad-value", "manifest.expected-integer", "manifest.expected-boolean")


def tinker_checker() -> SequenceChecker:
    return SequenceChecker(compile_manifest(bundled_manifest()).api)


def test_the_mock_learns_tinkers_training_counter() -> None:
    checker = tinker_checker()
    optim = checker.fields["training.optim_step"]
    assert [(s.counter, s.wire, s.group, s.start, s.ordered) for s in optim] == [("seq_id", "seq_id", ("model_id",), 1, True)]


def test_in_order_one_at_a_time_and_resends_pass() -> None:
    checker = tinker_checker()
    for n, seq in enumerate([1, 2, 2, 3]):  # 2 twice: a resend of one call
        checker.arrived(n, "training.optim_step", {"model_id": "m", "seq_id": seq})
        checker.answered(n)
    checker.arrived(9, "training.optim_step", {"model_id": "other", "seq_id": 1})  # another model: its own sequence
    assert checker.report() == {"checked": 5, "violations": []}


def test_a_wrong_start_an_order_gap_and_a_second_request_in_flight_are_recorded() -> None:
    checker = tinker_checker()
    checker.arrived(0, "training.optim_step", {"model_id": "m", "seq_id": 0})
    checker.answered(0)
    checker.arrived(1, "training.optim_step", {"model_id": "m", "seq_id": 2})  # 1 skipped
    checker.arrived(2, "weights.save", {"model_id": "m", "seq_id": 3, "path": "x"})  # 2 not answered yet
    kinds = [(v["kind"], v["value"]) for v in checker.report()["violations"]]
    assert kinds == [("start", 0), ("order", 2), ("in_flight", 3)]


def test_an_ordered_counter_read_outside_an_endpoint_call_is_refused(tmp_path: Path) -> None:
    text = (
        CLIENT.format(extra=", ordered: true")
        + """
      - name: peek
        steps:
          - return: "${state.seq_id}"
"""
    )
    d = only(compile_text(tmp_path, text), "flow.ordered-counter")
    assert "ordered counter" in d.message and d.hint


def test_a_step_reading_an_ordered_counter_twice_is_refused(tmp_path: Path) -> None:
    text = CLIENT.format(extra=", ordered: true").replace(
        'model_id: "${{state.model_id}}"'.replace("{{", "{").replace("}}", "}"), 'model_id: "m-${state.seq_id}"'
    )
    assert "m-${state.seq_id}" in text
    only(compile_text(tmp_path, text), "flow.ordered-counter")


def test_the_plan_marks_the_steps_that_take_the_lane(tmp_path: Path) -> None:
    from tinkc.sdk import plan_of

    result = compile_text(tmp_path, CLIENT.format(extra=", ordered: true"))
    (step,) = plan_of(result.api).flow("step").steps
    assert step.ordered == "seq_id"
    plain = compile_text(tmp_path / "plain", CLIENT.format(extra=""))
    assert plan_of(plain.api).flow("step").steps[0].ordered is None
