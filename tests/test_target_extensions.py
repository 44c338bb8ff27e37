"""`targets.<lang>.extensions` (issue 14 item 10): a record's generated module delegates named
functions to a hand-written module beside the SDK (Elixir `defdelegate`, a Python static method, a
TypeScript function beside the record's schema). End to end: the SDKs are built, hand-written
modules are added, the SDKs are rebuilt (the hand-written files untouched), each language's strict
checks pass and the delegated functions answer what the hand-written ones do. And the manifest's
mistakes are positioned diagnostics: an unknown record, a bad `name/arity`, a clashing name."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tinkc.backends.typescript import toolchain
from tinkc.cli import main

ROOT = Path(__file__).resolve().parent.parent
MINIMAL = ROOT / "tests" / "fixtures" / "minimal" / "manifest.yaml"
EXTENSIONS = """targets:
  elixir: {extensions: {Pet: {module: PetstoreExt.Pet, functions: [describe/1, shout/2]}}}
  python: {extensions: {Pet: {module: petstore_sdk.pet_ext, functions: [describe/1, shout/2]}}}
  typescript: {extensions: {Pet: {module: "./ext/pet", functions: [describe/1, shout/2]}}}

"""

# the hand-written modules, each using the generated record it extends
HAND_WRITTEN = {
    "elixir/lib/petstore_ext/pet.ex": """defmodule PetstoreExt.Pet do
  @moduledoc "Hand-written functions on pets."

  alias Petstore.Types.Pet

  @spec describe(Pet.t()) :: String.t()
  def describe(%Pet{name: name, tags: tags}), do: "#{name} (#{length(tags)} tags)"

  @spec shout(Pet.t(), pos_integer()) :: String.t()
  def shout(%Pet{name: name}, times), do: String.duplicate(String.upcase(name) <> "!", times)
end
""",
    "python/src/petstore_sdk/pet_ext.py": '''"""Hand-written functions on pets."""

from __future__ import annotations

from petstore_sdk.types import Pet


def describe(pet: Pet) -> str:
    return f"{pet.name} ({len(pet.tags)} tags)"


def shout(pet: Pet, times: int) -> str:
    return (pet.name.upper() + "!") * times
''',
    "typescript/src/ext/pet.ts": """import type { Pet } from "../types.js";

export function describe(pet: Pet): string {
  return `${pet.name} (${pet.tags.length} tags)`;
}

export function shout(pet: Pet, times: number): string {
  return `${pet.name.toUpperCase()}!`.repeat(times);
}
""",
}
EXPECTED = "rex (2 tags)|REX!REX!"


def manifest(tmp_path: Path, extensions: str = EXTENSIONS) -> Path:
    text = MINIMAL.read_text(encoding="utf-8").replace("\nclients:\n", "\n" + extensions + "clients:\n", 1)
    path = tmp_path / "manifest.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def build(path: Path, out: Path) -> None:
    assert main(["--color", "never", "build", str(path), "--target", "elixir,python,typescript", "--out", str(out), "--quiet"]) == 0


def run(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> str:
    proc = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, check=False, timeout=600)
    assert proc.returncode == 0, f"{' '.join(args)} failed:\n{proc.stdout[-6000:]}{proc.stderr[-6000:]}"
    return proc.stdout


@pytest.fixture(scope="module")
def sdks(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The three SDKs built with the extensions, the hand-written modules added, then rebuilt."""
    tmp = tmp_path_factory.mktemp("extensions")
    out = tmp / "out"
    path = manifest(tmp)
    build(path, out)
    for rel, text in HAND_WRITTEN.items():
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_text(text, encoding="utf-8")
    # a changed manifest (a doc line) rewrites the generated files; the hand-written ones stay
    path.write_text(path.read_text(encoding="utf-8").replace("A pet in the store.", "A pet in the store (rebuilt)."), encoding="utf-8")
    build(path, out)
    assert "(rebuilt)" in (out / "elixir" / "lib" / "petstore" / "types" / "pet.ex").read_text(encoding="utf-8")
    assert {rel: (out / rel).read_text(encoding="utf-8") for rel in HAND_WRITTEN} == HAND_WRITTEN
    return out


