"""`tinkc mock` on the command line: the ready line, a request, a clean stop on SIGTERM/SIGINT, and
exit status 1 for a bad manifest, a bad scenario or a port in use."""

from __future__ import annotations

import re
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

import httpx
import pytest
from mock_support import KEY

from tinkc.cli import main

READY = re.compile(r"tinkc mock: listening on (http://127\.0\.0\.1:(\d+)) \((\d+) endpoints\)\n\Z")


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_cli_serves_until_signalled(tmp_path: Path, stop: signal.Signals) -> None:
    scenario = tmp_path / "s.yaml"
    scenario.write_text("responses:\n  service.healthz: [{status: 503}]\n")
    proc = subprocess.Popen(
        [sys.executable, "-m", "tinkc", "mock", "--port", "0", "--scenario", str(scenario)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    watchdog = threading.Timer(60, proc.kill)  # never hang the suite on a server that does not start
    watchdog.start()
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        ready = READY.match(line)
        assert ready, line + (proc.stderr.read() if proc.poll() is not None and proc.stderr else "")
        url = ready.group(1)
        assert int(ready.group(2)) > 0 and int(ready.group(3)) > 40
        with httpx.Client(base_url=url, headers=KEY) as client:
            assert client.get("/api/v1/healthz").status_code == 503
            assert client.get("/api/v1/healthz").json() == {"status": "ok"}
        proc.send_signal(stop)
        out, err = proc.communicate(timeout=30)
        assert proc.returncode == 0, err
        assert out == "" and "tinkc mock: stopped" in err
    finally:
        watchdog.cancel()
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_cli_bad_scenario_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    scenario = tmp_path / "bad.yaml"
    scenario.write_text("responses:\n  service.healthzz: [{status: 503}]\n")
    assert main(["--color", "never", "mock", "--scenario", str(scenario)]) == 1
    err = capsys.readouterr().err
    assert "error[scenario.unknown-endpoint]" in err and "did you mean `service.healthz`?" in err
    assert "2 |   service.healthzz: [{status: 503}]" in err
    assert err.splitlines()[-1] == "1 error"


def test_cli_bad_manifest_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    manifest = tmp_path / "m.yaml"
    manifest.write_text("schema_version: 1\nservice: {name: x}\nendpoints:\n  a.b: {method: GET, path: /b, response: Missing}\n")
    assert main(["--color", "never", "mock", str(manifest)]) == 1
    assert "error[ref.unknown-type]" in capsys.readouterr().err


def test_cli_port_in_use_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["mock", "--port", str(port)]) == 1
    assert f"cannot listen on 127.0.0.1:{port}" in capsys.readouterr().err
