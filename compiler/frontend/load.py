"""Frontend, stage 1: manifest text → manifest model (with spans), imports followed.

YAML is composed with PyYAML's (libyaml-backed) composer, and scalars are then resolved by tinkc
itself with YAML 1.2 core-schema rules, because PyYAML's resolver is YAML 1.1 (`on`/`no`/`yes` would
become booleans, `0755` an octal number). Duplicate keys are errors. JSON manifests are parsed with a
lark grammar so they carry the same spans.
"""

from __future__ import annotations

import math
import os
import re
from pathlib import Path

from tinkc.diagnostics import Sink
from tinkc.frontend.limits import MAX_DEPTH, number_too_long
from tinkc.frontend.model import SUPPORTED_SCHEMA_VERSIONS, Document, Entry, Manifest, Mapping, Node, Scalar, ScalarValue, Sequence
from tinkc.frontend.yamlimport import yaml
from tinkc.ir.span import Span

# An alias bomb (`a: &a [*b, *b, ...]` nested) composes to a small graph that expands exponentially;
# every later stage walks the expansion. Aliases may repeat a node, but the expansion may not grow
# past ALIAS_EXPANSION_FACTOR times the written size (plus some slack for small files).
ALIAS_EXPANSION_FACTOR = 10
ALIAS_EXPANSION_SLACK = 100_000

_INT_RE = re.compile(r"[-+]?[0-9]+\Z")
_OCT_RE = re.compile(r"0o[0-7]+\Z")
_HEX_RE = re.compile(r"0x[0-9a-fA-F]+\Z")
_FLOAT_RE = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?\Z")
_LEADING_ZERO_RE = re.compile(r"[-+]?0[0-9]+\Z")
# The first characters of every text resolve_plain reads as something other than a string.
_NOT_PLAIN_TEXT_START = frozenset("~nNtTfF+-.0123456789")
_STD_TAG_PREFIX = "tag:yaml.org,2002:"
_ALLOWED_TAGS = frozenset(_STD_TAG_PREFIX + t for t in ("str", "seq", "map"))
# The composer makes exactly these classes (no subclasses): compared by identity in the hot loops
_ScalarNode, _SequenceNode = yaml.ScalarNode, yaml.SequenceNode
_STR_TAG = _STD_TAG_PREFIX + "str"


def display_name(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)


class _TooLarge(Exception):
    pass


def _expanded_size(root: yaml.Node) -> tuple[int, int]:
    """(size after alias expansion, number of distinct nodes); raises _TooLarge on a recursive alias."""
    sizes: dict[int, int] = {}
    active: set[int] = set()

    def size(node: yaml.Node, depth: int) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in active or depth > MAX_DEPTH:
            raise _TooLarge
        total = 1
        if not isinstance(node, yaml.ScalarNode):
            active.add(key)
            if isinstance(node, yaml.SequenceNode):
                for c in node.value:
                    total += size(c, depth + 1)
            else:
                for k, v in node.value:
                    total += size(k, depth + 1) + size(v, depth + 1)
            active.discard(key)
        sizes[key] = total
        return total

    return size(root, 0), len(sizes)


def _bounded(root: yaml.Node, max_nodes: float) -> bool:
    """Whether the document as the later stages see it (each alias expanded where it is written)
    nests no deeper than MAX_DEPTH and has at most ``max_nodes`` nodes, keys counted as
    :func:`_expanded_size` counts them.

    Without aliases this is the whole check (only aliases make the expansion larger than the
    document). With aliases, a document this walk finds within ALIAS_EXPANSION_SLACK nodes is one
    :func:`_expanded_size` passes too: its expansion is no larger than the slack, and its
    memoized walk follows a subset of these paths, so it finds no deeper node (a recursive alias
    has unbounded depth here). Only a document this walk refuses is measured exactly: the bundled
    manifest has a few aliases, and the exact walk (a call per distinct node) was ~1 ms of loading
    it, this one ~0.2."""
    # Level by level, collections only (a scalar adds no depth below it): no (node, depth) pair
    # per node. A node is deeper than MAX_DEPTH when a collection is, or a collection at MAX_DEPTH
    # has any item.
    level: list[yaml.Node] = [] if root.__class__ is _ScalarNode else [root]
    nodes = 1
    depth = 0
    while level:
        if depth > MAX_DEPTH or (depth == MAX_DEPTH and any(node.value for node in level)):
            return False
        below: list[yaml.Node] = []
        for node in level:
            if node.__class__ is _SequenceNode:
                nodes += len(node.value)
                below.extend(c for c in node.value if c.__class__ is not _ScalarNode)
            else:  # a mapping: its keys (composed as nodes too) and values
                nodes += 2 * len(node.value)
                for k, v in node.value:
                    if k.__class__ is not _ScalarNode:
                        below.append(k)
                    if v.__class__ is not _ScalarNode:
                        below.append(v)
            if nodes > max_nodes:  # checked per node: an alias bomb's next level is never built
                return False
        level = below
        depth += 1
    return True


