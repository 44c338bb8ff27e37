"""Helpers for tests that compile manifests written inline."""

from __future__ import annotations

import textwrap
from pathlib import Path

from tinkc.diagnostics import Diagnostic
from tinkc.pipeline import Result, compile_manifest

HEADER = """\
schema_version: 1
service:
  name: demo
  base_url: {default: "http://localhost:1", env: DEMO_BASE_URL}
  auth: {type: api_key, header: X-API-Key, env: DEMO_API_KEY}
"""


def write(tmp_path: Path, text: str, name: str = "manifest.yaml") -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def compile_text(tmp_path: Path, text: str, *, header: bool = True, name: str = "manifest.yaml", **kwargs: object) -> Result:
    body = textwrap.dedent(text)
    return compile_manifest(write(tmp_path, (HEADER if header else "") + body, name), **kwargs)  # type: ignore[arg-type]


def codes(result: Result) -> list[str]:
    return [d.code for d in result.sink.items]


def errors(result: Result) -> list[Diagnostic]:
    return [d for d in result.sink.items if d.severity.value == "error"]


def only(result: Result, code: str) -> Diagnostic:
    found = [d for d in result.sink.items if d.code == code]
    assert len(found) == 1, f"expected one {code}, got {[(d.code, d.message) for d in result.sink.items]}"
    return found[0]
