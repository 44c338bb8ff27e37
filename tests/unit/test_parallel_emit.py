"""pipeline._emit_and_write_all: targets emitted in forked children give what one process gives,
and a child's failure reaches the caller (after every child is reaped)."""

from __future__ import annotations

import os
from typing import Any

import pytest

from tinkc import pipeline
from tinkc.writer import WriteReport

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="forks")


class _Unpicklable(Exception):
    def __init__(self, what: str, _extra: Any) -> None:  # two arguments: pickle cannot rebuild it from args
        super().__init__(what)

    def __reduce__(self) -> Any:
        raise TypeError("not picklable")


def _fake_emit(name: str) -> tuple[WriteReport, list[Any], list[str]]:
    if name.startswith("fail"):
        raise RuntimeError(f"{name} failed in {os.getpid()}")
    if name.startswith("odd"):
        raise _Unpicklable(f"{name} is odd", object())
    return WriteReport(written=[f"{name}/a", f"{name}/b"]), [], [f"{name}/a", f"{name}/b", str(os.getpid())]


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pipeline, "_emit_and_write", _fake_emit)
    monkeypatch.setitem(pipeline._FORKED, "backends", {})


def _run(monkeypatch: pytest.MonkeyPatch, names: list[str], jobs: int) -> dict[str, Any]:
    monkeypatch.setenv("TINKC_JOBS", str(jobs))
    monkeypatch.setattr(pipeline, "_FORKED", {"backends": {n: type("B", (), {"shared_imports": ()}) for n in names}})
    return pipeline._emit_and_write_all(names)


@pytest.mark.parametrize("jobs", [1, 2, 3, 4])
def test_every_target_comes_back_in_order_whatever_the_number_of_processes(monkeypatch: pytest.MonkeyPatch, fake: None, jobs: int) -> None:
    names = ["t1", "t2", "t3", "t4"]
    outcomes = _run(monkeypatch, names, jobs)
    assert list(outcomes) == names
    for name in names:
        report, diagnostics, files = outcomes[name]
        assert report.written == [f"{name}/a", f"{name}/b"] and diagnostics == [] and files[:2] == [f"{name}/a", f"{name}/b"]
    pids = {outcomes[n][2][2] for n in names}
    assert outcomes["t1"][2][2] == str(os.getpid())  # the first target: this process
    assert len(pids) == jobs  # the others: one child each, or dealt out over fewer children


def test_a_child_exception_is_raised_here(monkeypatch: pytest.MonkeyPatch, fake: None) -> None:
    with pytest.raises(RuntimeError, match="fail2 failed in"):
        _run(monkeypatch, ["t1", "fail2", "t3"], 3)


def test_an_exception_that_does_not_pickle_comes_back_as_its_traceback(monkeypatch: pytest.MonkeyPatch, fake: None) -> None:
    with pytest.raises(pipeline.EmitterFailed, match="odd2 is odd"):
        _run(monkeypatch, ["t1", "odd2"], 2)


def test_the_first_target_failing_still_reaps_the_children(monkeypatch: pytest.MonkeyPatch, fake: None) -> None:
    real_fork = os.fork
    children: list[int] = []

    def fork() -> int:
        pid = real_fork()
        if pid:
            children.append(pid)
        return pid

    monkeypatch.setattr(os, "fork", fork)
    with pytest.raises(RuntimeError, match="fail1"):
        _run(monkeypatch, ["fail1", "t2"], 2)
    assert children
    for pid in children:  # each child of this build reaped (the test process may have others)
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)


def test_a_fork_that_fails_leaves_its_targets_to_this_process(monkeypatch: pytest.MonkeyPatch, fake: None) -> None:
    real_fork = os.fork
    forks = []

    def fork() -> int:
        if forks:  # the second fork fails
            raise BlockingIOError(11, "Resource temporarily unavailable")
        forks.append(1)
        return real_fork()

    monkeypatch.setattr(os, "fork", fork)
    outcomes = _run(monkeypatch, ["t1", "t2", "t3"], 3)
    assert list(outcomes) == ["t1", "t2", "t3"]
    assert outcomes["t1"][2][2] == outcomes["t3"][2][2] == str(os.getpid()) != outcomes["t2"][2][2]
