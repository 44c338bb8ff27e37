"""The Elixir backend (see :mod:`tinkc.backends.elixir.backend`)."""

from tinkc.backends.elixir.backend import ElixirBackend

__all__ = ["ElixirBackend"]
