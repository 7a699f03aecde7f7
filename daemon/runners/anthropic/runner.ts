// The `anthropic` runner (SPEC §10): purple's own tool-use loop on @anthropic-ai/sdk, in process.
// The API key is given once by the daemon (read from its environment at start) and goes only into
// the SDK client: never into a context, an environment, a transcript or a log. A run ends with
// its outcome in `done`, which never rejects; cancel and timeout abort the request in flight.
import { realpathSync } from "node:fs";
import type Anthropic from "@anthropic-ai/sdk";
import { scrubSecrets } from "../../../lib/logger.ts";
import type { AgentRun, RunContext, Runner, RunResult } from "../runner.ts";
import { KeyLimiter } from "./limiter.ts";
import { anthropicSdk } from "./sdk.ts";
import { runLoop, type LoopEnd } from "./loop.ts";
import { buildPrompt, promptMarkdown, ticketIdsOf } from "./prompt.ts";
import { Transcript } from "./transcript.ts";
import { endedResult, modelOf, settledRun, stoppedResult, timeLimit, type StopReason } from "../shared.ts";

export interface AnthropicRunnerOptions {
  /** the daemon reads ANTHROPIC_API_KEY once at start and passes it here; undefined: every run fails fast */
  apiKey: string | undefined;
  /** ANTHROPIC_BASE_URL; undefined lets the SDK use its default */
  baseURL?: string;
  /** the rate-limit pause shared by every agent on one key; one per daemon (default: one per runner) */
  limiter?: KeyLimiter;
  /** model turns before an agent fails (default 50) */
  maxTurns?: number;
  /** a stream with no event for this long is aborted and the turn retried (default 60 s) */
  watchdogMs?: number;
  /** retries of one turn after an overload, a server error, a broken or stalled stream (default 3) */
  turnRetries?: number;
  /** the base of the exponential backoff between those retries (default 1 s) */
  backoffBaseMs?: number;
  /** output tokens per turn (default 8192) */
  maxTokens?: number;
  /** run_command's time limit (default 2 min) */
  commandTimeoutMs?: number;
}

/** The outcome message of every run when purpled has no API key. */
export const NO_KEY_MESSAGE = "no Anthropic API key: set ANTHROPIC_API_KEY in purpled's environment (or run the demo without --live)";

/** Runs agents whose runner is anthropic: one SDK client and one key limiter for all of them. */
export class AnthropicRunner implements Runner {
  /** its file tools write the project through the write guard, not a changeset: never speculated (a known gap, issue 16) */
  readonly writes = "direct";
  private client: Anthropic | null = null;
  private readonly limiter: KeyLimiter;

  constructor(private readonly opts: AnthropicRunnerOptions) {
    this.limiter = opts.limiter ?? new KeyLimiter();
  }

  // The one SDK client, made (and the SDK loaded) when the first run or judge check needs it.
  private clientOf(apiKey: string): Anthropic {
    return (this.client ??= new (anthropicSdk().default)({ apiKey, baseURL: this.opts.baseURL, maxRetries: 0, logLevel: "off", openTelemetry: false }));
  }

  /** The client, key and limiter this runner uses, for judge checks; null without a key. */
  get access(): { client: () => Anthropic; apiKey: string; limiter: KeyLimiter } | null {
    const apiKey = this.opts.apiKey;
    return apiKey ? { client: () => this.clientOf(apiKey), apiKey, limiter: this.limiter } : null;
  }

  /** Start one attempt; returns at once and never throws, every problem ends up in `done`. */
  start(ctx: RunContext): AgentRun {
    if (!this.opts.apiKey) return settledRun(endedResult("failed", NO_KEY_MESSAGE));
    try {
      return new AnthropicRun(ctx, this.clientOf(this.opts.apiKey), this.opts.apiKey, this.limiter, this.opts);
    } catch (err) {
      return settledRun(endedResult("failed", `could not start agent ${ctx.agent.id}: ${messageOf(err)}`));
    }
  }
}


class AnthropicRun implements AgentRun {
  readonly pgid = null;
  readonly done: Promise<RunResult>;
  private readonly abort = new AbortController();
  private stop: StopReason | null = null;
  /** aborted once the run has ended, so the timeout stops waiting */
  private readonly ended = new AbortController();

  constructor(private readonly ctx: RunContext, client: Anthropic, apiKey: string, limiter: KeyLimiter, opts: AnthropicRunnerOptions) {
    const transcript = new Transcript(ctx.agentDir);
    const prompt = buildPrompt(ctx.plan, ctx.agent, ctx.wave, ctx.planDir);
    transcript.writePrompt(promptMarkdown(prompt));
    const root = realpathSync(ctx.root);
    void timeLimit(ctx.timeoutMs, this.ended.signal, () => this.halt({ kind: "timeout" }));
    const loop = runLoop({
      ctx,
      client,
      apiKey,
      limiter,
      transcript,
      signal: this.abort.signal,
      model: modelOf(ctx),
      maxTokens: opts.maxTokens ?? 8192,
      maxTurns: opts.maxTurns ?? 50,
      watchdogMs: opts.watchdogMs ?? 60_000,
      turnRetries: opts.turnRetries ?? 3,
      backoffBaseMs: opts.backoffBaseMs ?? 1000,
      prompt,
      tools: {
        scope: { root, territory: ctx.agent.territory },
        allowedCommands: ctx.plan.defaults.allowedCommands,
        tickets: ticketIdsOf(ctx.agent),
        reporter: ctx.reporter,
        signal: this.abort.signal,
        contain: ctx,
        ...(opts.commandTimeoutMs !== undefined ? { commandTimeoutMs: opts.commandTimeoutMs } : {}),
      },
    });
    this.done = loop
      .then(({ end, usage }) => ({ ...this.resultOf(end), usage }))
      .catch((err): RunResult => endedResult("failed", `agent ${ctx.agent.id} ended in an unexpected error: ${messageOf(err)}`))
      .then((r) => {
        this.ended.abort();
        transcript.end(r.outcome, r.message);
        return r;
      });
  }

  cancel(reason: string): void {
    this.halt({ kind: "cancelled", reason });
  }

  private halt(stop: StopReason): void {
    if (this.stop) return;
    this.stop = stop;
    this.abort.abort();
  }

  private resultOf(end: LoopEnd): RunResult {
    // A stop asked for wins over whatever the loop was doing when it noticed.
    if (this.stop) return stoppedResult(this.stop, this.ctx.timeoutMs);
    if (end.kind === "stopped") return endedResult("cancelled", "cancelled");
    // The message reaches status files and logs: it may quote the model or the API, never a key.
    return endedResult(end.kind, scrubSecrets(end.message));
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
