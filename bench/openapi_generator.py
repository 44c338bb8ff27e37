"""The compiler against openapi-generator (part of `make bench`).

openapi-generator (`openapi-generator-cli` from PyPI, pinned in bench/sdk_compare.py, run with the
machine's Java) generates the python, typescript-fetch and elixir clients from the OpenAPI document
tinkc's own `openapi` target emits for the bundled manifest; tinkc builds its python, typescript and
elixir targets from the manifest. Both are timed as whole processes (start-up included), in turns
(tinkc, openapi-generator, tinkc, ...) so that drifting machine load moves both alike, and the
ratio is taken of the medians. Without Java (or when the bench venv cannot be made) the row says
why instead of failing.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import time
from pathlib import Path
from typing import Any

GENERATORS = ("python", "typescript-fetch", "elixir")


def timed(command: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user + system, every thread of the process: the JVM's too) of
    one run. On a shared machine the CPU figure moves less with the load than the wall one."""
    start = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
    assert proc.stdout is not None
    output = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({code}):\n{output.decode()[-3000:]}")
    return elapsed, usage.ru_utime + usage.ru_stime


def measure(tinkc: list[str], work: Path, runs: int, env: dict[str, str]) -> dict[str, Any]:
    if shutil.which("java") is None:
        return {"skipped": "java is not on PATH (openapi-generator needs Java 11 or later)"}
    import sdk_compare

    try:
        cli = sdk_compare.tinker_python().with_name("openapi-generator-cli")
    except subprocess.CalledProcessError as exc:
        return {"skipped": f"the bench venv with {sdk_compare.OPENAPI_GENERATOR} could not be made ({exc})"}
    spec_dir = work / "openapi"
    subprocess.run([*tinkc, "build", "--target", "openapi", "--out", str(spec_dir), "--quiet"], check=True, env=env)
    spec = spec_dir / "openapi.json"
    ours, theirs, ours_cpu, theirs_cpu = [], [], [], []
    out = work / "vs-openapi-generator"
    for _ in range(runs):
        shutil.rmtree(out, ignore_errors=True)
        wall, cpu = timed([*tinkc, "build", "--target", "python,typescript,elixir", "--out", str(out / "tinkc"), "--quiet"], env)
        ours.append(wall)
        ours_cpu.append(cpu)
        total, total_cpu = 0.0, 0.0
        for generator in GENERATORS:
            wall, cpu = timed([str(cli), "generate", "-i", str(spec), "-g", generator, "-o", str(out / generator)])
            total += wall
            total_cpu += cpu
        theirs.append(total)
        theirs_cpu.append(total_cpu)
    return {
        "generators": list(GENERATORS),
        "openapi_generator": sdk_compare.OPENAPI_GENERATOR,
        "runs": runs,
        "tinkc_s": ours,
        "openapi_generator_s": theirs,
        "tinkc_cpu_s": ours_cpu,
        "openapi_generator_cpu_s": theirs_cpu,
        "tinkc_median_s": statistics.median(ours),
        "openapi_generator_median_s": statistics.median(theirs),
        "speedup": statistics.median(theirs) / statistics.median(ours),
        "cpu_speedup": statistics.median(theirs_cpu) / statistics.median(ours_cpu),
    }


def print_row(r: dict[str, Any]) -> None:
    print("\ntinkc build python,typescript,elixir vs openapi-generator python + typescript-fetch + elixir")
    if "skipped" in r:
        print(f"  skipped: {r['skipped']}")
        return
    print(
        f"  tinkc {r['tinkc_median_s']:.3f} s, openapi-generator {r['openapi_generator_median_s']:.2f} s "
        f"(medians of {r['runs']} alternating runs): {r['speedup']:.1f}x wall, {r['cpu_speedup']:.1f}x CPU"
    )
