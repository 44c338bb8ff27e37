"""The `tinkc` command line.

    tinkc check   [MANIFEST] [--format text|json]
    tinkc ir      [MANIFEST] [--format json|dot|mermaid] [--dump-after PASS] [--spans]
    tinkc targets
    tinkc build   [MANIFEST] --target NAME|all [--out DIR]
    tinkc mock    [MANIFEST] [--port N] [--host HOST] [--scenario FILE]
    tinkc conformance --target NAME [--scenario GLOB]... [--scenarios DIR] [--fixtures DIR]
    tinkc schema
    tinkc init    [DIR]
    tinkc fmt     [MANIFEST...] [--check]
    tinkc graph   [MANIFEST] --out FILE.svg|.png|.pdf|.dot|.mmd

MANIFEST defaults to the bundled Tinker manifest. Exit status: 0 success, 1 the manifest has
errors, 2 usage error, 3 internal error (a bug in tinkc: rerun with --debug for the traceback).
"""

from __future__ import annotations

import argparse
import atexit
import functools
import gc
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

from tinkc import __version__
from tinkc.diagnostics import Sink, did_you_mean, render_json, render_text, summary_line

if TYPE_CHECKING:
    from tinkc.backends.base import Backend
    from tinkc.backends.registry import BackendInfo

EXIT_OK, EXIT_ERRORS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3


class UsageError(Exception):
    pass


def _use_color(stream: TextIO, choice: str) -> bool:
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    return stream.isatty()


def _manifest_path(arg: str | None) -> Path:
    if arg:
        return Path(arg)
    from tinkc.manifests import bundled

    return bundled()


def _report(sink: Sink, sources: dict[str, str], fmt: str, color: str) -> None:
    if fmt == "json":
        print(render_json(sink.items))
        return
    items = sink.items
    if items:
        sys.stderr.write(render_text(items, sources, color=_use_color(sys.stderr, color)))
        sys.stderr.write(summary_line(sink) + "\n")


def cmd_check(args: argparse.Namespace) -> int:
    from tinkc.pipeline import compile_manifest

    path = _manifest_path(args.manifest)
    result = compile_manifest(path, optimize=False, load_ahead=True)
    _report(result.sink, result.sources, args.format, args.color)
    if result.sink.has_errors:
        return EXIT_ERRORS
    if args.format == "text" and result.api is not None:
        api = result.api
        shown = result.manifest.root.display if result.manifest else str(path)
        print(
            f"ok: {shown}: {len(api.endpoints)} endpoints, {len(api.types)} types, {len(api.features)} features, "
            f"{len(api.flows)} flows, {len(api.clients)} clients"
        )
    return EXIT_OK


def cmd_lsp(args: argparse.Namespace) -> int:
    from tinkc.lsp import serve  # pygls is imported here only: no other command pays for it

    gc.enable()  # main() turns the collector off for one compile; a server compiles for hours
    serve(debounce_ms=args.debounce_ms)
    return EXIT_OK


def cmd_ir(args: argparse.Namespace) -> int:
    from tinkc.ir.graph import to_dot, to_mermaid
    from tinkc.ir.serialize import api_to_json
    from tinkc.pipeline import compile_manifest, pass_names

    if args.dump_after and args.dump_after not in pass_names():
        hint = did_you_mean(args.dump_after, pass_names())
        raise UsageError(f"unknown pass `{args.dump_after}`" + (f"; {hint}" if hint else "") + f" (passes: {', '.join(pass_names())})")
    result = compile_manifest(_manifest_path(args.manifest), stop_after=args.dump_after, load_ahead=True)
    _report(result.sink, result.sources, "text", args.color)
    if result.api is None or (result.sink.has_errors and not args.dump_after):
        return EXIT_ERRORS
    api = result.api
    renders: dict[str, Callable[[], str]] = {
        "json": lambda: api_to_json(api, spans=args.spans),
        "dot": lambda: to_dot(api),
        "mermaid": lambda: to_mermaid(api),
    }
    sys.stdout.write(renders[args.format]())
    return EXIT_ERRORS if result.sink.has_errors else EXIT_OK


