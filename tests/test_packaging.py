"""tinkc as pip builds it: a wheel built from a copy of the checkout (offline, with this environment's
setuptools) has every module and every data file tinkc reads at run time, and the build warns about
no package missing from the `packages` configuration (setup.py finds the packages; pyproject.toml
lists the data)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.toolchain

ROOT = Path(__file__).resolve().parent.parent
# What a build reads besides the package folders.
PROJECT_FILES = ("pyproject.toml", "setup.py", "README.md")
# The data tinkc reads at run time, as repository globs: each must ship.
DATA = {
    "compiler/starter.yaml": True,  # `tinkc init`
    "grammar/*.lark": True,
    "manifests/**/*.yaml": True,  # the bundled manifest and its imports
    "compiler/conformance/scenarios/*.yaml": True,
    "compiler/conformance/fixtures/*/manifest.yaml": True,
    "backends/*/runtime/**/*": True,  # copied into every SDK
    "backends/*/runtime_test/*": False,
    "backends/*/driver/*": False,  # conformance drivers (moving into templates/)
    "backends/*/templates/**/*.jinja": False,  # jinja2 templates (not every backend has them yet)
}  # glob → must match at least one file


def package_dir() -> dict[str, str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return dict(config["tool"]["setuptools"]["package-dir"])


def wheel_name(rel: str, folders: dict[str, str]) -> str:
    """Where a repository file lands in the wheel (under the deepest package folder holding it)."""
    name, folder = max(((n, f) for n, f in folders.items() if rel.startswith(f + "/")), key=lambda nf: len(nf[1]))
    return name.replace(".", "/") + rel[len(folder) :]


def source_files(pattern: str) -> list[str]:
    return sorted(p.relative_to(ROOT).as_posix() for p in ROOT.glob(pattern) if p.is_file() and "__pycache__" not in p.parts)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, set[str]]:
    """The build's output and the wheel's file names."""
    scratch = tmp_path_factory.mktemp("packaging")
    src = scratch / "src"
    ignore = shutil.ignore_patterns("__pycache__", "build", "*.egg-info", "node_modules")
    for folder in dict.fromkeys(f.split("/")[0] for f in package_dir().values()):
        shutil.copytree(ROOT / folder, src / folder, ignore=ignore)
    for name in PROJECT_FILES:
        shutil.copy(ROOT / name, src / name)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "-v",
            "--no-deps",
            "--no-build-isolation",
            "--disable-pip-version-check",
            "-w",
            str(scratch / "dist"),
            str(src),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output[-6000:]
    [wheel] = (scratch / "dist").glob("tinkc-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        return output, set(zf.namelist())


def test_no_package_is_missing_from_the_configuration(built: tuple[str, set[str]]) -> None:
    output, _ = built
    assert "absent from the `packages` configuration" not in output, output[-6000:]


def test_every_module_ships(built: tuple[str, set[str]]) -> None:
    _, names = built
    folders = package_dir()
    modules = [rel for folder in folders.values() for rel in source_files(f"{folder}/**/*.py")]
    assert "compiler/cli.py" in modules and "ir/nodes.py" in modules
    missing = [rel for rel in modules if wheel_name(rel, folders) not in names]
    assert not missing, f"in the checkout, not in the wheel: {missing}"
    assert not [n for n in names if "__pycache__" in n or n.startswith(("tests/", "compiler/", "backends/"))]


@pytest.mark.parametrize("pattern", sorted(DATA))
def test_data_files_ship(built: tuple[str, set[str]], pattern: str) -> None:
    _, names = built
    files = source_files(pattern)
    if DATA[pattern]:
        assert files, f"{pattern} matches nothing in the checkout: update DATA"
    folders = package_dir()
    missing = [rel for rel in files if wheel_name(rel, folders) not in names]
    assert not missing, f"in the checkout, not in the wheel: {missing}"
