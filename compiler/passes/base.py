"""The pass contract: a pure function ``Api → Api`` that reports into a diagnostics sink."""

from __future__ import annotations

from collections.abc import Callable

import attrs

from tinkc.diagnostics import Sink
from tinkc.ir.nodes import Api, Flow


@attrs.frozen
class Pass:
    """A registered pass. ``name`` is kebab-case and is what ``--dump-after`` takes."""

    name: str
    kind: str  # "validation" | "optimization"
    run: Callable[[Api, Sink], Api]
    doc: str


def rewrite_flows(api: Api, rewrite: Callable[[Api, Flow], Flow]) -> Api:
    """``api`` with each flow rewritten; the very same object when no flow changed (``rewrite``
    returns its argument then), so an optimization that finds nothing to do costs no copy."""
    flows = {k: rewrite(api, f) for k, f in api.flows.items()}
    if all(flows[k] is f for k, f in api.flows.items()):
        return api
    return attrs.evolve(api, flows=flows)
