"""networkx views of the IR: what references what.

Nodes are ``"<kind>:<id>"`` strings (``type:ModelInput``, ``endpoint:models.create``,
``feature:retry_standard``, ``flow:create_lora_training_client``, ``client:training``,
``step:<flow>/<step>``); edges point from the user to the used: reachability, cycles and
topological orders for tools built on tinkc (``reference_graph``).

The drawings (``tinkc ir --format dot|mermaid``, ``tinkc graph``) are plain text built from the IR
without networkx: it costs ~0.2 s to import, more than the whole of ``tinkc check`` on the bundled
manifest, so no build imports it (the passes use :mod:`graphlib` for their graph questions).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

from tinkc.ir import nodes as ir
from tinkc.ir.queries import step_binds, type_refs
from tinkc.passes.unused import decl_refs

if TYPE_CHECKING:
    import networkx as nx


def reference_graph(api: ir.Api) -> nx.DiGraph[str]:
    import networkx as nx

    g: nx.DiGraph[str] = nx.DiGraph()
    for decl in api.types.values():
        g.add_node(f"type:{decl.id}", kind="type", label=decl.id)
        for used in decl_refs(decl):
            g.add_edge(f"type:{decl.id}", f"type:{used}")
    for f in api.features.values():
        g.add_node(f"feature:{f.id}", kind="feature", label=f"{f.id} ({f.kind})")
        for _, eid in f.endpoint_uses():
            g.add_edge(f"feature:{f.id}", f"endpoint:{eid}")
    for ep in api.endpoints.values():
        node = f"endpoint:{ep.id}"
        g.add_node(node, kind="endpoint", label=f"{ep.method} {ep.path.template}")
        for t in (
            ep.request,
            ep.response,
            *(p.type for p in ep.path_params),
            *(q.type for q in ep.query),
            *(h.type for h in ep.header_params),
        ):
            for r in type_refs(t):
                g.add_edge(node, f"type:{r.name}")
        for use in ep.features:
            g.add_edge(node, f"feature:{use.feature}")
    for flow in api.flows.values():
        fnode = f"flow:{flow.id}"
        g.add_node(fnode, kind="flow", label=flow.id)
        for step in flow.steps:
            snode = f"step:{flow.id}/{step.id}"
            g.add_node(snode, kind="step", label=f"{step.id}: {step.kind} {step.target or ''}".strip())
            g.add_edge(fnode, snode)
            if step.target and step.target_kind:
                g.add_edge(snode, f"{step.target_kind}:{step.target}")
            for dep in step.depends_on:
                g.add_edge(snode, f"step:{flow.id}/{dep}", kind="data")
            for b in step_binds(step):
                if b.step:
                    g.add_edge(snode, f"step:{flow.id}/{b.step}", kind="data")
    for c in api.clients.values():
        cnode = f"client:{c.id}"
        g.add_node(cnode, kind="client", label=c.module or c.id)
        for m in c.methods:
            g.add_edge(cnode, f"{m.kind}:{m.target}", label=m.name)
        for s in c.state:
            for r in type_refs(s.type):
                g.add_edge(cnode, f"type:{r.name}")
    return g


# -- drawings -----------------------------------------------------------------------------------
# `tinkc ir --format dot|mermaid`, `tinkc graph` and the `ir` backend draw the same picture: the
# service and its service-wide features, each client with an edge per method (labelled with the
# method's name) to an endpoint or a flow, each endpoint with the features it uses, and each flow as
# a box of its steps, laid out by stage (a step's stage is one more than the latest stage it depends
# on, so steps of one stage may run concurrently) with an edge per data dependency. Types are left
# out: there are hundreds in a real API, and `tinkc ir --format json` lists them.


@attrs.frozen
class _Node:
    id: str
    label: str
    kind: str  # service client endpoint feature flow step


@attrs.frozen
class _Edge:
    source: str
    target: str
    label: str = ""
    style: str = "solid"  # solid: calls/methods, dashed: uses a feature, dotted: data dependency


@attrs.frozen
class _FlowBox:
    flow: str
    entry: str  # the flow's own node, which the client's method edge points at
    stages: tuple[tuple[_Node, ...], ...]


@attrs.frozen
class _Drawing:
    title: str
    nodes: tuple[_Node, ...]
    flows: tuple[_FlowBox, ...]
    edges: tuple[_Edge, ...]


def step_stages(flow: ir.Flow) -> list[list[ir.Step]]:
    """The flow's steps by stage: a step comes one stage after the latest step it depends on."""
    stage: dict[str, int] = {}
    for step in flow.steps:  # the flow-dependencies pass only lets a step depend on earlier steps
        stage[step.id] = 1 + max((stage[d] for d in (*step.depends_on, *step.after) if d in stage), default=-1)
    out: list[list[ir.Step]] = [[] for _ in range(max(stage.values(), default=-1) + 1)]
    for step in flow.steps:
        out[stage[step.id]].append(step)
    return out


