"""A TypeScript import specifier (backends/typescript/symbols.py `_specifier`) is the relative path
posixpath.relpath gives, `./`-prefixed when it does not go up: on any two paths in a package."""

from __future__ import annotations

import posixpath

from hypothesis import given
from hypothesis import strategies as st

from tinkc.backends.typescript.symbols import _specifier

_part = st.sampled_from(["src", "api", "runtime", "types.js", "a", "b.ts", "x_y", ".", "..", "src.ts"])
_path = st.lists(_part, min_size=1, max_size=5).map("/".join)


def _reference(module: str, folder: str) -> str:
    rel = posixpath.relpath(module, folder or ".")
    return rel if rel.startswith("../") else "./" + rel


@given(_path, st.one_of(st.just(""), _path))
def test_specifier_is_relpaths_answer(module: str, folder: str) -> None:
    assert _specifier(module, folder) == _reference(module, folder)


@given(_path, _path)
def test_specifier_of_absolute_and_doubled_separators(module: str, folder: str) -> None:
    for m, f in (("/" + module, "/" + folder), (module.replace("/", "//"), folder + "/")):
        assert _specifier(m, f) == _reference(m, f)
