/**
 * Server-side futures: the manifest's promise_result feature (copied verbatim by tinkc).
 *
 * The endpoint answers a handle; the result is polled from the retrieve endpoint. Each answer is
 * classified: pending (the try-again marker, or a pending status such as 408) → tell the queue-state
 * observer when the state changed and poll again at once (the server long-polls); a metadata-only
 * answer (the result is too big to inline) → poll again asking for the payload; an error field →
 * `RequestFailedError` with its category (`unknown` when not a declared one); anything else → the
 * result, decoded as the endpoint's declared response type. Transient poll failures (no answer,
 * 429, 5xx) are retried with backoff until the overall timeout, if the feature sets one. Every
 * poll may carry the submitting endpoint's request type and its 0-based iteration in headers.
 */

import {
  APIConnectionError,
  APIStatusError,
  APITimeoutError,
  RequestFailedError,
  ResponseValidationError,
} from "./errors.js";
import type { Clock } from "./clock.js";
import {
  type Answer,
  type Endpoint,
  type QueueLog,
  type Request,
  type Transport,
  jsonBody,
  parseBody,
} from "./http.js";
import { type StatusRanges, backoffMs, inRanges } from "./retry.js";
import { type Schema, decodeResponse } from "./schema.js";
import type { Logger } from "./session.js";

/** Told `(queueState, reason)` when a pending future's queue state changes. */
export type QueueStateObserver = (state: string, reason: string | null) => void;

/** When each queue log last logged a change, by feature, endpoint and key (the calling client's
 * sampling session or model): shared by the process's clients, as Tinkex's marks are, so
 * `clearQueueStateDebounce` reaches every client of a session. */
export const QUEUE_MARKS = new Map<string, { readonly key: string | null; readonly at: number }>();

/** The debounce key of a call by a client with this state: the first of the log's `keyFields`
 * it holds (null: none). */
export function queueKey(
  log: QueueLog,
  state: { readonly [name: string]: unknown },
): string | null {
  for (const field of log.keyFields ?? []) {
    const value = state[field];
    if (value !== undefined && value !== null) return String(value);
  }
  return null;
}

/** Forgets the marks of a key (a sampling session id, a model id): its next queue-state change is
 * logged at once (Tinkex's `SamplingClient.clear_queue_state_debounce/1`). */
export function clearQueueStateDebounce(
  key: string,
  marks: Map<string, { readonly key: string | null; readonly at: number }> = QUEUE_MARKS,
): void {
  for (const [mark, entry] of [...marks]) if (entry.key === key) marks.delete(mark);
}

/**
 * The observer that logs the queue-state changes of `endpoint`'s futures as its queue log says
 * (used when the client has no observer of its own): `<endpoint>: queue state <state> (<reason>)`
 * at the log's level, unless the same feature, endpoint and `key` logged one less than its
 * debounce ago (`marks`: when each last logged). The other SDKs log the same line.
 */
export function queueStateLog(
  log: QueueLog,
  endpointId: string,
  logger: Logger,
  clock: Clock,
  marks: Map<string, { readonly key: string | null; readonly at: number }> = QUEUE_MARKS,
  key: string | null = null,
): QueueStateObserver {
  const mark = JSON.stringify([log.id, endpointId, key]);
  return (state, reason) => {
    const now = clock.now();
    const last = marks.get(mark);
    if (last !== undefined && now - last.at < log.debounceMs) return;
    marks.set(mark, { key, at: now });
    const message = `${endpointId}: queue state ${state}${reason ? ` (${reason})` : ""}`;
    if (log.level === "error") (logger.error ?? logger.warn).call(logger, message);
    else if (log.level === "warning") logger.warn(message);
    else if (log.level === "info") logger.info?.(message);
    else logger.debug?.(message);
  };
}

