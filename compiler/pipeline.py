"""The path of a manifest through tinkc, top to bottom.

    load  →  lower  →  validation passes  →  optimization passes  →  plan  →  emit  →  write

:func:`build` is that whole path (`tinkc build`); :func:`compile_manifest` is its front half, up to
the passes, which `tinkc check`, `ir`, `mock` and `graph` share. Every stage reports into one
:class:`~tinkc.diagnostics.Sink`; a stage after an error still runs where it can (so one run reports
everything), but optimization and emission only run on a valid IR.

A build first asks the build cache (:mod:`tinkc.buildcache`) whether anything changed since the
recorded build of each target; when nothing did, it compiles nothing, and it must not even import
the compiler. So this module imports each stage where the stage runs, and the pass tables below are
built on first use (``from tinkc.pipeline import PASSES`` works as for any constant).
"""

from __future__ import annotations

import contextlib
import functools
import gc
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from tinkc.diagnostics import Diagnostic, Severity, Sink, did_you_mean, render_text, summary_line

if TYPE_CHECKING:
    from tinkc.backends.base import Backend
    from tinkc.backends.registry import BackendInfo
    from tinkc.frontend.loadahead import Loading
    from tinkc.frontend.model import Manifest
    from tinkc.ir.nodes import Api
    from tinkc.passes.base import Pass
    from tinkc.sdk import SdkPlan
    from tinkc.writer import WriteReport

    VALIDATION_PASSES: tuple[Pass, ...]
    OPTIMIZATION_PASSES: tuple[Pass, ...]
    PASSES: tuple[Pass, ...]


@functools.cache
def _validation_passes() -> tuple[Pass, ...]:
    from tinkc.passes import (
        bindings,
        client_state,
        clients,
        feature_params,
        flow_calls,
        flow_dependencies,
        headers,
        idempotency,
        naming,
        paths,
        references,
        type_declarations,
        unused,
    )

    # The ordered pipeline. Validation first: each later pass may rely on what earlier ones resolved.
    return (
        references.PASS,
        type_declarations.PASS,
        feature_params.PASS,
        paths.PASS,
        headers.PASS,
        clients.PASS,
        flow_calls.PASS,
        client_state.PASS,
        bindings.PASS,
        flow_dependencies.PASS,
        idempotency.PASS,
        naming.PASS,
        unused.PASS,
    )


@functools.cache
def _optimization_passes() -> tuple[Pass, ...]:
    # (imported apart from the validation passes: `tinkc check` runs none of them)
    from tinkc.passes import dead_types, dedupe_types, fold_constants, fuse_call_await, intern_features

    # Then the optimizations, on a valid IR only: each keeps it valid and is idempotent. Types first
    # (dropping dead ones leaves fewer to compare), then features, then flows: folding runs before
    # fusion so a call whose future was only read for a constant tag can fuse.
    return (
        dead_types.PASS,
        dedupe_types.PASS,
        intern_features.PASS,
        fold_constants.PASS,
        fuse_call_await.PASS,
    )


def _pass_tables() -> dict[str, tuple[Pass, ...]]:
    validation, optimization = _validation_passes(), _optimization_passes()
    return {"VALIDATION_PASSES": validation, "OPTIMIZATION_PASSES": optimization, "PASSES": validation + optimization}


def __getattr__(name: str) -> tuple[Pass, ...]:
    """``VALIDATION_PASSES``, ``OPTIMIZATION_PASSES`` and ``PASSES``, built on first use."""
    if name in ("VALIDATION_PASSES", "OPTIMIZATION_PASSES", "PASSES"):
        return _pass_tables()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def pass_names() -> list[str]:
    return [p.name for p in _pass_tables()["PASSES"]]


def bundled_manifest() -> Path:
    """`manifests/tinker.yaml`, the default manifest, wherever tinkc is installed."""
    from tinkc.manifests import bundled

    return bundled()


