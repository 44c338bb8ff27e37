"""The bundled manifest: the complete Tinker API, valid with no warnings, every endpoint of the
0.38 surface present with its method, path, query parameters and future behaviour, and the five
composite flows resolved to typed field paths."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tinkc.cli import main
from tinkc.ir import nodes as ir
from tinkc.ir.serialize import api_to_json
from tinkc.pipeline import bundled_manifest, compile_manifest

ROOT = Path(__file__).resolve().parent.parent
SURFACE = json.loads((Path(__file__).parent / "data" / "tinker_endpoints.json").read_text())["endpoints"]
SHARED_SURFACE = ROOT.parent / "shared" / "reference" / "tinker" / "surface.json"
COMPOSITE_FLOWS = (
    "create_lora_training_client",
    "create_training_client_from_state",
    "create_training_client_from_state_with_optimizer",
    "create_sampling_client",
    "save_weights_and_get_sampling_client",
)


@pytest.fixture(scope="module")
def api() -> ir.Api:
    result = compile_manifest(bundled_manifest())
    assert not result.sink.items, [(d.code, d.message) for d in result.sink.items]
    assert result.api is not None
    return result.api


def test_check_exits_zero_without_warnings(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--color", "never", "check"]) == 0
    out = capsys.readouterr()
    assert out.err == "" and out.out.startswith("ok: ")


def test_extract_matches_the_shared_reference() -> None:
    if not SHARED_SURFACE.exists():  # only the project's own workspace (and its CI) has shared/ beside the clone
        pytest.skip(f"{SHARED_SURFACE} is not beside this clone")
    shared = json.loads(SHARED_SURFACE.read_text())["endpoints"]
    assert [(e["id"], e["method"], e["path"]) for e in shared] == [(e["id"], e["method"], e["path"]) for e in SURFACE]


def _path_shape(path: str) -> str:
    """`/a/{x}/b/{+y}` and `/a/{x}/b/{y}` have the same shape."""
    return path.replace("{+", "{")


def test_every_surface_endpoint_is_in_the_ir_json(api: ir.Api) -> None:
    data = json.loads(api_to_json(api))
    present = {(e["method"], _path_shape(e["path"]["template"])) for e in data["endpoints"].values()}
    missing = [(e["method"], e["path"]) for e in SURFACE if (e["method"], _path_shape(e["path"])) not in present]
    assert not missing
    for e in SURFACE:
        ep = api.endpoints[e["id"]]
        assert (ep.method, _path_shape(ep.path.template)) == (e["method"], _path_shape(e["path"]))
        assert [q.name for q in ep.query] == e["query"], e["id"]
        assert (api.future_feature(ep) is not None) == e["future"], e["id"]


def test_the_extra_endpoints(api: ir.Api) -> None:
    assert api.endpoints["training.forward"].path.template == "/api/v1/forward"
    assert api.endpoints["models.unload"].path.template == "/api/v1/unload_model"
    archive = api.endpoints["checkpoints.archive_url"]
    assert archive.response_handler == "redirect_location"
    assert ("accept", "application/gzip") in [(h.name, h.value) for h in archive.headers]
    assert any(v.raw for v in archive.path.variables)


def test_clients_have_the_tinkex_modules(api: ir.Api) -> None:
    modules = {c.module for c in api.clients.values()}
    assert {"Tinkex.ServiceClient", "Tinkex.TrainingClient", "Tinkex.SamplingClient", "Tinkex.RestClient"} <= modules


def _binds(v: ir.Value) -> list[ir.Bind]:
    from tinkc.ir.queries import value_binds

    return list(value_binds(v))


@pytest.mark.parametrize("name", COMPOSITE_FLOWS)
def test_composite_flows_have_typed_bindings(api: ir.Api, name: str) -> None:
    flow = api.flows[name]
    assert flow.result == ir.ClientT(client="training" if "training" in name else "sampling")
    assert all(i.type is not None for i in flow.inputs)
    for step in flow.steps:
        for arg in step.args:
            for b in _binds(arg.value):
                assert b.type is not None, (name, step.id, b.text)
                if b.source in ("result", "steps"):
                    assert b.step in [s.id for s in flow.steps], (name, b.text)
    assert flow.stages and sorted(s for stage in flow.stages for s in stage) == sorted(s.id for s in flow.steps)


def test_from_state_binds_the_weights_info_fields(api: ir.Api) -> None:
    flow = api.flows["create_training_client_from_state"]
    call = next(s for s in flow.steps if s.target == "create_lora_training_client")
    args = {a.name: a.value for a in call.args}
    lora = args["lora_config"]  # Tinkex's option: a LoraConfig literal with the checkpoint's rank
    assert isinstance(lora, ir.ObjValue)
    rank = dict(lora.items)["rank"]
    assert isinstance(rank, ir.Bind) and rank.path == ("lora_rank",) and rank.type == ir.Prim(name="int")
    producer = flow.step(rank.step or "")
    assert producer is not None and producer.target == "weights.info"
