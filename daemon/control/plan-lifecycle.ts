// Running an ended plan again and forgetting one (plan.rerun, plan.forget, and plan.submit of an
// ended plan). Built on the engine's public surface only: a rerun is the same plan (or its new
// content) accepted afresh after its run files moved to runs/<n>/; forgetting drops the entry and
// writes a snapshot, so that the journal does not bring it back at the next start.
import { existsSync } from "node:fs";
import { PurpleError, TERMINAL_PLAN_STATES, type Plan } from "../../protocol/index.ts";
import type { Engine } from "../engine/engine.ts";
import { planEntry } from "../engine/control.ts";
import type { PlanEntry } from "../engine/plan-entry.ts";
import { archiveRun, holdsSources, removeRunFiles } from "./run-files.ts";

/** What a rerun starts from when the content changed: the new plan and its hash. */
export interface NewContent {
  plan: Plan;
  hash: string;
  source: string;
}

const ended = (entry: PlanEntry) => TERMINAL_PLAN_STATES.includes(entry.run.state);

function refuseUnlessEnded(entry: PlanEntry, verb: string): void {
  if (!ended(entry)) throw new PurpleError("INVALID_STATE", `cannot ${verb} plan ${entry.run.name}: it is ${entry.run.state}; ${verb} applies to a plan that has ended (succeeded, failed, blocked or cancelled)${entry.run.state === "running" || entry.run.state === "paused" || entry.run.state === "queued" ? `; \`purplectl cancel ${entry.run.name}\` ends it` : ""}`);
}

/**
 * Take a plan's entry out of the engine before a new one of the same name replaces it (or it is
 * forgotten): its files flushed, anyone waiting for it to end told its state.
 */
export function dropEntry(engine: Engine, entry: PlanEntry): void {
  entry.writer.flush();
  for (const w of entry.waiters.splice(0)) w(entry.run.state);
  engine.plans.delete(entry.run.name);
}

/** Run an ended plan again (with new content when given); returns the run number its earlier files went to. */
export function rerunPlan(engine: Engine, name: string, next?: NewContent): number | null {
  const entry = planEntry(engine, name);
  refuseUnlessEnded(entry, "rerun");
  if (engine.isDraining) throw new PurpleError("SHUTTING_DOWN", "purpled is draining; run it again once it has restarted");
  dropEntry(engine, entry);
  // A Purple feature folder's progress.json is its own file: copied into runs/<n>, kept in place.
  const mergeProgress = entry.writer.mergeProgress;
  const kept = archiveRun(entry.meta.dir, mergeProgress !== undefined);
  engine.submit({
    plan: next?.plan ?? entry.index.plan,
    dir: entry.meta.dir,
    hash: next?.hash ?? entry.meta.hash,
    source: next?.source ?? entry.meta.source,
    // it was approved (or needed none) before: a rerun goes straight to the queue
    approval: false,
    mergeProgress,
  });
  if (!engine.plans.has(name)) throw new PurpleError("INTERNAL", `plan ${name} was not accepted again`);
  return kept;
}

/** Forget an ended plan: its entry, its run files and earlier runs; sources a person wrote are kept. */
export function forgetPlan(engine: Engine, name: string): { removed: string; sourcesKept: boolean } {
  const entry = planEntry(engine, name);
  refuseUnlessEnded(entry, "forget");
  dropEntry(engine, entry);
  if (engine.opts.journal && !engine.snapshot()) {
    engine.plans.set(name, entry);
    throw new PurpleError("IO_ERROR", `plan ${name} could not be forgotten: the daemon's snapshot could not be written (see its log); nothing was removed`);
  }
  // A markdown or Purple folder holds a person's sources: only what purpled made goes. A canonical
  // plan's plan.yaml goes too, or the inbox would take it up again at the next start.
  const sources = holdsSources(entry.meta.dir);
  removeRunFiles(entry.meta.dir, sources ? [] : ["plan.yaml"]);
  return { removed: entry.meta.dir, sourcesKept: sources && existsSync(entry.meta.dir) };
}