def cmd_targets(args: argparse.Namespace) -> int:
    from tinkc.backends.registry import available

    infos = available()
    if not infos:
        print("no backends installed")
        return EXIT_OK
    width = max(len(n) for n in infos)
    for name, info in infos.items():
        try:
            cls = info.load()
            desc = cls.description
            version = cls.version
        except Exception as exc:  # noqa: BLE001 - report a broken plug-in, keep listing the others
            desc, version = f"(fails to load: {type(exc).__name__}: {exc})", "?"
        print(f"{name:<{width}}  {version:<8}  {info.distribution} {info.version}  {desc}")
    return EXIT_OK


def cmd_build(args: argparse.Namespace) -> int:
    from tinkc.pipeline import BuildError, build

    started = time.perf_counter()
    targets: str | list[str] = "all"
    if args.target != "all":
        targets = list(dict.fromkeys(t.strip() for t in args.target.split(",") if t.strip())) or [args.target]
    try:
        # one target builds into --out itself; several (a list, or `all`) into a directory each
        result = build(
            _manifest_path(args.manifest),
            targets,
            args.out,
            skip=args.skip_pass,
            subdirs=args.target == "all" or "," in args.target,
            load_ahead=True,
        )
    except BuildError as exc:
        raise UsageError(str(exc)) from exc
    built = f"built {len(result.targets)} target{'s' if len(result.targets) != 1 else ''}"
    if result.compiled is None:  # nothing changed since the recorded builds: nothing was compiled
        for line in result.replayed:
            sys.stderr.write(line)
        if not args.quiet:
            for target in result.targets:
                print(f"{target.name}: unchanged (no-op rebuild) → {target.root}")
            print(f"{built} in {time.perf_counter() - started:.3f} s")
        return EXIT_OK
    if not args.quiet:
        for target in result.targets:
            if target.recovered:
                print(f"{target.name}: finished an interrupted build in {target.root}")
    compiled = result.compiled
    _report(compiled.sink, compiled.sources, "text", args.color)
    if compiled.sink.has_errors or compiled.api is None:
        _report(result.writer, {}, "text", args.color)
        return EXIT_ERRORS
    if not args.quiet:
        for target in result.targets:
            report = target.report
            if report is not None:
                print(
                    f"{target.name}: {len(report.written)} written, {len(report.unchanged)} unchanged, {len(report.removed)} removed"
                    + (f", {len(report.refused)} refused" if report.refused else "")
                    + f" → {target.root}"
                )
    _report(result.writer, {}, "text", args.color)
    if not args.quiet:
        print(f"{built} in {time.perf_counter() - started:.3f} s")
    return EXIT_OK if result.ok else EXIT_ERRORS


def _load_backend(info: BackendInfo) -> type[Backend]:
    from tinkc.pipeline import BuildError, load_backend

    try:
        return load_backend(info)
    except BuildError as exc:
        raise UsageError(str(exc)) from exc


def _installed_backend(name: str) -> type[Backend]:
    from tinkc.backends.registry import available

    infos = available()
    if name not in infos:
        hint = did_you_mean(name, infos)
        raise UsageError(f"unknown target `{name}`" + (f"; {hint}" if hint else "") + f" (targets: {', '.join(sorted(infos)) or 'none'})")
    return _load_backend(infos[name])


def cmd_conformance(args: argparse.Namespace) -> int:
    from tinkc import conformance

    backend_class = _installed_backend(args.target)
    if not conformance.has_driver(backend_class):
        raise UsageError(f"target `{args.target}` has no conformance driver (its Backend.conformance_driver returns None)")
    scenarios_dir = Path(args.scenarios) if args.scenarios else conformance.SCENARIOS_DIR
    fixtures_dir = Path(args.fixtures) if args.fixtures else conformance.FIXTURES_DIR
    for flag, directory in (("--scenarios", scenarios_dir), ("--fixtures", fixtures_dir)):
        if not directory.is_dir():
            raise UsageError(f"{flag}: no directory {directory}")
    try:
        results = conformance.run(
            backend_class(),
            patterns=args.scenario or (),
            scenarios_dir=scenarios_dir,
            fixtures_dir=fixtures_dir,
            out=sys.stdout,
            color=_use_color(sys.stderr, args.color),
        )
    except conformance.ConformanceError as exc:
        sys.stdout.flush()
        sys.stderr.write(f"tinkc conformance: {exc}\n")
        return EXIT_ERRORS
    return EXIT_OK if all(r.passed for r in results) else EXIT_ERRORS


