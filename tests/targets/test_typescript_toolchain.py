"""The TypeScript SDK snapshots build with TypeScript's own tools: `tsc --strict --noEmit` with the
emitted package's configuration (and the conformance driver's) has zero findings, Prettier finds the
layout it would write itself, and the package
compiles to JavaScript that Node runs: a small program using the SDK as its README shows, type-checked
with the package, talks to `tinkc mock` and prints what it got."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from targets.fixtures import fixture_api, fixture_paths
from targets.typescript_tools import SNAPSHOTS, node, prettier, scratch_copy, tsc
from tinkc.backends.typescript.symbols import Symbols
from tinkc.mock import running_mock
from tinkc.sdk import plan_of

FIXTURES = sorted(fixture_paths())

pytestmark = pytest.mark.toolchain  # node, tsc, prettier


def test_every_fixture_has_a_snapshot() -> None:
    assert sorted(p.name for p in SNAPSHOTS.iterdir() if p.is_dir()) == FIXTURES


@pytest.mark.parametrize("fixture", FIXTURES)
def test_tsc_strict_no_emit(fixture: str) -> None:
    """The conformance driver's configuration: the driver and the package's sources (`../src`) with
    the package's compiler options. The package's own configuration is compiled by
    :func:`test_builds_and_runs_against_the_mock`, with its emit (declarations included): checking it
    here too without emitting would only repeat that check (five seconds per fixture)."""
    tree = SNAPSHOTS / fixture
    config = "conformance/tsconfig.json"
    proc = tsc("-p", config, "--strict", "--noEmit", cwd=tree)
    assert proc.returncode == 0, f"tsc -p {config} in {tree}:\n{proc.stdout}{proc.stderr}"
    assert proc.stdout == "", proc.stdout  # not even a warning


@pytest.mark.parametrize("fixture", FIXTURES)
def test_prettier_check(fixture: str) -> None:
    """The emitters write Prettier's layout (the package's `.prettierrc.json`): code, JSON, README."""
    proc = prettier("--check", ".", cwd=SNAPSHOTS / fixture)
    assert proc.returncode == 0, proc.stdout + proc.stderr


# A program per fixture, written as the README shows the SDK's use: it must type-check with the
# package's strict settings (the public types work as documented) and run against the mock.
SMOKE = {
    "minimal": """
import { NotFoundError, PetsClient, type Pet } from "./index.js";

const client = new PetsClient({ apiKey: "tml-smoke", baseUrl: process.env["MOCK_URL"] });
try {
  const pet: Pet = await client.get({ pet_id: "p-1" });
  const created = await client.create({ name: "Rex", species: "dog" });
  const list = await client.list({ limit: 2 });
  let missing = "";
  try {
    await client.get({ pet_id: "missing" });
  } catch (error) {
    missing = error instanceof NotFoundError ? `NotFoundError ${error.status}` : String(error);
  }
  console.log(JSON.stringify({ pet: typeof pet.id, created: created.name, pets: list.pets.length > 0, missing }));
} finally {
  await client.close();
}
""",
    "auth_exchange": """
import { Client, type Secret } from "./index.js";

// basic credentials, exchanged for a bearer token by the SDK before the first request
const client = new Client({ apiKey: "app:s3cret", baseUrl: process.env["MOCK_URL"] });
try {
  const secret: Secret = await client.get({ name: "db" });
  console.log(JSON.stringify({ secret: typeof secret.value }));
} finally {
  await client.close();
}
""",
    "futures_flows": """
import { JobClient, ServiceClient, type Status } from "./index.js";

const states: string[] = [];
const service = new ServiceClient({
  apiKey: "tml-smoke",
  baseUrl: process.env["MOCK_URL"],
  queueStateObserver: (state) => states.push(state),
});
try {
  const job = await service.startJob({ input: { type: "tokens", tokens: [1, 2] } });
  const artifacts = await job.describe();
  const status: Status = await service.status();
  console.log(JSON.stringify({ job: job instanceof JobClient, artifacts: artifacts.artifacts.length > 0, status, states }));
} finally {
  await service.close();
}
""",
    "service_features": """
import { Client } from "./index.js";

const client = new Client({ apiKey: "tml-smoke", baseUrl: process.env["MOCK_URL"] });
try {
  const render = await client.generate({ prompt: "a cat" });
  const url = await client.download({ render_path: "r-1/full" });
  client.logEvent("smoke", { ok: true });
  console.log(JSON.stringify({ render: typeof render.render_id, url: url.startsWith("http://") }));
} finally {
  await client.close();
}
""",
    "optimizations": """
import { FileClient, type DownloadReceipt, type UploadReceipt } from "./index.js";

