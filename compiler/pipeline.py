"""The path of a manifest through tinkc, top to bottom.

    load  →  lower  →  validation passes  →  optimization passes  →  backend.emit  →  writer

Every stage reports into one :class:`~tinkc.diagnostics.Sink`; a stage after an error still runs
where it can (so one run reports everything), but optimization and emission only run on a valid IR.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from pathlib import Path

import attrs

from tinkc.diagnostics import Sink
from tinkc.frontend.load import Manifest, load_manifest
from tinkc.frontend.lower import lower
from tinkc.ir.nodes import Api
from tinkc.passes import (
    bindings,
    clients,
    dead_types,
    dedupe_types,
    feature_params,
    flow_calls,
    flow_dependencies,
    fold_constants,
    fuse_call_await,
    headers,
    idempotency,
    intern_features,
    naming,
    paths,
    references,
    type_declarations,
    unused,
)
from tinkc.passes.base import Pass

# The ordered pipeline. Validation first: each later pass may rely on what earlier ones resolved.
VALIDATION_PASSES: tuple[Pass, ...] = (
    references.PASS,
    type_declarations.PASS,
    feature_params.PASS,
    paths.PASS,
    headers.PASS,
    clients.PASS,
    flow_calls.PASS,
    bindings.PASS,
    flow_dependencies.PASS,
    idempotency.PASS,
    naming.PASS,
    unused.PASS,
)
# Then the optimizations, on a valid IR only: each keeps it valid and is idempotent. Types first
# (dropping dead ones leaves fewer to compare), then features, then flows: folding runs before
# fusion so a call whose future was only read for a constant tag can fuse.
OPTIMIZATION_PASSES: tuple[Pass, ...] = (
    dead_types.PASS,
    dedupe_types.PASS,
    intern_features.PASS,
    fold_constants.PASS,
    fuse_call_await.PASS,
)
PASSES: tuple[Pass, ...] = VALIDATION_PASSES + OPTIMIZATION_PASSES


def bundled_manifest() -> Path:
    """`manifests/tinker.yaml`, the default manifest, wherever tinkc is installed."""
    from tinkc.manifests import bundled

    return bundled()


@attrs.define
class Result:
    sink: Sink
    manifest: Manifest | None = None
    api: Api | None = None  # the IR after the last pass that ran
    sources: dict[str, str] = attrs.field(factory=dict)  # file texts, for rendering diagnostics


def compile_manifest(
    path: str | Path,
    *,
    optimize: bool = True,
    skip: Collection[str] = (),
    stop_after: str | None = None,
    after_pass: Callable[[Pass, Api], None] | None = None,
) -> Result:
    """Load, lower and run the passes. ``after_pass`` sees the IR after each pass (``--dump-after``);
    ``skip`` names optimization passes to leave out (``build --skip-pass``)."""
    sink = Sink()
    result = Result(sink=sink)
    result.manifest = load_manifest(path, sink, result.sources)
    if result.manifest is None:
        return result
    api = lower(result.manifest, sink)
    if api is None:
        return result
    return run_passes(api, result, optimize=optimize, skip=skip, stop_after=stop_after, after_pass=after_pass)


def run_passes(
    api: Api,
    result: Result,
    *,
    optimize: bool = True,
    skip: Collection[str] = (),
    stop_after: str | None = None,
    after_pass: Callable[[Pass, Api], None] | None = None,
) -> Result:
    passes = PASSES if optimize else VALIDATION_PASSES
    for p in passes:
        if p.kind == "optimization" and p.name in skip:
            continue
        if p.kind == "optimization" and result.sink.has_errors:
            break  # optimizing an invalid IR would only produce confusing output
        api = p.run(api, result.sink)
        if after_pass is not None:
            after_pass(p, api)
        if p.name == stop_after:
            break
    result.api = api
    return result


def pass_names() -> list[str]:
    return [p.name for p in PASSES]
