// Plan status straight from the files purpled wrote (SPEC §3), in the shapes the control channel
// uses, for `purplectl status` when no daemon answers.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { PlanDetail, PlanSummary } from "../protocol/rpc.ts";
import { AgentStatus, PlanStatus } from "../protocol/status.ts";
import { orchestrationOf } from "./find-root.ts";

/** Every plan folder's status.json that parses, as summaries. */
export function readPlanSummaries(root: string): PlanSummary[] {
  const o = orchestrationOf(root);
  if (!existsSync(o)) return [];
  const out: PlanSummary[] = [];
  for (const name of readdirSync(o).sort()) {
    const status = readStatus(join(o, name, "status.json"), PlanStatus);
    if (status) out.push(summaryOf(status));
  }
  return out;
}

/** One plan's status with every agent's status, or null when the plan has none. */
export function readPlanDetail(root: string, plan: string): PlanDetail | null {
  const dir = join(orchestrationOf(root), plan);
  const status = readStatus(join(dir, "status.json"), PlanStatus);
  if (!status) return null;
  // An agent that has not started yet has no file of its own: show it queued.
  const agents = status.waves.flatMap((w) => w.agents.map((id) => readStatus(join(dir, "status", `${id}.json`), AgentStatus) ?? queued(status, w.id, id)));
  return { plan: status, agents };
}

/** The summary line the daemon would give for this status. */
export function summaryOf(p: PlanStatus): PlanSummary {
  const c = (s: keyof PlanStatus["counts"]) => p.counts[s] ?? 0;
  return {
    plan: p.plan, state: p.state, reason: p.reason, currentWave: p.currentWave,
    waves: p.waves.length, wavesPassed: p.waves.filter((w) => w.state === "passed").length,
    agents: Object.values(p.counts).reduce((a, b) => a + (b ?? 0), 0),
    completed: c("completed"), running: c("running") + c("validating"), failed: c("failed"),
    costUsd: p.usage.costUsd, updatedAt: p.updatedAt,
  };
}

function queued(plan: PlanStatus, wave: string, agent: string): AgentStatus {
  return {
    agent, plan: plan.plan, wave, state: "queued", attempt: 0, startedAt: null, completedAt: null, tickets: [], territory: [], changedFiles: [],
    violations: [], blockers: [], notes: [], usage: { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, costUsd: 0 }, exitCode: null, reason: null, updatedAt: plan.updatedAt,
  };
}

function readStatus<T>(path: string, schema: { safeParse(v: unknown): { success: true; data: T } | { success: false } }): T | null {
  try {
    const r = schema.safeParse(JSON.parse(readFileSync(path, "utf8")));
    return r.success ? r.data : null;
  } catch {
    return null;
  }
}
