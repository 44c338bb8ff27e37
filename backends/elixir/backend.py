"""Backend `elixir`: a Mix project (no hex package) reproducing the public surface of Tinkex, the
hand-written Elixir SDK of the Tinker API, from any manifest; with its ExUnit tests and its
conformance driver.

Layout of an emitted SDK (for `targets.elixir: {app: tinkex, namespace: Tinkex}`)::

    mix.exs  .formatter.exs  README.md  conformance_driver.exs
    lib/tinkex.ex                     the root module (version, list of clients)
    lib/tinkex/spec.ex                the manifest as runtime data (endpoints, features, service)
    lib/tinkex/<client>.ex            one module per manifest client
    lib/tinkex/api.ex, api/<group>.ex the stateless layer (Tinkex.API.*): raw requests, a function per endpoint
    lib/tinkex/types/<type>.ex        one module per manifest type
    lib/tinkex/{config,error,future,telemetry,...}.ex, lib/tinkex/runtime/*.ex
                                      the runtime, copied from runtime/ with the namespace filled in
    test/                             generated type tests and the runtime's own tests
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tinkc.backends.base import DEP_REQUIREMENT, Backend, DriverCommand, OutputFile, TargetOption, snake_case
from tinkc.backends.elixir import symbols
from tinkc.backends.elixir.symbols import Layout
from tinkc.ir.nodes import Api

HERE = Path(__file__).parent
RUNTIME = HERE / "runtime"
RUNTIME_TESTS = HERE / "runtime_test"

# The runtime's sources are written in the namespace `Tinkc.SDK` and the application `:tinkc_sdk`;
# both are replaced by the SDK's own when copied. (The token appears only where the length of a
# name cannot change the formatter's layout: module heads, aliases, atoms and strings.)
NAMESPACE_TOKEN = "Tinkc.SDK"
APP_TOKEN = "tinkc_sdk"


class ElixirBackend(Backend):
    name = "elixir"
    version = "0.1"
    description = "Elixir SDK (Mix project, no hex packages; the Tinkex surface)"
    naming = symbols.NAMING
    # jinja2 (through templates), the layout printer and the README examples: every SDK target's
    # emit imports them (~2 ms of a forked emitter's CPU besides jinja2's)
    shared_imports = ("tinkc.backends.templates", "tinkc.backends.layout", "tinkc.sdk.examples")
    capabilities = frozenset({"futures", "flows", "sessions", "telemetry", "conformance-driver"})
    # Module names become file paths under lib/ (one directory per segment): plain aliases only.
    options = {
        "app": TargetOption(pattern=r"[a-z][a-z0-9_]*", example="tinkex", doc="the OTP application"),
        "namespace": TargetOption(pattern=r"[A-Z][A-Za-z0-9_]*(\.[A-Z][A-Za-z0-9_]*)*", example="Tinkex", doc="the root module"),
        "types_namespace": TargetOption(
            pattern=r"[A-Z][A-Za-z0-9_]*(\.[A-Z][A-Za-z0-9_]*)*", example="Tinkex.Types", doc="the module of the types"
        ),
        # hex packages hand-written code beside the SDK needs (tokenizers, nx): added to mix.exs
        "deps": TargetOption(
            kind="deps",
            key_pattern=r"[a-z][a-z0-9_]*",
            pattern=DEP_REQUIREMENT,
            example='{nx: "~> 0.9"}',
            doc="hex packages",
        ),
        # modules of typespecs gathering types under snake-cased names (Tinkex's Types.TypeAliases)
        "typespecs": TargetOption(
            kind="typespecs",
            pattern=r"[A-Z][A-Za-z0-9_]*",
            example="{TypeAliases: [ModelInputChunk, LossFnInputs]}",
            doc="typespec modules in the types' namespace",
        ),
        # hand-written modules a record's generated module delegates to (`defdelegate`)
        "extensions": TargetOption(
            kind="extensions",
            pattern=r"[A-Z][A-Za-z0-9_]*(\.[A-Z][A-Za-z0-9_]*)*",
            key_pattern=r"[a-z_][a-z0-9_]*[?!]?",
            example="{ModelInput: {module: TinkexExt.ModelInput, functions: [from_text/2]}}",
            doc="delegations to hand-written modules",
            # what every record module defines, and the words that cannot name a function
            reserved=("new", "decode", "from_json", "from_map", "to_json", "to_map", "__type__", "__derived__", "__struct__")
            + ("do", "end", "fn", "nil", "true", "false", "when", "and", "or", "not", "in", "catch", "rescue", "after", "else"),
        ),
    }

    def emit(self, api: Api, options: Mapping[str, Any]) -> list[OutputFile]:
        # the emitters are imported here, not with the backend: `tinkc check` loads the backend for
        # its naming rules only
        from tinkc.backends.elixir.emit_api import api_modules
        from tinkc.backends.elixir.emit_clients import client_modules
        from tinkc.backends.elixir.emit_project import formatter, mix_exs, readme, root_module, types_test
        from tinkc.backends.elixir.emit_spec import spec_module
        from tinkc.backends.elixir.emit_types import type_modules
        from tinkc.backends.elixir.templating import render
        from tinkc.sdk import plan_of

        plan = plan_of(api)
        layout = Layout.of(api, options)
        files = [
            OutputFile("mix.exs", mix_exs(plan, layout)),
            OutputFile(".formatter.exs", formatter()),
            OutputFile("README.md", readme(plan, layout)),
            OutputFile(layout.path(layout.namespace), root_module(plan, layout)),
        ]
        generated = [spec_module(plan, layout), *api_modules(plan, layout), *client_modules(plan, layout), *type_modules(plan, layout)]
        files += [OutputFile(path, text) for path, text in generated]
        base = "lib/" + "/".join(snake_case(p) for p in layout.namespace.split("."))
        for path in sorted(RUNTIME.rglob("*.ex")):
            rel = path.relative_to(RUNTIME).as_posix()
            files.append(OutputFile(f"{base}/{rel}", fill(path.read_text(encoding="utf-8"), layout)))
        files.append(OutputFile("test/test_helper.exs", 'Code.require_file("runtime/support.exs", __DIR__)\nExUnit.start()\n'))
        tests = types_test(plan, layout)
        if tests is not None:
            files.append(OutputFile(f"test/{layout.app}_types_test.exs", tests))
        for path in sorted(RUNTIME_TESTS.glob("*.exs")):
            files.append(OutputFile(f"test/runtime/{path.name}", fill(path.read_text(encoding="utf-8"), layout)))
        files.append(
            OutputFile(
                "conformance_driver.exs",
                render(
                    "conformance_driver.exs.jinja",
                    namespace=layout.namespace,
                    types_namespace=layout.types_namespace,
                    namespaced=sorted((t, layout.type_module(t)) for t in layout.type_namespaces if t in api.types),
                ),
            )
        )
        return sorted(files, key=lambda f: f.path)

    def conformance_driver(self, tree: Path) -> DriverCommand:
        """Compiles the SDK in `tree` (a scratch copy) with `mix compile`, then runs its driver with
        `elixir` on the compiled code: the application (and the ones it lists) started, as `mix
        run` would, without loading Mix and the project for every run (a driver runs once per
        scenario; Mix's start-up was most of an Elixir scenario's time)."""
        import shutil  # here, not at the top: every `tinkc check` imports this module (naming rules)
        import subprocess

        mix = shutil.which("mix")
        elixir = shutil.which("elixir")
        if mix is None or elixir is None:
            raise RuntimeError("the Elixir conformance driver needs `mix` and `elixir` (Debian: apt install elixir erlang-jiffy)")
        env = {**os.environ, **DRIVER_ENV}
        proc = subprocess.run([mix, "compile"], cwd=tree, env=env, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            raise RuntimeError(f"`mix compile` of the Elixir SDK failed:\n{proc.stdout}{proc.stderr}")
        app = MIX_APP.search((tree / "mix.exs").read_text(encoding="utf-8"))
        if app is None:
            raise RuntimeError(f"no `app:` in {tree / 'mix.exs'}")
        paths = [arg for ebin in sorted((tree / "_build" / DRIVER_ENV["MIX_ENV"] / "lib").glob("*/ebin")) for arg in ("-pa", str(ebin))]
        start = f'{{:ok, _}} = Application.ensure_all_started(:{app.group(1)}); Code.require_file("conformance_driver.exs")'
        return DriverCommand((elixir, *paths, "-e", start), tree, dict(DRIVER_ENV))


# A build of its own (dev), and no network: the project has no dependency to fetch.
DRIVER_ENV = {"MIX_ENV": "dev", "HEX_OFFLINE": "1"}
# the application's name in the emitted mix.exs (`app: :tinkex,`)
MIX_APP = re.compile(r"^\s*app: :([a-z][a-z0-9_]*),$", re.MULTILINE)


def fill(text: str, layout: Layout) -> str:
    """A runtime file with the SDK's namespace and application in place of the tokens."""
    return text.replace(NAMESPACE_TOKEN, layout.namespace).replace(APP_TOKEN, layout.app)
