"""tinkc: compile one declarative API manifest into complete SDKs.

The path of a manifest through the code reads top to bottom in :mod:`tinkc.pipeline`.
"""

__version__ = "0.1.0"