def _step_label(step: ir.Step) -> str:
    target = step.written_target or step.target or ""
    return f"{step.kind} {target}".strip()


# how the drawing labels a feature's edge to an endpoint it calls (Feature.endpoint_uses)
_USE_LABELS = {
    "retrieve_endpoint": "polls",
    "endpoint": "sends",
    "create_endpoint": "creates",
    "heartbeat_endpoint": "heartbeat",
    "endpoints": "fetches",
}


def _drawing(api: ir.Api, flows_only: bool = False) -> _Drawing:
    """The picture; ``flows_only`` keeps the clients and their flows' step DAGs (no endpoints,
    features or service), small enough for a README."""
    nodes: list[_Node] = [] if flows_only else [_Node("service", f"{api.service.name} {api.service.version}", "service")]
    edges: list[_Edge] = [] if flows_only else [_Edge("service", f"feature:{use.feature}", style="dashed") for use in api.service.features]
    for c in api.clients.values():
        if flows_only and not any(m.kind == "flow" for m in c.methods):
            continue
        nodes.append(_Node(f"client:{c.id}", c.module or c.id, "client"))
        for m in c.methods:
            edges.append(_Edge(f"client:{c.id}", f"{m.kind}:{m.target}", label=m.name))
    for ep in () if flows_only else api.endpoints.values():
        nodes.append(_Node(f"endpoint:{ep.id}", f"{ep.id}\n{ep.method} {ep.path.template}", "endpoint"))
        edges.extend(_Edge(f"endpoint:{ep.id}", f"feature:{use.feature}", style="dashed") for use in ep.features)
    for f in () if flows_only else api.features.values():
        nodes.append(_Node(f"feature:{f.id}", f"{f.id}\n({f.kind})", "feature"))
        edges.extend(
            _Edge(f"feature:{f.id}", f"endpoint:{eid}", label=_USE_LABELS[param], style="dashed") for param, eid in f.endpoint_uses()
        )
    boxes = []
    for flow in api.flows.values():
        entry = f"flow:{flow.id}"
        nodes.append(_Node(entry, flow.id, "flow"))
        stages = []
        for number, steps in enumerate(step_stages(flow), start=1):
            stage = []
            for step in steps:
                sid = f"step:{flow.id}/{step.id}"
                stage.append(_Node(sid, f"{number}. {_step_label(step)}", "step"))
                if number == 1:
                    edges.append(_Edge(entry, sid))
                for dep in dict.fromkeys((*step.depends_on, *step.after)):
                    edges.append(_Edge(f"step:{flow.id}/{dep}", sid, style="dotted"))
                if step.target and step.target_kind in ("endpoint", "flow", "client"):
                    edges.append(_Edge(sid, f"{step.target_kind}:{step.target}", style="dashed"))
            stages.append(tuple(stage))
        boxes.append(_FlowBox(flow=flow.id, entry=entry, stages=tuple(stages)))
    known = {n.id for n in nodes} | {n.id for b in boxes for stage in b.stages for n in stage}
    # An unresolved reference (`tinkc ir --dump-after` on an invalid manifest) is drawn as an edge to nowhere: drop it.
    kept = tuple(dict.fromkeys(e for e in edges if e.source in known and e.target in known))
    return _Drawing(title=api.service.name, nodes=tuple(nodes), flows=tuple(boxes), edges=kept)


