"""`tinkc init` (a starter manifest that builds for every target) and the API drawings
(`tinkc ir --format dot|mermaid`, `tinkc graph`)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tinkc.cli import main
from tinkc.ir.graph import step_stages, to_dot, to_mermaid
from tinkc.pipeline import compile_manifest

TINKC = Path(sys.executable).parent / "tinkc"
FIXTURES = Path(__file__).parent / "fixtures"


def _run(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(TINKC), "--color", "never", *args], cwd=cwd, capture_output=True, text=True, env=env, check=False)


def test_init_then_build_every_target_in_an_empty_directory(tmp_path: Path) -> None:
    init = _run("init", cwd=tmp_path)
    assert init.returncode == 0, init.stderr
    assert (tmp_path / "manifest.yaml").is_file()
    build = _run("build", "manifest.yaml", "--target", "all", cwd=tmp_path)
    assert build.returncode == 0, build.stderr
    assert build.stderr == ""  # not even a warning
    built = sorted(p.name for p in (tmp_path / "out").iterdir())
    listed = sorted(line.split()[0] for line in _run("targets", cwd=tmp_path).stdout.splitlines())
    assert built == listed and {"python", "typescript", "elixir"} <= set(built)
    assert _run("fmt", "--check", "manifest.yaml", cwd=tmp_path).returncode == 0  # it is already canonical


def test_init_never_overwrites(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "manifest.yaml").write_text("mine\n")
    assert main(["init", str(tmp_path)]) == 1
    assert (tmp_path / "manifest.yaml").read_text() == "mine\n"
    assert "already exists" in capsys.readouterr().err
    (tmp_path / "file").write_text("")
    assert main(["init", str(tmp_path / "file")]) == 1  # DIR is a file: a message, not a traceback
    assert "cannot write" in capsys.readouterr().err


def test_init_creates_the_directory(tmp_path: Path) -> None:
    assert main(["init", str(tmp_path / "new" / "api")]) == 0
    assert compile_manifest(tmp_path / "new" / "api" / "manifest.yaml").sink.items == []


# -- drawings -------------------------------------------------------------------------------------


def _api(name: str):  # type: ignore[no-untyped-def]
    result = compile_manifest(FIXTURES / name / "manifest.yaml")
    assert result.api is not None
    return result.api


def test_dot_draws_clients_endpoints_features_and_flow_stages() -> None:
    api = _api("futures_flows")
    dot = to_dot(api)
    assert '"client:job" -> "endpoint:artifacts.list" [label="list"];' in dot
    assert '"client:service" -> "flow:start_job" [label="start_job"];' in dot
    assert '"endpoint:jobs.submit" -> "feature:futures" [style=dashed];' in dot
    assert '"feature:futures" -> "endpoint:futures.retrieve" [label="polls", style=dashed];' in dot
    assert '"service" -> "feature:session" [style=dashed];' in dot
    # `describe` runs its two calls concurrently (stage 1), then returns (stage 2)
    assert 'subgraph "cluster_1_describe"' in dot
    assert '{ rank=same; "step:describe/artifacts"; "step:describe/status"; }' in dot
    assert '"step:describe/artifacts" -> "step:describe/step3" [style=dotted, arrowhead=vee];' in dot
    assert '"step:describe/step3" [label="2. return"' in dot
    assert [[s.id for s in stage] for stage in step_stages(api.flows["describe"])] == [["artifacts", "status"], ["step3"]]


def test_mermaid_draws_the_same_picture() -> None:
    mmd = to_mermaid(_api("futures_flows"))
    assert mmd.startswith("flowchart LR\n")
    assert "n_client_job -->|list| n_endpoint_artifacts_list" in mmd
    assert "n_endpoint_jobs_submit -.-> n_feature_futures" in mmd
    assert 'subgraph n_box_describe["flow describe"]' in mmd
    assert "n_step_describe_status ==> n_step_describe_step3" in mmd


def test_drawings_are_deterministic_and_escape_labels() -> None:
    api = _api("hostile_strings") if (FIXTURES / "hostile_strings").is_dir() else _api("types_showcase")
    assert to_dot(api) == to_dot(api) and to_mermaid(api) == to_mermaid(api)
    for line in to_mermaid(api).splitlines():
        assert line.count('"') % 2 == 0, line  # a quote in a label is written #quot;


def test_graph_writes_the_text_forms_without_graphviz(tmp_path: Path) -> None:
    manifest = FIXTURES / "futures_flows" / "manifest.yaml"
    env = {**os.environ, "PATH": str(tmp_path / "empty")}  # no `dot` anywhere
    for suffix, render in ((".dot", to_dot), (".mmd", to_mermaid)):
        out = tmp_path / f"api{suffix}"
        proc = _run("graph", str(manifest), "--out", str(out), cwd=tmp_path, env=env)
        assert proc.returncode == 0, proc.stderr
        assert out.read_text() == render(_api("futures_flows"))


def test_graph_says_how_to_get_graphviz_when_it_is_missing(tmp_path: Path) -> None:
    env = {**os.environ, "PATH": str(tmp_path / "empty")}
    proc = _run("graph", str(FIXTURES / "minimal" / "manifest.yaml"), "--out", str(tmp_path / "api.svg"), cwd=tmp_path, env=env)
    assert proc.returncode == 1
    assert "apt-get install graphviz" in proc.stderr and "brew install graphviz" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "api.svg").exists()


def test_graph_unknown_format_is_a_usage_error(tmp_path: Path) -> None:
    proc = _run("graph", str(FIXTURES / "minimal" / "manifest.yaml"), "--out", str(tmp_path / "api.txt"), cwd=tmp_path)
    assert proc.returncode == 2 and "unknown format" in proc.stderr


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed (`make toolchains` installs it)")
def test_graph_renders_svg_with_graphviz(tmp_path: Path) -> None:
    out = tmp_path / "tinker.svg"
    proc = _run("graph", "--out", str(out), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    svg = out.read_text()
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    assert "create_lora_training_client" in svg and "Tinkex.TrainingClient" in svg
