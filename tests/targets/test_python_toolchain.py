"""The Python SDK snapshots build with Python's own tools: `mypy --strict`, `ruff check` and
`ruff format --check` with the emitted package's configuration, zero findings; and the models
behave as the manifest says at run time (wire names, defaults, unknown enum values and union tags)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from targets.fixtures import fixture_paths

SNAPSHOTS = Path(__file__).resolve().parent.parent / "snapshots" / "python"
FIXTURES = sorted(fixture_paths())


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=cwd, capture_output=True, text=True, check=False)


@pytest.mark.toolchain
@pytest.mark.parametrize("fixture", FIXTURES)
def test_ruff_check_and_format(fixture: str) -> None:
    tree = SNAPSHOTS / fixture
    for args in (["ruff", "check", "--no-cache", "."], ["ruff", "format", "--check", "--no-cache", "."]):
        proc = run(args, tree)
        assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.toolchain
@pytest.mark.parametrize("fixture", FIXTURES)
def test_mypy_strict(fixture: str, tmp_path: Path) -> None:
    tree = SNAPSHOTS / fixture
    proc = run(["mypy", "--strict", "--no-incremental", "--cache-dir", str(tmp_path), "src"], tree)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def _import(fixture: str, package: str, monkeypatch: pytest.MonkeyPatch) -> object:
    import importlib

    monkeypatch.syspath_prepend(str(SNAPSHOTS / fixture / "src"))
    for name in [m for m in sys.modules if m == package or m.startswith(package + ".")]:
        monkeypatch.delitem(sys.modules, name)
    return importlib.import_module(f"{package}.types")


def test_models_decode_and_encode_as_declared(monkeypatch: pytest.MonkeyPatch) -> None:
    from pydantic import TypeAdapter

    t = _import("futures_flows", "jobs_sdk", monkeypatch)
    submit = t.SubmitJob.model_validate({"session_id": "s", "seq": 1, "priority": 5, "input": {"type": "text", "text": "hi"}})  # type: ignore[attr-defined]
    assert type(submit.input).__name__ == "TextInput"
    assert submit.model_dump(mode="json", by_alias=True)["type"] == "submit_job"  # a literal tag's default is sent
    unknown = TypeAdapter(t.JobInput).validate_python({"type": "audio", "samples": [1]})  # type: ignore[attr-defined]
    assert type(unknown).__name__ == "UnknownJobInput" and unknown.type == "audio"
    status = t.Status("brand_new")  # type: ignore[attr-defined]
    assert status == "brand_new" and t.Status("ok") is t.Status.OK  # type: ignore[attr-defined]
    artifact = t.Artifact.model_validate({"path": "p", "size_bytes": 3, "created_at": None})  # type: ignore[attr-defined]
    assert artifact.size == 3 and artifact.model_dump(by_alias=True)["size_bytes"] == 3


def test_tinker_models(monkeypatch: pytest.MonkeyPatch) -> None:
    t = _import("tinker", "tinker_sdk", monkeypatch)
    chunks = t.ModelInput.model_validate(  # type: ignore[attr-defined]
        {"chunks": [{"type": "encoded_text", "tokens": [1, 2]}, {"type": "from_the_future", "x": 1}]}
    ).chunks
    assert [type(c).__name__ for c in chunks] == ["EncodedTextChunk", "UnknownModelInputChunk"]
    request = t.CreateSessionRequest.model_validate({"tags": [], "user_metadata": None, "sdk_version": "1"})  # type: ignore[attr-defined]
    # as sent: what was given (a required null too), and declared defaults such as the literal tag;
    # optional fields nobody gave (project_id, display_name) are left out
    assert request.model_dump(mode="json", by_alias=True, exclude_unset=True) == {
        "tags": [],
        "user_metadata": None,
        "sdk_version": "1",
        "type": "create_session",
    }
