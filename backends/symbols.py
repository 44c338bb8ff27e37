"""What every target's symbol provider shares: symbols that know where they are imported from, and
the import recorder a file's writer fills as it uses them.

A target's symbol provider (``backends/<lang>/symbols.py``) is the one place that decides its
identifiers: casing, reserved words, renames, and the module each symbol lives in. Both the
`naming` pass (through :attr:`SymbolProvider.naming`) and the emitters use it. A writer asks the
provider for a symbol and *uses* it through the file's :class:`Imports`, so the imports of a file
are exactly what its text uses, recorded as it is written; nothing is found afterwards by reading
the emitted text.

Example::

    >>> imports = Imports()
    >>> imports.use(Symbol("TypeAdapter", "pydantic"))
    'TypeAdapter'
    >>> imports.use(Symbol("Endpoint", "._spec")), imports.use(Symbol("str"))
    ('Endpoint', 'str')
    >>> imports.by_module()
    [('._spec', ['Endpoint']), ('pydantic', ['TypeAdapter'])]
"""

from __future__ import annotations

from typing import ClassVar

import attrs

from tinkc.backends.base import NamingRules


@attrs.frozen(order=True)
class Symbol:
    """An identifier of the target and the module it comes from (None: a builtin, or defined in the
    file that uses it). ``kind`` is the target's own distinction, where it has one (TypeScript: a
    value, a type only, or a module imported as a namespace)."""

    name: str
    module: str | None = None
    kind: str = "value"


class Imports:
    """The imports one emitted file needs, recorded as its writer uses symbols."""

    def __init__(self) -> None:
        self._used: dict[str, dict[str, Symbol]] = {}  # module → name → symbol

    def use(self, symbol: Symbol) -> str:
        """Record ``symbol`` as used by this file; return the name to write."""
        module = symbol.module
        if module is not None:
            names = self._used.get(module)
            if names is None:  # (not setdefault: it would make a dict on each of ~3,000 calls an emit)
                names = self._used[module] = {}
            names[symbol.name] = symbol
        return symbol.name

    def __contains__(self, symbol: Symbol) -> bool:
        return symbol.module is not None and symbol.name in self._used.get(symbol.module, {})

    def __bool__(self) -> bool:
        return bool(self._used)

    def symbols(self) -> list[tuple[str, list[Symbol]]]:
        """(module, its symbols sorted by name) in module order."""
        return [(module, sorted(used.values(), key=lambda s: s.name)) for module, used in sorted(self._used.items())]

    def by_module(self) -> list[tuple[str, list[str]]]:
        """(module, sorted names) in module order; a target's template orders the groups its way."""
        return [(module, [s.name for s in symbols]) for module, symbols in self.symbols()]


class SymbolProvider:
    """The base of a target's symbol provider: :attr:`naming` (the casing and reserved words the
    `naming` pass checks collisions with) and the spellings derived from it. Subclasses add the
    target's own symbols (classes of the runtime, modules, constants) and renames."""

    naming: ClassVar[NamingRules]

    def type_name(self, name: str) -> str:
        return self.naming.type_name(name)

    def method_name(self, name: str) -> str:
        return self.naming.method_name(name)

    def field_name(self, name: str) -> str:
        return self.naming.field_name(name)
