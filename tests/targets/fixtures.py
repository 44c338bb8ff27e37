"""The fixtures every backend is snapshot-tested on: each `tests/fixtures/<name>/manifest.yaml` that
compiles without errors, plus the bundled Tinker manifest (as `tinker`)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from tinkc.ir.nodes import Api
from tinkc.pipeline import bundled_manifest, compile_manifest

FIXTURES_DIR = Path(__file__).resolve().parent.parent / "fixtures"
# Fixtures that exist to produce diagnostics, not SDKs.
INVALID = {"seed_proposal"}


def fixture_paths() -> dict[str, Path]:
    out = {p.parent.name: p for p in sorted(FIXTURES_DIR.glob("*/manifest.yaml")) if p.parent.name not in INVALID}
    out["tinker"] = bundled_manifest()
    return out


@cache
def fixture_api(name: str) -> Api:
    result = compile_manifest(fixture_paths()[name])
    assert not result.sink.has_errors, [(d.code, d.message) for d in result.sink.items]
    assert result.api is not None
    return result.api
