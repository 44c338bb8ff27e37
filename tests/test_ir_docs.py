"""docs/ir.md documents every node and every field of the IR JSON (`tinkc ir --format json`), so the
documented contract of out-of-tree backends cannot drift from `ir/serialize.py`.

The node classes are found the way the serializer meets them: from the root `Api`, through every
field's declared type. Each must have a `### `name`` section in docs/ir.md whose table lists
exactly the fields the serializer writes (spans left out), no more and no fewer."""

from __future__ import annotations

import re
import typing
from pathlib import Path

import attrs

from tinkc.ir import nodes as ir
from tinkc.ir.serialize import _node_name, api_to_json

DOC = Path(__file__).resolve().parent.parent / "docs" / "ir.md"
# A frozen JSON object is serialized as plain JSON, not as a node (spans, positions, are skipped too).
NOT_NODES = {ir.Obj}


def serialized_fields(cls: type) -> list[str]:
    return [a.name for a in attrs.fields(cls) if not (a.name == "span" or a.name.endswith(("_span", "_spans")))]


def node_classes() -> set[type]:
    """Every attrs class reachable from `Api` through declared field types."""
    found: set[type] = set()
    hints_ns = vars(ir)

    def visit(t: typing.Any) -> None:
        if isinstance(t, type) and attrs.has(t):
            if t in found or t.__name__ == "Span":
                return
            found.add(t)
            for hint in typing.get_type_hints(t, globalns=hints_ns).values():
                visit(hint)
            return
        for arg in typing.get_args(t):
            visit(arg)

    visit(ir.Api)
    return found - NOT_NODES


def documented() -> dict[str, set[str]]:
    """`### `node`` heading → the first-column names of the table under it."""
    out: dict[str, set[str]] = {}
    current: str | None = None
    for line in DOC.read_text(encoding="utf-8").splitlines():
        heading = re.match(r"^###\s+`([a-z_]+)`", line)
        if heading:
            current = heading.group(1)
            out[current] = set()
        elif line.startswith("#"):
            current = None
        elif current is not None:
            row = re.match(r"^\|\s*`([a-z_]+)`\s*\|", line)
            if row:
                out[current].add(row.group(1))
    return out


def test_the_walk_finds_the_nodes() -> None:
    # guards the walk itself: a broken walk would make the next test pass vacuously
    names = {_node_name(c) for c in node_classes()}
    assert {"api", "record", "field", "endpoint", "promise_result", "telemetry", "step", "bind", "client", "union", "union_type"} <= names


def test_every_node_and_field_is_documented() -> None:
    docs = documented()
    problems = []
    for cls in sorted(node_classes(), key=_node_name):
        name = _node_name(cls)
        fields = set(serialized_fields(cls))
        if cls is ir.Api:
            fields.add("ir_version")  # added at the root by api_to_json
        if name not in docs:
            problems.append(f"node `{name}` ({cls.__name__}) has no `### `{name}`` section in docs/ir.md")
            continue
        for missing in sorted(fields - docs[name]):
            problems.append(f"docs/ir.md: field `{name}.{missing}` is not documented")
        for stale in sorted(docs[name] - fields):
            problems.append(f"docs/ir.md: `{name}.{stale}` is documented but not serialized")
    assert not problems, "\n".join(problems)


def test_the_json_carries_its_version() -> None:
    api = ir.Api(schema_version=1, service=ir.Service(name="s"))
    assert api_to_json(api).startswith('{\n  "ir_version": ' + str(ir.IR_VERSION) + ",")
    assert f"# The IR (version {ir.IR_VERSION})" in DOC.read_text(encoding="utf-8")
