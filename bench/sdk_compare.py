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


def prepare(tinkc: list[str], work: Path) -> dict[str, tuple[list[str], Path] | str]:
    """Each client's command and working directory, or why it is skipped."""
    clients: dict[str, tuple[list[str], Path] | str] = {}
    try:
        clients["real"] = ([str(tinker_python()), str(WORKLOADS / "real_tinker.py"), str(CALLS)], work)
    except subprocess.CalledProcessError as exc:
        clients["real"] = f"the bench venv with {REAL_SDK} could not be made ({exc})"
    out = work / "sdks"
    shutil.rmtree(out, ignore_errors=True)
    subprocess.run([*tinkc, "build", "--target", "python,typescript,elixir", "--out", str(out), "--quiet"], check=True)

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
    clients["python"] = ([str(python), str(WORKLOADS / "generated_python.py"), str(CALLS)], work)

    node = shutil.which("node")
    if node is None:
        clients["typescript"] = "node is not on PATH"
    else:
        from tinkc.backends.typescript import toolchain

        tree = out / "typescript"
        toolchain.link(tree)
        subprocess.run([node, str(toolchain.tsc()), "-p", str(tree / "tsconfig.json")], cwd=tree, check=True)
        clients["typescript"] = ([node, str(WORKLOADS / "generated_typescript.mjs"), str(tree / "dist" / "index.js"), str(CALLS)], tree)

    mix = shutil.which("mix")
    if mix is None:
        clients["elixir"] = "mix is not on PATH"
    else:
        tree = out / "elixir"
        env = {**os.environ, "MIX_ENV": "prod", "HEX_OFFLINE": "1"}
        subprocess.run([mix, "compile"], cwd=tree, env=env, check=True, capture_output=True)
        clients["elixir"] = ([mix, "run", "--no-compile", "--no-deps-check", str(WORKLOADS / "generated_elixir.exs"), str(CALLS)], tree)
    return clients


def measure(tinkc: list[str], work: Path, rounds: int = ROUNDS) -> dict[str, Any]:
    clients = prepare(tinkc, work)
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
    real = result["clients"].get("real", {})
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
    print(f"{'client':<11} {'seq calls/s':>11} {'x real':>7} {'futures/s':>10} {'x real':>7} {'peak MiB':>9} {'x real':>7}")
    for name, c in r["clients"].items():
        if "skipped" in c:
            print(f"{name:<11} skipped: {c['skipped']}")
            continue
        ratios = [c.get(k) for k in ("sequential_ratio", "futures_ratio", "rss_ratio")]
        shown = [f"{x:>7.2f}" if x is not None else f"{'':>7}" for x in ratios]
        print(
            f"{name:<11} {c['sequential_calls_per_s']:>11.0f} {shown[0]} {c['futures_per_s']:>10.0f} {shown[1]} {c['peak_rss_mib']:>9.1f} {shown[2]}"
        )


if __name__ == "__main__":
    import tempfile

    work = Path(tempfile.mkdtemp(prefix="tinkc-sdk-bench-"))
    try:
        rounds = int(sys.argv[1]) if len(sys.argv) > 1 else ROUNDS
        res = measure([str(Path(sys.executable).with_name("tinkc"))], work, rounds)
        print_table(res)
        print(json.dumps(res, indent=1))
    finally:
        shutil.rmtree(work, ignore_errors=True)
