"""The `ir` target: the IR itself (JSON contract, Graphviz and Mermaid drawings) as build output."""

from tinkc.backends.irdump.backend import IrBackend

__all__ = ["IrBackend"]
