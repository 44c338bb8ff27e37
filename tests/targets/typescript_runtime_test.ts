// Unit tests of the TypeScript SDK runtime (backends/typescript/runtime), run by
// test_typescript_runtime.py with Node's test runner inside a scratch copy of the `minimal` SDK:
// what the conformance scenarios cannot see from the wire (redaction, schema edge cases, pure retry
// arithmetic, queue bounds), without a server (a fake `fetch`).

import assert from "node:assert/strict";
import { test } from "node:test";
import { inspect } from "node:util";

import { PetsClient } from "./index.js";
import { resolveConfig } from "./runtime/config.js";
import { ConfigurationError, AuthenticationError } from "./runtime/errors.js";
import { buildPath, endpoint, floatText, Transport } from "./runtime/http.js";
import { clearQueueStateDebounce, queueKey, queueStateLog } from "./runtime/futures.js";
import { backoffMs, retryAfterMs } from "./runtime/retry.js";
import * as s from "./runtime/schema.js";
import { scaledClock } from "./runtime/clock.js";
import { Telemetry, isoDuration, type TelemetrySpec } from "./runtime/telemetry.js";

const KEY = "tml-secret-key-0123456789";
const settings = {
  apiKeyEnv: "PETSTORE_API_KEY",
  baseUrlEnv: "PETSTORE_BASE_URL",
  defaultBaseUrl: "http://default",
  defaultTimeoutMs: 1000,
};

/** A `fetch` that answers from a list and records what it was sent. */
function fakeFetch(answers: (() => Response)[]): {
  fetch: typeof fetch;
  sent: { url: string; init: RequestInit }[];
} {
  const sent: { url: string; init: RequestInit }[] = [];
  const fetch = (async (url: string | URL | Request, init?: RequestInit) => {
    sent.push({ url: String(url), init: init ?? {} });
    const next = answers.shift();
    if (next === undefined) throw new TypeError("fetch failed");
    return next();
  }) as typeof globalThis.fetch;
  return { fetch, sent };
}

test("configuration: explicit option > environment > manifest default", () => {
  const env = { PETSTORE_API_KEY: "from-env", PETSTORE_BASE_URL: "http://env/" };
  assert.equal(resolveConfig(settings, { env }).apiKey, "from-env");
  assert.equal(resolveConfig(settings, { env, apiKey: "given" }).apiKey, "given");
  assert.equal(resolveConfig(settings, { env }).baseUrl, "http://env");
  assert.equal(resolveConfig(settings, { env, baseUrl: "http://given" }).baseUrl, "http://given");
  assert.equal(
    resolveConfig(settings, { env: { PETSTORE_API_KEY: "k" } }).baseUrl,
    "http://default",
  );
  assert.throws(() => resolveConfig(settings, { env: {} }), ConfigurationError);
  assert.throws(
    () => resolveConfig(settings, { env: { PETSTORE_API_KEY: "" } }),
    /PETSTORE_API_KEY/,
  );
});

test("declared options: given > environment (read by kind) > default; unknown ones throw", () => {
  const declared = {
    ...settings,
    configOptions: [
      { name: "project", env: "P_PROJECT", kind: "string" as const },
      { name: "priority", env: "P_PRIORITY", kind: "int" as const, default: 5 },
      { name: "tags", env: "P_TAGS", kind: "list" as const, default: [] },
      { name: "beta", env: "P_BETA", kind: "bool" as const },
    ],
  };
  const base = { PETSTORE_API_KEY: "k" };
  assert.deepEqual(resolveConfig(declared, { env: base }).options, {
    project: undefined,
    priority: 5,
    tags: [],
    beta: undefined,
  });
  const env = { ...base, P_PROJECT: "p", P_PRIORITY: " 9 ", P_TAGS: "a, b,", P_BETA: "Off" };
  assert.deepEqual(resolveConfig(declared, { env }).options, {
    project: "p",
    priority: 9,
    tags: ["a", "b"],
    beta: false,
  });
  assert.equal(resolveConfig(declared, { env, options: { priority: 1 } }).options["priority"], 1);
  assert.throws(
    () => resolveConfig(declared, { env: { ...base, P_PRIORITY: "high" } }),
    /P_PRIORITY/,
  );
  assert.throws(
    () => resolveConfig(declared, { env: base, options: { priorty: 1 } }),
    /unknown option priorty/,
  );
});

