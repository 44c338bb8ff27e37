"""Backend discovery (backends/registry.py): the direct scan of ``sys.path`` finds exactly the entry
points, distributions and versions ``importlib.metadata`` finds, in the same order — in this
environment, for every entry-point group installed, and on made-up ``sys.path`` layouts with the
cases its rules decide (shadowed and duplicate distributions, names spelled differently, egg-info
files, comments) — and leaves what it does not read to ``importlib.metadata``."""

from __future__ import annotations

import importlib.metadata
import sys
import zipfile
from pathlib import Path

import pytest

from tinkc.backends import registry


def _installed_groups() -> list[str]:
    return sorted(importlib.metadata.entry_points().groups)


@pytest.mark.parametrize("group", [registry.GROUP, *_installed_groups()])
def test_the_scan_agrees_with_importlib_metadata_here(group: str) -> None:
    assert registry._scan(group) == registry._with_importlib_metadata(group)


def test_the_installed_backends_load_as_importlib_metadata_loads_them() -> None:
    theirs = {ep.name: ep for ep in importlib.metadata.entry_points(group=registry.GROUP)}
    ours = registry.available()
    assert sorted(ours) == sorted(theirs) and ours
    for name, info in ours.items():
        assert info.entry_point.module == theirs[name].module
        assert info.load() is theirs[name].load()


def _dist(where: Path, dirname: str, entry_points: str | None, metadata: str | None, meta_file: str = "METADATA") -> None:
    d = where / dirname
    d.mkdir(parents=True)
    if entry_points is not None:
        (d / "entry_points.txt").write_text(entry_points, encoding="utf-8")
    if metadata is not None:
        (d / meta_file).write_text(metadata, encoding="utf-8")


EPS = """\
# a comment
orphan = before.any:section

[console_scripts]
tool = pkg.cli:main

[tinkc.backends]
  {name} = {module}:Backend
# another comment
{name}_extra=pkg.more:Other [extra]
"""


@pytest.fixture
def layout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    first, second = tmp_path / "first", tmp_path / "second"
    _dist(
        first,
        "Foo_Bar-1.0.dist-info",
        EPS.format(name="foo", module="foo_one"),
        "Metadata-Version: 2.1\nName: Foo_Bar\nVersion: 1.0\nLicense: line one\n        line two\n\nbody: not a header\n",
    )
    _dist(first, "foo.bar-2.0.dist-info", EPS.format(name="foo2", module="foo_two"), "Name: foo.bar\nVersion: 2.0\n")
    _dist(first, "no_group-1.0.dist-info", "[console_scripts]\nx = y:z\n", "Name: no_group\nVersion: 1.0\n")
    _dist(first, "empty-1.0.dist-info", "", "Name: empty\nVersion: 1.0\n")
    _dist(second, "foo_bar-3.0.dist-info", EPS.format(name="shadowed", module="foo_three"), "Name: foo_bar\nVersion: 3.0\n")
    _dist(second, "baz-1.0.egg-info", EPS.format(name="baz", module="baz"), "Name: baz\nVersion: 1.0\r\n", meta_file="PKG-INFO")
    _dist(second, "qux-0.1.dist-info", EPS.format(name="qux", module="qux"), "Name: qux\nVersion: 0.1\nName: second-name\n")
    (second / "old-1.0.egg-info").write_text("Name: old\n", encoding="utf-8")  # an egg-info file
    paths = [first, tmp_path / "missing", second]
    monkeypatch.setattr(sys, "path", [str(p) for p in paths])
    return paths


def test_the_scan_agrees_with_importlib_metadata_on_made_up_layouts(layout: list[Path]) -> None:
    for group in (registry.GROUP, "console_scripts"):
        found = registry._scan(group)
        assert found == registry._with_importlib_metadata(group)
    names = [ep.name for ep, _, _ in registry._scan(registry.GROUP)]
    assert "shadowed" not in names and {"baz", "qux"} <= set(names)


@pytest.mark.parametrize(
    "metadata",
    [
        "Name: folded\n  name\nVersion: 1.0\n",  # a folded name
        "Name : spaced\nVersion: 1.0\n",  # not a header line for the email parser
    ],
)
def test_metadata_the_scan_does_not_read_is_left_to_importlib_metadata(layout: list[Path], metadata: str) -> None:
    _dist(layout[0], "odd-1.0.dist-info", EPS.format(name="odd", module="odd"), metadata)
    with pytest.raises(registry._Unusual):
        registry._scan(registry.GROUP)
    assert registry._entry_points_of(registry.GROUP) == registry._with_importlib_metadata(registry.GROUP)


def test_a_zip_on_the_path_is_left_to_importlib_metadata(layout: list[Path], tmp_path: Path) -> None:
    archive = tmp_path / "plugins.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("zipped-1.0.dist-info/entry_points.txt", EPS.format(name="zipped", module="zipped"))
        z.writestr("zipped-1.0.dist-info/METADATA", "Name: zipped\nVersion: 1.0\n")
    sys.path.append(str(archive))
    with pytest.raises(registry._Unusual):
        registry._scan(registry.GROUP)
    found = registry._entry_points_of(registry.GROUP)
    assert found == registry._with_importlib_metadata(registry.GROUP)
    assert "zipped" in [ep.name for ep, _, _ in found]
