"""The writer end to end, through `tinkc build`: hostile names in a manifest end in a positioned
diagnostic and nothing written anywhere; symlinks are never followed; a build killed with SIGKILL
at any phase leaves a tree that the next build (or :func:`tinkc.writer.recover`) turns into the
complete old or the complete new output, and a user's files are never touched.

The kill is exact, not timed: the child process runs the real CLI with one writer function wrapped
so that, on its n-th call, it writes a byte to a pipe and blocks; the test reads the byte (the child
is now parked at that point) and only then sends SIGKILL.
"""

from __future__ import annotations

import os
import select
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tinkc.buildcache import CACHE as BUILD_CACHE
from tinkc.cli import main
from tinkc.diagnostics import Sink
from tinkc.writer import JOURNAL, LOCK, recover

ROOT = Path(__file__).resolve().parent.parent
MINIMAL = (ROOT / "tests" / "fixtures" / "minimal" / "manifest.yaml").read_text(encoding="utf-8")


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["--color", "never", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def everything_under(directory: Path) -> dict[str, bytes | str]:
    """Every entry below ``directory`` (symlinks not followed): the files' bytes, "<dir>", "-> link".
    The no-op cache of `tinkc build` is left out: it records this machine's mtimes, not output. The
    writer's lock file is "<lock>": it holds the pid of the last build."""
    out: dict[str, bytes | str] = {}
    for dirpath, dirnames, filenames in os.walk(directory):
        for name in dirnames + [f for f in filenames if f != BUILD_CACHE]:
            path = Path(dirpath) / name
            rel = path.relative_to(directory).as_posix()
            if path.is_symlink():
                out[rel] = f"-> {os.readlink(path)}"
            else:
                out[rel] = "<dir>" if path.is_dir() else "<lock>" if name == LOCK else path.read_bytes()
    return out


# ---------------------------------------------------------------------------------------------
# Hostile module and package names, from the manifest

HOSTILE = {
    "parent": "../../escape",
    "absolute": "/tmp/escape",
    "drive": "C:\\escape",
    "drive-relative": "C:escape",
    "backslashes": "a\\..\\..\\escape",
    "nul": "esc\x00ape",
    "dot": ".",
    "dot-dot": "..",
    "dot-segments": "a/./../b",
    "very-long": "x" * 400,
    "unc": "\\\\server\\share",
}
# (the YAML that places the value, the diagnostic expected there)
PLACES = {
    "python.package": ("targets:\n  python: {package: VALUE}\n", "targets.bad-option"),
    "typescript.package": ("targets:\n  typescript: {package: VALUE}\n", "targets.bad-option"),
    "elixir.app": ("targets:\n  elixir: {app: VALUE}\n", "targets.bad-option"),
    "elixir.namespace": ("targets:\n  elixir: {namespace: VALUE}\n", "targets.bad-option"),
    "elixir.types_namespace": ("targets:\n  elixir: {types_namespace: VALUE}\n", "targets.bad-option"),
    "client module": ("clients:\n  c: {module: VALUE}\n", "client.bad-module"),
}
HEADER = "schema_version: 1\nservice: {name: svc}\n"


def yaml_string(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\x00", "\\0")
    return f'"{escaped}"'


@pytest.mark.parametrize("place", list(PLACES))
@pytest.mark.parametrize("value", list(HOSTILE))
def test_hostile_names_are_positioned_diagnostics_and_nothing_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], place: str, value: str
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    snippet, code = PLACES[place]
    manifest = work / "m.yaml"
    manifest.write_text(HEADER + snippet.replace("VALUE", yaml_string(HOSTILE[value])), encoding="utf-8")
    status, _, err = run(capsys, "build", str(manifest), "--target", "all", "--out", str(work / "out"))
    assert status == 1, err
    assert f"error[{code}]" in err or (value == "very-long" and "error[manifest.name-too-long]" in err), err
    assert "m.yaml:4:" in err  # positioned at the value (line 4 of every snippet)
    assert "Traceback" not in err and "internal error" not in err
    assert everything_under(tmp_path) == {"work": "<dir>", "work/m.yaml": manifest.read_bytes()}  # nothing written, anywhere


@pytest.mark.parametrize("value", list(HOSTILE))
def test_a_hostile_service_name_is_mapped_into_the_output(tmp_path: Path, capsys: pytest.CaptureFixture[str], value: str) -> None:
    """The service name is prose (`Tinker API`): package and module names derive from it by each
    target's naming rules, which keep only letters, digits and separators — or it is too long."""
    work = tmp_path / "work"
    work.mkdir()
    manifest = work / "m.yaml"
    manifest.write_text(
        f"schema_version: 1\nservice: {{name: {yaml_string(HOSTILE[value])}}}\nclients: {{c: {{}}}}\n"
        "endpoints: {c.get: {method: GET, path: /x}}\n",
        encoding="utf-8",
    )
    status, _, err = run(capsys, "build", str(manifest), "--target", "all", "--out", str(work / "out"), "--quiet")
    assert "Traceback" not in err and "internal error" not in err
    if value == "very-long":
        assert status == 1 and "error[manifest.name-too-long]" in err and "m.yaml:2:" in err
    else:
        assert status == 0, err
    written = everything_under(tmp_path)
    assert all(p == "work" or p.startswith("work/") for p in written)
    assert all(p in ("work", "work/m.yaml") or p.startswith("work/out") for p in written)


# ---------------------------------------------------------------------------------------------
# Symlinks, through the CLI


def test_cli_refuses_a_symlinked_output_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tmp_path / "out").symlink_to(elsewhere, target_is_directory=True)
    manifest = tmp_path / "m.yaml"
    manifest.write_text(MINIMAL, encoding="utf-8")
    status, _, err = run(capsys, "build", str(manifest), "--target", "python", "--out", str(tmp_path / "out"))
    assert status == 1 and "error[writer.symlink]" in err and everything_under(elsewhere) == {}


