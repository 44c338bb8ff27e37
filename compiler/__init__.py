"""tinkc: compile one declarative API manifest into complete SDKs.

The path of a manifest through the code reads top to bottom in :mod:`tinkc.pipeline`.
"""

__version__ = "0.1.0"

# Before any of tinkc's modules (and the libraries they import) is: regular expressions and the
# methods attrs generates for tinkc's classes are compiled once and kept between runs, as Python
# keeps bytecode (see tinkc.runcache).
from tinkc import recache as _recache

_recache.install()

from tinkc import attrscache as _attrscache  # noqa: E402  (after the regex cache: attrs compiles patterns)

_attrscache.install()
