"""The Elixir backend's own parts, without a toolchain: naming, the layout engine that writes
`mix format`'s canonical form, module layout and aliases, and what `emit` produces."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from property import manifest_strategies

from targets.fixtures import fixture_api
from tinkc.backends.elixir import ElixirBackend, exfmt, symbols
from tinkc.backends.elixir.backend import APP_TOKEN, NAMESPACE_TOKEN
from tinkc.backends.elixir.emit_types import float_literal, int_literal
from tinkc.backends.elixir.exfmt import Call, Map, Match, Pair, Text
from tinkc.backends.elixir.modules import Aliases
from tinkc.backends.elixir.symbols import Layout, sdk_version
from tinkc.ir.nodes import thaw
from tinkc.pipeline import compile_manifest


def test_names() -> None:
    assert symbols.atom("active") == ":active"
    assert symbols.atom("paused-capacity") == ':"paused-capacity"'
    assert symbols.atom("Qwen/Qwen3-8B") == ':"Qwen/Qwen3-8B"'
    assert symbols.key("rank") == "rank:"
    assert symbols.key("x-y") == '"x-y":'
    assert symbols.string('say "#{hi}"\n') == '"say \\"\\#{hi}\\"\\n"'
    assert symbols.function_name("getInfo") == "get_info"
    assert symbols.function_name("end") == "end_"
    assert symbols.function_name("send") == "send_"  # a local send/2 would clash with Kernel's
    assert symbols.function_name("start_link") == "start_link_"  # every process client defines it
    assert symbols.variable_name("when") == "when_"
    assert symbols.module_segment("ModelID") == "ModelID"
    assert symbols.module_segment("model_input") == "ModelInput"
    assert symbols.module_name("tinkex.types") == "Tinkex.Types"


def test_literals() -> None:
    assert int_literal(10000) == "10_000"
    assert int_literal(7200000) == "7_200_000"
    assert int_literal(-1234) == "-1234"
    assert float_literal(1e-12) == "1.0e-12"
    assert float_literal(0.0001) == "0.0001"
    assert float_literal(1.0) == "1.0"


def test_layout_one_line_or_one_element_a_line() -> None:
    call = Call("Client.call", [Text("c"), Text('"pets.get"'), Pair("decode:", Text("Pet"))])
    assert exfmt.statement(call, 4) == ['    Client.call(c, "pets.get", decode: Pet)']
    long = Call(
        "Client.call",
        [
            Text("c"),
            Text('"a_rather_long_endpoint.identifier"'),
            Pair("body:", Map([Pair(f"k{i}:", Text("value_value")) for i in range(6)])),
        ],
    )
    lines = exfmt.statement(long, 4)
    assert lines[0] == "    Client.call("
    assert lines[2] == '      "a_rather_long_endpoint.identifier",'
    assert lines[3] == "      body: %{"  # a broken value keeps its bracket on the key's line
    assert lines[-1] == "    )"
    assert all(len(line) <= exfmt.WIDTH for line in lines)


def test_layout_rules_taken_from_the_formatter() -> None:
    # a call whose one argument is a list hugs it
    hug = Call("Client.concurrently", [exfmt.List([Text("a" * 50), Text("b" * 50)])])
    assert exfmt.statement(hug, 4)[0] == "    Client.concurrently(["
    # a `with` clause too long for its line puts the call on the next line
    clause = Match("{:ok, step1}", "<-", Call("Client.submit", [Text("c" * 40), Text("d" * 40)]))
    assert exfmt.layout(clause, "    with ", 9, ",")[0] == "    with {:ok, step1} <-"
    # a value that cannot break goes under its key
    assert exfmt.layout(Pair("path:", Text('"' + "x" * 100 + '"')), "  ", 2) == ["  path:", '    "' + "x" * 100 + '"']
    # multi-line statements are set apart by blank lines
    assert exfmt.block([["a"], ["b", "c"], ["d"]]) == ["a", "", "b", "c", "", "d"]
    assert exfmt.keyword_call("defstruct", [Pair("a:", Text("nil"))]) == ["  defstruct a: nil"]


def test_layout_and_aliases() -> None:
    api = fixture_api("tinker")
    layout = Layout.of(api, thaw(api.targets.get("elixir")))
    assert (layout.app, layout.namespace, layout.types_namespace) == ("tinkex", "Tinkex", "Tinkex.Types")
    assert Layout.path("Tinkex.Types.CreateModelRequest") == "lib/tinkex/types/create_model_request.ex"
    default = Layout.of(fixture_api("minimal"), {})
    assert (default.app, default.namespace, default.types_namespace) == ("petstore", "Petstore", "Petstore.Types")
    assert sdk_version("0.38") == "0.38.0" and sdk_version("1.2.3-rc1") == "1.2.3-rc1"
    aliases = Aliases("Tinkex.ServiceClient")
    assert aliases.ref("Tinkex.Types.Datum") == "Datum"
    assert aliases.ref("Other.Datum") == "Other.Datum"  # its short name is taken
    assert aliases.ref("Tinkex.Types.String") == "Tinkex.Types.String"  # would shadow Elixir's String
    assert aliases.ref("Tinkex.ServiceClient") == "__MODULE__"
    assert aliases.lines() == ["  alias Tinkex.Types.Datum"]


@pytest.mark.parametrize("fixture", ["minimal", "tinker"])
def test_emit_fills_the_namespace_everywhere(fixture: str) -> None:
    api = fixture_api(fixture)
    files = ElixirBackend().emit(api, thaw(api.targets.get("elixir")) or {})
    paths = [f.path for f in files]
    assert paths == sorted(paths) and len(paths) == len(set(paths))
    assert {"mix.exs", ".formatter.exs", "README.md", "conformance_driver.exs", "test/test_helper.exs"} <= set(paths)
    for f in files:
        assert NAMESPACE_TOKEN not in f.content and APP_TOKEN not in f.content, f.path
        assert f.content.endswith("\n") and "\t" not in f.content, f.path


def test_the_driver_needs_mix(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr("shutil.which", lambda name: None)
    with pytest.raises(RuntimeError, match="needs `mix`"):
        ElixirBackend().conformance_driver(tmp_path)


@pytest.mark.slow  # 300 generated manifests compiled and emitted
@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(manifest_strategies.manifests())
def test_emit_never_fails_on_a_manifest_that_compiles(data: dict[str, Any]) -> None:
    """Random coherent manifests (the fuzz tests' strategy): whatever compiles without errors, the
    backend emits, with every identifier filled in. (Compiling such SDKs with mix was checked by
    hand on a few hundred of them; the snapshot fixtures are compiled by the toolchain tests.)"""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "manifest.yaml"
        path.write_text(manifest_strategies.dump(data), encoding="utf-8")
        result = compile_manifest(path)
    if result.api is None or result.sink.has_errors:
        return
    files = ElixirBackend().emit(result.api, thaw(result.api.targets.get("elixir")) or {})
    assert files and all(NAMESPACE_TOKEN not in f.content for f in files)
