/**
 * What every generated client shares (copied verbatim by tinkc): configuration, the transport, the
 * session and telemetry of a client family, and one call of an endpoint, including a server-side
 * future's polling.
 */

import { type AuthScheme, exchangeActive } from "./auth.js";
import { type Clock, systemClock } from "./clock.js";
import { type Environment, type ServiceSettings, resolveConfig } from "./config.js";
import { ConfigurationError, ResponseValidationError } from "./errors.js";
import { type Futures, type QueueStateObserver, poll, requestIdOf } from "./futures.js";
import { type Endpoint, type Request, Transport, jsonBody } from "./http.js";
import { type Schema, decodeResponse } from "./schema.js";
import { type Logger, type Session, SessionHolder } from "./session.js";
import { Telemetry, type TelemetrySpec } from "./telemetry.js";

/** The manifest's service-level facts (generated per SDK). */
export interface SDK {
  readonly settings: ServiceSettings;
  readonly authHeader: string;
  readonly userAgent: string;
  readonly session: Session | null;
  readonly telemetry: TelemetrySpec | null;
  readonly auth?: AuthScheme | null | undefined;
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
  /** The `fetch` to send requests with (the global one by default). */
  readonly fetch?: typeof fetch | undefined;
  /** The clock of every wait the SDK makes (tests run it faster: `scaledClock(0.001)`). */
  readonly clock?: Clock | undefined;
  /** Uniform random numbers in [0, 1), for backoff jitter. */
  readonly random?: (() => number) | undefined;
  /** Exchange the key for short-lived tokens (where the API declares an exchange); else the
   * environment variable the API names, else the API's default. */
  readonly tokenExchange?: boolean | undefined;
}

/** Options of one call of a method. */
export interface RequestOptions {
  /** Cancels the call (its requests, retries and polling); the signal's reason is thrown. */
  readonly signal?: AbortSignal | undefined;
  /** The timeout of each HTTP request of the call, in milliseconds. */
  readonly timeoutMs?: number | undefined;
  /** Headers added to the call's requests. */
  readonly headers?: { readonly [name: string]: string } | undefined;
}

/** What a client shares with the clients derived from it. */
export class Family {
  readonly transport: Transport;
  readonly session = new SessionHolder();
  readonly telemetry: Telemetry | null;
  readonly observer: QueueStateObserver | null;
  readonly logger: Logger;
  readonly random: () => number;

  constructor(sdk: SDK, options: ClientOptions) {
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
  private readonly counters = new Map<string, number>();
  private readonly owner: boolean;

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

  /** The next value of a counter in the client's state (0, 1, 2, ...). */
  protected next(counter: string): number {
    const value = this.counters.get(counter) ?? 0;
    this.counters.set(counter, value + 1);
    return value;
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

  protected call<T>(endpoint: Endpoint, schema: Schema<T>, request: Request = {}): Promise<T> {
    return this.reported(
      this.family.transport
        .send(endpoint, request)
        .then((answer) => decodeResponse(schema, jsonBody(answer))),
    );
  }

  protected callEmpty(endpoint: Endpoint, request: Request = {}): Promise<void> {
    return this.reported(this.family.transport.send(endpoint, request).then(() => undefined));
  }

  /** The `Location` of a redirect the endpoint answers (not followed). */
  protected callLocation(endpoint: Endpoint, request: Request = {}): Promise<string> {
    return this.reported(
      this.family.transport
        .send(endpoint, request)
        .then((answer) => answer.headers.get("location") ?? ""),
    );
  }

  /** Sends a request that answers a future; its request id. */
  protected submit(endpoint: Endpoint, futures: Futures, request: Request = {}): Promise<string> {
    return this.reported(
      this.family.transport.send(endpoint, request).then((answer) => requestIdOf(futures, answer)),
    );
  }

  /** Polls a future until its result. */
  protected awaitFuture<T>(
    futures: Futures,
    requestId: string,
    schema: Schema<T>,
    signal?: AbortSignal,
  ): Promise<T> {
    const options = { observer: this.family.observer, random: this.family.random, signal };
    return this.reported(poll(this.family.transport, futures, requestId, schema, options));
  }

  /** Sends a request that answers a future, and polls it until its result. */
  protected async callFuture<T>(
    endpoint: Endpoint,
    futures: Futures,
    schema: Schema<T>,
    request: Request = {},
  ): Promise<T> {
    const requestId = await this.submit(endpoint, futures, request);
    return this.awaitFuture(futures, requestId, schema, request.signal);
  }
}
