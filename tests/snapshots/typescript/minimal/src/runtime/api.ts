/**
 * What the stateless endpoint layer (`api.<group>.<fun>`, `api.post`...) shares (copied verbatim by
 * tinkc): the client a call goes through, and the checks of what the caller gives.
 *
 * A stateless function takes its request and options: `client` (a client of the SDK: its
 * configuration, connections and session) or `config` (a client's options: a bare client of its own
 * is made for the call and closed after it, without a session, telemetry or server configuration),
 * and the call's `RequestOptions`. An unknown parameter or option is a `TypeError`.
 */

import {
  BaseClient,
  CALLS,
  type Calls,
  type ClientOptions,
  REQUEST_OPTION_KEYS,
  type RequestOptions,
  type SDK,
} from "./client.js";
import { InvalidArgumentError } from "./errors.js";
import type { Endpoint } from "./http.js";
import { NO_RETRY } from "./retry.js";
import { unknown } from "./schema.js";
import type { EventStream } from "./sse.js";

/** The options of a stateless function: where the call goes through, and the call's options. */
export interface StatelessOptions extends RequestOptions {
  /** A client of the SDK the call goes through (its connections, session and defaults). */
  readonly client?: BaseClient | undefined;
  /** A client's options: the call gets a client of its own, closed after it. */
  readonly config?: ClientOptions | undefined;
}

const SOURCE_KEYS = ["client", "config"];

/** The client of one stateless call made from a configuration: no session, telemetry or server
 * configuration of its own. */
class BareClient extends BaseClient {
  constructor(sdk: SDK, options: ClientOptions) {
    super({ ...sdk, session: null, telemetry: null, serverConfig: null }, options);
  }
}

/** A stateless call opened: the calls it goes through, its `RequestOptions`, and what ends it. */
export interface OpenCall {
  readonly calls: Calls;
  readonly callOptions: RequestOptions;
  /** Closes the call's own client (made from `config`); nothing for `client`'s. */
  close(): Promise<void>;
}

/**
 * Opens a stateless call: checks the request's names (`known`, the `required` ones present) and
 * the options, then answers the calls of `options.client`, or of a bare client made from
 * `options.config` (closed by `close`).
 */
export function openCall(
  sdk: SDK,
  fn: string,
  request: object,
  known: readonly string[],
  required: readonly string[],
  options: StatelessOptions,
): OpenCall {
  if (typeof request !== "object" || request === null || Array.isArray(request))
    throw new TypeError(`${fn}: the request must be an object of the parameters`);
  for (const key of Object.keys(request)) {
    if (!known.includes(key))
      throw new TypeError(
        `${fn}: unknown parameter \`${key}\` (known: ${known.join(", ") || "none"})`,
      );
  }
  const missing = required.filter((key) => !(key in request));
  if (missing.length > 0) throw new TypeError(`${fn}: missing parameter(s) ${missing.join(", ")}`);
  for (const key of Object.keys(options)) {
    if (!REQUEST_OPTION_KEYS.includes(key) && !SOURCE_KEYS.includes(key))
      throw new TypeError(
        `${fn}: unknown option \`${key}\` (known: ${[...SOURCE_KEYS, ...REQUEST_OPTION_KEYS].join(", ")})`,
      );
  }
  const { client, config, ...callOptions } = options;
  if (client !== undefined && config !== undefined)
    throw new TypeError(`${fn}: give \`client\` or \`config\`, not both`);
  if (client !== undefined) return { calls: client[CALLS](), callOptions, close: async () => {} };
  const bare = new BareClient(sdk, config ?? {});
  return { calls: bare[CALLS](), callOptions, close: () => bare.close() };
}

/** A raw request (`api.post`...): `path` under the base URL, `body` any JSON value (undefined:
 * none); the decoded JSON answer (null for an empty body). */
/** A raw streaming GET (`api.streamGet`): asks for `text/event-stream` and is never retried, as a
 * streaming endpoint; once the whole body is read, its server-sent events' data decoded as JSON as
 * the iteration reaches them (a `ResponseValidationError` for data that is not). */
export async function rawStream(
  sdk: SDK,
  fn: string,
  endpoint: Endpoint,
  path: string,
  options: StatelessOptions,
): Promise<EventStream<unknown>> {
  // (a `{` would be read as a template variable: a raw path is sent as it is given)
  if (typeof path !== "string" || !path.startsWith("/") || path.includes("{"))
    throw new InvalidArgumentError(
      `${fn}: the path must be a string starting with / (without \`{\`), got ${JSON.stringify(path)}`,
    );
  const { calls, callOptions, close } = openCall(sdk, fn, {}, [], [], options);
  try {
    const streaming = {
      ...endpoint,
      path,
      retry: NO_RETRY,
      headers: [["Accept", "text/event-stream"]] as const,
    };
    return await calls.callStream(streaming, unknown, callOptions);
  } finally {
    await close();
  }
}

export async function raw(
  sdk: SDK,
  fn: string,
  endpoint: Endpoint,
  path: string,
  body: unknown,
  options: StatelessOptions,
): Promise<unknown> {
  // (a `{` would be read as a template variable: a raw path is sent as it is given)
  if (typeof path !== "string" || !path.startsWith("/") || path.includes("{"))
    throw new InvalidArgumentError(
      `${fn}: the path must be a string starting with / (without \`{\`), got ${JSON.stringify(path)}`,
    );
  const { calls, callOptions, close } = openCall(sdk, fn, {}, [], [], options);
  try {
    return await calls.callRaw(
      { ...endpoint, path },
      body === undefined ? callOptions : { body, ...callOptions },
    );
  } finally {
    await close();
  }
}