# -- the front half: load, lower, passes -----------------------------------------------------------


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
    load_ahead: bool | Loading = False,
) -> Result:
    """Load, lower and run the passes. ``after_pass`` sees the IR after each pass (``--dump-after``);
    ``skip`` names optimization passes to leave out (``build --skip-pass``). ``load_ahead``: the
    CLI's fresh processes load the manifest in a forked process while they import the compiler
    (:mod:`tinkc.frontend.loadahead`); True starts that here, a :class:`Loading` is one started
    earlier (:func:`build` starts it before importing the backends)."""
    sink = Sink()
    result = Result(sink=sink)
    if isinstance(load_ahead, bool):
        loading = start_loading(path) if load_ahead else None
    else:
        loading = load_ahead
    with _cancelled_on_error(loading):  # (an installation that fails to import)
        from tinkc.frontend.lower import lower

        if loading is not None:
            _pass_tables() if optimize else _validation_passes()  # their imports too, while the manifest loads
    if loading is not None:
        from tinkc.frontend.loadahead import LoadingFailed

        try:
            result.manifest = loading.result(sink, result.sources)
        except LoadingFailed:
            loading = None
    if loading is None:
        from tinkc.frontend.load import load_manifest

        result.manifest = load_manifest(path, sink, result.sources)
    if result.manifest is None:
        return result
    api = lower(result.manifest, sink)
    if api is None:
        return result
    return run_passes(api, result, optimize=optimize, skip=skip, stop_after=stop_after, after_pass=after_pass)


def start_loading(path: str | Path) -> Loading | None:
    """Start loading ``path`` in a forked process (:func:`tinkc.frontend.loadahead.start`)."""
    from tinkc.frontend import loadahead

    return loadahead.start(path)


@contextlib.contextmanager
def _cancelled_on_error(loading: Loading | None) -> Iterator[None]:
    """Stop ``loading`` when the block raises: no loading process outlives the command that
    started it (nor blocks on a pipe nobody reads)."""
    try:
        yield
    except BaseException:
        if loading is not None:
            loading.cancel()
        raise


def run_passes(
    api: Api,
    result: Result,
    *,
    optimize: bool = True,
    skip: Collection[str] = (),
    stop_after: str | None = None,
    after_pass: Callable[[Pass, Api], None] | None = None,
) -> Result:
    for p in _pass_tables()["PASSES"] if optimize else _validation_passes():
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


# -- the whole path: `tinkc build` ------------------------------------------------------------------


class BuildError(Exception):
    """A build that cannot start as asked: an unknown target or pass, a backend that fails to import.
    (Problems of the manifest are diagnostics, in :attr:`BuildResult.compiled`.)"""


@attrs.define
class TargetBuild:
    """What a build did for one target."""

    name: str
    root: Path  # the target's output directory
    unchanged: bool = False  # the recorded build is still this one's output: nothing compiled or written
    recovered: bool = False  # an interrupted earlier build into `root` was finished (or undone) first
    report: WriteReport | None = None  # what the writer did; None when nothing was emitted


@attrs.define
class BuildResult:
    targets: list[TargetBuild]
    compiled: Result | None = None  # the front half's result; None when nothing was compiled (a no-op)
    writer: Sink = attrs.field(factory=Sink)  # the writer's diagnostics (and recovery's)
    replayed: list[str] = attrs.field(factory=list)  # a no-op: the diagnostics the recorded build printed
    plan: SdkPlan | None = None  # the SDK plan the backends rendered; None when nothing was compiled

    @property
    def noop(self) -> bool:
        return self.compiled is None

    @property
    def ok(self) -> bool:
        """No error: the manifest compiled (or nothing changed) and every tree was written."""
        compiled_ok = self.compiled is None or (self.compiled.api is not None and not self.compiled.sink.has_errors)
        return compiled_ok and not self.writer.has_errors


