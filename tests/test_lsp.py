"""`tinkc lsp`: the language server, driven over real stdin/stdout pipes as an editor drives it.

* every case of tests/broken/ opened in the editor gets, at its file's URI, exactly the errors that
  tests/test_broken_manifests.py expects of `tinkc check` (code, line, column), with 0-based ranges;
* a change that fixes the manifest publishes an empty list; a file whose problems are gone is told so;
* an imported file's error is published to the imported file, and a change to it re-checks the
  manifest that imports it; an imported file opened alone is checked through the manifest beside it;
* columns are UTF-16 code units on lines with non-ASCII text;
* an internal error becomes a log message and the server goes on; shutdown/exit ends it with 0.

The debouncing of changes is tested on :class:`tinkc.lsp.Debouncer` with a fake clock.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from lspclient import LspClient, uri_of
from test_broken_manifests import CASES, ROOT, case_entry

from tinkc.diagnostics import Diagnostic, Severity
from tinkc.ir.span import Span
from tinkc.lsp import Checker, Debouncer, to_lsp, to_range, utf16_units

SERVER = [sys.executable, "-m", "tinkc", "lsp", "--debounce-ms", "20"]
PUBLISH = "textDocument/publishDiagnostics"


@pytest.fixture
def client() -> Iterator[LspClient]:
    c = LspClient(SERVER, cwd=ROOT)
    try:
        c.initialize(ROOT)
        yield c
    finally:
        c.kill()


def collect(client: LspClient, paths: set[Path]) -> dict[Path, list[dict[str, Any]]]:
    """The next publishDiagnostics of each of ``paths`` (one check publishes them in a row)."""
    by_uri = {uri_of(p): p for p in paths}
    got: dict[Path, list[dict[str, Any]]] = {}
    while len(got) < len(paths):
        m = client.wait(lambda m: m.get("method") == PUBLISH and m["params"]["uri"] in by_uri and by_uri[m["params"]["uri"]] not in got)
        got[by_uri[m["params"]["uri"]]] = m["params"]["diagnostics"]
    return got


def character(path: Path, line: int, col: int) -> int:
    """A 1-based code-point column of ``path``'s line as LSP counts it (0-based, UTF-16)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    text = lines[line - 1] if line <= len(lines) else ""  # an empty file's error is at 1:1
    return len(text[: col - 1].encode("utf-16-le")) // 2


# cases an editor cannot hold as text: the client has no UTF-8 text to send for a file that is not UTF-8
NOT_TEXT = {"load_not_utf8", "load_binary"}


# files that say nothing of being a manifest (no `schema_version`, no `service`, imported by no
# manifest): the server leaves them alone, as it does every other YAML file an editor opens
NOT_MANIFEST = {"load_empty", "load_whitespace_only", "load_top_level_list"}


def test_broken_cases_publish_the_expected_errors(client: LspClient) -> None:
    problems = []
    for name in sorted(set(CASES) - NOT_TEXT - NOT_MANIFEST):
        entry = case_entry(name).resolve()
        files = {entry, *(entry.parent / e.file for e in CASES[name].errors if e.file)}
        client.open(entry)
        published = collect(client, files)
        actual = Counter(
            (d["code"], path, d["range"]["start"]["line"] + 1) for path, found in published.items() for d in found if d["severity"] == 1
        )
        wanted = Counter((e.code, (entry.parent / e.file) if e.file else entry, e.line) for e in CASES[name].errors)
        if actual != wanted:
            problems.append(f"{name}: expected {sorted(wanted.elements())}, published {sorted(actual.elements())}")
            continue
        for e in CASES[name].errors:
            path = (entry.parent / e.file) if e.file else entry
            starts = [d["range"]["start"]["character"] for d in published[path] if d["code"] == e.code]
            if e.col is not None and character(path, e.line, e.col) not in starts:
                problems.append(f"{name}: {e.code} starts at characters {starts}, expected {character(path, e.line, e.col)}")
        assert all(d["source"] == "tinkc" for found in published.values() for d in found)
        client.close(entry)
    assert not problems, "\n".join(problems)
    assert client.stop() == 0


