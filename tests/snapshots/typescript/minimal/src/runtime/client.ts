/**
 * What every generated client shares (copied verbatim by tinkc): configuration, the transport, the
 * session and telemetry of a client family, and one call of an endpoint, including a server-side
 * future's polling.
 */

import { AsyncLocalStorage } from "node:async_hooks";

import { type AuthScheme, exchangeActive } from "./auth.js";
import { type Chunking, combined, split } from "./chunks.js";
import { type Clock, systemClock } from "./clock.js";
import { type Environment, type ServiceSettings, resolveConfig } from "./config.js";
import { ConfigurationError, ResponseValidationError } from "./errors.js";
import {
  type Futures,
  QUEUE_MARKS,
  type QueueStateObserver,
  poll,
  queueKey,
  queueStateLog,
  requestIdOf,
} from "./futures.js";
import {
  type Answer,
  type Endpoint,
  type Request,
  type ServerConfig,
  Transport,
  jsonBody,
} from "./http.js";
import { Pager, type Paging } from "./pagination.js";
import { type Schema, decodeResponse } from "./schema.js";
import { type Logger, type Session, SessionHolder } from "./session.js";
import { EventStream, parseEvents } from "./sse.js";
import { Telemetry, type TelemetrySpec } from "./telemetry.js";

/** The manifest's service-level facts (generated per SDK). */
export interface SDK {
  readonly settings: ServiceSettings;
  readonly authHeader: string;
  readonly userAgent: string;
  readonly session: Session | null;
  readonly telemetry: TelemetrySpec | null;
  readonly auth?: AuthScheme | null | undefined;
  readonly serverConfig?: ServerConfig | null | undefined;
}

export interface ClientOptions {
  /** The API key; else the environment variable the API names. */
  readonly apiKey?: string | undefined;
  /** The base URL; else the environment variable the API names, else its default. */
  readonly baseUrl?: string | undefined;
  /** The timeout of one HTTP request, in milliseconds. */
  readonly timeoutMs?: number | undefined;
  /** Headers added to every request. */
  readonly headers?: { readonly [name: string]: string } | undefined;
  /** A named environment of the API (its base URL), when no `baseUrl` is given; else the
   * environment variable the API names chooses one. */
  readonly environment?: string | undefined;
  /** Told `(queueState, reason)` while a server-side future waits in the queue. */
  readonly queueStateObserver?: QueueStateObserver | undefined;
  /** Where warnings go (`console` by default). */
  readonly logger?: Logger | undefined;
  /** The environment to read configuration from (`process.env` by default). */
  readonly env?: Environment | undefined;
  /** Values of the configuration options the API declares; any other is an error. */
  readonly options?: { readonly [name: string]: unknown } | undefined;
  /** The `fetch` to send requests with; by default Node's http/https modules (runtime/exchange.ts). */
  readonly fetch?: typeof fetch | undefined;
  /** The clock of every wait the SDK makes (tests run it faster: `scaledClock(0.001)`). */
  readonly clock?: Clock | undefined;
  /** Uniform random numbers in [0, 1), for backoff jitter. */
  readonly random?: (() => number) | undefined;
  /** Exchange the key for short-lived tokens (where the API declares an exchange); else the
   * environment variable the API names, else the API's default. */
  readonly tokenExchange?: boolean | undefined;
}

/**
 * Options of one call of a method (or, given to `withOptions`, the defaults of every call of a
 * client). They are apart from the API's parameters (the params object): a request field named
 * `timeout` stays a request field. An unknown option name is a `TypeError`.
 */
