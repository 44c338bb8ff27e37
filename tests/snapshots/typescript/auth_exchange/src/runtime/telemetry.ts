/**
 * The manifest's telemetry feature (copied verbatim by tinkc).
 *
 * Events are queued without blocking the caller and sent in batches of `batchSize` to the telemetry
 * endpoint: when a batch is full, every `flushIntervalMs` while events wait, and when the client
 * closes (for at most `drainTimeoutMs`). The queue is bounded: events beyond `maxQueueSize` are
 * dropped and counted. A failing telemetry endpoint never fails a call: the batch is dropped and
 * counted. The manifest's `enabledEnv` variable set to 0/false/no/off turns telemetry off. Events
 * never carry the API key.
 */

import { randomUUID } from "node:crypto";

import type { Clock } from "./clock.js";
import type { Environment } from "./config.js";
import type { Endpoint, Request, Transport } from "./http.js";

/** The record the manifest sends for one kind of event. */
export interface EventKind {
  /** Its fields (property names): the SDK fills those it knows. */
  readonly fields: readonly string[];
  /** The union tag that selects this record in the events list, when it is a union's variant. */
  readonly tagField: string | null;
  readonly tag: string | null;
}

/** What the manifest's telemetry feature says (generated per SDK). */
export interface TelemetrySpec {
  readonly endpoint: Endpoint;
  readonly enabledEnv: string | null;
  readonly batchSize: number;
  readonly flushIntervalMs: number;
  readonly maxQueueSize: number;
  readonly timeoutMs: number;
  readonly drainTimeoutMs: number;
  /** The request of a batch: `values` holds the events field and the batch fields the manifest names. */
  readonly request: (values: { readonly [field: string]: unknown }) => Request;
  readonly eventsField: string;
  readonly sessionIdField: string | null;
  readonly processIdField: string | null;
  readonly platformField: string | null;
  readonly sdkVersionField: string | null;
  readonly sdkVersion: string;
  /** By kind: `session_start`, `session_end`, `error`, `generic`. */
  readonly kinds: { readonly [kind: string]: EventKind };
}

/** One UUID per process, shared by all its clients. */
const PROCESS_ID = randomUUID();
const OFF = new Set(["0", "false", "no", "off"]);

export function telemetryEnabled(spec: TelemetrySpec, env: Environment): boolean {
  const value = spec.enabledEnv === null ? undefined : env[spec.enabledEnv];
  return value === undefined || !OFF.has(value.trim().toLowerCase());
}

/** `PT12.345S` */
export function isoDuration(ms: number): string {
  return `PT${(Math.max(ms, 0) / 1000).toFixed(3)}S`;
}

type Event = Record<string, unknown>;

/** The telemetry of a client family: its queue and the loop that sends it. */
export class Telemetry {
  readonly enabled: boolean;
  /** Events that did not fit in the queue or could not be sent. */
  dropped = 0;
  failedBatches = 0;
  /** Events the endpoint accepted. */
  sent = 0;
  sessionId: string | null = null;
  private readonly spec: TelemetrySpec;
  private readonly transport: Transport;
  private readonly clock: Clock;
  private readonly started: number;
  private readonly events: Event[] = [];
  private readonly reported = new WeakSet<object>();
  private index = 0;
  private closed = false;
  private loop: Promise<void> | null = null;
  private wake = new AbortController();
  private readonly stop = new AbortController();

  constructor(spec: TelemetrySpec, transport: Transport, env: Environment) {
    this.spec = spec;
    this.transport = transport;
    this.clock = transport.clock;
    this.started = this.clock.now();
    this.enabled = telemetryEnabled(spec, env);
  }

  /** Queue an event of a kind the manifest declares; never blocks, never throws. */
  log(kind: string, values: { readonly [field: string]: unknown } = {}): void {
    if (!this.enabled || this.closed) return;
    this.enqueue(kind, values);
    this.loop ??= this.run();
  }

  /** An event of the `generic` kind (`event_name`, `event_data`). */
  logEvent(name: string, data: { readonly [key: string]: unknown } = {}): void {
    this.log("generic", { event_name: name, event_data: data });
  }