class _YamlConverter:
    def __init__(self, display: str, sink: Sink) -> None:
        self.display = display
        self.sink = sink

    def span(self, node: yaml.Node) -> Span:
        s, e = node.start_mark, node.end_mark
        return Span(file=self.display, line=s.line + 1, col=s.column + 1, end_line=e.line + 1, end_col=e.column + 1)

    def convert(self, node: yaml.Node) -> Node:
        # The hot loop of loading (every node of every file): spans and tags are read inline.
        # A tag the author wrote (`!!python/object`, `!custom`, `!!int`) is refused: the base loader
        # gives every untagged node `str`, `seq` or `map`.
        if node.tag not in _ALLOWED_TAGS:
            written = "!!" + node.tag[len(_STD_TAG_PREFIX) :] if node.tag.startswith(_STD_TAG_PREFIX) else node.tag
            self.sink.error(
                "load.tag",
                f"YAML tag `{written}` is not supported in a manifest",
                self.span(node),
                hint="remove the tag; manifests hold plain data",
            )
        # the marks' positions, made a Span when read (see tinkc.frontend.model)
        display = self.display
        s, e = node.start_mark, node.end_mark
        span = (display, s.line, s.column, e.line, e.column)
        # The model's nodes are made with positional arguments here: calling a class with keywords
        # makes a dict of them per call, ~0.3 us of each of the ~6,800 nodes and entries of the
        # bundled manifest (loading: ~2 ms). Scalar(value, span, quoted), Entry(key, key_span,
        # value), Sequence(items, span), Mapping(entries, span).
        if isinstance(node, _ScalarNode):
            style = node.style
            if style:  # quoted, literal or folded: always a string (plain is "" or None)
                return Scalar(node.value, span, style in ("'", '"'))
            return Scalar(self.resolve_plain(node.value, node), span)
        if isinstance(node, _SequenceNode):
            return Sequence([self.convert(n) for n in node.value], span)
        entries: dict[str, Entry] = {}
        for k, v in node.value:
            if k.__class__ is not _ScalarNode:
                self.sink.error("load.complex-key", "mapping keys must be plain strings", self.span(k))
                continue
            key = k.value
            if key in entries:
                first = entries[key].key_span
                self.sink.error(
                    "load.duplicate-key",
                    f"duplicate key `{key}`",
                    self.span(k),
                    hint=f"`{key}` is first defined at line {first.line}, column {first.col}; remove or rename one of them",
                )
                continue
            s, e = k.start_mark, k.end_mark
            key_span = (display, s.line, s.column, e.line, e.column)
            if v.__class__ is _ScalarNode and v.tag == _STR_TAG:
                # Half of all nodes: a scalar value with its default tag, converted here as the
                # scalar branch above does, without a call per value (~1 ms of loading).
                style = v.style
                text = v.value
                s, e = v.start_mark, v.end_mark
                value_span = (display, s.line, s.column, e.line, e.column)
                if style:
                    value: Node = Scalar(text, value_span, style in ("'", '"'))
                elif text and text[0] not in _NOT_PLAIN_TEXT_START:  # resolve_plain's first test
                    value = Scalar(text, value_span)
                else:
                    value = Scalar(self.resolve_plain(text, v), value_span)
            else:
                value = self.convert(v)
            entries[key] = Entry(key, key_span, value)
        return Mapping(entries, span)

    def resolve_plain(self, text: str, node: yaml.Node) -> ScalarValue:
        """YAML 1.2 core schema, plus a diagnostic for numbers YAML 1.1 would read as octal
        (at ``node``, the scalar)."""
        if text and text[0] not in _NOT_PLAIN_TEXT_START:  # most scalars: no rule below can match
            return text
        if text in ("", "~", "null", "Null", "NULL"):
            return None
        if text in ("true", "True", "TRUE"):
            return True
        if text in ("false", "False", "FALSE"):
            return False
        if _INT_RE.match(text):
            if number_too_long(text, self.sink, lambda: self.span(node)):
                return text  # (a string, as quoted: nothing more is reported about it)
            if _LEADING_ZERO_RE.match(text):
                self.sink.error(
                    "load.ambiguous-number",
                    f"`{text}` has a leading zero: YAML 1.1 reads it as octal, YAML 1.2 as decimal",
                    self.span(node),
                    hint=f"write `{text.lstrip('+-0') or '0'}` for the number, or quote it for a string",
                )
            return int(text, 10)  # (with a leading zero: YAML 1.2's reading, so nothing more is reported about it)
        if _OCT_RE.match(text):
            return int(text[2:], 8)
        if _HEX_RE.match(text):
            return int(text[2:], 16)
        if _FLOAT_RE.match(text):
            return float(text)
        if text in (".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"):
            return float("inf")
        if text in ("-.inf", "-.Inf", "-.INF"):
            return float("-inf")
        if text in (".nan", ".NaN", ".NAN"):
            return float("nan")
        return text