def test_the_delegations_are_generated(sdks: Path) -> None:
    ex = (sdks / "elixir" / "lib" / "petstore" / "types" / "pet.ex").read_text(encoding="utf-8")
    assert "  defdelegate describe(arg1), to: PetstoreExt.Pet\n" in ex
    assert "  defdelegate shout(arg1, arg2), to: PetstoreExt.Pet\n" in ex
    assert "Delegates to `PetstoreExt.Pet.shout/2`" in ex
    py = (sdks / "python" / "src" / "petstore_sdk" / "types.py").read_text(encoding="utf-8")
    assert "    def shout(arg1: Any, arg2: Any, /) -> Any:" in py
    assert 'return import_module("petstore_sdk.pet_ext").shout(arg1, arg2)' in py
    ts = (sdks / "typescript" / "src" / "types.ts").read_text(encoding="utf-8")
    assert 'import * as extPet from "./ext/pet.js";' in ts
    assert "export function petShout(" in ts and "return extPet.shout(arg1, arg2);" in ts
    # only Pet delegates
    assert "defdelegate" not in (sdks / "elixir" / "lib" / "petstore" / "types" / "pet_list.ex").read_text(encoding="utf-8")


@pytest.mark.toolchain
def test_elixir_compiles_strictly_and_delegates(sdks: Path) -> None:
    mix = shutil.which("mix")
    assert mix, "`mix` is not installed: the Elixir toolchain tests need Debian's `elixir erlang-jiffy`"
    tree = sdks / "elixir"
    env = {**os.environ, "MIX_ENV": "test", "HEX_OFFLINE": "1"}
    run([mix, "compile", "--warnings-as-errors"], tree, env)
    run([mix, "format", "--check-formatted"], tree, env)  # the hand-written file is formatted too
    script = (
        'pet = Petstore.Types.Pet.new(id: "1", name: "rex", species: "dog", tags: ["a", "b"]); '
        'IO.puts(Petstore.Types.Pet.describe(pet) <> "|" <> Petstore.Types.Pet.shout(pet, 2))'
    )
    assert run([mix, "run", "--no-compile", "--no-deps-check", "-e", script], tree, env).strip().splitlines()[-1] == EXPECTED


