"""tinkc-example-backend: the `minipy` target, installed as a tinkc plug-in (see docs/backends.md)."""

__version__ = "0.3.0"

from tinkc_example_backend.backend import MiniPyBackend  # noqa: E402 - the version comes first: the backend reads it

__all__ = ["MiniPyBackend", "__version__"]
