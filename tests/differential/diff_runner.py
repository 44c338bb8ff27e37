"""Differential testing (docs/differential.md): one manifest, its three SDKs, one scenario, the same
behaviour everywhere.

For a manifest and a derived scenario the runner builds the Python, TypeScript and Elixir SDKs with
`tinkc build`, prepares each conformance driver (``Backend.conformance_driver``: tsc and `mix
compile` — the compile check; for Python an import of the package), runs the scenario's calls in
one driver process per SDK against a `tinkc mock` of the manifest each, and compares:

* **outcomes**, call by call: ok or the error kind (with status / category), the result JSON,
  the queue states the observer saw;
* **the wire**, endpoint by endpoint in arrival order: method, decoded path and path parameters,
  query, JSON body, and the headers that carry meaning (auth, fixed headers, content type, accept,
  idempotency key — the key's value replaced by its order of first appearance, so retries under one
  key read the same in every SDK while the random keys themselves are ignored); SDK-identity headers
  (user-agent and the like) are left out;
* **expectations** the manifest determines (``expect`` of a call), per SDK, by the harness's rules.

Run as a program, it is `make differential`: ``TINKC_DIFF_EXAMPLES`` (default 200) random manifests,
``TINKC_DIFF_SEED`` (default 0), each difference shrunk and written out as a candidate fixture,
counts printed at the end.
"""

from __future__ import annotations

import ast
import concurrent.futures
import contextlib
import copy
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(HERE))

from tinkc.backends import registry  # noqa: E402
from tinkc.backends.base import DriverCommand  # noqa: E402
from tinkc.conformance.harness import Scenario, _parse_outcomes, _start_driver, background_endpoints, check_outcome, driver_request  # noqa: E402
from tinkc.mock import running_mock  # noqa: E402

TARGETS = ("python", "typescript", "elixir")
TINKC = str(Path(sys.executable).with_name("tinkc"))
DRIVER_TIMEOUT = 180
# Headers that say who is calling (they differ by language on purpose) or how the bytes travel.
IGNORED_HEADERS = {
    "user-agent", "host", "content-length", "accept-encoding", "connection", "keep-alive", "transfer-encoding",
    "x-stainless-lang", "x-stainless-runtime", "x-stainless-runtime-version", "x-stainless-os", "x-stainless-arch",
    "x-stainless-package-version", "x-stainless-async", "x-stainless-retry-count", "x-stainless-read-timeout",
    "x-sdk-language", "x-sdk-version", "x-client-language", "traceparent", "te",
    "accept-language", "sec-fetch-mode",  # Node's fetch (undici) adds these to every request
}  # fmt: skip
IDEMPOTENCY_HEADER = "x-idempotency-key"
OUTCOME_KEYS = ("ok", "result", "error", "status", "category", "queue_states", "calls")

logging.getLogger("aiohttp").addHandler(logging.NullHandler())


@dataclass
class Stats:
    manifests: int = 0
    units: int = 0
    builds: int = 0  # SDK builds compiled (prepared drivers)
    build_failures: int = 0
    scenarios: int = 0  # derived scenarios run (each in every SDK)
    driver_runs: int = 0
    calls: int = 0
    differences: int = 0
    kinds: Counter[str] = field(default_factory=Counter)

    def line(self) -> str:
        return (
            f"differential: {self.manifests} manifests tried ({self.units} units), {self.builds} SDK builds compiled"
            f" ({self.build_failures} failed to compile), {self.scenarios} scenarios run ({self.driver_runs} driver runs,"
            f" {self.calls} calls), {self.differences} differences found"
        )


STATS = Stats()


@dataclass
class SdkRun:
    target: str
    problem: str | None = None  # the SDK could not be built / compiled / run
    outcomes: list[dict[str, Any]] = field(default_factory=list)
    wire: dict[str, list[str]] = field(default_factory=dict)
    expectations: list[str] = field(default_factory=list)
    stderr: str = ""
    tree: Path | None = None  # the SDK tree it ran in (several cases' when they were built as one)
    api: Any = None


