"""networkx views of the IR: what references what.

Nodes are ``"<kind>:<id>"`` strings (``type:ModelInput``, ``endpoint:models.create``,
``feature:retry_standard``, ``flow:create_lora_training_client``, ``client:training``,
``step:<flow>/<step>``); edges point from the user to the used. The views answer reachability,
cycles and topological orders for the optimizer and draw the API (``tinkc ir --format dot|mermaid``).

networkx costs ~0.2 s to import, more than the whole of ``tinkc check`` on the bundled manifest, so
the validation passes use :mod:`graphlib` for their two questions (flow-call cycles, step layering)
and this module is imported only by the stages that draw or optimize.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tinkc.ir import nodes as ir
from tinkc.passes.flow_dependencies import step_binds
from tinkc.passes.references import type_refs
from tinkc.passes.unused import decl_refs

if TYPE_CHECKING:
    import networkx as nx


def reference_graph(api: ir.Api) -> nx.DiGraph:
    import networkx as nx

    g = nx.DiGraph()
    for t in api.types.values():
        g.add_node(f"type:{t.id}", kind="type", label=t.id)
        for r in decl_refs(t):
            g.add_edge(f"type:{t.id}", f"type:{r}")
    for f in api.features.values():
        g.add_node(f"feature:{f.id}", kind="feature", label=f"{f.id} ({f.kind})")
        p = f.params
        if isinstance(p, ir.PromiseResult):
            g.add_edge(f"feature:{f.id}", f"endpoint:{p.retrieve_endpoint}")
        elif isinstance(p, ir.Telemetry):
            g.add_edge(f"feature:{f.id}", f"endpoint:{p.endpoint}")
        elif isinstance(p, ir.SessionLifecycle):
            g.add_edge(f"feature:{f.id}", f"endpoint:{p.create_endpoint}")
            if p.heartbeat_endpoint:
                g.add_edge(f"feature:{f.id}", f"endpoint:{p.heartbeat_endpoint}")
    for ep in api.endpoints.values():
        node = f"endpoint:{ep.id}"
        g.add_node(node, kind="endpoint", label=f"{ep.method} {ep.path.template}")
        for t in (ep.request, ep.response, *(p.type for p in ep.path_params), *(q.type for q in ep.query)):
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


def _quote(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


_SHAPES = {"type": "box", "endpoint": "ellipse", "feature": "hexagon", "flow": "component", "step": "box", "client": "doubleoctagon"}


def to_dot(api: ir.Api) -> str:
    g = reference_graph(api)
    lines = [f"digraph {_quote(api.service.name)} {{", "  rankdir=LR;", '  node [fontname="Helvetica"];']
    for node in sorted(g.nodes):
        data = g.nodes[node]
        kind = data.get("kind", node.split(":", 1)[0])
        label = data.get("label", node.split(":", 1)[-1])
        lines.append(f"  {_quote(node)} [label={_quote(label)}, shape={_SHAPES.get(kind, 'box')}];")
    for u, v in sorted(g.edges):
        label = g.edges[u, v].get("label")
        style = ", style=dashed" if g.edges[u, v].get("kind") == "data" else ""
        lines.append(
            f"  {_quote(u)} -> {_quote(v)}{f' [label={_quote(label)}{style}]' if label else (f' [{style[2:]}]' if style else '')};"
        )
    lines.append("}")
    return "\n".join(lines) + "\n"


def _mermaid_id(node: str) -> str:
    return "n_" + "".join(ch if ch.isalnum() else "_" for ch in node)


def to_mermaid(api: ir.Api) -> str:
    """Clients, their flows and each flow's step DAG (the readable part of the graph)."""
    lines = ["flowchart LR"]
    for c in api.clients.values():
        lines.append(f'  subgraph {_mermaid_id("client:" + c.id)}["{c.module or c.id}"]')
        for m in c.methods:
            if m.kind != "flow" or m.target not in api.flows:
                continue
            flow = api.flows[m.target]
            lines.append(f'    subgraph {_mermaid_id("flow:" + flow.id)}["{m.name}"]')
            for step in flow.steps:
                label = f"{step.kind} {step.written_target or ''}".strip().replace('"', "'")
                lines.append(f'      {_mermaid_id(f"step:{flow.id}/{step.id}")}["{label}"]')
            for step in flow.steps:
                for dep in step.depends_on:
                    lines.append(f"      {_mermaid_id(f'step:{flow.id}/{dep}')} --> {_mermaid_id(f'step:{flow.id}/{step.id}')}")
            lines.append("    end")
        lines.append("  end")
    return "\n".join(lines) + "\n"
