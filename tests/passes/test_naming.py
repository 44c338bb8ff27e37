from pathlib import Path

from passcase import run_case
from util import codes


def test_collisions_after_case_conversion(tmp_path: Path) -> None:
    r = run_case(
        tmp_path,
        "naming",
        "collisions",
        """\
        clients:
          c: {methods: {get_info: a.x, getInfo: a.y}}
        endpoints:
          a.x: {method: GET, path: /x}
          a.y: {method: GET, path: /y}
        types:
          pet_owner: {export: true, fields: {x: int}}
          PetOwner: {export: true, fields: {userId: int, user_id: int, ___: int}}
        """,
        (),
    )
    assert sorted(set(codes(r))) == ["naming.collision", "naming.empty"]
    assert any("`get_info` and `getInfo`" in d.message for d in r.sink.items)