@dataclass
class Report:
    manifest: dict[str, Any]
    scenario: dict[str, Any]
    runs: dict[str, SdkRun]
    differences: list[str]
    member: Member | None = None  # the case as its batch ran it (renamed apart from the others)

    @property
    def failed(self) -> bool:
        return bool(self.differences)

    def explain(self) -> str:
        dump = lambda d: yaml.safe_dump(d, allow_unicode=True, sort_keys=False, width=120)  # noqa: E731
        parts = [
            "differences:",
            *(f"  {d}" for d in self.differences),
            "",
            "manifest:",
            dump(self.manifest),
            "scenario:",
            dump(self.scenario),
        ]
        for run in self.runs.values():
            if run.stderr.strip() and (run.problem or any(d.startswith(run.target) for d in self.differences)):
                parts += [f"{run.target} driver stderr (tail):", run.stderr[-1500:]]
        return "\n".join(parts)


# ---- build and prepare


def build(manifest: dict[str, Any], work: Path, targets: tuple[str, ...] = TARGETS) -> tuple[Any, dict[str, Path], dict[str, str]]:
    """Write the manifest, `tinkc build` the three SDKs, compile the API for the mock. Returns the
    API, each target's tree and each target's problem (build failure)."""
    from tinkc.pipeline import compile_manifest

    work.mkdir(parents=True, exist_ok=True)
    path = work / "manifest.yaml"
    path.write_text(yaml.safe_dump(manifest, allow_unicode=True, sort_keys=False), encoding="utf-8")
    out = work / "sdk"
    proc = subprocess.run(
        [TINKC, "build", str(path), "--target", ",".join(targets), "--out", str(out)], capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        return None, {}, {t: f"tinkc build failed:\n{proc.stdout}{proc.stderr}" for t in targets}
    result = compile_manifest(path)
    assert result.api is not None
    # one target is written into --out itself, several each into a folder of its own
    return result.api, {t: out / t if len(targets) > 1 else out for t in targets}, {}


AST_LOCK = threading.Lock()  # CPython 3.11's ast.parse in two threads at once: "AST constructor recursion depth mismatch"


def python_check(tree: Path) -> str | None:
    """Every emitted Python file parses, and the package imports."""
    for path in sorted(tree.rglob("*.py")):
        try:
            with AST_LOCK:
                ast.parse(path.read_text(encoding="utf-8"), str(path))
        except SyntaxError as exc:
            return f"{path.relative_to(tree)} does not parse: {exc}"
    packages = [p.name for p in (tree / "src").iterdir() if (p / "__init__.py").is_file()]
    code = "; ".join(f"import {p}, {p}.clients, {p}.types" for p in packages)
    proc = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tree,
        env={**os.environ, "PYTHONPATH": str(tree / "src")},
        capture_output=True,
        text=True,
        check=False,
    )
    return None if proc.returncode == 0 else f"import of the Python SDK failed:\n{proc.stderr[-3000:]}"


def prepare(target: str, tree: Path) -> DriverCommand:
    backend = registry.available()[target].load()()
    if target == "python":
        problem = python_check(tree)
        if problem:
            raise RuntimeError(problem)
    command = backend.conformance_driver(tree)
    assert command is not None
    return command


def prepare_all(trees: dict[str, Path], targets: tuple[str, ...] = TARGETS) -> tuple[dict[str, DriverCommand], dict[str, str]]:
    commands: dict[str, DriverCommand] = {}
    problems: dict[str, str] = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        futures = {t: pool.submit(prepare, t, trees[t]) for t in targets}
        for t, fut in futures.items():
            try:
                commands[t] = fut.result()
                STATS.builds += 1
            except Exception as exc:  # noqa: BLE001 - a failed compile is a finding, reported as text
                problems[t] = f"{type(exc).__name__}: {str(exc)[-4000:]}"
                STATS.build_failures += 1
    return commands, problems


# ---- run one SDK


def driver_calls(scenario: dict[str, Any]) -> list[dict[str, Any]]:
    """The scenario's calls as the driver reads them (the report-only `fault` key left out)."""
    return [{k: v for k, v in call.items() if k != "fault"} for call in scenario["calls"]]


def normal_outcome(outcome: dict[str, Any]) -> dict[str, Any]:
    return {k: outcome[k] for k in OUTCOME_KEYS if k in outcome and not (k == "queue_states" and not outcome[k])}


