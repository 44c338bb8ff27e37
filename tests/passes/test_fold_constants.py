from pathlib import Path

from passcase import run_case

from tinkc.ir import nodes as ir

BASE = """\
clients:
  c: {resource: [a]}
endpoints:
  a.create: {method: POST, path: /create, response: Created}
  a.label: {method: POST, path: /label, request: Label, response: Created}
types:
  Created: {fields: {kind: {type: '"created"', default: created}, id: string}}
  Label: {fields: {text: string, kind: string}}
"""


def test_literal_bindings_become_constants(tmp_path: Path) -> None:
    r = run_case(
        tmp_path,
        "fold-constants",
        "literals",
        BASE
        + """\
flows:
  f:
    client: c
    steps:
      - {id: made, call: a.create}
      - id: label
        call: a.label
        args:
          text: "${steps.made.kind}/${input.name}/x"
          kind: ${steps.made.kind}
      - return: ${steps.label}
""",
        ("flows",),
    )
    assert r.api is not None
    flow = r.api.flows["f"]
    label = flow.step("label")
    assert label is not None
    args = {a.name: a.value for a in label.args}
    assert isinstance(args["kind"], ir.Const) and args["kind"].value == "created"
    text = args["text"]
    assert isinstance(text, ir.Interp) and text.parts[0] == "created/" and text.parts[2] == "/x"
    # `label` no longer reads `made`: both start at once
    assert flow.stages[0] == ("made", "label")


def test_an_interpolation_of_constants_is_one_string(tmp_path: Path) -> None:
    r = run_case(
        tmp_path,
        "fold-constants",
        "interp",
        BASE
        + """\
flows:
  f:
    client: c
    steps:
      - {id: made, call: a.create}
      - id: label
        call: a.label
        args: {text: "${steps.made.kind}:${steps.made.kind}", kind: "${steps.made.id}"}
""",
        ("flows",),
    )
    assert r.api is not None
    label = r.api.flows["f"].step("label")
    assert label is not None
    args = {a.name: a.value for a in label.args}
    assert args["text"] == ir.Const(value="created:created", span=args["text"].span)
    assert isinstance(args["kind"], ir.Bind)  # any string: kept