const client = new FileClient({ apiKey: "tml-smoke", baseUrl: process.env["MOCK_URL"] });
try {
  const receipt: DownloadReceipt = await client.publish({ name: "a.txt", folder: "docs" });
  const same: UploadReceipt = receipt; // a deduplicated type is an alias of its twin
  console.log(JSON.stringify({ kind: same.kind, path: typeof receipt.path }));
} finally {
  await client.close();
}
""",
    "types_showcase": """
import { Client, type Document, type Shape } from "./index.js";

function area(shape: Shape): number {
  switch (shape.type) {
    case "circle":
      return Math.PI * shape.radius ** 2;
    case "polygon":
      return shape.points.length;
    case "group":
      return shape.members.reduce((sum, member) => sum + area(member), 0);
    default:
      return 0; // a shape this SDK does not know
  }
}

const client = new Client({ apiKey: "tml-smoke", baseUrl: process.env["MOCK_URL"] });
try {
  const sent: Document = {
    id: "d-1",
    kind: "draft",
    title: "Shapes",
    subtitle: null,
    shapes: [{ type: "group", members: [{ type: "circle", radius: 1 }, { type: "polygon", points: [[0, 0]] }] }],
    updated_at: "2025-01-02T03:04:05Z",
    default: true,
  };
  const echoed = await client.echo(sent);
  const fetched = await client.get({ document_id: "d-2", kind: "published" });
  console.log(
    JSON.stringify({
      title: echoed.title,
      area: Math.round(echoed.shapes.map(area).reduce((a, b) => a + b, 0) * 100) / 100,
      kind: typeof fetched.kind,
    }),
  );
} finally {
  await client.close();
}
""",
    "tinker": """
import { ServiceClient, type Datum } from "./index.js";

const service = new ServiceClient({ apiKey: "tml-smoke", baseUrl: process.env["MOCK_URL"] });
try {
  const training = await service.createLoraTrainingClient({ base_model: "Qwen/Qwen3-8B", lora_config: { rank: 8 } });
  const data: Datum[] = [];
  const output = await training.forwardBackward({ data, loss_fn: "cross_entropy" });
  const sampler = await service.createSamplingClient({ base_model: "Qwen/Qwen3-8B" });
  const sample = await sampler.sample({
    prompt: { chunks: [{ type: "encoded_text", tokens: [1, 2, 3] }] },
    sampling_params: { max_tokens: 4 },
  });
  const rest = await service.createRestClient();
  const runs = await rest.listTrainingRuns({ limit: 5 });
  console.log(
    JSON.stringify({
      training: training.constructor.name,
      metrics: typeof output.metrics,
      sequences: sample.sequences.length > 0,
      runs: Array.isArray(runs.training_runs),
    }),
  );
} finally {
  await service.close();
}
""",
    "hostile_strings": """
import { Client, type Payload } from "./index.js";

const client = new Client({ apiKey: "tml-smoke", baseUrl: process.env["MOCK_URL"] });
try {
  const echoed: Payload = await client.echo({ label: 'a/b "c" ${x} #{y} \\u2028' });
  const found = await client.search({ mode: "#{System.halt()}", term: "`${x}` */" });
  console.log(JSON.stringify({ text: echoed.text, mode: echoed.mode, modes: echoed.modes, found: typeof found.text }));
} finally {
  await client.close();
}
""",
    "hostile_names": """
import { Kernel_, String__, type Kernel, type Keywords, type Promise_ } from "./index.js";

const options = { apiKey: "tml-smoke", baseUrl: process.env["MOCK_URL"] };
const kernel = new Kernel_(options);
const strings = new String__(options);
try {
  const made = await kernel.class_({ end: "e", class: "c" });
  const ended: Kernel = await kernel.end();
  const promised: Promise_ = await kernel.fn({ self: "s" });
  const flowed = await kernel.do_({ end: "e" });
  const words: Keywords = await strings.get();
  console.log(
    JSON.stringify({
      made: typeof made.value,
      self: typeof ended.self,
      then: typeof promised.then,
      flowed: typeof flowed.value,
      class: typeof words.class,
    }),
  );
} finally {
  await kernel.close();
  await strings.close();
}
""",
    "pagination": """
import { PaginationError, PetsClient } from "./index.js";

const client = new PetsClient({ apiKey: "tml-smoke", baseUrl: process.env["MOCK_URL"] });
try {
  // the plain method answers one page; its `Iter` twin follows the pages (the mock's last one ends it)
  const page = await client.list({ limit: 2 });
  const items: unknown[] = [];
  for await (const item of client.listIter({ limit: 2 })) items.push(item);
  const pages: unknown[] = [];
  for await (const p of client.listIter({ limit: 2 }).pages()) pages.push(p);
  console.log(
    JSON.stringify({ page: typeof page, pages: pages.length, error: typeof PaginationError, items: Array.isArray(items) }),
  );
} finally {
  await client.close();
}
""",
    "seed_constructs": """
