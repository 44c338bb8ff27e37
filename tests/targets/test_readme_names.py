"""Every name an emitted README tells users to use exists in the package it documents: the error
classes and clients of the Python package are importable from its top level, the TypeScript
package's index exports them, and the Elixir modules and `name/arity` functions are defined.

The README and the package are emitted afresh (not read from the snapshots), so a README that
names a class the package does not export fails here, before any snapshot is regenerated."""

from __future__ import annotations

import ast
import re

import pytest

from targets.fixtures import fixture_api, fixture_paths
from tinkc.backends import registry
from tinkc.ir.nodes import thaw

FIXTURES = sorted(fixture_paths())
BACKTICKED = re.compile(r"`([^`\n]+)`")
# The classes a README documents: errors and clients (a manifest's own doc text, copied into the
# README, may mention other names in backticks, such as `Kernel` in a client's description).
CAPITALIZED = re.compile(r"[A-Z][A-Za-z0-9]*(Error|Client)\Z")
# Platform names a TypeScript README mentions in prose; they are not the package's exports.
TYPESCRIPT_GLOBALS = {"AbortController", "AbortSignal", "TypeError"}
# The language's own exceptions a Python README names (an unknown keyword is a `TypeError`).
PYTHON_BUILTINS = {"TypeError", "ValueError", "TimeoutError"}


def emit(target: str, fixture: str) -> dict[str, str]:
    api = fixture_api(fixture)
    backend = registry.available()[target].load()
    options = thaw(api.targets.get(target)) or {}
    return {f.path: f.content for f in backend().emit(api, options)}


def readme_names(files: dict[str, str]) -> set[str]:
    return set(BACKTICKED.findall(files["README.md"]))


def python_exports(files: dict[str, str]) -> set[str]:
    [init] = [c for p, c in files.items() if p.startswith("src/") and p.endswith("/__init__.py") and p.count("/") == 2]
    for node in ast.parse(init).body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets):
            return {ast.literal_eval(e) for e in node.value.elts}  # type: ignore[attr-defined]
    raise AssertionError("the package's __init__.py has no __all__")


def typescript_exports(files: dict[str, str]) -> set[str]:
    names = set()
    for block in re.findall(r"export \{([^}]*)\}", files["src/index.ts"]):
        names |= {n.strip().removeprefix("type ").split(" as ")[-1].strip() for n in block.split(",") if n.strip()}
    return names


@pytest.mark.parametrize("fixture", FIXTURES)
def test_python_readme_names_are_exported(fixture: str) -> None:
    files = emit("python", fixture)
    mentioned = {n for n in readme_names(files) if CAPITALIZED.match(n)} - PYTHON_BUILTINS
    exported = python_exports(files)
    assert mentioned, "the README names no class at all"
    assert mentioned <= exported, f"named in the README but not exported: {sorted(mentioned - exported)}"


def test_python_exports_every_error_class_of_the_reference() -> None:
    """The error classes the real Tinker SDK's README and users rely on (0.38: one per status)."""
    exported = python_exports(emit("python", "tinker"))
    wanted = {
        "APIError", "APIStatusError", "APIConnectionError", "APITimeoutError", "BadRequestError",
        "AuthenticationError", "PermissionDeniedError", "NotFoundError", "ConflictError",
        "UnprocessableEntityError", "RateLimitError", "InternalServerError", "RequestFailedError",
    }  # fmt: skip
    assert wanted <= exported, sorted(wanted - exported)


@pytest.mark.parametrize("fixture", FIXTURES)
def test_typescript_readme_names_are_exported(fixture: str) -> None:
    files = emit("typescript", fixture)
    mentioned = {n for n in readme_names(files) if CAPITALIZED.match(n)} - TYPESCRIPT_GLOBALS
    exported = typescript_exports(files)
    assert mentioned, "the README names no class at all"
    assert mentioned <= exported, f"named in the README but not exported: {sorted(mentioned - exported)}"


@pytest.mark.parametrize("fixture", FIXTURES)
def test_elixir_readme_modules_and_functions_exist(fixture: str) -> None:
    files = emit("elixir", fixture)
    sources = "\n".join(c for p, c in files.items() if p.endswith(".ex"))
    modules = set(re.findall(r"^\s*defmodule ([\w.]+) do", sources, re.M))
    functions = set(re.findall(r"^\s*def (\w+[?!]?)\(", sources, re.M))
    names = readme_names(files)
    mentioned_modules = {n for n in names if re.fullmatch(r"[A-Z]\w*(\.[A-Z]\w*)+", n)}
    mentioned_functions = {n.split("/")[0] for n in names if re.fullmatch(r"\w+[?!]?/\d+(,\d+)*", n)}
    assert mentioned_modules <= modules, f"modules named in the README but not defined: {sorted(mentioned_modules - modules)}"
    assert mentioned_functions <= functions, f"functions named in the README but not defined: {sorted(mentioned_functions - functions)}"
