"""`tinkc fmt`: rewrite manifests in canonical form, keeping their comments.

The rules (docs/cli.md repeats them for users):

* **Key order**: the keys of every mapping with fixed keys (a service, an endpoint, a feature, a
  step, a field's long form, ...) follow the order of `tinkc schema`. Mappings keyed by the author
  (types, endpoints, fields, arguments, ...) keep the author's order: it groups related entries.
* **Layout**: two spaces per level; a block list's dash is indented two spaces under its key; one
  space after `:` and `-`; `{a: 1, b: [x, y]}` spacing inside flow collections.
* **Flow or block**: each collection keeps the style it was written in.
* **Scalars** keep their quoting; in double-quoted strings invisible and format characters (line
  separators, bidirectional controls, ...) are written as `\\uXXXX` escapes. `null` stays `null`.
* **Comments** belong to the line below them: a full-line comment is indented like that line,
  and a run of comments directly above a key travels with the key when keys are reordered.
  End-of-line comments stay on their line, at their column. Blank lines keep separating the same
  positions (the second and third key, ...), whichever keys now stand there; two blank lines in a
  row become one. Comments above the first key of a mapping stay at its top.
* JSON manifests are written as JSON: two-space indentation, keys in the same canonical order.

A file is only rewritten when it loads and its structure is valid (the diagnostics of loading and
lowering; reference errors do not stop it, as gofmt formats code that does not type-check), and
only when the result means the same: the formatted text is loaded again and compared with the
original, value for value, before anything is written.
"""

from __future__ import annotations

import io
import json
import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import attrs

from tinkc.diagnostics import Sink
from tinkc.frontend.load import Document, Manifest, display_name, load_manifest, parse_json, parse_yaml
from tinkc.frontend.lower import lower
from tinkc.frontend.model import Entry, Mapping, Scalar, to_plain
from tinkc.ir.span import Span
from tinkc.schema import manifest_schema

Schema = dict[str, Any]


# -- which schema applies where ------------------------------------------------------------------


class _Shapes:
    """Finds, for a value in the manifest, the schema that describes it (to know its key order)."""

    def __init__(self, schema: Schema) -> None:
        self.root = schema
        self.defs: dict[str, Schema] = schema["$defs"]

    def resolve(self, s: Schema) -> Schema:
        while "$ref" in s:
            s = self.defs[s["$ref"].rsplit("/", 1)[1]]
        return s

    @staticmethod
    def fixed(s: Schema) -> bool:
        return s.get("additionalProperties") is False and "properties" in s

    def select(self, s: Schema, value: Any) -> Schema | None:
        """The object or array schema among ``s``'s branches that ``value`` (a mapping or list) fits."""
        s = self.resolve(s)
        if isinstance(value, dict):
            if self.fixed(s) or isinstance(s.get("additionalProperties"), dict):
                return s
        elif isinstance(value, list):
            if s.get("type") == "array":
                return s
        else:
            return None
        for branch in (*s.get("anyOf", ()), *s.get("oneOf", ())):
            found = self.select(branch, value)
            if found is not None and self.fits(found, value):
                return found
        for part in s.get("allOf", ()):
            if "if" in part:
                const = part["if"]["properties"]["type"]["const"]
                if isinstance(value, dict) and value.get("type") == const:
                    return self.select(part["then"], value)
                continue
            found = self.select(part, value)
            if found is not None:
                return found
        return None

    def fits(self, s: Schema, value: Any) -> bool:
        if isinstance(value, dict) and self.fixed(s):
            return set(s.get("required", ())) <= set(value) and set(value) <= set(s["properties"])
        return True

    def order(self, s: Schema | None, keys: list[str]) -> list[str]:
        """``keys`` in canonical order: the schema's for fixed keys, else as written."""
        if s is None or not self.fixed(s):
            return keys
        rank = {k: i for i, k in enumerate(s["properties"])}
        return sorted(keys, key=lambda k: (rank.get(k, len(rank)), keys.index(k)))

    def child(self, s: Schema | None, key: str | int) -> Schema | None:
        if s is None:
            return None
        if s.get("type") == "array":
            return s.get("items")
        if self.fixed(s):
            declared: Schema | None = s["properties"].get(key)
            return declared
        extra = s.get("additionalProperties")
        return extra if isinstance(extra, dict) else None


# -- YAML ---------------------------------------------------------------------------------------