export interface RequestOptions {
  /** Cancels the call (its requests, retries and polling); the signal's reason is thrown. */
  readonly signal?: AbortSignal | undefined;
  /** The timeout of each HTTP request of the call, in milliseconds. */
  readonly timeoutMs?: number | undefined;
  /** Retries after the first attempt, instead of the endpoint's retry policy's. */
  readonly maxRetries?: number | undefined;
  /** Headers added to the call's requests (they win over the SDK's own). */
  readonly headers?: { readonly [name: string]: string } | undefined;
  /** Query parameters the API does not declare. */
  readonly extraQuery?: { readonly [name: string]: unknown } | undefined;
  /** Body fields the API does not declare (merged into the JSON object body). */
  readonly extraBody?: { readonly [name: string]: unknown } | undefined;
  /** The call's idempotency key, instead of a generated one (endpoints that send one). */
  readonly idempotencyKey?: string | undefined;
}

/** What a call's request object may hold: its parameters, and the call's options. */
const REQUEST_KEYS = new Set([
  "path",
  "query",
  "body",
  "headers",
  "signal",
  "timeoutMs",
  "maxRetries",
  "extraQuery",
  "extraBody",
  "idempotencyKey",
]);

/** The call's options over a client's defaults: given values win; headers, query and body merge. */
function mergeOptions(base: RequestOptions, over: RequestOptions): RequestOptions {
  return {
    ...base,
    ...Object.fromEntries(Object.entries(over).filter(([, v]) => v !== undefined)),
    headers: { ...base.headers, ...over.headers },
    extraQuery: { ...base.extraQuery, ...over.extraQuery },
    extraBody: { ...base.extraBody, ...over.extraBody },
  };
}

/** The chosen profile's retry count (`Config.maxRetries`) for the endpoints of the policy the
 * profiles name; a call's `maxRetries`, applied after, still wins. */
function profiled(endpoint: Endpoint, maxRetries: number | null): Endpoint {
  if (maxRetries === null || endpoint.retry.profiled !== true) return endpoint;
  return { ...endpoint, retry: { ...endpoint.retry, maxRetries } };
}

/** The endpoint and request one logical request sends with its options applied. */
function applyOptions(endpoint: Endpoint, request: Request & RequestOptions): [Endpoint, Request] {
  for (const key of Object.keys(request)) {
    if (!REQUEST_KEYS.has(key)) throw new TypeError(`unknown request option \`${key}\``);
  }
  const { maxRetries, extraQuery, extraBody, idempotencyKey, ...rest } = request;
  let sent: Endpoint = endpoint;
  if (maxRetries !== undefined) {
    if (!(maxRetries >= 0)) throw new TypeError(`maxRetries must be 0 or more, not ${maxRetries}`);
    sent = { ...sent, retry: { ...sent.retry, maxRetries } };
  }
  let out: Request = rest;
  if (extraQuery !== undefined && Object.keys(extraQuery).length > 0)
    out = { ...out, query: { ...out.query, ...extraQuery } };
  if (extraBody !== undefined && Object.keys(extraBody).length > 0) {
    const body = out.body;
    if (body !== undefined && (typeof body !== "object" || body === null || Array.isArray(body)))
      throw new TypeError(`${endpoint.id}: extraBody needs a JSON object body`);
    out = { ...out, body: { ...(body as object | undefined), ...extraBody } };
  }
  if (idempotencyKey !== undefined) {
    if (endpoint.idempotency === null)
      throw new TypeError(`${endpoint.id} sends no idempotency key: idempotencyKey cannot be set`);
    // a header of the call wins over the generated key, and is the same on every retry
    out = { ...out, headers: { [endpoint.idempotency.header]: idempotencyKey, ...out.headers } };
  }
  return [sent, out];
}

/**
 * Header parameters as header values: absent (`undefined`, `null`) ones left out, anything else as
 * its text (`true`/`false`, an enum's value); then the call's own `headers`, which win.
 */
export function headerValues(
  values: { readonly [name: string]: unknown },
  extra: { readonly [name: string]: string } | undefined,
): { [name: string]: string } {
  const out: { [name: string]: string } = {};
  for (const [name, value] of Object.entries(values)) {
    if (value !== undefined && value !== null) out[name] = String(value);
  }
  return { ...out, ...extra };
}

