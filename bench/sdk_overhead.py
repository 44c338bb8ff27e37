"""The generated Python SDK's overhead against `tinkc mock` (part of `make bench`).

The SDK is built from the bundled manifest into a scratch directory and imported from there; the
mock runs in its own process, so the two do not share an interpreter. Measured:

* sequential calls: one sync client making GET calls one after another (requests per second), next
  to plain httpx making the same requests (the floor the SDK's own work adds to);
* 200 concurrent future-returning calls: an async TrainingClient's `optim_step` 200 times under
  asyncio.gather; each call submits, then polls the future (the mock answers one pending poll
  first), so one call is three requests.
"""

from __future__ import annotations

import asyncio
import importlib
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

SEQUENTIAL_CALLS = 400
CONCURRENT_CALLS = 200


def start_mock(tinkc: list[str]) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen([*tinkc, "mock", "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()  # "tinkc mock: listening on http://127.0.0.1:PORT (N endpoints)"
    return proc, line.split("listening on ", 1)[1].split()[0]


def measure(tinkc: list[str], work: Path) -> dict[str, Any]:
    out = work / "python-sdk"
    subprocess.run([*tinkc, "build", "--target", "python", "--out", str(out), "--quiet"], check=True)
    sys.path.insert(0, str(out / "src"))
    os.environ["TINKER_TELEMETRY"] = "0"  # measure the calls, not the telemetry flushes
    sdk = importlib.import_module("tinker_sdk")
    import httpx

    mock, url = start_mock(tinkc)
    try:
        headers = {"X-API-Key": "tml-bench"}
        with httpx.Client() as raw:
            raw.get(f"{url}/api/v1/get_server_capabilities", headers=headers)
            t0 = time.perf_counter()
            for _ in range(SEQUENTIAL_CALLS):
                raw.get(f"{url}/api/v1/get_server_capabilities", headers=headers).json()
            raw_s = time.perf_counter() - t0
        with sdk.RestClient(api_key="tml-bench", base_url=url) as rest:
            rest.get_server_capabilities()
            t0 = time.perf_counter()
            for _ in range(SEQUENTIAL_CALLS):
                rest.get_server_capabilities()
            sdk_s = time.perf_counter() - t0

        async def concurrent() -> float:
            async with sdk.AsyncServiceClient(api_key="tml-bench", base_url=url) as service:
                training = await service.create_lora_training_client(base_model="Qwen/Qwen3-8B")
                params = sdk.types.AdamParams(learning_rate=1e-4)
                t0 = time.perf_counter()
                await asyncio.gather(*(training.optim_step(adam_params=params) for _ in range(CONCURRENT_CALLS)))
                return time.perf_counter() - t0

        concurrent_s = asyncio.run(concurrent())
    finally:
        mock.terminate()
        mock.wait()
    return {
        "sequential_calls": SEQUENTIAL_CALLS,
        "sdk_requests_per_s": SEQUENTIAL_CALLS / sdk_s,
        "httpx_requests_per_s": SEQUENTIAL_CALLS / raw_s,
        "sdk_overhead_ms_per_call": 1000 * (sdk_s - raw_s) / SEQUENTIAL_CALLS,
        "concurrent_future_calls": CONCURRENT_CALLS,
        "concurrent_wall_s": concurrent_s,
        "concurrent_calls_per_s": CONCURRENT_CALLS / concurrent_s,
    }


def print_table(r: dict[str, Any]) -> None:
    print("\nPython SDK against tinkc mock (separate process)")
    print(f"  sequential GET, SDK      {r['sdk_requests_per_s']:>8.0f} requests/s  ({r['sequential_calls']} calls)")
    print(f"  sequential GET, httpx    {r['httpx_requests_per_s']:>8.0f} requests/s  (the floor)")
    print(f"  SDK overhead             {r['sdk_overhead_ms_per_call']:>8.3f} ms/call")
    print(
        f"  {r['concurrent_future_calls']} concurrent futures   {r['concurrent_calls_per_s']:>8.0f} calls/s     "
        f"({r['concurrent_wall_s']:.2f} s; submit + 2 polls each)"
    )
