"""The manifests tinkc ships: `tinker.yaml` (with `tinker/*.yaml`), the default of every command."""

from pathlib import Path


def bundled() -> Path:
    """`tinker.yaml`, wherever tinkc is installed (found without importing the compiler)."""
    return Path(__file__).parent / "tinker.yaml"
