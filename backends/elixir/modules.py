"""How one generated Elixir module refers to the others: its import recorder.

`Aliases` tracks, for one module being emitted, which modules it refers to (as the writers use
them, never by reading the emitted text), so that it declares exactly the `alias` lines it uses (an
unused alias is a compiler warning, and the SDK compiles with warnings as errors). The modules'
names and places are the symbol provider's (:class:`tinkc.backends.elixir.symbols.Layout`).
"""

from __future__ import annotations

from tinkc.backends.elixir.symbols import STDLIB


class Aliases:
    """The aliases of one emitted module. `ref(module)` answers how the code spells the module
    (its last segment when that can be aliased, else the full name) and records the alias."""

    def __init__(self, own: str, reserved: frozenset[str] = frozenset()) -> None:
        self.own = own
        self.by_short: dict[str, str] = {}
        self.used: set[str] = set()
        # the root of the namespace: `alias Jobs.API.Jobs` in a module of `Jobs` would make every
        # `Jobs.Error` after it mean `Jobs.API.Jobs.Error`
        self.reserved = STDLIB | reserved | {own.split(".", 1)[0]}

    def claim(self, module: str) -> None:
        """Reserve the short name of `module` for it (runtime modules the code always uses)."""
        self.by_short.setdefault(module.rsplit(".", 1)[-1], module)

    def ref(self, module: str) -> str:
        if module == self.own:
            return "__MODULE__"
        short = module.rsplit(".", 1)[-1]
        holder = self.by_short.setdefault(short, module) if short not in self.reserved else None
        if holder != module:
            return module
        self.used.add(module)
        return short

    def lines(self) -> list[str]:
        """`alias` lines for the modules the code referred to (only code calls `ref`), sorted."""
        return [f"  alias {module}" for module in sorted(self.used)]
