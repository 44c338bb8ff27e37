"""tinkc.attrscache: attrs' generated methods reused between runs only when they are the same."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tinkc import attrscache, runcache

FILENAME = "<attrs generated methods example.Point>"


def _script(salt: int | str) -> str:
    return textwrap.dedent(
        f"""\
        def __init__(self, x):
            self.x = x
        def __hash__(self):
            return hash((
                {salt},
                self.x,
            ))
        """
    )


def _functions(code: object) -> dict[str, object]:
    namespace: dict[str, object] = {}
    exec(code, {}, namespace)  # noqa: S102 - the code under test is the cache's own compile result
    return namespace


class _Point:
    def __init__(self, x: int) -> None:
        self.x = x


def test_a_second_process_reuses_what_the_first_compiled(tmp_path: Path) -> None:
    path = tmp_path / "cache.marshal"
    salt = attrscache._type_hash(FILENAME)
    first = attrscache.CodeCache(path)
    first.compile(_script(salt), FILENAME, "exec")
    assert (first.compiled, first.hits) == (1, 0)
    first.save()

    second = attrscache.CodeCache(path)
    code = second.compile(_script(salt), FILENAME, "exec")
    assert (second.compiled, second.hits) == (0, 1)
    second.save()  # nothing new: the file is not rewritten
    assert _functions(code)["__hash__"](_Point(3)) == hash((salt, 3))  # type: ignore[operator]


def test_a_changed_script_is_compiled_again_and_replaces_the_entry(tmp_path: Path) -> None:
    path = tmp_path / "cache.marshal"
    salt = attrscache._type_hash(FILENAME)
    cache = attrscache.CodeCache(path)
    cache.compile(_script(salt), FILENAME, "exec")
    cache.save()
    changed = _script(salt).replace("self.x = x", "self.x = x * 2")
    again = attrscache.CodeCache(path)
    code = again.compile(changed, FILENAME, "exec")
    assert (again.compiled, again.hits) == (1, 0)
    point = _Point(0)
    _functions(code)["__init__"](point, 5)  # type: ignore[operator]
    assert point.x == 10
    again.save()
    assert attrscache.CodeCache(path).entries[FILENAME][0] == changed.replace(str(salt), attrscache._SALT)


def test_the_per_process_hash_in_a_hash_method_is_replaced_by_this_process_one(tmp_path: Path) -> None:
    """attrs writes hash(<the class's name>) into __hash__, and Python randomizes it per process:
    an entry compiled by another process (another number) is used with this process's number."""
    path = tmp_path / "cache.marshal"
    salt = attrscache._type_hash(FILENAME)
    assert salt is not None
    other = salt + 12345  # what another process would have written
    cache = attrscache.CodeCache(path)
    cache.entries[FILENAME] = (_script(attrscache._SALT), compile(_script(other), FILENAME, "exec"), other)
    code = cache.compile(_script(salt), FILENAME, "exec")
    assert cache.hits == 1
    assert _functions(code)["__hash__"](_Point(7)) == hash((salt, 7))  # type: ignore[operator]


def test_other_compiles_pass_through_untouched(tmp_path: Path) -> None:
    cache = attrscache.CodeCache(tmp_path / "cache.marshal")
    assert eval(cache.compile("1 + 2", "<x>", "eval")) == 3  # noqa: S307 - a constant expression
    assert cache.compiled == 0 and not cache.entries


@pytest.mark.parametrize("content", [b"", b"not marshal data", b"\xe9" * 10])
def test_an_unreadable_file_only_means_compiling(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "cache.marshal"
    path.write_bytes(content)
    cache = attrscache.CodeCache(path)
    assert cache.entries == {}
    cache.compile(_script(1), FILENAME, "exec")
    cache.save()
    assert FILENAME in attrscache.CodeCache(path).entries


def test_stale_entries_are_trimmed_least_recently_used_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(attrscache, "MAX_ENTRIES", 2)
    path = tmp_path / "cache.marshal"
    cache = attrscache.CodeCache(path)
    for name in ("a", "b", "c"):
        cache.compile("x = 1\n", f"<attrs generated methods m.{name}>", "exec")
    cache.save()
    assert list(attrscache.CodeCache(path).entries) == ["<attrs generated methods m.b>", "<attrs generated methods m.c>"]


def test_turned_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TINKC_CACHE_DIR", "off")
    assert runcache.cache_dir() is None


_PROBE = """
import json
from tinkc import attrscache  # first, as the `tinkc` command does: attrs is imported under the cache
import attrs
from tinkc.ir.span import Span

@attrs.frozen
class Probe:
    a: int
    b: str = "x"

cache = attrscache._installed
print(json.dumps({
    "hits": cache.hits if cache else None,
    "compiled": cache.compiled if cache else None,
    "factory": hash(attrs.Factory(list)) == hash((hash("<attrs generated hash attr._make.Factory>"), list, False)),
    "hash": hash(Probe(1)),
    "span": hash(Span(file="f", line=1, col=2, end_line=3, end_col=4)),
    "eq": Probe(1) == Probe(1, "x"),
    "repr": repr(Probe(2, "y")),
}))
"""


def _probe(tmp_path: Path, cache: str, seed: str) -> dict[str, object]:
    env = {**os.environ, "TINKC_CACHE_DIR": cache, "PYTHONHASHSEED": seed}
    out = subprocess.run([sys.executable, "-c", _PROBE], env=env, check=True, capture_output=True, text=True, cwd=tmp_path).stdout
    return json.loads(out)  # type: ignore[no-any-return]


def test_classes_built_from_the_cache_behave_as_compiled_ones(tmp_path: Path) -> None:
    """Across processes with different hash seeds: the cached methods hash, compare and print as
    attrs' freshly compiled ones do in the same process."""
    cache = str(tmp_path / "cache")
    first = _probe(tmp_path, cache, "1")
    second = _probe(tmp_path, cache, "2")
    uncached = _probe(tmp_path, "off", "2")
    assert second["hits"] and second["hits"] >= first["hits"] + 2  # type: ignore[operator]
    assert uncached["hits"] is None
    for key in ("hash", "span", "eq", "repr", "factory"):
        assert second[key] == uncached[key], key


def test_the_classes_attrs_builds_while_imported_come_from_the_cache_too(tmp_path: Path) -> None:
    """attrs' own classes (its validators, Factory with a hash of its own...) are built while
    tinkc installs the cache: a second process, under another hash seed, compiles none of them."""
    cache = str(tmp_path / "cache")
    _probe(tmp_path, cache, "1")
    second = _probe(tmp_path, cache, "2")
    assert second["compiled"] == 0
    names = attrscache.CodeCache(next((tmp_path / "cache").glob("attrs-*.marshal"))).entries
    assert "<attrs generated __hash__ attr._make.Factory>" in names
    assert any(name.startswith("<attrs generated methods attr.validators.") for name in names)


def test_processes_saving_at_once_keep_each_other_entries(tmp_path: Path) -> None:
    """A build's forked emitters each compile their own classes and save as they end, and the
    parent saves last: the file ends with everyone's entries."""
    path = tmp_path / "cache.marshal"
    parent = attrscache.CodeCache(path)
    parent.compile("x = 1\n", "<attrs generated methods m.Parent>", "exec")
    child_a = attrscache.CodeCache(path)
    child_a.compile("x = 2\n", "<attrs generated methods m.A>", "exec")
    child_b = attrscache.CodeCache(path)
    child_b.compile("x = 3\n", "<attrs generated methods m.B>", "exec")
    child_a.save()
    child_b.save()
    parent.save()
    assert set(attrscache.CodeCache(path).entries) == {f"<attrs generated methods m.{n}>" for n in ("Parent", "A", "B")}


def test_a_build_keeps_the_classes_its_forked_emitters_compiled(tmp_path: Path) -> None:
    env = {**os.environ, "TINKC_CACHE_DIR": str(tmp_path / "cache"), "TINKC_JOBS": "3"}
    command = [sys.executable, "-m", "tinkc", "build", "--target", "python,typescript,elixir", "--out", str(tmp_path / "out"), "--quiet"]
    subprocess.run(command, env=env, check=True, cwd=tmp_path)
    (cache,) = (tmp_path / "cache").glob("attrs-*.marshal")
    names = attrscache.CodeCache(cache).entries
    # a class of the Elixir backend's emitters: imported in a forked child only (python is emitted here)
    assert any(".elixir.signatures." in name for name in names), sorted(names)


def test_only_the_classes_of_tinkc_and_attrs_are_kept(tmp_path: Path) -> None:
    """The libraries `tinkc lsp` and `tinkc mock` import define hundreds of classes (lsprotocol
    550): their methods are compiled as attrs does, not kept in the file every run reads."""
    path = tmp_path / "cache.marshal"
    cache = attrscache.CodeCache(path, keep=attrscache.tinkc_or_attrs)
    for name in ("tinkc.ir.nodes.Field", "lsprotocol.types.Position", "attr._make.Attribute"):
        cache.compile("x = 1\n", f"<attrs generated methods {name}>", "exec")
    cache.compile("x = 2\n", "<attrs generated __repr__ attr._make.Factory>", "exec")
    assert cache.compiled == 3
    cache.save()
    assert set(attrscache.CodeCache(path).entries) == {
        "<attrs generated methods tinkc.ir.nodes.Field>",
        "<attrs generated methods attr._make.Attribute>",
        "<attrs generated __repr__ attr._make.Factory>",
    }


def test_a_file_with_entries_no_longer_kept_is_rewritten_without_them(tmp_path: Path) -> None:
    path = tmp_path / "cache.marshal"
    everything = attrscache.CodeCache(path)  # as an older tinkc kept them
    for name in ("tinkc.A", "cattrs.B"):
        everything.compile("x = 1\n", f"<attrs generated methods {name}>", "exec")
    everything.save()
    scoped = attrscache.CodeCache(path, keep=attrscache.tinkc_or_attrs)
    assert list(scoped.entries) == ["<attrs generated methods tinkc.A>"] and scoped.compiled == 0
    scoped.save()  # nothing compiled, but the file still held what is not kept
    assert list(attrscache.CodeCache(path).entries) == ["<attrs generated methods tinkc.A>"]
