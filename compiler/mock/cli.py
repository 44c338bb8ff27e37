"""`tinkc mock` on the command line: serve until SIGINT or SIGTERM.

The one line on stdout, ``tinkc mock: listening on http://HOST:PORT (N endpoints)``, says the server
is ready; tests and SDK harnesses wait for it (with ``--port 0`` it names the port picked).
"""

from __future__ import annotations

import asyncio
import gc
import signal
import sys
from pathlib import Path

from tinkc.diagnostics import Sink, render_text, summary_line
from tinkc.ir.nodes import Api
from tinkc.mock.scenario import Scenario, ScenarioError, load_scenario
from tinkc.mock.server import MockServer

EXIT_OK, EXIT_ERRORS = 0, 1


def run(api: Api, *, host: str, port: int, scenario: str | None, color: bool = False) -> int:
    loaded: Scenario | None = None
    if scenario:
        try:
            loaded = load_scenario(Path(scenario), api)
        except ScenarioError as exc:
            sink = Sink()
            for d in exc.diagnostics:
                sink.report(d)
            sys.stderr.write(render_text(sink.items, exc.sources, color=color))
            sys.stderr.write(summary_line(sink) + "\n")
            return EXIT_ERRORS
    # `tinkc` turns the cyclic collector off for short compiles; a server runs for hours.
    gc.enable()
    return asyncio.run(_serve(api, host, port, loaded))


async def _serve(api: Api, host: str, port: int, scenario: Scenario | None) -> int:
    server = MockServer(api, scenario)
    try:
        await server.start(host, port)
    except OSError as exc:
        sys.stderr.write(f"tinkc mock: cannot listen on {host}:{port}: {exc.strerror or exc}\n")
        return EXIT_ERRORS
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError):  # not on this platform: Ctrl-C still interrupts
            pass
    print(f"tinkc mock: listening on {server.url} ({len(api.endpoints)} endpoints)", flush=True)
    try:
        await stop.wait()
    finally:
        await server.stop()
    sys.stderr.write("tinkc mock: stopped\n")
    return EXIT_OK