/**
 * A flow input with `spread:` fields (`rank` beside `lora_config`): the record with each field given
 * on its own (not `undefined` or `null`) in place of the record's.
 */
export function overlay<T extends object>(
  record: T,
  fields: { readonly [K in keyof T]?: T[K] | null },
): T {
  const out: T = { ...record };
  for (const key of Object.keys(fields) as (keyof T)[]) {
    const value = fields[key];
    if (value !== undefined && value !== null) out[key] = value;
  }
  return out;
}

/** A call's value with the HTTP status, headers and request id of its response. */
export interface RawResponse<T> {
  readonly parsed: T;
  readonly status: number;
  readonly headers: Headers;
  readonly requestId: string | null;
}

// The answers of the calls running under `withRawResponse`, per asynchronous context.
const RAW = new AsyncLocalStorage<Answer[]>();

/**
 * The value of `call` (one method call) with the status, headers and request id of its own
 * request's answer: the first one it sends (for a server-side future, its submission; the polls
 * are the SDK's). Errors carry the same (`APIStatusError.status`, `.headers`, `.requestId`).
 */
export async function withRawResponse<T>(call: () => Promise<T>): Promise<RawResponse<T>> {
  const seen: Answer[] = [];
  const parsed = await RAW.run(seen, call);
  const first = seen[0];
  if (first === undefined)
    throw new ConfigurationError("withRawResponse: the call sent no request of its own");
  const requestId = first.headers.get("x-request-id");
  return { parsed, status: first.status, headers: first.headers, requestId };
}

/** The keys of `ClientOptions`: a client given any other option fails (never silently ignored). */
export const CLIENT_OPTION_KEYS: readonly string[] = [
  "apiKey",
  "baseUrl",
  "timeoutMs",
  "headers",
  "environment",
  "queueStateObserver",
  "logger",
  "env",
  "options",
  "fetch",
  "clock",
  "random",
  "tokenExchange",
];

/** The keys of `RequestOptions`: a call given any other option fails (see `BaseClient.checkArgs`). */
export const REQUEST_OPTION_KEYS: readonly string[] = [...REQUEST_KEYS].filter(
  (key) => !["path", "query", "body"].includes(key),
);

/** What a client shares with the clients derived from it. */
export class Family {
  readonly transport: Transport;
  readonly session = new SessionHolder();
  readonly telemetry: Telemetry | null;
  readonly observer: QueueStateObserver | null;
  readonly logger: Logger;
  readonly random: () => number;
  /** How to submit again each future a flow submitted and has not awaited yet (an expired
   * promise is re-run by the await, which has only the request id). */
  readonly resubmits = new Map<string, () => Promise<string>>();

  constructor(sdk: SDK, options: ClientOptions) {
    const unknown = Object.keys(options).filter((key) => !CLIENT_OPTION_KEYS.includes(key));
    if (unknown.length > 0) {
      throw new ConfigurationError(
        `unknown option ${unknown.join(", ")} (known: ${CLIENT_OPTION_KEYS.join(", ")})`,
      );
    }
    const env = options.env ?? process.env;
    const config = resolveConfig(sdk.settings, { ...options, env });
    this.random = options.random ?? Math.random;
    this.logger = options.logger ?? console;
    this.transport = new Transport(config, {
      userAgent: sdk.userAgent,
      authHeader: sdk.authHeader,
      auth: sdk.auth ?? null,
      tokenExchange:
        sdk.auth?.exchange != null && exchangeActive(sdk.auth.exchange, options.tokenExchange, env),
      fetch: options.fetch,
      clock: options.clock ?? systemClock,
      random: this.random,
      // retries are logged at debug level to a logger the user gives, never to `console` by default
      logger: options.logger,
      serverConfig: sdk.serverConfig ?? null,
    });
    this.observer = options.queueStateObserver ?? null;
    const telemetry =
      sdk.telemetry === null ? null : new Telemetry(sdk.telemetry, this.transport, env);
    this.telemetry = telemetry;
    if (telemetry !== null) this.session.onStart = (id) => telemetry.sessionStarted(id);
  }

