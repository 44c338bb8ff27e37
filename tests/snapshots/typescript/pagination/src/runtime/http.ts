/**
 * Sending one request of an endpoint, with the manifest's retry, idempotency, backpressure,
 * retry-handler and redirect behaviour (copied verbatim by tinkc). Everything an endpoint does
 * differently is data (`Endpoint`, generated from the manifest); the decisions are here.
 */

import { randomUUID } from "node:crypto";

import { type AuthScheme, TokenState, credentialValue, invalidToken } from "./auth.js";
import { type Clock, systemClock } from "./clock.js";
import type { Logger } from "./session.js";
import type { Config } from "./config.js";
import { type Send, fetchExchange, nodeExchange } from "./exchange.js";
import {
  APIConnectionError,
  APITimeoutError,
  ResponseValidationError,
  SDKError,
  statusError,
} from "./errors.js";
import {
  NO_RETRY,
  type RetryPolicy,
  type StatusRanges,
  backoffMs,
  inRanges,
  retriesResponse,
  retryDelayMs,
} from "./retry.js";

/** The manifest's sampling_backpressure: on these statuses, wait and resend (not an error). */
export interface Backpressure {
  readonly statuses: StatusRanges;
  readonly smallDelayMs: number;
  readonly largeDelayMs: number;
  /** Requests with a body up to this many bytes wait the small delay. */
  readonly smallRequestBytes: number;
  readonly headers: readonly (readonly [string, string])[];
  /** The resend is a new request: it carries a new idempotency key (a transport retry keeps it). */
  readonly freshIdempotencyKey: boolean;
}

/**
 * The manifest's retry_handler: at most `maxConnections` requests in flight per client family, and
 * transient failures retried without an attempt limit until `progressTimeoutMs` pass without an
 * answer (the call then fails as stuck, with an `APITimeoutError`).
 */
export interface RetryHandler {
  readonly id: string;
  readonly maxConnections: number;
  readonly progressTimeoutMs: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly jitter: number;
}

/**
 * The manifest's queue_state_observer of a futures endpoint: without an observer of the client's
 * own, the queue-state changes of its futures are logged at `level` (`debug`, `info`, `warning`,
 * `error`), at most once per `debounceMs` for one feature and endpoint in a client family.
 */
export interface QueueLog {
  readonly id: string;
  readonly debounceMs: number;
  readonly level: string;
  /** Client state fields whose value keys the debounce (the first the calling client holds). */
  readonly keyFields?: readonly string[] | undefined;
}

export interface Idempotency {
  readonly header: string;
  readonly prefix: string;
}

/** What the manifest says about one endpoint (generated per SDK). */
export interface Endpoint {
  readonly id: string;
  readonly method: string;
  /** The path template: `{name}` is percent-encoded, `{+name}` inserted as it is (RFC 6570). */
  readonly path: string;
  readonly headers: readonly (readonly [string, string])[];
  readonly retry: RetryPolicy;
  /** One key per logical request, reused by all its retries. */
  readonly idempotency: Idempotency | null;
  readonly backpressure: Backpressure | null;
  readonly handler: RetryHandler | null;
  /** Do not follow a redirect: its `Location` is the answer. */
  readonly redirectLocation: boolean;
  /** Overrides the client's timeout for one request of this endpoint. */
  readonly timeoutMs: number | null;
  /** The path and query parameters declared `float` (wire names): written as `floatText` does. */
  readonly floats: readonly string[];
  /** A futures endpoint's request type: sent with every poll of its futures. */
  readonly requestType: string | null;
  /** How the queue-state changes of its futures are logged, when the client has no observer. */
  readonly queueLog: QueueLog | null;
}

/** An endpoint with the defaults of everything it does not declare. */
export function endpoint(
  spec: Pick<Endpoint, "id" | "method" | "path"> & Partial<Endpoint>,
): Endpoint {
  return {
    headers: [],
    retry: NO_RETRY,
    idempotency: null,
    backpressure: null,
    handler: null,
    redirectLocation: false,
    timeoutMs: null,
    floats: [],
    requestType: null,
    queueLog: null,
    ...spec,
  };
}

/** The manifest's server_config feature: endpoints a client family fetches, in this order, with
 * their bodies (`null`: no body), before its first request (generated per SDK). */
export interface ServerConfig {
  readonly fetches: readonly (readonly [Endpoint, unknown])[];
}

