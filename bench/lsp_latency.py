"""How long an editor waits for `tinkc lsp`'s diagnostics after a save: the time from sending
`textDocument/didSave` of the bundled manifest to receiving its `textDocument/publishDiagnostics`,
over the server's stdin/stdout, as an editor sees it. The server is started once (its start-up is
what it saves the editor from paying on each save); the first check (didOpen) is not counted.

    python bench/lsp_latency.py [--tinkc PATH] [--saves N]

bench/run.py puts the row beside the cold `tinkc check` row.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "tests"))
from lspclient import LspClient  # noqa: E402  (the client the tests drive the server with)

BUNDLED = ROOT / "manifests" / "tinker.yaml"
SAVES = 20


def _cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def measure(tinkc: list[str], saves: int = SAVES, env: dict[str, str] | None = None) -> dict[str, Any]:
    """Median over ``saves`` saves (seconds), in the keys of bench/run.py's rows."""
    client = LspClient([*tinkc, "lsp"], cwd=ROOT, env=env)
    try:
        client.initialize(ROOT)
        client.open(BUNDLED)
        first = client.diagnostics(BUNDLED)
        if first:
            raise SystemExit(f"the bundled manifest has diagnostics: {first}")
        times, cpus = [], []
        for _ in range(saves):
            cpu = _cpu_s(client.proc.pid)
            start = time.perf_counter()
            client.save(BUNDLED)
            client.diagnostics(BUNDLED)
            times.append(time.perf_counter() - start)
            cpus.append(_cpu_s(client.proc.pid) - cpu)
        peak = _peak_rss_mib(client.proc.pid)
        client.stop()
    finally:
        client.kill()
    return {
        "median_s": statistics.median(times),
        "min_s": min(times),
        "median_cpu_s": statistics.median(cpus),
        "runs": saves,
        "peak_rss_mib": peak,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tinkc", default=str(Path(sys.executable).with_name("tinkc")), help="the tinkc executable to measure")
    parser.add_argument("--saves", type=int, default=SAVES)
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    m = measure([args.tinkc], args.saves, env)
    print(
        f"lsp check on save (bundled): median {1000 * m['median_s']:.1f} ms, min {1000 * m['min_s']:.1f} ms, "
        f"cpu {1000 * m['median_cpu_s']:.0f} ms (median of {m['runs']} saves), peak {m['peak_rss_mib']:.1f} MiB"
    )


if __name__ == "__main__":
    main()