  /** An `error` event for a failed call, once per error (a flow's failure is its step's failure). */
  reportError(error: unknown): void {
    if (error === null || typeof error !== "object" || this.reported.has(error)) return;
    this.reported.add(error);
    const named = error as { name?: unknown; message?: unknown };
    this.log("error", {
      error_type: typeof named.name === "string" ? named.name : "Error",
      error_message: typeof named.message === "string" ? named.message : String(error),
    });
  }

  sessionStarted(sessionId: string): void {
    this.sessionId = sessionId;
    this.log("session_start");
  }

  private enqueue(kind: string, values: { readonly [field: string]: unknown }): void {
    const shape = this.spec.kinds[kind];
    if (shape === undefined) return;
    if (this.events.length >= this.spec.maxQueueSize) {
      this.dropped += 1;
      return;
    }
    const all: { readonly [field: string]: unknown } = {
      event_id: randomUUID(),
      event_session_index: this.index,
      severity: kind === "error" ? "ERROR" : "INFO",
      timestamp: new Date().toISOString(),
      ...values,
    };
    const event: Event = {};
    for (const name of shape.fields) {
      if (all[name] !== undefined && all[name] !== null) event[name] = all[name];
    }
    if (shape.tagField !== null) event[shape.tagField] = shape.tag;
    this.index += 1;
    this.events.push(event);
    if (this.events.length >= this.spec.batchSize) this.wake.abort();
  }

  private async run(): Promise<void> {
    while (!this.stop.signal.aborted) {
      // one signal, aborted by a full batch or by close() (which aborts `wake` too): no
      // AbortSignal.any with the long-lived `stop`, which Node keeps alive per call (nodejs/node#54614)
      await this.clock.sleep(this.spec.flushIntervalMs, {
        signal: this.wake.signal,
        background: true,
      });
      if (this.wake.signal.aborted) this.wake = new AbortController();
      await this.flush();
    }
  }

  /** Up to `batchSize` events and the request values carrying them; `null` when nothing can go. */
  private nextBatch(): [Event[], Record<string, unknown>] | null {
    const spec = this.spec;
    if (spec.sessionIdField !== null && this.sessionId === null) return null; // events wait for the session
    if (this.events.length === 0) return null;
    const events = this.events.splice(0, spec.batchSize);
    const values: Record<string, unknown> = { [spec.eventsField]: events };
    if (spec.sessionIdField !== null) values[spec.sessionIdField] = this.sessionId;
    if (spec.processIdField !== null) values[spec.processIdField] = PROCESS_ID;
    if (spec.platformField !== null) values[spec.platformField] = process.platform;
    if (spec.sdkVersionField !== null) values[spec.sdkVersionField] = spec.sdkVersion;
    return [events, values];
  }

  /** Send what can be sent now. */
  async flush(): Promise<void> {
    for (let batch = this.nextBatch(); batch !== null; batch = this.nextBatch()) {
      const [events, values] = batch;
      try {
        const request: Request = { ...this.spec.request(values), timeoutMs: this.spec.timeoutMs };
        await this.transport.send(this.spec.endpoint, request);
        this.sent += events.length;
      } catch {
        // telemetry never fails the caller's work
        this.failedBatches += 1;
        this.dropped += events.length;
      }
    }
  }

  /** Report the session's end, stop the loop and send what is queued (for at most the drain timeout). */
  async close(): Promise<void> {
    if (this.closed) return;
    if (this.enabled && this.sessionId !== null) {
      this.enqueue("session_end", { duration: isoDuration(this.clock.now() - this.started) });
    }
    this.closed = true;
    this.stop.abort();
    this.wake.abort();
    if (this.enabled) {
      const drained = Promise.all([this.loop, this.flush()]);
      const timeout = new AbortController();
      await Promise.race([
        drained,
        this.clock.sleep(this.spec.drainTimeoutMs, { signal: timeout.signal, background: true }),
      ]);
      timeout.abort();
    }
    this.dropped += this.events.length;
    this.events.length = 0;
  }
}