test("a client given an option it does not know throws, never ignores it", () => {
  const bad = { apiKey: KEY, baseUrl: "http://pets", env: {}, timeout: 5 } as unknown as ConstructorParameters<
    typeof PetsClient
  >[0];
  assert.throws(() => new PetsClient(bad), (e: unknown) => e instanceof ConfigurationError && /unknown option timeout/.test(String(e)));
});

test("the API key is never shown: inspect, JSON, toString, errors", async () => {
  const config = resolveConfig(settings, { apiKey: KEY, env: {} });
  for (const shown of [
    inspect(config),
    JSON.stringify(config),
    String(config),
    Object.keys(config).join(),
  ]) {
    assert.ok(!shown.includes(KEY), shown);
  }
  const { fetch } = fakeFetch([
    () => new Response(JSON.stringify({ detail: "bad key" }), { status: 401 }),
  ]);
  const client = new PetsClient({ apiKey: KEY, baseUrl: "http://pets", fetch, env: {} });
  assert.ok(!inspect(client, { depth: 10, showHidden: true }).includes(KEY));
  assert.ok(!JSON.stringify(client).includes(KEY));
  const error = await client.get({ pet_id: "p" }).catch((e: unknown) => e);
  assert.ok(error instanceof AuthenticationError);
  assert.ok(!inspect(error, { depth: 10 }).includes(KEY) && !String(error).includes(KEY));
  await client.close();
});

test("every request: auth header, user agent, JSON body, encoded path", async () => {
  const { fetch, sent } = fakeFetch([
    () => Response.json({ id: "a/b", name: "Rex", species: "dog", tags: [] }, { status: 200 }),
  ]);
  const client = new PetsClient({ apiKey: KEY, baseUrl: "http://pets", fetch, env: {} });
  const pet = await client.get({ pet_id: "a/b c" });
  assert.equal(pet.name, "Rex");
  const { url, init } = sent[0]!;
  assert.equal(url, "http://pets/pets/a%2Fb%20c");
  const headers = init.headers as Record<string, string>;
  assert.equal(headers["authorization"], `Bearer ${KEY}`); // the minimal fixture authenticates with a bearer key
  assert.match(headers["user-agent"] ?? "", /petstore/);
  await client.close();
});

test("path templates: `{name}` is percent-encoded, `{+name}` keeps reserved characters", () => {
  assert.equal(buildPath("/a/{id}", { id: "x/y?z é" }), "/a/x%2Fy%3Fz%20%C3%A9");
  assert.equal(buildPath("/a/{+id}/b", { id: "weights/0001 x" }), "/a/weights/0001%20x/b");
  assert.throws(() => buildPath("/a/{id}", {}), /`id`/);
});

test("floats in URLs read as Python's repr writes them (as the other SDKs send them)", () => {
  const cases: [number, string][] = [
    [2, "2.0"],
    [-0, "-0.0"],
    [0.1, "0.1"],
    [1234.5, "1234.5"],
    [1e15, "1000000000000000.0"],
    [1e16, "1e+16"],
    [1.5e300, "1.5e+300"],
    [1e-4, "0.0001"],
    [1e-5, "1e-05"],
    [-1.25e-7, "-1.25e-07"],
    [123456789012345680, "1.2345678901234568e+17"],
    [Infinity, "inf"],
    [NaN, "nan"],
  ];
  for (const [x, text] of cases) assert.equal(floatText(x), text);
  assert.equal(buildPath("/a/{x}/{n}", { x: 2, n: 2 }, ["x"]), "/a/2.0/2");
});

