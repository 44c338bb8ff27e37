"""Frontend, stage 2: manifest model → IR.

The lowering gives the manifest its meaning: type expressions, bindings, paths and status lists are
parsed with the grammars, equivalent spellings are normalized (both ``promise_result`` forms, field
short and long forms, ``[string]`` written as a YAML list), and every unknown or misplaced key is
a diagnostic. It does not resolve references between declarations: that is the passes' work, so
the lowering never needs more than the node in front of it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from tinkc.diagnostics import Sink, did_you_mean
from tinkc.features import FEATURE_TYPES, HTTP_METHODS, REQUIRED, RESPONSE_HANDLERS, STREAM_ACCEPT, STREAMS, FeatureType, Param
from tinkc.frontend.grammars import (
    GrammarError,
    format_type,
    parse_helper_expr,
    parse_path,
    parse_status,
    parse_template,
    parse_type,
    path_well_formed,
)
from tinkc.frontend.limits import MAX_NAME_LENGTH
from tinkc.frontend.model import SUPPORTED_SCHEMA_VERSIONS, Document, Manifest, Mapping, Node, Scalar, Sequence, to_plain
from tinkc.frontend.target_options import check_target_options
from tinkc.ir import nodes as ir
from tinkc.ir.span import Span

ROOT_KEYS = ("schema_version", "imports", "service", "targets", "clients", "features", "endpoints", "flows", "types")
IMPORTED_KEYS = ("schema_version", "imports", "clients", "features", "endpoints", "flows", "types")
SECTIONS = ("types", "features", "endpoints", "flows", "clients")
BINDING_SOURCES = ("input", "result", "steps", "state", "config", "server")
# The configuration options every SDK has (its Config's own): `service.config` cannot redeclare them.
RESERVED_CONFIG = (
    "api_key",
    "base_url",
    "timeout",
    "headers",
    "env",
    "config",
    "options",
    "http_adapter",
    "time_scale",
    "queue_state_observer",
    "telemetry_enabled",
)
CONFIG_NAME = re.compile(r"[a-z][a-z0-9_]*")
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
# An HTTP header name (RFC 9110 `token`).
_HEADER_NAME = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+\Z")
# What a path may not hold, the first of them reported: `?` (a query), `#`, whitespace (as
# str.isspace: re's `\s` is the same test) and control characters. One search, not a loop over
# the path's characters (tests/unit/test_lower.py holds the two to the same answer).
_PATH_BAD_CHARACTER = re.compile(r"[?#\s\x00-\x1f\x7f]")
_ENDPOINT_ID = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*\Z")
# `api: group.function` of an endpoint: names every SDK can spell (a module / namespace, a function)
API_NAME = re.compile(r"[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*")
_TYPE_ID = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*\Z")
_NAMESPACE = re.compile(r"[a-z][a-z0-9_]*\Z")
MAX_NAMESPACE_LENGTH = 64
# A namespace becomes TypeScript's `export * as <ns>` next to these exports of the package's index
# (and Python's `types_<ns>` module): these names are taken.
RESERVED_NAMESPACES = frozenset({"api", "types", "runtime", "ext", "clients"})
_ACCESSOR = re.compile(r"[a-z][a-z0-9_]*\Z")
# what every SDK's type modules define already (a tag accessor of one of these names would clash)
TYPE_FUNCTIONS = frozenset({"new", "decode", "from_json", "from_map", "to_json", "to_map", "values", "parse", "to_string"})
# how a chunked step's results combine, per field: lists concatenated, metrics reduced by key suffix
CHUNK_COMBINE = ("concat", "metrics", "first")
# A helper's `get:` path: `${self}` then `.field` and `[*]` (every item of a list) steps.
_SELF_PATH = re.compile(r"\$\{self((?:\.[A-Za-z_][A-Za-z0-9_]*|\[\*\])*)\}\Z")
_PATH_STEP = re.compile(r"\.[A-Za-z_][A-Za-z0-9_]*|\[\*\]")
_PARSE_FUNCTION = re.compile(r"[a-z_][a-z0-9_]*\Z")  # a function name every SDK can spell in its own case
# A helper's name: a function name, or a predicate's (`retryable?`: Elixir keeps the `?`, Python and
# TypeScript spell it `is_retryable` / `isRetryable`; the type-declarations pass checks it answers a bool).
_HELPER_NAME = re.compile(r"[a-z_][a-z0-9_]*\??\Z")
_MODULE = re.compile(r"[A-Z][A-Za-z0-9_]*(\.[A-Z][A-Za-z0-9_]*)*\Z")

# Common spellings from other languages, answered with tinkc's own.
TYPE_SPELLING_HINTS = {
    "str": "string",
    "String": "string",
    "text": "string",
    "integer": "int",
    "Integer": "int",
    "long": "int",
    "number": "float",
    "double": "float",
    "Float": "float",
    "boolean": "bool",
    "Boolean": "bool",
    "object": "map[string,any]",
    "dict": "map[string,T]",
    "Dict": "map[string,T]",
    "array": "[T]",
    "list": "[T]",
    "List": "[T]",
    "Any": "any",
    "timestamp": "datetime",
    "null": "T?",
    "None": "T?",
}


class Lowerer:
    def __init__(self, manifest: Manifest, sink: Sink) -> None:
        self.manifest = manifest
        self.sink = sink

    # -- helpers ---------------------------------------------------------------------------

    def check_keys(self, m: Mapping, allowed: Iterable[str], where: str) -> None:
        allowed = tuple(allowed)
        # Nearly every mapping has only allowed keys: one set difference (in C) says so, instead of
        # a scan of `allowed` for each key (the 795 mappings of the bundled manifest: 0.8 -> 0.6 ms).
        if not m.entries.keys() - allowed:
            return
        for e in m:
            if e.key not in allowed:
                hint = did_you_mean(e.key, allowed) or f"allowed here: {', '.join(sorted(allowed))}"
                self.sink.error("manifest.unknown-key", f"unknown key `{e.key}` in {where}", e.key_span, hint=hint)

    def short_name(self, name: str, what: str, span: Span) -> bool:
        """Names that become file or package names must fit a file name with room to spare."""
        if len(name) <= MAX_NAME_LENGTH:
            return True
        self.sink.error(
            "manifest.name-too-long", f"this {what} is {len(name)} characters long; at most {MAX_NAME_LENGTH} are allowed", span
        )
        return False

    def mapping(self, node: Node | None, what: str) -> Mapping | None:
        if node is None:
            return None
        if isinstance(node, Mapping):
            return node
        if isinstance(node, Scalar) and node.value is None:
            return Mapping(entries={}, span=node.span)  # `types:` with nothing under it
        self.sink.error("manifest.expected-mapping", f"{what} must be a mapping, not {node.describe()}", node.span)
        return None

    def string(self, node: Node | None, what: str, allow_numbers: bool = False) -> str | None:
        if node is None:
            return None
        if isinstance(node, Scalar):
            if isinstance(node.value, str):
                return node.value
            if allow_numbers and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
                return str(node.value)
        hint = "quote it" if isinstance(node, Scalar) and node.value is not None else None
        self.sink.error("manifest.expected-string", f"{what} must be a string, not {node.describe()}", node.span, hint=hint)
        return None

    def integer(self, node: Node | None, what: str) -> int | None:
        if node is None:
            return None
        if isinstance(node, Scalar) and isinstance(node.value, int) and not isinstance(node.value, bool):
            return node.value
        self.sink.error("manifest.expected-integer", f"{what} must be an integer, not {node.describe()}", node.span)
        return None

    def counter_start(self, m: Mapping, counter: bool, what: str) -> int:
        """A counter's first value (`start:`), 0 when not given; only a counter has one."""
        node = m.get("start")
        if node is None:
            return 0
        if not counter:
            self.sink.error(
                "manifest.conflict",
                f"{what}: `start` is the first value of a counter",
                node.span,
                hint="add `counter: true` or remove `start`",
            )
            return 0
        value = self.integer(node, f"`start` of {what}")
        if value is not None and value < 0:
            self.sink.error("manifest.bad-value", f"`start` of {what} must be 0 or more, not {value}", node.span)
            return 0
        return value or 0

    def number(self, node: Node | None, what: str) -> float | None:
        if node is None:
            return None
        if isinstance(node, Scalar) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
            return node.value
        self.sink.error("manifest.expected-number", f"{what} must be a number, not {node.describe()}", node.span)
        return None

    def boolean(self, node: Node | None, what: str) -> bool | None:
        if node is None:
            return None
        if isinstance(node, Scalar) and isinstance(node.value, bool):
            return node.value
        hint = "only `true` and `false` are booleans" if isinstance(node, Scalar) and isinstance(node.value, str) else None
        self.sink.error("manifest.expected-boolean", f"{what} must be true or false, not {node.describe()}", node.span, hint=hint)
        return None

    def string_list(self, node: Node | None, what: str) -> list[tuple[str, Span]]:
        if node is None:
            return []
        items = node.items if isinstance(node, Sequence) else [node]
        out = []
        for item in items:
            s = self.string(item, f"each entry of {what}")
            if s is not None:
                out.append((s, item.span))
        return out

    def doc(self, m: Mapping) -> str | None:
        return self.string(m.get("doc"), "`doc`")

    # -- type expressions ------------------------------------------------------------------

    def type_expr(self, node: Node | None, what: str) -> ir.TypeRef | None:
        if node is None:
            return None
        if isinstance(node, Sequence):
            # `tags: [string]` is a YAML list of one element: the list type `[string]`.
            if len(node.items) != 1:
                self.sink.error("type.syntax", f"{what}: a list type names exactly one element type, like `[string]`", node.span)
                return None
            item = self.type_expr(node.items[0], what)
            return ir.ListT(item=item, span=node.span) if item is not None else None
        if isinstance(node, Mapping):
            self.sink.error(
                "type.syntax",
                f"{what}: expected a type expression, found a mapping",
                node.span,
                hint="inline record types are not supported: declare a named type under `types:` and refer to it",
            )
            return None
        text = node.value
        if not isinstance(text, str) or not text.strip():
            self.sink.error(
                "type.syntax",
                f"{what}: expected a type expression, found {node.describe()}",
                node.span,
                hint="literal types are written as quoted YAML strings: `'\"text\"'`" if text is not None else None,
            )
            return None
        try:
            return parse_type(text, node.sub_span)
        except GrammarError as exc:
            hint = None
            m = re.match(r"\s*(List|list|Optional|Dict|dict|Array|array)\s*\[", text)
            if m:
                hint = {"Optional": "write `T?` for an optional type"}.get(
                    m.group(1), "write `[T]` for a list and `map[string,T]` for a map"
                )
            message = exc.message
            if "??" in text:
                message = "`?` is written twice"
                hint = f"a type is nullable or not: write `{re.sub(r'[?]+', '?', text.strip())}`"
            self.sink.error(
                "type.syntax", f"malformed type expression `{text}`: {message}", node.sub_span(exc.column, exc.length), hint=hint
            )
            return None

    # -- the whole manifest ------------------------------------------------------------------

    def lower(self) -> ir.Api | None:
        root = self.manifest.root
        self.check_keys(root.root, ROOT_KEYS, "the manifest")
        for doc in self.manifest.imported:
            self.check_imported_keys(doc)
        version = self.schema_version(root)
        for doc in self.manifest.imported:
            v = doc.root.get("schema_version")
            if v is not None:
                self.schema_version(doc)

        service = self.service(root.root.get("service"), root)
        merged = {section: self.merge(section) for section in SECTIONS}
        unlowered: dict[str, set[str]] = {section: set() for section in SECTIONS}
        for e in root.root:  # a misspelt section (`endpoint:`): its entries exist, so don't call them unknown
            close = did_you_mean(e.key, SECTIONS) if e.key not in ROOT_KEYS else None
            if close and isinstance(e.value, Mapping):
                section = close.split("`")[1]
                unlowered[section].update(x.key for x in e.value)
        types = {k: t for k, (e, n) in merged["types"].items() if (t := self.type_decl(k, e, n)) is not None}
        features = {k: f for k, (e, n) in merged["features"].items() if (f := self.feature(k, e, n)) is not None}
        endpoints = {k: ep for k, (e, n) in merged["endpoints"].items() if (ep := self.endpoint(k, e, n)) is not None}
        for section, lowered in (("types", types), ("features", features), ("endpoints", endpoints)):
            unlowered[section].update(k for k in merged[section] if k not in lowered)
        flows: dict[str, ir.Flow] = {}
        for k, (span, n) in merged["flows"].items():
            fl = self.flow(k, n, span, client=None)
            if fl is not None:
                flows[k] = fl
        clients: dict[str, ir.Client] = {}
        for k, (span, n) in merged["clients"].items():
            c = self.client(k, span, n, flows)
            if c is not None:
                clients[k] = c
        unlowered["flows"].update(k for k in merged["flows"] if k not in flows)
        unlowered["clients"].update(k for k in merged["clients"] if k not in clients)
        targets = self.targets(root.root.get("targets"), types)
        if version is None or service is None:
            return None
        return ir.Api(
            schema_version=version,
            service=service,
            targets=targets,
            types=types,
            endpoints=endpoints,
            features=features,
            flows=flows,
            clients=clients,
            unlowered={k: tuple(sorted(v)) for k, v in unlowered.items() if v},
        )

    def check_imported_keys(self, doc: Document) -> None:
        for e in doc.root:
            if e.key in ("service", "targets"):
                self.sink.error(
                    "manifest.misplaced-key",
                    f"`{e.key}` belongs in the root manifest, not in an imported file",
                    e.key_span,
                    hint=f"move it to {self.manifest.root.display}",
                )
            elif e.key not in IMPORTED_KEYS:
                hint = did_you_mean(e.key, IMPORTED_KEYS) or f"allowed here: {', '.join(IMPORTED_KEYS)}"
                self.sink.error("manifest.unknown-key", f"unknown key `{e.key}` in an imported manifest", e.key_span, hint=hint)

    def schema_version(self, doc: Document) -> int | None:
        node = doc.root.get("schema_version")
        if node is None:
            self.sink.error(
                "schema.version-missing", "the manifest has no `schema_version`", doc.root.span, hint="add `schema_version: 1` at the top"
            )
            return None
        if not (isinstance(node, Scalar) and isinstance(node.value, int) and not isinstance(node.value, bool)):
            self.sink.error(
                "schema.unsupported-version",
                f"`schema_version` must be an integer, not {node.describe()}",
                node.span,
                hint="write `schema_version: 1`",
            )
            return None
        if node.value not in SUPPORTED_SCHEMA_VERSIONS:
            supported = ", ".join(map(str, SUPPORTED_SCHEMA_VERSIONS))
            self.sink.error(
                "schema.unsupported-version",
                f"schema_version {node.value} is not supported",
                node.span,
                hint=f"this tinkc reads schema_version {supported}",
            )
            return None
        return node.value

    def merge(self, section: str) -> dict[str, tuple[Span, Node]]:
        """One section from every document; the same id in two documents is an error."""
        out: dict[str, tuple[Span, Node]] = {}
        for doc in self.manifest.documents:
            m = self.mapping(doc.root.get(section), f"`{section}`")
            if m is None:
                continue
            for e in m:
                if e.key in out:
                    first = out[e.key][0]
                    self.sink.error(
                        "manifest.conflict", f"`{e.key}` is declared twice in `{section}`", e.key_span, hint=f"first declared at {first}"
                    )
                    continue
                out[e.key] = (e.key_span, e.value)
        return out

    # -- service and targets -------------------------------------------------------------------

    def service(self, node: Node | None, doc: Document) -> ir.Service | None:
        if node is None:
            self.sink.error(
                "manifest.missing-service", "the manifest has no `service` section", doc.root.span, hint="add `service: {name: ...}`"
            )
            return None
        m = self.mapping(node, "`service`")
        if m is None:
            return None
        self.check_keys(
            m,
            (
                "name",
                "version",
                "doc",
                "base_url",
                "environments",
                "environment_env",
                "auth",
                "headers",
                "timeout_ms",
                "features",
                "config",
            ),
            "`service`",
        )
        name = self.string(m.get("name"), "`service.name`")
        if name is None:
            if "name" not in m:
                self.sink.error("manifest.missing-key", "`service` needs a `name`", m.span)
            return None
        if not self.short_name(name, "service name", m.get("name").span):  # type: ignore[union-attr]
            return None
        version_node = m.get("version")
        version = "0.0.0"
        if version_node is not None:
            if (
                isinstance(version_node, Scalar)
                and isinstance(version_node.value, (int, float))
                and not isinstance(version_node.value, bool)
            ):
                self.sink.error(
                    "manifest.expected-string",
                    "`service.version` must be a string: YAML reads it as a number",
                    version_node.span,
                    hint=f'quote it: `version: "{version_node.value}"`',
                )
            else:
                version = self.string(version_node, "`service.version`") or version
        base_url = base_env = None
        bu = m.get("base_url")
        if isinstance(bu, Mapping):
            self.check_keys(bu, ("default", "env"), "`service.base_url`")
            base_url = self.string(bu.get("default"), "`base_url.default`")
            base_env = self.string(bu.get("env"), "`base_url.env`")
        elif bu is not None:
            base_url = self.string(bu, "`service.base_url`")
        auth = self.auth(m.get("auth"))
        environments = self.environments(m)
        timeout = self.integer(m.get("timeout_ms"), "`service.timeout_ms`")
        return ir.Service(
            name=name,
            version=version,
            doc=self.doc(m),
            base_url=base_url,
            base_url_env=base_env,
            auth=auth,
            environments=environments,
            environment_env=self.string(m.get("environment_env"), "`service.environment_env`") if environments else None,
            headers=self.headers(m.get("headers"), "`service.headers`"),
            timeout_ms=timeout if timeout is not None else 60000,
            features=self.feature_uses(m.get("features")),
            config=self.config_options(m.get("config")),
            span=m.span,
        )

    def environments(self, m: Mapping) -> tuple[tuple[str, str], ...]:
        """`service.environments`: name → base URL. A name becomes an argument value in every SDK, so
        it is a plain identifier; `environment_env` without environments would choose among nothing."""
        em = self.mapping(m.get("environments"), "`service.environments`")
        if em is None:
            if "environment_env" in m:
                self.sink.error(
                    "manifest.bad-value",
                    "`service.environment_env` chooses among `service.environments`, and there are none",
                    m.get("environment_env").span,  # type: ignore[union-attr]
                    hint="add `environments: {production: https://..., staging: https://...}`, or remove `environment_env`",
                )
            return ()
        out = []
        for e in em:
            url = self.string(e.value, f"environment `{e.key}`")
            if not CONFIG_NAME.fullmatch(e.key):  # (its pattern: compiled once already)
                self.sink.error(
                    "manifest.bad-name",
                    f"environment name `{e.key}` is not a lower-case identifier",
                    e.key_span,
                    hint="e.g. `production`, `staging`, `eu_west`",
                )
            elif url is not None and not re.fullmatch(r"https?://[^\s/]+(/\S*)?", url):
                self.sink.error(
                    "manifest.bad-value",
                    f"environment `{e.key}` must be an absolute http(s) URL, not `{url}`",
                    e.value.span,
                    hint="e.g. `https://api.example.com/v1`",
                )
            elif url is not None:
                out.append((e.key, url.rstrip("/")))
        if not list(em):
            self.sink.error(
                "manifest.bad-value", "`service.environments` is empty", em.span, hint="name at least one: `{production: https://...}`"
            )
        return tuple(out)

    def auth(self, node: Node | None) -> ir.Auth | None:
        am = self.mapping(node, "`service.auth`")
        if am is None:
            return None
        self.check_keys(am, ("type", "header", "env", "command_env", "exchange"), "`service.auth`")
        kind = self.string(am.get("type"), "`auth.type`") or "api_key"
        if kind not in ir.AUTH_SCHEMES:
            self.sink.error(
                "manifest.bad-value",
                f"unsupported auth type `{kind}`",
                (am.get("type") or am).span,
                hint=did_you_mean(kind, ir.AUTH_SCHEMES) or f"supported: {', '.join(ir.AUTH_SCHEMES)}",
            )
        exchange = None
        em = self.mapping(am.get("exchange"), "`auth.exchange`")
        if em is not None:
            exchange = self.auth_exchange(em)
        return ir.Auth(
            type=kind,
            header=self.string(am.get("header"), "`auth.header`") or "Authorization",
            env=self.string(am.get("env"), "`auth.env`"),
            command_env=self.string(am.get("command_env"), "`auth.command_env`"),
            exchange=exchange,
            span=am.span,
        )

    def auth_exchange(self, em: Mapping) -> ir.AuthExchange | None:
        """`auth.exchange`: its endpoint and the response field of the token are required (nothing
        could be guessed for them); the rest has the Tinker API's values as defaults."""
        self.check_keys(
            em, ("endpoint", "token", "lifetime", "refresh_window", "refresh_before_sec", "enabled", "enable_env"), "`auth.exchange`"
        )
        missing = [k for k in ("endpoint", "token") if k not in em]
        if missing:
            self.sink.error(
                "manifest.missing-key",
                f"`auth.exchange` needs {' and '.join(f'`{k}`' for k in missing)}",
                em.span,
                hint="e.g. `exchange: {endpoint: auth.token, token: jwt}`: the endpoint that exchanges the credential "
                "and the field of its response that holds the token",
            )
            return None
        endpoint = self.string(em.get("endpoint"), "`exchange.endpoint`")
        token = self.string(em.get("token"), "`exchange.token`")
        if endpoint is None or token is None:
            return None
        claim: str | None = "exp"
        field: str | None = None
        lm = self.mapping(em.get("lifetime"), "`exchange.lifetime`")
        if lm is not None:
            self.check_keys(lm, ("claim", "field"), "`exchange.lifetime`")
            if len(list(lm)) != 1:
                self.sink.error(
                    "manifest.bad-value",
                    "`exchange.lifetime` takes one of `claim` and `field`",
                    lm.span,
                    hint="`{claim: exp}` reads the JWT's expiry; `{field: expires_in}` a response field of seconds",
                )
                return None
            if "claim" in lm:
                claim = self.string(lm.get("claim"), "`lifetime.claim`")
            else:
                claim, field = None, self.string(lm.get("field"), "`lifetime.field`")
        window = (0.45, 0.55)
        wn = em.get("refresh_window")
        if wn is not None:
            items = wn.items if isinstance(wn, Sequence) else []
            values = [self.number(i, "`exchange.refresh_window`") for i in items]
            if len(items) != 2 or None in values or not (0 < values[0] <= values[1] < 1):  # type: ignore[operator]
                self.sink.error(
                    "manifest.bad-value",
                    "`exchange.refresh_window` is two fractions of the token's lifetime, `[low, high]`, 0 < low <= high < 1",
                    wn.span,
                    hint="e.g. `[0.45, 0.55]`: renew between 45 % and 55 % of the lifetime",
                )
                return None
            window = (float(values[0]), float(values[1]))  # type: ignore[arg-type]
        before = self.integer(em.get("refresh_before_sec"), "`exchange.refresh_before_sec`")
        if before is not None and before < 0:
            self.sink.error("manifest.bad-value", "`exchange.refresh_before_sec` must not be negative", em.get("refresh_before_sec").span)  # type: ignore[union-attr]
            before = None
        enabled = self.boolean(em.get("enabled"), "`exchange.enabled`")
        return ir.AuthExchange(
            endpoint=endpoint,
            token_field=token,
            lifetime_claim=claim,
            lifetime_field=field,
            refresh_window=window,
            refresh_before_sec=60 if before is None else before,
            enabled=True if enabled is None else enabled,
            enable_env=self.string(em.get("enable_env"), "`exchange.enable_env`"),
            span=em.span,
        )

    def config_options(self, node: Node | None) -> tuple[ir.ConfigOption, ...]:
        """`service.config`: `name: type` or `name: {type, env?, default?, doc?}`."""
        cm = self.mapping(node, "`service.config`")
        out: list[ir.ConfigOption] = []
        for e in cm or ():
            what = f"config option `{e.key}`"
            if not CONFIG_NAME.fullmatch(e.key):
                self.sink.error(
                    "config.bad-name",
                    f"{what}: a config option's name must be a lower_snake_case identifier",
                    e.key_span,
                    hint="it becomes an option key and a field name in every SDK",
                )
                continue
            if e.key in RESERVED_CONFIG:
                self.sink.error(
                    "config.reserved-name",
                    f"{what}: `{e.key}` is a configuration option every SDK already has",
                    e.key_span,
                    hint=f"the built-in options are: {', '.join(RESERVED_CONFIG)}; pick another name",
                )
                continue
            env = default = doc = retry_policy = None
            has_default = False
            profiles: tuple[ir.Profile, ...] = ()
            if isinstance(e.value, Mapping):
                self.check_keys(e.value, ("type", "env", "default", "doc", "profiles", "retry_policy"), what)
                if "profiles" in e.value:
                    profiles = self.profiles(e.value["profiles"], what)
                if "retry_policy" in e.value:
                    retry_policy = self.string(e.value.get("retry_policy"), f"`retry_policy` of {what}")
                    if not profiles:
                        self.sink.error(
                            "config.bad-profile",
                            f"{what}: `retry_policy` names the policy whose retry count a profile replaces, and there are no `profiles`",
                            e.value["retry_policy"].span,
                            hint="add `profiles: {name: {timeout_ms: ..., max_retries: ...}}`, or remove `retry_policy`",
                        )
                if "type" not in e.value:
                    self.sink.error("type.syntax", f"{what}: the long form needs a `type:`", e.key_span)
                    continue
                t = self.type_expr(e.value.get("type"), what)
                env = self.string(e.value.get("env"), f"`env` of {what}")
                has_default = "default" in e.value
                default = ir.freeze(to_plain(e.value["default"])) if has_default else None
                doc = self.doc(e.value)
            else:
                t = self.type_expr(e.value, what)
            if t is not None:
                out.append(
                    ir.ConfigOption(
                        name=e.key,
                        type=t,
                        env=env,
                        has_default=has_default,
                        default=default,
                        doc=doc,
                        profiles=profiles,
                        retry_policy=retry_policy,
                        span=e.key_span,
                    )
                )
        return tuple(out)

    def profiles(self, node: Node, what: str) -> tuple[ir.Profile, ...]:
        """`profiles: {python: {timeout_ms: 60000, max_retries: 10}, beam: {}}`: named defaults of
        the built-in timeout and of a retry policy's retry count; the names are option values."""
        pm = self.mapping(node, f"`profiles` of {what}")
        out: list[ir.Profile] = []
        for e in pm or ():
            where = f"profile `{e.key}` of {what}"
            if not _PARSE_FUNCTION.match(e.key):
                self.sink.error(
                    "config.bad-profile",
                    f"{where}: the name is not a lower-case identifier",
                    e.key_span,
                    hint="it is a value of the option and a function name (Elixir `Config.<profile>_timeout/0`)",
                )
                continue
            vm = (
                self.mapping(e.value, where)
                if e.value is not None and not (isinstance(e.value, Scalar) and e.value.value is None)
                else None
            )
            values: dict[str, int | None] = {"timeout_ms": None, "max_retries": None}
            if vm is not None:
                self.check_keys(vm, ("timeout_ms", "max_retries"), where)
                for key, least in (("timeout_ms", 1), ("max_retries", 0)):
                    if key in vm:
                        v = to_plain(vm[key])
                        if isinstance(v, bool) or not isinstance(v, int) or v < least:
                            self.sink.error(
                                "config.bad-profile",
                                f"{where}: `{key}` must be an integer of at least {least}",
                                vm[key].span,
                                hint="milliseconds for `timeout_ms`, a count of retries after the first attempt for `max_retries`",
                            )
                        else:
                            values[key] = v
            out.append(ir.Profile(name=e.key, timeout_ms=values["timeout_ms"], max_retries=values["max_retries"], span=e.key_span))
        if pm is not None and not out and not any(True for _ in pm):
            self.sink.error("config.bad-profile", f"`profiles` of {what} is empty", pm.span, hint="name at least one profile")
        return tuple(out)

    def targets(self, node: Node | None, types: dict[str, ir.TypeDecl] | None = None) -> dict[str, Any]:
        m = self.mapping(node, "`targets`")
        if m is None:
            return {}
        out = {}
        for e in m:
            options = self.mapping(e.value, f"options of target `{e.key}`")
            if options is not None:
                check_target_options(e.key, options, e.key_span, self.sink, types=types)
                out[e.key] = ir.freeze(to_plain(e.value))
        return out

    def headers(self, node: Node | None, what: str) -> tuple[ir.Header, ...]:
        m = self.mapping(node, what)
        if m is None:
            return ()
        out = []
        for e in m:
            value = self.string(e.value, f"header `{e.key}`", allow_numbers=True)
            if value is not None:
                out.append(ir.Header(name=e.key, value=value, span=e.key_span))
        return tuple(out)

    def parse_template(self, name: str, node: Node | None, fields: tuple[ir.Field, ...]) -> ir.ParseTemplate | None:
        """`parse: "tinker://{run}/{+id}"` or `{template, function}`: the template's variables are
        string fields of the record, every other field may be left out, and two variables are
        separated by literal text (else where one ends would be a guess)."""
        function = "parse"
        tnode = node
        if isinstance(node, Mapping):
            self.check_keys(node, ("template", "function"), f"`parse` of record `{name}`")
            tnode = node.get("template")
            if tnode is None:
                self.sink.error("type.bad-parse", f"`parse` of record `{name}` has no `template`", node.span)
                return None
            if "function" in node:
                fname = self.string(node.get("function"), "`function`")
                if fname is None:
                    return None
                if not _PARSE_FUNCTION.match(fname):
                    self.sink.error(
                        "type.bad-parse",
                        f"parse function name `{fname}` is not a lower-case identifier",
                        node["function"].span,
                        hint="e.g. `from_tinker_path`",
                    )
                    return None
                function = fname
        text = self.string(tnode, "`parse`")
        if text is None or tnode is None:
            return None
        assert isinstance(tnode, Scalar)
        parts: list[str | ir.ParseVar] = []
        pos = 0
        seen: set[str] = set()
        by_name = {f.name: f for f in fields}
        for m in re.finditer(r"\{(\+?)([^{}]*)\}", text):
            literal = text[pos : m.start()]
            if "{" in literal or "}" in literal:
                break
            if literal:
                parts.append(literal)
            var = m.group(2)
            span = tnode.sub_span(m.start(), m.end() - m.start())
            if not _IDENT.match(var):
                self.sink.error(
                    "type.bad-parse",
                    f"parse template `{text}` has a variable `{var}` that is not an identifier",
                    span,
                    hint="variables are written `{name}` (one segment) or `{+name}` (may contain `/`)",
                )
                return None
            if var in seen:
                self.sink.error("type.bad-parse", f"parse template `{text}` names `{var}` twice", span)
                return None
            if parts and isinstance(parts[-1], ir.ParseVar):
                self.sink.error(
                    "type.bad-parse",
                    f"parse template `{text}`: `{var}` follows another variable with no text between them",
                    span,
                    hint="separate variables by literal text (`{a}/{b}`), so where one ends is not a guess",
                )
                return None
            field = by_name.get(var)
            if field is None or field.type != ir.Prim(name="string"):
                self.sink.error(
                    "type.bad-parse",
                    f"parse template variable `{var}` is not a `string` field of record `{name}`",
                    span,
                    hint=f"declare `{var}: string` under `fields:`" if field is None else "a parsed value is text: make it `string`",
                )
                return None
            if field.json_name != field.name:  # the SDKs decode the parts as JSON, by wire name
                self.sink.error(
                    "type.bad-parse",
                    f"parse template variable `{var}` names a field sent as `{field.json_name}`",
                    span,
                    hint="a parsed field keeps its name on the wire: drop its `json_name`",
                )
                return None
            seen.add(var)
            parts.append(ir.ParseVar(name=var, raw=m.group(1) == "+"))
            pos = m.end()
        else:
            tail = text[pos:]
            if "{" not in tail and "}" not in tail:
                if tail:
                    parts.append(tail)
                if not seen:
                    self.sink.error(
                        "type.bad-parse",
                        f"parse template `{text}` has no variable",
                        tnode.span,
                        hint="e.g. `tinker://{training_run_id}/{+path}`",
                    )
                    return None
                for f in fields:
                    if f.name not in seen and f.required:
                        self.sink.error(
                            "type.bad-parse",
                            f"field `{f.name}` of record `{name}` is required but parse template `{text}` does not fill it",
                            f.span or tnode.span,
                            hint="add it to the template, or make the field `optional: true` or give it a `default`",
                        )
                        return None
                return ir.ParseTemplate(template=text, function=function, parts=tuple(parts), span=tnode.span)
        self.sink.error(
            "type.bad-parse",
            f"parse template `{text}` has unbalanced braces",
            tnode.span,
            hint="variables are written `{name}` or `{+name}`; a literal brace cannot appear in a template",
        )
        return None

    def helpers(self, owner: str, node: Node | None, kind: str = "record") -> tuple[ir.Helper, ...]:
        """`helpers:` of a record: `name: {params, new}` (a constructor) or `name: {get}` (an
        accessor: a path, or an expression of grammar/helper_expr.lark); of an enum, `get` ones
        only. Their types are checked by the type-declarations pass, once every type is known."""
        m = self.mapping(node, f"`helpers` of {kind} `{owner}`")
        if m is None:
            return ()
        out = []
        for e in m:
            where = f"helper `{owner}.{e.key}`"
            if not _HELPER_NAME.match(e.key):
                self.sink.error(
                    "type.bad-helper",
                    f"helper name `{e.key}` of {kind} `{owner}` is not a lower-case identifier",
                    e.key_span,
                    hint="e.g. `from_ints`, `model_names`, or `retryable?` for one answering a bool",
                )
                continue
            h = self.mapping(e.value, where)
            if h is None:
                continue
            self.check_keys(h, ("doc", "params", "new", "get", "push", "positional"), where)
            positional = bool(self.boolean(h.get("positional"), f"`positional` of {where}")) if "positional" in h else False
            if positional and ("new" not in h or e.key == "new"):
                self.sink.error(
                    "type.bad-helper",
                    f"`positional` of {where}: only a constructing helper other than `new` takes its optional parameters positionally",
                    h["positional"].span,
                    hint="drop `positional` (a `new` keeps its options beside the record's own `new/1`; a `get` or `push` has none)",
                )
                positional = False
            kinds = [k for k in ("new", "get", "push") if k in h]
            if len(kinds) != 1:
                self.sink.error(
                    "type.bad-helper",
                    f"{where} needs exactly one of `new` (build the record), `get` (read a value out of it) and `push` "
                    "(append to one of its lists)",
                    e.key_span,
                    hint='`new: {field: "${input.param}"}` with `params:`, `get: "${self.field[*].other}"`, or '
                    '`push: {to: chunks, value: "${input.chunk}"}` with `params:`',
                )
                continue
            params = []
            pm = self.mapping(h.get("params"), f"`params` of {where}") if "params" in h else None
            for p in pm or ():
                what = f"parameter `{p.key}` of {where}"
                has_default, default = False, None
                if isinstance(p.value, Mapping):  # `{type: bool, default: false}`
                    self.check_keys(p.value, ("type", "default"), what)
                    has_default = "default" in p.value
                    default = ir.freeze(to_plain(p.value["default"])) if has_default else None
                    t = self.type_expr(p.value.get("type"), what) if "type" in p.value else None
                    if "type" not in p.value:
                        self.sink.error("type.bad-helper", f"{what} has no `type`", p.key_span, hint="`{type: bool, default: false}`")
                else:
                    t = self.type_expr(p.value, what)
                if not _IDENT.match(p.key):
                    self.sink.error("type.bad-helper", f"parameter name `{p.key}` of {where} is not an identifier", p.key_span)
                    t = None
                if t is not None:
                    params.append(ir.HelperParam(name=p.key, type=t, has_default=has_default, default=default, span=p.key_span))
            doc = self.doc(h)
            if kinds[0] == "get":
                text = self.string(h.get("get"), f"`get` of {where}")
                if text is None:
                    continue
                if params:
                    self.sink.error(
                        "type.bad-helper",
                        f"{where} reads a value: it takes the value alone, no `params`",
                        h["params"].span,
                    )
                    continue
                got = _SELF_PATH.match(text)
                path = tuple(_PATH_STEP.findall(got.group(1))) if got else ()
                if path:  # a plain path: the form every SDK reads with its `project`
                    steps = tuple("*" if s == "[*]" else s.lstrip(".") for s in path)
                    out.append(ir.Helper(name=e.key, params=(), path=steps, doc=doc, span=e.key_span))
                    continue
                gnode = h["get"]

                def span_of(at: int, n: int, g: Node = gnode) -> Span | None:
                    return g.sub_span(at, n) if isinstance(g, Scalar) and isinstance(g.value, str) else g.span

                try:
                    expr = parse_helper_expr(text, span_of)
                except GrammarError as exc:
                    self.sink.error(
                        "type.bad-helper",
                        f"`get` of {where} is not a helper expression: {exc.message}",
                        gnode.sub_span(exc.column, exc.length) if isinstance(gnode, Scalar) else gnode.span,
                        hint="write `${self.field}`, `${self.list[*].field}` (`[*]`: every item; two `[*]` flatten), or an "
                        'expression: `sum(${self.chunks[*].length()})`, `${self.metrics["loss"]}`, `${self} != "user"`',
                    )
                    continue
                out.append(ir.Helper(name=e.key, params=(), expr=expr, doc=doc, span=e.key_span))
                continue
            if kind == "enum":
                self.sink.error(
                    "type.bad-helper",
                    f"{where}: an enum's helpers read its value (`get`); an enum value is not built",
                    e.key_span,
                    hint="e.g. `get: '${self} != \"user\"'`",
                )
                continue
            if kinds[0] == "push":
                pm2 = self.mapping(h["push"], f"`push` of {where}")
                if pm2 is None:
                    continue
                self.check_keys(pm2, ("to", "value", "merge"), f"`push` of {where}")
                to = self.string(pm2.get("to"), f"`to` of {where}") if "to" in pm2 else None
                merge = self.string(pm2.get("merge"), f"`merge` of {where}") if "merge" in pm2 else None
                item = self.value(pm2.get("value")) if "value" in pm2 else None
                if to is None or item is None:
                    self.sink.error(
                        "type.bad-helper",
                        f"`push` of {where} needs `to` (a list field) and `value` (the item appended)",
                        h["push"].span,
                        hint='`push: {to: chunks, value: "${input.chunk}"}`',
                    )
                    continue
                push = ir.Push(to=to, value=item, merge=merge, span=h["push"].span)
                out.append(ir.Helper(name=e.key, params=tuple(params), push=push, doc=doc, span=e.key_span))
                continue
            value = self.value(h.get("new"))
            if value is None:
                continue
            out.append(ir.Helper(name=e.key, params=tuple(params), new=value, positional=positional, doc=doc, span=e.key_span))
        return tuple(out)

    def derived_fields(self, owner: str, node: Node | None, fields: tuple[ir.Field, ...]) -> tuple[tuple[str, ir.Derived], ...]:
        """Fields with `derive: {from, parse, field}`; checked by the type-declarations pass."""
        if not isinstance(node, Mapping):
            return ()
        known = {f.name for f in fields}
        out = []
        for e in node:
            if not isinstance(e.value, Mapping) or "derive" not in e.value or e.key not in known:
                continue
            where = f"`derive` of field `{owner}.{e.key}`"
            d = self.mapping(e.value["derive"], where)
            if d is None:
                continue
            self.check_keys(d, ("from", "parse", "field"), where)
            parts = [self.string(d.get(k), f"`{k}` of {where}") for k in ("from", "parse", "field")]
            missing = [k for k, v in zip(("from", "parse", "field"), parts, strict=True) if k not in d]
            if missing:
                self.sink.error(
                    "type.bad-derive",
                    f"{where} lacks {', '.join(f'`{k}`' for k in missing)}",
                    e.value["derive"].span,
                    hint="`derive: {from: tinker_path, parse: ParsedCheckpointTinkerPath, field: training_run_id}`",
                )
                continue
            if None in parts:
                continue
            source, parse, var = (str(x) for x in parts)
            out.append((e.key, ir.Derived(source=source, parse=parse, var=var, span=e.value["derive"].span)))
        return tuple(out)

    def feature_uses(self, node: Node | None) -> tuple[ir.FeatureUse, ...]:
        return tuple(ir.FeatureUse(feature=name, span=span) for name, span in self.string_list(node, "`features`"))

    # -- types -----------------------------------------------------------------------------------

    def type_decl(self, name: str, key_span: Span, node: Node) -> ir.TypeDecl | None:
        if not _TYPE_ID.match(name):
            self.sink.error("type.bad-name", f"`{name}` is not a valid type name", key_span, hint="use letters, digits and `_`")
            return None
        if not self.short_name(name, "type name", key_span):
            return None
        if name in ir.PRIMITIVES:
            self.sink.error("type.bad-name", f"`{name}` is a built-in type and cannot be redeclared", key_span)
            return None
        m = self.mapping(node, f"type `{name}`")
        if m is None:
            return None
        common = ("doc", "deprecated", "export", "namespace")
        doc = self.doc(m)
        deprecated = bool(self.boolean(m.get("deprecated"), "`deprecated`"))
        export = bool(self.boolean(m.get("export"), "`export`"))
        namespace = self.type_namespace(name, m.get("namespace"))
        kinds = [k for k in ("fields", "enum", "union", "alias") if k in m]
        if len(kinds) != 1:
            msg = (
                f"type `{name}` declares {' and '.join(f'`{k}`' for k in kinds)}; choose one"
                if kinds
                else f"type `{name}` is neither a record, an enum, a union nor an alias"
            )
            self.sink.error("type.bad-declaration", msg, key_span, hint="a type has `fields:`, `enum:`, `union:` or `alias:`")
            return None
        kind = kinds[0]
        if kind == "fields":
            self.check_keys(m, (*common, "fields", "parse", "helpers"), f"record `{name}`")
            fields = self.fields(name, m.get("fields"))
            parse = self.parse_template(name, m.get("parse"), fields) if "parse" in m else None
            helpers = self.helpers(name, m.get("helpers")) if "helpers" in m else ()
            derived = self.derived_fields(name, m.get("fields"), fields)
            return ir.Record(
                id=name,
                fields=fields,
                doc=doc,
                deprecated=deprecated,
                export=export,
                namespace=namespace,
                parse=parse,
                helpers=helpers,
                derived=derived,
                span=key_span,
            )
        if kind == "enum":
            self.check_keys(m, (*common, "enum", "helpers"), f"enum `{name}`")
            return ir.Enum(
                id=name,
                values=self.enum_values(name, m.get("enum")),
                doc=doc,
                deprecated=deprecated,
                export=export,
                namespace=namespace,
                helpers=self.helpers(name, m.get("helpers"), "enum") if "helpers" in m else (),
                span=key_span,
            )
        if kind == "union":
            self.check_keys(m, (*common, "union", "discriminator", "tag_accessor"), f"union `{name}`")
            discriminator = self.string(m.get("discriminator"), "`discriminator`")
            return ir.Union_(
                id=name,
                variants=self.variants(name, m.get("union")),
                discriminator=discriminator,
                doc=doc,
                deprecated=deprecated,
                export=export,
                namespace=namespace,
                tag_accessor=self.tag_accessor(name, m, discriminator),
                span=key_span,
            )
        self.check_keys(m, (*common, "alias"), f"alias `{name}`")
        target = self.type_expr(m.get("alias"), f"alias `{name}`")
        if target is None:
            return None
        return ir.Alias(id=name, target=target, doc=doc, deprecated=deprecated, export=export, namespace=namespace, span=key_span)

    def type_namespace(self, name: str, node: Node | None) -> str | None:
        """`namespace:` of a type: one lower-case identifier (it becomes a module segment in every
        SDK: `Types.Telemetry`, `types_telemetry`), never dotted."""
        value = self.string(node, f"`namespace` of `{name}`")
        if value is None or node is None:
            return None
        if value in RESERVED_NAMESPACES:
            self.sink.error(
                "type.bad-namespace",
                f"`{value}` names a module every SDK has already ({', '.join(sorted(RESERVED_NAMESPACES))})",
                node.span,
                hint="choose another name, e.g. the feature the types belong to",
            )
            return None
        if not _NAMESPACE.match(value) or len(value) > MAX_NAMESPACE_LENGTH:
            self.sink.error(
                "type.bad-namespace",
                f"`{value}` is not a type namespace (one lower-case identifier, at most {MAX_NAMESPACE_LENGTH} characters)",
                node.span,
                hint="write e.g. `namespace: telemetry`",
            )
            return None
        return value

    def tag_accessor(self, name: str, m: Mapping, discriminator: str | None) -> str | None:
        """`tag_accessor:` of a union: the name of the function answering a value's tag; only a
        discriminated union has one to answer."""
        node = m.get("tag_accessor")
        value = self.string(node, f"`tag_accessor` of `{name}`")
        if value is None or node is None:
            return None
        if not _ACCESSOR.match(value):
            self.sink.error(
                "type.bad-tag-accessor",
                f"`{value}` is not a function name (lower-case letters, digits and `_`)",
                node.span,
                hint="write e.g. `tag_accessor: event_type`",
            )
            return None
        if value in TYPE_FUNCTIONS:
            self.sink.error(
                "type.bad-tag-accessor",
                f"`{value}` is a function every SDK's type already has",
                node.span,
                hint=f"choose another name (taken: {', '.join(sorted(TYPE_FUNCTIONS))})",
            )
            return None
        if discriminator is None:
            self.sink.error(
                "type.bad-tag-accessor",
                f"union `{name}` has no `discriminator`, so its values have no tag to answer",
                node.span,
                hint="add `discriminator: <field>` or remove `tag_accessor`",
            )
            return None
        return value

    def fields(self, owner: str, node: Node | None) -> tuple[ir.Field, ...]:
        m = self.mapping(node, f"`fields` of `{owner}`")
        if m is None:
            return ()
        out = []
        json_names: dict[str, Span] = {}
        for e in m:
            if not _IDENT.match(e.key):
                self.sink.error(
                    "type.bad-name",
                    f"field name `{e.key}` is not an identifier",
                    e.key_span,
                    hint="use `json_name:` for a wire name that is not an identifier",
                )
                continue
            f = self.field(owner, e.key, e.key_span, e.value)
            if f is None:
                continue
            if f.json_name in json_names:
                self.sink.error("type.duplicate-wire-name", f"two fields of `{owner}` use the wire name `{f.json_name}`", e.key_span)
            json_names[f.json_name] = e.key_span
            out.append(f)
        return tuple(out)

    def field(self, owner: str, name: str, span: Span, node: Node) -> ir.Field | None:
        what = f"field `{owner}.{name}`"
        if isinstance(node, Mapping) and "type" in node:
            self.check_keys(node, ("type", "doc", "default", "optional", "nullable", "json_name", "deprecated", "derive"), what)
            t = self.type_expr(node.get("type"), what)
            if t is None:
                return None
            has_default = "default" in node
            default = ir.freeze(to_plain(node["default"])) if has_default else None
            optional = bool(self.boolean(node.get("optional"), "`optional`"))
            # `T?` alone means "may be left out" (and may be null); `nullable: true` on a plain `T`
            # is the rare field that must be present but may be null (sent as null).
            required_nullable = bool(self.boolean(node.get("nullable"), "`nullable`"))
            if required_nullable:
                if isinstance(t, ir.Nullable):
                    self.sink.error(
                        "type.nullable-twice",
                        f"{what}: `nullable: true` with the type `{format_type(t)}`",
                        node.entries["nullable"].key_span,
                        hint=f"`{format_type(t)}` alone is optional and nullable; for a field that must be present but may be null write `{{type: {format_type(t.inner)}, nullable: true}}`",
                    )
                else:
                    t = ir.Nullable(inner=t)
            return ir.Field(
                name=name,
                type=t,
                json_name=self.string(node.get("json_name"), "`json_name`") or name,
                required=not (has_default or optional or (isinstance(t, ir.Nullable) and not required_nullable)),
                has_default=has_default,
                default=default,
                doc=self.doc(node),
                deprecated=bool(self.boolean(node.get("deprecated"), "`deprecated`")),
                span=span,
            )
        if isinstance(node, Mapping):
            self.sink.error("type.syntax", f"{what}: the long form needs a `type:`", span, hint=f"`{name}: {{type: string, doc: ...}}`")
            return None
        t = self.type_expr(node, what)
        if t is None:
            return None
        # `T?`: optional and nullable, left out of the request when not given
        return ir.Field(name=name, type=t, json_name=name, required=not isinstance(t, ir.Nullable), span=span)

    def enum_values(self, owner: str, node: Node | None) -> tuple[ir.EnumValue, ...]:
        if not isinstance(node, Sequence) or not node.items:
            self.sink.error("type.bad-declaration", f"enum `{owner}` needs a non-empty list of values", node.span if node else None)
            return ()
        out: list[ir.EnumValue] = []
        seen: set[str] = set()
        for item in node.items:
            doc = None
            vnode: Node | None = item
            if isinstance(item, Mapping):
                self.check_keys(item, ("value", "doc"), f"a value of enum `{owner}`")
                vnode, doc = item.get("value"), self.doc(item)
            value = self.string(vnode, f"a value of enum `{owner}`", allow_numbers=True)
            if value is None:
                continue
            if value in seen:
                self.sink.error("type.duplicate-enum-value", f"enum `{owner}` lists `{value}` twice", item.span)
                continue
            seen.add(value)
            out.append(ir.EnumValue(value=value, doc=doc, span=item.span))
        return tuple(out)

    def variants(self, owner: str, node: Node | None) -> tuple[ir.Variant, ...]:
        if not isinstance(node, Sequence) or not node.items:
            self.sink.error("type.bad-declaration", f"union `{owner}` needs a non-empty list of variants", node.span if node else None)
            return ()
        out = []
        for item in node.items:
            if isinstance(item, Mapping):
                self.check_keys(item, ("type", "tag"), f"a variant of `{owner}`")
                t = self.string(item.get("type"), "`type` of a variant")
                tag = self.string(item.get("tag"), "`tag` of a variant", allow_numbers=True)
                if t is not None:
                    out.append(ir.Variant(type=t, tag=tag, span=item.span))
            else:
                t = self.string(item, f"a variant of `{owner}`")
                if t is not None:
                    out.append(ir.Variant(type=t, tag=None, span=item.span))
        return tuple(out)

    # -- features --------------------------------------------------------------------------------

    def feature(self, name: str, key_span: Span, node: Node) -> ir.Feature | None:
        m = self.mapping(node, f"feature `{name}`")
        if m is None:
            return None
        kind = self.string(m.get("type"), f"`type` of feature `{name}`")
        if kind is None:
            if "type" not in m:
                self.sink.error(
                    "feature.missing-type", f"feature `{name}` has no `type`", key_span, hint=f"one of: {', '.join(sorted(FEATURE_TYPES))}"
                )
            return None
        ftype = FEATURE_TYPES.get(kind)
        if ftype is None:
            hint = did_you_mean(kind, FEATURE_TYPES) or f"one of: {', '.join(sorted(FEATURE_TYPES))}"
            self.sink.error("feature.unknown-type", f"unknown feature type `{kind}`", m["type"].span, hint=hint)
            return None
        spans: list[tuple[str, Span]] = []
        values = self.params(ftype.params, m, f"feature `{name}` ({kind})", spans, skip=("type", "doc"))
        if values is None:
            return None
        if not self.synonyms(ftype, values, m, name):
            return None
        try:
            params = ftype.build(values)
        except (KeyError, TypeError, ValueError):
            return None  # a required value already reported as missing or malformed
        return ir.Feature(id=name, kind=kind, params=params, doc=self.doc(m), span=key_span, param_spans=tuple(spans))

    def synonyms(self, ftype: FeatureType, values: dict[str, Any], m: Mapping, name: str) -> bool:
        ok = True

        def get(path: str) -> Any:
            head, _, tail = path.partition(".")
            v = values.get(head)
            return (v or {}).get(tail) if tail else v

        for group in ftype.synonyms:
            given = [(p, get(p)) for p in group if get(p) is not None]
            if len({repr(v) for _, v in given}) > 1:
                node = m.get(given[1][0].split(".")[0])
                self.sink.error(
                    "feature.conflicting-params",
                    f"feature `{name}` gives {' and '.join(f'`{p}`' for p, _ in given)} different values "
                    f"({', '.join(f'`{v}`' for _, v in given)})",
                    node.span if node else m.span,
                    hint="they spell the same parameter; keep one",
                )
                ok = False
        return ok

    def params(
        self, schema: dict[str, Param], m: Mapping, where: str, spans: list[tuple[str, Span]], skip: tuple[str, ...] = (), prefix: str = ""
    ) -> dict[str, Any] | None:
        """Check ``m`` against a parameter table; return plain values with defaults filled in."""
        allowed = (*skip, *schema)
        for e in m:
            if e.key in allowed:
                continue
            home = [k for k, spec in schema.items() if spec.fields and e.key in spec.fields]
            hint = (
                f"`{e.key}` belongs under `{home[0]}:`"
                if home
                else did_you_mean(e.key, allowed) or f"allowed here: {', '.join(sorted(allowed))}"
            )
            self.sink.error("manifest.unknown-key", f"unknown key `{e.key}` in {where}", e.key_span, hint=hint)
        out: dict[str, Any] = {}
        ok = True
        for key, spec in schema.items():
            node = m.get(key)
            if node is None:
                if spec.default is REQUIRED:
                    self.sink.error("feature.missing-param", f"{where} needs `{key}`", m.span, hint=spec.doc or None)
                    ok = False
                elif spec.kind != "obj":
                    out[key] = spec.default
                continue
            spans.append((prefix + key, node.span))
            value = self.param_value(spec, node, f"`{key}` of {where}", spans, prefix + key + ".")
            if value is None and not (isinstance(node, Scalar) and node.value is None):
                ok = False
                continue
            out[key] = value
        return out if ok else None

    def param_value(self, spec: Param, node: Node, what: str, spans: list[tuple[str, Span]], prefix: str) -> Any:
        kind = spec.kind
        if isinstance(node, Scalar) and node.value is None and spec.default is not REQUIRED:
            return spec.default
        if kind == "int":
            return self.integer(node, what)
        if kind == "float":
            number = self.number(node, what)
            return float(number) if number is not None else None
        if kind == "bool":
            return self.boolean(node, what)
        if kind in ("str", "endpoint"):
            v = self.string(node, what)
            if v is not None and spec.choices and v not in spec.choices:
                self.sink.error(
                    "feature.bad-value",
                    f"{what} must be one of {', '.join(spec.choices)}, not `{v}`",
                    node.span,
                    hint=did_you_mean(v, spec.choices) or f"one of: {', '.join(spec.choices)}",
                )
                return None
            return v
        if kind == "str_list":
            items = self.string_list(node, what)
            out = []
            for v, span in items:
                if spec.choices and v not in spec.choices:
                    self.sink.error(
                        "feature.bad-value",
                        f"`{v}` is not valid in {what}",
                        span,
                        hint=did_you_mean(v, spec.choices) or f"one of: {', '.join(spec.choices)}",
                    )
                    return None
                out.append(v)
            return tuple(out)
        if kind == "status_list":
            return self.status_list(node, what)
        if kind == "headers":
            return self.headers(node, what)
        if kind == "str_map":
            m = self.mapping(node, what)
            if m is None:
                return None
            pairs = []
            for e in m:
                value = self.string(e.value, f"`{e.key}` of {what}")
                if value is None:
                    return None
                spans.append((prefix + e.key, e.key_span))  # so a check can point at one entry
                pairs.append((e.key, value))
            return tuple(pairs)
        if kind == "type":
            return self.type_expr(node, what)
        if kind == "json":
            if not isinstance(node, Mapping):
                self.sink.error("manifest.expected-mapping", f"{what} must be a mapping", node.span)
                return None
            return ir.freeze(to_plain(node))
        if kind == "obj":
            m = self.mapping(node, what)
            if m is None:
                return None
            assert spec.fields is not None
            return self.params(spec.fields, m, what, spans, prefix=prefix)
        raise AssertionError(kind)

    def status_list(self, node: Node, what: str) -> tuple[ir.StatusRange, ...] | None:
        items: list[Scalar] = []
        if isinstance(node, Sequence):
            for item in node.items:
                if not isinstance(item, Scalar):
                    self.sink.error("feature.bad-status", f"{what}: an entry must be a status or a range like 500-599", item.span)
                    return None
                items.append(item)
        elif isinstance(node, Scalar):
            items = [node]
        else:
            self.sink.error("feature.bad-status", f"{what} must be a list of statuses", node.span)
            return None
        out = []
        for item in items:
            text = str(item.value) if item.value is not None and not isinstance(item.value, bool) else ""
            try:
                if isinstance(item.value, float):
                    raise GrammarError("not an integer status", 0, len(text))
                lo, hi = parse_status(text)
            except GrammarError as exc:
                self.sink.error(
                    "feature.bad-status",
                    f"malformed status `{text}` in {what}: {exc.message}",
                    item.sub_span(exc.column, exc.length) if isinstance(item.value, str) else item.span,
                    hint="write a status (`429`) or an inclusive range (`500-599`)",
                )
                return None
            out.append(ir.StatusRange(lo=lo, hi=hi, span=item.span))
        return tuple(out)

    # -- endpoints -------------------------------------------------------------------------------

    def endpoint(self, eid: str, key_span: Span, node: Node) -> ir.Endpoint | None:
        if not _ENDPOINT_ID.match(eid):
            self.sink.error(
                "endpoint.bad-id",
                f"endpoint id `{eid}` must be `group.name`",
                key_span,
                hint="for example `training.forward_backward`; the group names its resource",
            )
            return None
        m = self.mapping(node, f"endpoint `{eid}`")
        if m is None:
            return None
        self.check_keys(
            m,
            (
                "method",
                "path",
                "path_params",
                "query",
                "request",
                "response",
                "headers",
                "header_params",
                "features",
                "response_handler",
                "doc",
                "deprecated",
                "api",
                "stream",
            ),
            f"endpoint `{eid}`",
        )
        method_node = m.get("method")
        method = self.string(method_node, "`method`")
        if method_node is None:
            self.sink.error(
                "endpoint.missing-method", f"endpoint `{eid}` has no `method`", key_span, hint="add `method: GET` (or POST, ...)"
            )
        if method is not None and method_node is not None:
            if method.upper() not in HTTP_METHODS:
                self.sink.error(
                    "endpoint.bad-method",
                    f"`{method}` is not an HTTP method",
                    method_node.span,
                    hint=did_you_mean(method.upper(), HTTP_METHODS) or f"one of: {', '.join(HTTP_METHODS)}",
                )
                method = None
            else:
                method = method.upper()
        path = self.path(m.get("path"), eid, key_span)
        handler = self.string(m.get("response_handler"), "`response_handler`")
        if handler is not None and handler not in RESPONSE_HANDLERS:
            self.sink.error(
                "endpoint.unknown-response-handler",
                f"unknown response handler `{handler}`",
                m["response_handler"].span,
                hint=did_you_mean(handler, RESPONSE_HANDLERS) or f"one of: {', '.join(RESPONSE_HANDLERS)}",
            )
            handler = None
        stream_node = m.get("stream")
        stream = self.string(stream_node, "`stream`")
        if stream is not None and stream_node is not None and stream not in STREAMS:
            self.sink.error(
                "endpoint.unknown-stream",
                f"unknown stream format `{stream}`",
                stream_node.span,
                hint=did_you_mean(stream, STREAMS) or f"one of: {', '.join(STREAMS)}",
            )
            stream = None
        api_node = m.get("api")
        api_name = self.string(api_node, "`api`")
        if api_name is not None and api_node is not None and not API_NAME.fullmatch(api_name):
            self.sink.error(
                "endpoint.bad-api-name",
                f"`api: {api_name}` is not `group.function`",
                api_node.span,
                hint="the stateless function's group and name in snake_case, e.g. `api: session.create`",
            )
            api_name = None
        if method is None or path is None:
            return None
        headers = self.headers(m.get("headers"), f"`headers` of `{eid}`")
        if stream is not None and not any(h.name.lower() == STREAM_ACCEPT[0].lower() for h in headers):
            # a stream asks for its media type (the SDK plan's STREAM_ACCEPT), unless it says otherwise
            headers += (ir.Header(name=STREAM_ACCEPT[0], value=STREAM_ACCEPT[1], span=stream_node.span if stream_node else None),)
        return ir.Endpoint(
            id=eid,
            api=api_name,
            api_span=api_node.span if api_node is not None else None,
            method=method,
            path=path,
            path_params=self.path_params(m.get("path_params"), eid),
            query=self.query(m.get("query"), eid),
            request=self.type_expr(m.get("request"), f"`request` of `{eid}`"),
            response=self.type_expr(m.get("response"), f"`response` of `{eid}`"),
            headers=headers,
            features=self.feature_uses(m.get("features")),
            response_handler=handler,
            stream=stream,
            stream_span=stream_node.span if stream_node is not None else None,
            doc=self.doc(m),
            deprecated=bool(self.boolean(m.get("deprecated"), "`deprecated`")),
            span=key_span,
            header_params=self.header_params(m.get("header_params"), eid),
        )

    def param_entry(
        self, e: Any, what: str, keys: tuple[str, ...], wire_key: str
    ) -> tuple[ir.TypeRef | None, bool, bool, Any, str | None, str, Span | None]:
        """A query or header parameter, `name: Type` or the long form (`keys`): its type, whether it
        has a default, is optional, the default, doc, its wire name (`wire_key`, else the parameter's
        name) and where that name is written."""
        if not isinstance(e.value, Mapping):
            return self.type_expr(e.value, what), False, False, None, None, e.key, e.key_span
        self.check_keys(e.value, keys, what)
        t = self.type_expr(e.value.get("type"), what)
        has_default = "default" in e.value
        optional = bool(self.boolean(e.value.get("optional"), "`optional`"))
        default = ir.freeze(to_plain(e.value["default"])) if has_default else None
        doc = self.doc(e.value)
        wire = self.string(e.value.get(wire_key), f"`{wire_key}`") or e.key
        wire_span = e.value[wire_key].span if wire_key in e.value else e.key_span
        if "type" not in e.value:
            self.sink.error("type.syntax", f"{what}: the long form needs a `type:`", e.key_span)
        return t, has_default, optional, default, doc, wire, wire_span

    def header_params(self, node: Node | None, eid: str) -> tuple[ir.HeaderParam, ...]:
        """`header_params: {name: Type | {type, header, default, optional, doc}}`: request headers
        from arguments; the header's name is `header:` (default: the parameter's name)."""
        m = self.mapping(node, f"`header_params` of `{eid}`")
        if m is None:
            return ()
        out = []
        for e in m:
            what = f"header parameter `{e.key}` of `{eid}`"
            t, has_default, optional, default, doc, header, header_span = self.param_entry(
                e, what, ("type", "header", "default", "optional", "doc"), "header"
            )
            if not _HEADER_NAME.match(header):
                self.sink.error(
                    "endpoint.bad-header-name",
                    f"`{header}` ({what}) is not a valid HTTP header name",
                    header_span,
                    hint="a header name is letters, digits and !#$%&'*+-.^_`|~ only, e.g. `X-Weights-Access-Token`",
                )
                continue
            if t is None:
                continue
            required = not (has_default or optional or isinstance(t, ir.Nullable))
            out.append(
                ir.HeaderParam(
                    name=e.key,
                    type=t,
                    required=required,
                    has_default=has_default,
                    default=default,
                    wire_name=header,
                    doc=doc,
                    span=e.key_span,
                )
            )
        return tuple(out)

    def path(self, node: Node | None, eid: str, key_span: Span) -> ir.PathTemplate | None:
        if node is None:
            self.sink.error("endpoint.missing-path", f"endpoint `{eid}` has no `path`", key_span)
            return None
        text = self.string(node, "`path`")
        if text is None:
            return None
        assert isinstance(node, Scalar)
        if not text.startswith("/"):
            self.sink.error(
                "path.syntax", f"path `{text}` must start with `/`", node.sub_span(0, 1), hint="the base URL comes from `service.base_url`"
            )
            return None
        bad = _PATH_BAD_CHARACTER.search(text)
        if bad is not None:
            i, ch = bad.start(), bad.group()
            hint = "query parameters go under `query:`" if ch == "?" else None
            shown = ch if ch in "?#" else repr(ch)[1:-1]
            self.sink.error(
                "path.syntax", f"path `{text.encode('unicode_escape').decode()}` contains `{shown}`", node.sub_span(i, 1), hint=hint
            )
            return None
        if not path_well_formed(text) and self.path_problem(node, text):
            return None
        parts = parse_path(text)
        out: list[ir.PathLiteral | ir.PathVar] = []
        seen: set[str] = set()
        for kind, value, raw, offset, length in parts:
            if kind == "literal":
                out.append(ir.PathLiteral(text=value))
                continue
            if value in seen:
                self.sink.error("path.duplicate-param", f"path parameter `{value}` appears twice", node.sub_span(offset, length))
                continue
            seen.add(value)
            out.append(ir.PathVar(name=value, raw=raw, span=node.sub_span(offset, length)))
        return ir.PathTemplate(template=text, parts=tuple(out), span=node.span)

    def path_problem(self, node: Scalar, text: str) -> bool:
        """Report why a path template is not well formed; whether something was reported. Every
        check here passes a template :func:`path_well_formed` accepts (its braces pair up around
        identifiers, and lark parses it as the fast reader does), so :meth:`path` asks only about
        the others (lowering the bundled manifest's 50 paths: 0.85 -> 0.54 ms)."""
        depth, opened = 0, 0
        for i, ch in enumerate(text):  # point at the brace that does not match, not at where parsing gave up
            if ch == "{":
                if depth:
                    self.sink.error("path.syntax", f"path `{text}` opens `{{` inside a parameter", node.sub_span(i, 1))
                    return True
                depth, opened = 1, i
            elif ch == "}":
                if not depth:
                    self.sink.error("path.syntax", f"path `{text}` has a `}}` that closes nothing", node.sub_span(i, 1))
                    return True
                depth = 0
        if depth:
            self.sink.error(
                "path.syntax",
                f"path `{text}` has a `{{` that is never closed",
                node.sub_span(opened, 1),
                hint="parameters are written `{name}` (or `{+name}` for an unescaped value)",
            )
            return True
        # (the pattern of parse templates below: one compiled pattern, not two, in a check's process)
        for m in re.finditer(r"\{(\+?)([^{}]*)\}", text):
            if not _IDENT.match(m.group(2)):
                what = "an empty parameter name" if not m.group(2) else f"`{m.group(2)}`, which is not an identifier"
                self.sink.error(
                    "path.syntax",
                    f"path `{text}` has {what}",
                    node.sub_span(m.start(), m.end() - m.start()),
                    hint="parameter names use letters, digits and `_` and do not start with a digit",
                )
                return True
        try:
            parse_path(text)
        except GrammarError as exc:
            self.sink.error(
                "path.syntax",
                f"malformed path template `{text}`: {exc.message}",
                node.sub_span(exc.column, exc.length),
                hint="parameters are written `{name}` (or `{+name}` for an unescaped value)",
            )
            return True
        return False

    def path_params(self, node: Node | None, eid: str) -> tuple[ir.PathParam, ...]:
        m = self.mapping(node, f"`path_params` of `{eid}`")
        if m is None:
            return ()
        out = []
        for e in m:
            what = f"path parameter `{e.key}` of `{eid}`"
            if isinstance(e.value, Mapping):
                self.check_keys(e.value, ("type", "raw", "doc"), what)
                t = self.type_expr(e.value.get("type"), what) if "type" in e.value else ir.Prim(name="string")
                raw = bool(self.boolean(e.value.get("raw"), "`raw`"))
                doc = self.doc(e.value)
            else:
                t, raw, doc = self.type_expr(e.value, what), False, None
            if t is not None:
                out.append(ir.PathParam(name=e.key, type=t, raw=raw, doc=doc, span=e.key_span))
        return tuple(out)

    def query(self, node: Node | None, eid: str) -> tuple[ir.QueryParam, ...]:
        m = self.mapping(node, f"`query` of `{eid}`")
        if m is None:
            return ()
        out = []
        for e in m:
            what = f"query parameter `{e.key}` of `{eid}`"
            t, has_default, optional, default, doc, wire, _ = self.param_entry(
                e, what, ("type", "default", "optional", "doc", "json_name"), "json_name"
            )
            if t is None:
                continue
            # A query parameter without a default that may be null is sent only when given.
            required = not (has_default or optional or isinstance(t, ir.Nullable))
            out.append(
                ir.QueryParam(
                    name=e.key,
                    type=t,
                    required=required,
                    has_default=has_default,
                    default=default,
                    wire_name=wire,
                    doc=doc,
                    span=e.key_span,
                )
            )
        return tuple(out)

    # -- clients ---------------------------------------------------------------------------------

    def client(self, cid: str, key_span: Span, node: Node, flows: dict[str, ir.Flow]) -> ir.Client | None:
        if not _IDENT.match(cid):
            self.sink.error("client.bad-name", f"client key `{cid}` is not an identifier", key_span)
            return None
        if not self.short_name(cid, "client key", key_span):
            return None
        m = self.mapping(node, f"client `{cid}`")
        if m is None:
            return None
        self.check_keys(m, ("module", "doc", "resource", "state", "methods", "flows", "aliases", "chunkers"), f"client `{cid}`")
        methods: list[ir.Method] = []
        mm = self.mapping(m.get("methods"), f"`methods` of client `{cid}`")
        for e in mm or ():
            method = self.method(cid, e.key, e.key_span, e.value)
            if method is not None:
                methods.append(method)
        inline = m.get("flows")
        inline_items: list[tuple[str | None, Span, Node]] = []
        if isinstance(inline, Sequence):
            for item in inline.items:
                name_node = item.get("name") if isinstance(item, Mapping) else None
                name = self.string(name_node, "`name` of a flow") if name_node is not None else None
                if name is None and name_node is None:
                    self.sink.error("flow.missing-name", "an inline flow needs a `name`", item.span)
                inline_items.append((name, name_node.span if name_node else item.span, item))
        elif isinstance(inline, Mapping):
            inline_items = [(e.key, e.key_span, e.value) for e in inline]
        elif inline is not None:
            self.mapping(inline, f"`flows` of client `{cid}`")
        for name, span, fnode in inline_items:
            if name is None:
                continue
            if name in flows:
                self.sink.error("manifest.conflict", f"flow `{name}` is declared twice", span, hint=f"first declared at {flows[name].span}")
                continue
            fl = self.flow(name, fnode, span, client=cid)
            if fl is not None:
                flows[name] = fl
                if not any(x.name == name for x in methods):
                    methods.append(ir.Method(name=name, kind="flow", target=name, doc=fl.doc, span=span))
        state = []
        sm = self.mapping(m.get("state"), f"`state` of client `{cid}`")
        for e in sm or ():
            what = f"state `{e.key}` of client `{cid}`"
            if isinstance(e.value, Mapping):
                self.check_keys(e.value, ("type", "counter", "start", "ordered", "doc"), what)
                if "type" not in e.value:  # was silently dropped: every long form needs its type
                    self.sink.error(
                        "type.syntax", f"{what}: the long form needs a `type:`", e.key_span, hint=f"`{e.key}: {{type: int, counter: true}}`"
                    )
                t = self.type_expr(e.value.get("type"), what)
                counter = bool(self.boolean(e.value.get("counter"), "`counter`"))
                start = self.counter_start(e.value, counter, what)
                ordered_node = e.value.get("ordered")
                ordered = bool(self.boolean(ordered_node, "`ordered`"))
                if ordered and not counter and ordered_node is not None:
                    self.sink.error(
                        "manifest.conflict",
                        f"{what}: `ordered` orders the requests that carry a counter",
                        ordered_node.span,
                        hint="add `counter: true` or remove `ordered`",
                    )
                    ordered = False
                doc = self.doc(e.value)
            else:
                t, counter, start, ordered, doc = self.type_expr(e.value, what), False, 0, False, None
            if t is not None:
                state.append(
                    ir.StateField(name=e.key, type=t, counter=counter, counter_start=start, ordered=ordered, doc=doc, span=e.key_span)
                )
        module_node = m.get("module")
        module = self.string(module_node, "`module`")
        if module is not None and module_node is not None:  # becomes file paths in Elixir: a plain dotted name only
            if not self.short_name(module, "client module", module_node.span):
                module = None
            elif not _MODULE.match(module):
                self.sink.error(
                    "client.bad-module",
                    f"client module `{module.encode('unicode_escape').decode('ascii')}` is not a module name",
                    module_node.span,
                    hint="dotted segments that each start with a capital letter, e.g. `Tinkex.TrainingClient`",
                )
                module = None
        aliases = []
        for e in self.mapping(m.get("aliases"), f"`aliases` of client `{cid}`") or ():
            where = f"alias `{e.key}` of client `{cid}`"
            if not _PARSE_FUNCTION.match(e.key):
                self.sink.error("client.bad-alias", f"{where}: the name is not a lower-case identifier", e.key_span)
                continue
            am = self.mapping(e.value, where) if not isinstance(e.value, Scalar) else None
            target = self.string(e.value if isinstance(e.value, Scalar) else (am.get("method") if am else None), f"`method` of {where}")
            if am is not None:
                self.check_keys(am, ("method", "doc"), where)
            if target is None:
                if am is not None and "method" not in am:
                    self.sink.error("client.bad-alias", f"{where} needs `method: <client>.<method>`", e.key_span)
                continue
            other, dot, method_name = target.partition(".")
            if not dot or not other or not method_name:
                self.sink.error(
                    "client.bad-alias",
                    f"{where}: `{target}` is not `<client>.<method>`",
                    (e.value if isinstance(e.value, Scalar) else am["method"]).span,  # type: ignore[index]
                    hint="e.g. `service.create_sampling_client`",
                )
                continue
            aliases.append(ir.ClientAlias(name=e.key, client=other, method=method_name, doc=self.doc(am) if am else None, span=e.key_span))
        chunkers = []
        for e in self.mapping(m.get("chunkers"), f"`chunkers` of client `{cid}`") or ():
            where = f"chunker `{e.key}` of client `{cid}`"
            cm = self.mapping(e.value, where)
            if cm is None:
                continue
            self.check_keys(cm, ("flow", "module", "doc"), where)
            if not _PARSE_FUNCTION.match(e.key):
                self.sink.error("client.bad-chunker", f"{where}: the name is not a lower-case identifier", e.key_span)
                continue
            flow_name = self.string(cm.get("flow"), f"`flow` of {where}")
            if flow_name is None:
                if "flow" not in cm:
                    self.sink.error(
                        "client.bad-chunker",
                        f"{where} needs `flow:` (a flow with a chunked step)",
                        e.key_span,
                        hint="`{flow: forward_backward}`",
                    )
                continue
            sub = self.string(cm.get("module"), f"`module` of {where}") if "module" in cm else None
            if sub is not None and not re.fullmatch(r"[A-Z][A-Za-z0-9_]*", sub):
                self.sink.error(
                    "client.bad-chunker",
                    f"{where}: module `{sub}` is not one module segment",
                    cm["module"].span,
                    hint="a capitalized name such as `DataProcessor` (it goes under the client's module)",
                )
                continue
            chunkers.append(ir.Chunker(name=e.key, flow=flow_name, module=sub, doc=self.doc(cm), span=e.key_span))
        return ir.Client(
            id=cid,
            module=module,
            methods=tuple(methods),
            state=tuple(state),
            resources=tuple(r for r, _ in self.string_list(m.get("resource"), "`resource`")),
            doc=self.doc(m),
            aliases=tuple(aliases),
            chunkers=tuple(chunkers),
            span=key_span,
        )

    def method(self, cid: str, name: str, span: Span, node: Node) -> ir.Method | None:
        if not _IDENT.match(name):
            self.sink.error("client.bad-name", f"method name `{name}` is not an identifier", span)
            return None
        if isinstance(node, Scalar):
            target = self.string(node, f"method `{name}`")
            return ir.Method(name=name, kind="endpoint", target=target, span=span, target_span=node.span) if target else None
        m = self.mapping(node, f"method `{name}` of client `{cid}`")
        if m is None:
            return None
        self.check_keys(m, ("endpoint", "flow", "doc", "returns"), f"method `{name}`")
        kinds = [k for k in ("endpoint", "flow") if k in m]
        if len(kinds) != 1:
            self.sink.error("client.bad-method", f"method `{name}` must name exactly one `endpoint` or `flow`", span)
            return None
        target = self.string(m.get(kinds[0]), f"`{kinds[0]}` of method `{name}`")
        if target is None:
            return None
        value = False
        if "returns" in m:  # a second name answering the flow's value (Tinkex's `*_sync` functions)
            returns = self.string(m.get("returns"), "`returns`")
            if returns != "value" or kinds[0] != "flow":
                self.sink.error(
                    "client.bad-method",
                    f"`returns` of method `{name}`: only a flow method may declare it, and only `value`",
                    m["returns"].span,
                    hint="`{flow: <flow>, returns: value}` names the flow again, answering its result instead of a task",
                )
                return None
            value = True
        return ir.Method(name=name, kind=kinds[0], target=target, doc=self.doc(m), value=value, span=span, target_span=m[kinds[0]].span)

    # -- flows -----------------------------------------------------------------------------------

    def flow(self, name: str, node: Node, key_span: Span, client: str | None) -> ir.Flow | None:
        if not _IDENT.match(name):
            self.sink.error("flow.bad-name", f"flow name `{name}` is not an identifier", key_span)
            return None
        m = self.mapping(node, f"flow `{name}`")
        if m is None:
            return None
        allowed = ["doc", "steps", "inputs", "deprecated", "returns", "overloads"]
        allowed.append("name" if client is not None else "client")
        self.check_keys(m, allowed, f"flow `{name}`")
        overloads, overloads_span = None, None
        if "overloads" in m:  # checked against the client's methods by the `clients` pass
            overloads, overloads_span = self.string(m.get("overloads"), "`overloads`"), m["overloads"].span
            if overloads is not None and not _IDENT.match(overloads):
                self.sink.error(
                    "flow.bad-overload",
                    f"flow `{name}`: `overloads: {overloads}` is not a method name",
                    overloads_span,
                    hint="the name of another method of the flow's client, e.g. `overloads: delete_checkpoint`",
                )
                overloads = None
        task = False
        if "returns" in m:
            returns = self.string(m.get("returns"), "`returns`")
            if returns == "task":
                task = True
            elif returns is not None:
                self.sink.error(
                    "flow.bad-returns",
                    f"`returns: {returns}`: the one shape a flow may declare is `task`",
                    m["returns"].span,
                    hint="`returns: task` makes the function answer a task (Elixir `{:ok, Task}`); leave it out otherwise",
                )
        if client is None:
            client = self.string(m.get("client"), "`client`")
            client_node = m.get("client")
            if client_node is None:
                self.sink.error(
                    "flow.missing-client",
                    f"top-level flow `{name}` needs a `client:`",
                    key_span,
                    hint="or declare it inline under `clients.<client>.flows`",
                )
        inputs = []
        im = self.mapping(m.get("inputs"), f"`inputs` of flow `{name}`")
        for e in im or ():
            what = f"input `{e.key}` of flow `{name}`"
            if isinstance(e.value, Mapping):
                self.check_keys(e.value, ("type", "default", "doc", "spread"), what)
                t = self.type_expr(e.value.get("type"), what)
                has_default = "default" in e.value
                default = ir.freeze(to_plain(e.value["default"])) if has_default else None
                doc = self.doc(e.value)
                spread = self.boolean(e.value.get("spread"), f"`spread` of {what}") or False
                if "type" not in e.value:
                    self.sink.error("type.syntax", f"{what}: the long form needs a `type:`", e.key_span)
            else:
                t, has_default, default, doc, spread = self.type_expr(e.value, what), False, None, None, False
            if t is not None:
                inputs.append(
                    ir.FlowInput(
                        name=e.key,
                        type=t,
                        declared=True,
                        has_default=has_default,
                        default=default,
                        doc=doc,
                        spread=spread,
                        span=e.key_span,
                    )
                )
        steps_node = m.get("steps")
        if not isinstance(steps_node, Sequence) or not steps_node.items:
            self.sink.error(
                "flow.no-steps", f"flow `{name}` needs a non-empty list of `steps`", steps_node.span if steps_node else key_span
            )
            return None
        steps: list[ir.Step] = []
        ids: dict[str, Span] = {}
        for index, snode in enumerate(steps_node.items, start=1):
            step = self.step(name, index, snode)
            if step is None:
                continue
            if step.id in ids:
                self.sink.error("flow.duplicate-step-id", f"step id `{step.id}` is used twice in flow `{name}`", step.span)
                continue
            ids[step.id] = step.span or snode.span
            steps.append(step)
        return ir.Flow(
            id=name,
            client=client,
            steps=tuple(steps),
            inputs=tuple(inputs),
            doc=self.doc(m),
            deprecated=bool(self.boolean(m.get("deprecated"), "`deprecated`")),
            task=task,
            overloads=overloads,
            overloads_span=overloads_span,
            span=key_span,
        )

    def step(self, flow: str, index: int, node: Node) -> ir.Step | None:
        m = self.mapping(node, f"step {index} of flow `{flow}`")
        if m is None:
            return None
        self.check_keys(
            m,
            ("id", "call", "args", "await_future", "build_client", "parse", "chunk", "on", "after", "return", "doc"),
            f"step {index} of flow `{flow}`",
        )
        kinds = [k for k in ("call", "await_future", "build_client", "parse", "return") if k in m]
        if len(kinds) != 1:
            self.sink.error(
                "flow.bad-step",
                f"step {index} of flow `{flow}` must have exactly one of `call`, `await_future`, `build_client`, `parse`, `return`",
                m.span,
            )
            return None
        kind = kinds[0]
        sid = self.string(m.get("id"), "`id`") if "id" in m else f"step{index}"
        if sid is None or not _IDENT.match(sid):
            self.sink.error("flow.bad-step", f"step id `{sid}` is not an identifier", (m.get("id") or m).span)
            return None
        after = tuple(a for a, _ in self.string_list(m.get("after"), "`after`"))
        span = m[kind].span
        if kind == "call":
            target = self.string(m.get("call"), "`call`")
            if target is None:
                return None
            am = self.mapping(m.get("args"), "`args`")
            args = tuple(
                ir.Arg(name=e.key, value=self.value(e.value) or ir.Invalid(span=e.value.span), span=e.key_span) for e in (am or ())
            )
            on = None
            if "on" in m:
                v = self.value(m.get("on"))
                if isinstance(v, ir.Bind):
                    on = v
                else:
                    self.sink.error("flow.bad-receiver", "`on` must be a single binding such as `${steps.client}`", m["on"].span)
            chunk = self.chunk_spec(m.get("chunk")) if "chunk" in m else None
            return ir.Step(id=sid, kind="call", written_target=target, args=args, on=on, after=after, chunk=chunk, span=span)
        if "args" in m or "on" in m or "chunk" in m:
            bad = m.entries.get("args") or m.entries.get("on") or m.entries["chunk"]
            self.sink.error("flow.misplaced-key", f"`{bad.key}` belongs to a `call` step", bad.key_span)
        if kind == "await_future":
            n = m.get("await_future")
            expected = None
            if isinstance(n, Scalar) and n.value is True:
                expected = None
            elif n is not None and not (isinstance(n, Scalar) and n.value is None):
                expected = self.type_expr(n, "`await_future`")
            return ir.Step(id=sid, kind="await_future", expected=expected, after=after, span=span)
        if kind == "build_client":
            n = m.get("build_client")
            args = ()
            if isinstance(n, Mapping):
                self.check_keys(n, ("client", "with"), "`build_client`")
                target = self.string(n.get("client"), "`client` of `build_client`")
                wm = self.mapping(n.get("with"), "`with`")
                args = tuple(
                    ir.Arg(name=e.key, value=self.value(e.value) or ir.Invalid(span=e.value.span), span=e.key_span) for e in (wm or ())
                )
            else:
                target = self.string(n, "`build_client`")
            if target is None:
                return None
            return ir.Step(id=sid, kind="build_client", written_target=target, args=args, after=after, span=span)
        if kind == "parse":
            pm = self.mapping(m.get("parse"), "`parse`")
            if pm is None:
                return None
            self.check_keys(pm, ("type", "value"), "`parse`")
            target = self.string(pm.get("type"), "`type` of `parse`")
            if "value" not in pm:
                self.sink.error("flow.bad-step", "`parse` needs the `value` to split", pm.span, hint="e.g. `value: ${input.tinker_path}`")
                return None
            pv = self.value(pm.get("value"))
            if target is None or pv is None:
                return None
            arg = ir.Arg(name="value", value=pv, span=pm.entries["value"].key_span)
            return ir.Step(id=sid, kind="parse", written_target=target, target=target, args=(arg,), after=after, span=span)
        v = self.value(m.get("return"))
        if v is None:
            return None
        return ir.Step(id=sid, kind="return", args=(ir.Arg(name="value", value=v, span=span),), after=after, span=span)

    def chunk_spec(self, node: Node | None) -> ir.ChunkSpec | None:
        """`chunk: {input, max_items, max_bytes, combine: {field: concat | metrics | first}}`."""
        m = self.mapping(node, "`chunk`")
        if m is None:
            return None
        self.check_keys(m, ("input", "max_items", "max_bytes", "combine"), "`chunk`")
        name = self.string(m.get("input"), "`input` of `chunk`") if "input" in m else None
        if name is None:
            self.sink.error("flow.bad-chunk", "`chunk` needs `input`: the flow input (a list) to split", m.span, hint="e.g. `input: data`")
            return None
        limits: dict[str, int] = {}
        for key in ("max_items", "max_bytes"):
            n = m.get(key)
            value = n.value if isinstance(n, Scalar) else None
            if n is None or isinstance(value, bool) or not isinstance(value, int) or value < 1:
                self.sink.error(
                    "flow.bad-chunk",
                    f"`chunk` needs `{key}`, a positive integer" + (f", not `{value}`" if n is not None else ""),
                    n.span if n is not None else m.span,
                    hint="Tinker's SDK sends at most 1024 datums and about 5000000 bytes a request",
                )
                return None
            limits[key] = value
        combine: list[tuple[str, str]] = []
        spans: list[Span | None] = []
        cm = self.mapping(m.get("combine"), "`combine`") if "combine" in m else None
        for e in cm or ():
            how = self.string(e.value, f"`combine.{e.key}`")
            if how is None:
                continue
            if how not in CHUNK_COMBINE:
                self.sink.error(
                    "flow.bad-chunk",
                    f"`combine.{e.key}`: `{how}` is not a way to combine chunk results",
                    e.value.span,
                    hint=did_you_mean(how, CHUNK_COMBINE) or f"one of {', '.join(f'`{c}`' for c in CHUNK_COMBINE)}",
                )
                continue
            combine.append((e.key, how))
            spans.append(e.key_span)
        return ir.ChunkSpec(
            input=name,
            max_items=limits["max_items"],
            max_bytes=limits["max_bytes"],
            combine=tuple(combine),
            span=m.span,
            input_span=m["input"].span,
            combine_spans=tuple(spans),
        )

    def value(self, node: Node | None) -> ir.Value | None:
        if node is None:
            return None
        if isinstance(node, Mapping):
            items = tuple((e.key, self.value(e.value) or ir.Invalid(span=e.value.span)) for e in node)
            return ir.ObjValue(items=items, span=node.span)
        if isinstance(node, Sequence):
            return ir.ListValue(items=tuple(self.value(n) or ir.Invalid(span=n.span) for n in node.items), span=node.span)
        if not isinstance(node.value, str) or "$" not in node.value:
            return ir.Const(value=node.value, span=node.span)
        text = node.value
        try:
            parts = parse_template(text)
        except GrammarError as exc:
            self.sink.error(
                "binding.syntax",
                f"malformed binding in `{text}`: {exc.message}",
                node.sub_span(exc.column, exc.length),
                hint="bindings look like `${input.name}`, `${result.field}`, `${steps.id.field}` or `${state.name}`; "
                "write `$${` for a literal `${`",
            )
            return None
        out: list[str | ir.Bind] = []
        for part in parts:
            if isinstance(part, str):
                out.append(part)
                continue
            source, path, offset, length = part
            span = node.sub_span(offset, length)
            if source not in BINDING_SOURCES:
                self.sink.error(
                    "binding.unknown-source",
                    f"unknown binding source `{source}`",
                    span,
                    hint=did_you_mean(source, BINDING_SOURCES) or f"one of: {', '.join(BINDING_SOURCES)}",
                )
                return None
            if source in ("input", "state", "config", "server") and not path:
                self.sink.error("binding.syntax", f"`${{{source}}}` needs a name: `${{{source}.name}}`", span)
                return None
            if source == "steps" and (not path or not isinstance(path[0], str)):
                self.sink.error("binding.syntax", "`${steps}` needs a step id: `${steps.<id>.field}`", span)
                return None
            out.append(ir.Bind(source=source, path=path, text=text[offset : offset + length], span=span))
        if len(out) == 1 and isinstance(out[0], ir.Bind):
            return out[0]
        return ir.Interp(parts=tuple(out), span=node.span)


def lower(manifest: Manifest, sink: Sink) -> ir.Api | None:
    return Lowerer(manifest, sink).lower()