/** What the manifest's promise_result feature says (generated per SDK). */
export interface Futures {
  readonly retrieve: Endpoint;
  readonly requestIdField: string;
  /** The result is wrapped in this field of the final answer, when set. */
  readonly resultField: string | null;
  readonly tryAgainField: string;
  readonly tryAgainValue: string;
  readonly errorField: string;
  readonly categoryField: string;
  readonly categories: readonly string[];
  readonly queueStateField: string | null;
  readonly queueStateReasonField: string | null;
  readonly queueStates: readonly string[];
  /** Statuses that mean "still pending" (408). */
  readonly pendingStatuses: StatusRanges;
  /** The overall timeout of one future, `null` for none. */
  readonly timeoutMs: number | null;
  /** Backoff of transient poll failures. */
  readonly retryBaseDelayMs: number;
  readonly retryMaxDelayMs: number;
  readonly retryJitter: number;
  /** Header carrying the submitting endpoint's request type, `null` for none. */
  readonly requestTypeHeader: string | null;
  /** Header carrying the poll's 0-based count, `null` for none. */
  readonly iterationHeader: string | null;
  /** Request field sent `true` until a metadata-only answer, then `false`; `null`: no such exchange. */
  readonly metadataOnlyField: string | null;
  readonly metadataStatusField: string;
  readonly metadataStatusValue: string;
  /** Poll statuses meaning the promise expired: the call is submitted again, at most `expiredResubmits` times. */
  readonly expiredStatuses: StatusRanges;
  readonly expiredResubmits: number;
  /** Poll statuses polled again (with the backoff) at most `boundedRetries` times. */
  readonly boundedRetryStatuses: StatusRanges;
  readonly boundedRetries: number;
  /** Poll statuses meaning a billing pause: poll again after `billingDelayMs`, for at most `billingMaxPauseMs`. */
  readonly billingStatuses: StatusRanges;
  readonly billingDelayMs: number;
  readonly billingMaxPauseMs: number;
}

export interface Pending {
  readonly state: string;
  readonly reason: string | null;
}

type Classified =
  { readonly pending: Pending } | { readonly done: unknown } | { readonly metadataOnly: true };

function field(body: unknown, name: string | null): unknown {
  if (name === null || body === null || typeof body !== "object" || Array.isArray(body))
    return undefined;
  return Object.prototype.hasOwnProperty.call(body, name)
    ? (body as Record<string, unknown>)[name]
    : undefined;
}

export function pendingOf(spec: Futures, body: unknown): Pending {
  const state = field(body, spec.queueStateField);
  const reason = field(body, spec.queueStateReasonField);
  return {
    state: typeof state === "string" && spec.queueStates.includes(state) ? state : "unknown",
    reason: typeof reason === "string" ? reason : null,
  };
}

/** What one retrieve answer means; throws `RequestFailedError` for a failed future. */
export function classify(spec: Futures, body: unknown): Classified {
  if (field(body, spec.tryAgainField) === spec.tryAgainValue)
    return { pending: pendingOf(spec, body) };
  if (
    spec.metadataOnlyField !== null &&
    field(body, spec.metadataStatusField) === spec.metadataStatusValue
  )
    return { metadataOnly: true };
  const error = field(body, spec.errorField);
  if (error !== undefined && error !== null) {
    const raw = field(body, spec.categoryField);
    const category = typeof raw === "string" && spec.categories.includes(raw) ? raw : "unknown";
    const message = typeof error === "string" ? error : JSON.stringify(error);
    throw new RequestFailedError(`the request failed (${category}): ${message}`, category, body);
  }
  const wrapped = field(body, spec.resultField);
  return { done: wrapped === undefined ? body : wrapped };
}

/** The request id of a future's handle. */
export function requestIdOf(spec: Futures, answer: Answer): string {
  const body = jsonBody(answer);
  const id = field(body, spec.requestIdField);
  if (typeof id !== "string") {
    throw new ResponseValidationError(
      `the future's handle has no \`${spec.requestIdField}\``,
      body,
    );
  }
  return id;
}

