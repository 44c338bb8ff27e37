"""Fuzzing: the compiler never crashes on input.

Whatever text it is given — random manifest-shaped data (YAML and JSON), coherent manifests, text
mutations of every fixture, of the broken manifests and of the bundled manifest (as YAML and as
JSON), random bytes and unicode, YAML anchors and aliases, alias bombs, deep nesting, huge strings —
the whole pipeline returns normally: loading, lowering and the passes (diagnostics allowed), and,
when the manifest compiles, every installed backend's `emit` (a backend that crashes on a valid IR
is a crash too, and so is one that emits a path the writer would refuse). Every diagnostic is well
formed: a dotted code, a message, and a span (when it has one) inside the file it names; the
diagnostics render (text and JSON) and the IR serializes (`api_to_json`), as the CLI does.

And what a compiled manifest emits parses: every file in its language's own parser (Python's
`compile`, TypeScript's `createSourceFile`, Elixir's `Code.string_to_quoted/2`; TOML, JSON and YAML
too; see `tests/support/parsecheck.py`). A file that does not parse fails the input, with the
parser's message at its file and line and the manifest (hypothesis shrinks it first). Node and
Elixir are required: without them these tests fail, they do not skip. The manifests under
`tests/fixtures/regressions/` (emitted code that did not parse) are checked the same way.

Budget: ``TINKC_FUZZ_EXAMPLES`` hypothesis examples in all (default 200, derandomized so CI is
reproducible; `make fuzz` runs 5000, randomized), shared by the strategies by weight; no deadline;
minimized reproducers of bugs found run first as explicit examples. `tests/property/conftest.py`
prints the inputs tried and the crashes per strategy.

Bounded time and memory are enforced, not timed (tests never assert wall-clock times): the loader's
own limits (nesting depth, alias expansion) turn bombs into diagnostics before any expansion, a
subprocess under RLIMIT_AS proves the worst inputs fit in a fixed address space, and the two
complexity tests at the end count work (lookups, line splits) instead of measuring seconds.
"""

from __future__ import annotations

import json
import random
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import fuzz_stats
import manifest_strategies
import pytest
import yaml
from fuzz_stats import fuzzing
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tinkc.backends.base import Backend
from tinkc.backends.registry import available
from tinkc.diagnostics import Diagnostic, Severity, Sink, render_json, render_text
from tinkc.frontend.load import load_text
from tinkc.frontend.lower import lower
from tinkc.frontend.model import to_plain
from tinkc.ir.nodes import Api, thaw
from tinkc.ir.serialize import api_to_json
from tinkc.pipeline import Result, bundled_manifest, compile_manifest, run_passes
from tinkc.writer import safe_relative

# Every emitted file goes through its language's parser (node with TypeScript, elixir): the SDK toolchains.
pytestmark = pytest.mark.toolchain

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))  # `support.parsecheck` (also in the capped child below)
from support import parsecheck  # noqa: E402

FIXTURE_FILES = sorted((ROOT / "tests" / "fixtures").glob("*/manifest.yaml"))
TINKER = bundled_manifest()
TINKER_IMPORTS = sorted((TINKER.parent / "tinker").glob("*.yaml"))


def fuzz_settings(weight: int) -> settings:
    """``weight`` examples of the default budget of 200; scaled with ``TINKC_FUZZ_EXAMPLES``."""
    return settings(
        max_examples=max(1, round(weight * fuzz_stats.BUDGET / fuzz_stats.DEFAULT_BUDGET)),
        deadline=None,
        derandomize=fuzz_stats.BUDGET == fuzz_stats.DEFAULT_BUDGET,  # the suite is reproducible; `make fuzz` explores
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    )


def _installed_backends() -> tuple[list[tuple[str, Backend]], dict[str, str]]:
    out, broken = [], {}
    for name, info in available().items():
        try:
            out.append((name, info.load()()))
        except Exception as e:  # noqa: BLE001 - a broken plug-in is `tinkc targets`' business, not the fuzzer's
            broken[name] = f"{type(e).__name__}: {e}"
    return out, broken


BACKENDS, BROKEN_BACKENDS = _installed_backends()
# The built-in SDK backends: one that did not load would leave its files unchecked (every input
# would pass without them), so they must load.
SDK_TARGETS = ("python", "typescript", "elixir")


def require_sdk_backends() -> None:
    loaded = {name for name, _ in BACKENDS}
    missing = {t: BROKEN_BACKENDS.get(t, "not installed") for t in SDK_TARGETS if t not in loaded}
    assert not missing, f"SDK backends that do not load (their emitted files would go unchecked): {missing}"


def test_the_sdk_backends_load() -> None:
    require_sdk_backends()


# ---------------------------------------------------------------------------------------------
# The property


CODE = re.compile(r"[a-z][a-z0-9_-]*(\.[a-z0-9][a-z0-9_-]*)+\Z")