def wire_of(records: list[dict[str, Any]], background: set[str]) -> dict[str, list[str]]:
    keys: dict[str, str] = {}
    wire: dict[str, list[str]] = defaultdict(list)
    for r in records:
        endpoint = r["endpoint"] or "(no endpoint)"
        if endpoint in background:
            continue
        headers = {}
        for name, value in sorted(r["headers"].items()):
            if name in IGNORED_HEADERS:
                continue
            if name == IDEMPOTENCY_HEADER:
                value = keys.setdefault(value, f"<key {len(keys) + 1}>")
            elif name == "content-type":
                value = value.split(";")[0].strip().lower()
            headers[name] = value
        line = {
            "method": r["method"],
            "path": r["path"],
            "path_params": r["path_params"],
            "query": r["query"],
            "body": r["body"] if r["body_kind"] in ("json", "empty") else {r["body_kind"]: r["body"]},
            "headers": headers,
        }
        wire[endpoint].append(json.dumps(line, sort_keys=True, ensure_ascii=False))
    return dict(wire)


def run_sdk(target: str, command: DriverCommand, api: Any, scenario: dict[str, Any]) -> SdkRun:
    """One driver run of ``scenario`` against a mock of its own; outcomes, wire and expectations."""
    raw = run_driver(command, api, scenario)
    run = SdkRun(target, problem=raw.problem, outcomes=raw.outcomes, stderr=raw.stderr)
    run.wire = wire_of(raw.records, raw.background)
    if raw.duplicates:
        run.expectations.append(f"a request was executed twice under one key: {raw.duplicates}")
    check_expectations(run, scenario)
    return run


@dataclass
class DriverRun:
    """What one driver process did: its outcomes and the requests its mock saw."""

    problem: str | None
    outcomes: list[dict[str, Any]]
    records: list[dict[str, Any]]
    background: set[str]
    duplicates: list[Any]
    stderr: str