_INVISIBLE = frozenset(("Cc", "Cf", "Co", "Cs", "Zl", "Zp"))


def _yaml() -> Any:
    from ruamel.yaml import YAML
    from ruamel.yaml.emitter import Emitter
    from ruamel.yaml.representer import RoundTripRepresenter

    class ManifestEmitter(Emitter):
        # `\L` and `\P` are YAML's own escapes for U+2028/U+2029; `\uXXXX` is what every reader knows.
        ESCAPE_REPLACEMENTS = {k: v for k, v in Emitter.ESCAPE_REPLACEMENTS.items() if k not in ("\u2028", "\u2029", "\xa0")}

        def write_double_quoted(self, text: Any, split: Any = True) -> None:
            # A string carrying an invisible or format character (a bidi override, a line separator)
            # is written all escaped, so that what a reviewer sees is what it holds.
            hidden = any(unicodedata.category(ch) in _INVISIBLE for ch in text if ch not in "\n\t")
            keep, self.allow_unicode = self.allow_unicode, self.allow_unicode and not hidden
            try:
                super().write_double_quoted(text, split)
            finally:
                self.allow_unicode = keep

    class ManifestRepresenter(RoundTripRepresenter):
        pass

    # ruamel writes an empty value for None; a manifest author who wrote `null` keeps `null`.
    ManifestRepresenter.add_representer(type(None), lambda r, _: r.represent_scalar("tag:yaml.org,2002:null", "null"))

    y = YAML(typ="rt")
    y.Emitter = ManifestEmitter
    y.Representer = ManifestRepresenter
    y.preserve_quotes = True
    y.indent(mapping=2, sequence=4, offset=2)
    y.width = 1 << 16  # never fold a long line: where lines break is the author's choice
    y.allow_unicode = True
    return y


