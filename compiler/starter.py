"""`tinkc init`: a small, commented starter manifest that builds for every target.

The manifest is ``starter.yaml`` beside this module (package data), so that it reads as what it is:
a manifest, checked like any fixture by ``tests/test_init_graph.py``.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

STARTER_NAME = "manifest.yaml"


def starter_text() -> str:
    return resources.files("tinkc").joinpath("starter.yaml").read_text(encoding="utf-8")


class StarterExists(Exception):
    """The target file exists: `tinkc init` never overwrites."""


def write_starter(directory: Path) -> Path:
    """Write ``directory/manifest.yaml`` (creating ``directory``); never replaces an existing file."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / STARTER_NAME
    try:
        # "x": create, failing if the file appeared meanwhile: no check-then-write race.
        with path.open("x", encoding="utf-8", newline="\n") as f:
            f.write(starter_text())
    except FileExistsError:
        raise StarterExists(str(path)) from None
    return path
