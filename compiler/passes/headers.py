"""Pass `headers`: every header a manifest names can be sent, byte for byte, by every SDK.

A header name must be an HTTP token (RFC 9110 §5.1: letters, digits and ``!#$%&'*+-.^_`|~``); a
fixed value must be visible ASCII with inner spaces or tabs only (RFC 9110 §5.5): a control
character (CR and LF above all: header injection), a non-ASCII character (HTTP libraries refuse it
or send it in different encodings) or leading/trailing whitespace (trimmed by some libraries, so
not sent as written) are errors. Checked: the service's and the endpoints' `headers`, the auth
header, and the headers features add (`sampling_backpressure.header`, `idempotency_key.header`).

Example: ``headers: {"X-Trace id": "a"}`` is an error (a space is no token character).
"""

from __future__ import annotations

import re

from tinkc.diagnostics import Sink
from tinkc.ir import nodes as ir
from tinkc.ir.span import Span
from tinkc.passes.base import Pass

TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+\Z")
FIELD_VALUE = re.compile(r"([\x21-\x7e]([\x20\x21-\x7e\t]*[\x21-\x7e])?)?\Z")


def shown(text: str) -> str:
    """The text with invisible characters escaped, so a diagnostic shows what is wrong."""
    return text.encode("unicode_escape").decode("ascii").replace("`", "\\`")


def check_name(name: str, where: str, span: Span | None, sink: Sink) -> None:
    if not TOKEN.match(name):
        bad = next((ch for ch in name if not TOKEN.match(ch)), "")
        what = "is empty" if not name else f"contains `{shown(bad)}`"
        sink.error(
            "header.bad-name",
            f"header name `{shown(name)}`{where} {what}, which an HTTP header name cannot hold",
            span,
            hint="a header name is a token: letters, digits and !#$%&'*+-.^_`|~",
        )


def check_value(header: ir.Header, where: str, span: Span | None, sink: Sink) -> None:
    if not FIELD_VALUE.match(header.value):
        sink.error(
            "header.bad-value",
            f"the value of header `{shown(header.name)}`{where} (`{shown(header.value)}`) cannot be sent as written",
            span,
            hint="use visible ASCII, with spaces or tabs only between other characters (no line breaks, no leading or trailing whitespace)",
        )


def run(api: ir.Api, sink: Sink) -> ir.Api:
    svc = api.service
    if svc.auth is not None:
        check_name(svc.auth.header, " of `service.auth`", svc.auth.span, sink)
    for h in svc.headers:
        check_name(h.name, " of the service", h.span, sink)
        check_value(h, " of the service", h.span, sink)
    for ep in api.endpoints.values():
        for h in ep.headers:
            check_name(h.name, f" of `{ep.id}`", h.span, sink)
            check_value(h, f" of `{ep.id}`", h.span, sink)
    for feat in api.features.values():
        p = feat.params
        if isinstance(p, ir.SamplingBackpressure):
            for h in p.headers:
                span = h.span or feat.param_span("header")
                check_name(h.name, f" of feature `{feat.id}`", span, sink)
                check_value(h, f" of feature `{feat.id}`", span, sink)
        elif isinstance(p, ir.IdempotencyKey):
            check_name(p.header, f" of feature `{feat.id}`", feat.param_span("header"), sink)
    return api


PASS = Pass(name="headers", kind="validation", run=run, doc=__doc__ or "")
