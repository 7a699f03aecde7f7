// One model turn: a streamed Messages API request, retried until it yields a complete assistant
// message or the fault is final. Every wait is bounded and ends at once when the run is stopped:
// the key's rate-limit pause, the backoff between retries, and the stream itself, which an idle
// watchdog aborts when no event arrives for `watchdogMs`.
import type Anthropic from "@anthropic-ai/sdk";
import type { Message, MessageCreateParamsBase, Usage as ApiUsage } from "@anthropic-ai/sdk/resources/messages";
import { backoffMs, classify, type Fault } from "./faults.ts";
import type { KeyLimiter } from "./limiter.ts";
import type { Transcript } from "./transcript.ts";
import { sleep } from "./wait.ts";

/** Rate-limit retries of one turn before the agent fails (each waits as the API asked). */
const MAX_RATE_LIMIT_RETRIES = 20;

export interface TurnOptions {
  client: Anthropic;
  apiKey: string;
  limiter: KeyLimiter;
  transcript: Transcript;
  /** aborted when the run is cancelled or times out */
  signal: AbortSignal;
  watchdogMs: number;
  /** retries of one turn after a transient fault, a broken stream or a stall */
  turnRetries: number;
  backoffBaseMs: number;
  /** the tokens of a request that failed part-way (billed all the same); false when a budget is now spent */
  charge(usage: ApiUsage): boolean;
  random?: () => number;
}

export type TurnResult =
  | { kind: "message"; message: Message }
  | { kind: "stopped" }
  | { kind: "blocked" }
  | { kind: "failed"; message: string };

/** Send `body` until a complete message comes back, the fault is final, or the run stops. */
export async function requestTurn(o: TurnOptions, turn: number, body: MessageCreateParamsBase): Promise<TurnResult> {
  let retries = 0;
  let rateLimited = 0;
  for (let sent = 0; ; sent++) {
    await o.limiter.ready(o.apiKey, o.signal);
    if (o.signal.aborted) return { kind: "stopped" };
    o.transcript.request(turn, { ...body, stream: true }, sent);
    const r = await streamOnce(o, body);
    if (r.ok) {
      o.transcript.response(turn, r.message);
      return { kind: "message", message: r.message };
    }
    if (o.signal.aborted) {
      o.transcript.error(turn, null, "stopped: the run was cancelled or timed out");
      return { kind: "stopped" };
    }
    const fault = r.fault;
    o.transcript.error(turn, fault.status, fault.message);
    if (r.partial && !o.charge(r.partial)) return { kind: "blocked" };
    switch (fault.kind) {
      case "auth":
      case "fatal":
        return { kind: "failed", message: fault.message };
      case "rate-limit": {
        if (++rateLimited > MAX_RATE_LIMIT_RETRIES) return { kind: "failed", message: `rate limited ${rateLimited} times in a row on one turn: ${fault.message}` };
        const wait = fault.waitMs ?? backoffMs(o.backoffBaseMs, rateLimited - 1, o.random);
        o.limiter.pause(o.apiKey, Date.now() + wait);
        continue; // ready() waits out the pause, with every other agent on this key
      }
      default: {
        if (retries >= o.turnRetries) return { kind: "failed", message: finalReason(fault, retries) };
        const wait = Math.max(backoffMs(o.backoffBaseMs, retries, o.random), fault.kind === "transient" ? (fault.waitMs ?? 0) : 0);
        retries++;
        await sleep(wait, o.signal);
      }
    }
  }
}

type Attempt = { ok: true; message: Message } | { ok: false; fault: Fault; partial: ApiUsage | null };

// One streamed request under the idle watchdog. Never throws.
async function streamOnce(o: TurnOptions, body: MessageCreateParamsBase): Promise<Attempt> {
  const ctl = new AbortController();
  const onStop = () => ctl.abort();
  o.signal.addEventListener("abort", onStop, { once: true });
  let stalled = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      stalled = true;
      ctl.abort();
    }, o.watchdogMs);
  };
  arm();
  let stream: ReturnType<Anthropic["messages"]["stream"]> | undefined;
  try {
    stream = o.client.messages.stream(body, { signal: ctl.signal });
    stream.on("connect", arm);
    stream.on("streamEvent", arm);
    const message = await stream.finalMessage();
    return { ok: true, message };
  } catch (err) {
    const partial = stream?.currentMessage?.usage ?? null;
    if (stalled && !o.signal.aborted) {
      return { ok: false, fault: { kind: "stream", status: null, message: `the model stream stalled for ${seconds(o.watchdogMs)}` }, partial };
    }
    return { ok: false, fault: classify(err), partial };
  } finally {
    clearTimeout(timer);
    o.signal.removeEventListener("abort", onStop);
  }
}

function finalReason(fault: Fault, retries: number): string {
  const tries = retries === 0 ? "" : ` (after ${retries} ${retries === 1 ? "retry" : "retries"})`;
  return `${fault.message}${tries}`;
}

function seconds(ms: number): string {
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : s.toFixed(1)} s`;
}