def _reorder_flow_maps(node: Any, schema: Schema | None, shapes: _Shapes) -> None:
    """Flow mappings hold no comments to lose: reorder them in the data before dumping."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if isinstance(node, CommentedMap):
        s = shapes.select(schema, dict(node)) if schema is not None else None
        if node.fa.flow_style():
            for key in shapes.order(s, list(node)):
                node.move_to_end(key)
        for key in list(node):
            _reorder_flow_maps(node[key], shapes.child(s, key), shapes)
    elif isinstance(node, CommentedSeq):
        s = shapes.select(schema, list(node)) if schema is not None else None
        for i, item in enumerate(node):
            _reorder_flow_maps(item, shapes.child(s, i), shapes)


def _indent_of(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _is_comment_at(line: str, col: int) -> bool:
    return line.strip().startswith("#") and _indent_of(line) == col


class _Layout:
    """Reorders the entries of block mappings as blocks of lines, so that comments move with them."""

    def __init__(self, lines: list[str], shapes: _Shapes) -> None:
        self.lines = lines
        self.shapes = shapes

    def header_start(self, line: int, col: int, floor: int) -> int:
        """First line of the comment/blank run directly above ``line`` that belongs to it."""
        start = line
        while start - 1 > floor and (not self.lines[start - 1].strip() or _is_comment_at(self.lines[start - 1], col)):
            start -= 1
        while start < line and not self.lines[start].strip():  # blank lines belong to the slot, not the entry
            start += 1
        return start

    def blank_start(self, line: int, floor: int) -> int:
        start = line
        while start - 1 > floor and not self.lines[start - 1].strip():
            start -= 1
        return start

    def node(self, node: Any, schema: Schema | None, lo: int, hi: int) -> list[str]:
        from ruamel.yaml.comments import CommentedMap, CommentedSeq

        if self._here(node, lo, hi) and isinstance(node, CommentedMap):
            return self.mapping(node, schema, lo, hi)
        if self._here(node, lo, hi) and isinstance(node, CommentedSeq):
            return self.sequence(node, schema, lo, hi)
        return self.lines[lo:hi]

    @staticmethod
    def _here(value: Any, lo: int, hi: int) -> bool:
        """A block collection written in lines ``lo .. hi`` (not a scalar, a flow collection, or an
        alias, whose positions are those of its anchor elsewhere)."""
        from ruamel.yaml.comments import CommentedMap, CommentedSeq

        if not isinstance(value, (CommentedMap, CommentedSeq)) or value.fa.flow_style() or not len(value):
            return False
        first: int = value.lc.key(next(iter(value)))[0] if isinstance(value, CommentedMap) else value.lc.item(0)[0]
        return lo <= first < hi

    def mapping(self, node: Any, schema: Schema | None, lo: int, hi: int) -> list[str]:
        s = self.shapes.select(schema, dict(node)) if schema is not None else None
        keys = list(node)
        starts = [node.lc.key(k)[0] for k in keys]
        col = node.lc.key(keys[0])[1]
        heads = [starts[0]] + [self.header_start(starts[i], col, starts[i - 1]) for i in range(1, len(keys))]
        seps = [starts[0]] + [self.blank_start(heads[i], starts[i - 1]) for i in range(1, len(keys))]
        blocks: dict[str, list[str]] = {}
        for i, key in enumerate(keys):
            end = seps[i + 1] if i + 1 < len(keys) else hi
            value = node[key]
            body_start = starts[i] + 1
            child = self.shapes.child(s, key)
            if self._here(value, body_start, end):
                body = self.lines[heads[i] : body_start] + self.node(value, child, body_start, end)
            else:
                body = self.lines[heads[i] : end]
            blocks[key] = body
        order = self.shapes.order(s, keys)
        out = self.lines[lo : starts[0]]
        if order == keys:
            for i, key in enumerate(keys):
                out += self.lines[seps[i] : heads[i]] + blocks[key]
            return out
        first = self.lines[starts[0]]
        dash = first[:col].strip() == "-"  # `- key: value`: the mapping is a list item
        for slot, key in enumerate(order):
            block = list(blocks[key])
            key_at = heads[keys.index(key)]
            offset = starts[keys.index(key)] - key_at
            if dash:  # the dash moves to whichever key comes first
                line = block[offset]
                block[offset] = (first[:col] if slot == 0 else " " * col) + line[col:]
            out += self.lines[seps[slot] : heads[slot]] if slot else []
            out += block
        return out

    def sequence(self, node: Any, schema: Schema | None, lo: int, hi: int) -> list[str]:
        from ruamel.yaml.comments import CommentedMap, CommentedSeq

        s = self.shapes.select(schema, list(node)) if schema is not None else None
        starts = [node.lc.item(i)[0] for i in range(len(node))]
        out = self.lines[lo : starts[0]]
        for i, item in enumerate(node):
            end = starts[i + 1] if i + 1 < len(node) else hi
            if isinstance(item, CommentedMap) and self._here(item, starts[i], starts[i] + 1):
                # comments above the next item stay where they are: cut them off this item's lines
                col = _indent_of(self.lines[starts[i]])
                cut = end
                if i + 1 < len(node):
                    cut = self.header_start(end, col, starts[i])
                    cut = self.blank_start(cut, starts[i])
                out += self.mapping(item, self.shapes.child(s, i), starts[i], cut) + self.lines[cut:end]
            elif isinstance(item, (CommentedMap, CommentedSeq)):
                out += self.node(item, self.shapes.child(s, i), starts[i], end)
            else:
                out += self.lines[starts[i] : end]
        return out


def format_yaml(text: str) -> str:
    """The canonical form of a manifest's YAML text (which must load: check it first)."""
    y = _yaml()
    shapes = _Shapes(manifest_schema())
    data = y.load(text)
    if data is None:
        return text
    _reorder_flow_maps(data, shapes.root, shapes)
    buf = io.StringIO()
    y.dump(data, buf)
    lines = _indent_comments(buf.getvalue().splitlines())
    data = y.load("\n".join(lines) + "\n")
    reordered = _Layout(lines, shapes).node(data, shapes.root, 0, len(lines))
    return _tidy("\n".join(reordered))


_BLOCK_SCALAR = re.compile(r"(?:^|[\s:-])[|>][0-9+-]*\s*(?:#.*)?$")


def _indent_comments(lines: list[str]) -> list[str]:
    """Indent each full-line comment like the line it stands above (ruamel keeps a comment's old
    column when it re-indents the data around it); the content of block scalars is left alone."""
    protected: set[int] = set()
    for i, line in enumerate(lines):
        if i not in protected and not line.lstrip().startswith("#") and _BLOCK_SCALAR.search(line):
            parent = _indent_of(line)
            j = i + 1
            while j < len(lines) and (not lines[j].strip() or _indent_of(lines[j]) > parent):
                protected.add(j)
                j += 1
    out = list(lines)
    below = 0
    for i in range(len(out) - 1, -1, -1):
        text = out[i].strip()
        if not text or i in protected:
            continue
        if text.startswith("#"):
            out[i] = " " * below + text
        else:
            below = _indent_of(out[i])
    return out


