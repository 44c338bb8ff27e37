from pathlib import Path

from passcase import run_case
from util import codes, compile_text, only

from tinkc.ir import nodes as ir


def test_path_params_completed_in_template_order(tmp_path: Path) -> None:
    r = run_case(
        tmp_path,
        "paths",
        "complete",
        """\
        clients:
          c: {resource: ckpt}
        endpoints:
          ckpt.get:
            method: GET
            path: /runs/{run_id}/checkpoints/{+checkpoint_id}/v/{version}
            path_params:
              version: {type: int, doc: Version number}
              run_id: {type: string, raw: true}
        """,
        ("endpoints",),
    )
    assert not r.sink.items
    assert r.api is not None
    params = r.api.endpoints["ckpt.get"].path_params
    assert [(p.name, p.raw, p.type) for p in params] == [
        ("run_id", True, ir.Prim(name="string")),
        ("checkpoint_id", True, ir.Prim(name="string")),
        ("version", False, ir.Prim(name="int")),
    ]


def test_unknown_and_clashing_params(tmp_path: Path) -> None:
    r = run_case(
        tmp_path,
        "paths",
        "clashes",
        """\
        clients:
          c: {resource: a}
        endpoints:
          a.b:
            method: POST
            path: /x/{id}
            path_params: {ident: string}
            query: {id: string}
            request: Body
        types:
          Body: {fields: {id: string}}
        """,
        ("endpoints",),
    )
    assert codes(r) == ["endpoint.param-clash", "path.unknown-param", "endpoint.param-clash"]


SHARED = """\
clients:
  c: {{resource: frames}}
endpoints:
  frames.publish:
    method: POST
    path: /frames/{{frame_id}}/publish
{path_params}    request: PublishFrame
types:
  PublishFrame:
    fields: {{frame_id: {field_type}, title: string}}
  FrameId: {{alias: string}}
"""


def test_a_path_parameter_may_share_its_name_with_a_body_field_of_its_type(tmp_path: Path) -> None:
    from tinkc.sdk import plan_api

    for field_type in ("string", "FrameId", "string?"):
        r = compile_text(tmp_path, SHARED.format(path_params="", field_type=field_type))
        assert not r.sink.has_errors, codes(r)
        assert r.api is not None
        ep = plan_api(r.api).endpoint("frames.publish")
        # one argument, in the path and in the body
        assert [(p.name, p.location, p.body_field) for p in ep.params] == [
            ("frame_id", "path", "frame_id"),
            ("title", "body", None),
        ]


def test_a_path_parameter_and_a_body_field_of_different_types_clash(tmp_path: Path) -> None:
    r = compile_text(tmp_path, SHARED.format(path_params="    path_params: {frame_id: int}\n", field_type="string"))
    d = only(r, "endpoint.param-clash")
    assert "path parameter of type `int`" in d.message and "of type `string`" in d.message
    assert d.span is not None and d.hint is not None and "path_params: {frame_id: string}" in d.hint