import { FramesClient, type JobAnswer } from "./index.js";

const client = new FramesClient({ apiKey: "tml-smoke", baseUrl: process.env["MOCK_URL"] });
try {
  // `frame_id` is one argument (path and body); `note` may be left out, `channel` too (its default)
  const frame = await client.publish({ frame_id: "f-1", title: "Dawn" });
  const job: JobAnswer = await client.job({ job_id: "j-1" });
  console.log(JSON.stringify({ frame: frame.frame_id, job: typeof job }));
} finally {
  await client.close();
}
""",
    "seed_proposal_completed": """
import { ServiceClient, TrainingClient } from "./index.js";

const service = new ServiceClient({ apiKey: "tml-smoke", baseUrl: process.env["MOCK_URL"] });
try {
  // the proposal's flows as written: `rank` may be left out (`int?`), load_state needs only a path
  const training = await service.createLoraTrainingClient({ base_model: "Qwen/Qwen3-8B" });
  const loaded = await training.loadState({ path: "tinker://run-1/weights/0001" });
  const restored = await service.createTrainingClientFromState({ path: "tinker://run-1/weights/0001" });
  console.log(
    JSON.stringify({ training: training instanceof TrainingClient, loaded: typeof loaded, restored: typeof restored }),
  );
} finally {
  await service.close();
}
""",
}

EXPECTED = {
    "minimal": {"pet": "string", "created": "Rex", "pets": True, "missing": "NotFoundError 404"},
    "auth_exchange": {"secret": "string"},
    "futures_flows": {"job": True, "artifacts": True, "status": "ok", "states": ["active"]},
    "service_features": {"render": "string", "url": True},
    "types_showcase": {"title": "Shapes", "area": 4.14, "kind": "string"},
    "optimizations": {"kind": "stored", "path": "string"},
    "tinker": {"training": "TrainingClient", "metrics": "object", "sequences": True, "runs": True},
    # the mock echoes the request's fields: the defaults the SDK filled in, byte for byte
    "hostile_strings": {
        "text": 'd """ \'\'\' " \' ` */ /* --> @moduledoc """ ~S""" #{System.halt()} ${process.exit(1)} \\ \\n \u2028 \u2029 \0 \U0001f980 \u202e \\',
        "mode": "${process.exit(1)}",
        "modes": ['"""', "#{System.halt()}", "\\"],
        "found": "string",
    },
    "pagination": {"page": "object", "pages": 1, "error": "function", "items": True},
    "seed_constructs": {"frame": "f-1", "job": "object"},
    "seed_proposal_completed": {"training": True, "loaded": "object", "restored": "object"},
    "hostile_names": {"made": "string", "self": "string", "then": "string", "flowed": "string", "class": "string"},
}
SCENARIOS = {"minimal": {"responses": {"GET /pets/missing": [{"status": 404, "body": {"detail": "no such pet"}}]}}}


