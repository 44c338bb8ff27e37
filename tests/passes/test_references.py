from pathlib import Path

from passcase import run_case
from util import codes


def test_unknown_names_are_reported_with_hints(tmp_path: Path) -> None:
    r = run_case(
        tmp_path,
        "references",
        "unknown_names",
        """\
        clients:
          c: {methods: {get: pets.gett, make: {flow: mk}}}
        features:
          fut: {type: promise_result, retrieve_endpoint: futures.retreive}
        endpoints:
          pets.get: {method: GET, path: /p, response: Pett, features: [retyr]}
          pets.list: {method: GET, path: /p, response: "[integer]"}
        types:
          Pet: {fields: {name: string}}
        flows:
          f: {client: cc, steps: [{call: pets.get}]}
        """,
        ("endpoints",),
    )
    assert codes(r) == [
        "ref.unknown-endpoint",
        "ref.unknown-flow",
        "ref.unknown-endpoint",
        "ref.unknown-type",
        "ref.unknown-feature",
        "ref.unknown-type",
        "ref.unknown-client",
    ]  # sorted by position
    hints = [d.hint for d in r.sink.items]
    assert "did you mean `pets.get`?" in hints and "did you mean `Pet`?" in hints and "did you mean `int`?" in hints


def test_clean_manifest_passes_through_unchanged(tmp_path: Path) -> None:
    r = run_case(
        tmp_path,
        "references",
        "clean",
        """\
        clients:
          c: {resource: pets}
        endpoints:
          pets.get: {method: GET, path: /p, response: Pet}
        types:
          Pet: {fields: {name: string, friends: "[Pet]?"}}
        """,
        ("types",),
    )
    assert not r.sink.items