def run_driver(command: DriverCommand, api: Any, scenario: dict[str, Any]) -> DriverRun:
    problem = None
    data = {**scenario, "calls": driver_calls(scenario)}
    with running_mock(api) as mock:
        request, env = driver_request(Scenario("differential", Path("differential.yaml"), data), mock.url)
        proc = _start_driver(command, request, env)
        try:
            stdout, stderr = proc.communicate(timeout=DRIVER_TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            stdout, stderr = proc.communicate()
            problem = f"the driver did not finish within {DRIVER_TIMEOUT} s"
        STATS.driver_runs += 1
        if proc.returncode != 0 and problem is None:
            problem = f"the driver exited with status {proc.returncode}"
        # each SDK has a mock of its own: its URL (in a redirect's Location, say) reads the same
        outcomes, problems = _parse_outcomes(stdout.replace(mock.url, "http://mock"))
        if problems:
            problem = "; ".join(problems)
        records = mock.requests()
        duplicates = mock.idempotency()["duplicates"]
    return DriverRun(problem, outcomes, records, background_endpoints(api), duplicates, stderr)


def check_expectations(run: SdkRun, scenario: dict[str, Any]) -> None:
    outcomes = run.outcomes
    for number, (call, outcome) in enumerate(zip(scenario["calls"], outcomes, strict=False), 1):
        if "expect" in call:
            for problem in check_outcome(call["expect"], outcome):
                run.expectations.append(f"call {number} ({describe(call)}): {problem}")
    if len(outcomes) != len(scenario["calls"]):
        run.expectations.append(f"{len(outcomes)} outcomes for {len(scenario['calls'])} calls")


def describe(call: dict[str, Any]) -> str:
    if "method" in call:
        text = f"{call['client']}.{call['method']}"
        if call.get("async"):
            text += " async"
        if "fault" in call:
            text += f" [fault {call['fault']}]"
        return text
    for key in ("scenario", "open", "close"):
        if key in call:
            return f"{key} {json.dumps(call[key])[:80]}"
    return "entry"


# ---- compare


def compare(runs: dict[str, SdkRun], scenario: dict[str, Any]) -> list[str]:
    differences: list[str] = []
    for target, run in runs.items():
        if run.problem:
            differences.append(f"{target}: {run.problem.splitlines()[0] if run.problem else ''}")
            differences.extend(f"{target}:   {line}" for line in run.problem.splitlines()[1:40])
    ok = {t: r for t, r in runs.items() if not r.problem or r.outcomes}
    for target, run in ok.items():
        differences.extend(f"{target}: expect: {p}" for p in run.expectations)
    if len(ok) < 2:
        return differences
    calls = scenario["calls"]
    for i, call in enumerate(calls):
        seen = {
            t: json.dumps(normal_outcome(r.outcomes[i]), sort_keys=True, ensure_ascii=False) if i < len(r.outcomes) else "(no outcome)"
            for t, r in ok.items()
        }
        if len(set(seen.values())) > 1:
            differences.append(f"outcome of call {i + 1} ({describe(call)}): " + " | ".join(f"{t} {v}" for t, v in seen.items()))
    endpoints = sorted({e for r in ok.values() for e in r.wire})
    for endpoint in endpoints:
        lines = {t: r.wire.get(endpoint, []) for t, r in ok.items()}
        if len({json.dumps(v) for v in lines.values()}) == 1:
            continue
        counts = {t: len(v) for t, v in lines.items()}
        if len(set(counts.values())) > 1:
            differences.append(f"wire {endpoint}: request counts " + ", ".join(f"{t} {n}" for t, n in counts.items()))
        for j in range(max(counts.values())):
            at = {t: v[j] if j < len(v) else "(none)" for t, v in lines.items()}
            if len(set(at.values())) > 1:
                differences.append(f"wire {endpoint} request {j + 1}:")
                differences.extend(f"    {t}: {line}" for t, line in at.items())
                break
    return differences


def run_case(
    manifest: dict[str, Any], scenario: dict[str, Any], work: Path, *, plant: Any = None, targets: tuple[str, ...] = TARGETS
) -> Report:
    """Build, compile, run and compare one manifest's scenario. ``plant(target, tree)``, when given,
    edits an emitted tree before its driver is prepared (the planted-divergence test)."""
    return run_batch([Member("case", manifest, scenario)], work, targets=targets, plant=plant)["case"]


# ---- batches: several cases built as one manifest, one compile per toolchain
#
# A case's names all carry its units' prefixes (`u0.op1`, `U0R3`, `u0_retry0`, `u0c`), so cases
# whose manifests agree outside their units (service, shared definitions such as
# `futures.retrieve`) are merged into one manifest, their units renumbered apart, and their
# scenarios run one after the other in one driver process per SDK. Each case is then judged on its
# own slice: its calls' outcomes, the requests to its endpoints (and to shared endpoints between
# its own requests), its expectations, with its own names and call numbers. Where the merged build
# does not compile for a target, the batch is halved (that target only) until the case that breaks
# it stands alone; where a merged driver run fails, each case is run again alone on the same
# build. A case therefore fails exactly as it fails built alone, and the others are still compared.

UNIT = re.compile(r"(?<![A-Za-z0-9])([uU])(\d+)(?![0-9])")
SECTIONS = ("features", "clients", "endpoints", "flows", "types")
RESET = {"scenario": {}}  # between two cases of a merged scenario: the mock's scripts cleared


@dataclass
class Member:
    """One case of a batch, as kept or drawn; ``rename`` maps its unit numbers to the batch's."""

    name: str
    manifest: dict[str, Any]
    scenario: dict[str, Any]
    rename: dict[int, int] = field(default_factory=dict)

    def units(self) -> set[int]:
        return {int(n) for text in _strings(self.manifest) for _, n in UNIT.findall(text)}

    def forward(self, data: Any) -> Any:
        return renumbered(data, self.rename)

    def back(self, data: Any) -> Any:
        return renumbered(data, {v: k for k, v in self.rename.items()})


def _strings(data: Any) -> Any:
    if isinstance(data, dict):
        for k, v in data.items():
            yield from _strings(k)
            yield from _strings(v)
    elif isinstance(data, list):
        for v in data:
            yield from _strings(v)
    elif isinstance(data, str):
        yield data


def renumbered(data: Any, mapping: dict[int, int]) -> Any:
    """``data`` with every unit prefix (``u3``, ``U3``) renumbered by ``mapping``, in one pass."""
    if not mapping or all(k == v for k, v in mapping.items()):
        return data
    if isinstance(data, dict):
        return {renumbered(k, mapping): renumbered(v, mapping) for k, v in data.items()}
    if isinstance(data, list):
        return [renumbered(v, mapping) for v in data]
    if isinstance(data, str):
        return UNIT.sub(lambda m: f"{m.group(1)}{mapping.get(int(m.group(2)), int(m.group(2)))}", data)
    return data


@dataclass
class Group:
    """Members that merge into one manifest: the same frame (everything outside the units)."""

    frame: str
    members: list[Member] = field(default_factory=list)
    sections: dict[str, dict[str, Any]] = field(default_factory=lambda: {s: {} for s in SECTIONS})

    def admit(self, member: Member) -> bool:
        used = {n for m in self.members for n in m.rename.values()}
        own = member.units()
        rename: dict[int, int] = {}
        free = (n for n in range(10_000) if n not in used and n not in own)
        for n in sorted(own):
            rename[n] = n if n not in used else next(free)
        manifest = renumbered(member.manifest, rename)
        for section in SECTIONS:
            for key, value in (manifest.get(section) or {}).items():
                if key in self.sections[section] and self.sections[section][key] != value:
                    return False  # a shared name defined differently: not this group
        member.rename = rename
        for section in SECTIONS:
            self.sections[section].update(manifest.get(section) or {})
        self.members.append(member)
        return True


def frame_of(member: Member) -> str:
    outside = {k: v for k, v in member.manifest.items() if k not in SECTIONS}
    run = {k: v for k, v in member.scenario.items() if k not in ("calls", "doc")}
    return json.dumps([outside, run], sort_keys=True, default=str)


def grouped(members: list[Member]) -> list[Group]:
    groups: list[Group] = []
    for member in members:
        frame = frame_of(member)
        if not any(g.frame == frame and g.admit(member) for g in groups):
            group = Group(frame)
            group.admit(member)
            groups.append(group)
    return groups


def merged(members: list[Member]) -> tuple[dict[str, Any], dict[str, Any], list[tuple[int, int]]]:
    """The members' manifest and scenario as one (renamed apart), and each member's slice of the
    merged scenario's calls."""
    first = members[0].manifest
    manifest = {k: v for k, v in first.items() if k not in SECTIONS}
    for section in SECTIONS:
        merged_section: dict[str, Any] = {}
        for m in members:
            merged_section.update(m.forward(m.manifest.get(section) or {}))
        if merged_section or section in first:
            manifest[section] = merged_section
    scenario = {k: v for k, v in members[0].scenario.items() if k not in ("calls", "doc")}
    calls: list[dict[str, Any]] = []
    slices = []
    for i, m in enumerate(members):
        if i:
            calls.append(dict(RESET))
        start = len(calls)
        calls.extend(m.forward(m.scenario["calls"]))
        slices.append((start, len(calls)))
    scenario["calls"] = calls
    return manifest, scenario, slices


def run_batch(
    members: list[Member], work: Path, *, targets: tuple[str, ...] = TARGETS, plant: Any = None, parallel: int = 2
) -> dict[str, Report]:
    """Every member built, compiled, run and compared: one build per group of members that merge."""
    STATS.manifests += len(members)
    groups = grouped(members)
    results: dict[str, dict[str, SdkRun]] = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=parallel) as pool:
        for found in pool.map(lambda ig: run_group(ig[1].members, work / f"g{ig[0]}", targets, plant), enumerate(groups)):
            results.update(found)
    reports = {}
    for m in members:
        runs = {t: results[m.name][t] for t in targets if t in results[m.name]}
        if any(r.outcomes or not r.problem for r in runs.values()):
            STATS.scenarios += 1
            STATS.calls += sum(1 for c in m.scenario["calls"] if "method" in c)
        differences = compare(runs, m.scenario)
        if differences:
            STATS.differences += 1
        reports[m.name] = Report(m.manifest, m.scenario, runs, differences, member=m)
    return reports


