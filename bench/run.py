"""`make bench`: how long tinkc takes, measured as users see it (a fresh `tinkc` process, interpreter
start included, Python's bytecode cache allowed as on any user's machine).

Rows:
* the bundled Tinker manifest: `check`; the same check in a running `tinkc lsp` from an editor's
  save to its diagnostics (`lsp check on save`, bench/lsp_latency.py); `build` of each target on
  its own, of the three SDK targets together (python,elixir,typescript) and of every target (`all`), each into an empty directory;
  a no-op rebuild of `all` (nothing changed since the last build);
* synthetic manifests 1x, 10x and 100x the Tinker manifest (bench/gen.py: types, nested unions,
  futures endpoints and flows in Tinker's proportions): `check`, a fresh `build --target all` and a
  no-op rebuild, each with its cost per endpoint, so growth that is not linear shows.

Then the anchors, side by side in the same run:

* tinkc's build of the three SDK targets against openapi-generator's python, typescript-fetch and
  elixir generators on the OpenAPI document tinkc emits for the bundled manifest
  (bench/openapi_generator.py);
* each generated SDK (python, typescript, elixir) against the real tinker 0.38 SDK, against one
  `tinkc mock`: sequential calls and futures in flight, rates, ratios and peak RSS
  (bench/sdk_compare.py).

The real SDK and openapi-generator are pip-installed into bench/.venv-tinker on first use (PyPI); the
generated Python SDK into bench/.venv-sdk. The machine may be shared: the anchors are measured in
alternating turns so that load moves both sides alike, and the load average is recorded.

Each figure is the median of several runs, with the peak RSS of the process. The tables are printed
and written to bench/results.json.

    python bench/run.py [--tinkc PATH] [--quick] [--no-sdk] [--no-openapi-generator] [--compiler-only]

tinkc itself is measured as users run it: a wheel of this checkout, built and installed at each run
into a venv of its own (bench/.venv-tinkc, its dependencies from PyPI on first use). The
development venv's `pip install -e` adds setuptools' editable import hook to every process
(~10 ms of each `tinkc` start on the machine of these figures) that no user's installation has;
`--tinkc .venv/bin/tinkc` measures that one.
`--tinkc` measures another installation (e.g. an older commit's, for a before/after comparison).
`--compiler-only` measures only the compiler's rows users wait on: `check` and the build of the three
SDK targets of the bundled manifest, and that build against openapi-generator (`make bench
BENCH_ARGS=--compiler-only`; a few minutes instead of the whole bench's twenty).

What the first, unmeasured run warms is what any installation warms on its first run: Python's
bytecode and tinkc's own compiled code (attrs' generated methods and the backends' jinja templates,
in ``$XDG_CACHE_HOME/tinkc``). Nothing of a build's *output* is reused: every `build` row but the
no-op rebuild writes into a directory removed before each run.
"""

from __future__ import annotations

import argparse
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
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
TINKC_VENV = HERE / ".venv-tinkc"
sys.path.insert(0, str(HERE))
from gen import generate  # noqa: E402

SDK_TARGETS = ("python", "elixir", "typescript")
# the bytecode cache is part of how an installed tool starts; a developer's PYTHONDONTWRITEBYTECODE
# would make every run compile tinkc from source
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def installed_tinkc() -> str:
    """The `tinkc` of a wheel of this checkout, installed into bench/.venv-tinkc (see above): built
    offline from the working tree with the development venv's setuptools, installed over the last
    run's, with its dependencies (from PyPI) only the first time."""
    import sdk_compare

    python = sdk_compare.venv(TINKC_VENV, [])
    with tempfile.TemporaryDirectory(prefix="tinkc-wheel-") as folder:
        pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--quiet"]
        subprocess.run([*pip, "wheel", "--no-deps", "--no-build-isolation", "--wheel-dir", folder, str(ROOT)], check=True)
        (wheel,) = Path(folder).glob("tinkc-*.whl")
        install = [str(python), "-m", "pip", "install", "--disable-pip-version-check", "--quiet"]
        subprocess.run([*install, str(wheel)], check=True)  # the dependencies, when missing
        subprocess.run([*install, "--no-deps", "--force-reinstall", str(wheel)], check=True)  # this checkout's tinkc
    return str(python.with_name("tinkc"))


def run_once(tinkc: list[str], args: list[str]) -> tuple[float, int, float]:
    """Wall seconds, peak RSS (KiB) and CPU seconds (user + system, its forked children's too) of
    one `tinkc` process. On a shared machine the CPU figure moves less with the load than the wall."""
    start = time.perf_counter()
    proc = subprocess.Popen(tinkc + args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=ENV)
    assert proc.stderr is not None
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)  # this child's own peak RSS, not the max over all children
    elapsed = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise SystemExit(f"tinkc {' '.join(args)} failed ({code}):\n{err.decode()[-2000:]}")
    return elapsed, usage.ru_maxrss, usage.ru_utime + usage.ru_stime


