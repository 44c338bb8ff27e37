from pathlib import Path

from passcase import run_case


def test_unreachable_types_are_dropped_exported_ones_kept(tmp_path: Path) -> None:
    r = run_case(
        tmp_path,
        "dead-types",
        "drops",
        """\
        clients:
          c: {methods: {get: a.get}}
        endpoints:
          a.get: {method: GET, path: /g, response: Used}
        types:
          Used: {fields: {inner: Inner}}
          Inner: {fields: {x: int}}
          Orphan: {fields: {x: OrphanPart}}
          OrphanPart: {fields: {y: int}}
          Kept: {export: true, fields: {part: KeptPart}}
          KeptPart: {fields: {z: int}}
        """,
        ("types",),
    )
    assert r.api is not None
    assert sorted(r.api.types) == ["Inner", "Kept", "KeptPart", "Used"]
    assert [d.code for d in r.sink.items] == ["unused.type", "unused.type"]  # warned by `unused`, then dropped
