// Rebuilding the state from a snapshot and the journal records after it: each record applied
// exactly as the engine applied the change when it happened (the same time-stamping rules). Pure.
import { Plan, PurpleError, type JournalRecord, type PlanSnapshot } from "../../protocol/index.ts";
import { indexPlan } from "../core/plan-index.ts";
import { initialRunState, stampAgentTimes, stampPlanTimes } from "../core/state.ts";
import { agentSnapOf } from "../engine/durable.ts";
import { newAgentRecord } from "../status/agent-record.ts";
import type { Recovered } from "./journal.ts";

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
      stampPlanTimes(p, r.to, r.at);
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
      stampAgentTimes(a, r.to, r.at);
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

/** A plan just accepted: its initial run state, as the scheduler core makes it. */
function fresh(r: Extract<JournalRecord, { t: "plan" }>): PlanSnapshot {
  const run = initialRunState(indexPlan(Plan.parse(r.body)));
  const agents: PlanSnapshot["agents"] = {};
  for (const [id, st] of run.agents) agents[id] = agentSnapOf(st, newAgentRecord(), null);
  return {
    plan: r.plan, hash: r.hash, dir: r.dir, source: r.source, approval: r.approval, body: r.body, acceptedAt: r.at,
    state: run.state, reason: null, startedAt: null, completedAt: null, waveIndex: 0,
    waves: run.waves.map((w) => ({ ...w })), agents, approvedWaves: [],
  };
}
