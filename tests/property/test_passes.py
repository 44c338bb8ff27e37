"""Properties of the pass pipeline on every valid manifest we have.

(a) every pass is idempotent: on the final IR it changes nothing and reports no new problems;
(b) the IR is valid after every pass (:func:`ir_invariants`, called through ``after_pass``);
(c) compiling is deterministic, within one process and across hash seeds.

The manifests are the fixtures under ``tests/fixtures`` that check without errors and the bundled
``manifests/tinker.yaml``. A fixture with errors is excluded by name in :data:`EXCLUDED` (and a test
checks that it still has errors, so the list cannot go stale silently).
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import manifest_strategies
import pytest
import yaml
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from tinkc.diagnostics import Sink
from tinkc.ir import nodes as ir
from tinkc.ir.serialize import api_to_json
from tinkc.passes.base import Pass
from tinkc.pipeline import PASSES, Result, bundled_manifest, compile_manifest, run_passes

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"

# Fixtures that do not check cleanly, with the reason; they are not valid inputs for these properties.
EXCLUDED = {
    "seed_proposal": "the seed proposal manifest: references types and endpoints it does not declare (17 errors)",
}


def _manifests() -> list[Any]:
    out = []
    for path in sorted(FIXTURES.glob("*/manifest.yaml")):
        name = path.parent.name
        if name in EXCLUDED:
            continue
        out.append(pytest.param(path, id=name))
    out.append(pytest.param(bundled_manifest(), id="tinker"))
    return out


MANIFESTS = _manifests()


def test_excluded_fixtures_exist_and_still_have_errors() -> None:
    for name, reason in EXCLUDED.items():
        path = FIXTURES / name / "manifest.yaml"
        assert path.exists(), f"EXCLUDED names {name}, which is gone"
        result = compile_manifest(path)
        assert result.sink.has_errors, f"{name} checks cleanly now ({reason!r} no longer holds): remove it from EXCLUDED"


def _clean(path: Path, **kwargs: Any) -> Result:
    result = compile_manifest(path, **kwargs)
    errors = [(d.code, d.message, str(d.span)) for d in result.sink.items if d.severity.value == "error"]
    assert not errors, f"{path} does not check cleanly: {errors}"
    assert result.api is not None
    return result


# ---------------------------------------------------------------------------------------------
# IR invariants


def walk(value: Any) -> Iterator[Any]:
    """Every attrs node inside ``value`` (itself included), depth first."""
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, (tuple, list)):
            stack.extend(reversed(v))
        elif isinstance(v, dict):
            stack.extend(reversed(list(v.values())))
        elif attrs.has(type(v)):
            yield v
            stack.extend(reversed([getattr(v, a.name) for a in attrs.fields(type(v)) if a.name not in ("span", "param_spans")]))


def _binds(value: Any) -> list[ir.Bind]:
    return [n for n in walk(value) if isinstance(n, ir.Bind)]


ALL_PASSES = frozenset(p.name for p in PASSES)


def ir_invariants(api: ir.Api, ran: frozenset[str] = ALL_PASSES, valid: bool = True) -> list[str]:
    """What must hold of the IR once the passes in ``ran`` have run; the problems found.

    With ``valid=False`` (a manifest with errors) only the structural invariants are checked, not
    that names resolve: the passes still run after an error and must keep the IR well formed.
    """
    problems: list[str] = []

    def bad(msg: str) -> None:
        problems.append(msg)

    # ids equal their dict keys, dict keys sorted
    for section in ("types", "endpoints", "features", "flows", "clients"):
        d = getattr(api, section)
        if list(d) != sorted(d):
            bad(f"{section}: keys not sorted: {list(d)}")
        for k, v in d.items():
            if v.id != k:
                bad(f"{section}[{k!r}].id is {v.id!r}")
    if list(api.targets) != sorted(api.targets):
        bad(f"targets: keys not sorted: {list(api.targets)}")
    for obj in (n for n in walk(api) if isinstance(n, ir.Obj)):
        keys = [k for k, _ in obj.items]
        if keys != sorted(keys):
            bad(f"frozen object keys not sorted: {keys}")

    # every Ref names a declared type, every client type a declared client
    for node in walk(api):
        if valid and isinstance(node, ir.Ref) and node.name not in api.types:
            bad(f"Ref {node.name!r} names no declared type")
        if valid and isinstance(node, ir.ClientT) and node.client not in api.clients:
            bad(f"ClientT {node.client!r} names no declared client")
        if isinstance(node, ir.UnionT) and len(node.members) < 2:
            bad(f"inline union with {len(node.members)} members")
        if isinstance(node, ir.Nullable) and isinstance(node.inner, ir.Nullable):
            bad("Nullable inside Nullable")
    for decl in api.types.values():
        if isinstance(decl, ir.Union_):
            for v in decl.variants:
                if valid and v.type not in api.types:
                    bad(f"union {decl.id}: variant {v.type!r} is not declared")
                if valid and "type-declarations" in ran and decl.discriminator is not None and v.tag is None:
                    bad(f"union {decl.id}: variant {v.type} has no tag after type-declarations")
            if valid and "type-declarations" in ran and decl.discriminator is not None:
                tags = [v.tag for v in decl.variants]
                if len(tags) != len(set(tags)):
                    bad(f"union {decl.id}: duplicate tags {tags}")
        if isinstance(decl, ir.Record):
            names = [f.name for f in decl.fields]
            if len(names) != len(set(names)):
                bad(f"record {decl.id}: duplicate fields {names}")

    # features: every use names a declared feature; every endpoint a feature names exists
    for use in api.service.features:
        if valid and use.feature not in api.features:
            bad(f"service feature {use.feature!r} is not declared")
    for ep in api.endpoints.values():
        for use in ep.features:
            if valid and use.feature not in api.features:
                bad(f"endpoint {ep.id}: feature {use.feature!r} is not declared")
        if "paths" in ran:
            if [p.name for p in ep.path_params] != [v.name for v in ep.path.variables]:
                bad(
                    f"endpoint {ep.id}: path params {[p.name for p in ep.path_params]} != path variables "
                    f"{[v.name for v in ep.path.variables]}"
                )
    for feat in api.features.values():
        p = feat.params
        named: list[str | None] = []
        if isinstance(p, ir.PromiseResult):
            named = [p.retrieve_endpoint]
        elif isinstance(p, ir.Telemetry):
            named = [p.endpoint]
        elif isinstance(p, ir.SessionLifecycle):
            named = [p.create_endpoint, p.heartbeat_endpoint]
        for eid in named:
            if valid and eid is not None and eid not in api.endpoints:
                bad(f"feature {feat.id}: endpoint {eid!r} is not declared")

    # clients: every method target exists, method names unique
    for client in api.clients.values():
        names = [m.name for m in client.methods]
        if len(names) != len(set(names)):
            bad(f"client {client.id}: duplicate method names {names}")
        for m in client.methods:
            if m.kind == "endpoint":
                ok = m.target in api.endpoints
            elif m.kind == "flow":
                ok = m.target in api.flows
            else:
                ok = False
            if valid and not ok or m.kind not in ("endpoint", "flow"):
                bad(f"client {client.id}: method {m.name} targets missing {m.kind} {m.target!r}")
        if valid and "clients" in ran:
            for flow in api.flows.values():
                if flow.client == client.id and not any(m.kind == "flow" and m.target == flow.id for m in client.methods):
                    bad(f"client {client.id}: flow {flow.id} runs on it but is no method")

    # flows
    for flow in api.flows.values():
        if valid and flow.client is not None and flow.client not in api.clients:
            bad(f"flow {flow.id}: client {flow.client!r} is not declared")
        ids = [s.id for s in flow.steps]
        if len(ids) != len(set(ids)):
            bad(f"flow {flow.id}: duplicate step ids {ids}")
        inputs = [i.name for i in flow.inputs]
        if len(inputs) != len(set(inputs)):
            bad(f"flow {flow.id}: duplicate inputs {inputs}")
        for index, step in enumerate(flow.steps):
            earlier = ids[:index]
            where = f"flow {flow.id}, step {step.id}"
            for d in step.depends_on:
                if d not in earlier:
                    bad(f"{where}: depends_on {d!r} is not an earlier step")
            if list(step.depends_on) != [i for i in earlier if i in step.depends_on]:
                bad(f"{where}: depends_on {step.depends_on} not in step order")
            for a in step.after:
                if a not in earlier:
                    if valid:
                        bad(f"{where}: after {a!r} is not an earlier step")
                elif "flow-dependencies" in ran and a not in step.depends_on:
                    bad(f"{where}: after {a!r} missing from depends_on")
            if step.awaits is not None and step.awaits not in earlier:
                bad(f"{where}: awaits {step.awaits!r} is not an earlier step")
            if step.receiver.startswith("step:") and step.receiver[5:] not in earlier:
                bad(f"{where}: receiver {step.receiver!r} is not an earlier step")
            if step.kind not in ("call", "await_future", "build_client", "parse", "return", "call_await"):
                bad(f"{where}: unknown kind {step.kind!r}")
            if valid and step.kind == "parse":
                decl = api.types.get(step.target or "")
                if not isinstance(decl, ir.Record) or decl.parse is None:
                    bad(f"{where}: parse target {step.target!r} is not a record with a parse template")
            if valid and "flow-calls" in ran:
                if step.kind == "call":
                    table = {"endpoint": api.endpoints, "flow": api.flows}.get(step.target_kind or "")
                    if table is None or step.target not in table:
                        bad(f"{where}: call target {step.target_kind} {step.target!r} does not exist")
                elif step.kind == "build_client" and (step.target_kind != "client" or step.target not in api.clients):
                    bad(f"{where}: build_client target {step.target!r} is not a client")
            if "bindings" in ran:
                # (a flow in a call cycle is not checked by `bindings`: nothing resolved in it)
                if step.kind == "await_future" and step.awaits != (earlier[-1] if earlier else None) and (valid or step.awaits):
                    bad(f"{where}: awaits {step.awaits!r}, not the previous step")
                for b in _binds(step):
                    if b.source in ("result", "steps"):
                        if b.step is None and valid:
                            bad(f"{where}: binding {b.text or b.source} has no producing step after bindings")
                        elif b.step is None:
                            pass
                        elif b.step not in earlier:
                            bad(f"{where}: binding {b.text} resolved to {b.step!r}, not an earlier step")
                        elif b.source == "result" and b.step != earlier[-1]:
                            bad(f"{where}: `{b.text}` resolved to {b.step!r}, not the previous step {earlier[-1]!r}")
                        elif b.source == "steps" and b.step != b.path[0]:
                            bad(f"{where}: `{b.text}` resolved to {b.step!r}")
                    elif b.step is not None:
                        bad(f"{where}: {b.source} binding {b.text} has a step {b.step!r}")
                    if valid and b.source == "input" and b.path and b.path[0] not in inputs:
                        bad(f"{where}: `{b.text}` reads an input the flow does not list")
        if "flow-dependencies" in ran:
            flat = [s for stage in flow.stages for s in stage]
            if sorted(flat) != sorted(ids) or len(flat) != len(set(flat)):
                bad(f"flow {flow.id}: stages {flow.stages} do not cover steps {ids} exactly once")
            stage_of = {s: i for i, stage in enumerate(flow.stages) for s in stage}
            for step in flow.steps:
                for d in step.depends_on:
                    if d in stage_of and step.id in stage_of and stage_of[d] >= stage_of[step.id]:
                        bad(f"flow {flow.id}: {step.id} (stage {stage_of[step.id]}) depends on {d} (stage {stage_of[d]})")
            for stage in flow.stages:
                if not stage:
                    bad(f"flow {flow.id}: empty stage")
                if list(stage) != sorted(stage, key=ids.index):
                    bad(f"flow {flow.id}: stage {stage} not in manifest order")
        elif flow.stages:
            bad(f"flow {flow.id}: stages set before flow-dependencies ran")
    return problems


@pytest.mark.parametrize("path", MANIFESTS)
def test_ir_is_valid_after_every_pass(path: Path) -> None:
    ran: list[str] = []
    seen: dict[str, list[str]] = {}

    def after(p: Pass, api: ir.Api) -> None:
        ran.append(p.name)
        problems = ir_invariants(api, frozenset(ran))
        if problems:
            seen[p.name] = problems

    _clean(path, after_pass=after)
    assert ran == [p.name for p in PASSES]
    assert not seen, seen


@pytest.mark.parametrize("path", MANIFESTS)
def test_final_ir_is_valid(path: Path) -> None:
    assert ir_invariants(_clean(path).api) == []  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------
# Idempotency


@pytest.mark.parametrize("path", MANIFESTS)
@pytest.mark.parametrize("p", PASSES, ids=[p.name for p in PASSES])
def test_every_pass_is_idempotent(path: Path, p: Pass) -> None:
    result = _clean(path)
    api = result.api
    assert api is not None
    before = {(d.code, d.message, d.span) for d in result.sink.items}
    sink = Sink()
    again = p.run(api, sink)
    assert again == api, f"pass {p.name} changed the final IR"
    assert api_to_json(again, spans=True) == api_to_json(api, spans=True), f"pass {p.name} changed spans"
    assert not sink.has_errors, [(d.code, d.message) for d in sink.items]
    new = [(d.code, d.message, str(d.span)) for d in sink.items if (d.code, d.message, d.span) not in before]
    assert not new, f"pass {p.name} reports new diagnostics on its own output: {new}"


@pytest.mark.parametrize("path", MANIFESTS)
def test_the_whole_pipeline_is_idempotent(path: Path) -> None:
    result = _clean(path)
    api = result.api
    assert api is not None
    rerun = run_passes(api, Result(sink=Sink()))
    assert rerun.api == api
    assert api_to_json(rerun.api, spans=True) == api_to_json(api, spans=True)  # type: ignore[arg-type]
    first = [(d.code, d.message) for d in result.sink.items]
    again = [(d.code, d.message) for d in rerun.sink.items]
    # the same diagnostics, less the warnings about unused types that dead-types removed
    assert again == [d for d in first if not (d[0] == "unused.type" and d[1].split("`")[1] not in api.types)]


# ---------------------------------------------------------------------------------------------
# Determinism


@pytest.mark.parametrize("path", MANIFESTS)
def test_compiling_twice_gives_the_same_ir(path: Path) -> None:
    a, b = _clean(path), _clean(path)
    assert a.api == b.api
    assert api_to_json(a.api) == api_to_json(b.api)  # type: ignore[arg-type]
    assert api_to_json(a.api, spans=True) == api_to_json(b.api, spans=True)  # type: ignore[arg-type]
    assert [d.to_json() for d in a.sink.items] == [d.to_json() for d in b.sink.items]


HASH_SEEDS = ("0", "1", "4242")


@pytest.mark.slow  # fresh processes: every manifest, with and without spans, under three hash seeds
def test_ir_json_is_byte_identical_across_hash_seeds() -> None:
    """`tinkc ir --format json` in fresh processes with different PYTHONHASHSEED values."""
    jobs = {}
    for param in MANIFESTS:
        (path,) = param.values
        for extra in ((), ("--spans",)):
            for seed in HASH_SEEDS:
                env = {**os.environ, "PYTHONHASHSEED": seed, "NO_COLOR": "1"}
                cmd = [sys.executable, "-m", "tinkc", "ir", "--format", "json", *extra, str(path)]
                jobs[(param.id, extra, seed)] = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    outputs = {}
    for key, proc in jobs.items():
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, (key, err.decode(errors="replace"))
        assert out.startswith(b"{"), key
        outputs[key] = out
    for param in MANIFESTS:
        for extra in ((), ("--spans",)):
            first = outputs[(param.id, extra, HASH_SEEDS[0])]
            for seed in HASH_SEEDS[1:]:
                assert outputs[(param.id, extra, seed)] == first, f"{param.id} {extra}: output differs with PYTHONHASHSEED={seed}"


# ---------------------------------------------------------------------------------------------
# Order independence: where declarations are written never changes the IR

SECTIONS = ("types", "endpoints", "features", "flows", "clients", "targets")


def _plain(path: Path) -> dict[str, Any]:
    from tinkc.frontend.load import parse_yaml
    from tinkc.frontend.model import to_plain

    sink = Sink()
    node = parse_yaml(path.read_text(encoding="utf-8"), path.name, sink)
    assert node is not None and not sink.has_errors
    data = to_plain(node)
    assert isinstance(data, dict)
    return data


def _shuffled(data: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    out: dict[str, Any] = {}
    keys = list(data)
    rng.shuffle(keys)
    for k in keys:
        v = data[k]
        if k in SECTIONS and isinstance(v, dict):
            entries = list(v.items())
            rng.shuffle(entries)
            v = dict(entries)
        elif k == "imports" and isinstance(v, list):
            v = list(v)
            rng.shuffle(v)
        out[k] = v
    return out


def _files(path: Path) -> list[Path]:
    """The manifest and the files it imports (transitively)."""
    out, todo = [], [path]
    while todo:
        p = todo.pop()
        if p in out:
            continue
        out.append(p)
        imports = _plain(p).get("imports") or []
        todo.extend((p.parent / i).resolve() for i in imports)
    return out


@pytest.fixture(scope="module")
def reference_ir() -> dict[Path, str]:
    out = {}
    for param in MANIFESTS:
        (path,) = param.values
        out[path] = api_to_json(_clean(path).api)  # type: ignore[arg-type]
    return out


@pytest.mark.slow
@settings(max_examples=30, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from([p.values[0] for p in MANIFESTS]), st.integers(min_value=0, max_value=2**32))
def test_declaration_order_does_not_change_the_ir(
    tmp_path_factory: pytest.TempPathFactory, reference_ir: dict[Path, str], path: Path, seed: int
) -> None:
    rng = random.Random(seed)
    root = tmp_path_factory.mktemp("shuffled")
    base = path.parent
    for f in _files(path):
        target = root / f.relative_to(base)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(yaml.safe_dump(_shuffled(_plain(f), rng), allow_unicode=True, sort_keys=False), encoding="utf-8")
    result = _clean(root / path.name)
    assert ir_invariants(result.api) == []  # type: ignore[arg-type]
    assert api_to_json(result.api) == reference_ir[path]  # type: ignore[arg-type]


def test_ir_invariants_catch_broken_ir() -> None:
    """The checker is not vacuous: each kind of damage to a valid IR is reported."""
    api = _clean(FIXTURES / "futures_flows" / "manifest.yaml").api
    assert api is not None and ir_invariants(api) == []
    flow = api.flows["describe"]
    first, second = flow.steps[0], flow.steps[1]
    ret = flow.steps[-1]
    bind = ret.args[0].value
    assert isinstance(bind, ir.Bind)

    def with_flow(**changes: Any) -> ir.Api:
        return attrs.evolve(api, flows={**api.flows, "describe": attrs.evolve(flow, **changes)})

    def with_steps(*steps: ir.Step) -> ir.Api:
        return with_flow(steps=steps)

    damaged = {
        "dangling ref": attrs.evolve(
            api, endpoints={**api.endpoints, "system.status": attrs.evolve(api.endpoints["system.status"], response=ir.Ref(name="Nope"))}
        ),
        "unknown feature": attrs.evolve(api, service=attrs.evolve(api.service, features=(ir.FeatureUse(feature="nope"),))),
        "missing method target": attrs.evolve(
            api,
            clients={
                **api.clients,
                "job": attrs.evolve(
                    api.clients["job"], methods=(*api.clients["job"].methods, ir.Method(name="x", kind="endpoint", target="no.such"))
                ),
            },
        ),
        "depends on a later step": with_steps(attrs.evolve(first, depends_on=(second.id,)), *flow.steps[1:]),
        "stage missing a step": with_flow(stages=flow.stages[:-1]),
        "stage against dependencies": with_flow(stages=(tuple(s.id for s in flow.steps),)),
        "unresolved binding": with_steps(
            *flow.steps[:-1], attrs.evolve(ret, args=(attrs.evolve(ret.args[0], value=attrs.evolve(bind, step=None)),))
        ),
        "id differs from key": attrs.evolve(api, flows={**api.flows, "describe": attrs.evolve(flow, id="other")}),
    }
    for what, broken in damaged.items():
        assert ir_invariants(broken), f"{what} went unnoticed"
    # keys out of order cannot be built through Api (its converter sorts), so check the converter
    assert list(ir.Api(schema_version=1, service=api.service, types={"b": api.types["Artifact"], "a": api.types["Artifact"]}).types) == [
        "a",
        "b",
    ]


# ---------------------------------------------------------------------------------------------
# Generated manifests: well-formed IR after every pass, whether or not the manifest has errors;
# when one checks cleanly, the full invariants and idempotency as for the fixtures.


@pytest.mark.slow
@settings(max_examples=60, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(manifest_strategies.manifests())
@example(manifest_strategies.METHOD_KIND_ENDPOINT_NAMES_A_FLOW)
@example(manifest_strategies.METHOD_KIND_FLOW_NAMES_AN_ENDPOINT)
def test_generated_manifests_keep_the_ir_well_formed(data: dict[str, Any]) -> None:
    from tinkc.frontend.load import load_text
    from tinkc.frontend.lower import lower

    sink = Sink()
    manifest = load_text(manifest_strategies.dump(data), "generated.yaml", sink)
    assert manifest is not None
    api = lower(manifest, sink)
    assert api is not None
    ran: list[str] = []
    after: list[tuple[str, ir.Api, frozenset[str]]] = []

    def record(p: Pass, a: ir.Api) -> None:
        ran.append(p.name)
        after.append((p.name, a, frozenset(ran)))

    result = run_passes(api, Result(sink=sink), after_pass=record)
    valid = not sink.has_errors
    event("checks cleanly" if valid else "has errors")
    problems = {name: found for name, a, done in after if (found := ir_invariants(a, done, valid=valid))}
    assert not problems, problems
    final = result.api
    assert final is not None
    for p in PASSES:
        if p.kind == "optimization" and not valid:
            continue  # optimizations never run on an invalid IR
        again_sink = Sink()
        assert p.run(final, again_sink) == final, f"pass {p.name} is not idempotent"
        if valid:
            assert not again_sink.has_errors, (p.name, [(d.code, d.message) for d in again_sink.items])
