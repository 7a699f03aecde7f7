// The one snapshot codec: a plan's durable form (its definition, run state and agent records)
// to and from the snapshot JSON. Whatever the run state holds is written here and read back
// here; journal replay starts from what decode() returns.
import { Plan, type PlanSnapshot } from "../../protocol/index.ts";
import { indexPlan, type PlanIndex } from "../core/plan-index.ts";
import { initialRunState, retally, type PlanRunState } from "../core/state.ts";
import { newAgentRecord, type AgentRecord } from "../status/agent-record.ts";

/** Where an accepted plan came from. */
export interface PlanMeta {
  hash: string;
  /** O/<name> */
  dir: string;
  source: string;
  /** compiled from prose: waits for approval */
  approval: boolean;
  acceptedAt: number;
}

/** Everything a restart needs of one plan. */
export interface DurablePlan {
  meta: PlanMeta;
  index: PlanIndex;
  run: PlanRunState;
  records: Map<string, AgentRecord>;
  /** process groups of attempts that were under way (killed at the next start) */
  pgids: Map<string, number>;
}

/** A plan just accepted, before its first step. */
export function freshPlan(plan: Plan, meta: PlanMeta): DurablePlan {
  const index = indexPlan(plan);
  const records = new Map<string, AgentRecord>();
  for (const id of index.agents.keys()) records.set(id, newAgentRecord());
  return { meta, index, run: initialRunState(index), records, pgids: new Map() };
}

export function encodePlan(d: DurablePlan): PlanSnapshot {
  const { run, meta } = d;
  const agents: PlanSnapshot["agents"] = {};
  for (const [id, st] of run.agents) {
    const rec = d.records.get(id)!;
    agents[id] = {
      state: st.state, attempt: st.attempt, reason: st.reason, startedAt: st.startedAt, completedAt: st.completedAt,
      notBefore: st.notBefore, stop: st.stop, cancelledBy: st.cancelledBy, spentUsd: st.spentUsd, blockers: [...st.blockers], notes: [...st.notes], guidance: [...st.guidance], repair: st.repair, repairAttempts: st.repairAttempts, speculative: st.speculative, waitGate: st.waitGate, recheck: st.recheck,
      changedFiles: [...rec.changedFiles], violations: [...rec.violations], usage: { ...rec.usage }, exitCode: rec.exitCode,
      tickets: Object.fromEntries(rec.tickets), pgid: d.pgids.get(id) ?? null,
    };
  }
  return {
    plan: run.name, hash: meta.hash, dir: meta.dir, source: meta.source, approval: meta.approval, body: d.index.plan, acceptedAt: meta.acceptedAt,
    state: run.state, reason: run.reason, startedAt: run.startedAt, completedAt: run.completedAt, waveIndex: run.waveIndex,
    waves: run.waves.map((w) => ({ ...w })), agents, approvedWaves: [...run.approvedWaves], overrides: [...run.overrides],
    repairs: Object.fromEntries([...run.repairs].map(([k, r]) => [k, { ...r }])), breaker: run.breaker && { ...run.breaker }, statusBar: run.statusBar,
  };
}

export function decodePlan(s: PlanSnapshot): DurablePlan {
  const d = freshPlan(Plan.parse(s.body), { hash: s.hash, dir: s.dir, source: s.source, approval: s.approval, acceptedAt: s.acceptedAt });
  const { run } = d;
  Object.assign(run, { state: s.state, reason: s.reason, startedAt: s.startedAt, completedAt: s.completedAt, waveIndex: s.waveIndex, approvedWaves: [...s.approvedWaves], overrides: [...s.overrides], statusBar: s.statusBar,
    repairs: new Map(Object.entries(s.repairs).map(([k, r]) => [k, { ...r }])), breaker: s.breaker && { ...s.breaker } });
  s.waves.forEach((w, i) => (run.waves[i]!.state = w.state));
  for (const [id, a] of Object.entries(s.agents)) {
    const st = run.agents.get(id);
    const rec = d.records.get(id);
    if (!st || !rec) continue;
    Object.assign(st, {
      state: a.state, attempt: a.attempt, reason: a.reason, startedAt: a.startedAt, completedAt: a.completedAt,
      notBefore: a.notBefore, stop: a.stop, cancelledBy: a.cancelledBy, spentUsd: a.spentUsd, blockers: [...a.blockers], notes: [...a.notes], guidance: [...a.guidance], repair: a.repair, repairAttempts: a.repairAttempts, speculative: a.speculative, waitGate: a.waitGate, recheck: a.recheck,
    });
    if (a.state === "running" || a.state === "validating") run.running.add(id);
    rec.changedFiles = new Set(a.changedFiles);
    rec.violations = [...a.violations];
    rec.usage = { ...a.usage };
    rec.exitCode = a.exitCode;
    rec.tickets = new Map(Object.entries(a.tickets));
    if (a.pgid !== null) d.pgids.set(id, a.pgid);
  }
  retally(run);
  return d;
}
