from pathlib import Path

from passcase import run_case
from util import codes

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
