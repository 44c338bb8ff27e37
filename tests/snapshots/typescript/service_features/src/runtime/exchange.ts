/**
 * One HTTP exchange: a request sent, its answer read whole (copied verbatim by tinkc). The
 * transport (http.ts) makes every decision (retries, timeouts, auth); this only moves bytes.
 *
 * Two ways, one contract: `fetchExchange`, over a `fetch` (the one a client is given), and
 * `nodeExchange`, over Node's `http`/`https` modules with keep-alive connections, the default.
 * Node's `fetch` (undici) spends two to three times the CPU of `node:http` per request (its
 * Request, Response and web-stream objects) and holds more memory: with bench/sdk_compare.py's
 * workload against `tinkc mock`, 1.7 ms of CPU per sequential call through fetch against 0.7 ms,
 * 1.7 ms per request with 200 futures in flight against 0.6 ms, peak RSS 115 MiB against 66 MiB.
 * That CPU is the client's own time between an answer and its next request, which the calls of
 * an ordered lane wait for. `nodeExchange` keeps what fetch does on the wire: the same headers
 * (less `accept-language` and `sec-fetch-mode`, which only browsers' CORS means), the body's
 * `content-length`, gzip/deflate answers decoded, redirects followed as fetch's `follow` does.
 */

import * as http from "node:http";
import * as https from "node:https";
import * as zlib from "node:zlib";

import type { Answer } from "./http.js";

/** What one exchange sends. Header names are lower-case. */
export interface Outgoing {
  readonly method: string;
  readonly headers: { readonly [name: string]: string };
  readonly body: string | undefined;
  /** `manual`: a redirect is the answer; `follow`: it is followed (up to 20 times). */
  readonly redirect: "follow" | "manual";
  /** Aborts the exchange: it then rejects (the caller tells a timeout from a cancel). */
  readonly signal: AbortSignal;
}

/** Sends one request to `url`; no answer at all rejects. */
export type Send = (url: string, outgoing: Outgoing) => Promise<Answer>;

/** Over a `fetch` (a client's `fetch` option). */
export function fetchExchange(send: typeof fetch): Send {
  return async (url, { method, headers, body, redirect, signal }) => {
    const response = await send(url, {
      method,
      headers,
      ...(body === undefined ? {} : { body }),
      redirect,
      signal,
    });
    return { status: response.status, headers: response.headers, text: await response.text() };
  };
}

// One keep-alive pool per scheme for the process, as fetch's global dispatcher is: clients share
// connections, and idle ones do not keep the process alive (Node unrefs a free socket).
let agents: { http: http.Agent; https: https.Agent } | null = null;

function agentsOf(): { http: http.Agent; https: https.Agent } {
  agents ??= {
    http: new http.Agent({ keepAlive: true }),
    https: new https.Agent({ keepAlive: true }),
  };
  return agents;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 20; // fetch's limit
// Request headers describing the body, dropped when a redirect turns the request into a GET
// without it; and headers fetch does not carry to another origin.
const BODY_HEADERS = ["content-type", "content-encoding", "content-language", "content-location"];
const ORIGIN_HEADERS = ["authorization", "cookie", "proxy-authorization"];

/** Over Node's `http`/`https` (the default). Redirects are followed as fetch's `follow` does. */
export const nodeExchange: Send = async (url, outgoing) => {
  let target = new URL(url);
  let { method, body } = outgoing;
  const headers: Record<string, string> = {
    "accept-encoding": "gzip, deflate",
    ...outgoing.headers,
  };
  for (let hop = 0; ; hop++) {
    const answer = await once(target, method, headers, body, outgoing.signal);
    const location = answer.headers.get("location");
    if (outgoing.redirect === "manual" || !REDIRECTS.has(answer.status) || location === null)
      return answer;
    if (hop === MAX_REDIRECTS) throw new TypeError("redirect count exceeded");
    const next = new URL(location, target);
    if (next.protocol !== "http:" && next.protocol !== "https:")
      throw new TypeError(`redirect to an unsupported scheme (${next.protocol})`);
    if (
      (answer.status === 303 && method !== "GET" && method !== "HEAD") ||
      ((answer.status === 301 || answer.status === 302) && method === "POST")
    ) {
      method = "GET";
      body = undefined;
      for (const name of BODY_HEADERS) delete headers[name];
    }
    if (next.origin !== target.origin) for (const name of ORIGIN_HEADERS) delete headers[name];
    target = next;
  }
};

function once(
  url: URL,
  method: string,
  headers: Record<string, string>,
  body: string | undefined,
  signal: AbortSignal,
): Promise<Answer> {
  if (url.protocol !== "http:" && url.protocol !== "https:")
    return Promise.reject(new TypeError(`unsupported URL scheme (${url.protocol})`));
  signal.throwIfAborted();
  return new Promise((resolve, reject) => {
    const secure = url.protocol === "https:";
    // the body is written by `end` alone: Node then sends its content-length, as fetch does
    const options = { method, headers, agent: secure ? agentsOf().https : agentsOf().http };
    const request = secure ? https.request(url, options) : http.request(url, options);
    let settled = false;
    const settle = (error: unknown, answer?: Answer): void => {
      if (settled) return;
      settled = true;
      signal.removeEventListener("abort", abort);
      if (answer === undefined) reject(error);
      else resolve(answer);
    };
    const abort = (): void => {
      request.destroy();
      settle(signal.reason);
    };
    signal.addEventListener("abort", abort, { once: true });
    request.on("error", (error) => settle(error));
    request.on("response", (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("error", (error) => settle(error));
      // a connection closed before the whole body came is no answer
      response.on("close", () => {
        if (!response.complete) settle(new Error("the connection closed before the body ended"));
      });
      response.on("end", () => {
        decoded(Buffer.concat(chunks), response.headers["content-encoding"]).then((bytes) => {
          const answerHeaders = new Headers();
          const raw = response.rawHeaders;
          for (let i = 0; i + 1 < raw.length; i += 2)
            answerHeaders.append(raw[i] ?? "", raw[i + 1] ?? "");
          // as fetch's `text()`: UTF-8, a byte-order mark dropped
          const text = bytes.toString("utf8");
          settle(null, {
            status: response.statusCode ?? 0,
            headers: answerHeaders,
            text: text.charCodeAt(0) === 0xfeff ? text.slice(1) : text,
          });
        }, settle);
      });
    });
    request.end(body);
  });
}

/** The body with its content-encoding undone (the encodings the request accepts). */
function decoded(bytes: Buffer, encoding: string | undefined): Promise<Buffer> {
  const coding = encoding?.trim().toLowerCase();
  if (bytes.length === 0 || coding === undefined || coding === "" || coding === "identity")
    return Promise.resolve(bytes);
  return new Promise((resolve, reject) => {
    const done = (error: Error | null, out: Buffer): void => (error ? reject(error) : resolve(out));
    if (coding === "gzip" || coding === "x-gzip") zlib.gunzip(bytes, done);
    // "deflate" is zlib-wrapped, though some servers send it raw (fetch reads both)
    else if (coding === "deflate")
      (((bytes[0] ?? 0) & 0x0f) === 8 ? zlib.inflate : zlib.inflateRaw)(bytes, done);
    else if (coding === "br") zlib.brotliDecompress(bytes, done);
    else reject(new TypeError(`unsupported content-encoding ${coding}`));
  });
}