test("backoff: min(base·2^n, max), minus up to the jitter", () => {
  assert.equal(backoffMs(500, 10000, 0.25, 0, 0), 500);
  assert.equal(backoffMs(500, 10000, 0.25, 3, 0), 4000);
  assert.equal(backoffMs(500, 10000, 0.25, 10, 0), 10000);
  assert.equal(backoffMs(500, 10000, 0.25, 1, 1), 750);
});

test("Retry-After: seconds, milliseconds, an HTTP date; honoured only within bounds", () => {
  const h = (entries: Record<string, string>) => new Headers(entries);
  assert.equal(retryAfterMs(h({ "retry-after": "2" }), 60000), 2000);
  assert.equal(retryAfterMs(h({ "retry-after-ms": "150", "retry-after": "9" }), 60000), 150);
  assert.equal(
    retryAfterMs(h({ "retry-after": new Date(10_000).toUTCString() }), 60000, 4_000),
    6000,
  );
  assert.equal(retryAfterMs(h({ "retry-after": "61" }), 60000), null);
  assert.equal(retryAfterMs(h({ "retry-after": "-1" }), 60000), null);
  assert.equal(retryAfterMs(h({ "retry-after": "soon" }), 60000), null);
  assert.equal(retryAfterMs(h({}), 60000), null);
});

test("retries: listed statuses with backoff, 4xx outside the list at once, one idempotency key", async () => {
  const { fetch, sent } = fakeFetch([
    () => new Response("", { status: 503 }),
    () => new Response("", { status: 503, headers: { "retry-after-ms": "5" } }),
    () => Response.json({ ok: true }),
    () => Response.json({ detail: "nope" }, { status: 404 }),
  ]);
  const config = resolveConfig(settings, { apiKey: KEY, env: {} });
  const transport = new Transport(config, {
    userAgent: "t",
    authHeader: "X-Key",
    fetch,
    clock: scaledClock(0.001),
  });
  const ep = endpoint({
    id: "t.post",
    method: "POST",
    path: "/t",
    idempotency: { header: "Idem", prefix: "p-" },
    retry: {
      maxRetries: 3,
      statuses: [[500, 599]],
      onConnectionError: true,
      onTimeout: true,
      baseDelayMs: 10,
      maxDelayMs: 100,
      jitter: 0,
      retryAfterMaxMs: 1000,
      shouldRetryHeader: null,
    },
  });
  assert.equal((await transport.send(ep, { body: {} })).status, 200);
  const keys = sent.map((r) => (r.init.headers as Record<string, string>)["idem"]);
  assert.equal(new Set(keys).size, 1);
  assert.match(keys[0] ?? "", /^p-[0-9a-f-]{36}$/);
  await assert.rejects(
    transport.send(ep, { body: {} }),
    (e: unknown) => (e as { status?: number }).status === 404,
  );
  assert.equal(sent.length, 4);
});

const Pet = s.record<{ name: string; age?: number; tags?: string[] }>("Pet", () => ({
  name: s.required(s.string, "Name"),
  age: s.optional(s.int),
  tags: s.withDefault(s.list(s.string), []),
  ["__proto__"]: s.optional(s.string),
}));

test("schemas: wire names, defaults (fresh each time), optional null is absent, errors with a path", () => {
  const a = Pet.decode({ Name: "Rex", age: null }, "$");
  assert.deepEqual(a as unknown, { name: "Rex", tags: [] });
  const b = Pet.decode({ Name: "Max" }, "$");
  a.tags?.push("x");
  assert.deepEqual(b.tags as unknown, []);
  assert.deepEqual(Pet.encode({ name: "Rex" }), { Name: "Rex", tags: [] });
  // complete: every declared field, absent ones as null
  assert.equal(
    JSON.stringify(Pet.encode({ name: "Rex" }, true)),
    '{"Name":"Rex","age":null,"tags":[],"__proto__":null}',
  );
  assert.throws(
    () => s.list(Pet).decode([{ Name: "a" }, { Name: 3 }], "$"),
    /\$\[1\]\.Name: expected a string, got number 3/,
  );
  assert.throws(() => s.int.decode(1.5, "$"), s.Mismatch);
  assert.throws(() => s.datetime.decode("yesterday", "$"), s.Mismatch);
  assert.equal(s.datetime.decode("2025-09-13T01:30:52Z", "$"), "2025-09-13T01:30:52Z");
});