@pytest.mark.parametrize("fixture", FIXTURES)
def test_builds_and_runs_against_the_mock(fixture: str, tmp_path: Path) -> None:
    """`tsc` builds dist/ (JavaScript and declarations); the program runs against the mock; the
    package resolves by its own name through its `exports`."""
    tree = scratch_copy(SNAPSHOTS / fixture, tmp_path)
    (tree / "src" / "smoke.ts").write_text(SMOKE[fixture].lstrip(), encoding="utf-8")
    proc = tsc("-p", "tsconfig.json", "--strict", cwd=tree)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout == "", proc.stdout  # not even a warning
    assert (tree / "dist" / "index.js").is_file() and (tree / "dist" / "index.d.ts").is_file()
    with running_mock(fixture_api(fixture), scenario=SCENARIOS.get(fixture)) as mock:
        env = {**os.environ, "MOCK_URL": mock.url}
        run = subprocess.run([node(), "dist/smoke.js"], cwd=tree, env=env, capture_output=True, text=True, timeout=60, check=False)
        assert run.returncode == 0, run.stdout + run.stderr
        printed = json.loads(run.stdout.strip().split("\n")[-1])  # (not splitlines: JSON may hold U+2028)
        assert printed == EXPECTED[fixture], run.stdout + run.stderr
        assert mock.requests(), "the program sent nothing"
    # `import` of the package's own name (Node resolves it through `exports`): the clients and types
    name = json.loads((tree / "package.json").read_text(encoding="utf-8"))["name"]
    classes = sorted(Symbols.of(plan_of(fixture_api(fixture))).classes.values())  # not all end in `Client` (`Kernel_`)
    script = (
        f"const sdk = await import({json.dumps(name)}); const types = await import({json.dumps(name + '/types')});"
        f" const classes = {json.dumps(classes)};"
        " console.log(JSON.stringify({clients: Object.keys(sdk).filter((k) => classes.includes(k) && typeof sdk[k] === 'function').sort(),"
        " errors: typeof sdk.SDKError, types: Object.keys(types).length > 0}));"
    )
    run = subprocess.run([node(), "--input-type=module", "-e", script], cwd=tree, capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    clients = sorted(Symbols.of(plan_of(fixture_api(fixture))).classes.values())
    assert json.loads(run.stdout) == {"clients": clients, "errors": "function", "types": True}


HOSTILE = """
schema_version: 1
service:
  name: hostile
  version: "1.0.0"
  base_url: {default: "http://localhost:1"}
  auth: {type: api_key, header: X-Key, env: HOSTILE_KEY}
clients:
  weird:
    module: Hostile.Promise
    methods: {delete: things.delete, constructor: things.make, close: things.close, to_string: things.make}
types:
  Promise:
    doc: "A type named like a global; its doc has */ inside."
    fields:
      __proto__: {type: string, optional: true}
      constructor: {type: int, default: 1}
      hasOwnProperty: {type: bool, optional: true}
      weird_name: {type: string, json_name: "weird name", optional: true}
      then: {type: "string?", optional: true}
      kind: Error
  Error:
    enum: ["it's", "say \\"hi\\"", "*/", "a\\\\b"]
  Record: {union: [Tagged, Other], discriminator: tag}
  Other: {fields: {tag: {type: '"other"', default: other}}}
  Tagged: {fields: {tag: {type: '"it''s"', default: "it's"}}}
endpoints:
  things.delete: {method: DELETE, path: "/things/{id}", path_params: {id: string}}
  things.make: {method: POST, path: /things, request: Promise, response: Promise}
  things.close: {method: GET, path: /close, query: {class: {type: string, optional: true}}, response: "[Record]"}
"""

HOSTILE_CHECK = """
import { Promise_, Record_, Promise__ } from "./index.js";

const decoded = Promise_.decode(JSON.parse('{"__proto__": "p", "weird name": "w", "kind": "*/"}'), "$");
const records = Record_.decode({ tag: "it's" }, "$");
console.log(
  JSON.stringify({
    prototype: Object.getPrototypeOf(decoded) === Object.prototype,
    proto: Object.getOwnPropertyDescriptor(decoded, "__proto__")?.value,
    weird: decoded.weird_name,
    constructor: decoded.constructor,
    wire: Promise_.encode(decoded),
    tag: records.tag,
    methods: ["delete_", "constructor_", "close_", "toString_"].every((m) => m in Promise__.prototype),
  }),
);
"""


def test_names_that_are_keywords_and_globals(tmp_path: Path) -> None:
    """Types named like TypeScript's globals, properties like Object's members (`__proto__`,
    `constructor`), methods like keywords and BaseClient's members, quotes and `*/` in strings: the
    SDK compiles, is in Prettier's layout, and keeps such fields as data."""
    from tinkc.backends.typescript import TypeScriptBackend
    from tinkc.pipeline import compile_manifest

    (tmp_path / "manifest.yaml").write_text(HOSTILE, encoding="utf-8")
    result = compile_manifest(tmp_path / "manifest.yaml")
    assert result.api is not None and not result.sink.has_errors, [d.message for d in result.sink.items]
    tree = tmp_path / "sdk"
    for f in TypeScriptBackend().emit(result.api, {}):
        (tree / f.path).parent.mkdir(parents=True, exist_ok=True)
        (tree / f.path).write_text(f.content, encoding="utf-8")
    proc = prettier("--check", ".", cwd=tree)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    tree = scratch_copy(tree, tmp_path / "build")
    (tree / "src" / "check.ts").write_text(HOSTILE_CHECK.lstrip(), encoding="utf-8")
    for config in ("conformance/tsconfig.json", "tsconfig.json"):
        proc = tsc("-p", config, cwd=tree)
        assert proc.returncode == 0, proc.stdout + proc.stderr
    run = subprocess.run([node(), "dist/check.js"], cwd=tree, capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout) == {
        "prototype": True,
        "proto": "p",
        "weird": "w",
        "constructor": 1,
        "wire": {"__proto__": "p", "constructor": 1, "weird name": "w", "kind": "*/"},
        "tag": "it's",
        "methods": True,
    }
