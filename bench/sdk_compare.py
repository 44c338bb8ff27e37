"""The generated SDKs against the real tinker 0.38 SDK, side by side (part of `make bench`).

Every client runs the same workload (bench/workloads/) against one `tinkc mock` process: CALLS
sequential REST calls (get_server_capabilities), then CALLS optim_step futures in flight at once
(each a submit and the polls of its future). Each client is a process of its own, so its peak RSS
is its own. The clients take turns, round after round (real, python, typescript, elixir, real, ...),
so a machine whose load drifts during the run moves every client alike; the ratios
generated/real are of the medians over the rounds.

The real SDK (`tinker==0.38.0` from PyPI) lives in a venv the bench makes (bench/.venv-tinker); the
generated Python SDK is pip-installed into another (bench/.venv-sdk) with exactly the dependencies
its pyproject.toml declares, as a user would get it. A client whose toolchain is missing (node,
mix) or whose venv cannot be made is reported as skipped, with the reason.

The generated Python SDK runs twice: `python` with its asyncio clients (AsyncRestClient, then
optim_step calls gathered on an AsyncTrainingClient) and `python-sync` with its synchronous ones
(RestClient, then optim_step APIFutures submitted before any is waited on, as the real SDK's
workload does). Both must keep up with the real SDK.

    python bench/sdk_compare.py [ROUNDS] [--clients real,python,...]

`--clients` runs only those clients (the real SDK is what the ratios are of: leave it in to get them).
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
WORKLOADS = HERE / "workloads"
REAL_SDK = "tinker==0.38.0"
OPENAPI_GENERATOR = "openapi-generator-cli==7.26.0"
TINKER_VENV = HERE / ".venv-tinker"
SDK_VENV = HERE / ".venv-sdk"
CALLS = 200
ROUNDS = 3
API_KEY = "tml-bench"
CLIENTS = ("real", "python", "python-sync", "typescript", "elixir")


def venv(path: Path, packages: list[str]) -> Path:
    """The python of a venv at ``path`` holding ``packages`` (made, or brought up to date, when the
    list differs from the one it was made with)."""
    python = path / "bin" / "python"
    stamp = path / "bench-packages.json"
    wanted = json.dumps(packages)
    if python.exists() and stamp.exists() and stamp.read_text(encoding="utf-8") == wanted:
        return python
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(path)], check=True)
    if packages:
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *packages], check=True)
    stamp.write_text(wanted, encoding="utf-8")
    return python


def tinker_python() -> Path:
    """The bench venv with the real SDK and openapi-generator's launcher."""
    return venv(TINKER_VENV, [REAL_SDK, OPENAPI_GENERATOR])


def start_mock(tinkc: list[str]) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen([*tinkc, "mock", "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()  # "tinkc mock: listening on http://127.0.0.1:PORT (N endpoints)"
    return proc, line.split("listening on ", 1)[1].split()[0]


def prepare(tinkc: list[str], work: Path, only: tuple[str, ...] = CLIENTS) -> dict[str, tuple[list[str], Path] | str]:
    """The command and working directory of each client in ``only``, or why it is skipped."""
    clients: dict[str, tuple[list[str], Path] | str] = {}
    if "real" in only:
        try:
            clients["real"] = ([str(tinker_python()), str(WORKLOADS / "real_tinker.py"), str(CALLS)], work)
        except subprocess.CalledProcessError as exc:
            clients["real"] = f"the bench venv with {REAL_SDK} could not be made ({exc})"
    out = work / "sdks"
    shutil.rmtree(out, ignore_errors=True)
    targets = [t for t in ("python", "typescript", "elixir") if any(c.split("-")[0] == t for c in only)]
    if targets:
        # one target is built into --out itself, several each into a directory of its name
        into = out / targets[0] if len(targets) == 1 else out
        subprocess.run([*tinkc, "build", "--target", ",".join(targets), "--out", str(into), "--quiet"], check=True)
    if "python" in targets:
        prepare_python(out, work, only, clients)
    if "typescript" in only:
        prepare_typescript(out, clients)
    if "elixir" in only:
        prepare_elixir(out, clients)
    return clients


def prepare_python(out: Path, work: Path, only: tuple[str, ...], clients: dict[str, tuple[list[str], Path] | str]) -> None:
    """The generated Python SDK, installed as a user gets it; its async and sync clients' runs."""
    # --force-reinstall of the SDK alone: its dependencies are resolved from its pyproject.toml
    python = venv(SDK_VENV, [])
    subprocess.run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--force-reinstall",
            "--no-cache-dir",
            str(out / "python"),
        ],
        check=True,
    )
    for name, mode in (("python", "async"), ("python-sync", "sync")):
        if name in only:
            clients[name] = ([str(python), str(WORKLOADS / "generated_python.py"), str(CALLS), mode], work)


def prepare_typescript(out: Path, clients: dict[str, tuple[list[str], Path] | str]) -> None:
    node = shutil.which("node")
    if node is None:
        clients["typescript"] = "node is not on PATH"
    else:
        from tinkc.backends.typescript import toolchain

        tree = out / "typescript"
        toolchain.link(tree)
        subprocess.run([node, str(toolchain.tsc()), "-p", str(tree / "tsconfig.json")], cwd=tree, check=True)
        clients["typescript"] = ([node, str(WORKLOADS / "generated_typescript.mjs"), str(tree / "dist" / "index.js"), str(CALLS)], tree)


