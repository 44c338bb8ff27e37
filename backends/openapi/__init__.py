"""The `openapi` target: the manifest as an OpenAPI 3.1 document, features and flows as extensions."""

from tinkc.backends.openapi.backend import OpenApiBackend

__all__ = ["OpenApiBackend"]