def _yaml_error(exc: yaml.MarkedYAMLError, text: str, display: str, sink: Sink) -> None:
    mark = exc.problem_mark or exc.context_mark
    problem = exc.problem or exc.context or "invalid YAML"
    notes: list[str] = []
    # Unclosed across lines: point at the opener. (On one line, the problem mark is nearer the cause.)
    unclosed = (
        exc.context_mark is not None
        and (exc.context or "").startswith("while parsing a flow")
        and exc.problem_mark is not None
        and exc.problem_mark.line != exc.context_mark.line
    )
    if unclosed and exc.problem_mark is not None and exc.context_mark is not None:
        # "did not find expected ']'" is detected where parsing gave up; the culprit is the opener.
        kind = "list" if "sequence" in (exc.context or "") else "mapping"
        notes.append(f"detected at line {exc.problem_mark.line + 1}, column {exc.problem_mark.column + 1}")
        problem = f"this flow {kind} is not closed: {exc.problem}"
        mark = exc.context_mark
    line = (mark.line + 1) if mark else 1
    col = (mark.column + 1) if mark else 1
    span = Span(file=display, line=line, col=col, end_line=line, end_col=col + 1)
    hint = None
    lines = text.splitlines()
    source_line = lines[line - 1] if 0 < line <= len(lines) else ""
    context_line = ""
    if exc.context_mark is not None and 0 <= exc.context_mark.line < len(lines):
        context_line = lines[exc.context_mark.line]
    for candidate in (source_line, context_line):
        m = re.match(r"\s*(?:-\s+)?([^:#{]+):\s+(\[.*\]\s*\?.*|\[.*\]\s*\|.*)$", candidate)
        if m:
            expr = m.group(2).strip()
            hint = f'a type expression starting with `[` must be quoted: `{m.group(1).strip()}: "{expr}"`'
            break
        inner = re.search(r"(\[[^\[\]]*\]\s*\?)", candidate)
        if inner:
            hint = f'a type expression starting with `[` must be quoted: `"{inner.group(1)}"`'
            break
        nested = re.match(r"\s*(?:-\s+)?([^:#{]+):\s+(\[.*\[.*\].*\])\s*(#.*)?$", candidate)
        if nested:
            hint = f'a type expression with brackets inside a list must be quoted: `{nested.group(1).strip()}: "{nested.group(2)}"`'
            break
        if "${" in candidate and "{" in candidate.split("${", 1)[0]:
            hint = 'inside a flow mapping `{...}` a binding must be quoted: `key: "${input.x}"`, or use block style'
            break
    if hint is None and "\t" in source_line[: max(col - 1, 0) + 1]:
        hint = "YAML does not allow tabs for indentation; use spaces"
    if hint is None and problem.startswith("mapping values are not allowed"):
        hint = "check this line's indentation: a key must line up with the keys beside it, one level deeper than its parent"
    sink.error("load.yaml-syntax", f"YAML syntax error: {problem}", span, hint=hint, notes=notes)