def _quote(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


_DOT_SHAPES = {
    "service": "house",
    "client": "doubleoctagon",
    "endpoint": "box",
    "feature": "hexagon",
    "flow": "component",
    "step": "box",
}
_DOT_STYLES = {"solid": "", "dashed": "style=dashed", "dotted": "style=dotted, arrowhead=vee"}


def to_dot(api: ir.Api, flows_only: bool = False) -> str:
    """Graphviz source of the API (see the comment above `_Node` for what is drawn)."""
    d = _drawing(api, flows_only)
    lines = [
        f"digraph {_quote(d.title)} {{",
        "  rankdir=LR;",
        '  graph [fontname="Helvetica"];',
        '  node [fontname="Helvetica", fontsize=10];',
        '  edge [fontname="Helvetica", fontsize=9];',
    ]
    in_flows = {b.entry for b in d.flows}
    for n in d.nodes:
        if n.id not in in_flows:
            extra = ", style=rounded" if n.kind == "endpoint" else ""
            lines.append(f"  {_quote(n.id)} [label={_quote(n.label)}, shape={_DOT_SHAPES[n.kind]}{extra}];")
    for i, box in enumerate(d.flows):
        lines.append(f"  subgraph {_quote(f'cluster_{i}_{box.flow}')} {{")
        lines.append(f"    label={_quote('flow ' + box.flow)}; style=rounded; color=gray50;")
        lines.append(f"    {_quote(box.entry)} [label={_quote(box.flow)}, shape={_DOT_SHAPES['flow']}];")
        for stage in box.stages:
            for n in stage:
                lines.append(f"    {_quote(n.id)} [label={_quote(n.label)}, shape={_DOT_SHAPES['step']}];")
            if len(stage) > 1:
                lines.append("    { rank=same; " + " ".join(_quote(n.id) + ";" for n in stage) + " }")
        lines.append("  }")
    for e in d.edges:
        attrs_ = [f"label={_quote(e.label)}"] if e.label else []
        if _DOT_STYLES[e.style]:
            attrs_.append(_DOT_STYLES[e.style])
        lines.append(f"  {_quote(e.source)} -> {_quote(e.target)}" + (f" [{', '.join(attrs_)}]" if attrs_ else "") + ";")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _mermaid_id(node: str) -> str:
    return "n_" + "".join(ch if ch.isalnum() else "_" for ch in node)


def _mermaid_text(s: str) -> str:
    # Mermaid labels are double-quoted; `#quot;` is its escape for a quote, `<br>` its line break.
    return s.replace('"', "#quot;").replace("\n", "<br>")


_MERMAID_SHAPES = {
    "service": ('[/"', '"\\]'),
    "client": ('(["', '"])'),
    "endpoint": ('("', '")'),
    "feature": ('{{"', '"}}'),
    "flow": ('[["', '"]]'),
    "step": ('["', '"]'),
}
_MERMAID_ARROWS = {"solid": "-->", "dashed": "-.->", "dotted": "==>"}


def to_mermaid(api: ir.Api, flows_only: bool = False) -> str:
    """Mermaid flowchart of the API: the same picture as :func:`to_dot`."""
    d = _drawing(api, flows_only)
    lines = ["flowchart LR"]
    in_flows = {b.entry for b in d.flows}

    def node(n: _Node, indent: str) -> str:
        left, right = _MERMAID_SHAPES[n.kind]
        return f"{indent}{_mermaid_id(n.id)}{left}{_mermaid_text(n.label)}{right}"

    lines.extend(node(n, "  ") for n in d.nodes if n.id not in in_flows)
    for box in d.flows:
        lines.append(f'  subgraph {_mermaid_id("box:" + box.flow)}["flow {_mermaid_text(box.flow)}"]')
        lines.append("    direction LR")
        lines.append(node(next(n for n in d.nodes if n.id == box.entry), "    "))
        lines.extend(node(n, "    ") for stage in box.stages for n in stage)
        lines.append("  end")
    for e in d.edges:
        label = f"|{_mermaid_text(e.label)}|" if e.label else ""
        lines.append(f"  {_mermaid_id(e.source)} {_MERMAID_ARROWS[e.style]}{label} {_mermaid_id(e.target)}")
    return "\n".join(lines) + "\n"
