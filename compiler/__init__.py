"""tinkc: compile one declarative API manifest into complete SDKs.

The path of a manifest through the code reads top to bottom in :mod:`tinkc.pipeline`.
"""

__version__ = "0.1.0"

# Before any of tinkc's attrs classes is defined: their generated methods are compiled once and
# kept between runs (see tinkc.attrscache).
from tinkc import attrscache as _attrscache

_attrscache.install()