export interface PollOptions {
  readonly observer?: QueueStateObserver | null | undefined;
  readonly random?: (() => number) | undefined;
  readonly signal?: AbortSignal | undefined;
  /** The submitting endpoint's request type (sent in the feature's request-type header). */
  readonly requestType?: string | null | undefined;
  /** Submits the call again when its promise expired (without it, that is an error). */
  readonly resubmit?: (() => Promise<string>) | undefined;
}

/** Poll a future until its result (decoded with `schema`), its failure, or its timeout. */
export async function poll<T>(
  transport: Transport,
  spec: Futures,
  requestId: string,
  schema: Schema<T>,
  options: PollOptions = {},
): Promise<T> {
  const clock = transport.clock;
  const random = options.random ?? Math.random;
  const deadline = spec.timeoutMs === null ? null : clock.now() + spec.timeoutMs;
  let current = requestId; // the future polled now (another after a resubmission)
  let iteration = 0;
  let metadataOnly = spec.metadataOnlyField !== null;
  let bounded = 0;
  let billingSince: number | null = null;
  let resubmits = 0;
  const nextRequest = (): Request => {
    const body: Record<string, unknown> = { [spec.requestIdField]: current };
    if (spec.metadataOnlyField !== null) body[spec.metadataOnlyField] = metadataOnly;
    const headers: Record<string, string> = {};
    const requestType = options.requestType ?? null;
    if (spec.requestTypeHeader !== null && requestType !== null)
      headers[spec.requestTypeHeader] = requestType;
    if (spec.iterationHeader !== null) headers[spec.iterationHeader] = String(iteration);
    iteration += 1;
    return { body, headers, signal: options.signal };
  };
  let failures = 0;
  let last: Pending | null = null;
  const pending = (state: Pending): void => {
    failures = 0;
    if (last === null || last.state !== state.state || last.reason !== state.reason)
      options.observer?.(state.state, state.reason);
    last = state;
  };
  for (;;) {
    if (deadline !== null && clock.now() >= deadline)
      throw new APITimeoutError("the future did not complete in time");
    let answer: Answer;
    try {
      answer = await transport.send(spec.retrieve, nextRequest());
    } catch (error) {
      if (error instanceof APIStatusError && inRanges(error.status, spec.pendingStatuses)) {
        pending(pendingOf(spec, error.body));
        continue;
      }
      if (error instanceof APIStatusError && inRanges(error.status, spec.expiredStatuses)) {
        if (options.resubmit === undefined || resubmits >= spec.expiredResubmits) throw error;
        resubmits += 1;
        iteration = 0;
        metadataOnly = spec.metadataOnlyField !== null;
        last = null;
        current = await options.resubmit();
        continue;
      }
      if (error instanceof APIStatusError && inRanges(error.status, spec.billingStatuses)) {
        const now = clock.now();
        billingSince ??= now;
        if (now - billingSince >= spec.billingMaxPauseMs) throw error;
        await clock.sleep(spec.billingDelayMs, { signal: options.signal });
        options.signal?.throwIfAborted();
        continue;
      }
      const boundedFailure =
        error instanceof APIStatusError && inRanges(error.status, spec.boundedRetryStatuses);
      if (boundedFailure) {
        if (bounded >= spec.boundedRetries) throw error;
        bounded += 1;
      }
      const transientFailure =
        boundedFailure ||
        error instanceof APIConnectionError ||
        (error instanceof APIStatusError && (error.status === 429 || error.status >= 500));
      if (!transientFailure) throw error;
      await clock.sleep(
        backoffMs(
          spec.retryBaseDelayMs,
          spec.retryMaxDelayMs,
          spec.retryJitter,
          failures,
          random(),
        ),
        {
          signal: options.signal,
        },
      );
      options.signal?.throwIfAborted();
      failures += 1;
      continue;
    }
    const outcome = classify(spec, parseBody(answer));
    if ("done" in outcome) return decodeResponse(schema, outcome.done);
    if ("metadataOnly" in outcome) {
      failures = 0;
      metadataOnly = false;
      continue;
    }
    pending(outcome.pending);
  }
}