def cmd_mock(args: argparse.Namespace) -> int:
    from tinkc.mock.cli import run
    from tinkc.pipeline import compile_manifest

    result = compile_manifest(_manifest_path(args.manifest), load_ahead=True)
    _report(result.sink, result.sources, "text", args.color)
    if result.sink.has_errors or result.api is None:
        return EXIT_ERRORS
    return run(result.api, host=args.host, port=args.port, scenario=args.scenario, color=_use_color(sys.stderr, args.color))


def cmd_schema(args: argparse.Namespace) -> int:
    from tinkc.schema import render

    sys.stdout.write(render())
    return EXIT_OK


def cmd_init(args: argparse.Namespace) -> int:
    from tinkc.starter import StarterExists, write_starter

    directory = Path(args.directory)
    try:
        path = write_starter(directory)
    except StarterExists as exc:
        sys.stderr.write(f"tinkc init: {exc} already exists; nothing was written (tinkc init never overwrites a file)\n")
        return EXIT_ERRORS
    except OSError as exc:  # DIR is a file, or not writable
        sys.stderr.write(f"tinkc init: cannot write into {directory}: {exc.strerror}\n")
        return EXIT_ERRORS
    print(f"wrote {path}\nnext: tinkc build {path} --target all --out {directory / 'out'}")
    return EXIT_OK


def cmd_fmt(args: argparse.Namespace) -> int:
    from tinkc.fmt import format_files

    paths = [Path(p) for p in args.manifests]
    if not paths:
        if not Path("manifest.yaml").is_file():
            raise UsageError("name the manifest files to format (there is no manifest.yaml here)")
        paths = [Path("manifest.yaml")]
    report = format_files(paths, check=args.check)
    _report(report.sink, report.sources, "text", args.color)
    for path in report.changed:
        print(f"{'would reformat' if args.check else 'reformatted'} {path}")
    if report.sink.has_errors:
        return EXIT_ERRORS
    return EXIT_ERRORS if args.check and report.changed else EXIT_OK


def cmd_graph(args: argparse.Namespace) -> int:
    from tinkc.drawing import RenderError, render_file
    from tinkc.pipeline import compile_manifest

    out = Path(args.out)
    result = compile_manifest(_manifest_path(args.manifest), load_ahead=True)
    _report(result.sink, result.sources, "text", args.color)
    if result.sink.has_errors or result.api is None:
        return EXIT_ERRORS
    try:
        render_file(result.api, out, flows_only=args.flows)
    except RenderError as exc:
        sys.stderr.write(f"tinkc graph: {exc}\n")
        return EXIT_ERRORS
    except ValueError as exc:  # an extension no renderer knows
        raise UsageError(str(exc)) from None
    print(f"wrote {out}")
    return EXIT_OK