def test_yaml_files_that_are_no_manifest_are_left_alone(client: LspClient, tmp_path: Path) -> None:
    workflow = tmp_path / "ci.yaml"
    workflow.write_text("on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n", encoding="utf-8")
    paths = [workflow, *(case_entry(name).resolve() for name in sorted(NOT_MANIFEST))]
    for path in paths:
        client.open(path)
    uris = {uri_of(p) for p in paths}
    assert [m for m in client.drain() if m.get("method") == PUBLISH and m["params"]["uri"] in uris] == []
    # once it says it is a manifest, it is checked
    client.change(workflow, "schema_version: 1\n", version=2)
    assert [d["code"] for d in client.diagnostics(workflow)] == ["manifest.missing-service"]


def test_a_range_is_zero_based_and_the_hint_follows_the_message(client: LspClient) -> None:
    path = ROOT / "tests" / "broken" / "ref_unknown_type.yaml"
    client.open(path)
    [d] = client.diagnostics(path)
    # `    response: Pett` is line 12, the name at columns 15-18 (1-based, end exclusive)
    assert d["range"] == {"start": {"line": 11, "character": 14}, "end": {"line": 11, "character": 18}}
    assert d["severity"] == 1
    assert d["code"] == "ref.unknown-type"
    assert d["message"] == "unknown type `Pett`\nhint: did you mean `Pet`?"


def test_a_change_that_fixes_the_manifest_publishes_no_diagnostics(client: LspClient, tmp_path: Path) -> None:
    path = tmp_path / "manifest.yaml"
    broken = (ROOT / "tests" / "broken" / "ref_unknown_type.yaml").read_text(encoding="utf-8")
    path.write_text(broken, encoding="utf-8")
    client.open(path)
    assert [d["code"] for d in client.diagnostics(path)] == ["ref.unknown-type"]
    client.change(path, broken.replace("Pett", "Pet"), version=2)  # not saved: the buffer is checked, not the file
    assert client.diagnostics(path) == []
    client.change(path, broken, version=3)
    assert [d["code"] for d in client.diagnostics(path)] == ["ref.unknown-type"]
    client.save(path, broken.replace("Pett", "Pet"))
    assert client.diagnostics(path) == []


MANIFEST = """\
schema_version: 1
imports: [types/pets.yaml]
service:
  name: demo
clients:
  pets:
    resource: pets
endpoints:
  pets.get:
    method: GET
    path: /pets/{pet_id}
    response: Pet
"""
TYPES = """\
types:
  Pet:
    fields:
      id: string
      owner: Owner
  Owner:
    fields:
      name: string
"""


def test_an_imported_files_error_is_published_to_it(client: LspClient, tmp_path: Path) -> None:
    manifest, types = tmp_path / "manifest.yaml", tmp_path / "types" / "pets.yaml"
    types.parent.mkdir()
    manifest.write_text(MANIFEST, encoding="utf-8")
    types.write_text(TYPES, encoding="utf-8")
    client.open(manifest)
    assert client.diagnostics(manifest) == []
    client.open(types)  # opened after its manifest: the manifest is checked again (a file without problems is not named)
    assert client.diagnostics(manifest) == []
    bad = TYPES.replace("owner: Owner", "owner: Ownr")
    client.change(types, bad, version=2)  # an unsaved change of the imported file re-checks the manifest
    published = collect(client, {manifest, types})
    assert published[manifest] == []
    [d] = published[types]
    assert (d["code"], d["range"]["start"]) == ("ref.unknown-type", {"line": 4, "character": 13})
    client.change(types, TYPES, version=3)
    assert collect(client, {manifest, types}) == {manifest: [], types: []}  # the error is gone from types/pets.yaml


def test_an_imported_file_opened_alone_is_checked_through_its_manifest(client: LspClient, tmp_path: Path) -> None:
    manifest, types = tmp_path / "manifest.yaml", tmp_path / "types" / "pets.yaml"
    types.parent.mkdir()
    manifest.write_text(MANIFEST, encoding="utf-8")
    types.write_text(TYPES.replace("owner: Owner", "owner: Ownr"), encoding="utf-8")
    client.open(types)
    published = collect(client, {manifest, types})
    assert [d["code"] for d in published[types]] == ["ref.unknown-type"]
    assert published[manifest] == []  # not `manifest.missing-service`: types/pets.yaml is no manifest of its own


