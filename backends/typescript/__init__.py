"""The TypeScript backend (see :mod:`tinkc.backends.typescript.backend`)."""

from tinkc.backends.typescript.backend import TypeScriptBackend

__all__ = ["TypeScriptBackend"]