def run_group(members: list[Member], work: Path, targets: tuple[str, ...], plant: Any = None) -> dict[str, dict[str, SdkRun]]:
    """``members`` (of one group) built as one manifest for ``targets``: each member's run per target."""
    manifest, scenario, slices = merged(members)
    results: dict[str, dict[str, SdkRun]] = {m.name: {} for m in members}
    api, trees, problems = build(manifest, work, targets)
    if api is None:
        if len(members) == 1:
            results[members[0].name] = {t: SdkRun(t, problem=p) for t, p in problems.items()}
            return results
        return split(members, work, targets, plant)
    if plant is not None:
        for target, tree in trees.items():
            plant(target, tree)
    commands, compile_problems = prepare_all(trees, targets)
    failed = tuple(t for t in targets if t in compile_problems)
    if failed and len(members) == 1:
        results[members[0].name].update({t: SdkRun(t, problem=compile_problems[t]) for t in failed})
    elif failed:
        for name, runs in split(members, work, failed, plant).items():
            results[name].update(runs)
    with concurrent.futures.ThreadPoolExecutor(max_workers=3) as pool:
        futures = {t: pool.submit(run_members, t, c, api, members, scenario, slices) for t, c in commands.items()}
        for t, fut in futures.items():
            for name, run in fut.result().items():
                run.tree, run.api = trees[t], api
                results[name][t] = run
    return results