NON_ASCII = """\
schema_version: 1
service:
  name: demo
clients:
  pets:
    resource: pets
endpoints:
  pets.get:
    method: GET
    path: /pets/{pet_id}
    response: Pet
types:
  Pet: {doc: "Ein Haustier 🐈 (Kätzchen)", fields: {id: string, owner: Ownr}}
"""


def test_columns_are_utf16_code_units(client: LspClient, tmp_path: Path) -> None:
    path = tmp_path / "manifest.yaml"
    path.write_text(NON_ASCII, encoding="utf-8")
    client.open(path)
    [d] = client.diagnostics(path)
    line = NON_ASCII.splitlines()[12]
    # the cat is one code point (tinkc's column) but two UTF-16 code units (the editor's)
    start = line.index("Ownr") + 1
    assert d["code"] == "ref.unknown-type"
    assert d["range"] == {"start": {"line": 12, "character": start}, "end": {"line": 12, "character": start + 4}}


def test_an_internal_error_is_logged_and_the_server_goes_on(tmp_path: Path) -> None:
    # a tinkc bug stand-in: lowering raises for a service named `crash`
    crash = (
        "import tinkc.frontend.lower as m\n"
        "real = m.lower\n"
        "def lower(manifest, sink):\n"
        "    if 'name: crash' in next(iter(manifest.sources.values())):\n"
        "        raise RuntimeError('boom')\n"
        "    return real(manifest, sink)\n"
        "m.lower = lower\n"
        "from tinkc.cli import main\n"
        "raise SystemExit(main(['lsp']))\n"
    )
    client = LspClient([sys.executable, "-c", crash], cwd=ROOT)
    try:
        client.initialize(ROOT)
        bad, good = tmp_path / "bad.yaml", tmp_path / "good.yaml"
        bad.write_text("schema_version: 1\nservice:\n  name: crash\n", encoding="utf-8")
        good.write_text(NON_ASCII.replace("Ownr", "Pet"), encoding="utf-8")
        client.open(bad)
        log = client.wait(lambda m: m.get("method") == "window/logMessage")
        assert log["params"]["type"] == 1  # Error
        assert "internal error" in log["params"]["message"] and "RuntimeError: boom" in log["params"]["message"]
        client.open(good)
        assert client.diagnostics(good) == []
        assert client.stop() == 0
    finally:
        client.kill()


# -- the parts without I/O -------------------------------------------------------------------------


def test_utf16_units() -> None:
    assert utf16_units("abc") == 3
    assert utf16_units("é") == 1  # in the Basic Multilingual Plane: one unit
    assert utf16_units("🐈") == 2  # beyond it: a surrogate pair


def test_to_range_converts_columns_on_each_end_line() -> None:
    lines = ["x: 🐈🐈 y", "ab"]
    span = Span(file="m.yaml", line=1, col=7, end_line=2, end_col=2)  # from `y` (code point 7) to line 2, column 2
    r = to_range(span, lines)
    assert (r.start.line, r.start.character, r.end.line, r.end.character) == (0, 8, 1, 1)
    past = to_range(Span(file="m.yaml", line=2, col=3, end_line=2, end_col=4), lines)  # a caret after the last character
    assert (past.start.character, past.end.character) == (2, 3)


def test_to_lsp_keeps_code_severity_hint_and_notes() -> None:
    d = Diagnostic(code="x.y", severity=Severity.WARNING, message="m", span=None, hint="h", notes=("n",))
    out = to_lsp(d, [])
    assert (out.code, out.severity, out.source, out.message) == ("x.y", 2, "tinkc", "m\nhint: h\nnote: n")
    assert (out.range.start.line, out.range.start.character) == (0, 0)


def test_a_file_whose_diagnostics_are_gone_gets_an_empty_list(tmp_path: Path) -> None:
    checker = Checker()
    root, other = tmp_path / "m.yaml", tmp_path / "t.yaml"
    d = Diagnostic(code="c", severity=Severity.ERROR, message="m", span=Span(file=str(other), line=1, col=1, end_line=1, end_col=2))
    first = checker.record(root, [root, other], [d], {str(other): "x\n"})
    assert list(first) == [root, other] and first[root] == [] and [x.code for x in first[other]] == ["c"]
    assert checker.record(root, [root, other], [], {}) == {root: [], other: []}
    assert checker.record(root, [root, other], [], {}) == {root: []}  # nothing left to clear
    assert checker.roots_of(other) == [root]