def prepare_elixir(out: Path, clients: dict[str, tuple[list[str], Path] | str]) -> None:
    mix = shutil.which("mix")
    if mix is None:
        clients["elixir"] = "mix is not on PATH"
    else:
        tree = out / "elixir"
        env = {**os.environ, "MIX_ENV": "prod", "HEX_OFFLINE": "1"}
        subprocess.run([mix, "compile"], cwd=tree, env=env, check=True, capture_output=True)
        clients["elixir"] = ([mix, "run", "--no-compile", "--no-deps-check", str(WORKLOADS / "generated_elixir.exs"), str(CALLS)], tree)


def measure(tinkc: list[str], work: Path, rounds: int = ROUNDS, only: tuple[str, ...] = CLIENTS) -> dict[str, Any]:
    clients = prepare(tinkc, work, only)
    runnable = {name: c for name, c in clients.items() if not isinstance(c, str)}
    samples: dict[str, list[dict[str, float]]] = {name: [] for name in runnable}
    mock, url = start_mock(tinkc)
    try:
        for _ in range(rounds):
            for name, (command, cwd) in runnable.items():
                samples[name].append(run_peak(command, cwd, url))
    finally:
        mock.terminate()
        mock.wait()
    result: dict[str, Any] = {"calls": CALLS, "rounds": rounds, "clients": {}}
    for name, client in clients.items():
        if isinstance(client, str):
            result["clients"][name] = {"skipped": client}
            continue
        runs = samples[name]
        seq = statistics.median(r["sequential_s"] for r in runs)
        fut = statistics.median(r["futures_s"] for r in runs)
        result["clients"][name] = {
            "sequential_calls_per_s": CALLS / seq,
            "futures_per_s": CALLS / fut,
            "sequential_runs_s": [r["sequential_s"] for r in runs],
            "futures_runs_s": [r["futures_s"] for r in runs],
            "peak_rss_mib": max(r["peak_rss_mib"] for r in runs),
        }
    real = result["clients"].get("real", {"skipped": "not run"})
    for name, r in result["clients"].items():
        if name != "real" and "skipped" not in r and "skipped" not in real:
            r["sequential_ratio"] = r["sequential_calls_per_s"] / real["sequential_calls_per_s"]
            r["futures_ratio"] = r["futures_per_s"] / real["futures_per_s"]
            r["rss_ratio"] = r["peak_rss_mib"] / real["peak_rss_mib"]
    return result


def run_peak(command: list[str], cwd: Path, url: str) -> dict[str, float]:
    """One run of a client: its figures and its peak RSS (the largest of its processes, from wait4)."""
    env = {**os.environ, "TINKER_BASE_URL": url, "TINKER_API_KEY": API_KEY, "TINKER_TELEMETRY": "0", "MIX_ENV": "prod", "HEX_OFFLINE": "1"}
    env.pop("PYTHONPATH", None)
    env.pop("VIRTUAL_ENV", None)
    proc = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    out = proc.stdout.read()
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({code}):\n{err.decode()[-3000:]}")
    result = json.loads(out.decode().strip().splitlines()[-1])
    return {"sequential_s": result["sequential_s"], "futures_s": result["futures_s"], "peak_rss_mib": usage.ru_maxrss / 1024}


def print_table(r: dict[str, Any]) -> None:
    print(
        f"\nSDKs against one tinkc mock: {r['calls']} sequential calls, {r['calls']} optim_step futures in flight; "
        f"medians of {r['rounds']} alternating rounds"
    )
    print(f"{'client':<12} {'seq calls/s':>11} {'x real':>7} {'futures/s':>10} {'x real':>7} {'peak MiB':>9} {'x real':>7}")
    for name, c in r["clients"].items():
        if "skipped" in c:
            print(f"{name:<12} skipped: {c['skipped']}")
            continue
        ratios = [c.get(k) for k in ("sequential_ratio", "futures_ratio", "rss_ratio")]
        shown = [f"{x:>7.2f}" if x is not None else f"{'':>7}" for x in ratios]
        print(
            f"{name:<12} {c['sequential_calls_per_s']:>11.0f} {shown[0]} {c['futures_per_s']:>10.0f} {shown[1]} {c['peak_rss_mib']:>9.1f} {shown[2]}"
        )


if __name__ == "__main__":
    import argparse
    import tempfile

    parser = argparse.ArgumentParser(description="The generated SDKs against the real tinker 0.38 SDK.")
    parser.add_argument("rounds", nargs="?", type=int, default=ROUNDS, help="alternating rounds (median of them)")
    parser.add_argument("--clients", default=",".join(CLIENTS), help=f"comma-separated, of: {', '.join(CLIENTS)}")
    args = parser.parse_args()
    only = tuple(c.strip() for c in args.clients.split(",") if c.strip())
    unknown = [c for c in only if c not in CLIENTS]
    if unknown:
        parser.error(f"unknown client(s) {', '.join(unknown)}; known: {', '.join(CLIENTS)}")
    work = Path(tempfile.mkdtemp(prefix="tinkc-sdk-bench-"))
    try:
        load = os.getloadavg()
        res = measure([str(Path(sys.executable).with_name("tinkc"))], work, args.rounds, only)
        res["load_average_before"], res["load_average_after"] = list(load), list(os.getloadavg())
        print_table(res)
        print(f"load average (1, 5, 15 min) before: {load}, after: {os.getloadavg()} on {os.cpu_count()} CPUs")
        print(json.dumps(res, indent=1))
    finally:
        shutil.rmtree(work, ignore_errors=True)