def test_cli_never_writes_through_a_symlinked_target_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "keep").write_text("precious")
    out = tmp_path / "out"
    out.mkdir()
    (out / "python").symlink_to(elsewhere, target_is_directory=True)
    manifest = tmp_path / "m.yaml"
    manifest.write_text(MINIMAL, encoding="utf-8")
    status, _, err = run(capsys, "build", str(manifest), "--target", "all", "--out", str(out))
    assert status == 1 and "error[writer.symlink]" in err
    assert everything_under(elsewhere) == {"keep": b"precious"}
    assert (out / "typescript" / "package.json").is_file()  # the other targets still land


# ---------------------------------------------------------------------------------------------
# SIGKILL at every phase of a build

OLD_MANIFEST = MINIMAL
# Changes some files, adds one (a type module), removes one (the `Species` type's) in the Elixir tree.
NEW_MANIFEST = (
    MINIMAL.replace("Fetch one pet.", "Fetch one pet, by id.")
    .replace("species: Species?", "species: string?")
    .replace("      species: Species\n", "      species: string\n")
    .replace("  Species:\n    enum: [dog, cat, bird]\n", "  Owner:\n    export: true\n    fields:\n      name: string\n")
)
assert NEW_MANIFEST.count("Species") == 0

CHILD = """
import os, sys, threading
from tinkc import writer
from tinkc.buildcache import CACHE as BUILD_CACHE
from tinkc.cli import main

fd, name, n = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
real, calls = getattr(writer, name), [0]

def parked(*args, **kwargs):
    if calls[0] == n:
        os.write(fd, b"!")  # the parent kills us now
        threading.Event().wait()
    calls[0] += 1
    return real(*args, **kwargs)

setattr(writer, name, parked)
sys.exit(main(sys.argv[4:]))
"""


