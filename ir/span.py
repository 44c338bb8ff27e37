"""Source positions. Kept in their own module so the frontend and the IR share them
without the frontend importing the IR node classes."""

from __future__ import annotations

import attrs


# Not keyword-only, unlike the IR's classes: the frontend makes a Span for nearly every key and
# type expression (~2,700 in a check of the bundled manifest), and there it passes the five values
# by position. A class called with keywords first collects them in a dict: ~0.4 us of a Span's ~1.5.
# Not slotted either: a frozen class sets a slot through object.__setattr__, one call per field,
# where a frozen dict class stores into its __dict__ (1.14 -> 0.77 us a Span; a check makes ~2,700).
@attrs.frozen(cache_hash=True, slots=False)
class Span:
    """A region of a manifest file. Lines and columns are 1-based; ``end_*`` is exclusive.
    Made as ``Span(file, line, col, end_line, end_col)`` where it is made most (or with keywords)."""

    file: str
    line: int
    col: int
    end_line: int
    end_col: int

    def at_offset(self, start: int, length: int) -> Span:
        """A sub-span of a single-line scalar: ``start`` characters in, ``length`` long."""
        col = self.col + start
        return Span(self.file, self.line, col, self.line, col + max(length, 1))

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"
