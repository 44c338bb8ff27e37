"""The output directory's lock (compiler/writer.py, "The lock"): a second build into a directory
another build is writing waits for it, or fails naming the directory and the other build's pid;
it never plans against a half-written tree, never "recovers" a live build's journal, and a killed
holder never leaves a stale lock.

Every race here is arranged, not timed: the other build is a child process that holds the lock (or
is parked inside its own build, holding it) and says so through a pipe before the test goes on; a
build that must wait announces its first wait through the writer's sleep, which the test replaces.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tinkc import writer
from tinkc.backends.base import OutputFile
from tinkc.buildcache import CACHE as BUILD_CACHE
from tinkc.diagnostics import Sink
from tinkc.writer import JOURNAL, LOCK, LOCK_TIMEOUT_ENV, recover, replace_own_file, write_tree

ROOT = Path(__file__).resolve().parent.parent
MINIMAL = (ROOT / "tests" / "fixtures" / "minimal" / "manifest.yaml").read_text(encoding="utf-8")
GUARD = 300  # seconds: a bound on a child that never answers (a hang would fail, not pass), never a measurement


def files(**contents: str) -> list[OutputFile]:
    return [OutputFile(k.replace("__", "/"), v) for k, v in contents.items()]


OLD = files(a="old a", b="same b", sub__c="old c", sub__d="old d")
NEW = files(a="new a", b="same b", sub__c="new c", fresh__f="new f")
NEWER = files(a="newer a", b="same b", sub__c="new c", fresh__f="new f", g="newer g")


def tree(root: Path) -> dict[str, bytes | str]:
    """Every entry under ``root``; the lock file as "<lock>" (it holds the pid of the last build)."""
    out: dict[str, bytes | str] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            rel = path.relative_to(root).as_posix()
            out[rel] = "<dir>" if path.is_dir() else "<lock>" if rel == LOCK else path.read_bytes()
    return out


def built(root: Path, *builds: list[OutputFile]) -> Path:
    for b in builds:
        sink = Sink()
        write_tree(root, b, sink)
        assert not sink.items, sink.items
    return root


# A child process that takes the lock of argv[1] (or runs a whole build, parked at its first writer
# step named argv[3]), writes "!" to the pipe argv[2], and holds on until its stdin is closed. A
# build whose step never comes says "!" when it is done, and waits the same way.
CHILD = """
import json, os, sys
from tinkc import writer
from tinkc.backends.base import OutputFile
from tinkc.diagnostics import Sink

out, fd, park = sys.argv[1], int(sys.argv[2]), sys.argv[3]
said = []

def parked():
    said.append(True)
    os.write(fd, b"!")
    sys.stdin.read()  # until the test closes it

if park == "lock":
    with writer.locked(out, timeout=0):
        parked()
    sys.exit(0)
real = writer._step
def step(op, path):
    if op == park:
        writer._step = real
        parked()
writer._step = step
sink = Sink()
report = writer.write_tree(out, [OutputFile(p, c) for p, c in json.loads(sys.argv[4]).items()], sink)
if not said:
    parked()
print(json.dumps({"written": sorted(report.written), "diagnostics": [d.message for d in sink.items]}))
"""


@contextlib.contextmanager
def other_build(out: Path, park: str = "lock", build: list[OutputFile] | None = None) -> Iterator[subprocess.Popen[bytes]]:
    """A child holding the lock of ``out`` (parked at ``park``) until the block closes its stdin."""
    read_end, write_end = os.pipe()
    spec = json.dumps({f.path: f.content for f in build or []})
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(out), str(write_end), park, spec],
        pass_fds=(write_end,),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    os.close(write_end)
    try:
        ready, _, _ = select.select([read_end], [], [], GUARD)
        if not (ready and os.read(read_end, 1) == b"!"):
            proc.kill()
            pytest.fail(f"the other build never took the lock:\n{proc.communicate()[1].decode()}")
        yield proc
    finally:
        os.close(read_end)
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


def let_go(proc: subprocess.Popen[bytes]) -> dict[str, list[str]]:
    """Unpark the other build; what it reported."""
    out, err = proc.communicate(timeout=GUARD)
    assert proc.returncode == 0, err.decode()
    return json.loads(out) if out.strip() else {}


def locked_message(shown: str, pid: int, waited: str = "did not wait for it") -> str:
    return f"`{shown}` is locked by another tinkc build (pid {pid}); {waited}, and nothing was changed"


# ---------------------------------------------------------------------------------------------
# Failing: the message


def test_a_build_into_a_locked_directory_fails_naming_it_and_the_other_builds_pid(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = built(tmp_path / "out", OLD)
    before = tree(out)
    monkeypatch.setenv(LOCK_TIMEOUT_ENV, "0")
    with other_build(out) as holder:
        sink = Sink()
        report = write_tree(out, NEW, sink)
        [diagnostic] = sink.items
        assert diagnostic.code == "writer.locked"
        assert diagnostic.message == locked_message(str(out), holder.pid)
        assert diagnostic.hint == (
            f"let that build finish and build again; {LOCK_TIMEOUT_ENV}=SECONDS sets how long to wait "
            f"(the lock, `{out}/{LOCK}`, is released as soon as that process ends, even when it is killed)"
        )
        assert report.written == report.unchanged == report.removed == [] and tree(out) == before


def test_the_wait_is_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The other build never finishes here: the outcome is certain, only its time is not."""
    out = built(tmp_path / "out", OLD)
    monkeypatch.setenv(LOCK_TIMEOUT_ENV, "0.2")
    with other_build(out) as holder:
        sink = Sink()
        write_tree(out, NEW, sink)
        assert [d.message for d in sink.items] == [locked_message(str(out), holder.pid, "waited 0.2 s for it")]


