"""tinkc.cli.entry, the `tinkc` command: main(), then an exit without the interpreter's teardown that
still does what an exit must (exit handlers, flushed output, the exit status)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tinkc.pipeline import bundled_manifest


def _tinkc(*args: str, env: dict[str, str] | None = None, code: str | None = None) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-c", code, *args] if code else [sys.executable, "-m", "tinkc", *args]
    return subprocess.run(command, capture_output=True, text=True, env={**os.environ, **(env or {})}, check=False)


def test_output_and_exit_status_are_main_s() -> None:
    ok = _tinkc("check", str(bundled_manifest()))
    assert ok.returncode == 0 and ok.stdout.startswith("ok: ") and ok.stdout.endswith("clients\n")
    missing = _tinkc("check", "no-such-manifest.yaml")
    assert missing.returncode == 1 and "error[load.not-found]" in missing.stderr and missing.stderr.endswith("1 error\n")
    usage = _tinkc("build")
    assert usage.returncode == 2 and "--target" in usage.stderr


def test_the_exit_handlers_run(tmp_path: Path) -> None:
    """The attrs cache is saved by an exit handler: a first run into an empty cache directory leaves it."""
    cache = tmp_path / "cache"
    assert _tinkc("check", str(bundled_manifest()), env={"TINKC_CACHE_DIR": str(cache)}).returncode == 0
    assert list(cache.glob("attrs-*.marshal"))


AN_EXIT_HANDLER_PRINTS = """
import atexit, sys
from tinkc import cli
atexit.register(lambda: print("handler ran"))
sys.argv[1:] = ["check", sys.argv[1]]
cli.entry()
"""

A_THREAD_IS_LEFT = """
import sys, threading
from tinkc import cli
def late():
    threading.main_thread().join()  # still running when the main thread is done: the exit must wait for it
    print("thread finished", flush=True)
threading.Thread(target=late).start()
sys.argv[1:] = ["check", sys.argv[1]]
cli.entry()
"""


def test_what_an_exit_handler_prints_is_flushed() -> None:
    run = _tinkc(str(bundled_manifest()), code=AN_EXIT_HANDLER_PRINTS)
    assert run.returncode == 0 and run.stdout.endswith("clients\nhandler ran\n")


def test_a_running_thread_is_waited_for() -> None:
    run = _tinkc(str(bundled_manifest()), code=A_THREAD_IS_LEFT)
    assert run.returncode == 0 and run.stdout.endswith("thread finished\n")