def check_diagnostics(sink: Sink, sources: dict[str, str]) -> None:
    for d in sink.items:
        assert isinstance(d, Diagnostic)
        assert isinstance(d.code, str) and CODE.match(d.code), f"bad code {d.code!r}"
        assert isinstance(d.severity, Severity)
        assert isinstance(d.message, str) and d.message.strip(), f"{d.code}: empty message"
        s = d.span
        if s is None:
            continue
        text = sources.get(s.file)
        if text is None:  # a file rejected before it was read as text (empty, binary, not UTF-8)
            assert d.code.startswith("load."), f"{d.code}: span names {s.file!r}, which is not a loaded file ({list(sources)})"
            text = Path(s.file).read_bytes().decode("utf-8", errors="replace")
        lines = text.splitlines()
        # one past the last line is the end of input after a final line break
        in_file = 1 <= s.line <= len(lines) or (s.line == len(lines) + 1 and s.col == 1)
        assert in_file, f"{d.code} ({d.message}): line {s.line} outside {s.file} ({len(lines)} lines)"
        assert s.col >= 1, f"{d.code}: column {s.col}"
        assert (s.end_line, s.end_col) >= (s.line, s.col), f"{d.code}: span ends before it starts: {s}"
    render_text(sink.items, sources)
    render_json(sink.items)


# Off only in the capped child below (Node and the BEAM do not start under its RLIMIT_AS).
PARSE_CHECK = True


def emit_everything(api: Api, manifest: str) -> None:
    """What `tinkc build --target all` does after a clean compile: every installed backend emits
    its SDK, in memory. Every path must be one the writer accepts, once; every file UTF-8 text, in
    its language's syntax (``manifest`` is what compiled: its text, or its path, for the report)."""
    emitted: list[tuple[str, str]] = []
    for name, backend in BACKENDS:
        files = backend.emit(api, thaw(api.targets.get(name)) or {})
        paths = [f.path for f in files]
        assert len(set(paths)) == len(paths), f"{name}: two files share a path: {sorted(p for p in paths if paths.count(p) > 1)}"
        for f in files:
            assert safe_relative(f.path) is not None, f"{name}: emitted a path the writer refuses: {f.path!r}"
            f.content.encode("utf-8")  # a lone surrogate would fail only when written
            emitted.append((f"{name}/{f.path}", f.content))
    if PARSE_CHECK:
        problems = parsecheck.checker().check(emitted)
        if problems:
            shown = manifest if len(manifest) <= 4000 else manifest[:4000] + f"\n… ({len(manifest)} characters in all)"
            raise AssertionError(
                f"{len({p.path for p in problems})} emitted file(s) do not parse:\n"
                + parsecheck.report(problems, dict(emitted))
                + "\n\nemitted from this manifest:\n"
                + shown
            )


@pytest.fixture(scope="module", autouse=True)
def parsers() -> None:
    """The parsers of emitted code are started once, before the first test: when Node, the
    TypeScript compiler or Elixir is missing, every test here fails with what to install."""
    try:
        parsecheck.checker().start()
    except parsecheck.ParserMissing as e:
        pytest.fail(str(e), pytrace=False)


def compile_text(text: str, fmt: str = "yaml", emit: bool = True) -> Sink:
    """load_text → lower → run_passes → every backend's emit, in memory; the property checked on the
    way out."""
    display = "fuzz.json" if fmt == "json" else "fuzz.yaml"
    sink = Sink()
    manifest = load_text(text, display, sink, fmt=fmt)
    if manifest is not None:
        api = lower(manifest, sink)
        if api is not None:
            result = run_passes(api, Result(sink=sink, manifest=manifest, sources=manifest.sources))
            assert result.api is not None
            api_to_json(result.api, spans=True)  # what `tinkc ir` prints
            if emit and not sink.has_errors:
                emit_everything(result.api, text)
    check_diagnostics(sink, {display: text})
    return sink


def compile_file(path: Path, shown: str | None = None) -> Result:
    """compile_manifest → every backend's emit; ``shown`` is what a report of emitted files that do
    not parse shows as the manifest (the file's path when not given)."""
    result = compile_manifest(path)
    check_diagnostics(result.sink, result.sources)
    if result.api is not None:
        api_to_json(result.api, spans=True)
        if not result.sink.has_errors:
            emit_everything(result.api, shown or f"{path} (and what it imports)")
    return result


def write(directory: Path, name: str, data: str | bytes) -> Path:
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    # text that no UTF-8 file can hold (lone surrogates) is written as the bytes it would be,
    # which the loader must then reject as not UTF-8
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8", errors="surrogatepass"))
    return path


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


# ---------------------------------------------------------------------------------------------
# (a) random manifest-shaped data