def measure(tinkc: list[str], args: list[str], runs: int, fresh: Path | None = None) -> dict[str, float]:
    """Median over ``runs``; with ``fresh``, that directory is removed before each run."""
    times, cpus, peak = [], [], 0
    for _ in range(runs):
        if fresh is not None:
            shutil.rmtree(fresh, ignore_errors=True)
        t, p, cpu = run_once(tinkc, args)
        times.append(t)
        cpus.append(cpu)
        peak = max(peak, p)
    return {
        "median_s": statistics.median(times),
        "min_s": min(times),
        "median_cpu_s": statistics.median(cpus),
        "runs": runs,
        "peak_rss_mib": peak / 1024,
    }


def endpoint_count(tinkc: list[str], manifest: str | None) -> int:
    out = subprocess.run(tinkc + ["check", *([manifest] if manifest else [])], capture_output=True, text=True, check=True, env=ENV).stdout
    return int(out.split(": ")[-1].split(" endpoints")[0])


def targets_of(tinkc: list[str]) -> list[str]:
    out = subprocess.run(tinkc + ["targets"], capture_output=True, text=True, check=True, env=ENV).stdout
    return [line.split()[0] for line in out.splitlines() if line.strip()]


def supports_target_lists(tinkc: list[str], work: Path) -> bool:
    proc = subprocess.run(
        tinkc + ["build", "--target", "python,ir", "--out", str(work / "probe"), "--quiet"], capture_output=True, env=ENV, check=False
    )
    return proc.returncode == 0


def row(case: str, endpoints: int, m: dict[str, float]) -> dict[str, Any]:
    return {"case": case, "endpoints": endpoints, **m, "per_endpoint_ms": 1000 * m["median_s"] / endpoints}


def lsp_rows(tinkc: list[str], endpoints: int) -> list[dict[str, Any]]:
    """Beside the cold `check`: the same check in a running `tinkc lsp`, from an editor's save to its
    diagnostics (bench/lsp_latency.py; median of 20 saves, no process start). None for a tinkc
    without `lsp` (an older one, with `--tinkc`)."""
    import lsp_latency

    if subprocess.run(tinkc + ["lsp", "--help"], capture_output=True, env=ENV, check=False).returncode != 0:
        return []
    return [row("lsp check on save (bundled)", endpoints, lsp_latency.measure(tinkc, lsp_latency.SAVES, ENV))]


def check_runs(runs: int) -> int:
    """Runs of the bundled check: a run takes a tenth of a build's time and its goal (0.15 s) is
    close to the median, so more runs make the median steadier: 15 where a build gets 7."""
    return 2 * runs + 1


def bundled_rows(tinkc: list[str], work: Path, runs: int) -> list[dict[str, Any]]:
    n = endpoint_count(tinkc, None)
    out = work / "bundled"
    rows = [row("check bundled (tinker.yaml)", n, measure(tinkc, ["check"], check_runs(runs))), *lsp_rows(tinkc, n)]
    installed = targets_of(tinkc)
    for target in installed:
        rows.append(
            row(f"build {target} bundled", n, measure(tinkc, ["build", "--target", target, "--out", str(out), "--quiet"], runs, out))
        )
    if supports_target_lists(tinkc, work) and all(t in installed for t in SDK_TARGETS):
        three = ",".join(SDK_TARGETS)
        m = measure(tinkc, ["build", "--target", three, "--out", str(out), "--quiet"], runs, out)
        rows.append(row("build python,elixir,typescript bundled", n, m))
    all_args = ["build", "--target", "all", "--out", str(out), "--quiet"]
    rows.append(row("build all bundled (fresh)", n, measure(tinkc, all_args, runs, out)))
    run_once(tinkc, all_args)
    rows.append(row("build all bundled (no-op rebuild)", n, measure(tinkc, all_args, runs)))
    return rows


def compiler_rows(tinkc: list[str], work: Path, runs: int) -> list[dict[str, Any]]:
    """`--compiler-only`: the rows of :func:`bundled_rows` that the compiler's goals are about."""
    n = endpoint_count(tinkc, None)
    out = work / "bundled"
    three = ",".join(SDK_TARGETS)
    return [
        row("check bundled (tinker.yaml)", n, measure(tinkc, ["check"], check_runs(runs))),
        *lsp_rows(tinkc, n),
        row(
            "build python,elixir,typescript bundled",
            n,
            measure(tinkc, ["build", "--target", three, "--out", str(out), "--quiet"], runs, out),
        ),
    ]


