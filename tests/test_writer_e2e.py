"""The writer end to end, through `tinkc build`: hostile names in a manifest end in a positioned
diagnostic and nothing written anywhere; symlinks are never followed; a build killed with SIGKILL
at any phase leaves a tree that the next build (or :func:`tinkc.writer.recover`) turns into the
complete old or the complete new output, and a user's files are never touched.

The kill is exact, not timed: the child process runs the real CLI with one writer function wrapped
so that, on its n-th call, it writes a byte to a pipe and blocks; the test reads the byte (the child
is now parked at that point) and only then sends SIGKILL. Beyond those six phases, builds are killed
at random points — before the writer's n-th change on disk (:func:`tinkc.writer._step`), n drawn
with a fixed seed from every change of the build — the child killing itself there.
"""

from __future__ import annotations

import json
import os
import random
import select
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tinkc import writer
from tinkc.backends.base import OutputFile
from tinkc.buildcache import CACHE as BUILD_CACHE
from tinkc.cli import main
from tinkc.diagnostics import Sink
from tinkc.writer import JOURNAL, LOCK, recover, write_tree

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


@pytest.mark.slow  # processes killed at many points
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
# SIGKILL at random points

# The child: kills itself (SIGKILL, nothing after runs) just before the writer's change number
# argv[1], in a build of the writer alone (argv[2] == "writer": into argv[3], the files of the JSON
# file argv[4]) or of the CLI (the rest of argv).
KILLER = """
import json, os, signal, sys
from tinkc import writer

n, calls = int(sys.argv[1]), [0]

def step(op, path):
    if calls[0] == n:
        os.kill(os.getpid(), signal.SIGKILL)
    calls[0] += 1

writer._step = step
if sys.argv[2] == "writer":
    from tinkc.backends.base import OutputFile
    from tinkc.diagnostics import Sink
    sink = Sink()
    writer.write_tree(sys.argv[3], [OutputFile(p, c) for p, c in json.loads(open(sys.argv[4]).read()).items()], sink)
    sys.exit(1 if sink.items else 0)
from tinkc.cli import main
sys.exit(main(sys.argv[3:]))
"""


def killed_at(n: int, *args: str) -> None:
    proc = subprocess.run([sys.executable, "-c", KILLER, str(n), *args], capture_output=True, text=True, check=False)
    assert proc.returncode == -signal.SIGKILL, f"not killed at change {n}: exit {proc.returncode}\n{proc.stderr}"


def changes(build: object) -> list[tuple[str, Path]]:
    """The writer's changes on disk, in order, during ``build()`` (in this process)."""
    seen: list[tuple[str, Path]] = []
    real = writer._step
    writer._step = lambda op, path: seen.append((op, Path(path)))
    try:
        build()  # type: ignore[operator]
    finally:
        writer._step = real
    return seen


def commit_of(seen: list[tuple[str, Path]], root: Path) -> int:
    """The index of the change that commits the build of ``root``."""
    [commit] = [i for i, (op, path) in enumerate(seen) if op == "commit" and path == root / JOURNAL]
    return commit


def sizable_trees() -> tuple[dict[str, str], dict[str, str]]:
    """Two generated trees of 288 and about 300 files in nested directories: the new one changes
    a third of the old files, removes one in six and a whole directory (pruned), adds files in new
    nested directories, and keeps the rest."""
    rng = random.Random(18)
    old = {f"pkg/m{d}/s{s}/f{f}.txt": f"{d}/{s}/{f}\n" * rng.randint(0, 600) for d in range(12) for s in range(3) for f in range(8)}
    new: dict[str, str] = {}
    for path, content in old.items():
        r = rng.random()
        if path.startswith("pkg/m0/") or r < 0.16:
            continue
        new[path] = content + "changed\n" if r < 0.5 else content
    new.update({f"pkg/new{d}/deep/n{f}.txt": f"new {d} {f}\n" * rng.randint(1, 300) for d in range(3) for f in range(10)})
    return old, new


def as_files(spec: dict[str, str]) -> list[OutputFile]:
    return [OutputFile(path, content) for path, content in spec.items()]


RANDOM_KILLS = 30  # killed builds of the writer alone, at distinct changes (see writer_kills)