def build(
    manifest: str | Path,
    targets: str | Sequence[str],
    out: str | Path,
    *,
    skip: Iterable[str] = (),
    subdirs: bool | None = None,
    load_ahead: bool = False,
) -> BuildResult:
    """Build SDKs of ``manifest`` for ``targets`` (backend names, or ``"all"`` for every installed
    one) into ``out``: one target into ``out`` itself, several into ``out/<target>`` each
    (``subdirs`` decides otherwise). ``skip`` names optimization passes to leave out (``"all"``:
    every one). Raises :class:`BuildError` before doing anything when a name is unknown.
    ``load_ahead``: as for :func:`compile_manifest`."""
    from tinkc import __version__, buildcache
    from tinkc.backends.registry import available

    manifest, out = Path(manifest), Path(out)
    infos = available()
    names = sorted(infos) if targets == "all" else ([targets] if isinstance(targets, str) else list(targets))
    for name in names:
        if name not in infos:
            hint = did_you_mean(name, infos)
            raise BuildError(
                f"unknown target `{name}`" + (f"; {hint}" if hint else "") + f" (targets: {', '.join(sorted(infos)) or 'none'})"
            )
    skipped = optional_passes(skip)
    if subdirs is None:
        subdirs = targets == "all" or len(names) > 1
    roots = {name: out / name if subdirs else out for name in names}

    # 0. Nothing changed since the recorded builds (the manifest's files, tinkc, the backends, the
    #    options, the generated files): compile nothing, import nothing more.
    fingerprints = {
        name: buildcache.fingerprint(name, infos[name].entry_point.module, f"{__version__}/{infos[name].version}", skipped)
        for name in names
    }
    replays = [buildcache.is_fresh(roots[name], manifest, fingerprints[name]) for name in names]
    if all(r is not None for r in replays):
        return BuildResult([TargetBuild(name, roots[name], unchanged=True) for name in names], replayed=replays[0] or [])

    # 1. The manifest starts loading in another process (`load_ahead`), while this one imports the
    #    backends (and with them most of the compiler) and finishes an interrupted build.
    loading = start_loading(manifest) if load_ahead else None
    with _cancelled_on_error(loading):
        from tinkc.writer import recover

        backends = {name: load_backend(infos[name]) for name in names}
        result = BuildResult([TargetBuild(name, roots[name]) for name in names])
        # An interrupted earlier build is finished (or undone) first, whatever this one's manifest says.
        for target in result.targets:
            target.recovered = recover(target.root, result.writer, display=str(target.root)) is not None
        if loading is not None:
            # The backends brought most of the compiler with them: loading (~30 ms) takes longer
            # than what is left to import for lowering. What comes after the compile is imported
            # in the meantime: the plan's modules and what the forked emitters share (jinja2).
            import tinkc.sdk  # noqa: F401

            if jobs(len(names)) > 1:
                _import_shared(backends.values())

    # 1-3. Load, lower, validation and optimization passes.
    compiled = result.compiled = compile_manifest(manifest, skip=skipped, load_ahead=loading or False)
    if compiled.sink.has_errors or compiled.api is None:
        return result
    api = compiled.api

    # 4. Plan: what every SDK must agree on, decided once per build (`tinkc.sdk`); each SDK backend's
    #    `emit` reads this same plan through `plan_of(api)`.
    from tinkc.sdk import plan_of

    result.plan = plan_of(api)

    # 5-6. Emit each target's files and write its tree; remember a clean build for the next no-op.
    #    Several targets are emitted and written side by side, one forked process each where the
    #    platform forks (a child inherits the compiled IR and plan as they are: nothing is sent to it
    #    but its target's name), else one after the other; writing is mostly waiting for the disk to
    #    confirm the writer's fsyncs, and the waits overlap too.
    inputs = [d.path for d in compiled.manifest.documents] if compiled.manifest else [manifest]
    _FORKED.update(
        api=api,
        backends=backends,
        roots={t.name: t.root for t in result.targets},
        remember=(manifest, fingerprints, inputs, _diagnostics_text(compiled.sink, compiled.sources)),
    )
    # The IR lives until the targets are written: the cyclic collector need not walk it again and
    # again while the backends allocate (it did, once per jinja2 import and template load), and a
    # forked child shares its pages instead of copying them. Unfrozen after, so a process that
    # builds many times (tests, an editor) does not keep every build's objects out of collection.
    gc.freeze()
    try:
        outcomes = _emit_and_write_all([t.name for t in result.targets])
    finally:
        gc.unfreeze()
        _FORKED.clear()
    for target in result.targets:
        report, diagnostics, _ = outcomes[target.name]
        target.report = report
        for diagnostic in diagnostics:
            result.writer.report(diagnostic)
    return result


