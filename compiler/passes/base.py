"""The pass contract: a pure function ``Api → Api`` that reports into a diagnostics sink."""

from __future__ import annotations

from collections.abc import Callable

import attrs

from tinkc.diagnostics import Sink
from tinkc.ir.nodes import Api


@attrs.frozen
class Pass:
    """A registered pass. ``name`` is kebab-case and is what ``--dump-after`` takes."""

    name: str
    kind: str  # "validation" | "optimization"
    run: Callable[[Api, Sink], Api]
    doc: str
