"""Loading ahead (tinkc.frontend.loadahead): a manifest loaded in a forked process arrives as the
in-process load gives it — the same model, spans, sources and diagnostics — and a loading process
that fails leaves the compile to load in process, with the same result."""

from __future__ import annotations

import marshal
import math
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from tinkc.diagnostics import Sink
from tinkc.frontend import loadahead
from tinkc.frontend.load import load_manifest, load_text
from tinkc.frontend.model import Manifest, Node, Scalar, Sequence
from tinkc.ir.span import Span

ROOT = Path(__file__).resolve().parents[2]
BUNDLED = ROOT / "manifests" / "tinker.yaml"
BROKEN = ROOT / "tests" / "broken"
CASES = sorted(
    [p for p in BROKEN.iterdir() if p.suffix in (".yaml", ".json")] + [p / "manifest.yaml" for p in BROKEN.iterdir() if p.is_dir()]
)


def where(span: Span) -> tuple[str, int, int, int, int]:
    return (span.file, span.line, span.col, span.end_line, span.end_col)


def shape(node: Node) -> Any:
    """Everything a later stage can read of a node: values (NaN made comparable), quoting, and the
    span of every node and key."""
    span = where(node.span)
    if isinstance(node, Scalar):
        value = "NaN" if isinstance(node.value, float) and math.isnan(node.value) else node.value
        return ("scalar", type(node.value).__name__, value, node.quoted, span)
    if isinstance(node, Sequence):
        return ("list", [shape(n) for n in node.items], span)
    return ("map", [(e.key, where(e.key_span), shape(e.value)) for e in node], span)


def manifest_shape(manifest: Manifest | None) -> Any:
    if manifest is None:
        return None
    return [(str(d.path), d.display, shape(d.root)) for d in manifest.documents], manifest.sources


def crossed(manifest: Manifest | None, sink: Sink, sources: dict[str, str]) -> tuple[Manifest | None, Sink, dict[str, str]]:
    """``manifest`` as the loading process sends it and this one rebuilds it."""
    data = marshal.loads(marshal.dumps(loadahead.encode(manifest, sink, sources)))
    sink2: Sink = Sink()
    sources2: dict[str, str] = {}
    return loadahead.decode(data, sink2, sources2), sink2, sources2


@pytest.mark.parametrize("path", [BUNDLED, *CASES], ids=lambda p: str(p.relative_to(ROOT)))
def test_a_loaded_manifest_crosses_the_pipe_unchanged(path: Path) -> None:
    sink: Sink = Sink()
    sources: dict[str, str] = {}
    manifest = load_manifest(path, sink, sources)
    # some spans read before encoding (a diagnostic's, an import's): made Spans cross as positions
    if manifest is not None:
        manifest.root.root.span  # noqa: B018
    got, sink2, sources2 = crossed(manifest, sink, sources)
    assert manifest_shape(got) == manifest_shape(manifest)
    assert sink2.items == sink.items
    assert sources2 == sources
    if got is not None:
        assert got.sources is sources2  # the one dict, as load_manifest keeps it


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
)
documents = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(min_size=1, max_size=8), inner, max_size=4),
    max_leaves=30,
)


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.text(min_size=1, max_size=8), documents, min_size=1, max_size=5), st.booleans())
def test_any_document_crosses_the_pipe_unchanged(data: dict[str, Any], flow: bool) -> None:
    text = yaml.safe_dump(data, default_flow_style=flow, allow_unicode=True)
    sink: Sink = Sink()
    manifest = load_text(text, "m.yaml", sink)
    got, sink2, _ = crossed(manifest, sink, dict(manifest.sources) if manifest else {})
    assert manifest_shape(got) == manifest_shape(manifest)
    assert sink2.items == sink.items


