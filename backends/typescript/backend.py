"""Backend `typescript`: an npm package (ESM, strict TypeScript, no runtime dependencies: Node 20's
`http`/`https` modules with keep-alive, or a `fetch` the client is given; `AbortController` and
timers), with its conformance driver."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tinkc.backends.base import DEP_REQUIREMENT, Backend, DriverCommand, OutputFile, TargetOption
from tinkc.backends.typescript import symbols
from tinkc.ir.nodes import Api

RUNTIME = Path(__file__).parent / "runtime"
DRIVER_ENTRY = "conformance/dist/conformance/driver.js"


def package_name(api: Api, options: Mapping[str, Any]) -> str:
    return symbols.package_name(str(options.get("package") or f"{api.service.name}-sdk"))


class TypeScriptBackend(Backend):
    name = "typescript"
    version = "0.1"
    description = "TypeScript SDK (ESM, strict, no runtime dependencies; Node 20)"
    naming = symbols.NAMING  # the naming pass spells names as the symbol provider does
    # jinja2 (through templates), the layout printer and the README examples: every SDK target's
    # emit imports them (~2 ms of a forked emitter's CPU besides jinja2's)
    shared_imports = ("tinkc.backends.templates", "tinkc.backends.layout", "tinkc.sdk.examples")
    options = {
        # npm's rule for new package names: lower case, URL-safe, optionally scoped, at most 214 characters
        "package": TargetOption(
            pattern=r"(@[a-z0-9~-][a-z0-9._~-]*/)?[a-z0-9~-][a-z0-9._~-]*",
            example="@tinkc/tinker",
            doc="the npm package name",
            max_length=214,
        ),
        # npm packages hand-written code beside the SDK needs: added to package.json's dependencies
        "deps": TargetOption(
            kind="deps",
            key_pattern=r"(@[a-z0-9~-][a-z0-9._~-]*/)?[a-z0-9~-][a-z0-9._~-]*",
            pattern=DEP_REQUIREMENT,
            example='{"@huggingface/tokenizers": "^0.1"}',
            doc="npm packages",
        ),
        # hand-written modules (relative to src/, without extension) a record's functions delegate to
        "extensions": TargetOption(
            kind="extensions",
            pattern=r"\./[a-z0-9_-]+(/[a-z0-9_-]+)*",
            key_pattern=r"[a-z][A-Za-z0-9]*",
            example='{ModelInput: {module: "./ext/model_input", functions: [fromText/2]}}',
            doc="delegations to hand-written modules",
        ),
    }

    def emit(self, api: Api, options: Mapping[str, Any]) -> list[OutputFile]:
        # the emitters are imported here, not at module level: `tinkc check` loads the backend
        # (for its naming rules) without them
        from tinkc.backends.typescript.emit_api import api_files
        from tinkc.backends.typescript.emit_clients import clients_module
        from tinkc.backends.typescript.emit_package import (
            driver_module,
            index_module,
            package_json,
            prettier_config,
            prettier_ignore,
            tsconfig_driver,
            tsconfig_package,
        )
        from tinkc.backends.typescript.emit_readme import readme
        from tinkc.backends.typescript.emit_spec import spec_module
        from tinkc.backends.typescript.emit_types import Context, namespace_modules, types_module
        from tinkc.sdk import plan_of

        plan = plan_of(api)
        names = symbols.Symbols.of(plan)
        pkg = package_name(api, options)
        # what the types, clients and api modules all ask: the types the SDK sends (a walk of every
        # type an endpoint or flow reaches, ~1 ms), found once
        context = Context.of(plan.api)
        files = [
            OutputFile("package.json", package_json(plan, pkg)),
            OutputFile("tsconfig.json", tsconfig_package()),
            OutputFile(".prettierrc.json", prettier_config()),
            OutputFile(".prettierignore", prettier_ignore()),
            OutputFile("README.md", readme(plan, names, pkg)),
            OutputFile("src/index.ts", index_module(plan, names)),
            OutputFile("src/types.ts", types_module(plan, names, context)),
            OutputFile("src/spec.ts", spec_module(plan, names, pkg)),
            OutputFile("src/clients.ts", clients_module(plan, names, context)),
            *(OutputFile(path, source) for path, source in api_files(plan, names, context)),
            *(OutputFile(path, source) for path, source in namespace_modules(plan, names)),
        ]
        for path in sorted(RUNTIME.glob("*.ts")):
            files.append(OutputFile(f"src/runtime/{path.name}", path.read_text(encoding="utf-8")))
        files.append(OutputFile("conformance/tsconfig.json", tsconfig_driver()))
        files.append(OutputFile("conformance/driver.ts", driver_module(plan, names)))
        return files

    def conformance_driver(self, tree: Path) -> DriverCommand:
        """Compile the SDK and its driver to JavaScript inside ``tree`` (tsc from the toolchain
        cache, installed from npm on first use) and run the driver with Node."""
        import shutil  # here, not at the top: every `tinkc check` imports this module (naming rules)
        import subprocess

        from tinkc.backends.typescript import toolchain

        node = shutil.which("node")
        if node is None:
            raise RuntimeError("the TypeScript conformance driver needs Node.js 20 (`node` is not on PATH)")
        toolchain.link(tree)
        proc = subprocess.run(
            [node, str(toolchain.tsc()), "-p", str(tree / "conformance" / "tsconfig.json")],
            cwd=tree,
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            raise RuntimeError(f"tsc failed on the TypeScript SDK in {tree}:\n{proc.stdout}{proc.stderr}")
        return DriverCommand((node, DRIVER_ENTRY), tree, {})
