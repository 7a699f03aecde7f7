// Waiting that can always be interrupted: every pause of the anthropic runner ends early on abort.

/** Resolve after `ms`, or at once when `signal` aborts (never rejects). True when the full time passed. */
export function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (full: boolean) => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      resolve(full);
    };
    const onAbort = () => done(false);
    // setTimeout cannot wait longer than 2^31-1 ms; a longer wait ends there and the caller re-checks.
    const timer = setTimeout(() => done(true), Math.max(0, Math.min(ms, 2 ** 31 - 1)));
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