_DEFAULT_TAGS: dict[type[yaml.Node], str] = {
    yaml.ScalarNode: yaml.BaseLoader.DEFAULT_SCALAR_TAG,
    yaml.SequenceNode: yaml.BaseLoader.DEFAULT_SEQUENCE_TAG,
    yaml.MappingNode: yaml.BaseLoader.DEFAULT_MAPPING_TAG,
}


class _Loader(getattr(yaml, "CBaseLoader", yaml.BaseLoader)):  # type: ignore[misc]
    """The base loader, answering the composer's three calls per node directly: the base resolver
    has no implicit and no path resolvers, so each node's tag is its kind's default tag (what
    ``BaseResolver.resolve`` returns after looking for resolvers) and descending and ascending do
    nothing. An explicit tag never reaches ``resolve``."""

    def resolve(self, kind: type[yaml.Node], value: object, implicit: object) -> str:
        return _DEFAULT_TAGS[kind]

    def descend_resolver(self, current_node: object, current_index: object) -> None:
        pass

    def ascend_resolver(self) -> None:
        pass


def parse_yaml(text: str, display: str, sink: Sink) -> Node | None:
    try:
        # The base loader resolves no scalar types (tinkc does, with YAML 1.2 rules), so composing
        # makes no call back into PyYAML's regex resolver; libyaml does the parsing when present.
        docs = list(yaml.compose_all(text, Loader=_Loader))
    except yaml.MarkedYAMLError as exc:
        _yaml_error(exc, text, display, sink)
        return None
    except (yaml.YAMLError, RecursionError) as exc:
        sink.error("load.yaml-syntax", f"YAML syntax error: {exc}", Span(file=display, line=1, col=1, end_line=1, end_col=2))
        return None
    except UnicodeError:  # text that no file could hold (lone surrogates), given through the API
        sink.error("load.encoding", f"`{display}` is not valid Unicode text", Span(file=display, line=1, col=1, end_line=1, end_col=2))
        return None
    docs = [d for d in docs if d is not None]
    if not docs:
        return None
    if len(docs) > 1:
        sink.error(
            "load.multiple-documents",
            "a manifest file holds one YAML document",
            _YamlConverter(display, sink).span(docs[1]),
            hint="split the documents into files and use `imports:`",
        )
    conv = _YamlConverter(display, sink)
    try:
        if "*" in text and "&" in text:  # an alias (`*name`) of an anchor (`&name`) may repeat a node: measure the expansion
            if not _bounded(docs[0], ALIAS_EXPANSION_SLACK):  # else it is within bounds (see _bounded)
                expanded, distinct = _expanded_size(docs[0])
                if expanded > ALIAS_EXPANSION_FACTOR * distinct + ALIAS_EXPANSION_SLACK:
                    raise _TooLarge
        elif not _bounded(docs[0], math.inf):
            raise _TooLarge
        return conv.convert(docs[0])
    except (_TooLarge, RecursionError):
        sink.error(
            "load.too-large",
            "the manifest expands too much (alias bomb, recursive alias or excessive nesting)",
            conv.span(docs[0]),
            hint=f"aliases may not expand a manifest more than {ALIAS_EXPANSION_FACTOR}-fold, and nesting is limited to {MAX_DEPTH} levels",
        )
        return None


def parse_json(text: str, display: str, sink: Sink) -> Node | None:
    from tinkc.frontend.grammars import json_to_model  # lark is only needed for JSON manifests

    return json_to_model(text, display, sink)


def read_source(
    path: Path,
    display: str,
    sink: Sink,
    at: Span | None = None,
    sources: dict[str, str] | None = None,
    overlay: dict[Path, str] | None = None,
) -> str | None:
    try:
        # `tinkc lsp`: an editor's unsaved buffer stands in for the file on disk (same checks as its bytes)
        data = overlay[path].encode("utf-8") if overlay is not None and path in overlay else path.read_bytes()
    except FileNotFoundError:
        sink.error("load.not-found", f"manifest file `{display}` does not exist", at)
        return None
    except IsADirectoryError:
        sink.error("load.not-found", f"`{display}` is a directory, not a manifest file", at)
        return None
    except OSError as exc:
        sink.error("load.unreadable", f"cannot read `{display}`: {exc.strerror}", at)
        return None
    whole = Span(file=display, line=1, col=1, end_line=1, end_col=2)
    if b"\x00" in data:
        sink.error("load.binary", f"`{display}` is a binary file, not a YAML or JSON manifest", whole)
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        col = len(data[line_start : exc.start].decode("utf-8", "replace")) + 1
        if sources is not None:  # shown with U+FFFD where the bad bytes are
            sources[display] = data.decode("utf-8", "replace")
        sink.error(
            "load.encoding",
            f"`{display}` is not UTF-8: byte 0x{data[exc.start]:02x} cannot start a character here",
            Span(file=display, line=line, col=col, end_line=line, end_col=col + 1),
            hint="save the manifest as UTF-8 (it looks like Latin-1 or another legacy encoding)",
        )
        return None
    if not text.strip():
        sink.error("load.empty", f"`{display}` is empty", whole, hint="a manifest needs at least `schema_version: 1` and `service:`")
        return None
    return text


