// The rate-limit pause shared by every agent that uses one API key (RELIABILITY 20): when the API
// answers 429 with retry-after, no agent on that key sends another request before the time given.
// Keys are held only as a hash; the key itself is never stored here.
import { createHash } from "node:crypto";
import { sleep } from "./wait.ts";

/** Shared between all anthropic runs of a daemon; keyed by a hash of the API key. */
export class KeyLimiter {
  private readonly until = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Wait until no pause holds for `key` (or `signal` aborts); a pause extended meanwhile is waited for too. */
  async ready(key: string, signal?: AbortSignal): Promise<void> {
    const id = keyId(key);
    for (;;) {
      if (signal?.aborted) return;
      const until = this.until.get(id);
      const left = until === undefined ? 0 : until - this.now();
      if (left <= 0) {
        if (until !== undefined && this.until.get(id) === until) this.until.delete(id);
        return;
      }
      await sleep(left, signal);
    }
  }

  /** Hold every request on `key` until the epoch time `untilMs`; a shorter pause never cuts a longer one. */
  pause(key: string, untilMs: number): void {
    const id = keyId(key);
    if (untilMs > (this.until.get(id) ?? 0)) this.until.set(id, untilMs);
  }

  /** The epoch ms until which `key` is paused, or 0. */
  pausedUntil(key: string): number {
    const until = this.until.get(keyId(key)) ?? 0;
    return until > this.now() ? until : 0;
  }
}

/** A short, stable name for an API key that does not reveal it. */
export function keyId(key: string): string {
  return createHash("sha256").update(key).digest("hex").slice(0, 16);
}