def split(members: list[Member], work: Path, targets: tuple[str, ...], plant: Any) -> dict[str, dict[str, SdkRun]]:
    """Halves of a batch that did not build or compile for ``targets``, each built on its own."""
    half = len(members) // 2
    parts = [[Member(m.name, m.manifest, m.scenario, m.rename) for m in part] for part in (members[:half], members[half:])]
    results: dict[str, dict[str, SdkRun]] = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        for found in pool.map(lambda ip: run_group(ip[1], work / f"h{ip[0]}", targets, plant), enumerate(parts)):
            results.update(found)
    return results


def run_members(
    target: str,
    command: DriverCommand,
    api: Any,
    members: list[Member],
    scenario: dict[str, Any] | None = None,
    slices: list[tuple[int, int]] | None = None,
) -> dict[str, SdkRun]:
    """One driver run of the members' merged scenario, cut into each member's run. A run that fails
    (or answers short) is repeated member by member, so each failure is its own member's."""
    if scenario is None or slices is None:
        _, scenario, slices = merged(members)
    raw = run_driver(command, api, scenario)
    if len(members) > 1 and (raw.problem or len(raw.outcomes) != len(scenario["calls"])):
        return rerun(target, command, api, members, slices, raw)
    return cut(target, members, slices, raw)


def cut(target: str, members: list[Member], slices: list[tuple[int, int]], raw: DriverRun) -> dict[str, SdkRun]:
    """Each member's run out of one driver run of the merged scenario: its slice of the outcomes,
    the requests to its endpoints (a shared endpoint's to the member whose requests surround it),
    its names and numbers as its own case has them, its expectations checked."""
    owner_of_unit = {n: i for i, m in enumerate(members) for n in m.rename.values()}

    def owner(endpoint: Any) -> int | None:
        found = re.match(r"u(\d+)\.", str(endpoint or ""))
        return owner_of_unit.get(int(found.group(1))) if found else None

    owners = []
    current = 0
    for r in raw.records:  # a shared endpoint's request belongs to the case whose calls surround it
        current = o if (o := owner(r["endpoint"])) is not None else current
        owners.append(current)
    runs = {}
    for i, m in enumerate(members):
        start, end = slices[i]
        run = SdkRun(target, problem=raw.problem, stderr=raw.stderr)
        run.outcomes = m.back(raw.outcomes[start:end])
        mine = [r for r, owner in zip(raw.records, owners, strict=True) if owner == i and r["endpoint"] not in raw.background]
        run.wire = wire_of(m.back(mine), set())
        # a duplicate names its endpoint (else it counts against every case of the run)
        duplicates = [d for d in raw.duplicates if owner(d.get("endpoint") if isinstance(d, dict) else None) in (i, None)]
        if duplicates:
            run.expectations.append(f"a request was executed twice under one key: {m.back(duplicates)}")
        check_expectations(run, m.scenario)
        runs[m.name] = run
    return runs


