"""Bounds on manifest input, shared by the YAML and JSON loaders: beyond them a manifest is
reported as too large instead of exhausting the stack or memory."""

import sys

MAX_DEPTH = 200  # nesting of mappings and lists
MAX_NAME_LENGTH = 128  # service, type and client names and modules: they become file and package names
MAX_UNION_MEMBERS = 256  # members of one union type: each becomes a variant, a decoder clause and a docs row
MAX_TYPE_DEPTH = 64  # brackets nested in one type expression: every backend walks types recursively


def too_many_digits(text: str) -> str | None:
    """What is wrong with the decimal integer ``text`` (a sign, then digits) when it has more digits
    than Python converts (``sys.get_int_max_str_digits()``: 4,300 unless configured; a bound
    against the quadratic time of longer conversions), else None."""
    limit = sys.get_int_max_str_digits()
    digits = len(text) - (text[:1] in ("+", "-"))
    if limit and digits > limit:
        return f"an integer of {digits} digits: tinkc reads integers of up to {limit} digits"
    return None