VOCABULARY = [
    "schema_version",
    "imports",
    "service",
    "targets",
    "types",
    "endpoints",
    "features",
    "flows",
    "clients",
    "name",
    "version",
    "doc",
    "base_url",
    "default",
    "env",
    "auth",
    "header",
    "headers",
    "timeout_ms",
    "fields",
    "type",
    "optional",
    "json_name",
    "deprecated",
    "export",
    "enum",
    "union",
    "discriminator",
    "alias",
    "tag",
    "value",
    "method",
    "path",
    "path_params",
    "query",
    "request",
    "response",
    "raw",
    "response_handler",
    "module",
    "resource",
    "state",
    "counter",
    "methods",
    "endpoint",
    "flow",
    "client",
    "inputs",
    "steps",
    "id",
    "call",
    "args",
    "on",
    "after",
    "await_future",
    "build_client",
    "with",
    "return",
    "retrieve_endpoint",
    "max_retries",
    "retry_on",
    "status",
    "exceptions",
    "backoff",
    "base_ms",
    "max_ms",
    "jitter",
    "retry_after",
    "try_again",
    "queue_state",
    "create_endpoint",
    "session_id_field",
    "style",
]
SCALAR_WORDS = [
    "string",
    "int",
    "float",
    "bool",
    "any",
    "datetime",
    "[string]",
    "string?",
    "map[string,any]",
    "A | B",
    '"lit"',
    "Pet",
    "Pet?",
    "[Pet]",
    "GET",
    "POST",
    "DELETE",
    "/pets/{id}",
    "/a/{+b}",
    "/x/{",
    "pets.get",
    "pets.list",
    "a.b",
    "${input.x}",
    "${result.a[0]}",
    "${steps.s.f}",
    "${state.session_id}",
    "$${x}",
    "${",
    "retry_policy",
    "promise_result",
    "telemetry",
    "session_lifecycle",
    "idempotency_key",
    "pagination",
    "500-599",
    "429",
    "redirect_location",
    "exponential",
    "pets",
    "Pet",
    "service",
    "1",
    "0755",
    "yes",
    "~",
]

keys = st.one_of(st.sampled_from(VOCABULARY), st.sampled_from(VOCABULARY), st.text(max_size=8))
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(SCALAR_WORDS),
    st.text(max_size=16),
)
structures = st.recursive(
    scalars,
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(keys, children, max_size=5)),
    max_leaves=25,
)
ids = st.one_of(st.sampled_from(["Pet", "pets.get", "pets.list", "svc", "f", "s", "a.b", "x"]), st.text(max_size=6))
sections = st.dictionaries(ids, structures, max_size=4)
manifest_data = st.fixed_dictionaries(
    {"schema_version": st.one_of(st.just(1), scalars), "service": st.one_of(st.fixed_dictionaries({"name": st.just("svc")}), structures)},
    optional={s: sections for s in ("types", "endpoints", "features", "flows", "clients")} | {"targets": structures, "imports": structures},
)


def _dump(data: Any) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


@fuzz_settings(25)
@given(manifest_data)
def test_random_manifest_shaped_yaml_and_json(data: dict[str, Any]) -> None:
    with fuzzing("random manifest-shaped (YAML + JSON)"):
        compile_text(_dump(data))
        compile_text(json.dumps(data, ensure_ascii=False), fmt="json")


@fuzz_settings(10)
@given(structures)
def test_random_yaml_structures(data: Any) -> None:
    with fuzzing("random structures"):
        compile_text(_dump(data))


@fuzz_settings(40)
@given(manifest_strategies.manifests())
@example(manifest_strategies.METHOD_KIND_ENDPOINT_NAMES_A_FLOW)
@example(manifest_strategies.METHOD_KIND_FLOW_NAMES_AN_ENDPOINT)
@example(manifest_strategies.RECURSION_THROUGH_ALIAS_AND_UNION)
@example(manifest_strategies.TWO_ENDPOINTS_ONE_ROUTE)
def test_coherent_manifests(data: dict[str, Any]) -> None:
    """Manifests whose sections refer to each other through small pools of names."""
    with fuzzing("coherent manifests"):
        compile_text(manifest_strategies.dump(data))


@fuzz_settings(20)
@given(manifest_strategies.valid_manifests())
def test_valid_manifests_with_hostile_strings(data: dict[str, Any]) -> None:
    """Manifests that compile (nearly always: few coherent manifests do), so every backend emits
    them, with hostile strings wherever the SDKs carry one: the emitted code must parse."""
    with fuzzing("valid manifests, hostile strings"):
        compile_text(manifest_strategies.dump(data))


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (manifest_strategies.RECURSION_THROUGH_ALIAS_AND_UNION, "type.recursive-alias"),
        (manifest_strategies.TWO_ENDPOINTS_ONE_ROUTE, "endpoint.duplicate-route"),
    ],
)
def test_crashes_found_by_the_fuzzer_are_diagnostics_now(data: dict[str, Any], code: str) -> None:
    sink = compile_text(manifest_strategies.dump(data))
    assert [d.code for d in sink.items if d.severity is Severity.ERROR] == [code]


