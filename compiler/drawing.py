"""`tinkc graph`: the API drawing (:mod:`tinkc.ir.graph`) as a file.

``.dot`` and ``.mmd`` are the text forms and need nothing else; ``.svg``, ``.png`` and ``.pdf`` are
rendered by Graphviz's ``dot``, which tinkc runs but does not ship: when it is not on ``PATH``, the
error says how to install it.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from tinkc.ir import nodes as ir

RENDERED = {".svg": "svg", ".png": "png", ".pdf": "pdf"}
TEXT = (".dot", ".gv", ".mmd")
INSTALL_HINT = "install Graphviz (Debian/Ubuntu: `sudo apt-get install graphviz`, macOS: `brew install graphviz`)"


class RenderError(Exception):
    """The drawing could not be rendered (said in one line, without a traceback)."""


class GraphvizMissing(RenderError):
    pass


def render_file(api: ir.Api, out: Path, flows_only: bool = False) -> None:
    """Write the drawing to ``out`` in the format its extension names (``flows_only``: the clients
    and their flows, see :func:`tinkc.ir.graph.to_dot`)."""
    from tinkc.ir.graph import to_dot, to_mermaid

    suffix = out.suffix.lower()
    if suffix == ".mmd":
        out.write_text(to_mermaid(api, flows_only), encoding="utf-8")
        return
    if suffix in (".dot", ".gv"):
        out.write_text(to_dot(api, flows_only), encoding="utf-8")
        return
    if suffix not in RENDERED:
        known = ", ".join((*RENDERED, *TEXT))
        raise ValueError(f"--out {out}: unknown format `{suffix or '(no extension)'}` (one of: {known})")
    dot = shutil.which("dot")
    if dot is None:
        raise GraphvizMissing(
            f"rendering {out.name} needs Graphviz's `dot`, which is not on PATH: {INSTALL_HINT}; "
            f"or write the source with `--out {out.with_suffix('.dot').name}` (Graphviz) or `--out {out.with_suffix('.mmd').name}` (Mermaid)"
        )
    proc = subprocess.run(
        [dot, f"-T{RENDERED[suffix]}", "-o", str(out)], input=to_dot(api, flows_only), capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        raise RenderError(f"`dot` failed (exit {proc.returncode}): {proc.stderr.strip() or 'no message'}")
