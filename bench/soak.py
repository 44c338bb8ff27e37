"""`make soak`: the long soak of every generated SDK against `tinkc mock` with random faults.

Thousands of calls per target, 200 at once (see tinkc.mock.soak for what is run and checked, and
docs/conformance.md, "The soak"). Prints per target: calls made, faults injected by kind, calls
lost, duplicates, hangs and the driver's RSS; exits 1 when a target fails. Options: --calls,
--concurrency, --rounds, --seed, --rate, --target (repeatable).
"""

from __future__ import annotations

import sys

from tinkc.mock.soak import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
