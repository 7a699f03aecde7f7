// `purplectl status [PLAN]`: the plans' status files (SPEC §3) as tables, or as JSON.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { AgentStatus, PlanStatus } from "../protocol/index.ts";
import { orchestrationOf } from "./find-root.ts";
import { age, table } from "./table.ts";

/** Every plan folder's status.json that parses, by plan name. */
export function readPlanStatuses(root: string): PlanStatus[] {
  const o = orchestrationOf(root);
  if (!existsSync(o)) return [];
  const out: PlanStatus[] = [];
  for (const name of readdirSync(o).sort()) {
    const r = readStatus(join(o, name, "status.json"), PlanStatus);
    if (r) out.push(r);
  }
  return out;
}

/** One plan's status with every agent's status, or null when the plan has none. */
export function readPlanDetail(root: string, plan: string): { plan: PlanStatus; agents: AgentStatus[] } | null {
  const dir = join(orchestrationOf(root), plan);
  const status = readStatus(join(dir, "status.json"), PlanStatus);
  if (!status) return null;
  // An agent that has not started yet has no file of its own: show it queued.
  const agents = status.waves.flatMap((w) => w.agents.map((id) => readStatus(join(dir, "status", `${id}.json`), AgentStatus) ?? queued(status, w.id, id)));
  return { plan: status, agents };
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

export function renderPlans(plans: PlanStatus[]): string {
  if (plans.length === 0) return "no plans yet: drop one into .context-kit/orchestration/inbox/ or run `purplectl submit PATH`";
  return table(
    ["PLAN", "STATE", "WAVE", "AGENTS", "UPDATED"],
    plans.map((p) => [p.plan, p.state, p.currentWave ?? "-", `${p.counts.completed ?? 0}/${Object.values(p.counts).reduce((a, b) => a + b, 0)} done`, age(p.updatedAt)]),
  );
}

export function renderPlanDetail(d: { plan: PlanStatus; agents: AgentStatus[] }): string {
  const p = d.plan;
  const head = `${p.plan}: ${p.state}${p.reason ? ` (${p.reason})` : ""}`;
  const waves = table(["WAVE", "STATE", "AGENTS"], p.waves.map((w) => [w.id, w.state, w.agents.join(", ")]));
  const agents = table(
    ["AGENT", "WAVE", "STATE", "ATTEMPT", "CHANGED", "VIOLATIONS", "NOTE"],
    d.agents.map((a) => [a.agent, a.wave, a.state, String(a.attempt), String(a.changedFiles.length), String(a.violations.length), a.reason ?? ""]),
  );
  return `${head}\n\n${waves}\n\n${agents}`;
}
