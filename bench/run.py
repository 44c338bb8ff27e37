"""`make bench`: how long tinkc takes, on the bundled manifest and on synthetic ones 1x, 10x and 100x
its size, measured as users see it (a fresh `tinkc` process, interpreter start included).

Prints a table and writes bench/results.json. Each figure is the median of several runs; the
per-endpoint column divides by the manifest's endpoint count, so growth that is not linear shows.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
import sdk_overhead  # noqa: E402
from gen import generate  # noqa: E402

TINKC = [str(Path(sys.executable).with_name("tinkc"))]


def run_once(args: list[str]) -> tuple[float, int]:
    """Wall seconds and peak RSS (KiB) of one `tinkc` process."""
    start = time.perf_counter()
    proc = subprocess.Popen(TINKC + args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert proc.stderr is not None
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)  # this child's own peak RSS, not the max over all children
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"tinkc {' '.join(args)} failed ({proc.returncode}):\n{err.decode()[-2000:]}")
    return elapsed, usage.ru_maxrss


def measure(args: list[str], runs: int, setup: list[str] | None = None) -> dict[str, float]:
    times, peak = [], 0
    for _ in range(runs):
        if setup is not None:
            run_once(setup)
        t, p = run_once(args)
        times.append(t)
        peak = max(peak, p)
    return {"median_s": statistics.median(times), "min_s": min(times), "runs": runs, "peak_rss_mib": peak / 1024}


def endpoint_count(manifest: str | None) -> int:
    out = subprocess.run(TINKC + ["check", *([manifest] if manifest else [])], capture_output=True, text=True, check=True).stdout
    return int(out.split(": ")[-1].split(" endpoints")[0])


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="tinkc-bench-"))
    rows: list[dict[str, object]] = []
    try:
        manifests: list[tuple[str, str | None, int]] = [("bundled (tinker.yaml)", None, 9)]
        for scale, runs in ((1, 7), (10, 5), (100, 3)):
            path = work / f"synthetic-{scale}x.yaml"
            path.write_text(generate(scale), encoding="utf-8")
            manifests.append((f"synthetic {scale}x", str(path), runs))
        for label, manifest, runs in manifests:
            m = [manifest] if manifest else []
            n = endpoint_count(manifest)
            check = measure(["check", *m], runs)
            rows.append({"case": f"check {label}", "endpoints": n, **check, "per_endpoint_ms": 1000 * check["median_s"] / n})
            out = work / f"out-{len(rows)}"
            build = measure(
                ["build", *m, "--target", "all", "--out", str(out), "--quiet"],
                runs,
                setup=["build", *m, "--target", "all", "--out", str(work / "scratch"), "--quiet"],
            )
            shutil.rmtree(out, ignore_errors=True)
            fresh = measure(["build", *m, "--target", "all", "--out", str(out), "--quiet"], 1)
            rows.append({"case": f"build all {label} (fresh)", "endpoints": n, **fresh, "per_endpoint_ms": 1000 * fresh["median_s"] / n})
            rows.append(
                {"case": f"build all {label} (no-op rebuild)", "endpoints": n, **build, "per_endpoint_ms": 1000 * build["median_s"] / n}
            )
        sdk = sdk_overhead.measure(TINKC, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    width = max(len(str(r["case"])) for r in rows)
    print(f"{'case':<{width}}  {'endpoints':>9}  {'median s':>9}  {'min s':>7}  {'ms/endpoint':>11}  {'peak MiB':>8}")
    for r in rows:
        print(
            f"{r['case']:<{width}}  {r['endpoints']:>9}  {r['median_s']:>9.3f}  {r['min_s']:>7.3f}  "
            f"{r['per_endpoint_ms']:>11.3f}  {r['peak_rss_mib']:>8.1f}"
        )
    one = next(r for r in rows if r["case"] == "check synthetic 1x")
    hundred = next(r for r in rows if r["case"] == "check synthetic 100x")
    ratio = float(hundred["median_s"]) / float(one["median_s"])  # type: ignore[arg-type]
    print(f"\ncheck 100x / 1x = {ratio:.1f} (linear or better: <= 100)")
    sdk_overhead.print_table(sdk)
    results = {
        "machine": {"python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count()},
        "rows": rows,
        "check_100x_over_1x": ratio,
        "python_sdk": sdk,
    }
    (HERE / "results.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"written: {HERE / 'results.json'}")


if __name__ == "__main__":
    main()
