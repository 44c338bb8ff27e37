from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # `import fuzz_stats`, `import manifest_strategies`

# The fuzz table (inputs tried and crashes per strategy) is printed by tests/conftest.py, which also
# gathers the counts of pytest-xdist workers.
