"""PyYAML, imported without compiling the one regular expression that makes importing it slow.

``yaml.reader.Reader`` compiles ``NON_PRINTABLE`` (a negated class of the printable ranges, up to
U+10FFFF) while the module is imported. Python's regex compiler builds a character class range by
range in pure Python, character by character below U+10000: ~7 ms of every `tinkc check`, for a
pattern tinkc never uses (manifests are parsed by libyaml, whose reader is in C; only PyYAML's pure
Python reader uses it).

``re.compile`` first looks the pattern up in the ``re`` module's cache, keyed on the pattern's type,
text and flags. Before PyYAML is imported, that entry is filled with the same class written the
other way round: the characters *not* printable (C0 controls but tab, LF and CR; DEL to U+009F but
NEL; surrogates; U+FFFE and U+FFFF), a few short ranges, compiled in well under a millisecond. The
two match exactly the same characters (tests/unit/test_load.py checks every code point), so PyYAML
behaves as it would; only the compiled object's ``.pattern`` text differs. When ``re`` keeps its
cache otherwise, PyYAML has been imported already, or a PyYAML writes another pattern, nothing is
filled in and PyYAML compiles its own, as without this module.
"""

from __future__ import annotations

import re
import sys

# PyYAML 5.1 - 6.0.x, yaml/reader.py: Reader.NON_PRINTABLE (the text, as that file's escapes make it)
YAML_NON_PRINTABLE = "[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
# every character the class above does not hold
NOT_PRINTABLE = "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]"


def _seed() -> None:
    cache = getattr(re, "_cache", None)
    if "yaml.reader" in sys.modules or not isinstance(cache, dict):
        return
    # the key re._compile uses (CPython 3.7 - 3.13): (type of the pattern, pattern, flags)
    cache.setdefault((str, YAML_NON_PRINTABLE, 0), re.compile(NOT_PRINTABLE))


_seed()

import yaml  # noqa: E402  (after the seeding: that is the point)

__all__ = ["yaml"]
