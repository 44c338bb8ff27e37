"""Every registry is complete: each pass module is in the pipeline, each feature type documented."""

from pathlib import Path

import tinkc.passes
from tinkc.features import FEATURE_TYPES
from tinkc.pipeline import PASSES


def test_every_pass_module_is_registered_once() -> None:
    folder = Path(tinkc.passes.__file__).parent
    modules = sorted(p.stem for p in folder.glob("*.py") if p.stem not in ("__init__", "base"))
    registered = sorted(p.run.__module__.rsplit(".", 1)[-1] for p in PASSES)
    assert registered == modules
    names = [p.name for p in PASSES]
    assert len(set(names)) == len(names)
    assert all(p.doc.strip() for p in PASSES)
    kinds = [p.kind for p in PASSES]
    assert kinds == sorted(kinds, key=lambda k: k != "validation"), "validation passes run before optimization"


def test_every_pass_has_a_test_file() -> None:
    here = Path(__file__).parent
    for p in PASSES:
        assert (here / f"test_{p.name.replace('-', '_')}.py").exists(), p.name


def test_every_feature_type_is_documented(repo_root: Path) -> None:
    doc = (repo_root / "docs" / "manifest.md").read_text(encoding="utf-8")
    for name, ft in FEATURE_TYPES.items():
        assert f"### {name}" in doc, name
        assert ft.doc
