/**
 * Time, injectable (copied verbatim by tinkc). Every wait the SDK makes by the manifest's numbers
 * (retry backoff, Retry-After, backpressure, polling, heartbeats, telemetry flushes, progress
 * timeouts) goes through a `Clock`, so tests and the conformance driver can run them faster
 * (`scaledClock(0.001)`: a 10 s heartbeat every 10 ms) without changing what the SDK does.
 * The timeout of a single HTTP request is real time and not scaled.
 */

export interface SleepOptions {
  /** Wakes the sleep early (it then resolves; the caller checks why). */
  readonly signal?: AbortSignal;
  /** A background loop's wait: it does not keep the Node process alive. */
  readonly background?: boolean;
}

export interface Clock {
  /** Milliseconds on a monotonic scale; only differences mean something. */
  now(): number;
  /** Wait `ms` milliseconds (of this clock). */
  sleep(ms: number, options?: SleepOptions): Promise<void>;
}

function realSleep(ms: number, options: SleepOptions = {}): Promise<void> {
  const { signal, background = false } = options;
  return new Promise((resolve) => {
    if (signal?.aborted) {
      resolve();
      return;
    }
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, Math.max(0, ms));
    if (background) timer.unref();
    signal?.addEventListener("abort", done, { once: true });
  });
}

/** Real time. */
export const systemClock: Clock = {
  now: () => performance.now(),
  sleep: realSleep,
};

/** A clock whose time runs `1 / scale` times faster than real time (`scale` 0.001: 1 s takes 1 ms). */
export function scaledClock(scale: number): Clock {
  if (!(scale > 0)) throw new RangeError("the time scale must be positive");
  return {
    now: () => performance.now() / scale,
    sleep: (ms, options) => realSleep(ms * scale, options),
  };
}
