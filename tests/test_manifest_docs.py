"""docs/manifest.md documents every feature type and every one of its parameters (the registry in
compiler/features.py is the source; this test fails when a parameter is added without its doc)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tinkc.features import FEATURE_TYPES

DOC = (Path(__file__).resolve().parent.parent / "docs" / "manifest.md").read_text(encoding="utf-8")


def section(name: str) -> str:
    match = re.search(rf"^### {re.escape(name)}\b.*?(?=^##)", DOC, re.M | re.S)
    assert match, f"docs/manifest.md has no `### {name}` section"
    return match.group(0)


@pytest.mark.parametrize("name", sorted(FEATURE_TYPES))
def test_every_feature_parameter_is_documented(name: str) -> None:
    text = section(name)
    missing = [param for param in FEATURE_TYPES[name].params if not re.search(rf"\b{re.escape(param)}\b", text)]
    assert not missing, f"docs/manifest.md, `### {name}`: parameters without a word of doc: {missing}"