test("schemas: a `__proto__` field is data, never the prototype", () => {
  const decoded = Pet.decode(JSON.parse('{"Name": "x", "__proto__": "p"}'), "$");
  assert.equal(Object.getPrototypeOf(decoded), Object.prototype);
  assert.equal(Object.getOwnPropertyDescriptor(decoded, "__proto__")?.value, "p");
  const encoded = Pet.encode(decoded) as object;
  assert.equal(Object.getPrototypeOf(encoded), Object.prototype);
  assert.equal(JSON.stringify(encoded), '{"Name":"x","tags":[],"__proto__":"p"}');
});

test("schemas: open enums and unknown union tags are kept; known tags are checked", () => {
  const Color = s.enumeration<string>("Color", ["red"]);
  assert.equal(Color.decode("ultraviolet", "$"), "ultraviolet");
  const Circle = s.record<{ type: "circle"; r: number }>("Circle", () => ({
    type: s.withDefault(s.literal("circle"), "circle"),
    r: s.required(s.float),
  }));
  const Shape = s.tagged<unknown>("Shape", "type", "type", () => ({ circle: Circle }));
  assert.deepEqual(Shape.decode({ type: "blob", size: 3 }, "$"), { type: "blob", size: 3 });
  assert.throws(() => Shape.decode({ type: "circle" }, "$"), /\$\.r/);
  assert.throws(() => Shape.decode({ size: 3 }, "$"), /the tag of Shape/);
  assert.deepEqual(
    s.decodeResponse(
      s.oneOf("int | string", () => [s.int, s.string]),
      "7",
    ),
    "7",
  );
});

function telemetrySpec(overrides: Partial<TelemetrySpec> = {}): TelemetrySpec {
  return {
    endpoint: endpoint({ id: "telemetry.send", method: "POST", path: "/telemetry" }),
    enabledEnv: "PETSTORE_TELEMETRY",
    batchSize: 2,
    flushIntervalMs: 1000,
    maxQueueSize: 3,
    timeoutMs: 1000,
    drainTimeoutMs: 1000,
    request: (values) => ({ body: values }),
    eventsField: "events",
    sessionIdField: "session_id",
    processIdField: null,
    platformField: null,
    sdkVersionField: "sdk",
    sdkVersion: "1.0.0",
    kinds: {
      generic: {
        fields: ["kind", "event_name", "event_data", "event_session_index"],
        tagField: "kind",
        tag: "note",
      },
      session_end: { fields: ["kind", "duration"], tagField: "kind", tag: "end" },
    },
    ...overrides,
  };
}

function transportWith(fetch: typeof globalThis.fetch): Transport {
  const config = resolveConfig(settings, { apiKey: KEY, env: {} });
  return new Transport(config, {
    userAgent: "t",
    authHeader: "X-Key",
    fetch,
    clock: scaledClock(0.001),
  });
}

test("telemetry: bounded queue (overflow counted), batches of batch_size, session end on close", async () => {
  const { fetch, sent } = fakeFetch(Array.from({ length: 5 }, () => () => Response.json({})));
  const telemetry = new Telemetry(telemetrySpec(), transportWith(fetch), {});
  telemetry.sessionId = "s-1";
  for (let i = 0; i < 5; i += 1) telemetry.logEvent(`e${i}`, { i });
  assert.equal(telemetry.dropped, 2); // the queue holds 3
  await telemetry.flush();
  await telemetry.close();
  const bodies = sent.map(
    (r) =>
      JSON.parse(String(r.init.body)) as {
        events: { kind: string; event_name?: string }[];
        session_id: string;
        sdk: string;
      },
  );
  assert.ok(bodies.every((b) => b.events.length <= 2));
  assert.deepEqual(
    bodies.flatMap((b) => b.events.map((e) => e.event_name ?? e.kind)),
    ["e0", "e1", "e2", "end"],
  );
  assert.ok(bodies.every((b) => b.session_id === "s-1" && b.sdk === "1.0.0"));
  assert.ok(!sent.some((r) => String(r.init.body).includes(KEY)));
  assert.equal(telemetry.sent, 4);
});