@functools.cache
def _terminal_columns() -> int:
    """The width `shutil.get_terminal_size` gives argparse (``COLUMNS``, else the terminal's, else
    80), found without importing shutil."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


class _HelpFormatter(argparse.HelpFormatter):
    """argparse's formatter at argparse's width. argparse makes one for every ``add_argument`` and
    sizes it with shutil, whose import (archives, compression) every tinkc command paid."""

    def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24, width: int | None = None) -> None:
        super().__init__(prog, indent_increment, max_help_position, _terminal_columns() - 2 if width is None else width)


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser with :class:`_HelpFormatter` (the subcommands' parsers are of this class too)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _HelpFormatter)
        super().__init__(*args, **kwargs)


COMMANDS = ("check", "ir", "targets", "build", "mock", "conformance", "schema", "init", "fmt", "lsp", "graph")


class _Skipped:
    """Stands for the parser of a command that :func:`build_parser` leaves out."""

    def add_argument(self, *args: Any, **kwargs: Any) -> None:
        pass

    def set_defaults(self, **kwargs: Any) -> None:
        pass


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The command line's parser; with ``only``, of that command alone: argparse looks up
    translations of its own texts (gettext: files searched, ``locale`` imported) for every
    command's parser, ~3 ms of each run, and a run parses one command. Its usage, help and errors
    are the same either way (the commands' list shows only in the main parser's own help and
    errors, which :func:`command_of` leaves to the whole parser)."""
    parser = _Parser(prog="tinkc", description="Compile an API manifest into SDKs.")
    parser.add_argument("--version", action="version", version=f"tinkc {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")
    parser.add_argument("--color", choices=("auto", "always", "never"), default="auto", help="color diagnostics (default: auto)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, **kwargs: Any) -> Any:
        return sub.add_parser(name, **kwargs) if only in (None, name) else _Skipped()

    def manifest_arg(p: Any) -> None:
        p.add_argument("manifest", nargs="?", help="manifest file (default: the bundled manifests/tinker.yaml)")

    p = add("check", help="validate a manifest and report every problem")
    manifest_arg(p)
    p.add_argument("--format", choices=("text", "json"), default="text", help="diagnostics as text (stderr) or JSON (stdout)")
    p.set_defaults(func=cmd_check)

    # (the pass names are not listed here: that would import the whole compiler for every command,
    # `tinkc build`'s no-op rebuild included; an unknown `--dump-after` name lists them)
    p = add("ir", help="print the IR", epilog="PASS is the name of a pass; an unknown name lists them all.")
    manifest_arg(p)
    p.add_argument("--format", choices=("json", "dot", "mermaid"), default="json")
    p.add_argument("--dump-after", metavar="PASS", help="print the IR as it is after this pass")
    p.add_argument("--spans", action="store_true", help="include source positions in the JSON")
    p.set_defaults(func=cmd_ir)

    p = add("targets", help="list the available backends")
    p.set_defaults(func=cmd_targets)

    p = add("build", help="generate SDKs")
    manifest_arg(p)
    p.add_argument("--target", required=True, help="a backend name (see `tinkc targets`), several separated by commas, or `all`")
    p.add_argument(
        "--out", default="out", help="output directory (default: out); with several targets or `all`, one subdirectory per target"
    )
    p.add_argument("--quiet", action="store_true")
    p.add_argument(
        "--skip-pass",
        action="append",
        default=[],
        metavar="PASS",
        help="leave out an optimization pass (repeatable; `all` for every one) to compare or debug the emitted code",
    )
    p.set_defaults(func=cmd_build)

    p = add("mock", help="serve a mock of the manifest's API (see docs/mock.md)")
    manifest_arg(p)
    p.add_argument("--port", type=int, default=0, help="port to listen on (default: 0, a free port; the ready line names it)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    p.add_argument("--scenario", metavar="FILE", help="scripted responses and future settings (YAML or JSON)")
    p.set_defaults(func=cmd_mock)

    p = add(
        "conformance",
        help="run the conformance scenarios against a backend's driver and the mock server (see docs/conformance.md)",
    )
    p.add_argument("--target", required=True, help="an installed backend with a conformance driver (see `tinkc targets`)")
    p.add_argument("--scenario", metavar="GLOB", action="append", help="only scenarios whose name matches (repeatable; default: all)")
    p.add_argument("--scenarios", metavar="DIR", help="scenario files to run (default: the ones shipped with tinkc)")
    p.add_argument(
        "--fixtures", metavar="DIR", help="where `manifest: NAME` is found, as DIR/NAME/manifest.yaml (default: the shipped ones)"
    )
    p.set_defaults(func=cmd_conformance)

    p = add("schema", help="print the JSON Schema of the manifest language (for editors)")
    p.set_defaults(func=cmd_schema)

    p = add("init", help="write a small, commented starter manifest")
    p.add_argument("directory", nargs="?", default=".", metavar="DIR", help="where to write manifest.yaml (default: here)")
    p.set_defaults(func=cmd_init)

    p = add("fmt", help="rewrite manifests in canonical form, keeping comments (see docs/cli.md)")
    p.add_argument("manifests", nargs="*", metavar="MANIFEST", help="files to format (default: ./manifest.yaml)")
    p.add_argument("--check", action="store_true", help="write nothing; exit 1 when a file is not formatted")
    p.set_defaults(func=cmd_fmt)

    p = add(
        "lsp",
        help="run a language server on stdin/stdout: diagnostics as you edit (see docs/cli.md)",
        description="A Language Server Protocol server on stdin/stdout for editors: the diagnostics of `tinkc check` on the "
        "editor's buffers, when a manifest is opened, saved, or changed and then left alone for --debounce-ms; imported "
        "files included. Editor setup: docs/cli.md, section lsp.",
    )
    p.add_argument(
        "--debounce-ms",
        type=int,
        default=300,
        metavar="MS",
        help="check a changed buffer after MS ms without edits (default: 300; a save checks at once)",
    )
    p.set_defaults(func=cmd_lsp)

    p = add("graph", help="draw the API: SVG/PNG/PDF with Graphviz, or the .dot / .mmd source")
    manifest_arg(p)
    p.add_argument("--out", required=True, metavar="FILE", help="FILE.svg, .png or .pdf (needs Graphviz), FILE.dot or FILE.mmd (Mermaid)")
    p.add_argument("--flows", action="store_true", help="only the clients and their flows' steps (a smaller picture)")
    p.set_defaults(func=cmd_graph)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    # A compile allocates many small objects that all live until the process ends; the cyclic
    # collector would only rescan them again and again (a third of the time on large manifests).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _run(argv)
    finally:
        if collecting:  # main() may be called in-process (tests, editors)
            gc.enable()


def entry() -> NoReturn:
    """The `tinkc` command (the console script and ``python -m tinkc``): :func:`main`, then the
    process ends as Python's own exit would, minus the teardown. A compile leaves tens of thousands
    of objects (the IR, the plan, the emitted text) that Python would free one by one and collect
    on the way out, with every module's globals: a sixth of `tinkc check`'s CPU time, spent on
    nothing the operating system does not do at once. So: the exit handlers run (``atexit``: the
    caches tinkc keeps between runs, temporary directories), the standard streams are flushed,
    and the process exits. Where another thread is still running (Python would wait for it) or a
    stream cannot be flushed (Python reports it), Python's own exit does it all, as before.

    The collector stays off to the end: :func:`main` turns it back on for callers that go on, and
    the first allocation after that made it scan every object the command had made (a generation
    of ~28,000 objects after a check of the bundled manifest: 12-25 ms, a tenth of the check)."""
    gc.disable()
    code = main()
    threading = sys.modules.get("threading")
    if threading is None or threading.active_count() == 1:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except (OSError, ValueError):
            sys.exit(code)
        atexit._run_exitfuncs()  # what the interpreter's exit runs first
        try:
            sys.stdout.flush()  # what an exit handler printed
            sys.stderr.flush()
        except (OSError, ValueError):
            sys.exit(code)
        os._exit(code)
    sys.exit(code)


def command_of(argv: Sequence[str]) -> str | None:
    """The command ``argv`` runs, read as argparse reads it; None where the whole parser must
    answer (help, the version, a missing, unknown or abbreviated command or option)."""
    args = iter(argv)
    for arg in args:
        if arg == "--debug" or arg.startswith("--color="):
            continue
        if arg == "--color":
            next(args, None)
            continue
        return arg if arg in COMMANDS else None
    return None


def _run(argv: Sequence[str] | None) -> int:
    parser = build_parser(command_of(sys.argv[1:] if argv is None else argv))
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except UsageError as exc:
        parser.exit(EXIT_USAGE, f"tinkc: error: {exc}\n")
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:  # noqa: BLE001 - an internal error is a bug: say so briefly
        if args.debug:
            raise
        sys.stderr.write(
            f"tinkc: internal error: {type(exc).__name__}: {exc}\n"
            "This is a bug in tinkc. Rerun with --debug for the traceback and report it.\n"
        )
        return EXIT_INTERNAL


if __name__ == "__main__":
    entry()
