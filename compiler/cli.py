"""The `tinkc` command line.

    tinkc check   [MANIFEST] [--format text|json]
    tinkc ir      [MANIFEST] [--format json|dot|mermaid] [--dump-after PASS] [--spans]
    tinkc targets
    tinkc build   [MANIFEST] --target NAME|all [--out DIR]
    tinkc mock    [MANIFEST] [--port N] [--host HOST] [--scenario FILE]

MANIFEST defaults to the bundled Tinker manifest. Exit status: 0 success, 1 the manifest has
errors, 2 usage error, 3 internal error (a bug in tinkc: rerun with --debug for the traceback).
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from tinkc import __version__
from tinkc.diagnostics import Sink, did_you_mean, render_json, render_text, summary_line

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
    from tinkc.pipeline import bundled_manifest

    return bundled_manifest()


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
    result = compile_manifest(path, optimize=False)
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


def cmd_ir(args: argparse.Namespace) -> int:
    from tinkc.ir.graph import to_dot, to_mermaid
    from tinkc.ir.serialize import api_to_json
    from tinkc.pipeline import compile_manifest, pass_names

    if args.dump_after and args.dump_after not in pass_names():
        hint = did_you_mean(args.dump_after, pass_names())
        raise UsageError(f"unknown pass `{args.dump_after}`" + (f"; {hint}" if hint else "") + f" (passes: {', '.join(pass_names())})")
    result = compile_manifest(_manifest_path(args.manifest), stop_after=args.dump_after)
    _report(result.sink, result.sources, "text", args.color)
    if result.api is None or (result.sink.has_errors and not args.dump_after):
        return EXIT_ERRORS
    render = {"json": lambda a: api_to_json(a, spans=args.spans), "dot": to_dot, "mermaid": to_mermaid}[args.format]
    sys.stdout.write(render(result.api))
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
            desc, version = f"(fails to load: {exc})", "?"
        print(f"{name:<{width}}  {version:<8}  {info.distribution} {info.version}  {desc}")
    return EXIT_OK


def cmd_build(args: argparse.Namespace) -> int:
    from tinkc.backends.registry import available
    from tinkc.ir.nodes import thaw
    from tinkc.pipeline import compile_manifest
    from tinkc.writer import write_tree

    infos = available()
    if args.target == "all":
        targets = sorted(infos)
    elif args.target in infos:
        targets = [args.target]
    else:
        hint = did_you_mean(args.target, infos)
        raise UsageError(
            f"unknown target `{args.target}`" + (f"; {hint}" if hint else "") + f" (targets: {', '.join(sorted(infos)) or 'none'})"
        )
    started = time.perf_counter()
    result = compile_manifest(_manifest_path(args.manifest))
    _report(result.sink, result.sources, "text", args.color)
    if result.sink.has_errors or result.api is None:
        return EXIT_ERRORS
    api = result.api
    out = Path(args.out)
    sink = Sink()
    for name in targets:
        backend = infos[name].load()()
        options = thaw(api.targets.get(name)) or {}
        files = backend.emit(api, options)
        root = out / name if args.target == "all" else out
        report = write_tree(root, files, sink, display=str(root))
        if not args.quiet:
            print(
                f"{name}: {len(report.written)} written, {len(report.unchanged)} unchanged, {len(report.removed)} removed"
                + (f", {len(report.refused)} refused" if report.refused else "")
                + f" → {root}"
            )
    _report(sink, {}, "text", args.color)
    if not args.quiet:
        print(f"built {len(targets)} target{'s' if len(targets) != 1 else ''} in {time.perf_counter() - started:.3f} s")
    return EXIT_ERRORS if sink.has_errors else EXIT_OK


def cmd_mock(args: argparse.Namespace) -> int:
    from tinkc.mock.cli import run
    from tinkc.pipeline import compile_manifest

    result = compile_manifest(_manifest_path(args.manifest))
    _report(result.sink, result.sources, "text", args.color)
    if result.sink.has_errors or result.api is None:
        return EXIT_ERRORS
    return run(result.api, host=args.host, port=args.port, scenario=args.scenario, color=_use_color(sys.stderr, args.color))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tinkc", description="Compile an API manifest into SDKs.")
    parser.add_argument("--version", action="version", version=f"tinkc {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")
    parser.add_argument("--color", choices=("auto", "always", "never"), default="auto", help="color diagnostics (default: auto)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def manifest_arg(p: argparse.ArgumentParser) -> None:
        p.add_argument("manifest", nargs="?", help="manifest file (default: the bundled manifests/tinker.yaml)")

    p = sub.add_parser("check", help="validate a manifest and report every problem")
    manifest_arg(p)
    p.add_argument("--format", choices=("text", "json"), default="text", help="diagnostics as text (stderr) or JSON (stdout)")
    p.set_defaults(func=cmd_check)

    from tinkc.pipeline import pass_names

    p = sub.add_parser("ir", help="print the IR", epilog=f"passes: {', '.join(pass_names())}")
    manifest_arg(p)
    p.add_argument("--format", choices=("json", "dot", "mermaid"), default="json")
    p.add_argument("--dump-after", metavar="PASS", help="print the IR as it is after this pass")
    p.add_argument("--spans", action="store_true", help="include source positions in the JSON")
    p.set_defaults(func=cmd_ir)

    p = sub.add_parser("targets", help="list the available backends")
    p.set_defaults(func=cmd_targets)

    p = sub.add_parser("build", help="generate SDKs")
    manifest_arg(p)
    p.add_argument("--target", required=True, help="a backend name (see `tinkc targets`) or `all`")
    p.add_argument("--out", default="out", help="output directory (default: out); with --target all, one subdirectory per target")
    p.add_argument("--quiet", action="store_true")
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("mock", help="serve a mock of the manifest's API (see docs/mock.md)")
    manifest_arg(p)
    p.add_argument("--port", type=int, default=0, help="port to listen on (default: 0, a free port; the ready line names it)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    p.add_argument("--scenario", metavar="FILE", help="scripted responses and future settings (YAML or JSON)")
    p.set_defaults(func=cmd_mock)
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


def _run(argv: Sequence[str] | None) -> int:
    parser = build_parser()
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
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