test("telemetry: events wait for the session; without one they are dropped on close", async () => {
  const { fetch, sent } = fakeFetch([]);
  const telemetry = new Telemetry(telemetrySpec(), transportWith(fetch), {});
  telemetry.logEvent("early");
  await telemetry.flush();
  await telemetry.close();
  assert.equal(sent.length, 0);
  assert.equal(telemetry.dropped, 1);
});

test("telemetry: the env toggle turns it off; a failing endpoint fails nobody", async () => {
  const { fetch } = fakeFetch([() => Response.json({ detail: "no" }, { status: 500 })]);
  for (const off of ["0", "false", "No", " OFF "]) {
    assert.equal(
      new Telemetry(telemetrySpec(), transportWith(fetch), { PETSTORE_TELEMETRY: off }).enabled,
      false,
    );
  }
  const telemetry = new Telemetry(telemetrySpec(), transportWith(fetch), {
    PETSTORE_TELEMETRY: "1",
  });
  telemetry.sessionId = "s-1";
  telemetry.logEvent("x");
  await telemetry.close();
  assert.equal(telemetry.failedBatches, 1);
  assert.equal(isoDuration(1500), "PT1.500S");
});

test("retry handler: at most max_connections in flight; a waiter gives up after the progress timeout", async () => {
  let inFlight = 0;
  let most = 0;
  const fetch = (async () => {
    inFlight += 1;
    most = Math.max(most, inFlight);
    await new Promise((resolve) => setTimeout(resolve, 5));
    inFlight -= 1;
    return Response.json({});
  }) as typeof globalThis.fetch;
  const config = resolveConfig(settings, { apiKey: KEY, env: {} });
  const transport = new Transport(config, {
    userAgent: "t",
    authHeader: "X-Key",
    fetch,
    clock: scaledClock(0.001),
  });
  const handler = {
    id: "h",
    maxConnections: 2,
    progressTimeoutMs: 60000,
    baseDelayMs: 10,
    maxDelayMs: 10,
    jitter: 0,
  };
  const ep = endpoint({ id: "t.get", method: "GET", path: "/t", handler });
  await Promise.all(Array.from({ length: 6 }, () => transport.send(ep)));
  assert.equal(most, 2);
  const stuck = endpoint({
    id: "t.stuck",
    method: "GET",
    path: "/t",
    handler: { ...handler, id: "stuck", maxConnections: 1, progressTimeoutMs: 20 },
  });
  const slow = (async () =>
    new Promise<Response>((resolve) =>
      setTimeout(() => resolve(Response.json({})), 200),
    )) as typeof globalThis.fetch;
  const slowTransport = new Transport(config, {
    userAgent: "t",
    authHeader: "X-Key",
    fetch: slow,
    clock: scaledClock(1),
  });
  const first = slowTransport.send(stuck);
  await assert.rejects(slowTransport.send(stuck), /no request slot/);
  await first;
});