@fuzz_settings(10)
@given(manifest_strategies.manifests(), st.randoms(use_true_random=False), st.booleans())
def test_coherent_manifests_with_anchors_and_aliases(data: dict[str, Any], rng: random.Random, as_json: bool) -> None:
    """The same manifests with subtrees shared: PyYAML writes a shared object once, with an anchor
    (`&id001`), and refers to it with aliases (`*id001`) — the loader must expand them, keep their
    spans, and report a problem inside one at each place it is used. (As JSON, the same data is
    written out in full.)"""
    with fuzzing("YAML anchors and aliases"):
        nodes: list[tuple[dict[str, Any], str]] = []

        def collect(value: Any) -> None:
            if isinstance(value, dict):
                for k, v in value.items():
                    nodes.append((value, k))
                    collect(v)
            elif isinstance(value, list):
                for v in value:
                    collect(v)

        collect(data)
        for _ in range(min(3, len(nodes) // 2)):
            (src_parent, src_key), (dst_parent, dst_key) = rng.sample(nodes, 2)
            shared = src_parent[src_key]
            if isinstance(shared, (dict, list)) and dst_parent is not shared:
                dst_parent[dst_key] = shared  # a DAG, never a cycle: `shared` is not an ancestor of it here
        try:
            text = json.dumps(data) if as_json else manifest_strategies.dump(data)
        except (ValueError, RecursionError):  # sharing made a cycle: not a manifest anyone can write down
            return
        compile_text(text, fmt="json" if as_json else "yaml")


# ---------------------------------------------------------------------------------------------
# (b) mutations of the fixture manifests (on the text)

# Single-file broken manifests (tests/broken) are seeds too: they sit next to many error paths.
BROKEN_FILES = sorted(p for p in (ROOT / "tests" / "broken").glob("*.*") if p.suffix in (".yaml", ".json"))
DOCUMENTS = [*FIXTURE_FILES, TINKER, *TINKER_IMPORTS, *BROKEN_FILES]
TEXTS = {p: p.read_bytes().decode("utf-8", "replace") for p in DOCUMENTS}


def _as_json(path: Path) -> str | None:
    """The document as JSON, read by tinkc's own loader (PyYAML's pure-Python parser rejects flow
    mappings like `{type: int?}` that libyaml and tinkc accept)."""
    manifest = load_text(TEXTS[path], path.name, Sink())
    return None if manifest is None else json.dumps(to_plain(manifest.root.root), indent=2, ensure_ascii=False)


# Every fixture and the bundled manifest written as JSON (the JSON loader has its own grammar).
JSON_TEXTS = {p: t for p in [*FIXTURE_FILES, TINKER] if (t := _as_json(p)) is not None}
KEY_LINE = re.compile(r"^(\s*)(?:-\s+)?[^\s#:][^:#]*:(\s|$)")
SCALAR_SLOT = re.compile(r"(?<=: )[^\s{}\[\],#][^\n#]*|(?<=- )[^\s{}\[\],#][^\n#]*")
REPLACEMENTS = st.one_of(
    st.sampled_from(
        [
            "",
            "~",
            "null",
            "true",
            "0755",
            "-1",
            "0",
            "1e999",
            ".nan",
            "1:20",
            "yes",
            "'\"lit\"'",
            "'${input.x}'",
            '"${result.a[0]}"',
            "'$${x}'",
            "'[string]?'",
            "map[int,string]",
            "A |",
            "'{'",
            "&a x",
            "*a",
            "!!python/none x",
            "|",
            ">",
            "'" + "x" * 300 + "'",
            "é",
            '"\\u0000"',
            "{a: 1}",
            "[1, 2]",
            "[]",
            "{}",
            "a.b.c",
            "Pet",
        ]
    ),
    st.text(max_size=10),
)


@st.composite
def mutated(draw: st.DrawFn, json_forms: bool = False) -> tuple[Path, str]:
    path = draw(st.sampled_from(sorted(JSON_TEXTS) if json_forms else DOCUMENTS))
    text = JSON_TEXTS[path] if json_forms else TEXTS[path]
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        lines = text.splitlines(keepends=True)
        op = draw(st.sampled_from(["delete-key", "replace-scalar", "duplicate-line", "insert", "truncate"]))
        if op == "delete-key" and lines:
            candidates = [i for i, line in enumerate(lines) if KEY_LINE.match(line)]
            if candidates:
                i = draw(st.sampled_from(candidates))
                indent = len(KEY_LINE.match(lines[i]).group(1))  # type: ignore[union-attr]
                j = i + 1
                while j < len(lines) and (not lines[j].strip() or len(lines[j]) - len(lines[j].lstrip()) > indent):
                    j += 1
                lines[i:j] = []
        elif op == "replace-scalar":
            slots = [m for m in SCALAR_SLOT.finditer(text)]
            if slots:
                m = draw(st.sampled_from(slots))
                text = text[: m.start()] + draw(REPLACEMENTS) + text[m.end() :]
                continue
        elif op == "duplicate-line" and lines:
            i = draw(st.integers(min_value=0, max_value=len(lines) - 1))
            lines.insert(i, lines[i])
        elif op == "insert":
            at = draw(st.integers(min_value=0, max_value=len(text)))
            text = (
                text[:at]
                + draw(st.text(st.sampled_from(" \t\n:-{}[],&*!|>'\"#$?%@`\\") | st.characters(), min_size=1, max_size=4))
                + text[at:]
            )
            continue
        elif op == "truncate":
            text = text[: draw(st.integers(min_value=0, max_value=len(text)))]
            continue
        text = "".join(lines)
    return path, text


@fuzz_settings(45)
@given(mutated())
def test_mutated_fixtures(workdir: Path, case: tuple[Path, str]) -> None:
    path, text = case
    with fuzzing("mutated fixtures (YAML)"):
        if path not in (TINKER, *TINKER_IMPORTS):
            compile_text(text, fmt="json" if path.suffix == ".json" else "yaml")
            return
        # a file of the bundled manifest: rebuild the tree (root + imports) with the one file changed
        tree = workdir / "tinker"
        if tree.exists():
            shutil.rmtree(tree)
        for p in (TINKER, *TINKER_IMPORTS):
            write(tree, str(p.relative_to(TINKER.parent)), text if p == path else TEXTS[p])
        compile_file(tree / TINKER.name, shown=f"the bundled manifest, its {path.name} mutated to:\n{text}")


@fuzz_settings(15)
@given(mutated(json_forms=True))
def test_mutated_fixtures_as_json(case: tuple[Path, str]) -> None:
    """The fixtures and the bundled manifest written as JSON, then mutated as text. (The bundled
    manifest's imports are not followed from a string: its references to them fail, which is fine.)"""
    _, text = case
    with fuzzing("mutated fixtures (JSON)"):
        compile_text(text, fmt="json")


# Manifests whose emitted code did not parse (tests/fixtures/regressions/<name>/manifest.yaml; not
# fixtures of the snapshot tests, which glob only `fixtures/*/manifest.yaml`).
REGRESSIONS = sorted((ROOT / "tests" / "fixtures" / "regressions").glob("*/manifest.yaml"))


@pytest.mark.parametrize("path", REGRESSIONS, ids=[p.parent.name for p in REGRESSIONS])
def test_regression_manifests_compile_and_emit_code_that_parses(path: Path) -> None:
    """Each compiles without errors, and every file every backend emits for it parses."""
    require_sdk_backends()
    result = compile_file(path, shown=path.read_text(encoding="utf-8"))
    assert not result.sink.has_errors, [(d.code, d.message) for d in result.sink.items]


def test_every_fixture_and_its_json_form_compile_and_emit() -> None:
    """The unmutated seeds: every fixture compiles cleanly and every backend emits it, from YAML and
    from its JSON form alike (so the fuzzer starts from inputs that reach the backends)."""
    valid = [p for p in FIXTURE_FILES if not compile_file(p).sink.has_errors]  # `seed_proposal` is not, on purpose
    assert len(valid) >= len(FIXTURE_FILES) - 1
    for path in valid:
        assert not compile_text(JSON_TEXTS[path], fmt="json").has_errors, path
    assert not compile_file(TINKER).sink.has_errors


# ---------------------------------------------------------------------------------------------
# (c) random bytes and unicode text


@fuzz_settings(10)
@given(st.binary(max_size=300), st.sampled_from(["m.yaml", "m.json", "m.yml"]))
def test_random_bytes(workdir: Path, data: bytes, name: str) -> None:
    with fuzzing("random bytes"):
        compile_file(write(workdir / "bytes", name, data))


@fuzz_settings(10)
@given(st.text(st.characters() | st.sampled_from("\n\r\t :-{}[],\"'#&*!|>\ud800\ufeff"), max_size=200))
def test_random_text(text: str) -> None:
    with fuzzing("random text (YAML + JSON)"):
        compile_text(text)
        compile_text(text, fmt="json")


@fuzz_settings(15)
@given(
    st.sampled_from(FIXTURE_FILES + [TINKER]),
    st.integers(min_value=0, max_value=10**9),
    st.sampled_from(["\ufeff", "\r\n", "\r", "\x85", "\u2028", "\t", "\x00", "\x0b", "\ud800"]),
)
# found by `make fuzz` (5000): a tab inside a quoted literal type made the type grammar's JSON decoding raise
@example(FIXTURE_FILES[[p.parent.name for p in FIXTURE_FILES].index("futures_flows")], 639717, "\t")
def test_fixture_with_odd_characters(path: Path, seed: int, char: str) -> None:
    text = TEXTS[path]
    rng = random.Random(seed)
    if char in ("\r\n", "\r", "\x85", "\u2028"):  # other line breaks, everywhere or once
        text = text.replace("\n", char) if rng.random() < 0.5 else text.replace("\n", char, 1)
    else:
        at = rng.randrange(len(text) + 1)
        text = text[:at] + char + text[at:]
    with fuzzing("odd characters in fixtures"):
        compile_text(text)


# Slots of a fixture where a value can be replaced: (fixture text, the value's start, its end).
SLOTS = [(path, m.start(), m.end()) for path in FIXTURE_FILES for m in SCALAR_SLOT.finditer(TEXTS[path])]


def _in_slot(draw: st.DrawFn, value: str) -> str:
    path, start, end = draw(st.sampled_from(SLOTS))
    return TEXTS[path][:start] + value + TEXTS[path][end:]


@st.composite
def alias_bombs(draw: st.DrawFn) -> str:
    """A billion-laughs of random shape (levels × width), its anchors defined in a fixture slot or
    at the top, its last level used once or in several places."""
    levels, width = draw(st.integers(1, 14)), draw(st.integers(1, 12))
    leaf = draw(st.sampled_from(['"lol"', "{a: 1}", "[x]", "string", "'${input.x}'"]))
    chain = [f"&a0 {leaf}"] + [f"&a{i} [{', '.join([f'*a{i - 1}'] * width)}]" for i in range(1, levels + 1)]
    bomb = "[" + ", ".join(chain) + "]"
    uses = ", ".join([f"*a{levels}"] * draw(st.integers(1, 3)))
    if draw(st.booleans()):
        return _in_slot(draw, f"{{bomb: {bomb}, use: [{uses}]}}")
    return f"bombs: {bomb}\n" + HEADER + f"types: {{T: {{alias: string}}, U: {{fields: [{uses}]}}}}\n"


@fuzz_settings(10)
@given(alias_bombs())
def test_alias_bombs(text: str) -> None:
    """Rejected from the composed graph, before anything is expanded (load.too-large), or small
    enough to compile: either way, bounded work."""
    with fuzzing("alias bombs"):
        compile_text(text)


@st.composite
def deep_nesting(draw: st.DrawFn) -> tuple[str, str]:
    depth = draw(st.integers(1, 2_000))
    kind = draw(st.sampled_from(["flow-list", "flow-map", "block-map", "block-list", "type-expression", "json"]))
    if kind == "json":
        inner = "[" * depth + "1" + "]" * depth
        return "json", '{"schema_version": 1, "service": {"name": "s"}, "types": {"T": {"alias": ' + inner + "}}}"
    if kind == "block-map":
        return "yaml", HEADER + "targets:\n" + "".join(f"{'  ' * (i + 1)}k{i}:\n" for i in range(depth)) + "  " * (depth + 1) + "x\n"
    if kind == "block-list":
        return "yaml", HEADER + "clients:\n  c:\n    resource:\n" + "".join(f"{'  ' * (i + 3)}-\n" for i in range(depth))
    value = {"flow-list": "[" * depth + "]" * depth, "flow-map": "{a: " * depth + "1" + "}" * depth}.get(kind)
    if value is None:  # a type expression: `[[[int]]]`, `map[string,map[string,int]]`, `((int))`
        opener, closer = draw(st.sampled_from([("[", "]"), ("map[string,", "]"), ("(", ")")]))
        value = "'" + opener * depth + "int" + closer * depth + "'"
    return "yaml", _in_slot(draw, value)


@fuzz_settings(5)
@given(deep_nesting())
# found by `make fuzz` (5000): a literal type nested 900 deep overflowed the TypeScript layout's recursion
@example(
    ("yaml", "schema_version: 1\nservice: {name: svc}\n" + "types:\n  T: {fields: {f: {type: '" + "[" * 900 + "int" + "]" * 900 + "'}}}\n")
)
def test_deep_nesting(case: tuple[str, str]) -> None:
    """Nesting at random depths up to ten times the loader's limit, in random places."""
    fmt, text = case
    with fuzzing("deep nesting"):
        compile_text(text, fmt=fmt)


@st.composite
def huge_strings(draw: st.DrawFn) -> str:
    size = draw(st.sampled_from([1_000, 10_000, 100_000, 1_000_000]))
    unit = draw(st.sampled_from(["x", "é", "${input.a}", "{x}", "\\", "'", "a b ", "[", "|"]))
    value = (unit * (size // len(unit) + 1))[:size]
    return _in_slot(draw, json.dumps(value, ensure_ascii=False))


@fuzz_settings(5)
@given(huge_strings())
def test_huge_strings(text: str) -> None:
    """A string of up to a million characters in a random slot of a fixture (a name, a path, a type,
    a doc, a default)."""
    with fuzzing("huge strings"):
        compile_text(text)


# ---------------------------------------------------------------------------------------------
# (d) pathological inputs, as fixed cases

HEADER = "schema_version: 1\nservice: {name: svc}\n"


def _billion_laughs(levels: int = 9, width: int = 9) -> str:
    lines = ['a0: &a0 "lol"']
    for i in range(1, levels + 1):
        lines.append(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * width)}]")
    return "\n".join(lines) + "\n"


def _nested_mappings(depth: int) -> str:
    return "".join(f"{'  ' * i}k{i}:\n" for i in range(depth)) + f"{'  ' * depth}x\n"


def _nest(depth: int, leaf: Any) -> Any:
    for _ in range(depth):
        leaf = [leaf]
    return leaf


def _alias_chain(n: int) -> str:
    return (
        HEADER
        + "types:\n  T0: {alias: string, export: true}\n"
        + "".join(f"  T{i}: {{alias: T{i - 1}, export: true}}\n" for i in range(1, n))
    )


def _deep_type(depth: int) -> str:
    return HEADER + "types:\n  T:\n    export: true\n    fields:\n      x: '" + "[" * depth + "string" + "]" * depth + "'\n"


PATHOLOGICAL: dict[str, tuple[str, str]] = {
    "yaml-flow-lists-3000": ("yaml", "[" * 3000 + "]" * 3000),
    "yaml-flow-maps-3000": ("yaml", "{a: " * 3000 + "1" + "}" * 3000),
    "yaml-block-mappings-2000": ("yaml", _nested_mappings(2000)),
    "yaml-block-sequences-2000": ("yaml", "".join(f"{'  ' * i}-\n" for i in range(2000))),
    "yaml-unclosed-3000": ("yaml", "[" * 3000),
    "json-lists-3000": ("json", "[" * 3000 + "]" * 3000),
    "json-objects-3000": ("json", '{"a": ' * 3000 + "1" + "}" * 3000),
    "json-lists-900": ("json", '{"schema_version": 1, "service": {"name": "s"}, "targets": {"x": {"y": ' + "[" * 900 + "]" * 900 + "}}}"),
    "json-lists-5000": ("json", "[" * 5000 + "]" * 5000),
    "json-default-450": (
        "json",
        '{"schema_version": 1, "service": {"name": "s"}, "types": {"T": {"export": true, "fields": '
        '{"x": {"type": "any", "default": ' + "[" * 450 + "]" * 450 + "}}}}}",
    ),
    "yaml-default-190": (
        "yaml",
        HEADER + "types:\n  T:\n    export: true\n    fields:\n      x: {type: any, default: " + "[" * 190 + "]" * 190 + "}\n",
    ),
    "type-expression-nested-3000": ("yaml", _deep_type(3000)),
    "type-expression-nested-500": ("yaml", _deep_type(500)),
    "type-expression-maps-500": (
        "yaml",
        HEADER + "types:\n  T:\n    export: true\n    fields:\n      x: '" + "map[string," * 500 + "int" + "]" * 500 + "'\n",
    ),
    "json-list-type-480": (
        "json",
        json.dumps(
            {"schema_version": 1, "service": {"name": "s"}, "types": {"T": {"export": True, "fields": {"x": _nest(480, "string")}}}}
        ),
    ),
    "json-flow-return-350": (
        "json",
        json.dumps(
            {
                "schema_version": 1,
                "service": {"name": "s"},
                "clients": {"c": {}},
                "flows": {"f": {"client": "c", "steps": [{"return": _nest(350, 1)}]}},
            }
        ),
    ),
    "type-expression-nullable-parens-2000": (
        "yaml",
        HEADER + "types:\n  T:\n    export: true\n    fields:\n      x: '" + "(" * 2000 + "string" + ")" * 2000 + "'\n",
    ),
    "type-expression-union-20000": (
        "yaml",
        HEADER + "types:\n  T:\n    export: true\n    fields:\n      x: '" + " | ".join(["string", "int"] * 10000) + "'\n",
    ),
    "billion-laughs": ("yaml", _billion_laughs()),
    "billion-laughs-in-manifest": ("yaml", HEADER + _billion_laughs().replace("a0:", "types:\n  a0:", 1).replace("\na", "\n  a")),
    "billion-laughs-as-args": (
        "yaml",
        _billion_laughs() + HEADER + "flows:\n  f:\n    client: c\n    steps:\n      - call: x.y\n        args: *a9\n",
    ),
    "recursive-alias": ("yaml", "a: &a [*a]\n"),
    "recursive-alias-map": ("yaml", "a: &a {b: *a}\n"),
    "undefined-alias": ("yaml", "a: *nothing\n"),
    "huge-string-value": ("yaml", HEADER.replace("svc", "x" * 2_000_000)),
    "huge-key": ("yaml", HEADER + "x" * 500_000 + ": 1\n"),
    "huge-single-line": ("yaml", "a: [" + ", ".join(["1"] * 200_000) + "]\n"),
    "many-types": ("yaml", HEADER + "types:\n" + "".join(f"  T{i}: {{fields: {{t: T{i + 1}?, u: [T{i // 2}]}}}}\n" for i in range(3_000))),
    "many-endpoints": (
        "yaml",
        HEADER
        + "clients: {c: {resource: [g]}}\nendpoints:\n"
        + "".join(f"  g.e{i}: {{method: GET, path: '/e/{{a}}/{i}'}}\n" for i in range(5_000)),
    ),
    "repeated-path-param": ("yaml", HEADER + "endpoints:\n  a.b:\n    method: GET\n    path: /" + "{x}" * 2_000 + "\n"),
    "huge-binding": ("yaml", HEADER + "flows:\n  f:\n    client: c\n    steps:\n      - return: '${input" + ".a" * 50_000 + "}'\n"),
    "huge-interpolation": ("yaml", HEADER + "flows:\n  f:\n    client: c\n    steps:\n      - return: '" + "${input.a}:" * 20_000 + "'\n"),
    "long-alias-chain": ("yaml", _alias_chain(300)),
    "alias-cycle-300": ("yaml", _alias_chain(300).replace("T0: {alias: string", "T0: {alias: T299")),
    "long-flow-chain": (
        "yaml",
        HEADER
        + "clients:\n  c: {}\nflows:\n"
        + "".join(f"  f{i}:\n    client: c\n    steps:\n      - call: f{i + 1}\n" for i in range(1500))
        + "  f1500:\n    client: c\n    steps:\n      - return: 1\n",
    ),
    "many-documents": ("yaml", "---\na: 1\n" * 10_000),
    "null-bytes": ("yaml", "a: \x00\n"),
}


# Valid manifests of thousands of declarations: the suite compiles them but emits them only in
# `make fuzz` (emission is linear, ~10 s for the 5000 endpoints with every backend; `make bench`
# measures its scaling).
SCALE_CASES = {"many-endpoints", "many-types", "long-flow-chain", "type-expression-union-20000"}


@pytest.mark.parametrize("name", list(PATHOLOGICAL))
def test_pathological_input(name: str) -> None:
    fmt, text = PATHOLOGICAL[name]
    with fuzzing("pathological (fixed cases)"):
        compile_text(text, fmt=fmt, emit=name not in SCALE_CASES or fuzz_stats.BUDGET > fuzz_stats.DEFAULT_BUDGET)


# The worst inputs, in a child process whose address space is capped: a loader that expanded an
# alias bomb, or a stage that copied a huge input many times over, would die of MemoryError there.
MEMORY_CAP = 1 << 30  # 1 GiB of address space; the interpreter with tinkc and every backend needs ~0.3
WORST = [
    "billion-laughs",
    "billion-laughs-in-manifest",
    "billion-laughs-as-args",
    "recursive-alias",
    "huge-string-value",
    "huge-single-line",
    "yaml-flow-lists-3000",
    "json-lists-5000",
    "type-expression-nested-3000",
]
CAPPED_CHILD = """
import json, resource, sys
resource.setrlimit(resource.RLIMIT_AS, (CAP, CAP))
sys.path[:0] = [DIR, TESTS]
import test_fuzz
test_fuzz.PARSE_CHECK = False
for name in json.loads(sys.argv[1]):
    fmt, text = test_fuzz.PATHOLOGICAL[name]
    sink = test_fuzz.compile_text(text, fmt=fmt)
    print(name, len(sink.items), flush=True)
# and the largest bomb the strategy draws, 12 aliases wide and 14 levels deep
bomb = "[&a0 x, " + ", ".join(f"&a{i} [" + ", ".join([f"*a{i - 1}"] * 12) + "]" for i in range(1, 15)) + "]"
sink = test_fuzz.compile_text("bombs: " + bomb + "\\n" + test_fuzz.HEADER)
assert [d.code for d in sink.items] == ["load.too-large"], sink.items
print("bomb-12x14", len(sink.items), flush=True)
"""


def test_the_worst_inputs_fit_in_a_capped_address_space() -> None:
    resource = pytest.importorskip("resource")  # POSIX only
    del resource
    here = Path(__file__).resolve().parent
    code = CAPPED_CHILD.replace("CAP", str(MEMORY_CAP)).replace("DIR", repr(str(here))).replace("TESTS", repr(str(here.parent)))
    proc = subprocess.run(
        [sys.executable, "-c", code, json.dumps(WORST)], capture_output=True, text=True, check=False, cwd=here.parent.parent
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert [line.split()[0] for line in proc.stdout.splitlines()] == [*WORST, "bomb-12x14"]
    fuzz_stats.TRIED["pathological under RLIMIT_AS"] += len(WORST) + 1


@pytest.mark.parametrize(
    "name", ["yaml-flow-lists-3000", "json-lists-5000", "billion-laughs", "recursive-alias", "type-expression-nested-3000"]
)
def test_pathological_input_from_a_file(workdir: Path, name: str) -> None:
    fmt, text = PATHOLOGICAL[name]
    compile_file(write(workdir / "patho", f"{name}.{fmt}", text))


def test_import_cycles_and_missing_imports(workdir: Path) -> None:
    d = workdir / "imports"
    write(d, "root.yaml", HEADER + "imports: [a.yaml, missing.yaml, '', sub]\n")
    write(d, "a.yaml", "imports: [b.yaml]\ntypes: {A: {alias: string}}\n")
    write(d, "b.yaml", "imports: [a.yaml, root.yaml]\ntypes: {A: {alias: int}}\nservice: {name: x}\n")
    (d / "sub").mkdir(exist_ok=True)
    result = compile_file(d / "root.yaml")
    assert result.sink.has_errors


def test_the_alias_cycle_check_follows_each_alias_once() -> None:
    """A chain of n aliases (`T1: {alias: T0}`, …) costs O(n) lookups, not O(n²) or worse. Work is
    counted, not timed: tests do not assert wall-clock times."""
    from types import SimpleNamespace

    from tinkc.passes.type_declarations import _alias_cycles

    class CountingDict(dict):  # type: ignore[type-arg]
        lookups = 0

        def get(self, key, default=None):  # type: ignore[no-untyped-def]
            CountingDict.lookups += 1
            return super().get(key, default)

        def __getitem__(self, key):  # type: ignore[no-untyped-def]
            CountingDict.lookups += 1
            return super().__getitem__(key)

    n = 1500
    sink = Sink()
    manifest = load_text(_alias_chain(n), "chain.yaml", sink)
    assert manifest is not None
    api = lower(manifest, sink)
    assert api is not None
    assert not run_passes(api, Result(sink=sink)).sink.has_errors  # the whole pipeline completes
    types = CountingDict(api.types)
    _alias_cycles(SimpleNamespace(types=types), Sink())  # type: ignore[arg-type]
    assert CountingDict.lookups <= 4 * n, f"{CountingDict.lookups} lookups for {n} aliases"


def test_rendering_splits_each_file_into_lines_once() -> None:
    """2000 warnings of one 1 MB file are rendered without splitting the file again for each
    (which made rendering quadratic). Counted, not timed."""

    class CountingText(str):
        splits = 0

        def splitlines(self, keepends: bool = False) -> list[str]:  # type: ignore[override]
            CountingText.splits += 1
            return super().splitlines(keepends)

    text = (
        HEADER
        + "".join(f"# padding {i:05} {'x' * 40}\n" for i in range(20_000))
        + "types:\n"
        + "".join(f"  T{i}: {{fields: {{t: string}}}}\n" for i in range(2000))
    )
    sink = Sink()
    manifest = load_text(text, "big.yaml", sink)
    assert manifest is not None
    api = lower(manifest, sink)
    assert api is not None
    run_passes(api, Result(sink=sink))
    assert len(sink.items) >= 2000
    rendered = render_text(sink.items, {"big.yaml": CountingText(text)})
    assert rendered.count("warning[unused.type]") >= 2000
    assert CountingText.splits == 1
