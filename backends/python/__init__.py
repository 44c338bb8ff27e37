"""The Python backend (see :mod:`tinkc.backends.python.backend`)."""

from tinkc.backends.python.backend import PythonBackend

__all__ = ["PythonBackend"]
