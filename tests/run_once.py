"""Expensive preparations (an SDK tree compiled with `mix compile` or `tsc`) made once per test run,
also when the run is spread over pytest-xdist workers (`make test` runs `-n 2`): the first worker to
ask builds, under a file lock, in a directory every worker of the run shares; the others wait for it
and reuse what it built. Without xdist it is the run's own temporary directory, so nothing is ever
reused from an earlier run (a tree built by other code is never trusted)."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tinkc.backends.base import DriverCommand


def run_directory(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory of this run that every xdist worker of it sees (the workers' temporary
    directories are siblings under the run's own)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def driver_once(tmp_path_factory: pytest.TempPathFactory, key: str, build: Callable[[Path], DriverCommand]) -> DriverCommand:
    """The driver `build(work)` prepares in `work` (a directory named by `key`), built by one process
    of the run and read back by the others. A build that raised leaves no record: the next process
    that asks builds again (and fails the same way, with the build's own error)."""
    shared = run_directory(tmp_path_factory) / "run-once"
    shared.mkdir(parents=True, exist_ok=True)
    record = shared / f"{key}.json"
    with open(shared / f"{key}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another worker may be building it right now
        if record.exists():
            data = json.loads(record.read_text(encoding="utf-8"))
            return DriverCommand(tuple(data["argv"]), Path(data["cwd"]), dict(data["env"]))
        work = shared / key
        shutil.rmtree(work, ignore_errors=True)  # what a build that raised left behind
        command = build(work)
        data = {"argv": list(command.argv), "cwd": str(command.cwd), "env": dict(command.env)}
        record.write_text(json.dumps(data), encoding="utf-8")  # written last: the build is complete
        return command
