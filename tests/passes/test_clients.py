from pathlib import Path

from passcase import run_case
from util import codes


def test_resource_endpoints_become_methods(tmp_path: Path) -> None:
    r = run_case(
        tmp_path,
        "clients",
        "resources",
        """\
        clients:
          c:
            resource: [pets, owners]
            methods:
              fetch: pets.get
        endpoints:
          pets.get: {method: GET, path: /p}
          pets.list: {method: GET, path: /ps}
          owners.list: {method: GET, path: /o}
        flows:
          refresh: {client: c, steps: [{call: pets.list}]}
        """,
        ("clients",),
    )
    assert not r.sink.items
    assert r.api is not None
    assert [m.name for m in r.api.clients["c"].methods] == ["fetch", "refresh", "list"]


def test_unknown_resource_and_foreign_flow(tmp_path: Path) -> None:
    r = run_case(
        tmp_path,
        "clients",
        "errors",
        """\
        clients:
          a: {resource: petz, methods: {go: {flow: g}}}
          b: {}
        endpoints:
          pets.get: {method: GET, path: /p}
        flows:
          g: {client: b, steps: [{call: pets.get}]}
        """,
        ("clients",),
    )
    assert codes(r) == ["client.unknown-resource", "client.foreign-flow"]
    assert r.sink.items[0].hint == "did you mean `pets`?"