def run_fresh(script: str) -> str:
    """Run ``script`` in a fresh interpreter (one thread, nothing imported: what the CLI forks
    from), told that it has two processors, as CI machines with one may not."""
    prelude = textwrap.dedent(
        """
        import os
        from tinkc.frontend import loadahead

        loadahead._processors = lambda: 2
        started = []  # what each loadahead.start returned
        _start = loadahead.start
        loadahead.start = lambda path: started.append(_start(path)) or started[-1]

        outcomes = []  # what each Loading.result did: "ok", or the exception's class name
        _result = loadahead.Loading.result

        def result(self, sink, sources):
            try:
                manifest = _result(self, sink, sources)
            except Exception as exc:
                outcomes.append(type(exc).__name__)
                raise
            outcomes.append("ok")
            return manifest

        loadahead.Loading.result = result

        def reaped(loading):
            try:
                os.waitpid(loading.pid, os.WNOHANG)
            except ChildProcessError:
                return True
            return False
        """
    )
    proc = subprocess.run(
        [sys.executable, "-c", prelude + textwrap.dedent(script)], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


COMPARE = """
    import json, sys
    from tinkc import pipeline
    from tinkc.diagnostics import render_json
    from tinkc.ir.serialize import api_to_json

    def compiled(path, load_ahead):
        r = pipeline.compile_manifest(path, optimize=False, load_ahead=load_ahead)
        return render_json(r.sink.items), r.sources, None if r.api is None else api_to_json(r.api, spans=True)

    for path in sys.argv[1:] if len(sys.argv) > 1 else PATHS:
        ahead = compiled(path, True)
        assert started.pop() is not None, "not loaded ahead"
        assert outcomes.pop() == "ok", "loaded ahead, but the loading process gave nothing usable"
        assert ahead == compiled(path, False), path
    print("same")
"""


def test_the_cli_s_compile_loads_ahead_with_the_same_result() -> None:
    """Diagnostics, sources and the IR with its spans, for the bundled manifest and every broken
    case: from the manifest loaded in the forked process, and loaded in process."""
    paths = [str(BUNDLED), *map(str, CASES)]
    assert run_fresh(f"PATHS = {paths!r}\n" + textwrap.dedent(COMPARE)) == "same\n"


def test_a_failed_loading_process_leaves_the_load_to_this_one() -> None:
    out = run_fresh(
        f"""
        from tinkc import pipeline
        from tinkc.diagnostics import Sink
        from tinkc.ir.serialize import api_to_json

        def crash(path):
            os._exit(3)  # as a process killed or out of memory ends: nothing sent

        loadahead._load = crash
        loading = loadahead.start({str(BUNDLED)!r})
        assert loading is not None
        try:
            loading.result(Sink(), {{}})
        except loadahead.LoadingFailed as exc:
            print(exc)
        ahead = pipeline.compile_manifest({str(BUNDLED)!r}, optimize=False, load_ahead=True)
        inline = pipeline.compile_manifest({str(BUNDLED)!r}, optimize=False)
        assert ahead.sink.items == inline.sink.items and ahead.sources == inline.sources
        assert api_to_json(ahead.api, spans=True) == api_to_json(inline.api, spans=True)
        print(outcomes[-1], "then loaded here")
        """
    )
    assert out.splitlines() == [
        "the loading process ended with exit status 3 without sending a manifest (EOF read where object expected)",
        "LoadingFailed then loaded here",
    ]


def test_a_cancelled_loading_process_is_ended_and_reaped() -> None:
    out = run_fresh(
        f"""
        loading = loadahead.start({str(BUNDLED)!r})
        loading.cancel()
        print(reaped(loading))
        """
    )
    assert out == "True\n"


def test_no_loading_process_where_another_thread_runs() -> None:
    out = run_fresh(
        f"""
        import threading
        stop = threading.Event()
        thread = threading.Thread(target=stop.wait)
        thread.start()
        print(loadahead.start({str(BUNDLED)!r}))
        stop.set()
        thread.join()
        """
    )
    assert out == "None\n"


def test_no_loading_process_on_one_processor() -> None:
    out = run_fresh(
        f"""
        loadahead._processors = lambda: 1
        print(loadahead.start({str(BUNDLED)!r}))
        """
    )
    assert out == "None\n"


def test_build_cancels_its_loading_process_when_a_backend_fails_to_load(tmp_path: Path) -> None:
    """A build that stops before compiling (a backend that fails to import) leaves no process behind."""
    out = run_fresh(
        f"""
        from tinkc import pipeline

        def broken(info):
            raise pipeline.BuildError("cannot load")

        pipeline.load_backend = broken
        try:
            pipeline.build({str(BUNDLED)!r}, "python", {str(tmp_path / "out")!r}, load_ahead=True)
        except pipeline.BuildError:
            pass
        [loading] = started
        print(reaped(loading))
        """
    )
    assert out == "True\n"


def test_the_loading_process_writes_nothing_of_its_own() -> None:
    """What the parent printed before the fork (buffered) is printed once, by the parent."""
    out = run_fresh(
        f"""
        import sys
        from tinkc import pipeline
        sys.stdout.write("before ")
        pipeline.compile_manifest({str(BUNDLED)!r}, optimize=False, load_ahead=True)
        print("after")
        """
    )
    assert out == "before after\n"


def test_a_compile_that_fails_before_taking_its_manifest_ends_the_loading_process() -> None:
    out = run_fresh(
        f"""
        from tinkc import pipeline

        def broken():
            raise ImportError("a pass fails to import")

        pipeline._validation_passes = broken
        try:
            pipeline.compile_manifest({str(BUNDLED)!r}, optimize=False, load_ahead=True)
        except ImportError:
            pass
        [loading] = started
        print(reaped(loading))
        """
    )
    assert out == "True\n"


@pytest.mark.parametrize(
    "command",
    [
        ["check"],
        ["ir"],
        ["ir", "--dump-after", "references"],
        ["build", "--target", "python", "--quiet", "--out", "{out}"],
        ["graph", "--out", "{out}.dot"],
    ],
    ids=lambda c: " ".join(c[:2]),
)
def test_the_cli_s_commands_load_ahead(command: list[str], tmp_path: Path) -> None:
    """The commands that compile start a loading process (where they can: here, always)."""
    args = [a.format(out=tmp_path / "out") for a in [command[0], str(BUNDLED), *command[1:]]]
    out = run_fresh(
        f"""
        import contextlib, io
        from tinkc.cli import main

        with contextlib.redirect_stdout(io.StringIO()):
            code = main({args!r})
        print(code, [loading is not None for loading in started], outcomes)
        """
    )
    assert out == "0 [True] ['ok']\n"


def test_loading_ahead_and_emitting_in_processes_with_sigchld_ignored(tmp_path: Path) -> None:
    """A program that starts tinkc with SIGCHLD ignored (the setting survives exec) has the system
    reap tinkc's children: nothing to wait for, and the data they sent is used as it is."""
    out = run_fresh(
        f"""
        import signal
        from pathlib import Path
        from tinkc.cli import main

        signal.signal(signal.SIGCHLD, signal.SIG_IGN)
        code = main(["build", {str(BUNDLED)!r}, "--target", "python,typescript", "--quiet", "--out", {str(tmp_path)!r}])
        print(code, [loading is not None for loading in started], outcomes, sorted(p.name for p in Path({str(tmp_path)!r}).iterdir()))
        """
    )
    assert out == "0 [True] ['ok'] ['python', 'typescript']\n"
