"""Bounds on manifest input, shared by the YAML and JSON loaders: beyond them a manifest is
reported as too large instead of exhausting the stack or memory."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tinkc.diagnostics import Sink
    from tinkc.ir.span import Span

MAX_DEPTH = 200  # nesting of mappings and lists
MAX_NAME_LENGTH = 128  # service, type and client names and modules: they become file and package names
MAX_UNION_MEMBERS = 256  # members of one union type: each becomes a variant, a decoder clause and a docs row
MAX_TYPE_DEPTH = 64  # brackets nested in one type expression: every backend walks types recursively


def number_too_long(text: str, sink: Sink, at: Callable[[], Span]) -> bool:
    """Report the decimal integer ``text`` (a sign, then digits) at the span ``at()`` gives when it
    has more digits than Python converts (``sys.get_int_max_str_digits()``: 4,300 unless
    configured; a bound against the quadratic time of longer conversions), and say whether it did:
    the YAML and JSON loaders then keep the text as a string."""
    limit = sys.get_int_max_str_digits()
    digits = len(text) - (text[:1] in ("+", "-"))
    if not limit or digits <= limit:
        return False
    sink.error(
        "load.number-too-long",
        f"an integer of {digits} digits: tinkc reads integers of up to {limit} digits",
        at(),
        hint="quote it to keep it as a string",
    )
    return True
