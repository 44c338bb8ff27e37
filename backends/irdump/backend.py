"""Backend `ir`: writes the final IR as files.

It is the smallest complete backend, and useful on its own: out-of-tree generators read
``ir.json`` (the versioned contract of ``docs/ir.md``), and the drawings document the API.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from tinkc.backends.base import Backend, OutputFile, TargetOption
from tinkc.ir.nodes import Api


class IrBackend(Backend):
    name = "ir"
    version = "1"
    description = "the IR as JSON, Graphviz and Mermaid"
    capabilities = frozenset({"ir-json"})
    options: ClassVar[Mapping[str, TargetOption] | None] = {}  # none: any key under `targets.ir` is a mistake

    def emit(self, api: Api, options: Mapping[str, Any]) -> list[OutputFile]:
        from tinkc.ir.graph import to_dot, to_mermaid
        from tinkc.ir.serialize import api_to_json

        return [
            OutputFile("ir.json", api_to_json(api)),
            OutputFile("api.dot", to_dot(api)),
            OutputFile("flows.mmd", to_mermaid(api)),
        ]