class FakeClock:
    """``call_later`` of an event loop whose time moves only when the test says."""

    def __init__(self) -> None:
        self.now = 0.0
        self.timers: list[list[Any]] = []  # [due, fn, cancelled]

    def call_later(self, delay: float, fn: Callable[[], None]) -> Any:
        timer = [self.now + delay, fn, False]
        self.timers.append(timer)

        class Handle:
            def cancel(self) -> None:
                timer[2] = True

        return Handle()

    def advance(self, seconds: float) -> None:
        self.now += seconds
        for timer in [t for t in self.timers if t[0] <= self.now and not t[2]]:
            self.timers.remove(timer)
            timer[1]()


def test_rapid_changes_are_checked_once_after_a_quiet_period() -> None:
    clock, runs = FakeClock(), []
    debouncer = Debouncer(0.3, clock.call_later)
    for i in range(5):  # five keystrokes 0.1 s apart
        debouncer.later("m.yaml", lambda i=i: runs.append(i))
        clock.advance(0.1)
    assert runs == []
    clock.advance(0.2)
    assert runs == [4]  # the last text only
    assert debouncer.pending == 0


def test_a_save_is_checked_at_once_and_cancels_the_pending_check() -> None:
    clock, runs = FakeClock(), []
    debouncer = Debouncer(0.3, clock.call_later)
    debouncer.later("m.yaml", lambda: runs.append("change"))
    debouncer.later("t.yaml", lambda: runs.append("other file"))
    debouncer.now("m.yaml", lambda: runs.append("save"))
    assert runs == ["save"]
    clock.advance(1)
    assert runs == ["save", "other file"]  # the other file's pending check still runs


def test_other_commands_do_not_import_pygls() -> None:
    import subprocess

    code = "import sys\nfrom tinkc.cli import main\nmain(['check'])\nprint(sorted(m for m in ('pygls', 'lsprotocol', 'tinkc.lsp') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert out.splitlines()[-1] == "[]"


def test_diagnostics_go_to_the_uri_the_editor_opened(client: LspClient, tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "link").symlink_to(real, target_is_directory=True)
    text = (ROOT / "tests" / "broken" / "ref_unknown_type.yaml").read_text(encoding="utf-8")
    (real / "manifest.yaml").write_text(text, encoding="utf-8")
    uri = (tmp_path / "link" / "manifest.yaml").as_uri()  # through the symlink, not resolved
    client.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": text}})
    published = client.wait(lambda m: m.get("method") == PUBLISH)
    assert published["params"]["uri"] == uri
    assert [d["code"] for d in published["params"]["diagnostics"]] == ["ref.unknown-type"]


def test_closing_a_manifest_clears_its_diagnostics(client: LspClient, tmp_path: Path) -> None:
    path = tmp_path / "manifest.yaml"
    broken = (ROOT / "tests" / "broken" / "ref_unknown_type.yaml").read_text(encoding="utf-8")
    path.write_text(broken.replace("Pett", "Pet"), encoding="utf-8")
    client.open(path, broken)  # the buffer differs from the file
    assert [d["code"] for d in client.diagnostics(path)] == ["ref.unknown-type"]
    client.close(path)  # closed without saving
    assert client.diagnostics(path) == []


def test_a_place_named_in_a_hint_is_related_information(client: LspClient) -> None:
    entry = case_entry("import_duplicate_type").resolve()
    types = entry.parent / "types.yaml"
    client.open(entry)
    [d] = collect(client, {entry, types})[types]
    # the hint says `first declared at tests/broken/import_duplicate_type/manifest.yaml:15:3`
    assert d["message"].endswith("first declared at tests/broken/import_duplicate_type/manifest.yaml:15:3")
    [related] = d["relatedInformation"]
    assert related["location"] == {
        "uri": uri_of(entry),
        "range": {"start": {"line": 14, "character": 2}, "end": {"line": 14, "character": 3}},
    }