export interface Request {
  readonly path?: { readonly [name: string]: unknown };
  /** `undefined` and `null` values are left out; a list repeats the parameter. */
  readonly query?: { readonly [name: string]: unknown };
  /** The JSON body, already in its wire form. */
  readonly body?: unknown;
  readonly headers?: { readonly [name: string]: string };
  readonly timeoutMs?: number;
  /** Cancels the request (and its retries); the signal's reason is thrown. */
  readonly signal?: AbortSignal | undefined;
}

/** A complete answer: its body is read. */
export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
}

/** The body as JSON, or the text when it is not JSON, or `null` when empty. */
export function parseBody(answer: Answer): unknown {
  if (answer.text === "") return null;
  try {
    return JSON.parse(answer.text);
  } catch {
    return answer.text;
  }
}

/** The body as JSON; a body that is not JSON is a `ResponseValidationError`. */
export function jsonBody(answer: Answer): unknown {
  if (answer.text === "") return null;
  try {
    return JSON.parse(answer.text);
  } catch {
    throw new ResponseValidationError("the response body is not JSON", answer.text.slice(0, 1000));
  }
}

const UNRESERVED = /^[A-Za-z0-9_.~-]$/;
// RFC 6570 reserved expansion (`{+name}`): reserved characters, `/` among them, stay as they are.
const RESERVED = ":/?#[]@!$&'()*+,;=";