def _parse(path: Path, text: str, display: str, sink: Sink) -> Node | None:
    if path.suffix.lower() == ".json":
        return parse_json(text, display, sink)
    return parse_yaml(text, display, sink)


def load_manifest(
    path: str | Path, sink: Sink, sources: dict[str, str] | None = None, overlay: dict[Path, str] | None = None
) -> Manifest | None:
    """Load a manifest and, transitively, its imports. Returns None when nothing usable loaded.

    ``sources`` receives the text of every file read, even when loading fails, so that diagnostics
    can show the offending line. ``overlay`` (resolved path → text) is read instead of those files
    on disk: the editor's open buffers, for `tinkc lsp`.
    """
    root_path = Path(path)
    if sources is None:
        sources = {}
    documents: dict[Path, Document] = {}

    def load_one(p: Path, at: Span | None, chain: tuple[Path, ...]) -> Document | None:
        display = display_name(p)
        text = read_source(p, display, sink, at, sources, overlay)
        if text is None:
            return None
        sources[display] = text
        node = _parse(p, text, display, sink)
        if node is None:
            if not sink.has_errors:
                sink.error("load.empty", f"`{display}` holds no data", Span(file=display, line=1, col=1, end_line=1, end_col=2))
            return None
        if not isinstance(node, Mapping):
            sink.error(
                "load.not-a-mapping",
                f"a manifest must be a mapping of sections, not {node.describe()}",
                node.span,
                hint="start with `schema_version: 1`",
            )
            return None
        doc = Document(path=p, display=display, root=node)
        documents[p] = doc
        follow_imports(doc, chain + (p,))
        return doc

    def follow_imports(doc: Document, chain: tuple[Path, ...]) -> None:
        imports = doc.root.get("imports")
        if imports is None:
            return
        items = imports.items if isinstance(imports, Sequence) else [imports]
        for item in items:
            if not isinstance(item, Scalar) or not isinstance(item.value, str) or not item.value:
                sink.error("load.bad-import", "an import is a path to a manifest file", item.span)
                continue
            target = (doc.path.parent / item.value).resolve()
            if target in chain:
                base = chain[0].parent
                names = " → ".join(os.path.relpath(p, base) for p in (*chain[chain.index(target) :], target))
                sink.error("load.import-cycle", f"import cycle: {names}", item.span)
                continue
            if target in documents:
                continue  # a diamond: imported once
            load_one(target, item.span, chain)

    root = load_one(root_path.resolve(), None, ())
    if root is None:
        return None
    imported = sorted((d for p, d in documents.items() if d is not root), key=lambda d: str(d.path))
    return Manifest(root=root, imported=imported, sources=sources)


def load_text(text: str, display: str, sink: Sink, fmt: str = "yaml") -> Manifest | None:
    """Load a manifest from a string (tests, editors). Imports are resolved from the working directory."""
    sources = {display: text}
    node = parse_json(text, display, sink) if fmt == "json" else parse_yaml(text, display, sink)
    if not text.strip():
        sink.error("load.empty", f"`{display}` is empty", Span(file=display, line=1, col=1, end_line=1, end_col=2))
        return None
    if node is None:
        return None
    if not isinstance(node, Mapping):
        sink.error("load.not-a-mapping", f"a manifest must be a mapping of sections, not {node.describe()}", node.span)
        return None
    return Manifest(root=Document(path=Path(display), display=display, root=node), imported=[], sources=sources)


__all__ = ["Document", "Manifest", "SUPPORTED_SCHEMA_VERSIONS", "load_manifest", "load_text"]