  async close(): Promise<void> {
    await this.session.close();
    await this.telemetry?.close();
  }
}

/** How the stateless layer (`api.<group>.<fun>`) calls through a client: its family (connections,
 * session, telemetry) and its defaults, as the client's own methods call. */
export interface Calls {
  call<T>(endpoint: Endpoint, schema: Schema<T>, request?: Request & RequestOptions): Promise<T>;
  callEmpty(endpoint: Endpoint, request?: Request & RequestOptions): Promise<void>;
  callStream<T>(
    endpoint: Endpoint,
    schema: Schema<T>,
    request?: Request & RequestOptions,
  ): Promise<EventStream<T>>;
  callLocation(endpoint: Endpoint, request?: Request & RequestOptions): Promise<string>;
  callRedirect<T>(
    endpoint: Endpoint,
    schema: Schema<T>,
    field: string,
    request?: Request & RequestOptions,
  ): Promise<T>;
  callFuture<T>(
    endpoint: Endpoint,
    futures: Futures,
    schema: Schema<T>,
    request?: Request & RequestOptions,
  ): Promise<T>;
  /** One request answered as its JSON body (null: no body); telemetry told of a failure. */
  callRaw(endpoint: Endpoint, request?: Request & RequestOptions): Promise<unknown>;
}

/** The key of a client's `Calls` (a symbol: no name of the client's own API is taken). */
export const CALLS = Symbol("calls");

const FAMILY = Symbol("family");
const STATE = Symbol("state");

/** How a client is made inside the SDK: from a parent's family, with state. */
interface Derivation {
  readonly [FAMILY]: Family;
  readonly [STATE]: { readonly [name: string]: unknown };
}

export type ClientClass<C> = new (options?: ClientOptions) => C;

const INSPECT = Symbol.for("nodejs.util.inspect.custom");

/** Base of the generated clients. */
export abstract class BaseClient {
  protected readonly sdk: SDK;
  protected readonly family: Family;
  protected readonly state: { readonly [name: string]: unknown };
  private counters = new Map<string, number>();
  private lanes = new Map<string, Promise<void>>();
  private readonly owner: boolean;
  /** The defaults of every call's options (`withOptions`). */
  private defaults: RequestOptions = {};

  protected constructor(sdk: SDK, options: ClientOptions = {}) {
    const derivation = options as Partial<Derivation>;
    const family = derivation[FAMILY];
    this.sdk = sdk;
    this.owner = family === undefined;
    this.family = family ?? new Family(sdk, options);
    this.state = { ...derivation[STATE] };
  }

  /** The base URL requests go to. */
  get baseUrl(): string {
    return this.family.transport.config.baseUrl;
  }

  /** Closes the client: stops the session's heartbeats and sends the queued telemetry. A client
   * derived from another one (as a flow returns them) shares its parent's session: closing the
   * parent closes it. */
  async close(): Promise<void> {
    if (this.owner) await this.family.close();
  }

  /** Reports a `generic` telemetry event (when the API has telemetry and it is enabled). */
  logEvent(name: string, data: { readonly [key: string]: unknown } = {}): void {
    this.family.telemetry?.logEvent(name, data);
  }

  toString(): string {
    return `${this.constructor.name}(baseUrl=${JSON.stringify(this.baseUrl)})`;
  }

  [INSPECT](): string {
    return this.toString();
  }

  /** A client of class `cls` sharing this client's configuration, connections, session and telemetry. */
  protected derive<C>(cls: ClientClass<C>, state: { readonly [name: string]: unknown } = {}): C {
    const derivation: Derivation = { [FAMILY]: this.family, [STATE]: state };
    return new cls(derivation as ClientOptions);
  }

