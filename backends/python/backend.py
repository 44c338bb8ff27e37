"""Backend `python`: a pip-installable SDK package (pydantic v2 models; httpx runtime), with its
conformance driver.

The backend reads the SDK plan (:mod:`tinkc.sdk`), names everything through its symbol provider
(:mod:`tinkc.backends.python.symbols`), lays long constructs out with the shared printer
(:mod:`tinkc.backends.python.pydoc`) and shapes each file and each declaration with a jinja2
template (``templates/``; a model, an enum, a union, an alias, a client, its methods and the spec's
constants in ``templates/decl/``, loaded by :mod:`tinkc.backends.python.templating`).
The emitters are imported only when something is emitted: ``tinkc check`` loads the naming rules
and no more."""

from __future__ import annotations

import keyword
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tinkc.backends.base import DEP_REQUIREMENT, Backend, DriverCommand, OutputFile, TargetOption
from tinkc.backends.python import symbols
from tinkc.ir.nodes import Api

RUNTIME = Path(__file__).parent / "runtime"


def package_name(api: Api, options: Mapping[str, Any]) -> str:
    return symbols.module_name(str(options.get("package") or f"{api.service.name}_sdk"))


class PythonBackend(Backend):
    name = "python"
    version = "0.1"
    description = "Python SDK (pydantic v2 models, httpx)"
    naming = symbols.PythonSymbols.naming  # the naming pass spells names as the symbol provider does
    # jinja2 (through templates), the layout printer and the README examples: every SDK target's
    # emit imports them (~2 ms of a forked emitter's CPU besides jinja2's)
    shared_imports = ("tinkc.backends.templates", "tinkc.backends.layout", "tinkc.sdk.examples")
    options = {
        # the import package: a directory name under src/, so a plain identifier (never a path)
        "package": TargetOption(pattern=r"[A-Za-z_][A-Za-z0-9_]*", example="tinker_sdk", doc="the import package"),
        # distributions hand-written code beside the SDK needs: added to pyproject.toml's dependencies
        "deps": TargetOption(
            kind="deps",
            key_pattern=r"[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?",
            pattern=DEP_REQUIREMENT,
            example='{tokenizers: ">=0.15"}',
            doc="Python distributions",
        ),
        # hand-written modules a record's generated class delegates to (static methods)
        "extensions": TargetOption(
            kind="extensions",
            pattern=r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*",
            key_pattern=r"(?!model_)[a-z][a-z0-9_]*",  # `model_*` is pydantic's
            example="{ModelInput: {module: tinker_ext.model_input, functions: [from_text/2]}}",
            doc="delegations to hand-written modules",
            # pydantic's and the runtime base class's own attributes, and Python's keywords
            reserved=(
                "copy",
                "dict",
                "json",
                "construct",
                "parse_obj",
                "parse_raw",
                "schema",
                "schema_json",
                "validate",
                "from_json",
                "to_json",
            )
            + tuple(keyword.kwlist),
        ),
    }

    def emit(self, api: Api, options: Mapping[str, Any]) -> list[OutputFile]:
        from tinkc.backends.python import literals
        from tinkc.backends.python.emit_api import api_files
        from tinkc.backends.python.emit_clients import clients_module
        from tinkc.backends.python.emit_project import driver, init_module, pyproject, readme
        from tinkc.backends.python.emit_spec import spec_module
        from tinkc.backends.python.emit_types import namespace_modules, types_module
        from tinkc.sdk import plan_of

        literals.forget()
        plan = plan_of(api)
        names = symbols.PythonSymbols(api)
        pkg = package_name(api, options)
        src = f"src/{pkg}"
        files = [
            OutputFile("pyproject.toml", pyproject(api, pkg)),
            OutputFile("README.md", readme(api, plan, pkg, names)),
            OutputFile(f"{src}/__init__.py", init_module(api, names, plan)),
            OutputFile(f"{src}/py.typed", ""),
            OutputFile(f"{src}/types.py", types_module(api, plan)),
            OutputFile(f"{src}/_spec.py", spec_module(api, plan, pkg)),
            OutputFile(f"{src}/clients.py", clients_module(api, plan, names)),
            *(OutputFile(path, source) for path, source in api_files(plan, src)),
            *(OutputFile(f"{src}/{path}", source) for path, source in namespace_modules(api, pkg)),
        ]
        for path in sorted(RUNTIME.glob("*.py")):
            files.append(OutputFile(f"{src}/{path.name}", path.read_text(encoding="utf-8")))
        files.append(OutputFile("conformance_driver.py", driver(api, plan, pkg, names)))
        return files

    def conformance_driver(self, tree: Path) -> DriverCommand:
        # Runs the package from its source tree: nothing to build, no install needed.
        return DriverCommand((sys.executable, "conformance_driver.py"), tree, {"PYTHONPATH": str(tree / "src")})
