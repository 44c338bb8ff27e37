/**
 * The manifest's session_lifecycle feature (copied verbatim by tinkc): a session is created when a
 * client first needs its id, and kept alive by heartbeats in the background until the client
 * closes or the server answers a stop status. Clients derived from one another share one session.
 */

import { APIStatusError, ResponseValidationError } from "./errors.js";
import { type Endpoint, type Request, type Transport, jsonBody } from "./http.js";
import { type StatusRanges, inRanges } from "./retry.js";

export interface Logger {
  warn(message: string): void;
  /** Retries (the other SDKs log them at debug level too), when the client's logger has it. */
  debug?(message: string): void;
  /** Queue-state changes logged at `info` / `error` (queue_state_observer's `log_level`). */
  info?(message: string): void;
  error?(message: string): void;
}

/** What the manifest's session_lifecycle feature says (generated per SDK). */
export interface Session {
  readonly create: Endpoint;
  /** The create request, with the manifest's `create_args`. */
  readonly createRequest: (options: { readonly [name: string]: unknown }) => Request;
  /** The field of the create answer that holds the session id. */
  readonly sessionIdField: string;
  readonly heartbeat: Endpoint | null;
  readonly heartbeatRequest: (sessionId: string) => Request;
  readonly intervalMs: number;
  readonly heartbeatTimeoutMs: number;
  /** A heartbeat answered with one of these statuses ends the session: no more heartbeats. */
  readonly stopStatuses: StatusRanges;
  /** Warn (once) when no heartbeat has succeeded for this long. */
  readonly warnAfterMs: number | null;
}

/** One session, shared by a client and the clients derived from it. */
export class SessionHolder {
  sessionId: string | null = null;
  /** Successful heartbeats so far. */
  beats = 0;
  /** Called once the session exists (telemetry waits for it). */
  onStart: ((sessionId: string) => void) | null = null;
  private opening: Promise<string> | null = null;
  private loop: Promise<void> | null = null;
  private readonly stopped = new AbortController();

  /** The session's id, creating the session (and starting its heartbeat) on first use. */
  open(transport: Transport, spec: Session, logger: Logger): Promise<string> {
    if (this.opening === null) {
      const opening = this.create(transport, spec, logger);
      this.opening = opening;
      // a failed creation is not remembered: the next call tries again
      opening.catch(() => {
        if (this.opening === opening) this.opening = null;
      });
    }
    return this.opening;
  }

  private async create(transport: Transport, spec: Session, logger: Logger): Promise<string> {
    // the configured options (`create_args` values `${config.x}`) are read when the session opens
    const request = spec.createRequest(transport.config.options);
    const body = jsonBody(await transport.send(spec.create, request));
    const id =
      body !== null && typeof body === "object" && !Array.isArray(body)
        ? (body as Record<string, unknown>)[spec.sessionIdField]
        : undefined;
    if (typeof id !== "string") {
      throw new ResponseValidationError(
        `the session answer has no \`${spec.sessionIdField}\``,
        body,
      );
    }
    this.sessionId = id;
    if (spec.heartbeat !== null && !this.stopped.signal.aborted) {
      this.loop = this.beat(transport, spec, spec.heartbeat, id, logger);
    }
    this.onStart?.(id);
    return id;
  }

  private async beat(
    transport: Transport,
    spec: Session,
    heartbeat: Endpoint,
    id: string,
    logger: Logger,
  ): Promise<void> {
    const clock = transport.clock;
    const signal = this.stopped.signal;
    let lastSuccess = clock.now();
    let warned = false;
    while (!signal.aborted) {
      await clock.sleep(spec.intervalMs, { signal, background: true });
      if (signal.aborted) return;
      try {
        await transport.send(heartbeat, {
          ...spec.heartbeatRequest(id),
          timeoutMs: spec.heartbeatTimeoutMs,
          signal,
        });
        this.beats += 1;
        lastSuccess = clock.now();
        warned = false;
      } catch (error) {
        // a missed heartbeat is not fatal; a stop status ends the session
        if (signal.aborted) return;
        if (error instanceof APIStatusError && inRanges(error.status, spec.stopStatuses)) return;
        if (spec.warnAfterMs !== null && !warned && clock.now() - lastSuccess >= spec.warnAfterMs) {
          warned = true;
          // the line the other SDKs log
          const silentSec = Math.floor((clock.now() - lastSuccess) / 1000);
          logger.warn(`session ${id}: no successful heartbeat for ${silentSec} s`);
        }
      }
    }
  }

  /** Stop the heartbeats (waits for the one in flight to end). */
  async close(): Promise<void> {
    this.stopped.abort();
    await this.loop;
  }
}