def cli(*args: str) -> None:
    proc = subprocess.run([sys.executable, "-m", "tinkc.cli", *args], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr


def build_into(out: Path, manifest: Path) -> None:
    cli("build", str(manifest), "--target", "elixir", "--out", str(out), "--quiet")


@pytest.fixture(scope="module")
def references(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    base = tmp_path_factory.mktemp("kill-refs")
    old_m, new_m = base / "old.yaml", base / "new.yaml"
    old_m.write_text(OLD_MANIFEST, encoding="utf-8")
    new_m.write_text(NEW_MANIFEST, encoding="utf-8")
    trees = {}
    for name, manifests in (("old", [old_m]), ("new", [old_m, new_m])):
        out = base / name
        out.mkdir()
        (out / "NOTES.md").write_text("mine")
        for m in manifests:
            build_into(out, m)
        trees[name] = everything_under(out)
    assert trees["old"] != trees["new"]
    return {"old_m": old_m, "new_m": new_m, **trees}


def kill_build_at(out: Path, manifest: Path, name: str, n: int) -> None:
    read_end, write_end = os.pipe()
    try:
        proc = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(write_end), name, str(n), "build", str(manifest), "--target", "elixir", "--out", str(out)],
            pass_fds=(write_end,),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        os.close(write_end)
        # a guard against a child that neither parks nor exits, not a measurement
        ready, _, _ = select.select([read_end], [], [], 300)
        parked = bool(ready) and os.read(read_end, 1) == b"!"
        if not parked:
            proc.kill()
            _, err = proc.communicate()
            pytest.fail(f"the build never reached call {n} of {name}:\n{err.decode()}")
        proc.send_signal(signal.SIGKILL)
        proc.communicate()
        assert proc.returncode == -signal.SIGKILL
    finally:
        os.close(read_end)


KILL_POINTS = [
    ("_stage_file", 0, "old"),  # staging the first file
    ("_stage_file", 3, "old"),  # staging, some files already staged
    ("_commit", 0, "old"),  # staging done, about to commit
    ("_rename", 0, "new"),  # committed, nothing renamed yet
    ("_rename", 4, "new"),  # some files renamed
    ("_drop_journal", 0, "new"),  # everything done but the journal's deletion
]


@pytest.mark.parametrize(("name", "n", "outcome"), KILL_POINTS)
def test_sigkill_at_each_phase(tmp_path: Path, references: dict[str, object], name: str, n: int, outcome: str) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "NOTES.md").write_text("mine")
    build_into(out, references["old_m"])  # type: ignore[arg-type]
    kill_build_at(out, references["new_m"], name, n)  # type: ignore[arg-type]
    assert (out / JOURNAL).exists() and (out / "NOTES.md").read_text() == "mine"
    left = tmp_path / "left"
    shutil.copytree(out, left, symlinks=True)

    sink = Sink()
    assert recover(out, sink) == ("rolled-back" if outcome == "old" else "rolled-forward") and not sink.items
    assert everything_under(out) == references[outcome]

    # `tinkc build` does the same before it builds: with the old manifest, the old tree, whatever the phase
    build_into(left, references["old_m"])  # type: ignore[arg-type]
    assert everything_under(left) == references["old"]


# ---------------------------------------------------------------------------------------------
# Incremental builds, through the CLI


def stamps(directory: Path) -> dict[str, tuple[int, int]]:
    """(inode, mtime) of every entry, directories included (their mtime moves when an entry is
    created, renamed or deleted in them, a temporary file included). The lock file's mtime is left
    out (a build that compiles writes its pid into it), its inode is not."""
    out = {".": (os.lstat(directory).st_ino, os.lstat(directory).st_mtime_ns)}
    for rel in everything_under(directory):
        st = os.lstat(directory / rel)
        out[rel] = (st.st_ino, 0 if rel.endswith(LOCK) else st.st_mtime_ns)
    return out


def test_a_rebuild_of_every_target_with_nothing_changed_touches_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    status, _, err = run(capsys, "build", "--target", "all", "--out", str(out))
    assert status == 0, err
    before = stamps(out)
    assert any(p.endswith(".tinkc-generated.json") for p in before)
    # A target's own folder is left out of the comparison: it holds the no-op cache of `tinkc
    # build`, rewritten whenever tinkc's code changed since (other work in this checkout can do that).
    targets = {p for p, v in everything_under(out).items() if "/" not in p and v == "<dir>"}
    for forced in (False, True):  # answered by the no-op cache; then with the cache gone, by the writer
        if forced:
            for target in targets:
                (out / target / BUILD_CACHE).unlink(missing_ok=True)
        status, stdout, err = run(capsys, "build", "--target", "all", "--out", str(out))
        assert status == 0, err
        after = stamps(out)
        assert {p: v for p, v in after.items() if p not in targets} == {p: v for p, v in before.items() if p not in targets}
        if forced:
            lines = [line for line in stdout.splitlines() if "→" in line]
            assert len(lines) == len(targets) and all(" 0 written, " in line and " 0 removed " in line for line in lines), stdout


def test_a_changed_manifest_rewrites_only_what_changed(tmp_path: Path, references: dict[str, object]) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "NOTES.md").write_text("mine")
    build_into(out, references["old_m"])  # type: ignore[arg-type]
    before, old = stamps(out), everything_under(out)
    build_into(out, references["new_m"])  # type: ignore[arg-type]
    after, new = stamps(out), everything_under(out)
    assert new == references["new"]
    files = [p for p, v in old.items() if isinstance(v, bytes) and not p.endswith(".tinkc-generated.json")]
    kept = [p for p in files if new.get(p) == old[p]]
    changed = [p for p in files if p in new and new[p] != old[p]]
    removed = [p for p in files if p not in new]
    assert kept and changed and removed == ["lib/petstore/types/species.ex"]
    assert all(after[p] == before[p] for p in kept)  # not rewritten: same inode, same mtime
    assert all(after[p][0] != before[p][0] for p in changed)  # replaced by a rename
    assert "NOTES.md" in kept
