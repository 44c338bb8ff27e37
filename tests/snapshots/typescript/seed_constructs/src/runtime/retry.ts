/**
 * Retry decisions (copied verbatim by tinkc): pure functions of the manifest's retry_policy, so
 * they are tested without a clock.
 */

/** Inclusive status ranges, `[[500, 599]]`. */
export type StatusRanges = readonly (readonly [number, number])[];

export function inRanges(status: number, ranges: StatusRanges): boolean {
  return ranges.some(([lo, hi]) => lo <= status && status <= hi);
}

export interface RetryPolicy {
  readonly maxRetries: number;
  readonly statuses: StatusRanges;
  readonly onConnectionError: boolean;
  readonly onTimeout: boolean;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** The fraction of the delay randomly removed (0.25: between 75 % and 100 % of it). */
  readonly jitter: number;
  /** `Retry-After` is honoured up to this many milliseconds. */
  readonly retryAfterMaxMs: number;
  /** A response header whose `true`/`false` overrides the statuses, `null` for none. */
  readonly shouldRetryHeader: string | null;
  /** The policy a config option's profiles name: the chosen profile's retry count replaces
   * `maxRetries` (`Config.maxRetries`); a call's own `maxRetries` still wins. */
  readonly profiled?: boolean | undefined;
}

/** Whether a response with this status and these headers is retried (retries left aside). */
export function retriesResponse(policy: RetryPolicy, status: number, headers: Headers): boolean {
  if (policy.shouldRetryHeader !== null) {
    const hint = headers.get(policy.shouldRetryHeader);
    if (hint === "true") return true;
    if (hint === "false") return false;
  }
  return inRanges(status, policy.statuses);
}

/** No retries: endpoints without a retry policy. */
export const NO_RETRY: RetryPolicy = {
  maxRetries: 0,
  statuses: [],
  onConnectionError: false,
  onTimeout: false,
  baseDelayMs: 0,
  maxDelayMs: 0,
  jitter: 0,
  retryAfterMaxMs: 0,
  shouldRetryHeader: null,
};

/** `min(base · 2^retry, max) × (1 − jitter · rand)`, for retry number `retry` (0-based). */
export function backoffMs(
  baseMs: number,
  maxMs: number,
  jitter: number,
  retry: number,
  rand: number,
): number {
  return Math.min(baseMs * 2 ** retry, maxMs) * (1 - jitter * rand);
}

/** The server's `retry-after-ms` / `Retry-After` (seconds or an HTTP date) when 0 ≤ it ≤ `limitMs`. */
export function retryAfterMs(
  headers: Headers,
  limitMs: number,
  nowMs: number = Date.now(),
): number | null {
  const rawMs = headers.get("retry-after-ms");
  const raw = headers.get("retry-after");
  let ms: number | null = null;
  if (rawMs !== null && rawMs.trim() !== "" && Number.isFinite(Number(rawMs))) {
    ms = Number(rawMs);
  } else if (raw !== null && raw.trim() !== "") {
    if (Number.isFinite(Number(raw))) {
      ms = Number(raw) * 1000;
    } else {
      const at = Date.parse(raw);
      if (!Number.isNaN(at)) ms = at - nowMs;
    }
  }
  return ms !== null && ms >= 0 && ms <= limitMs ? ms : null;
}

/** The delay before retry number `retry`: the server's hint when it gives one in bounds, else the backoff. */
export function retryDelayMs(
  policy: RetryPolicy,
  retry: number,
  rand: number,
  headers: Headers | null,
): number {
  const hinted = headers === null ? null : retryAfterMs(headers, policy.retryAfterMaxMs);
  return hinted ?? backoffMs(policy.baseDelayMs, policy.maxDelayMs, policy.jitter, retry, rand);
}