test("a call is cancelled by its signal, also while it waits to retry", async () => {
  const { fetch, sent } = fakeFetch(
    Array.from({ length: 3 }, () => () => new Response("", { status: 503 })),
  );
  const config = resolveConfig(settings, { apiKey: KEY, env: {} });
  const transport = new Transport(config, { userAgent: "t", authHeader: "X-Key", fetch });
  const retry = {
    maxRetries: 5,
    statuses: [[500, 599]] as const,
    onConnectionError: true,
    onTimeout: true,
    baseDelayMs: 60000,
    maxDelayMs: 60000,
    jitter: 0,
    retryAfterMaxMs: 0,
    shouldRetryHeader: null,
  };
  const ep = endpoint({ id: "t.get", method: "GET", path: "/t", retry });
  const controller = new AbortController();
  const started = Date.now();
  setTimeout(() => controller.abort(), 20);
  await assert.rejects(transport.send(ep, { signal: controller.signal }), { name: "AbortError" });
  assert.ok(Date.now() - started < 5000);
  assert.equal(sent.length, 1);
});

test("queue-state changes are logged at the log's level with its debounce (as Python and Elixir do)", () => {
  let now = 1_000_000;
  const clock = { now: () => now, sleep: async () => {} };
  const lines: [string, string][] = [];
  const logger = {
    warn: (m: string) => lines.push(["warn", m]),
    debug: (m: string) => lines.push(["debug", m]),
    info: (m: string) => lines.push(["info", m]),
    error: (m: string) => lines.push(["error", m]),
  };
  const marks = new Map<string, { readonly key: string | null; readonly at: number }>();
  const log = { id: "qlog", debounceMs: 60_000, level: "warning" };
  const submit = queueStateLog(log, "jobs.submit", logger, clock, marks);
  const other = queueStateLog(log, "jobs.other", logger, clock, marks);
  submit("paused_capacity", "busy");
  now += 59_000;
  submit("active", null); // within the debounce: not logged
  other("active", null); // another endpoint: its own debounce
  now += 1_000;
  submit("active", null);
  assert.deepEqual(lines, [
    ["warn", "jobs.submit: queue state paused_capacity (busy)"],
    ["warn", "jobs.other: queue state active"],
    ["warn", "jobs.submit: queue state active"],
  ]);
  lines.length = 0;
  for (const level of ["debug", "info", "error"]) {
    queueStateLog({ id: level, debounceMs: 0, level }, "e", logger, clock, new Map())("s", null);
  }
  assert.deepEqual(lines, [
    ["debug", "e: queue state s"],
    ["info", "e: queue state s"],
    ["error", "e: queue state s"],
  ]);
  // a logger with `warn` only: an `error` line is a warning, `debug`/`info` are not shown
  const warnOnly: string[] = [];
  const plain = { warn: (m: string) => warnOnly.push(m) };
  for (const level of ["debug", "info", "error"]) {
    queueStateLog({ id: level, debounceMs: 0, level }, "e", plain, clock, new Map())("s", null);
  }
  assert.deepEqual(warnOnly, ["e: queue state s"]);
});

test("queue-state marks are per key (a sampling session, a model) and cleared per key", () => {
  const now = 1_000_000;
  const clock = { now: () => now, sleep: async () => {} };
  const lines: string[] = [];
  const logger = { warn: (m: string) => lines.push(m) };
  const marks = new Map<string, { readonly key: string | null; readonly at: number }>();
  const log = { id: "qlog", debounceMs: 60_000, level: "warning", keyFields: ["sampling_session_id", "model_id"] };
  assert.equal(queueKey(log, { model_id: "m1" }), "m1");
  assert.equal(queueKey(log, { sampling_session_id: "s1", model_id: "m1" }), "s1");
  assert.equal(queueKey(log, { sampling_session_id: null }), null);
  const s1 = queueStateLog(log, "sample", logger, clock, marks, "s1");
  const s2 = queueStateLog(log, "sample", logger, clock, marks, "s2");
  s1("paused_capacity", null);
  s2("paused_capacity", null); // another session: its own debounce
  s1("active", null); // within s1's debounce: not logged
  clearQueueStateDebounce("s1", marks);
  s1("active", null); // cleared: logged at once
  s2("active", null); // not cleared: still debounced
  assert.deepEqual(lines, [
    "sample: queue state paused_capacity",
    "sample: queue state paused_capacity",
    "sample: queue state active",
  ]);
});
