"""tinkc.recache: regular expressions compiled once and kept between runs, as ``re`` would compile them."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tinkc import recache, runcache

_ORIGINAL = recache._installed._compile if recache._installed else re._compiler.compile  # type: ignore[attr-defined]


def _cache(path: Path) -> recache.PatternCache:
    return recache.PatternCache(path, _ORIGINAL, re._parser.parse, re._compiler._code, re._compiler._sre.compile)  # type: ignore[attr-defined]


def compile_in(module: str, cache: recache.PatternCache, pattern: str | bytes, flags: int) -> object:
    """``pattern`` compiled through ``cache`` by a function of ``module`` that has it as a constant
    (as ``re.compile(r"...")`` in a module's code)."""
    namespace: dict[str, object] = {"__name__": module}
    exec(f"def compile_it(cache):\n    return cache.compile({pattern!r}, {int(flags)})\n", namespace)  # noqa: S102
    return namespace["compile_it"](cache)  # type: ignore[operator]


def compile_in_tinkc(cache: recache.PatternCache, pattern: str | bytes, flags: int) -> object:
    return compile_in("tinkc.example", cache, pattern, flags)


PATTERNS: list[tuple[str | bytes, int]] = [
    ("a(?P<x>b)c|(d)", 0),
    (r"(?i)caf\u00e9[\w.]+", 0),
    ("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]", 0),
    (r"^(?:[-+]?0b[0-1_]+ |[-+]?0[0-7_]+ )$  # verbose", re.VERBOSE | re.MULTILINE),
    (r"(?<=\$)\{(?P<name>[A-Za-z_]+)(?:\.(?P=name))*\}", re.IGNORECASE),
    (rb"[\x80-\xff]+(?!x)", 0),
    (r"\bword\b.*?\Z", re.DOTALL | re.ASCII),
]


@pytest.mark.parametrize(("pattern", "flags"), PATTERNS)
def test_a_pattern_from_the_file_is_the_one_re_compiles(tmp_path: Path, pattern: str | bytes, flags: int) -> None:
    """``re`` compares patterns by their flags, text and matcher code: the one made from the file
    in a later run is equal to ``re``'s own, groups included."""
    path = tmp_path / "re.marshal"
    first = _cache(path)
    made = compile_in_tinkc(first, pattern, flags)
    first.save()
    second = _cache(path)
    again = compile_in_tinkc(second, pattern, flags)
    assert second.hits == 1 and not second.new
    own = _ORIGINAL(pattern, flags)
    for p in (made, again):
        assert p == own
        assert (p.pattern, p.flags, p.groups, p.groupindex) == (own.pattern, own.flags, own.groups, own.groupindex)


_PIECES = st.sampled_from(["a", "b", "[a-c]", "\\d", "(x)", "(?P<g>y)", "\\w+", "z*?", "é", "(?:ab|c)", ".", "\\s", "[^é]"])


@settings(max_examples=200, deadline=None)
@given(st.lists(_PIECES, min_size=1, max_size=6).map("".join), st.sampled_from([0, re.IGNORECASE, re.ASCII, re.DOTALL | re.MULTILINE]))
def test_any_pattern_through_the_file_equals_re_s(pattern: str, flags: int) -> None:
    cache = _cache(Path(os.devnull))  # nothing read (not a marshal file); nothing saved here
    try:
        own = _ORIGINAL(pattern, flags)
    except re.error:
        with pytest.raises(re.error):
            cache._generate(pattern, flags)
        return
    assert re._compiler._sre.compile(pattern, *cache._generate(pattern, flags)) == own


def test_debug_compiles_pass_through_untouched(tmp_path: Path) -> None:
    cache = _cache(tmp_path / "re.marshal")
    assert cache.compile("a", re.DEBUG | 0) == _ORIGINAL("a", re.DEBUG)
    assert not cache.new


def test_only_the_constant_patterns_of_tinkc_its_libraries_and_the_standard_library_are_kept(tmp_path: Path) -> None:
    """A test's (or a host program's) own pattern, and a pattern built at run time (a manifest's
    route, tokenize's set of prefixes joined in hash order), are compiled through the cache but not
    kept: the file, read whole by every run, holds the patterns written in the code tinkc runs."""
    cache = _cache(tmp_path / "re.marshal")
    compile_in("tests.unit.example", cache, "from-a-test", 0)
    compile_in("fnmatch", cache, "from-the-standard-library", 0)
    compile_in("yaml.resolver", cache, "from-a-library", 0)
    compile_in("tinkc.frontend.lower", cache, "from-tinkc", re.IGNORECASE)
    built = "".join(["built-", "at-run-time"])
    cache.compile(built, 0)  # from this test module
    namespace: dict[str, object] = {"__name__": "tinkc.mock.routes"}
    exec("def route(cache, text):\n    return cache.compile(text, 0)\n", namespace)  # noqa: S102
    namespace["route"](cache, built)  # type: ignore[operator]
    # a module's constant, compiled in one of its functions by name
    namespace = {"__name__": "tinkc.frontend.yamlimport", "PATTERN": "a-module-constant"}
    exec("def seed(cache):\n    return cache.compile(PATTERN, 0)\n", namespace)  # noqa: S102
    namespace["seed"](cache)  # type: ignore[operator]
    # a standard library module's text built at import (tokenize's PseudoToken): not kept
    namespace = {"__name__": "tokenize", "PseudoToken": built}
    exec("def _compile(cache):\n    return cache.compile(PseudoToken, 0)\n", namespace)  # noqa: S102
    namespace["_compile"](cache)  # type: ignore[operator]
    assert [k[1] for k in cache.new] == ["from-the-standard-library", "from-a-library", "from-tinkc", "a-module-constant"]


@pytest.mark.parametrize("content", [b"", b"not marshal data", b"\xe9" * 10])
def test_an_unreadable_file_only_means_compiling(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "re.marshal"
    path.write_bytes(content)
    cache = _cache(path)
    assert cache.entries == {}
    assert compile_in_tinkc(cache, "x+", 0) == _ORIGINAL("x+", 0)
    cache.save()
    assert list(_cache(path).entries) == [("str", "x+", 0)]


def test_a_damaged_entry_is_not_used(tmp_path: Path) -> None:
    path = tmp_path / "re.marshal"
    runcache.write_merged(path, {("str", "a", 0): (0, "not code", 0, {}, ()), ("str", "b"): (0, [], 0, {}, ())}, {}, 10)
    assert _cache(path).entries == {}


_PROBE = """
import json, sys
from tinkc import recache
from tinkc.cli import main
main(["check"])
cache = recache._installed
print(json.dumps({"hits": cache.hits, "new": len(cache.new)}))
"""


def test_a_second_check_compiles_no_pattern(tmp_path: Path) -> None:
    env = {**os.environ, "TINKC_CACHE_DIR": str(tmp_path / "cache")}

    def probe() -> dict[str, int]:
        out = subprocess.run([sys.executable, "-c", _PROBE], env=env, check=True, capture_output=True, text=True, cwd=tmp_path).stdout
        return json.loads(out.splitlines()[-1])  # type: ignore[no-any-return]

    first, second = probe(), probe()
    assert first["new"] > 20 and first["hits"] == 0
    assert second["new"] == 0 and second["hits"] >= first["new"]


def test_turned_off(tmp_path: Path) -> None:
    env = {**os.environ, "TINKC_CACHE_DIR": "off"}
    code = "from tinkc import recache; import re; print(recache._installed is None, re._compiler.compile.__module__)"
    out = subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True, text=True, cwd=tmp_path).stdout.split()
    assert out == ["True", "re._compiler"]
