// Rebuilding the state after a restart: the snapshot decoded by the one codec, then every
// journal record after it applied, each step through the scheduler's own reducer at the time it
// was taken. Pure; what it returns is what the live daemon held when the last record was written.
import { Plan, PurpleError, type JournalRecord } from "../../protocol/index.ts";
import { reduce, type Rules } from "../core/reduce.ts";
import { decodePlan, freshPlan, type DurablePlan } from "./codec.ts";
import type { Recovered } from "./journal.ts";

/** The plans as they were when the last record was written. */
export function rebuild(recovered: Pick<Recovered, "snapshot" | "records">, rules: Rules): DurablePlan[] {
  const plans = new Map<string, DurablePlan>();
  for (const p of recovered.snapshot?.plans ?? []) plans.set(p.plan, decodePlan(p));
  for (const r of recovered.records) applyRecord(plans, r, rules);
  return [...plans.values()];
}

function applyRecord(plans: Map<string, DurablePlan>, r: JournalRecord, rules: Rules): void {
  if (r.t === "plan") return void plans.set(r.plan, freshPlan(Plan.parse(r.body), { hash: r.hash, dir: r.dir, source: r.source, approval: r.approval, acceptedAt: r.at }));
  const p = plans.get(r.plan);
  if (!p) throw new PurpleError("IO_ERROR", `the journal names plan ${r.plan} before accepting it`);
  if (r.t === "step") return void reduce(p.index, p.run, r.step, r.at, rules);
  applyAgentFact(p, r);
}

/** A journal record of what is known of an agent beyond its run state (the engine applies it live through here too). */
export function applyAgentFact(p: DurablePlan, r: Extract<JournalRecord, { t: "pgid" | "ticket" | "agent-record" }>): void {
  const rec = p.records.get(r.agent);
  if (!rec) throw new PurpleError("IO_ERROR", `the journal names agent ${r.agent} that plan ${r.plan} does not have`);
  switch (r.t) {
    case "pgid":
      if (r.pgid === null) p.pgids.delete(r.agent);
      else p.pgids.set(r.agent, r.pgid);
      return;
    case "ticket":
      rec.tickets.set(r.ticket, { status: r.status, ...(r.startedAt === undefined ? {} : { startedAt: r.startedAt }), ...(r.completedAt === undefined ? {} : { completedAt: r.completedAt }) });
      return;
    case "agent-record":
      rec.changedFiles = new Set(r.changedFiles);
      rec.violations = r.violations;
      rec.usage = r.usage;
      rec.exitCode = r.exitCode;
      return;
  }
}
