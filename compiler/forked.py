"""What tinkc's forked processes (the loading process of :mod:`tinkc.frontend.loadahead`, the
build's emitters in :mod:`tinkc.pipeline`) share: waiting for one to end."""

from __future__ import annotations

import os


def reap(pid: int) -> str:
    """Wait for the child ``pid`` to end; how it ended, said for a message. A process that started
    tinkc with SIGCHLD ignored (the setting survives ``exec``) has the system reap tinkc's children
    as they end: there is then nothing to wait for, and the data the child sent tells the rest."""
    try:
        _, status = os.waitpid(pid, 0)
    except ChildProcessError:
        return "was reaped by the system (SIGCHLD is ignored)"
    if os.WIFSIGNALED(status):
        return f"was ended by signal {os.WTERMSIG(status)}"
    return f"ended with exit status {os.waitstatus_to_exitcode(status)}"