def _tidy(text: str) -> str:
    """No trailing spaces, one newline at the end, at most one blank line in a row."""
    lines = [line.rstrip() for line in text.splitlines()]
    out: list[str] = []
    for line in lines:
        if not line and (not out or not out[-1]):
            continue
        out.append(line)
    while out and not out[-1]:
        out.pop()
    return "\n".join(out) + "\n"


# -- JSON ---------------------------------------------------------------------------------------


def format_json(text: str) -> str:
    shapes = _Shapes(manifest_schema())

    def walk(value: Any, schema: Schema | None) -> Any:
        if isinstance(value, dict):
            s = shapes.select(schema, value) if schema is not None else None
            return {k: walk(value[k], shapes.child(s, k)) for k in shapes.order(s, list(value))}
        if isinstance(value, list):
            s = shapes.select(schema, value) if schema is not None else None
            return [walk(v, shapes.child(s, i)) for i, v in enumerate(value)]
        return value

    return json.dumps(walk(json.loads(text), shapes.root), indent=2, ensure_ascii=False) + "\n"


# -- files --------------------------------------------------------------------------------------


@attrs.define
class FormatReport:
    sink: Sink = attrs.field(factory=Sink)
    sources: dict[str, str] = attrs.field(factory=dict)
    changed: list[Path] = attrs.field(factory=list)


def _stub_root(doc: Document) -> Document:
    """A root for lowering an imported file on its own: `schema_version` and a `service`, nothing else."""
    here = Span(file="<tinkc fmt>", line=1, col=1, end_line=1, end_col=2)
    service = Mapping(entries={"name": Entry("name", here, Scalar("fmt", here))}, span=here)
    entries = {"schema_version": Entry("schema_version", here, Scalar(1, here)), "service": Entry("service", here, service)}
    return Document(path=doc.path.parent / "<tinkc fmt>", display="<tinkc fmt>", root=Mapping(entries=entries, span=here))


def check_structure(path: Path, sink: Sink, sources: dict[str, str]) -> bool:
    """Load ``path`` (with its imports) and lower it; False when that reports errors."""
    manifest = load_manifest(path, sink, sources)
    if manifest is None or sink.has_errors:
        return False
    if "service" not in manifest.root.root:  # an imported file: lower it under a stand-in root
        manifest = Manifest(root=_stub_root(manifest.root), imported=[manifest.root, *manifest.imported], sources=manifest.sources)
    lower(manifest, sink)
    return not sink.has_errors


def _same_meaning(before: str, after: str, is_json: bool) -> bool:
    parse = parse_json if is_json else parse_yaml
    a, b = parse(before, "before", Sink()), parse(after, "after", Sink())
    return a is not None and b is not None and _plain(a) == _plain(b)


def _plain(node: Any) -> Any:
    value = to_plain(node)
    # NaN is not equal to itself; compare its spelling instead.
    return json.loads(json.dumps(value, sort_keys=True, default=str).replace("NaN", '"NaN"'))


def format_text(text: str, is_json: bool) -> str:
    return format_json(text) if is_json else format_yaml(text)


class MeaningChanged(Exception):
    """Formatting would change what the manifest says: a bug in tinkc fmt; the file is left alone."""


def format_files(paths: Iterable[Path], *, check: bool = False) -> FormatReport:
    report = FormatReport()
    for path in paths:
        file_sink = Sink()
        ok = check_structure(path, file_sink, report.sources)
        for d in file_sink.items:
            report.sink.report(d)
        if not ok:
            continue
        text = report.sources[display_name(path.resolve())]
        is_json = path.suffix.lower() == ".json"
        formatted = format_text(text, is_json)
        if formatted == text:
            continue
        if not _same_meaning(text, formatted, is_json):
            raise MeaningChanged(f"formatting {path} would change its meaning; it was not written. Please report this.")
        report.changed.append(path)
        if not check:
            _write_atomically(path, formatted)
    return report


def _write_atomically(path: Path, text: str) -> None:
    import os
    import tempfile

    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        os.chmod(tmp, path.stat().st_mode & 0o7777)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


__all__ = ["FormatReport", "MeaningChanged", "check_structure", "format_files", "format_json", "format_text", "format_yaml"]
