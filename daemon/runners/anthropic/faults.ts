// What went wrong with a Messages API request, and how long to wait before the next (RELIABILITY
// 20-22). The SDK's own retries are off (maxRetries 0): purple decides here, so a rate limit can
// pause every agent on the key and a broken stream is retried as a whole turn.
import type { APIConnectionError } from "@anthropic-ai/sdk";
import { anthropicSdk } from "./sdk.ts";

/**
 * rate-limit: 429, wait (retry-after when given) and retry, pausing the key for every agent.
 * transient: overloaded (529), 5xx, 408, a network failure: back off with jitter and retry.
 * stream: an error event in the middle of the stream, or a stream cut short: retry the turn.
 * auth: 401/403, fail at once. fatal: any other refusal (400, 404, 413, ...): fail at once.
 * aborted: the request was aborted (a cancel, a timeout, or the idle watchdog: the caller knows which).
 */
export type Fault =
  | { kind: "rate-limit"; status: 429; waitMs: number | null; message: string }
  | { kind: "transient"; status: number | null; waitMs: number | null; message: string }
  | { kind: "stream"; status: null; message: string }
  | { kind: "auth"; status: number; message: string }
  | { kind: "fatal"; status: number; message: string }
  | { kind: "aborted"; status: null; message: string };

const TRANSIENT_STATUS = new Set([408, 500, 502, 503, 504, 529]);
/** The longest single wait purple accepts from a retry-after header or computes as backoff. */
export const MAX_WAIT_MS = 5 * 60_000;

/** Sort an error thrown by the SDK (or by the stream) into a Fault. */
export function classify(err: unknown): Fault {
  const { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } = anthropicSdk();
  if (err instanceof APIUserAbortError) return { kind: "aborted", status: null, message: "the request was aborted" };
  if (err instanceof APIConnectionTimeoutError) return { kind: "transient", status: null, waitMs: null, message: "the request to the Anthropic API timed out" };
  if (err instanceof APIConnectionError) return { kind: "transient", status: null, waitMs: null, message: `could not reach the Anthropic API: ${causeOf(err)}` };
  if (err instanceof APIError) {
    const status = err.status;
    const said = err.apiMessage ?? err.message;
    if (status === undefined) return { kind: "stream", status: null, message: `the API sent an error in the middle of the stream: ${said}` };
    if (status === 429) return { kind: "rate-limit", status, waitMs: retryAfterMs(err.headers), message: `rate limited (429): ${said}` };
    if (status === 401 || status === 403) {
      return { kind: "auth", status, message: `the Anthropic API refused the key (${status}): check ANTHROPIC_API_KEY in purpled's environment` };
    }
    if (TRANSIENT_STATUS.has(status) || err.type === "overloaded_error") {
      return { kind: "transient", status, waitMs: retryAfterMs(err.headers), message: `${status === 529 ? "the API is overloaded" : "the API failed"} (${status}): ${said}` };
    }
    return { kind: "fatal", status, message: `the Anthropic API rejected the request (${status}): ${said}` };
  }
  // A stream that ended without a complete message, a malformed event, ...: the turn is retried.
  return { kind: "stream", status: null, message: `the model stream broke off: ${err instanceof Error ? err.message : String(err)}` };
}

/** The wait a response asks for: `retry-after-ms`, else `retry-after` (seconds or an HTTP date); null when absent. */
export function retryAfterMs(headers: Headers | undefined | null, now: number = Date.now()): number | null {
  if (!headers) return null;
  const ms = Number.parseFloat(headers.get("retry-after-ms") ?? "");
  if (Number.isFinite(ms) && ms >= 0) return Math.min(ms, MAX_WAIT_MS);
  const raw = headers.get("retry-after");
  if (raw === null || raw.trim() === "") return null;
  const seconds = Number(raw.trim());
  if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds * 1000, MAX_WAIT_MS);
  const date = Date.parse(raw);
  if (Number.isFinite(date)) return Math.min(Math.max(0, date - now), MAX_WAIT_MS);
  return null;
}

/** Exponential backoff with jitter: base × 2^n × a random factor in [0.5, 1.5), capped. */
export function backoffMs(baseMs: number, n: number, random: () => number = Math.random): number {
  return Math.min(MAX_WAIT_MS, baseMs * 2 ** Math.max(0, n) * (0.5 + random()));
}

function causeOf(err: APIConnectionError): string {
  const cause = (err as { cause?: unknown }).cause;
  return cause instanceof Error ? cause.message : err.message;
}
