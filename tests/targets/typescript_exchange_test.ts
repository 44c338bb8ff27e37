// Unit tests of the TypeScript SDK runtime's default HTTP exchange (runtime/exchange.ts, over
// node:http), run by test_typescript_runtime.py with Node's test runner inside a scratch copy of
// the `minimal` SDK, against a local node:http server: what the mock never does (redirects of a
// followed endpoint, compressed answers, a body cut short) and what a fetch did before (the
// request's framing and headers), so the two ways of sending stay one contract.

import assert from "node:assert/strict";
import { once } from "node:events";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { test } from "node:test";
import * as zlib from "node:zlib";

import { resolveConfig } from "./runtime/config.js";
import { APIConnectionError, APITimeoutError } from "./runtime/errors.js";
import { type Outgoing, fetchExchange, nodeExchange } from "./runtime/exchange.js";
import { Transport, endpoint } from "./runtime/http.js";

interface Seen {
  readonly method: string;
  readonly url: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
  readonly port: number;
}

/** A server answering each request with `answer`, recording what it was sent. */
async function serve(
  answer: (request: http.IncomingMessage, response: http.ServerResponse, seen: Seen) => void,
): Promise<{ url: string; seen: Seen[]; close: () => Promise<void> }> {
  const seen: Seen[] = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const entry = {
        method: request.method ?? "",
        url: request.url ?? "",
        headers: request.headers,
        body: Buffer.concat(chunks).toString("utf8"),
        port: request.socket.remotePort ?? 0,
      };
      seen.push(entry);
      answer(request, response, entry);
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

function outgoing(over: Partial<Outgoing> = {}): Outgoing {
  return {
    method: "GET",
    headers: { accept: "application/json" },
    body: undefined,
    redirect: "follow",
    signal: new AbortController().signal,
    ...over,
  };
}

test("exchange: the request's framing and headers, the answer's status, headers and text", async () => {
  const server = await serve((_, response) => {
    response.setHeader("x-request-id", "r-1");
    response.appendHeader("set-cookie", ["a=1", "b=2"]);
    response.end('\ufeff{"é": 1}');
  });
  try {
    const body = JSON.stringify({ name: "é" });
    const answer = await nodeExchange(
      `${server.url}/p?q=1`,
      outgoing({ method: "POST", body, headers: { "content-type": "application/json" } }),
    );
    assert.equal(answer.status, 200);
    assert.equal(answer.headers.get("x-request-id"), "r-1");
    assert.equal(answer.headers.get("set-cookie"), "a=1, b=2");
    assert.equal(answer.text, '{"é": 1}'); // UTF-8, the byte-order mark dropped (as fetch's text())
    const [sent] = server.seen;
    assert.equal(sent?.method, "POST");
    assert.equal(sent?.url, "/p?q=1");
    assert.equal(sent?.body, body);
    // a fixed length, never chunked, as fetch sends a string body
    assert.equal(sent?.headers["content-length"], String(Buffer.byteLength(body)));
    assert.equal(sent?.headers["transfer-encoding"], undefined);
    assert.equal(sent?.headers["accept-encoding"], "gzip, deflate");
    assert.equal(sent?.headers["content-type"], "application/json");
    // a POST without a body says so (fetch's `content-length: 0`); a GET has no length at all
    await nodeExchange(server.url, outgoing({ method: "POST" }));
    await nodeExchange(server.url, outgoing());
    assert.equal(server.seen[1]?.headers["content-length"], "0");
    assert.equal(server.seen[2]?.headers["content-length"], undefined);
    assert.equal(server.seen[2]?.headers["transfer-encoding"], undefined);
  } finally {
    await server.close();
  }
});

test("exchange: connections are kept alive and reused", async () => {
  const server = await serve((_, response) => response.end("{}"));
  try {
    await nodeExchange(server.url, outgoing());
    await nodeExchange(server.url, outgoing());
    assert.equal(server.seen.length, 2);
    assert.equal(server.seen[0]?.port, server.seen[1]?.port);
  } finally {
    await server.close();
  }
});

test("exchange: gzip, deflate (zlib and raw) and br answers are decoded", async () => {
  const text = JSON.stringify({ items: Array.from({ length: 50 }, (_, i) => `item-${i}`) });
  const encoders: Record<string, (b: Buffer) => Buffer> = {
    gzip: zlib.gzipSync,
    deflate: zlib.deflateSync,
    "deflate-raw": zlib.deflateRawSync,
    br: zlib.brotliCompressSync,
  };
  const server = await serve((request, response) => {
    const coding = request.url?.slice(1) ?? "";
    response.setHeader("content-encoding", coding === "deflate-raw" ? "deflate" : coding);
    response.end(encoders[coding]?.(Buffer.from(text)));
  });
  try {
    for (const coding of Object.keys(encoders)) {
      const answer = await nodeExchange(`${server.url}/${coding}`, outgoing());
      assert.equal(answer.text, text, coding);
    }
  } finally {
    await server.close();
  }
});

test("exchange: redirects are followed as fetch follows them, or answered when manual", async () => {
  const other = await serve((_, response) => response.end("{}"));
  const server = await serve((request, response) => {
    const [path, status] = (request.url ?? "").slice(1).split("/");
    if (path === "to") {
      response.writeHead(Number(status), { location: status === "303" ? "/end" : "/end" });
      response.end();
    } else if (path === "away") {
      response.writeHead(302, { location: `${other.url}/there` });
      response.end();
    } else if (path === "loop") {
      response.writeHead(302, { location: "/loop" });
      response.end();
    } else response.end("{}");
  });
  const post = outgoing({
    method: "POST",
    body: "{}",
    headers: { "content-type": "application/json", authorization: "Bearer t", "x-key": "k" },
  });
  try {
    // 301/302 of a POST and 303: a GET without the body or its headers
    for (const status of ["301", "302", "303"]) {
      server.seen.length = 0;
      const answer = await nodeExchange(`${server.url}/to/${status}`, post);
      assert.equal(answer.status, 200, status);
      const end = server.seen[1];
      assert.deepEqual([end?.method, end?.url, end?.body], ["GET", "/end", ""], status);
      assert.equal(end?.headers["content-type"], undefined, status);
      assert.equal(end?.headers["authorization"], "Bearer t", status); // same origin: kept
    }
    // 307 and 308: the same method and body
    for (const status of ["307", "308"]) {
      server.seen.length = 0;
      await nodeExchange(`${server.url}/to/${status}`, post);
      const end = server.seen[1];
      assert.deepEqual([end?.method, end?.body], ["POST", "{}"], status);
      assert.equal(end?.headers["content-type"], "application/json", status);
    }
    // another origin: no authorization (fetch drops it), other headers kept
    await nodeExchange(`${server.url}/away`, outgoing({ headers: post.headers }));
    const there = other.seen[0];
    assert.equal(there?.url, "/there");
    assert.equal(there?.headers["authorization"], undefined);
    assert.equal(there?.headers["x-key"], "k");
    // manual: the redirect is the answer
    const manual = await nodeExchange(`${server.url}/away`, outgoing({ redirect: "manual" }));
    assert.equal(manual.status, 302);
    assert.equal(manual.headers.get("location"), `${other.url}/there`);
    // fetch's limit: 20 redirects
    server.seen.length = 0;
    await assert.rejects(nodeExchange(`${server.url}/loop`, outgoing()), /redirect count/);
    assert.equal(server.seen.length, 21);
  } finally {
    await server.close();
    await other.close();
  }
});

test("exchange: an abort, a refused connection and a body cut short reject", async () => {
  const server = await serve((request, response) => {
    if (request.url === "/cut") {
      response.writeHead(200, { "content-length": "100" });
      response.write("{");
      setTimeout(() => response.destroy(), 10);
    }
    // "/hold": never answered
  });
  try {
    const controller = new AbortController();
    const held = nodeExchange(`${server.url}/hold`, outgoing({ signal: controller.signal }));
    setTimeout(() => controller.abort(new Error("stop")), 20);
    await assert.rejects(held, /stop/);
    await assert.rejects(nodeExchange(`${server.url}/cut`, outgoing()));
  } finally {
    await server.close();
  }
  // the transport's errors: no answer is an APIConnectionError naming the system error, no answer
  // in time an APITimeoutError
  const config = resolveConfig(
    { apiKeyEnv: "K", baseUrlEnv: "U", defaultBaseUrl: server.url, defaultTimeoutMs: 50 },
    { apiKey: "k", env: {} },
  );
  const transport = new Transport(config, { userAgent: "t", authHeader: "X-Key" });
  await assert.rejects(
    transport.send(endpoint({ id: "t.get", method: "GET", path: "/t" })),
    (error: unknown) =>
      error instanceof APIConnectionError &&
      !(error instanceof APITimeoutError) &&
      /ECONNREFUSED/.test(error.message),
  );
  const holding = await serve(() => undefined);
  try {
    const slow = new Transport(
      resolveConfig(
        { apiKeyEnv: "K", baseUrlEnv: "U", defaultBaseUrl: holding.url, defaultTimeoutMs: 50 },
        { apiKey: "k", env: {} },
      ),
      { userAgent: "t", authHeader: "X-Key" },
    );
    await assert.rejects(
      slow.send(endpoint({ id: "t.get", method: "GET", path: "/t" })),
      APITimeoutError,
    );
  } finally {
    await holding.close();
  }
});

test("exchange: a client's fetch is used instead when given", async () => {
  const calls: string[] = [];
  const send = fetchExchange((async (url: string | URL | Request) => {
    calls.push(String(url));
    return new Response("{}", { status: 201 });
  }) as typeof fetch);
  const answer = await send("http://x/y", outgoing());
  assert.deepEqual([answer.status, answer.text, calls], [201, "{}", ["http://x/y"]]);
});
