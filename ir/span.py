"""Source positions. Kept in their own module so the frontend and the IR share them
without the frontend importing the IR node classes."""

from __future__ import annotations

import attrs


@attrs.frozen(kw_only=True, cache_hash=True)
class Span:
    """A region of a manifest file. Lines and columns are 1-based; ``end_*`` is exclusive."""

    file: str
    line: int
    col: int
    end_line: int
    end_col: int

    def at_offset(self, start: int, length: int) -> Span:
        """A sub-span of a single-line scalar: ``start`` characters in, ``length`` long."""
        return Span(
            file=self.file,
            line=self.line,
            col=self.col + start,
            end_line=self.line,
            end_col=self.col + start + max(length, 1),
        )

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"
