"""Pass `dead-types` (optimization): types that no endpoint, flow, client state or feature reaches
(through fields, union variants and aliases) are dropped, so no backend emits them. Types marked
`export: true` are roots and stay, with everything they reach. The `unused` pass has already warned
about each dropped type."""

from __future__ import annotations

import attrs

from tinkc.diagnostics import Sink
from tinkc.ir import nodes as ir
from tinkc.passes.base import Pass
from tinkc.passes.unused import reachable_types


def run(api: ir.Api, sink: Sink) -> ir.Api:
    reachable = reachable_types(api)
    if len(reachable) == len(api.types):
        return api
    return attrs.evolve(api, types={k: v for k, v in api.types.items() if k in reachable})


PASS = Pass(name="dead-types", kind="optimization", run=run, doc=__doc__ or "")
