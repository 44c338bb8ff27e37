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

import shutil
import statistics
import subprocess
import time
from pathlib import Path
from typing import Any

GENERATORS = ("python", "typescript-fetch", "elixir")


def timed(command: list[str], env: dict[str, str] | None = None) -> float:
    start = time.perf_counter()
    proc = subprocess.run(command, capture_output=True, env=env, check=False)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({proc.returncode}):\n{proc.stdout.decode()[-1500:]}{proc.stderr.decode()[-1500:]}")
    return elapsed


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
    ours, theirs = [], []
    out = work / "vs-openapi-generator"
    for _ in range(runs):
        shutil.rmtree(out, ignore_errors=True)
        ours.append(timed([*tinkc, "build", "--target", "python,typescript,elixir", "--out", str(out / "tinkc"), "--quiet"], env))
        total = 0.0
        for generator in GENERATORS:
            total += timed([str(cli), "generate", "-i", str(spec), "-g", generator, "-o", str(out / generator)])
        theirs.append(total)
    return {
        "generators": list(GENERATORS),
        "openapi_generator": sdk_compare.OPENAPI_GENERATOR,
        "runs": runs,
        "tinkc_s": ours,
        "openapi_generator_s": theirs,
        "tinkc_median_s": statistics.median(ours),
        "openapi_generator_median_s": statistics.median(theirs),
        "speedup": statistics.median(theirs) / statistics.median(ours),
    }


def print_row(r: dict[str, Any]) -> None:
    print("\ntinkc build python,typescript,elixir vs openapi-generator python + typescript-fetch + elixir")
    if "skipped" in r:
        print(f"  skipped: {r['skipped']}")
        return
    print(
        f"  tinkc {r['tinkc_median_s']:.3f} s, openapi-generator {r['openapi_generator_median_s']:.2f} s "
        f"(medians of {r['runs']} alternating runs): {r['speedup']:.1f}x"
    )
