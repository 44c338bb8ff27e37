"""The escaping of manifest text in emitted source: the fast paths (ASCII at string speed) give what
the character-by-character rule gives, for every text."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from tinkc.backends.elixir.symbols import escape_text
from tinkc.backends.python.literals import escape_invisible
from tinkc.backends.typescript.doc import comment_text

INVISIBLE = {"Cc", "Cf", "Zl", "Zp", "Cs", "Co"}
SHORT = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}

# ASCII with every control, plus the non-ASCII characters the rules single out
texts = st.text(alphabet=st.sampled_from([chr(i) for i in range(128)] + ["\u2028", "\u202e", "é", "\U0001f600", "\ue000"]), max_size=40)
keeps = st.sampled_from(["", "\n", "\t\n"])


def _invisible(ch: str) -> bool:
    return unicodedata.category(ch) in INVISIBLE


def elixir_rule(value: str, keep: str) -> str:
    out = []
    for ch in value:
        if ch == "\\":
            out.append("\\\\")
        elif ch in keep or not _invisible(ch):
            out.append(ch)
        else:
            out.append(SHORT.get(ch) or "\\u{" + f"{ord(ch):x}" + "}")
    return "".join(out).replace("#{", "\\#{")


def python_rule(text: str, keep: str) -> str:
    out = []
    for ch in text:
        if ch in keep or not _invisible(ch):
            out.append(ch)
        elif ch in SHORT:
            out.append(SHORT[ch])
        else:
            code = ord(ch)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")
    return "".join(out)


def typescript_rule(text: str) -> str:
    return "".join(ch if ch == "\n" or not _invisible(ch) else "\\u{" + f"{ord(ch):x}" + "}" for ch in text).replace("*/", "*\\/")


@given(texts, keeps)
def test_elixir(text: str, keep: str) -> None:
    assert escape_text(text, keep) == elixir_rule(text, keep)


@given(texts, keeps)
def test_python(text: str, keep: str) -> None:
    assert escape_invisible(text, keep) == python_rule(text, keep)


@given(texts)
def test_typescript_comments(text: str) -> None:
    assert comment_text(text) == typescript_rule(text)


def test_examples() -> None:
    assert escape_text("a\\b #{x}\n\x00", keep="\n") == "a\\\\b \\#{x}\n\\u{0}"
    assert escape_text("line\nnext") == "line\\nnext"
    # controls that are all kept (a heredoc's newlines) are written as they are; any other is escaped
    assert escape_text("a\nb #{c}\n", keep="\n") == "a\nb \\#{c}\n"
    assert escape_text("a\tb\n", keep="\n") == "a\\tb\n"
    assert escape_invisible("doc\nline\x1b", keep="\n") == "doc\nline\\x1b"
    assert escape_invisible("doc\nline\n", keep="\n") == "doc\nline\n"
    assert comment_text("a */ b\n\x07") == "a *\\/ b\n\\u{7}"