def rerun(
    target: str, command: DriverCommand, api: Any, members: list[Member], slices: list[tuple[int, int]], raw: DriverRun
) -> dict[str, SdkRun]:
    """A merged run that failed, taken apart: when the driver stopped answering (its stdout all
    JSON) inside one member's calls, that member runs again alone; when it fails alone, the members
    before it stand as answered and those after it run again merged. Otherwise every member runs
    again alone."""
    out: dict[str, SdkRun] = {}
    stopped = next((i for i, (_, end) in enumerate(slices) if end > len(raw.outcomes)), None)
    clean_stdout = not raw.problem or not raw.problem.startswith("driver stdout line")
    if stopped is not None and clean_stdout:
        alone = run_members(target, command, api, [members[stopped]])
        if alone[members[stopped].name].problem:
            answered = cut(target, members, slices, DriverRun(None, raw.outcomes, raw.records, raw.background, raw.duplicates, raw.stderr))
            kept = {m.name: answered[m.name] for m in members[:stopped]}
            rest = run_members(target, command, api, members[stopped + 1 :]) if members[stopped + 1 :] else {}
            return {**kept, **alone, **rest}
        out.update(alone)
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        for found in pool.map(lambda m: run_members(target, command, api, [m]), [m for m in members if m.name not in out]):
            out.update(found)
    return {m.name: out[m.name] for m in members}


def replant(report: Report, target: str, plant: Any, work: Path) -> SdkRun:
    """``report``'s case run again in ``target`` from a copy of the SDK tree it ran in, edited by
    ``plant(target, tree)`` (the planted-divergence test)."""
    run = report.runs[target]
    assert run.tree is not None and report.member is not None, f"{target} did not build: {run.problem}"
    tree = work / target
    shutil.copytree(run.tree, tree, symlinks=True, ignore=shutil.ignore_patterns("__pycache__"))
    plant(target, tree)
    m = report.member
    return run_members(target, prepare(target, tree), run.api, [Member(m.name, m.manifest, m.scenario, m.rename)])[m.name]


# ---- shrinking (a difference's smallest manifest and scenario)


def shrink(report: Report, work: Path, budget: int = 6) -> Report:
    """Greedy: keep only the calls a difference names (with the scenario entries around them and the
    kept instances they use), then drop the units, endpoints, flows and types nothing uses; each
    candidate is rebuilt and kept only while it still differs. At most ``budget`` rebuilds."""
    best = report
    attempts = 0
    for candidate in _candidates(best):
        if attempts >= budget:
            break
        attempts += 1
        manifest, scenario = candidate
        again = run_case(manifest, scenario, work / f"shrink{attempts}")
        STATS.differences -= 1 if again.failed else 0  # the same difference, not a new one
        if again.failed and _same_kind(again, best):
            best = again
    return best


def _same_kind(a: Report, b: Report) -> bool:
    kinds = lambda r: {d.split(":")[0].split(" of call")[0].split(" request")[0] for d in r.differences if not d.startswith(" ")}  # noqa: E731
    return bool(kinds(a) & kinds(b)) or len(a.differences) > 0


def _candidates(report: Report) -> Any:
    """Smaller (manifest, scenario) pairs, most aggressive first."""
    calls = report.scenario["calls"]
    named = set()
    for d in report.differences:
        if d.startswith("outcome of call ") or " call " in d:
            with contextlib.suppress(ValueError, IndexError):
                named.add(int(d.split("call ")[1].split(" ")[0]) - 1)
    endpoints_named = {d.split()[1] for d in report.differences if d.startswith("wire ")}
    keep: set[int] = set(named)
    for i, call in enumerate(calls):
        if "method" in call and any(call["method"] == e.split(".", 1)[-1] for e in endpoints_named):
            keep.add(i)
    if not keep:
        keep = set(range(len(calls)))
    # the scenario entries around a faulted call, and the calls making the instances used
    for i in list(keep):
        if "fault" in calls[i]:
            keep |= {i - 1, i + 1}
        client = calls[i].get("client", "")
        for j, c in enumerate(calls):
            if c.get("as") == client or c.get("close") == client:
                keep.add(j)
            if calls[j].get("as") == client and j + 1 < len(calls):
                pass
    for i in list(keep):
        if "as" in calls[i]:  # its close
            keep |= {j for j, c in enumerate(calls) if c.get("close") == calls[i]["as"]}
    kept_calls = [copy.deepcopy(c) for i, c in enumerate(calls) if i in keep and 0 <= i < len(calls)]
    scenario = {**report.scenario, "calls": kept_calls}
    yield report.manifest, scenario
    yield _prune(report.manifest, kept_calls), scenario


