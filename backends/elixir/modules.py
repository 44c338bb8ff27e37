"""Where each generated Elixir module lives and how other modules refer to it.

`Layout` decides module names and file paths from the manifest (`targets.elixir`: `app`,
`namespace`, `types_namespace`, with defaults derived from the service name). `Aliases` tracks, for
one module being emitted, which modules it refers to, so that it declares exactly the `alias` lines
it uses (an unused alias is a compiler warning, and the SDK compiles with warnings as errors).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import attrs

from tinkc.backends.base import snake_case
from tinkc.backends.elixir import naming
from tinkc.ir import nodes as ir

# Modules of Elixir and OTP the generated code calls by their short names: a generated module of
# the same last segment is never aliased (it would shadow them), it is written out in full.
STDLIB = frozenset(
    {
        "Access", "Agent", "Application", "Atom", "Base", "Calendar", "Code", "Date", "DateTime",
        "DynamicSupervisor", "Enum", "Exception", "File", "Float", "Function", "GenServer", "IO", "Inspect",
        "Integer", "Kernel", "Keyword", "List", "Logger", "Map", "MapSet", "Module", "NaiveDateTime", "Node",
        "Path", "Port", "Process", "Protocol", "Range", "Record", "Regex", "Stream", "String", "Supervisor",
        "System", "Task", "Time", "Tuple", "URI", "Version",
    }
)  # fmt: skip


@attrs.frozen
class Layout:
    app: str  # the OTP application, e.g. "tinkex"
    namespace: str  # e.g. "Tinkex"
    types_namespace: str  # e.g. "Tinkex.Types"
    version: str

    @classmethod
    def of(cls, api: ir.Api, options: Mapping[str, Any]) -> Layout:
        namespace = naming.module_name(str(options.get("namespace") or naming.module_segment(api.service.name)))
        types = naming.module_name(str(options.get("types_namespace") or f"{namespace}.Types"))
        app = naming.app_name(str(options.get("app") or api.service.name))
        return cls(app=app, namespace=namespace, types_namespace=types, version=sdk_version(api.service.version))

    def runtime(self, name: str) -> str:
        """A runtime module: `Runtime.Client` -> `Tinkex.Runtime.Client`."""
        return f"{self.namespace}.{name}"

    def type_module(self, type_id: str) -> str:
        return f"{self.types_namespace}.{naming.module_segment(type_id)}"

    def client_module(self, client: ir.Client) -> str:
        if client.module:
            return naming.module_name(client.module)
        return f"{self.namespace}.{naming.module_segment(client.id)}Client"

    @staticmethod
    def path(module: str) -> str:
        """`lib/tinkex/types/create_model_request.ex` for `Tinkex.Types.CreateModelRequest`."""
        return "lib/" + "/".join(snake_case(part) for part in module.split(".")) + ".ex"


def sdk_version(version: str) -> str:
    """The service version as a Mix version (Mix wants SemVer: `0.38` becomes `0.38.0`)."""
    if re.match(r"^\d+\.\d+\.\d+([-+].*)?$", version):
        return version
    parts = re.findall(r"\d+", version)[:3]
    return ".".join((parts + ["0", "0", "0"])[:3])


class Aliases:
    """The aliases of one emitted module. `ref(module)` answers how the code spells the module
    (its last segment when that can be aliased, else the full name) and records the alias."""

    def __init__(self, own: str, reserved: frozenset[str] = frozenset()) -> None:
        self.own = own
        self.by_short: dict[str, str] = {}
        self.used: set[str] = set()
        self.reserved = STDLIB | reserved

    def claim(self, module: str) -> None:
        """Reserve the short name of `module` for it (runtime modules the code always uses)."""
        self.by_short.setdefault(module.rsplit(".", 1)[-1], module)

    def ref(self, module: str) -> str:
        if module == self.own:
            return "__MODULE__"
        short = module.rsplit(".", 1)[-1]
        holder = self.by_short.setdefault(short, module) if short not in self.reserved else None
        if holder != module:
            return module
        self.used.add(module)
        return short

    def lines(self) -> list[str]:
        """`alias` lines for the modules the code referred to (only code calls `ref`), sorted."""
        return [f"  alias {module}" for module in sorted(self.used)]
