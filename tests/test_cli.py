"""The command line: exit codes, formats, and `build` through the writer."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from util import write

from tinkc.cli import main
from tinkc.pipeline import bundled_manifest, pass_names

BAD = """\
schema_version: 1
service: {name: x}
clients:
  c: {resource: a}
endpoints:
  a.b: {method: GET, path: /b, response: Missing}
"""


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["--color", "never", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_check_errors_exit_1_with_rendered_diagnostics(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, BAD)
    code, out, err = run(capsys, "check", str(path))
    assert code == 1 and out == ""
    assert "error[ref.unknown-type]: unknown type `Missing`" in err
    assert "6 |   a.b: {method: GET, path: /b, response: Missing}" in err
    assert err.splitlines()[-1] == "1 error"


def test_check_json_format(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", str(write(tmp_path, BAD)), "--format", "json")
    assert code == 1
    [d] = json.loads(out)["diagnostics"]
    assert d["code"] == "ref.unknown-type" and d["span"]["line"] == 6 and d["severity"] == "error"


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["check", "--format", "xml"])
    assert exc.value.code == 2
    with pytest.raises(SystemExit) as exc:
        main(["ir", "--dump-after", "bindngs"])
    assert exc.value.code == 2
    assert "did you mean `bindings`?" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        main(["build", "--target", "cobol"])
    assert exc.value.code == 2


def test_ir_formats_and_dump_after(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "ir")
    assert code == 0 and json.loads(out)["ir_version"] == 1
    code, out, _ = run(capsys, "ir", "--format", "dot")
    assert code == 0 and out.startswith('digraph "tinker"') and '"client:training"' in out
    code, out, _ = run(capsys, "ir", "--format", "mermaid")
    assert code == 0 and out.startswith("flowchart LR") and "create_lora_training_client" in out
    code, before, _ = run(capsys, "ir", "--dump-after", "references")
    code2, after, _ = run(capsys, "ir", "--dump-after", pass_names()[-1])
    assert code == code2 == 0
    # before the bindings pass, flow inputs are not inferred yet and bindings carry no types
    assert json.loads(before)["flows"] != json.loads(after)["flows"]


def test_targets_lists_installed_backends(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "targets")
    names = [line.split()[0] for line in out.splitlines() if line.strip()]
    assert code == 0 and {"ir", "python"} <= set(names) and names == sorted(names)


def test_build_writes_then_rewrites_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out_dir = tmp_path / "out"
    code, out, _ = run(capsys, "build", "--target", "all", "--out", str(out_dir))
    assert code == 0 and "ir: 3 written" in out
    assert json.loads((out_dir / "ir" / "ir.json").read_text())["service"]["name"] == "tinker"
    code, out, _ = run(capsys, "build", "--target", "all", "--out", str(out_dir))
    assert code == 0 and "ir: unchanged (no-op rebuild)" in out  # the build cache: nothing compiled
    (out_dir / "ir" / ".tinkc-build.json").unlink()
    code, out, _ = run(capsys, "build", "--target", "all", "--out", str(out_dir))
    assert code == 0 and "ir: 0 written, 3 unchanged, 0 removed" in out  # compiled: the writer rewrites nothing


def test_build_refuses_on_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "build", str(write(tmp_path, BAD)), "--target", "ir", "--out", str(tmp_path / "o"))
    assert code == 1 and not (tmp_path / "o").exists() and "ref.unknown-type" in err


def test_internal_errors_are_short(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import tinkc.pipeline

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("kaput")

    monkeypatch.setattr(tinkc.pipeline, "compile_manifest", boom)
    code, _, err = run(capsys, "check")
    assert code == 3 and "internal error: RuntimeError: kaput" in err and "Traceback" not in err


def test_console_script_and_module_entry_point(tmp_path: Path) -> None:
    exe = Path(sys.executable).with_name("tinkc")
    for cmd in ([str(exe), "check"], [sys.executable, "-m", "tinkc", "check"]):
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout.startswith("ok: ")


def test_pipeline_build_is_the_whole_path(tmp_path: Path) -> None:
    """`tinkc build` is `pipeline.build`: compiled, emitted and written once, then a no-op."""
    from tinkc.pipeline import BuildError, build

    out = tmp_path / "out"
    first = build(bundled_manifest(), ["ir", "openapi"], out)
    assert first.ok and not first.noop and first.compiled is not None and first.compiled.api is not None
    assert [(t.name, t.root) for t in first.targets] == [("ir", out / "ir"), ("openapi", out / "openapi")]
    assert all(t.report is not None and t.report.written for t in first.targets)
    again = build(bundled_manifest(), ["ir", "openapi"], out)
    assert again.ok and again.noop and all(t.unchanged and t.report is None for t in again.targets)
    one = build(bundled_manifest(), "ir", tmp_path / "one", skip=["all"])
    assert one.ok and one.targets[0].root == tmp_path / "one"  # one target: into `out` itself
    with pytest.raises(BuildError, match="did you mean `python`"):
        build(bundled_manifest(), ["pyton"], out)


# `tinkc check` validates with every installed target's naming rules, but must not import the code
# that emits SDKs (issue 13): the emitters are the bulk of each backend, and `check` runs in editors.
CHECK_AND_LIST_EMITTERS = """
import sys
from tinkc.cli import main
code = main(["check"])
emitters = sorted(m for m in sys.modules if m.startswith("tinkc.backends.") and m.rsplit(".", 1)[-1].startswith("emit_"))
emitters += [m for m in ("tinkc.sdk.plan",) if m in sys.modules]  # what the emitters render: a check plans nothing
print("exit", code, "emitters", *emitters)
"""


def test_check_imports_no_emitter() -> None:
    proc = subprocess.run([sys.executable, "-c", CHECK_AND_LIST_EMITTERS], capture_output=True, text=True, check=False)
    last = proc.stdout.splitlines()[-1] if proc.stdout else proc.stderr
    assert last == "exit 0 emitters", last


# Every text of the bundled manifest (types, bindings, paths, statuses, helper expressions) is one
# the grammars' fast readers take (compiler/frontend/grammars.py), so `tinkc check` of it never
# imports lark: importing it and building a grammar cost ~55 ms of a ~0.26 s check.
CHECK_AND_SAY_LARK = """
import sys
from tinkc.cli import main
code = main(["check"])
print("exit", code, "lark", "lark" in sys.modules)
"""


def test_check_of_the_bundled_manifest_imports_no_lark() -> None:
    proc = subprocess.run([sys.executable, "-c", CHECK_AND_SAY_LARK], capture_output=True, text=True, check=False)
    last = proc.stdout.splitlines()[-1] if proc.stdout else proc.stderr
    assert last == "exit 0 lark False", last


_ARGVS = [
    ["check"],
    ["--debug", "--color", "never", "check", "m.yaml", "--format", "json"],
    ["--color=always", "build", "--target", "python,elixir", "--out", "o", "--skip-pass", "a", "--skip-pass", "b"],
    ["ir", "--dump-after", "naming", "--spans"],
    ["mock", "--port", "8080", "--scenario", "s.yaml"],
    ["conformance", "--target", "python", "--scenario", "x*"],
    ["fmt", "a.yaml", "b.yaml", "--check"],
    ["graph", "--out", "g.svg", "--flows"],
    ["init", "d"],
    ["targets"],
    ["schema"],
]


@pytest.mark.parametrize("argv", _ARGVS, ids=lambda a: " ".join(a))
def test_the_parser_of_the_command_run_alone_reads_what_the_whole_parser_reads(argv: list[str]) -> None:
    from tinkc.cli import build_parser, command_of

    assert command_of(argv) == next(a for a in argv if not a.startswith("-") and a not in ("never", "always"))
    assert vars(build_parser(command_of(argv)).parse_args(argv)) == vars(build_parser().parse_args(argv))


@pytest.mark.parametrize("command", ["check", "build", "ir", "fmt", "graph", "mock", "conformance", "init", "schema", "targets"])
def test_a_command_alone_has_the_help_and_errors_of_the_whole_parser(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    from tinkc.cli import COMMANDS, build_parser

    assert command in COMMANDS
    outputs = []
    for only in (None, command):
        for argv in ([command, "-h"], [command, "--no-such-option"]):
            with pytest.raises(SystemExit):
                build_parser(only).parse_args(argv)
            outputs.append(capsys.readouterr())
    assert outputs[:2] == outputs[2:]


@pytest.mark.parametrize(
    "argv",
    [[], ["-h"], ["--version"], ["--debug"], ["chek"], ["--deb", "check"], ["--col", "never", "check"], ["--color"]],
)
def test_help_the_version_and_unknown_or_abbreviated_words_go_to_the_whole_parser(argv: list[str]) -> None:
    from tinkc.cli import command_of

    assert command_of(argv) is None


def test_every_command_of_the_parser_is_known_to_command_of() -> None:
    import argparse

    from tinkc.cli import COMMANDS, build_parser

    (sub,) = (a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    assert tuple(sub.choices) == COMMANDS
