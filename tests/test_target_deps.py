"""`targets.<lang>.deps` (issue 14 item 10): the packages hand-written code beside a generated SDK
needs go into its project file (mix.exs deps, pyproject.toml dependencies, package.json
dependencies), each checked where the manifest gives it; and the hand-written files beside the
SDK are never touched when it is rebuilt."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

from tinkc.cli import main

ROOT = Path(__file__).resolve().parent.parent
MINIMAL = ROOT / "tests" / "fixtures" / "minimal" / "manifest.yaml"
DEPS = """targets:
  elixir: {deps: {tokenizers: "~> 0.5", nx: "~> 0.9"}}
  python: {deps: {tokenizers: ">=0.15,<1"}}
  typescript: {deps: {"@huggingface/tokenizers": "^0.1.3"}}

"""


def manifest(tmp_path: Path, deps: bool) -> Path:
    text = MINIMAL.read_text(encoding="utf-8")
    if deps:
        text = text.replace("\nclients:\n", "\n" + DEPS + "clients:\n", 1)
    path = tmp_path / "manifest.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def build(path: Path, out: Path) -> None:
    assert main(["--color", "never", "build", str(path), "--target", "elixir,python,typescript", "--out", str(out), "--quiet"]) == 0


def test_deps_go_into_each_project_file(tmp_path: Path) -> None:
    out = tmp_path / "out"
    build(manifest(tmp_path, deps=True), out)
    mix = (out / "elixir" / "mix.exs").read_text()
    assert '      {:nx, "~> 0.9"},\n      {:tokenizers, "~> 0.5"}\n' in mix
    project = tomllib.loads((out / "python" / "pyproject.toml").read_text())["project"]
    assert project["dependencies"][-1] == "tokenizers>=0.15,<1" and "pydantic>=2.6,<3" in project["dependencies"]
    package = json.loads((out / "typescript" / "package.json").read_text())
    assert package["dependencies"] == {"@huggingface/tokenizers": "^0.1.3"}


def test_without_deps_the_project_files_need_nothing_more(tmp_path: Path) -> None:
    out = tmp_path / "out"
    build(manifest(tmp_path, deps=False), out)
    assert "defp deps, do: []" in (out / "elixir" / "mix.exs").read_text()
    assert tomllib.loads((out / "python" / "pyproject.toml").read_text())["project"]["dependencies"] == [
        "pydantic>=2.6,<3",
        "httpx>=0.27,<1",
        "sniffio>=1.3,<2",
        "aiohttp>=3.12,<4",
    ]
    assert "dependencies" not in json.loads((out / "typescript" / "package.json").read_text())


def test_hand_written_files_beside_the_sdk_survive_a_rebuild(tmp_path: Path) -> None:
    out = tmp_path / "out"
    build(manifest(tmp_path, deps=False), out)
    mine = {
        out / "elixir" / "lib" / "petstore_ext" / "model_input.ex": "defmodule PetstoreExt.ModelInput do\nend\n",
        out / "elixir" / "lib" / "petstore" / "extra.ex": "defmodule Petstore.Extra do\nend\n",
        out / "python" / "src" / "petstore_sdk" / "ext.py": "X = 1\n",
        out / "typescript" / "src" / "ext.ts": "export const x = 1;\n",
    }
    for path, text in mine.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    build(manifest(tmp_path, deps=True), out)  # a changed manifest: the project files are rewritten
    assert "tokenizers" in (out / "elixir" / "mix.exs").read_text()
    assert {path: path.read_text() for path in mine} == mine
