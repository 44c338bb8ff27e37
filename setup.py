"""tinkc's packages, found rather than listed.

tinkc's import names do not follow its folders (``tinkc`` is ``compiler/``, ``tinkc.backends`` is
``backends/``: ``[tool.setuptools] package-dir`` in pyproject.toml), and setuptools' declarative
package discovery cannot rename. So this file walks each folder of ``package-dir`` for packages (a
directory with an ``__init__.py``) and names them under their import root: a new package such as
``compiler/sdk/`` ships without a change here. Folders without ``__init__.py`` (runtime/, driver/,
templates/, scenarios/...) are data: pyproject.toml's ``[tool.setuptools.package-data]`` names
what ships of them. Everything else about the distribution is in pyproject.toml.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from setuptools import find_packages, setup

ROOT = Path(__file__).resolve().parent


def packages() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    found = []
    for name, folder in config["tool"]["setuptools"]["package-dir"].items():
        found.append(name)
        found += [f"{name}.{sub}" for sub in find_packages(where=str(ROOT / folder))]
    return sorted(found)


setup(packages=packages())
