from pathlib import Path

from passcase import run_case
from util import codes


def test_unreachable_declarations_warn(tmp_path: Path) -> None:
    r = run_case(
        tmp_path,
        "unused",
        "warnings",
        """\
        clients:
          c: {methods: {get: a.get}}
        features:
          spare: {type: retry_policy}
        endpoints:
          a.get: {method: GET, path: /g, response: Used}
          a.hidden: {method: GET, path: /h}
        types:
          Used: {fields: {inner: Inner}}
          Inner: {fields: {x: int}}
          Orphan: {fields: {x: int}}
          Kept: {export: true, fields: {x: int}}
        """,
        (),
    )
    assert codes(r) == ["feature.retries-nothing", "unused.feature", "unused.endpoint", "unused.type"]
    assert all(d.severity.value == "warning" for d in r.sink.items)
