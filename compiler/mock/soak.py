"""The soak: a generated SDK under random faults and load, against `tinkc mock` (docs/conformance.md,
"The soak"). `make soak` runs the long version (bench/soak.py); tests/soak/test_soak.py a short one.

Per target, the runner builds the SDK of the bundled Tinker manifest into a scratch directory, starts
`tinkc mock` in its own process and the SDK's conformance driver in another, and sends the driver one
request: open a service client (and from it a REST, a training and a sampling client) while the
server is calm, then load the fault scenario and run the calls in rounds (`batch` entries), at most
`concurrency` at once, each call with a unique tag (`soak-<n>`) in its request so that the server can
tell one logical call from another. Then it checks:

* every call ended in its result or a documented error kind (`lost` counts the others: a call the
  driver never reported, or one that crashed);
* no call ran past `call_timeout_sec` (the driver reports it as `hang`; the runner also kills a
  driver that outlives its whole deadline and counts every unreported call as hung);
* the server executed no logical call twice (`GET /__tinkc/idempotency` → duplicates);
* the driver process's memory is flat: its resident set (the process tree's, from /proc) is read
  after each round; growth from the end of the first round (code loaded, pools and caches full) to
  the end must stay within `rss_allowance` (see :func:`memory_flat`).

The mock is a process of its own so that its work does not share a core or an interpreter lock
with the runner, and the SDK is a fresh `tinkc build` so that an installed tinkc can soak a
third-party backend just as well (a backend needs only its conformance driver).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
import httpx

# Error kinds a call may end in (docs/conformance.md, "Outcomes"): anything else is a lost call.
DOCUMENTED_ERRORS = frozenset(
    {
        "configuration",
        "bad_request",
        "authentication",
        "permission_denied",
        "not_found",
        "conflict",
        "unprocessable",
        "rate_limit",
        "server",
        "status",
        "timeout",
        "connection",
        "request_failed",
        "response_validation",
    }
)
TAG = "soak-[0-9]+"  # the mock's idempotency.call_tag: the tag of each logical call
MIB = 1024


@attrs.frozen(kw_only=True)
class SoakConfig:
    """How big a soak is. ``time_scale`` scales every wait the SDK makes by the manifest's numbers
    (retry backoff, Retry-After, backpressure, heartbeats, telemetry); HTTP timeouts are not scaled."""

    calls: int = 4000
    concurrency: int = 200
    rounds: int = 8
    seed: int = 1
    rate: float = 0.15  # the probability that a request gets a fault
    time_scale: float = 0.01
    # short enough that the slowest injected answers (slow_ms) outlast it: some requests time out,
    # are retried under their idempotency key, and the server must not execute them twice
    request_timeout_sec: float = 1.5
    call_timeout_sec: float = 120.0  # a call unsettled after this is a hang
    api_key: str = "tml-soak"
    # memory: the growth allowed after the first round, as a share of the RSS then plus a constant
    rss_growth_share: float = 0.25
    rss_growth_kib: int = 48 * MIB


@attrs.define
class SoakReport:
    target: str
    calls: int = 0
    ok: int = 0
    errors: Counter[str] = attrs.field(factory=Counter)
    lost: int = 0
    hangs: int = 0
    duplicates: int = 0
    faults: dict[str, int] = attrs.field(factory=dict)
    rss_kib: list[tuple[str, int]] = attrs.field(factory=list)
    rss_allowed_kib: int | None = None
    max_outstanding: int = 0
    server_max_in_flight: int = 0
    requests: int = 0
    replays: int = 0
    wall_sec: float = 0.0
    problems: list[str] = attrs.field(factory=list)  # the run itself went wrong (setup failed, driver died)
    lost_examples: list[Any] = attrs.field(factory=list)

    @property
    def memory_flat(self) -> bool:
        return self.rss_allowed_kib is not None and bool(self.rss_kib) and self.rss_kib[-1][1] <= self.rss_allowed_kib

    @property
    def passed(self) -> bool:
        return not self.problems and self.lost == 0 and self.hangs == 0 and self.duplicates == 0 and self.memory_flat

    def lines(self) -> list[str]:
        faults = ", ".join(f"{k} {v}" for k, v in sorted(self.faults.items()))
        errors = ", ".join(f"{k} {v}" for k, v in sorted(self.errors.items())) or "none"
        rss = " → ".join(f"{label} {kib / MIB:.1f}" for label, kib in self.rss_kib)
        out = [
            f"{self.target}: {'PASS' if self.passed else 'FAIL'}",
            f"  calls made       {self.calls} (ok {self.ok}; documented errors: {errors})",
            f"  concurrency      {self.max_outstanding} calls at once in the SDK, {self.server_max_in_flight} requests at once on the server",
            f"  faults injected  {sum(self.faults.values())} of {self.requests} requests ({faults})",
            f"  calls lost       {self.lost}",
            f"  duplicates       {self.duplicates} (server-side executions of one logical call; {self.replays} retries answered from the stored result)",
            f"  hangs            {self.hangs}",
            f"  RSS MiB          {rss} (allowed at the end: {(self.rss_allowed_kib or 0) / MIB:.1f}; "
            f"{'flat' if self.memory_flat else 'NOT flat'})",
            f"  time             {self.wall_sec:.1f} s",
        ]
        out += [f"  problem: {p}" for p in self.problems]
        out += [f"  lost call: {json.dumps(e)[:300]}" for e in self.lost_examples]
        return out


def memory_flat_limit(first_round_kib: int, config: SoakConfig) -> int:
    """The largest RSS the driver may end with. After the first round the SDK has loaded its code,
    opened its connections and filled its caches; every later round does the same work again, so a
    process without a leak plateaus there. Garbage-collected runtimes (BEAM, V8, CPython) still
    breathe: heaps grow in steps and are given back lazily, so the allowance is a share of the
    plateau plus a constant. A leak of a few KiB per call over thousands of calls exceeds it."""
    return int(first_round_kib * (1 + config.rss_growth_share)) + config.rss_growth_kib


# ---------------------------------------------------------------------------------------------
# The calls


def _tokens(n: int) -> dict[str, Any]:
    return {"chunks": [{"type": "encoded_text", "tokens": [1 + n % 7, 2, 3]}]}


# Each kind: the kept instance it runs on, the method, and its arguments with the call's tag in them
# (for a non-idempotent request: the server counts executions per tag).
CALL_KINDS: dict[str, Callable[[str, int], dict[str, Any]]] = {
    "get_training_run": lambda tag, n: {"client": "rest", "method": "get_training_run", "args": {"training_run_id": tag}},
    "list_training_runs": lambda tag, n: {"client": "rest", "method": "list_training_runs", "args": {"limit": 5}},
    "set_checkpoint_ttl": lambda tag, n: {
        "client": "rest",
        "method": "set_checkpoint_ttl",
        "args": {"training_run_id": "run-1", "checkpoint_id": f"weights/{tag}", "ttl_seconds": 60},
    },
    "weights_info": lambda tag, n: {
        "client": "rest",
        "method": "get_weights_info_by_tinker_path",
        "args": {"tinker_path": f"tinker://run-1/weights/{tag}"},
    },
    "forward_backward": lambda tag, n: {
        "client": "trainer",
        "method": "forward_backward",
        "args": {"data": [{"model_input": _tokens(n)}], "loss_fn": "cross_entropy", "loss_fn_config": {"tag": tag}},
    },
    "sample": lambda tag, n: {
        "client": "sampler",
        "method": "sample",
        "args": {"prompt": _tokens(n), "num_samples": 1, "sampling_params": {"max_tokens": 4, "stop": tag}},
    },
    "create_lora_training_client": lambda tag, n: {
        "client": "svc",
        "method": "create_lora_training_client",
        "args": {"base_model": tag},
    },
    "create_sampling_client": lambda tag, n: {"client": "svc", "method": "create_sampling_client", "args": {"base_model": tag}},
}
# The mix, repeated: plain endpoints (GET and non-idempotent), futures (training: try_again storms
# while polling), sampling (backpressure, the retry handler, futures) and flows (several requests,
# a future, a client built).
MIX = (
    "get_training_run",
    "sample",
    "forward_backward",
    "set_checkpoint_ttl",
    "weights_info",
    "sample",
    "create_lora_training_client",
    "get_training_run",
    "forward_backward",
    "sample",
    "list_training_runs",
    "create_sampling_client",
    "set_checkpoint_ttl",
    "sample",
    "weights_info",
    "forward_backward",
)


def planned_calls(config: SoakConfig) -> list[list[dict[str, Any]]]:
    """The calls of each round (the same mix in every round, every call with its own tag)."""
    per_round = -(-config.calls // config.rounds)
    rounds: list[list[dict[str, Any]]] = []
    n = 0
    while n < config.calls:
        batch = []
        for _ in range(min(per_round, config.calls - n)):
            batch.append(CALL_KINDS[MIX[n % len(MIX)]](f"soak-{n}", n))
            n += 1
        rounds.append(batch)
    return rounds


def fault_scenario(config: SoakConfig) -> dict[str, Any]:
    return {
        "doc": "tinkc soak: random faults on every endpoint",
        "futures": {"*": {"pending_polls": 1, "queue_states": ["active", "paused_capacity"]}},
        "faults": {"seed": config.seed, "rate": config.rate, "slow_ms": [5, 3000], "storm_polls": [2, 6], "burst": 3},
        "idempotency": {"call_tag": TAG},
    }


def calm_scenario() -> dict[str, Any]:
    return {"futures": {"*": {"pending_polls": 1}}, "idempotency": {"call_tag": TAG}}


def driver_request(config: SoakConfig, mock_url: str, rounds: list[list[dict[str, Any]]]) -> dict[str, Any]:
    calls: list[dict[str, Any]] = [
        {"open": "service", "as": "svc", "async": True},
        {"client": "svc", "method": "create_rest_client", "as": "rest"},
        {"client": "svc", "method": "create_lora_training_client", "args": {"base_model": "soak-trainer"}, "as": "trainer"},
        {"client": "svc", "method": "create_sampling_client", "args": {"base_model": "soak-sampler"}, "as": "sampler"},
        {"scenario": fault_scenario(config)},
    ]
    for batch in rounds:
        calls.append({"batch": batch, "concurrency": config.concurrency, "call_timeout_sec": config.call_timeout_sec})
    calls.append({"scenario": calm_scenario()})  # closing flushes telemetry: not a call of the soak
    calls.append({"close": "svc"})
    return {
        "base_url": mock_url,
        "control_url": mock_url,
        "api_key": config.api_key,
        "time_scale": config.time_scale,
        "timeout_sec": config.request_timeout_sec,
        "calls": calls,
    }


# ---------------------------------------------------------------------------------------------
# Processes


def tree_rss_kib(pid: int) -> int:
    """The resident set of a process and all its descendants, in KiB (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        todo.extend(children.get(p, []))
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total


class Mock:
    """`tinkc mock` in a process of its own."""

    def __init__(self, scenario: dict[str, Any], work: Path) -> None:
        path = work / "soak-scenario.json"
        path.write_text(json.dumps(scenario), encoding="utf-8")
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tinkc", "mock", "--port", "0", "--scenario", str(path)],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env=env,
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()  # "tinkc mock: listening on http://127.0.0.1:PORT (N endpoints)"
        if "listening on " not in line:
            self.proc.kill()
            raise RuntimeError(f"tinkc mock did not start: {line!r}")
        self.url = line.split("listening on ", 1)[1].split()[0]
        self.control = httpx.Client(base_url=self.url, timeout=120)

    def get(self, path: str) -> Any:
        return self.control.get(path).json()

    def close(self) -> None:
        self.control.close()
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def prepare_driver(target: str, work: Path) -> Any:
    """Build the bundled manifest's SDK for ``target`` into ``work`` and prepare its driver."""
    from tinkc.backends import registry
    from tinkc.diagnostics import Sink
    from tinkc.ir.nodes import thaw
    from tinkc.pipeline import bundled_manifest, compile_manifest
    from tinkc.writer import write_tree

    result = compile_manifest(bundled_manifest())
    assert result.api is not None and not result.sink.has_errors
    api = result.api
    backend = registry.available()[target].load()()
    tree = work / f"{target}-sdk"
    sink = Sink()
    write_tree(tree, backend.emit(api, thaw(api.targets.get(backend.name)) or {}), sink, display=str(tree))
    if sink.has_errors:
        raise RuntimeError(f"writing the {target} SDK failed: {[d.message for d in sink.items]}")
    command = backend.conformance_driver(tree)
    if command is None:
        raise RuntimeError(f"backend `{target}` has no conformance driver")
    return command


def run_soak(target: str, config: SoakConfig, command: Any = None, log: Callable[[str], None] | None = None) -> SoakReport:
    """One soak of one target (``command``: a prepared DriverCommand, else the SDK is built here)."""
    report = SoakReport(target=target)
    rounds = planned_calls(config)
    report.calls = sum(len(b) for b in rounds)
    with tempfile.TemporaryDirectory(prefix=f"tinkc-soak-{target}-") as scratch:
        work = Path(scratch)
        if command is None:
            command = prepare_driver(target, work)
        mock = Mock(calm_scenario(), work)
        try:
            _drive(report, config, command, mock, rounds, work, log or (lambda _line: None))
            faults = mock.get("/__tinkc/faults")
            report.faults = {k: v for k, v in faults["injected"].items() if v}
            idem = mock.get("/__tinkc/idempotency")
            report.duplicates = idem["totals"]["duplicates"]
            report.replays = idem["totals"]["replays"]
            stats = mock.get("/__tinkc/stats")
            report.server_max_in_flight = stats["max_in_flight"]
            report.requests = stats["requests"]
            for dup in idem["duplicates"][:5]:
                report.problems.append(f"duplicate execution: {json.dumps(dup)[:300]}")
        finally:
            mock.close()
    return report


def _drive(
    report: SoakReport,
    config: SoakConfig,
    command: Any,
    mock: Mock,
    rounds: list[list[dict[str, Any]]],
    work: Path,
    log: Callable[[str], None],
) -> None:
    request = driver_request(config, mock.url, rounds)
    stdin_path = work / "driver-request.json"
    stdin_path.write_text(json.dumps(request), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("TINKER_")}
    stderr_path = work / "driver-stderr.txt"
    started = time.monotonic()
    with stdin_path.open("rb") as stdin, stderr_path.open("wb") as stderr:
        proc = subprocess.Popen(
            list(command.argv), stdin=stdin, stdout=subprocess.PIPE, stderr=stderr, cwd=command.cwd, env={**env, **command.env}
        )
        # the whole run's deadline: every round may take its calls' deadline, plus the setup
        deadline = 120 + config.call_timeout_sec * (len(rounds) + 2)
        killed = threading.Event()

        def watchdog() -> None:
            if _wait(proc, deadline):
                return
            killed.set()
            proc.kill()

        threading.Thread(target=watchdog, daemon=True).start()
        assert proc.stdout is not None
        outcomes: list[dict[str, Any]] = []
        samples: list[tuple[str, int]] = []
        setup_rss: int | None = None
        for raw in proc.stdout:
            line = raw.decode("utf-8", "replace").strip()
            if not line:
                continue
            try:
                outcomes.append(json.loads(line))
            except json.JSONDecodeError:
                report.problems.append(f"the driver printed a line that is not JSON: {line[:200]}")
                continue
            entry = request["calls"][len(outcomes) - 1]
            if "batch" in entry:
                done = sum(1 for e in request["calls"][: len(outcomes)] if "batch" in e)
                rss = tree_rss_kib(proc.pid)
                samples.append((f"round {done}", rss))
                log(f"{report.target}: round {done}/{len(rounds)} done, RSS {rss / MIB:.1f} MiB")
            elif "scenario" in entry and not samples:
                setup_rss = tree_rss_kib(proc.pid)  # clients open, no call made yet
        proc.wait()
        report.wall_sec = time.monotonic() - started
    stderr_text = stderr_path.read_text(encoding="utf-8", errors="replace")
    if killed.is_set():
        report.problems.append(f"the driver ran past the run's deadline ({deadline:.0f} s) and was killed")
    elif proc.returncode != 0:
        report.problems.append(f"the driver exited with status {proc.returncode}: {stderr_text[-2000:]}")
    _judge(report, config, request, outcomes)
    if samples:
        # the allowance starts from the end of round 1 (see memory_flat_limit); setup is shown too
        report.rss_allowed_kib = memory_flat_limit(samples[0][1], config)
        report.rss_kib = ([("setup", setup_rss)] if setup_rss is not None else []) + _first_middle_end(samples)


def _wait(proc: subprocess.Popen[bytes], timeout: float) -> bool:
    try:
        proc.wait(timeout=timeout)
        return True
    except subprocess.TimeoutExpired:
        return False


def _first_middle_end(samples: list[tuple[str, int]]) -> list[tuple[str, int]]:
    if len(samples) <= 3:
        return samples
    return [samples[0], samples[(len(samples) - 1) // 2], samples[-1]]


def _judge(report: SoakReport, config: SoakConfig, request: dict[str, Any], outcomes: list[dict[str, Any]]) -> None:
    for i, entry in enumerate(request["calls"]):
        outcome = outcomes[i] if i < len(outcomes) else None
        if "batch" not in entry:
            if outcome is None or not outcome.get("ok"):
                what = {k: v for k, v in entry.items() if k != "scenario"}
                report.problems.append(f"{json.dumps(what)[:200]} → {json.dumps(outcome)[:300]}")
            continue
        calls = entry["batch"]
        results = (outcome or {}).get("outcomes")
        if not isinstance(results, list) or len(results) != len(calls):
            # the driver died or never answered this round: every call of it is unaccounted for
            report.hangs += len(calls) if outcome is None else 0
            report.lost += 0 if outcome is None else len(calls)
            continue
        report.max_outstanding = max(report.max_outstanding, int(outcome.get("max_outstanding", 0)))  # type: ignore[union-attr]
        for call, result in zip(calls, results, strict=True):
            if result.get("ok"):
                report.ok += 1
            elif result.get("error") == "hang":
                report.hangs += 1
            elif result.get("error") in DOCUMENTED_ERRORS:
                report.errors[result["error"]] += 1
            else:
                report.lost += 1
                if len(report.lost_examples) < 5:
                    report.lost_examples.append({"call": call, "outcome": result})


def print_reports(reports: list[SoakReport], write: Callable[[str], None] = print) -> None:
    for r in reports:
        for line in r.lines():
            write(line)


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="soak", description="Soak each generated SDK against tinkc mock with random faults.")
    parser.add_argument("--target", action="append", choices=["python", "elixir", "typescript"], help="(repeatable; default: all)")
    defaults = SoakConfig()
    parser.add_argument("--calls", type=int, default=defaults.calls)
    parser.add_argument("--concurrency", type=int, default=defaults.concurrency)
    parser.add_argument("--rounds", type=int, default=defaults.rounds)
    parser.add_argument("--seed", type=int, default=defaults.seed)
    parser.add_argument("--rate", type=float, default=defaults.rate)
    args = parser.parse_args(argv)
    config = SoakConfig(calls=args.calls, concurrency=args.concurrency, rounds=args.rounds, seed=args.seed, rate=args.rate)
    reports = []
    for target in args.target or ["python", "elixir", "typescript"]:
        if target == "elixir" and shutil.which("mix") is None:
            print(f"{target}: skipped (no `mix`; make toolchains installs it)")
            continue
        report = run_soak(target, config, log=lambda line: print(line, file=sys.stderr, flush=True))
        print_reports([report])
        reports.append(report)
    return 0 if all(r.passed for r in reports) else 1
