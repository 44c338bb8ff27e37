"""The JSON form of the IR: stable, versioned, the contract for out-of-tree backends.

Every node becomes an object whose ``"node"`` member names its class (``record``, ``endpoint``,
``list``, …) followed by its fields in declaration order; spans are left out unless asked for
(they are positions in the author's files, not meaning). Keys of the root maps are ids, sorted.
"""

from __future__ import annotations

import json
import re
from typing import Any

import attrs

from tinkc.ir import nodes as ir

_NODE_NAMES = {
    ir.Union_: "union",
    ir.ListT: "list",
    ir.MapT: "map",
    ir.UnionT: "union_type",
    ir.Lit: "literal",
    ir.Prim: "primitive",
    ir.Ref: "ref",
    ir.ClientT: "client_type",
    ir.FutureT: "future",
}


def _node_name(cls: type) -> str:
    if cls in _NODE_NAMES:
        return _NODE_NAMES[cls]
    return re.sub(r"(?<!^)(?=[A-Z])", "_", cls.__name__).lower()


def to_data(value: Any, spans: bool = False) -> Any:
    if isinstance(value, ir.Obj):
        return {k: to_data(v, spans) for k, v in value.items}
    if attrs.has(type(value)):
        out: dict[str, Any] = {"node": _node_name(type(value))}
        for a in attrs.fields(type(value)):
            if a.name == "span" or a.name.endswith(("_span", "_spans")):  # positions, not meaning
                if spans and a.name == "span" and getattr(value, "span", None) is not None:
                    out["span"] = str(value.span)
                continue
            out[a.name] = to_data(getattr(value, a.name), spans)
        return out
    if isinstance(value, dict):
        return {k: to_data(v, spans) for k, v in value.items()}
    if isinstance(value, (tuple, list)):
        return [to_data(v, spans) for v in value]
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        return str(value)
    return value


def api_to_json(api: ir.Api, spans: bool = False) -> str:
    data = {"ir_version": ir.IR_VERSION, **to_data(api, spans)}
    data.pop("node", None)
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