# What a forked emitter reads: set by `build` just before the fork, cleared after.
_FORKED: dict[str, Any] = {}


def _emit_and_write(name: str) -> tuple[WriteReport, list[Diagnostic], list[str]]:
    """Emit one target from the IR `build` compiled and write its tree: the write report, the
    writer's diagnostics and the paths of the files emitted."""
    from tinkc.ir.nodes import thaw
    from tinkc.writer import write_tree

    api, root = _FORKED["api"], _FORKED["roots"][name]
    files = _FORKED["backends"][name]().emit(api, thaw(api.targets.get(name)) or {})
    sink = Sink()
    report = write_tree(root, files, sink, display=str(root))
    paths = [f.path for f in files]
    # The build cache's record of a clean build (or its removal), made by the process that wrote
    # the tree, as soon as it is written: in parallel with the other targets, not after them all.
    from tinkc import buildcache

    manifest, fingerprints, inputs, shown = _FORKED["remember"]
    if any(d.severity is Severity.ERROR for d in sink.items) or report.refused:
        buildcache.forget(root)
    else:
        buildcache.record(root, manifest, fingerprints[name], inputs, paths, shown)
    return report, sink.items, paths


def jobs(targets: int) -> int:
    """How many targets a build emits and writes at once: ``TINKC_JOBS`` when set, else every one
    of them on a machine with more than one processor (the kernel shares the processors: one
    process per target finishes sooner than a pool that queues a long target behind a short one)."""
    import os

    try:
        wanted = int(os.environ.get("TINKC_JOBS") or 0)
    except ValueError:
        wanted = 0
    if wanted <= 0:
        wanted = targets if (os.cpu_count() or 1) > 1 else 1
    return max(1, min(targets, wanted))


def _emit_and_write_all(names: list[str]) -> dict[str, tuple[WriteReport, list[Diagnostic], list[str]]]:
    import os

    workers = jobs(len(names))
    if workers < 2 or not hasattr(os, "fork"):
        return {name: _emit_and_write(name) for name in names}

    _import_shared([_FORKED["backends"][name] for name in names])  # (done already where the manifest loaded ahead)
    # The children emit all but the first target (dealt out in turn when there are fewer children
    # than targets); this process emits the first meanwhile. A plain fork and a pipe per child, not
    # a process pool: the pool's imports, threads and queues cost a build more CPU time than the
    # pipes' few kilobytes of results.
    groups = [names[1 + i :: workers - 1] for i in range(workers - 1)]
    children: list[tuple[int, int]] = []
    here = [names[0]]
    for group in groups:
        try:
            children.append(_fork_emitter(group))
        except OSError:  # no process to be had (EAGAIN, ENOMEM): this process emits them too
            here += group
    outcomes: dict[str, tuple[WriteReport, list[Diagnostic], list[str]]] = {}
    failure: BaseException | None = None
    try:
        for name in here:
            outcomes[name] = _emit_and_write(name)
    except BaseException as exc:  # noqa: BLE001 - raised once the children are reaped
        failure = exc
    for pid, reader in children:
        try:
            outcomes.update(_child_outcome(pid, reader))
        except BaseException as exc:  # noqa: BLE001 - every child is reaped before the first failure is raised
            failure = failure or exc
    if failure is not None:
        raise failure
    return {name: outcomes[name] for name in names}


