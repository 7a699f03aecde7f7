// Taking back a previous run's plans after a restart (from the journal's snapshot and records).
import type { PlanSnapshot } from "../../protocol/index.ts";
import { setAgentState, type Transition } from "../core/state.ts";
import { planOf, restoreInto } from "./durable.ts";
import type { Engine } from "./engine.ts";
import { newPlanEntry } from "./plan-entry.ts";
import { catchUpEvents } from "./reconcile.ts";

/**
 * Take back the plans of a previous run (from the journal). Agents that were running when it
 * stopped are interrupted (their process groups killed) and queued to run again, their attempt
 * rising by one when they start; a gate that was under way runs again. Completed agents and
 * passed gates stay as they are. Returns the process groups it killed.
 */
export function restorePlans(engine: Engine, snaps: PlanSnapshot[], killGroup: (pgid: number) => boolean): number[] {
  const killed: number[] = [];
  const now = engine.now();
  for (const snap of snaps) {
    const entry = newPlanEntry(planOf(snap), snap.dir, snap.hash, snap.acceptedAt, {
      flushDelayMs: engine.opts.flushDelayMs,
      onEvent: engine.opts.onEvent,
      onError: (err) => engine.opts.logger.error({ err, plan: snap.plan }, "writing the status files failed; retrying"),
    });
    entry.source = snap.source;
    entry.approval = snap.approval;
    restoreInto(entry, snap);
    engine.plans.set(snap.plan, entry);
    catchUpEvents(entry);
    const out: Transition[] = [];
    for (const [id, a] of Object.entries(snap.agents)) {
      if (a.pgid !== null && killGroup(a.pgid)) killed.push(a.pgid);
      if (a.state === "running" || a.state === "validating") out.push(setAgentState(entry.run, id, "interrupted", "purpled stopped while it ran", now));
      if (a.state === "running" || a.state === "validating" || a.state === "interrupted")
        out.push(setAgentState(entry.run, id, "queued", "runs again after purpled restarted", now));
    }
    engine.record(entry, out);
    entry.writer.writeAll();
    if (entry.run.state === "running" && entry.run.waves[entry.run.waveIndex]?.state === "validating") engine.startGate(entry);
  }
  engine.schedule();
  return killed;
}
