"""The compiled-template cache of the backends (backends/templates.py): entries read as jinja's own
file cache reads them, a stale or damaged entry compiled again, never used."""

from __future__ import annotations

from pathlib import Path

import jinja2
from jinja2.bccache import Bucket, bc_magic

from tinkc.backends.templates import _FileSystemBytecodeCache

SOURCE = "{% for x in items %}{{ x | upper }}{% if not loop.last %}, {% endif %}{% endfor %}\n"


def _env(cache: jinja2.BytecodeCache, source: str = SOURCE) -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.DictLoader({"t.jinja": source}), bytecode_cache=cache, auto_reload=False, keep_trailing_newline=True
    )


def _bucket(env: jinja2.Environment, cache: jinja2.BytecodeCache, source: str = SOURCE) -> Bucket:
    bucket = Bucket(env, cache.get_cache_key("t.jinja"), cache.get_source_checksum(source))
    cache.load_bytecode(bucket)
    return bucket


def test_an_entry_reads_as_jinjas_own_cache_reads_it(tmp_path: Path) -> None:
    ours = _FileSystemBytecodeCache(str(tmp_path))
    assert _env(ours).get_template("t.jinja").render(items=["a", "b"]) == "A, B\n"  # compiled, stored
    theirs = jinja2.FileSystemBytecodeCache(str(tmp_path))
    env = _env(theirs)
    read, reference = _bucket(env, ours), _bucket(env, theirs)
    assert read.code is not None
    assert read.code == reference.code
    # a new environment renders from the stored entry
    assert _env(_FileSystemBytecodeCache(str(tmp_path))).get_template("t.jinja").render(items=["c"]) == "C\n"


def test_a_stale_entry_is_not_used(tmp_path: Path) -> None:
    ours = _FileSystemBytecodeCache(str(tmp_path))
    _env(ours).get_template("t.jinja")
    changed = SOURCE.replace("upper", "lower")
    assert _bucket(_env(ours, changed), ours, changed).code is None
    assert _env(_FileSystemBytecodeCache(str(tmp_path)), changed).get_template("t.jinja").render(items=["A"]) == "a\n"


def test_a_damaged_or_missing_entry_is_not_used(tmp_path: Path) -> None:
    ours = _FileSystemBytecodeCache(str(tmp_path))
    env = _env(ours)
    assert _bucket(env, ours).code is None  # nothing stored yet
    env.get_template("t.jinja")
    (entry,) = tmp_path.iterdir()
    data = entry.read_bytes()
    entry.write_bytes(data[: len(data) - 20])  # cut short: the code object cannot be read
    assert _bucket(env, ours).code is None
    entry.write_bytes(b"not jinja" + data)  # another header
    assert _bucket(env, ours).code is None
    assert _env(_FileSystemBytecodeCache(str(tmp_path))).get_template("t.jinja").render(items=["x"]) == "X\n"


def test_an_entry_damaged_in_its_checksum_is_not_used(tmp_path: Path) -> None:
    # cut inside the pickled checksum, or garbage after jinja's header: compiled again, not a crash
    # of every later build (the cache outlives the run that damaged it)
    ours = _FileSystemBytecodeCache(str(tmp_path))
    env = _env(ours)
    env.get_template("t.jinja")
    (entry,) = tmp_path.iterdir()
    data = entry.read_bytes()
    for damaged in (data[: len(bc_magic) + 5], bc_magic + b"\xff\xfe not a pickle", bc_magic + b"c__nothing__\nnone\n."):
        entry.write_bytes(damaged)
        assert _bucket(env, ours).code is None
        assert _env(_FileSystemBytecodeCache(str(tmp_path))).get_template("t.jinja").render(items=["y"]) == "Y\n"
