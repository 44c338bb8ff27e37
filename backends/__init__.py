"""Backends: one package per target language, each exposing a :class:`tinkc.backends.base.Backend`."""