def test_the_cli_says_which_build_holds_the_directory(tmp_path: Path) -> None:
    manifest = tmp_path / "m.yaml"
    manifest.write_text(MINIMAL, encoding="utf-8")
    out = tmp_path / "out"
    env = {**os.environ, LOCK_TIMEOUT_ENV: "0"}
    command = [sys.executable, "-m", "tinkc.cli", "--color", "never", "build", str(manifest), "--target", "python", "--out", str(out)]
    first = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    assert first.returncode == 0, first.stderr
    manifest.write_text(MINIMAL.replace("Fetch one pet.", "Fetch one pet, by id."), encoding="utf-8")  # not a no-op
    before = tree(out)
    with other_build(out) as holder:
        proc = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert f"error[writer.locked]: {locked_message(str(out), holder.pid)}\n" in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr
    assert {k: v for k, v in tree(out).items() if k != BUILD_CACHE} == {k: v for k, v in before.items() if k != BUILD_CACHE}


# ---------------------------------------------------------------------------------------------
# Waiting, and never interleaving


def announce_waits(monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    """An event set when a build first waits for the lock (it found it held and sleeps)."""
    waiting = threading.Event()
    real = writer._sleep

    def sleep(seconds: float) -> None:
        waiting.set()
        real(seconds)

    monkeypatch.setattr(writer, "_sleep", sleep)
    monkeypatch.setenv(LOCK_TIMEOUT_ENV, str(GUARD))
    return waiting


def in_thread(target: object) -> tuple[threading.Thread, dict[str, object]]:
    result: dict[str, object] = {}

    def run() -> None:
        result["value"] = target()  # type: ignore[operator]

    thread = threading.Thread(target=run)
    thread.start()
    return thread, result


def test_a_second_build_waits_for_the_lock_then_builds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = built(tmp_path / "out", OLD)
    old, new = tree(out), tree(built(tmp_path / "ref", OLD, NEW))
    waiting = announce_waits(monkeypatch)
    sink = Sink()
    with other_build(out) as holder:
        thread, result = in_thread(lambda: write_tree(out, NEW, sink))
        assert waiting.wait(GUARD)
        assert tree(out) == old  # it waits, and has touched nothing
        let_go(holder)
        thread.join(GUARD)
    assert not thread.is_alive() and not sink.items
    assert sorted(result["value"].written) == ["a", "fresh/f", "sub/c"]  # type: ignore[attr-defined]
    assert tree(out) == new


def test_two_builds_racing_never_interleave(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Build A (a child) is parked after its commit, its journal committed and nothing renamed yet,
    holding the lock. Build B must neither recover A's journal under it (the writer without a lock
    rolled it forward) nor plan against A's half-applied tree: B waits, then builds over A's
    complete output — as if A had run first, then B."""
    out = built(tmp_path / "out", OLD)
    old, sequential = tree(out), tree(built(tmp_path / "ref", OLD, NEW, NEWER))
    waiting = announce_waits(monkeypatch)
    with other_build(out, park="rename", build=NEW) as a:
        committed = json.loads((out / JOURNAL).read_text())
        assert committed["state"] == "committed"
        left = tree(out)
        sink = Sink()
        assert recover(out, sink) is None and not sink.items  # A's journal is A's: left alone
        assert tree(out) == left
        thread, result = in_thread(lambda: write_tree(out, NEWER, sink))
        assert waiting.wait(GUARD)
        assert tree(out) == left  # B waits
        files_only = lambda t: {k: v for k, v in t.items() if ".tinkc-" not in k and v != "<dir>"}  # noqa: E731
        assert files_only(left) == files_only(old)  # staged, not one file renamed yet
        assert let_go(a) == {"written": ["a", "fresh/f", "sub/c"], "diagnostics": []}
        thread.join(GUARD)
    assert not thread.is_alive() and not sink.items
    b = result["value"]
    assert sorted(b.written) == ["a", "g"] and sorted(b.unchanged) == ["b", "fresh/f", "sub/c"]  # type: ignore[attr-defined]
    assert tree(out) == sequential


def test_a_killed_holder_leaves_no_stale_lock(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = built(tmp_path / "out", OLD)
    monkeypatch.setenv(LOCK_TIMEOUT_ENV, "0")  # no waiting: the lock must be free at once
    with other_build(out) as holder:
        holder.send_signal(signal.SIGKILL)
        holder.communicate()
    sink = Sink()
    assert sorted(write_tree(out, NEW, sink).written) == ["a", "fresh/f", "sub/c"] and not sink.items


# ---------------------------------------------------------------------------------------------
# The lock file is the writer's own


def test_the_lock_file_is_never_reported_removed_or_replaced(tmp_path: Path) -> None:
    out = tmp_path / "out"
    reports = [write_tree(out, b, Sink()) for b in (OLD, NEW, [], OLD, OLD)]
    inode = os.lstat(out / LOCK).st_ino
    for report in reports:
        assert all(LOCK not in paths for paths in (report.written, report.unchanged, report.removed, report.refused))
    assert reports[2].removed and tree(out) == tree(built(tmp_path / "ref", OLD))
    assert os.lstat(out / LOCK).st_ino == inode  # locked in place, never renamed over
    # a finished build empties it: the tree is byte-identical whoever built it (the pid is there only
    # while a build holds the lock, for the message of one that waits)
    assert (out / LOCK).read_text() == ""


def test_a_symlinked_lock_file_is_refused_not_followed(tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.write_text("precious")
    out = built(tmp_path / "out", OLD)
    (out / LOCK).unlink()
    (out / LOCK).symlink_to(victim)
    before = tree(out)
    sink = Sink()
    write_tree(out, NEW, sink)
    assert [d.code for d in sink.items] == ["writer.symlink"] and f"`{out}/{LOCK}` is a symlink" in sink.items[0].message
    assert victim.read_text() == "precious" and tree(out) == before


def test_an_unusable_lock_timeout_is_a_warning(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(LOCK_TIMEOUT_ENV, "soon")
    sink = Sink()
    write_tree(tmp_path / "out", OLD, sink)
    assert [(d.code, d.message) for d in sink.items] == [
        ("writer.lock-timeout", f"{LOCK_TIMEOUT_ENV}='soon' is not a number of seconds; waiting up to 10 s")
    ]


# ---------------------------------------------------------------------------------------------
# The build cache's file: written for this process's own build only


def test_bookkeeping_is_not_recorded_over_another_builds_tree(tmp_path: Path) -> None:
    """`tinkc build` records its cache after the writer let go of the lock: if another build wrote
    the tree in between, the cache would call that build's files this build's output."""
    out = built(tmp_path / "out", OLD)
    assert replace_own_file(out, BUILD_CACHE, "mine\n") and (out / BUILD_CACHE).read_text() == "mine\n"
    (out / BUILD_CACHE).unlink()
    with other_build(out, park="never", build=NEW) as other:  # a whole build, never parked
        let_go(other)
    assert not replace_own_file(out, BUILD_CACHE, "stale\n") and not (out / BUILD_CACHE).exists()
    built(out, NEW)  # this process's own build again (nothing to write): its view is current
    assert replace_own_file(out, BUILD_CACHE, "mine\n")


def test_bookkeeping_is_not_written_while_another_build_holds_the_lock(tmp_path: Path) -> None:
    out = built(tmp_path / "out", OLD)
    with other_build(out) as holder:
        assert not replace_own_file(out, BUILD_CACHE, "x\n") and not (out / BUILD_CACHE).exists()
        let_go(holder)
    assert replace_own_file(out, BUILD_CACHE, "x\n")
