// Rebuilding the state from a snapshot and the journal records after it: each record applied
// exactly as the engine applied the change when it happened. Pure.
import { PurpleError, type JournalRecord, type PlanSnapshot } from "../../protocol/index.ts";
import { Plan } from "../../protocol/index.ts";
import { zeroUsage } from "../../protocol/index.ts";
import type { Recovered } from "./journal.ts";

const TERMINAL = new Set(["completed", "failed", "cancelled", "blocked"]);
const TERMINAL_PLAN = new Set(["succeeded", "failed", "cancelled", "blocked"]);

/** The plans as they were when the last record was written. */
export function rebuild(recovered: Recovered): PlanSnapshot[] {
  const plans = new Map<string, PlanSnapshot>();
  for (const p of recovered.snapshot?.plans ?? []) plans.set(p.plan, structuredClone(p));
  for (const r of recovered.records) apply(plans, r);
  return [...plans.values()];
}

function apply(plans: Map<string, PlanSnapshot>, r: JournalRecord): void {
  if (r.t === "plan") return void plans.set(r.plan, fresh(r));
  const p = plans.get(r.plan);
  if (!p) throw new PurpleError("IO_ERROR", `the journal names plan ${r.plan} before accepting it`);
  switch (r.t) {
    case "plan-state":
      p.state = r.to;
      p.reason = r.reason;
      if (r.to === "running" && p.startedAt === null) p.startedAt = r.at;
      p.completedAt = TERMINAL_PLAN.has(r.to) ? r.at : null;
      return;
    case "wave-state": {
      const i = p.waves.findIndex((w) => w.id === r.wave);
      if (i < 0) throw new PurpleError("IO_ERROR", `the journal names wave ${r.wave} that plan ${r.plan} does not have`);
      p.waves[i]!.state = r.to;
      if (r.to === "passed") p.waveIndex = i + 1;
      return;
    }
    case "agent-state": {
      const a = agentOf(p, r.agent);
      a.state = r.to;
      a.attempt = r.attempt;
      a.reason = r.reason;
      if (r.to === "running") {
        a.startedAt = r.at;
        a.completedAt = null;
      }
      if (TERMINAL.has(r.to)) a.completedAt = r.at;
      return;
    }
    case "pgid":
      agentOf(p, r.agent).pgid = r.pgid;
      return;
    case "approve":
      if (!p.approvedWaves.includes(r.wave)) p.approvedWaves.push(r.wave);
      return;
    case "ticket":
      agentOf(p, r.agent).tickets[r.ticket] = { status: r.status, ...(r.startedAt === undefined ? {} : { startedAt: r.startedAt }), ...(r.completedAt === undefined ? {} : { completedAt: r.completedAt }) };
      return;
    case "agent-record": {
      const a = agentOf(p, r.agent);
      a.changedFiles = r.changedFiles;
      a.violations = r.violations;
      a.usage = r.usage;
      a.exitCode = r.exitCode;
      return;
    }
  }
}

function agentOf(p: PlanSnapshot, id: string) {
  const a = p.agents[id];
  if (!a) throw new PurpleError("IO_ERROR", `the journal names agent ${id} that plan ${p.plan} does not have`);
  return a;
}

/** A plan just accepted: received, every wave pending, every agent queued. */
function fresh(r: Extract<JournalRecord, { t: "plan" }>): PlanSnapshot {
  const plan = Plan.parse(r.body);
  const agents: PlanSnapshot["agents"] = {};
  for (const a of plan.agents)
    agents[a.id] = { state: "queued", attempt: 0, reason: null, startedAt: null, completedAt: null, changedFiles: [], violations: [], usage: zeroUsage(), exitCode: null, tickets: {}, pgid: null };
  return {
    plan: r.plan, hash: r.hash, dir: r.dir, source: r.source, approval: r.approval, body: r.body, acceptedAt: r.at,
    state: "received", reason: null, startedAt: null, completedAt: null, waveIndex: 0,
    waves: plan.waves.map((w) => ({ id: w.id, state: "pending" as const })), agents, approvedWaves: [],
  };
}