def _prune(manifest: dict[str, Any], calls: list[dict[str, Any]]) -> dict[str, Any]:
    """The manifest with only the clients, flows and endpoints ``calls`` reach (their units)."""
    m = copy.deepcopy(manifest)
    clients_used = {c["client"] for c in calls if "client" in c}
    prefixes = tuple(sorted({found.group(1) for c in clients_used if (found := re.match(r"(u\d+)", c))}))

    def mine(name: str) -> bool:
        return name.lower().startswith(prefixes) or name in ("futures.retrieve", "RetrieveFuture", "idem")

    m["clients"] = {k: v for k, v in m["clients"].items() if mine(k)}
    m["endpoints"] = {k: v for k, v in m["endpoints"].items() if mine(k)}
    if "flows" in m:
        m["flows"] = {k: v for k, v in m["flows"].items() if mine(k)}
        if not m["flows"]:
            del m["flows"]
    m["types"] = {k: v for k, v in m["types"].items() if mine(k)}
    if "features" in m:
        m["features"] = {k: v for k, v in m["features"].items() if mine(k)}
    if not any(e == "futures.retrieve" for e in m["endpoints"]) or not any(
        f.get("type") == "promise_result" for f in m.get("features", {}).values()
    ):
        m["endpoints"].pop("futures.retrieve", None)
        m["types"].pop("RetrieveFuture", None)
    return m


# ---- kept cases


def load_kept(case_dir: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    manifest = yaml.safe_load((case_dir / "manifest.yaml").read_text(encoding="utf-8"))
    scenario = yaml.safe_load((case_dir / "scenario.yaml").read_text(encoding="utf-8"))
    return manifest, scenario


def save_case(report: Report, directory: Path, note: str = "") -> None:
    directory.mkdir(parents=True, exist_ok=True)
    dump = lambda d: yaml.safe_dump(d, allow_unicode=True, sort_keys=False, width=120)  # noqa: E731
    header = "".join(f"# {line}\n" for line in note.splitlines())
    (directory / "manifest.yaml").write_text(header + dump(report.manifest), encoding="utf-8")
    (directory / "scenario.yaml").write_text(header + dump(report.scenario), encoding="utf-8")
    (directory / "differences.txt").write_text("\n".join(report.differences) + "\n", encoding="utf-8")


# ---- `make differential`


def generate(examples: int, seed: int, max_units: int) -> list[Any]:
    from diff_strategies import cases
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as hseed

    drawn: list[Any] = []

    @hseed(seed)
    @settings(max_examples=examples, database=None, deadline=None, phases=[Phase.generate], suppress_health_check=list(HealthCheck))
    @given(cases(max_units=max_units))
    def collect(case: Any) -> None:
        drawn.append(case)

    collect()
    return drawn[:examples]


def main() -> int:
    examples = int(os.environ.get("TINKC_DIFF_EXAMPLES", "200"))
    seed = int(os.environ.get("TINKC_DIFF_SEED", "0"))
    max_units = int(os.environ.get("TINKC_DIFF_UNITS", "3"))
    found_dir = Path(os.environ.get("TINKC_DIFF_FOUND", ROOT / "out" / "differential"))
    started = time.monotonic()
    cases = generate(examples, seed, max_units)
    print(f"differential: {len(cases)} manifests (seed {seed}, up to {max_units} units each)", flush=True)
    failures = []
    with tempfile.TemporaryDirectory(prefix="tinkc-differential-") as scratch:
        for n, case in enumerate(cases):
            STATS.units += case.units
            report = run_case(case.manifest, case.scenario, Path(scratch) / f"m{n}")
            status = "DIFF" if report.failed else "same"
            print(
                f"{status}  manifest {n + 1}/{len(cases)}  ({case.units} units, {sum(1 for c in case.scenario['calls'] if 'method' in c)} calls)",
                flush=True,
            )
            if report.failed:
                small = shrink(report, Path(scratch) / f"m{n}-shrink")
                save_case(small, found_dir / f"case{n}", note=f"found by make differential (seed {seed}, manifest {n + 1})")
                print("\n".join(f"      {d}" for d in small.differences[:30]), flush=True)
                print(f"      kept in {found_dir / f'case{n}'}", flush=True)
                failures.append(n)
    print(STATS.line() + f" in {time.monotonic() - started:.0f} s")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
