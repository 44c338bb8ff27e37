"""A small LSP client over a child process's stdin/stdout (JSON-RPC with Content-Length framing), to
drive `tinkc lsp` as an editor does: tests/test_lsp.py and bench/lsp_latency.py."""

from __future__ import annotations

import json
import queue
import subprocess
import threading
from pathlib import Path
from typing import Any, BinaryIO


def uri_of(path: Path) -> str:
    return path.resolve().as_uri()


def read_message(stream: BinaryIO) -> dict[str, Any] | None:
    """One framed message, or None at the end of the stream."""
    length = None
    while True:
        line = stream.readline()
        if not line:
            return None
        if line in (b"\r\n", b"\n"):
            break
        name, _, value = line.decode("ascii").partition(":")
        if name.strip().lower() == "content-length":
            length = int(value.strip())
    assert length is not None, "a message without Content-Length"
    body: dict[str, Any] = json.loads(stream.read(length))
    return body


class LspClient:
    def __init__(self, cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> None:
        self.proc = subprocess.Popen(cmd, cwd=cwd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        self.messages: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self._next_id = 0
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        while (message := read_message(self.proc.stdout)) is not None:
            self.messages.put(message)
        self.messages.put(None)  # the server closed its output

    def send(self, message: dict[str, Any]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode("utf-8")
        assert self.proc.stdin is not None
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def notify(self, method: str, params: dict[str, Any] | None = None) -> None:
        self.send({"method": method, **({"params": params} if params is not None else {})})

    def request(self, method: str, params: dict[str, Any] | None = None, timeout: float = 30) -> dict[str, Any]:
        self._next_id += 1
        ident = self._next_id
        self.send({"id": ident, "method": method, **({"params": params} if params is not None else {})})
        return self.wait(lambda m: m.get("id") == ident and "method" not in m, timeout)

    def wait(self, match: Any, timeout: float = 30) -> dict[str, Any]:
        """The next message ``match`` accepts (the ones before it are dropped); fails after ``timeout``
        seconds without one, or when the server stops."""
        while True:
            try:
                message = self.messages.get(timeout=timeout)
            except queue.Empty:
                raise AssertionError(f"no matching message from the server within {timeout} s") from None
            if message is None:
                assert self.proc.stderr is not None
                raise AssertionError(f"the server stopped: {self.proc.stderr.read().decode(errors='replace')[-3000:]}")
            if match(message):
                return message

    def drain(self, timeout: float = 30) -> list[dict[str, Any]]:
        """Every message the server sends before it answers a request sent now: the server handles
        messages in order, so these are all it had to say about what was sent before (a request of
        a method it does not have, answered with an error, is the marker)."""
        self._next_id += 1
        ident = self._next_id
        self.send({"id": ident, "method": "tinkc/barrier", "params": {}})
        before: list[dict[str, Any]] = []
        while True:
            message = self.wait(lambda m: True, timeout)
            if message.get("id") == ident and "method" not in message:
                return before
            before.append(message)

    def diagnostics(self, path: Path, timeout: float = 30) -> list[dict[str, Any]]:
        """The diagnostics of the next publishDiagnostics for ``path``."""
        uri = uri_of(path)
        message = self.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri, timeout)
        found: list[dict[str, Any]] = message["params"]["diagnostics"]
        return found

    def initialize(self, root: Path) -> dict[str, Any]:
        reply = self.request("initialize", {"processId": None, "rootUri": uri_of(root), "capabilities": {}})
        self.notify("initialized", {})
        return reply

    def open(self, path: Path, text: str | None = None, version: int = 1) -> None:
        language = "json" if path.suffix == ".json" else "yaml"
        body = path.read_text(encoding="utf-8") if text is None else text
        self.notify(
            "textDocument/didOpen", {"textDocument": {"uri": uri_of(path), "languageId": language, "version": version, "text": body}}
        )

    def change(self, path: Path, text: str, version: int) -> None:
        self.notify(
            "textDocument/didChange", {"textDocument": {"uri": uri_of(path), "version": version}, "contentChanges": [{"text": text}]}
        )

    def save(self, path: Path, text: str | None = None) -> None:
        self.notify("textDocument/didSave", {"textDocument": {"uri": uri_of(path)}, **({"text": text} if text is not None else {})})

    def close(self, path: Path) -> None:
        self.notify("textDocument/didClose", {"textDocument": {"uri": uri_of(path)}})

    def stop(self, timeout: float = 30) -> int:
        """shutdown, then exit: the server's exit status."""
        self.request("shutdown")
        self.notify("exit")
        code = self.proc.wait(timeout=timeout)
        for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            if stream is not None:
                stream.close()
        return code

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