def synthetic_rows(tinkc: list[str], work: Path, scales: list[tuple[int, int]]) -> list[dict[str, Any]]:
    rows = []
    for scale, runs in scales:
        path = work / f"synthetic-{scale}x.yaml"
        path.write_text(generate(scale), encoding="utf-8")
        n = endpoint_count(tinkc, str(path))
        out = work / f"out-{scale}x"
        rows.append(row(f"check synthetic {scale}x", n, measure(tinkc, ["check", str(path)], runs)))
        build = ["build", str(path), "--target", "all", "--out", str(out), "--quiet"]
        rows.append(row(f"build all synthetic {scale}x (fresh)", n, measure(tinkc, build, runs, out)))
        run_once(tinkc, build)
        rows.append(row(f"build all synthetic {scale}x (no-op rebuild)", n, measure(tinkc, build, runs)))
    return rows


def ratio(rows: list[dict[str, Any]], case: str, small: str, large: str) -> float | None:
    by_case = {r["case"]: r for r in rows}
    a, b = by_case.get(case.format(small)), by_case.get(case.format(large))
    return float(b["median_s"]) / float(a["median_s"]) if a and b else None


def print_table(rows: list[dict[str, Any]]) -> None:
    width = max(len(str(r["case"])) for r in rows)
    print(f"{'case':<{width}}  {'endpoints':>9}  {'median s':>9}  {'min s':>7}  {'cpu s':>6}  {'ms/endpoint':>11}  {'peak MiB':>8}")
    for r in rows:
        print(
            f"{r['case']:<{width}}  {r['endpoints']:>9}  {r['median_s']:>9.3f}  {r['min_s']:>7.3f}  {r['median_cpu_s']:>6.3f}  "
            f"{r['per_endpoint_ms']:>11.3f}  {r['peak_rss_mib']:>8.1f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--tinkc", help="the tinkc executable to measure (default: a wheel of this checkout, installed into bench/.venv-tinkc)"
    )
    parser.add_argument("--quick", action="store_true", help="fewer runs, no 100x manifest, one openapi-generator run (a smoke run)")
    parser.add_argument("--no-sdk", action="store_true", help="leave out the SDKs against the real tinker SDK")
    parser.add_argument("--no-openapi-generator", action="store_true", help="leave out the row against openapi-generator")
    parser.add_argument(
        "--compiler-only",
        action="store_true",
        help="only check and the three SDK targets' build of the bundled manifest, and openapi-generator (no synthetic, no SDKs)",
    )
    parser.add_argument("--results", default=str(HERE / "results.json"), help="where to write the results (JSON)")
    args = parser.parse_args()
    if args.compiler_only:
        args.no_sdk = True
    if args.tinkc is None:
        args.tinkc = installed_tinkc()
    tinkc = [args.tinkc]
    work = Path(tempfile.mkdtemp(prefix="tinkc-bench-"))
    runs = 3 if args.quick else 7
    scales = [(1, runs), (10, 3)] + ([] if args.quick else [(100, 3)])
    try:
        run_once(tinkc, ["check"])  # warm the bytecode cache: every measured run starts as a user's would
        load_before = os.getloadavg()
        if args.compiler_only:
            rows = compiler_rows(tinkc, work, runs)
        else:
            rows = bundled_rows(tinkc, work, runs) + synthetic_rows(tinkc, work, scales)
        generator = None
        if not args.no_openapi_generator:
            import openapi_generator

            generator = openapi_generator.measure(tinkc, work, 1 if args.quick else 5, ENV)
        sdk = None
        if not args.no_sdk:
            import sdk_compare

            sdk = sdk_compare.measure(tinkc, work, sdk_compare.ROUNDS)  # alternating rounds even in --quick: one is no ratio
        load_after = os.getloadavg()
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print_table(rows)
    scaling = {
        "check_100x_over_1x": ratio(rows, "check synthetic {}", "1x", "100x"),
        "build_100x_over_1x": ratio(rows, "build all synthetic {} (fresh)", "1x", "100x"),
    }
    print()
    for key, value in scaling.items():
        if value is not None:
            print(f"{key.replace('_', ' ')} = {value:.1f} (linear or better: <= 100)")
    by_case = {r["case"]: r for r in rows}
    noop, check = by_case.get("build all bundled (no-op rebuild)"), by_case["check bundled (tinker.yaml)"]
    if noop is not None:
        print(f"no-op rebuild / check (bundled) = {noop['median_s'] / check['median_s']:.2f} (target: < 1)")
    if generator is not None:
        import openapi_generator

        openapi_generator.print_row(generator)
    if sdk is not None:
        import sdk_compare

        sdk_compare.print_table(sdk)
    print(f"\nload average (1 min) before: {load_before[0]:.2f}, after: {load_after[0]:.2f} on {os.cpu_count()} CPUs")
    results = {
        "tinkc": args.tinkc,
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "load_average_before": load_before,
            "load_average_after": load_after,
        },
        "rows": rows,
        **scaling,
        "vs_openapi_generator": generator,
        "sdks_vs_real": sdk,
    }
    Path(args.results).write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"written: {args.results}")


if __name__ == "__main__":
    main()
