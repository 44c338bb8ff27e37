"""Pass `intern-features` (optimization): feature instances of one type with identical parameters
are one feature. Every use is pointed at the instance with the smallest id and the others are
dropped, so a backend emits one policy object per distinct configuration (two retry policies
written out twice in a manifest become one constant, shared by the endpoints that use either)."""

from __future__ import annotations

import attrs

from tinkc.diagnostics import Sink
from tinkc.ir import nodes as ir
from tinkc.passes.base import Pass


def canonical_ids(api: ir.Api) -> dict[str, str]:
    """Each feature id → the id of the first (by id) feature with the same type and parameters."""
    first: dict[tuple[str, ir.FeatureParams], str] = {}
    out: dict[str, str] = {}
    for fid, feat in api.features.items():  # sorted by id: the smallest id wins
        out[fid] = first.setdefault((feat.kind, feat.params), fid)
    return out


def _uses(uses: tuple[ir.FeatureUse, ...], canonical: dict[str, str]) -> tuple[ir.FeatureUse, ...]:
    out: list[ir.FeatureUse] = []
    for use in uses:
        target = canonical.get(use.feature, use.feature)
        if all(u.feature != target for u in out):  # two interned uses on one endpoint are one use
            out.append(attrs.evolve(use, feature=target) if target != use.feature else use)
    return tuple(out)


def run(api: ir.Api, sink: Sink) -> ir.Api:
    canonical = canonical_ids(api)
    if all(k == v for k, v in canonical.items()):
        return api
    return attrs.evolve(
        api,
        service=attrs.evolve(
            api.service,
            features=_uses(api.service.features, canonical),
            # a config option's profiles name the retry policy whose count they replace
            config=tuple(
                attrs.evolve(o, retry_policy=canonical.get(o.retry_policy, o.retry_policy)) if o.retry_policy else o
                for o in api.service.config
            ),
        ),
        endpoints={k: attrs.evolve(ep, features=_uses(ep.features, canonical)) for k, ep in api.endpoints.items()},
        features={k: f for k, f in api.features.items() if canonical[k] == k},
    )


PASS = Pass(name="intern-features", kind="optimization", run=run, doc=__doc__ or "")