  /**
   * A client sharing this one's configuration, connections, session, telemetry and state whose
   * calls use these options by default (a call's own options win). An unknown name is a
   * `TypeError`.
   */
  withOptions(options: RequestOptions): this {
    for (const key of Object.keys(options)) {
      if (!REQUEST_KEYS.has(key) || ["path", "query", "body"].includes(key))
        throw new TypeError(`unknown request option \`${key}\``);
    }
    const copy = this.derive(this.constructor as ClientClass<this>, this.state);
    copy.counters = this.counters; // one client with other defaults: its counters go on
    copy.lanes = this.lanes; // ... in the same lanes, so its ordered requests keep their order
    copy.defaults = mergeOptions(this.defaults, options);
    return copy;
  }

  /** The calls of the stateless layer through this client. */
  [CALLS](): Calls {
    return {
      call: (endpoint, schema, request) => this.call(endpoint, schema, request),
      callEmpty: (endpoint, request) => this.callEmpty(endpoint, request),
      callStream: (endpoint, schema, request) => this.callStream(endpoint, schema, request),
      callLocation: (endpoint, request) => this.callLocation(endpoint, request),
      callRedirect: (endpoint, schema, field, request) =>
        this.callRedirect(endpoint, schema, field, request),
      callFuture: (endpoint, futures, schema, request) =>
        this.callFuture(endpoint, futures, schema, request),
      callRaw: (endpoint, request) =>
        this.reported(this.send(endpoint, request ?? {}).then((answer) => jsonBody(answer))),
    };
  }

  /** One logical request of an endpoint, with the call's options over the client's defaults. */
  protected send(endpoint: Endpoint, request: Request & RequestOptions): Promise<Answer> {
    const { path, query, body, ...options } = request;
    const merged = mergeOptions(this.defaults, options);
    const [sent, out] = applyOptions(profiled(endpoint, this.family.transport.config.maxRetries), {
      path,
      query,
      body,
      ...merged,
    });
    return this.family.transport.send(sent, out).then((answer) => {
      RAW.getStore()?.push(answer); // for `withRawResponse`
      return answer;
    });
  }

  /** Rejects a parameter or option the method does not declare, before anything is sent: the
   * types catch it at compile time, this check at run time (from JavaScript, or data cast to the
   * params type), so a misspelt option is an error and never silently ignored. */
  protected checkArgs(
    method: string,
    params: object,
    known: readonly string[],
    options: RequestOptions = {},
  ): void {
    for (const key of Object.keys(params)) {
      if (!known.includes(key)) {
        throw new TypeError(
          `${this.constructor.name}.${method}: unknown option \`${key}\` (known: ${known.join(", ") || "none"})`,
        );
      }
    }
    for (const key of Object.keys(options)) {
      if (!REQUEST_OPTION_KEYS.includes(key)) {
        throw new TypeError(
          `${this.constructor.name}.${method}: unknown request option \`${key}\` (known: ${REQUEST_OPTION_KEYS.join(", ")})`,
        );
      }
    }
  }

  /** A declared configuration option (`${config.<name>}`): `undefined` when absent. */
  protected configOption<T>(name: string): T {
    return this.family.transport.config.options[name] as T;
  }

  /** A field of the server's configuration (`${server.<name>}`), fetched first when the family
   * has not fetched it yet; the manifest's default when no config endpoint answered it. */
  protected async serverValue<T>(name: string, fallback: T): Promise<T> {
    const transport = this.family.transport;
    await transport.serverReady();
    return (Object.hasOwn(transport.server, name) ? transport.server[name] : fallback) as T;
  }