def _import_shared(backends: Iterable[type[Backend]]) -> None:
    """Import what several of ``backends``' emitters import, once, in this process: the emitters
    forked from it share it (each would import it again: jinja2 is a twentieth of a build's CPU
    time per process)."""
    import importlib

    wanted: dict[str, int] = {}
    for backend in backends:
        for module in backend.shared_imports:
            wanted[module] = wanted.get(module, 0) + 1
    for module in sorted(m for m, n in wanted.items() if n > 1):
        try:
            importlib.import_module(module)
        except Exception:  # noqa: BLE001, S110 - each target's emit imports it again and reports the failure
            pass


class EmitterFailed(Exception):
    """A forked emitter's exception that could not be sent back as it was (its traceback, as text)."""


def _fork_emitter(group: list[str]) -> tuple[int, int]:
    """Fork a child that emits and writes ``group``'s targets and sends the outcomes (or its
    exception) back, pickled, through a pipe: (its pid, the pipe's reading end)."""
    import os
    import pickle
    import sys

    reader, writer = os.pipe()
    sys.stdout.flush()  # nothing buffered before the fork is printed twice
    sys.stderr.flush()
    try:
        pid = os.fork()
    except OSError:
        os.close(reader)
        os.close(writer)
        raise
    if pid:
        os.close(writer)
        return pid, reader
    status = 1
    try:  # the child: never returns into the caller's code, whatever happens
        os.close(reader)
        try:
            data = pickle.dumps(("ok", {name: _emit_and_write(name) for name in group}))
        except BaseException as exc:  # noqa: BLE001 - sent to the parent, which raises it
            import traceback

            try:
                data = pickle.dumps(("error", exc))
                pickle.loads(data)  # an exception that pickles but does not unpickle
            except Exception:  # noqa: BLE001
                data = pickle.dumps(("error", EmitterFailed("".join(traceback.format_exception(exc)))))
        view = memoryview(data)
        while view:
            view = view[os.write(writer, view) :]
        status = 0
        from tinkc import runcache

        runcache.save_all()  # what this target's emitters compiled, which only this process imported
    finally:
        os._exit(status)  # no atexit handlers, no flushing of the parent's buffers


def _child_outcome(pid: int, reader: int) -> dict[str, tuple[WriteReport, list[Diagnostic], list[str]]]:
    import os
    import pickle

    from tinkc.forked import reap

    chunks = []
    try:
        while chunk := os.read(reader, 1 << 16):
            chunks.append(chunk)
    finally:
        os.close(reader)
        ended = reap(pid)
    if not chunks:
        raise EmitterFailed(f"the emitting process {pid} {ended} without a result")
    kind, value = pickle.loads(b"".join(chunks))
    if kind == "error":
        raise value
    return value  # type: ignore[no-any-return]


def optional_passes(names: Iterable[str]) -> frozenset[str]:
    """The optimization passes ``names`` ask to leave out (``all``: every one)."""
    names = list(names)
    if not names:
        return frozenset()
    optional = [p.name for p in _pass_tables()["OPTIMIZATION_PASSES"]]
    if "all" in names:
        return frozenset(optional)
    for name in names:
        if name not in optional:
            hint = did_you_mean(name, optional)
            raise BuildError(
                f"`--skip-pass {name}`: not an optimization pass"
                + (f"; {hint}" if hint else "")
                + f" (optional passes: {', '.join(optional)})"
            )
    return frozenset(names)


def load_backend(info: BackendInfo) -> type[Backend]:
    """Import an installed backend; one that fails to import is the user's environment, not a bug in
    tinkc: say which distribution it comes from, without a traceback."""
    try:
        return info.load()
    except Exception as exc:  # noqa: BLE001 - any import-time failure of a plug-in
        raise BuildError(
            f"target `{info.name}` ({info.distribution} {info.version}) fails to load: {type(exc).__name__}: {exc}"
            " (`tinkc targets` lists the installed backends)"
        ) from exc


def _diagnostics_text(sink: Sink, sources: dict[str, str]) -> list[str]:
    """What the command line prints for these diagnostics (without color): a no-op rebuild replays it."""
    if not sink.items:
        return []
    return [render_text(sink.items, sources, color=False), summary_line(sink) + "\n"]