function percentEncode(text: string, safe: string): string {
  let out = "";
  for (const byte of new TextEncoder().encode(text)) {
    const ch = String.fromCharCode(byte);
    out +=
      byte < 128 && (UNRESERVED.test(ch) || safe.includes(ch))
        ? ch
        : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/**
 * A float as the other SDKs write it in a URL (Python's `repr`): the shortest text that reads back
 * as the same number, an integral value with `.0` (`2.0`), exponent notation below 1e-4 and from
 * 1e16 on (`1e-05`, `1.5e+16`), `inf`, `-inf` and `nan`. JavaScript's numbers do not tell `2` from
 * `2.0`; the parameter's declared type does.
 */
export function floatText(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  const sign = x < 0 || Object.is(x, -0) ? "-" : "";
  // the shortest round-trip digits and the decimal exponent: `d.ddde±n`
  const [mantissa = "0", exp = "0"] = Math.abs(x).toExponential().split("e");
  const digits = mantissa.replace(".", "");
  const e = Number(exp);
  if (e < -4 || e >= 16) {
    const frac = digits.length > 1 ? `.${digits.slice(1)}` : "";
    return `${sign}${digits[0] ?? "0"}${frac}e${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`;
  }
  if (e < 0) return `${sign}0.${"0".repeat(-e - 1)}${digits}`;
  const whole = digits.slice(0, e + 1).padEnd(e + 1, "0");
  return `${sign}${whole}.${digits.slice(e + 1) || "0"}`;
}

function paramText(value: unknown, float: boolean): string {
  return float && typeof value === "number" ? floatText(value) : String(value);
}

export function buildPath(
  template: string,
  params: { readonly [name: string]: unknown } = {},
  floats: readonly string[] = [],
): string {
  return template.replace(/\{(\+?)([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, raw: string, name: string) => {
    const value = params[name];
    if (value === undefined || value === null)
      throw new TypeError(`the path parameter \`${name}\` is missing`);
    return percentEncode(paramText(value, floats.includes(name)), raw === "+" ? RESERVED : "");
  });
}

function queryString(
  query: { readonly [name: string]: unknown } = {},
  floats: readonly string[] = [],
): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    const float = floats.includes(name);
    for (const item of Array.isArray(value) ? value : [value]) {
      if (item !== undefined && item !== null) params.append(name, paramText(item, float));
    }
  }
  const text = params.toString();
  return text === "" ? "" : `?${text}`;
}

export function transient(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/** A semaphore whose waiters give up after a while (by the transport's clock). */
class Slots {
  private free: number;
  private readonly waiters: (() => void)[] = [];

  constructor(size: number) {
    this.free = size;
  }

  /** A slot (`true`), or `false` after `timeoutMs` (by the clock) or when `signal` aborts. */
  acquire(clock: Clock, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    if (this.free > 0) {
      this.free -= 1;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => {
      // The wait ends when a slot is handed over, the caller's signal aborts or the time is up. The
      // caller's signal is followed with a listener removed afterwards, not AbortSignal.any, which
      // Node keeps alive as long as a long-lived caller signal (nodejs/node#54614).
      let handedOver = false;
      const wake = new AbortController();
      const waiter = (): void => {
        handedOver = true;
        wake.abort();
        resolve(true);
      };
      this.waiters.push(waiter);
      const onAbort = (): void => wake.abort();
      if (signal?.aborted) wake.abort();
      else signal?.addEventListener("abort", onAbort, { once: true });
      void clock.sleep(timeoutMs, { signal: wake.signal }).then(() => {
        signal?.removeEventListener("abort", onAbort);
        if (handedOver) return;
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        resolve(false);
      });
    });
  }

  release(): void {
    const next = this.waiters.shift();
    if (next === undefined) this.free += 1;
    else next();
  }
}

export interface TransportOptions {
  readonly userAgent: string;
  readonly authHeader: string;
  /** Requests go through this `fetch` when given, else through Node's http modules (exchange.ts). */
  readonly fetch?: typeof fetch | undefined;
  readonly clock?: Clock | undefined;
  /** Uniform in [0, 1): the jitter of backoffs. */
  readonly random?: (() => number) | undefined;
  /** The manifest's auth scheme (`authHeader` and the bare key without it). */
  readonly auth?: AuthScheme | null | undefined;
  /** Whether the scheme's token exchange is on (decided by the client's options). */
  readonly tokenExchange?: boolean | undefined;
  /** Seconds since the epoch, for tokens' expiry (`Date.now() / 1000` by default). */
  readonly wall?: (() => number) | undefined;
  /** Where retries are logged (at debug level). */
  readonly logger?: Logger | undefined;
  /** The server-driven configuration the family fetches before its first request. */
  readonly serverConfig?: ServerConfig | null | undefined;
}

/** Requests of one client family: configuration, retries, in-flight limits. */
export class Transport {
  readonly config: Config;
  readonly clock: Clock;
  private readonly userAgent: string;
  private readonly authHeader: string;
  private readonly exchange: Send;
  private readonly random: () => number;
  private readonly slots = new Map<string, Slots>();
  // the credential's header value: a private field, never shown
  readonly #credential: string;
  private readonly tokens: TokenState | null;
  private exchanging: Promise<string> | null = null; // one exchange at a time; the others await it
  private readonly logger: Logger | null;
  private readonly serverConfig: ServerConfig | null;
  // the fetch of the server's configuration: started by the first request, awaited by every one
  private serverFetch: Promise<void> | null = null;
  /** The fields the config endpoints answered, later fetches' over earlier ones'. */
  readonly server: Record<string, unknown> = {};

  constructor(config: Config, options: TransportOptions) {
    this.config = config;
    this.serverConfig = options.serverConfig ?? null;
    this.userAgent = options.userAgent;
    const auth = options.auth ?? null;
    this.authHeader = (auth === null ? options.authHeader : auth.header).toLowerCase();
    this.exchange = options.fetch === undefined ? nodeExchange : fetchExchange(options.fetch);
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.logger = options.logger ?? null;
    this.#credential = auth === null ? config.apiKey : credentialValue(auth, config.apiKey);
    this.tokens =
      auth?.exchange != null && options.tokenExchange === true
        ? new TokenState(
            auth.exchange,
            auth,
            options.wall ?? ((): number => Date.now() / 1000),
            this.random,
          )
        : null;
  }

  /**
   * The auth header's value: the credential, or (when the exchange is on) a current token,
   * exchanged for first when there is none or it is due. The exchange sends the credential.
   */
  private async authValue(endpoint: Endpoint): Promise<string> {
    const tokens = this.tokens;
    if (tokens === null || this.carriesCredential(endpoint)) return this.#credential;
    const current = tokens.current();
    if (current !== null) return current;
    if (this.exchanging === null) {
      const x = tokens.exchange;
      this.exchanging = this.attempts(x.endpoint, { body: x.body })
        .then((answer) => tokens.store(parseBody(answer)))
        .finally(() => {
          this.exchanging = null;
        });
    }
    return this.exchanging;
  }

  /** Whether a request carries the credential itself though the exchange is on: the exchange,
   * and the server-config fetches (a family fetches its configuration before it exchanges, as
   * 0.38). */
  private carriesCredential(endpoint: Endpoint): boolean {
    if (this.tokens !== null && endpoint.id === this.tokens.exchange.endpoint.id) return true;
    return this.serverConfig?.fetches.some(([e]) => e.id === endpoint.id) ?? false;
  }

  private rejectedToken(endpoint: Endpoint, answer: Answer): boolean {
    return (
      this.tokens !== null &&
      answer.status === 401 &&
      !this.carriesCredential(endpoint) &&
      invalidToken(answer.headers)
    );
  }

  async send(endpoint: Endpoint, request: Request = {}): Promise<Answer> {
    await this.serverReady();
    return this.limited(endpoint, request);
  }

  /** Resolves once the family's server configuration was fetched (at once without one). */
  async serverReady(): Promise<void> {
    if (this.serverConfig === null) return;
    this.serverFetch ??= this.fetchServerConfig(this.serverConfig);
    await this.serverFetch;
  }

  /** Before the first request: the config endpoints, in order; a fetch that fails in any way
   * is skipped and leaves the defaults. */
  private async fetchServerConfig(spec: ServerConfig): Promise<void> {
    for (const [endpoint, body] of spec.fetches) {
      try {
        const data = parseBody(await this.limited(endpoint, body === null ? {} : { body }));
        if (typeof data === "object" && data !== null && !Array.isArray(data))
          Object.assign(this.server, data);
      } catch (error) {
        if (!(error instanceof SDKError)) throw error;
      }
    }
  }

  private async limited(endpoint: Endpoint, request: Request): Promise<Answer> {
    const handler = endpoint.handler;
    if (handler === null) return this.attempts(endpoint, request);
    let slots = this.slots.get(handler.id);
    if (slots === undefined) {
      slots = new Slots(handler.maxConnections);
      this.slots.set(handler.id, slots);
    }
    if (!(await slots.acquire(this.clock, handler.progressTimeoutMs, request.signal))) {
      request.signal?.throwIfAborted();
      throw new APITimeoutError(
        `${endpoint.id}: stuck, no request slot for ${handler.progressTimeoutMs} ms`,
      );
    }
    try {
      return await this.attempts(endpoint, request);
    } finally {
      slots.release();
    }
  }

  private headersOf(
    endpoint: Endpoint,
    request: Request,
    content: string | undefined,
  ): Record<string, string> {
    const headers: Record<string, string> = {
      accept: "application/json",
      "user-agent": this.userAgent,
    };
    const add = (name: string, value: string): void => {
      headers[name.toLowerCase()] = value;
    };
    for (const [name, value] of Object.entries(this.config.headers)) add(name, value);
    for (const [name, value] of endpoint.headers) add(name, value);
    if (content !== undefined) add("content-type", "application/json");
    if (endpoint.idempotency !== null)
      add(endpoint.idempotency.header, endpoint.idempotency.prefix + randomUUID());
    for (const [name, value] of endpoint.backpressure?.headers ?? []) add(name, value);
    for (const [name, value] of Object.entries(request.headers ?? {})) add(name, value);
    return headers;
  }

  /** One logical request: its attempts until an answer that is final, or an error. */
  private async attempts(endpoint: Endpoint, request: Request): Promise<Answer> {
    const content = request.body === undefined ? undefined : JSON.stringify(request.body);
    const headers = this.headersOf(endpoint, request, content);
    let authValue = await this.authValue(endpoint);
    headers[this.authHeader] = authValue;
    let replayed = false;
    const url =
      this.config.baseUrl +
      buildPath(endpoint.path, request.path, endpoint.floats) +
      queryString(request.query, endpoint.floats);
    const policy = endpoint.retry;
    const handler = endpoint.handler;
    const started = this.clock.now();
    let retry = 0;
    // The retry handler retries transient failures until no progress was made for its timeout.
    const handlerDelay = (handler: RetryHandler): number => {
      if (this.clock.now() - started >= handler.progressTimeoutMs) {
        throw new APITimeoutError(
          `${endpoint.id}: stuck, no progress for ${handler.progressTimeoutMs} ms`,
        );
      }
      const delay = backoffMs(
        handler.baseDelayMs,
        handler.maxDelayMs,
        handler.jitter,
        retry,
        this.random(),
      );
      retry += 1;
      return delay;
    };
    for (;;) {
      let answer: Answer;
      try {
        answer = await this.once(endpoint, url, headers, content, request);
      } catch (error) {
        if (!(error instanceof APIConnectionError)) throw error;
        const timedOut = error instanceof APITimeoutError;
        if (handler !== null) {
          await this.clock.sleep(handlerDelay(handler), { signal: request.signal });
        } else if (
          retry < policy.maxRetries &&
          (timedOut ? policy.onTimeout : policy.onConnectionError)
        ) {
          const delay = backoffMs(
            policy.baseDelayMs,
            policy.maxDelayMs,
            policy.jitter,
            retry,
            this.random(),
          );
          retry += 1;
          this.logger?.debug?.(
            `${endpoint.id}: retry ${retry} in ${(delay / 1000).toFixed(3)} s after ${error.name}`,
          );
          await this.clock.sleep(delay, { signal: request.signal });
        } else {
          throw error;
        }
        request.signal?.throwIfAborted();
        continue;
      }
      const status = answer.status;
      if (status < 300 || (status < 400 && endpoint.redirectLocation)) return answer;
      if (!replayed && this.rejectedToken(endpoint, answer)) {
        // one new token and one replay; a second rejection is the caller's error
        replayed = true;
        this.tokens?.invalidate(authValue);
        authValue = await this.authValue(endpoint);
        headers[this.authHeader] = authValue;
        continue;
      }
      const bp = endpoint.backpressure;
      let delay: number;
      if (bp !== null && inRanges(status, bp.statuses)) {
        // backpressure is not an error: wait and resend, for as long as a retry handler allows
        if (handler !== null && this.clock.now() - started >= handler.progressTimeoutMs) {
          throw new APITimeoutError(
            `${endpoint.id}: stuck, no progress for ${handler.progressTimeoutMs} ms`,
          );
        }
        delay =
          Buffer.byteLength(content ?? "") <= bp.smallRequestBytes
            ? bp.smallDelayMs
            : bp.largeDelayMs;
        if (bp.freshIdempotencyKey && endpoint.idempotency !== null) {
          const name = endpoint.idempotency.header.toLowerCase();
          headers[name] = endpoint.idempotency.prefix + randomUUID();
        }
      } else if (handler !== null && transient(status)) {
        delay = handlerDelay(handler);
      } else if (retry < policy.maxRetries && retriesResponse(policy, status, answer.headers)) {
        delay = retryDelayMs(policy, retry, this.random(), answer.headers);
        retry += 1;
        this.logger?.debug?.(
          `${endpoint.id}: retry ${retry} in ${(delay / 1000).toFixed(3)} s after status ${status}`,
        );
      } else {
        // the error carries what a raw response would: status, headers, request id
        throw statusError(
          status,
          parseBody(answer),
          answer.headers.get("x-request-id"),
          answer.headers,
        );
      }
      await this.clock.sleep(delay, { signal: request.signal });
      request.signal?.throwIfAborted();
    }
  }

  /** One HTTP exchange; no answer is an `APIConnectionError` (`APITimeoutError` past the timeout). */
  private async once(
    endpoint: Endpoint,
    url: string,
    headers: Record<string, string>,
    content: string | undefined,
    request: Request,
  ): Promise<Answer> {
    const timeoutMs = request.timeoutMs ?? endpoint.timeoutMs ?? this.config.timeoutMs;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    const cancel = (): void => controller.abort();
    request.signal?.throwIfAborted();
    request.signal?.addEventListener("abort", cancel, { once: true });
    try {
      return await this.exchange(url, {
        method: endpoint.method,
        headers,
        body: content,
        redirect: endpoint.redirectLocation ? "manual" : "follow",
        signal: controller.signal,
      });
    } catch (error) {
      request.signal?.throwIfAborted();
      if (controller.signal.aborted)
        throw new APITimeoutError(`${endpoint.id}: no answer within ${timeoutMs} ms`);
      throw new APIConnectionError(`${endpoint.id}: connection failed (${reason(error)})`, {
        cause: error,
      });
    } finally {
      clearTimeout(timer);
      request.signal?.removeEventListener("abort", cancel);
    }
  }
}

function codeOf(error: unknown): string | null {
  return error !== null && typeof error === "object" && "code" in error ? String(error.code) : null;
}

/** Why a connection failed: the message and the system error's code (`ECONNREFUSED`), which
 * node:http puts on the error itself and fetch on its cause. */
function reason(error: unknown): string {
  const code = codeOf(error) ?? codeOf(error instanceof Error ? error.cause : undefined);
  const message = error instanceof Error ? error.message : String(error);
  return code === null || message.includes(code) ? message : `${message}: ${code}`;
}