  /** The value of a state field; a client made directly, without it, cannot make this call. */
  protected stateOf<T>(name: string): T {
    if (!Object.prototype.hasOwnProperty.call(this.state, name)) {
      throw new ConfigurationError(
        `${this.constructor.name} has no \`${name}\`: create it with the flow that makes it`,
      );
    }
    return this.state[name] as T;
  }

  /** The session's id: the client's own (given when it was made), else the family's session,
   * created on first use. */
  protected async sessionId(): Promise<string> {
    const spec = this.sdk.session;
    if (spec === null) throw new ConfigurationError("this API has no session lifecycle");
    const given = this.state[spec.sessionIdField];
    if (typeof given === "string") return given;
    return this.family.session.open(this.family.transport, spec, this.family.logger);
  }

  /** The next value of a counter in the client's state (start, start + 1, ...; start 0 unless the
   * manifest declares another). */
  protected next(counter: string, start = 0): number {
    const value = this.counters.get(counter) ?? start;
    this.counters.set(counter, value + 1);
    return value;
  }

  /**
   * Runs `send` in the client's lane of an `ordered` counter: after every request sent earlier in
   * the lane was answered (or failed), so the requests that read the counter (inside `send`) leave
   * in counter order, one at a time. A future answered by `send` is polled outside the lane.
   */
  protected inLane<T>(counter: string, send: () => Promise<T>): Promise<T> {
    const previous = this.lanes.get(counter) ?? Promise.resolve();
    const turn = previous.then(send);
    // the next turn waits for this one to end, however it ends
    this.lanes.set(
      counter,
      turn.then(
        () => undefined,
        () => undefined,
      ),
    );
    return turn;
  }

  /** Runs one public call: its failure is reported to telemetry, then thrown. */
  private async reported<T>(work: Promise<T>): Promise<T> {
    try {
      return await work;
    } catch (error) {
      this.family.telemetry?.reportError(error);
      throw error;
    }
  }

  /** A value the API declares optional, where a flow needs it: absent is a response error. */
  protected present<T>(value: T | null | undefined, what: string): T {
    if (value === null || value === undefined) {
      const error = new ResponseValidationError(
        `\`${what}\` is absent from the response, but the next step needs it`,
        null,
      );
      this.family.telemetry?.reportError(error);
      throw error;
    }
    return value;
  }

  protected call<T>(
    endpoint: Endpoint,
    schema: Schema<T>,
    request: Request & RequestOptions = {},
  ): Promise<T> {
    return this.reported(
      this.send(endpoint, request).then((answer) => decodeResponse(schema, jsonBody(answer))),
    );
  }

  /** A streaming endpoint (`stream: sse`): its whole body read, then its server-sent events,
   * decoded one by one as the iteration reaches them. Its endpoint has no retry policy: a stream
   * is never sent twice. */
  protected callStream<T>(
    endpoint: Endpoint,
    schema: Schema<T>,
    request: Request & RequestOptions = {},
  ): Promise<EventStream<T>> {
    return this.reported(
      this.send(endpoint, request).then(
        (answer) => new EventStream(parseEvents(answer.text), schema),
      ),
    );
  }

  protected callEmpty(endpoint: Endpoint, request: Request & RequestOptions = {}): Promise<void> {
    return this.reported(this.send(endpoint, request).then(() => undefined));
  }

  /** The `Location` of a redirect the endpoint answers (not followed). */
  protected callLocation(
    endpoint: Endpoint,
    request: Request & RequestOptions = {},
  ): Promise<string> {
    return this.reported(
      this.send(endpoint, request).then((answer) => answer.headers.get("location") ?? ""),
    );
  }

  /** A redirect answered as the declared record: `field` (its url) the Location. */
  protected async callRedirect<T>(
    endpoint: Endpoint,
    schema: Schema<T>,
    field: string,
    request: Request & RequestOptions = {},
  ): Promise<T> {
    const location = await this.callLocation(endpoint, request);
    return schema.decode({ [field]: location }, "$");
  }

