// What a Claude Code session's events mean for purple: the agent's status notes (last tool and
// file, rate-limit waits), its spend against the budgets, and how the session ended. Pure apart
// from the reporter it is given, so every mapping is unit-tested without a process.
import type { Usage } from "../../../protocol/index.ts";
import { costOf } from "../../../protocol/pricing.ts";
import type { AgentReporter } from "../runner.ts";
import type { ApiUsage, StreamEvent } from "./events.ts";

/** What the runner must do after an event; null: carry on. */
export type Verdict =
  | { kind: "finished"; message: string }
  | { kind: "failed"; message: string }
  | { kind: "blocked"; message: string }
  /** a usage limit with a reset time: wait until `at` (ms since the epoch), then resume the session */
  | { kind: "wait"; at: number; message: string };

/** Reads one session's events in order. */
export class StreamStatus {
  sessionId: string | null = null;
  /** set once the final `result` line has been read */
  sawResult = false;
  private readonly spent: Usage = { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, costUsd: 0 };
  private readonly seenMessages = new Set<string>();
  /** a "waiting" note is the latest: the next answer says the wait is over */
  private waiting = false;

  constructor(
    private readonly reporter: AgentReporter,
    private readonly model: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** What the usage so far adds up to (estimates per message, corrected by the result). */
  get usage(): Usage {
    return { ...this.spent };
  }

  handle(ev: StreamEvent): Verdict | null {
    switch (ev.kind) {
      case "init": {
        this.sessionId = ev.session_id;
        // "pending" is a server still connecting (its tools come later); "failed" never will.
        const broken = ev.mcp_servers.filter((s) => s.status === "failed" || s.status === "needs-auth");
        if (broken.length) return { kind: "failed", message: `MCP server ${broken.map((s) => `${s.name} (${s.status})`).join(", ")} did not start, so the purple_* tools are missing` };
        return null;
      }
      case "api_retry": {
        const seconds = Math.max(0, Math.round(ev.retry_delay_ms / 1000));
        const why = ev.error_status === 429 ? "rate limited" : `API error ${ev.error_status ?? ev.error ?? "unknown"}`;
        this.reporter.status(`waiting: ${why}, retry in ${seconds} s${ev.attempt ? ` (attempt ${ev.attempt}${ev.max_retries ? ` of ${ev.max_retries}` : ""})` : ""}`);
        this.waiting = true;
        return null;
      }
      case "assistant": {
        if (this.waiting && !ev.message.content.some((b) => b.type === "tool_use")) this.reporter.status("working: the API answers again");
        this.waiting = false;
        for (const block of ev.message.content) {
          if (block.type === "tool_use" && block.name) this.reporter.status(toolNote(block.name, block.input));
        }
        const id = ev.message.id;
        if (!ev.message.usage || !id || this.seenMessages.has(id)) return null;
        this.seenMessages.add(id);
        const turn = usageOf(ev.message.usage, ev.message.model ?? this.model);
        return this.spend(turn);
      }
      case "user":
        return null;
      case "result": {
        this.sawResult = true;
        const verdict = this.correct(ev.usage, ev.total_cost_usd);
        if (verdict) return verdict;
        const text = [ev.result ?? "", ...(ev.errors ?? [])].join(" ").trim();
        const reset = usageLimitReset(text, this.now());
        if (reset !== null) return { kind: "wait", at: reset, message: `waiting: usage limit reached, resets at ${new Date(reset).toISOString()}` };
        if (ev.subtype === "error_max_budget_usd") return { kind: "blocked", message: `Claude Code stopped at its budget (--max-budget-usd): ${oneLine(text) || ev.subtype}` };
        if (ev.is_error || ev.subtype !== "success") {
          const status = ev.api_error_status ? ` (API status ${ev.api_error_status})` : "";
          return { kind: "failed", message: `Claude Code ended with an error${status}: ${oneLine(text) || ev.subtype}` };
        }
        return { kind: "finished", message: `finished after ${ev.num_turns ?? "?"} turns: ${oneLine(text).slice(0, 200)}` };
      }
    }
  }

  private spend(turn: Usage): Verdict | null {
    if (turn.inputTokens + turn.outputTokens + turn.cacheReadTokens + turn.cacheWriteTokens === 0 && turn.costUsd === 0) return null;
    for (const k of Object.keys(turn) as (keyof Usage)[]) this.spent[k] += turn[k];
    return this.reporter.spend(turn) ? null : { kind: "blocked", message: "its budget is spent" };
  }

  // The result's totals are authoritative: whatever the per-message estimates missed is added
  // now (never subtracted: usage only grows, and a budget should rather stop early than late).
  private correct(total: ApiUsage | undefined, costUsd: number): Verdict | null {
    const t = total ? usageOf(total, this.model, costUsd) : { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, costUsd };
    const delta: Usage = {
      inputTokens: Math.max(0, t.inputTokens - this.spent.inputTokens),
      outputTokens: Math.max(0, t.outputTokens - this.spent.outputTokens),
      cacheReadTokens: Math.max(0, t.cacheReadTokens - this.spent.cacheReadTokens),
      cacheWriteTokens: Math.max(0, t.cacheWriteTokens - this.spent.cacheWriteTokens),
      costUsd: Math.max(0, t.costUsd - this.spent.costUsd),
    };
    return this.spend(delta);
  }
}

/** The usage of one API call in purple's terms; the cost from the price table unless given. */
export function usageOf(u: ApiUsage, model: string, costUsd?: number): Usage {
  const tokens = {
    inputTokens: u.input_tokens,
    outputTokens: u.output_tokens,
    cacheReadTokens: u.cache_read_input_tokens ?? 0,
    cacheWriteTokens: u.cache_creation_input_tokens ?? 0,
  };
  return { ...tokens, costUsd: costUsd ?? costOf(model, tokens) };
}

/** "Write src/a.ts", "Bash: npm test": the note for one tool call. */
export function toolNote(name: string, input: unknown): string {
  const i = (input && typeof input === "object" ? input : {}) as Record<string, unknown>;
  const target = [i.file_path, i.notebook_path, i.path, i.pattern, i.command, i.url].find((v) => typeof v === "string" && v !== "");
  const tool = name.startsWith("mcp__") ? name.split("__").slice(2).join("__") || name : name;
  return target === undefined ? `tool: ${tool}` : `tool: ${tool} ${oneLine(String(target)).slice(0, 160)}`;
}

/**
 * When a usage-limit message says the limit resets (ms since the epoch), else null. Claude Code
 * has written it as "Claude AI usage limit reached|<epoch seconds>" and as "… limit reached ∙
 * resets 3pm" (local time of day; the next such time from `now`).
 */
export function usageLimitReset(text: string, now: number): number | null {
  if (!/limit/i.test(text)) return null;
  const epoch = /limit reached\|(\d{9,11})/i.exec(text);
  if (epoch) return Number(epoch[1]) * 1000;
  const at = /resets(?: at)? (\d{1,2})(?::(\d{2}))?\s*(am|pm)?/i.exec(text);
  if (!at) return null;
  let hour = Number(at[1]) % 12;
  if (!at[3]) hour = Number(at[1]) % 24;
  else if (at[3].toLowerCase() === "pm") hour += 12;
  const d = new Date(now);
  d.setHours(hour, Number(at[2] ?? 0), 0, 0);
  if (d.getTime() <= now) d.setDate(d.getDate() + 1);
  return d.getTime();
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, " ").trim();
}
