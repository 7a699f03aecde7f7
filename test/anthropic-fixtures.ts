// Shared pieces of the anthropic runner's tests: a temp project, a plan, a run context with a
// reporter that records every call, and script-step shorthands for the scripted Messages API.
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Plan, type PlanInput, type Usage } from "../protocol/index.ts";
import type { AgentReporter, RunContext } from "../daemon/runners/runner.ts";
import type { ScriptStep } from "./support/scripted-api.ts";

export const KEY = "sk-ant-test";

/** A fresh project root (real path) with its plan folder; `remove` deletes it. */
export function tempProject(plan = "demo"): { root: string; planDir: string; remove(): void } {
  const root = realpathSync(mkdtempSync(join(tmpdir(), "purple-anth-")));
  const planDir = join(root, ".context-kit/orchestration", plan);
  mkdirSync(planDir, { recursive: true });
  return { root, planDir, remove: () => rmSync(root, { recursive: true, force: true }) };
}

/** A parsed plan named `demo` (or `name`), one wave holding every agent unless waves are given. */
export function planOf(input: Partial<PlanInput> & { agents: PlanInput["agents"] }): Plan {
  return Plan.parse({
    apiVersion: "purple/v1",
    name: "demo",
    waves: [{ id: "wave-1", agents: input.agents.map((a) => a.id) }],
    ...input,
  });
}

export type ReporterCall =
  | { kind: "startTicket" | "completeTicket"; ticket: string }
  | { kind: "status"; message: string; percent?: number }
  | { kind: "spend"; usage: Usage };

/** A reporter that records calls in order; `spendOk` decides what spend answers (default: always true). */
export class FakeReporter implements AgentReporter {
  readonly calls: ReporterCall[] = [];
  constructor(private readonly spendOk: (total: number, calls: number) => boolean = () => true, private readonly tickets?: readonly string[]) {}

  startTicket(ticket: string): void {
    this.known(ticket);
    this.calls.push({ kind: "startTicket", ticket });
  }
  completeTicket(ticket: string): void {
    this.known(ticket);
    this.calls.push({ kind: "completeTicket", ticket });
  }
  status(message: string, percent?: number): void {
    this.calls.push({ kind: "status", message, ...(percent === undefined ? {} : { percent }) });
  }
  spend(usage: Usage): boolean {
    this.calls.push({ kind: "spend", usage });
    return this.spendOk(this.spent().costUsd, this.spends().length);
  }

  /** The spend calls' usages. */
  spends(): Usage[] {
    return this.calls.flatMap((c) => (c.kind === "spend" ? [c.usage] : []));
  }
  /** Every spend added up. */
  spent(): Usage {
    const t = { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, costUsd: 0 };
    for (const u of this.spends()) for (const k of Object.keys(t) as (keyof Usage)[]) t[k] += u[k];
    return t;
  }
  /** The calls other than spend, in order. */
  progress(): ReporterCall[] {
    return this.calls.filter((c) => c.kind !== "spend");
  }

  private known(ticket: string): void {
    if (this.tickets && !this.tickets.includes(ticket)) throw new Error(`plan demo has no ticket ${JSON.stringify(ticket)}`);
  }
}

/** The run context of agent `id` of `plan` under `root`. */
export function contextFor(root: string, planDir: string, plan: Plan, id: string, over: Partial<RunContext> = {}): RunContext {
  const agent = plan.agents.find((a) => a.id === id);
  if (!agent) throw new Error(`no agent ${id} in the test plan`);
  return {
    plan,
    agent,
    wave: plan.waves.find((w) => w.agents.includes(id))?.id ?? "wave-1",
    attempt: 1,
    root,
    planDir,
    agentDir: join(planDir, "agents", id),
    prompt: "(the engine's prompt, unused by the anthropic runner)",
    statusFile: join(planDir, "status", `${id}.json`),
    socket: "",
    timeoutMs: 30_000,
    graceMs: 200,
    reporter: new FakeReporter(),
    ...over,
  };
}

/** One assistant turn calling one tool. */
export const call = (name: string, input: unknown, text?: string): ScriptStep => ({
  reply: { content: [...(text ? [{ type: "text" as const, text }] : []), { type: "tool_use", name, input }] },
});

/** The finish call. */
export const finish = (summary = "done"): ScriptStep => call("finish", { summary });

/** The lines of an agent's transcript.jsonl, parsed. */
export function transcriptOf(ctx: RunContext): any[] {
  return readFileSync(join(ctx.agentDir, "transcript.jsonl"), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

/** The tool_result blocks of a recorded request's last message. */
export function toolResults(body: any): { type: "tool_result"; tool_use_id: string; content: string; is_error?: boolean; cache_control?: unknown }[] {
  const last = body?.messages?.at(-1);
  return Array.isArray(last?.content) ? last.content.filter((b: any) => b.type === "tool_result") : [];
}