@pytest.mark.toolchain
def test_python_is_strictly_typed_and_delegates(sdks: Path, tmp_path: Path) -> None:
    tree = sdks / "python"
    run([sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--cache-dir", str(tmp_path), "src"], tree)
    run([sys.executable, "-m", "ruff", "check", "--no-cache", "src/petstore_sdk/types.py"], tree)
    run([sys.executable, "-m", "ruff", "format", "--check", "--no-cache", "src/petstore_sdk/types.py"], tree)
    script = (
        "from petstore_sdk.types import Pet\n"
        "pet = Pet(id='1', name='rex', species='dog', tags=['a', 'b'])\n"
        "print(Pet.describe(pet) + '|' + Pet.shout(pet, 2))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(tree / "src")}
    assert run([sys.executable, "-c", script], tree, env).strip() == EXPECTED


@pytest.mark.toolchain
def test_typescript_compiles_strictly_and_delegates(sdks: Path, tmp_path: Path) -> None:
    from targets.typescript_tools import node, prettier, tsc

    tree = tmp_path / "typescript"
    shutil.copytree(sdks / "typescript", tree)
    toolchain.link(tree)
    proc = tsc("-p", "tsconfig.json", cwd=tree)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    proc = prettier("--check", "src/types.ts", "src/ext/pet.ts", cwd=tree)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    script = (
        'const t = await import("./dist/types.js"); const pet = {id: "1", name: "rex", species: "dog", tags: ["a", "b"]};'
        ' console.log(t.petDescribe(pet) + "|" + t.petShout(pet, 2));'
    )
    assert run([node(), "--input-type=module", "-e", script], tree).strip() == EXPECTED
    # an arity the hand-written function does not have (the manifest says `describe/2`) is a
    # compile error of the SDK, not a call that silently passes `undefined`
    wrong = tmp_path / "wrong"  # one target: its tree is the output directory itself
    path = manifest(wrong_dir(tmp_path), EXTENSIONS.replace("functions: [describe/1, shout/2]}}}\n\n", "functions: [describe/2]}}}\n\n"))
    assert main(["--color", "never", "build", str(path), "--target", "typescript", "--out", str(wrong), "--quiet"]) == 0
    (wrong / "src" / "ext").mkdir()
    (wrong / "src" / "ext" / "pet.ts").write_text(HAND_WRITTEN["typescript/src/ext/pet.ts"], encoding="utf-8")
    toolchain.link(wrong)
    proc = tsc("-p", "tsconfig.json", "--noEmit", cwd=wrong)
    assert proc.returncode != 0
    assert "has no element at index '1'" in proc.stdout, proc.stdout


def wrong_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "wrong_manifest"
    folder.mkdir()
    return folder


# -- diagnostics ------------------------------------------------------------------------------------


def diagnostics(tmp_path: Path, extensions: str, capsys: pytest.CaptureFixture[str]) -> list[dict]:
    code = main(["--color", "never", "check", str(manifest(tmp_path, extensions)), "--format", "json"])
    out = capsys.readouterr().out
    assert code == 1, out
    return [d for d in json.loads(out)["diagnostics"] if d["severity"] == "error"]


def line_of(path: Path, text: str) -> int:
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if text in line)


def test_an_unknown_record_is_reported_where_it_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    errors = diagnostics(
        tmp_path,
        "targets:\n  elixir:\n    extensions:\n      Pets: {module: PetstoreExt.Pet, functions: [describe/1]}\n"
        "      Species: {module: PetstoreExt.Species, functions: [describe/1]}\n\n",
        capsys,
    )
    path = tmp_path / "manifest.yaml"
    assert [(d["code"], d["span"]["line"]) for d in errors] == [
        ("extension.unknown-module", line_of(path, "Pets:")),
        ("extension.unknown-module", line_of(path, "Species: {module")),
    ]
    assert "did you mean `Pet`" in errors[0]["hint"]
    assert "an enum, union or alias" in errors[1]["message"]


def test_a_bad_function_spec_is_reported_at_the_spec(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    errors = diagnostics(
        tmp_path,
        "targets:\n  python:\n    extensions:\n      Pet:\n        module: petstore_sdk.pet_ext\n"
        "        functions:\n          - describe\n          - Shout/2\n          - model_dump/1\n          - ok/1\n          - from/1\n\n",
        capsys,
    )
    path = tmp_path / "manifest.yaml"
    assert [(d["code"], d["span"]["line"]) for d in errors] == [
        ("extension.bad-function", line_of(path, "- describe")),
        ("extension.bad-function", line_of(path, "- Shout/2")),
        ("extension.bad-function", line_of(path, "- model_dump/1")),
        ("extension.clash", line_of(path, "- from/1")),  # a Python keyword
    ]
    assert "name/arity" in errors[0]["message"] and errors[0]["hint"]


def test_a_delegation_may_not_take_a_generated_name(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    errors = diagnostics(
        tmp_path,
        "targets:\n  elixir:\n    extensions:\n      Pet:\n        module: PetstoreExt.Pet\n"
        "        functions: [from_json/1, name/1, describe/1, describe/2]\n"
        "  typescript: {extensions: {Pet: {module: ../outside, functions: [describe/1]}, NewPet: {module: ./ext/n, functions: [x/1], extra: 1}}}\n\n",
        capsys,
    )
    path = tmp_path / "manifest.yaml"
    at = line_of(path, "functions: [from_json/1")
    ts = line_of(path, "typescript:")
    assert [(d["code"], d["span"]["line"]) for d in errors] == [
        ("extension.clash", at),
        ("extension.clash", at),
        ("extension.clash", at),
        ("extension.bad-module", ts),
        ("extension.syntax", ts),
    ]
    assert "a name the generated module of `Pet` reserves" in errors[0]["message"]
    assert "`name` is already" in errors[1]["message"]  # a field
    assert "delegated twice" in errors[2]["message"]
    assert all(d["hint"] for d in errors)


def test_the_schema_describes_extensions(tmp_path: Path) -> None:
    """`tinkc schema` accepts the manifest with extensions and rejects a malformed function spec
    and an extension without `module`, as the compiler does."""
    import jsonschema

    from tinkc.diagnostics import Sink
    from tinkc.frontend.load import load_text
    from tinkc.frontend.model import to_plain
    from tinkc.schema import manifest_schema

    validator = jsonschema.Draft202012Validator(manifest_schema())

    def problems(text: str) -> list[str]:
        sink = Sink()
        loaded = load_text(text, "m.yaml", sink)
        assert loaded is not None and not sink.has_errors
        return [e.message for e in validator.iter_errors(to_plain(loaded.root.root))]

    good = manifest(tmp_path).read_text(encoding="utf-8")
    assert problems(good) == []
    assert problems(good.replace("functions: [describe/1, shout/2]}}}\n  python", "functions: [describe]}}}\n  python", 1))
    assert problems(good.replace("{Pet: {module: PetstoreExt.Pet, functions", "{Pet: {functions", 1))


@pytest.mark.toolchain
def test_tinkex_model_input_gets_its_tokenizer_helpers_by_delegation(tmp_path: Path) -> None:
    """The case the key is for: Tinkex's `ModelInput.from_text/2` (hand-written: a tokenizer) under
    `Tinkex.Types.ModelInput`, on a scratch copy of the bundled manifest, beside the generated
    helpers (`length/1`, a helper expression sharing its name with Kernel's, counts its tokens)."""
    from tinkc.pipeline import bundled_manifest

    source = bundled_manifest().parent
    copy = tmp_path / "manifests"
    shutil.copytree(source, copy)
    root = copy / bundled_manifest().name
    text = root.read_text(encoding="utf-8")
    line = "    types_namespace: Tinkex.Types\n"  # in `targets.elixir`
    assert line in text
    root.write_text(
        text.replace(line, line + "    extensions: {ModelInput: {module: TinkexExt.ModelInput, functions: [from_text/2]}}\n", 1),
        encoding="utf-8",
    )
    out = tmp_path / "sdk"
    assert main(["--color", "never", "build", str(root), "--target", "elixir", "--out", str(out), "--quiet"]) == 0
    (out / "lib" / "tinkex_ext").mkdir()
    (out / "lib" / "tinkex_ext" / "model_input.ex").write_text(
        """defmodule TinkexExt.ModelInput do
  @moduledoc "A stand-in for the tokenizer: one token per character."

  alias Tinkex.Types.ModelInput

  @spec from_text(String.t(), keyword()) :: ModelInput.t()
  def from_text(text, _opts), do: ModelInput.from_ints(String.to_charlist(text))
end
""",
        encoding="utf-8",
    )
    mix = shutil.which("mix")
    assert mix, "`mix` is not installed: the Elixir toolchain tests need Debian's `elixir erlang-jiffy`"
    env = {**os.environ, "MIX_ENV": "test", "HEX_OFFLINE": "1"}
    run([mix, "compile", "--warnings-as-errors"], out, env)
    run([mix, "format", "--check-formatted"], out, env)
    script = 'i = Tinkex.Types.ModelInput.from_text("hi", []); IO.inspect({Tinkex.Types.ModelInput.to_ints(i), Tinkex.Types.ModelInput.length(i)}, charlists: :as_lists)'
    assert run([mix, "run", "--no-compile", "--no-deps-check", "-e", script], out, env).strip().splitlines()[-1] == "{[104, 105], 2}"


def test_an_extended_record_is_kept_by_the_optimizer(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A record only hand-written code uses is generated (no `unused` warning, not dropped), and one
    shaped like another stays a record of its own (not folded into an alias of it, which would lose
    its delegations)."""
    path = manifest(tmp_path, "targets:\n  elixir: {extensions: {Leash: {module: PetstoreExt.Leash, functions: [fit/2]}}}\n\n")
    path.write_text(
        path.read_text(encoding="utf-8") + "  Collar:\n    export: true\n    fields: {size: int}\n  Leash:\n    fields: {size: int}\n",
        encoding="utf-8",
    )
    assert main(["--color", "never", "check", str(path), "--format", "json"]) == 0
    warnings = [d for d in json.loads(capsys.readouterr().out)["diagnostics"] if "Leash" in d["message"]]
    assert warnings == []
    out = tmp_path / "out"
    assert main(["--color", "never", "build", str(path), "--target", "elixir", "--out", str(out), "--quiet"]) == 0
    leash = (out / "lib" / "petstore" / "types" / "leash.ex").read_text(encoding="utf-8")
    assert "defstruct size: nil" in leash and "  defdelegate fit(arg1, arg2), to: PetstoreExt.Leash\n" in leash
