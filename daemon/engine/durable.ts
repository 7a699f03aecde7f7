// What the engine keeps durable: its transitions as journal records, its plans as snapshots,
// and the way back from a snapshot to a live plan entry after a restart.
import { Plan, type JournalRecord, type PlanSnapshot } from "../../protocol/index.ts";

type AgentSnapshot = PlanSnapshot["agents"][string];
import type { AgentRunState, Transition } from "../core/state.ts";
import type { AgentRecord } from "../status/agent-record.ts";
import type { PlanEntry } from "./plan-entry.ts";

/** Journal records for state transitions of one plan. */
export function transitionRecords(plan: string, transitions: readonly Transition[], at: number): JournalRecord[] {
  return transitions.map((t): JournalRecord => {
    if (t.kind === "plan") return { t: "plan-state", plan, to: t.to, reason: t.reason, at };
    if (t.kind === "wave") return { t: "wave-state", plan, wave: t.wave, to: t.to };
    return { t: "agent-state", plan, agent: t.agent, to: t.to, attempt: t.attempt, reason: t.reason, at };
  });
}

/** The record of what the engine knows of an agent beyond its state. */
export function agentRecord(entry: PlanEntry, id: string): JournalRecord {
  const rec = entry.records.get(id)!;
  return { t: "agent-record", plan: entry.run.name, agent: id, changedFiles: [...rec.changedFiles], violations: rec.violations, usage: rec.usage, exitCode: rec.exitCode };
}

/** A plan entry as a snapshot (everything a restart needs to carry on). */
export function snapshotOf(entry: PlanEntry, source: string, approval: boolean): PlanSnapshot {
  const { run } = entry;
  const agents: PlanSnapshot["agents"] = {};
  for (const [id, st] of run.agents) agents[id] = agentSnapOf(st, entry.records.get(id)!, entry.handles.get(id)?.pgid ?? null);
  return {
    plan: run.name, hash: entry.hash, dir: entry.dir, source, approval, body: entry.index.plan, acceptedAt: entry.createdAt,
    state: run.state, reason: run.reason, startedAt: run.startedAt, completedAt: run.completedAt, waveIndex: run.waveIndex,
    waves: run.waves.map((w) => ({ ...w })), agents, approvedWaves: [...entry.approvedWaves],
  };
}

/** One agent's part of a snapshot: its run state, what the engine knows of it, its live process group. */
export function agentSnapOf(st: AgentRunState, rec: AgentRecord, pgid: number | null): AgentSnapshot {
  return {
    state: st.state, attempt: st.attempt, reason: st.reason, startedAt: st.startedAt, completedAt: st.completedAt,
    changedFiles: [...rec.changedFiles], violations: rec.violations, usage: rec.usage, exitCode: rec.exitCode,
    tickets: Object.fromEntries(rec.tickets), pgid,
  };
}

/** Put a snapshot's state into a freshly built entry of the same plan. */
export function restoreInto(entry: PlanEntry, snap: PlanSnapshot): void {
  const { run } = entry;
  run.state = snap.state;
  run.reason = snap.reason;
  run.startedAt = snap.startedAt;
  run.completedAt = snap.completedAt;
  run.waveIndex = snap.waveIndex;
  snap.waves.forEach((w, i) => (run.waves[i]!.state = w.state));
  for (const [id, a] of Object.entries(snap.agents)) {
    const st = run.agents.get(id);
    const rec = entry.records.get(id);
    if (!st || !rec) continue;
    Object.assign(st, { state: a.state, attempt: a.attempt, reason: a.reason, startedAt: a.startedAt, completedAt: a.completedAt });
    if (a.state === "running" || a.state === "validating") run.running.add(id);
    rec.changedFiles = new Set(a.changedFiles);
    rec.violations = a.violations;
    rec.usage = a.usage;
    rec.exitCode = a.exitCode;
    rec.tickets = new Map(Object.entries(a.tickets));
  }
  for (const w of snap.approvedWaves) entry.approvedWaves.add(w);
}

/** The plan definition a snapshot carries. */
export const planOf = (snap: PlanSnapshot): Plan => Plan.parse(snap.body);
