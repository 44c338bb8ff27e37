"""Pass tests: an input manifest in, the IR right after one pass (and its diagnostics) out,
compared with an expected dump under ``tests/passes/expected/<pass>/<case>.txt``."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from snapshot import assert_matches
from util import HEADER

from tinkc.ir.serialize import to_data
from tinkc.pipeline import Result, compile_manifest

EXPECTED = Path(__file__).parent / "expected"


def run_case(tmp_path: Path, pass_name: str, case: str, text: str, sections: tuple[str, ...], header: bool = True) -> Result:
    path = tmp_path / f"{case}.yaml"
    path.write_text((HEADER if header else "") + textwrap.dedent(text), encoding="utf-8")
    result = compile_manifest(path, stop_after=pass_name)
    lines = [f"# {pass_name} / {case}", "## diagnostics"]
    for d in result.sink.items:
        where = f"{d.span.line}:{d.span.col}" if d.span else "-"
        lines.append(f"{d.severity.value} {d.code} @{where}: {d.message}" + (f" ({d.hint})" if d.hint else ""))
    lines.append("## ir")
    if result.api is not None:
        data = to_data(result.api)
        for s in sections:
            lines.append(json.dumps({s: data[s]}, indent=1, sort_keys=False))
    assert_matches(EXPECTED / pass_name / f"{case}.txt", "\n".join(lines) + "\n")
    return result