  /** The pages of a paginated endpoint, from the request its plain method sends (each page's
   * request goes through the transport as a call does: retries, options, telemetry). */
  protected paginate<P, I>(
    endpoint: Endpoint,
    schema: Schema<P>,
    itemsOf: (page: P) => readonly I[],
    paging: Paging,
    request: Request & RequestOptions = {},
  ): Pager<P, I> {
    const send = (e: Endpoint, r: Request): Promise<Answer> => this.reported(this.send(e, r));
    return new Pager(send, this.baseUrl, paging, { endpoint, request }, schema, itemsOf);
  }

  /** Sends a request that answers a future; its request id (a later `awaitFuture` can submit it
   * again if the promise expires). */
  protected async submit(
    endpoint: Endpoint,
    futures: Futures,
    request: Request & RequestOptions = {},
  ): Promise<string> {
    const again = (): Promise<string> => this.sendSubmit(endpoint, futures, request);
    const requestId = await again();
    this.family.resubmits.set(requestId, again);
    return requestId;
  }

  private sendSubmit(
    endpoint: Endpoint,
    futures: Futures,
    request: Request & RequestOptions,
  ): Promise<string> {
    return this.reported(
      this.send(endpoint, request).then((answer) => requestIdOf(futures, answer)),
    );
  }

  /** Polls a future `endpoint` answered until its result (its request type goes with every
   * poll); `resubmit` submits the call again if the promise expires. */
  protected awaitFuture<T>(
    endpoint: Endpoint,
    futures: Futures,
    requestId: string,
    schema: Schema<T>,
    signal?: AbortSignal,
    resubmit?: () => Promise<string>,
  ): Promise<T> {
    const registered = this.family.resubmits.get(requestId);
    this.family.resubmits.delete(requestId);
    const family = this.family;
    const log = endpoint.queueLog;
    // the client's observer, else the endpoint's queue log (as the other SDKs do)
    const observer =
      family.observer ??
      (log === null
        ? null
        : queueStateLog(
            log,
            endpoint.id,
            family.logger,
            family.transport.clock,
            QUEUE_MARKS,
            queueKey(log, this.state),
          ));
    const options = {
      observer,
      random: this.family.random,
      signal,
      requestType: endpoint.requestType,
      resubmit: resubmit ?? registered,
    };
    return this.reported(poll(this.family.transport, futures, requestId, schema, options));
  }

  /** Sends a request that answers a future, and polls it until its result. */
  protected async callFuture<T>(
    endpoint: Endpoint,
    futures: Futures,
    schema: Schema<T>,
    request: Request & RequestOptions = {},
  ): Promise<T> {
    const submit = (): Promise<string> => this.sendSubmit(endpoint, futures, request);
    return this.awaitFuture(endpoint, futures, await submit(), schema, request.signal, submit);
  }

  /**
   * A chunked call (the plan's ChunkPlan): each chunk's request built in chunk order (its
   * counters numbering the chunks), the chunks after the first sent concurrently, then the
   * first; the futures polled concurrently; the results combined in chunk order.
   */
  protected async callChunked<T, I>(
    endpoint: Endpoint,
    futures: Futures,
    schema: Schema<T>,
    chunking: Chunking<I>,
    items: readonly I[],
    request: (chunk: I[]) => Promise<Request>,
  ): Promise<T> {
    const chunks = split(chunking, items);
    const requests: Request[] = [];
    for (const chunk of chunks) requests.push(await request(chunk));
    const [first = {}, ...rest] = requests;
    const later = await Promise.all(rest.map((r) => this.submit(endpoint, futures, r)));
    const ids = [await this.submit(endpoint, futures, first), ...later];
    const results = await Promise.all(
      ids.map((id) => this.awaitFuture(endpoint, futures, id, schema, first.signal)),
    );
    return combined(
      chunking as Chunking<unknown>,
      results,
      chunks.map((c) => c.length),
    );
  }
}