@pytest.fixture(scope="module")
def writer_kills(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    base = tmp_path_factory.mktemp("random-kills")
    old_spec, new_spec = sizable_trees()
    (base / "new.json").write_text(json.dumps(new_spec), encoding="utf-8")
    trees = {}
    for name, specs in (("old", [old_spec]), ("new", [old_spec, new_spec])):
        out = base / name
        out.mkdir()
        (out / "NOTES.md").write_text("mine")
        for spec in specs:
            sink = Sink()
            write_tree(out, as_files(spec), sink)
            assert not sink.items
        trees[name] = everything_under(out)
    counted = base / "counted"
    shutil.copytree(base / "old", counted, symlinks=True)
    seen = changes(lambda: write_tree(counted, as_files(new_spec), Sink()))
    assert everything_under(counted) == trees["new"]
    commit = commit_of(seen, counted)
    # the commit and the change after it, the first and the last change of each kind (the rare ones
    # — a sync, a new or pruned folder — would seldom be drawn), and points drawn among the others
    kinds: dict[str, list[int]] = {}
    for index, (op, _) in enumerate(seen):
        kinds.setdefault(op, []).append(index)
    ends = {commit, commit + 1} | {at[0] for at in kinds.values()} | {at[-1] for at in kinds.values()}
    drawn = random.Random(1818).sample(sorted(set(range(len(seen))) - ends), RANDOM_KILLS - len(ends))
    return {"base": base, "new_spec": new_spec, "commit": commit, "points": sorted(ends | set(drawn)), "changes": len(seen), **trees}


@pytest.mark.slow  # processes killed at many points
@pytest.mark.parametrize("i", range(RANDOM_KILLS))
def test_a_build_killed_at_a_random_point_is_the_old_or_the_new_tree_never_a_mix(
    tmp_path: Path, writer_kills: dict[str, object], i: int
) -> None:
    n = writer_kills["points"][i]  # type: ignore[index]
    out = tmp_path / "out"
    shutil.copytree(writer_kills["base"] / "old", out, symlinks=True)  # type: ignore[operator]
    killed_at(n, "writer", str(out), str(writer_kills["base"] / "new.json"))  # type: ignore[operator]
    outcome = "old" if n <= writer_kills["commit"] else "new"  # type: ignore[operator]
    sink = Sink()
    done = recover(out, sink)
    assert not sink.items and done == (None if n == 0 else "rolled-back" if outcome == "old" else "rolled-forward")
    assert everything_under(out) == writer_kills[outcome], f"killed at change {n} of {writer_kills['changes']}"
    report = write_tree(out, as_files(writer_kills["new_spec"]), sink)  # type: ignore[arg-type]
    assert not sink.items and everything_under(out) == writer_kills["new"]
    assert bool(report.written) == (outcome == "old")


def output_of(directory: Path) -> dict[str, bytes | str]:
    """A target's output: the no-op cache's file left out, and its temporary file too (a build
    killed while recording its cache leaves it; the next record replaces it)."""
    return {k: v for k, v in everything_under(directory).items() if not k.endswith(f".tinkc-{BUILD_CACHE}.tmp")}


CLI_KILLS = 3  # each a whole `tinkc build --target all`: few


@pytest.mark.slow  # processes killed at many points
def test_tinkc_build_of_every_target_killed_at_random_points(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bundled manifest, then a version that moves every Python and Elixir type module (other
    package and namespace) and changes the rest: each target's directory is its own unit, so after
    a kill the targets whose build had committed are complete and new, the others complete and old.
    The targets are written one after the other (TINKC_JOBS=1), so a change's position says which
    targets had committed; side by side each target's tree is the same unit of its own."""
    monkeypatch.setenv("TINKC_JOBS", "1")
    manifests = tmp_path / "manifests"
    shutil.copytree(ROOT / "manifests", manifests, ignore=shutil.ignore_patterns("__pycache__", "__init__.py"))
    old_m, new_m = manifests / "tinker.yaml", manifests / "tinker-next.yaml"
    text = old_m.read_text(encoding="utf-8")
    for before, after in (
        ('\n  version: "0.38.0"', '\n  version: "0.39.0"'),
        ("types_namespace: Tinkex.Types", "types_namespace: Tinkex.Model"),
        ("{package: tinker_sdk}", "{package: tinker_api}"),
    ):
        assert text.count(before) == 1
        text = text.replace(before, after)
    new_m.write_text(text, encoding="utf-8")

    def build(out: Path, manifest: Path) -> None:
        status, _, err = run(capsys, "build", str(manifest), "--target", "all", "--out", str(out), "--quiet")
        assert status == 0, err

    old, new = tmp_path / "old", tmp_path / "new"
    build(old, old_m)
    shutil.copytree(old, new, symlinks=True)
    seen = changes(lambda: build(new, new_m))
    targets = sorted(p.name for p in old.iterdir())
    refs = {name: {t: output_of(d / t) for t in targets} for name, d in (("old", old), ("new", new))}
    assert all(refs["old"][t] != refs["new"][t] for t in targets if t != "ir")
    commits = {t: commit_of(seen, new / t) for t in targets}  # by position: the same in any copy of `old`
    for n in sorted(random.Random(18).sample(range(len(seen)), CLI_KILLS)):
        out = tmp_path / f"killed-{n}"
        shutil.copytree(old, out, symlinks=True)
        killed_at(n, "cli", "build", str(new_m), "--target", "all", "--out", str(out), "--quiet")
        for t in targets:
            sink = Sink()
            recover(out / t, sink)
            assert not sink.items
            outcome = "new" if commits[t] < n else "old"
            assert output_of(out / t) == refs[outcome][t], f"{t}: killed at change {n} of {len(seen)}, expected the {outcome} tree"


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
