// Approving a compiled plan runs plan.compiled.yaml as it is on disk at that moment (SPEC §5): a
// person's edits to it are what runs. The file is read and checked again as the inbox would; a
// broken edit is refused with every problem and the plan keeps waiting.
import { join } from "node:path";
import { PurpleError, type Plan, type Problem } from "../../protocol/index.ts";
import { checkTerritoriesOnDisk } from "../../inbox/check-territory-fs.ts";
import { parsePlanText } from "../../inbox/parse.ts";
import { readPlanFile } from "../../inbox/read-item.ts";
import { approvePlan, planEntry } from "../engine/control.ts";
import type { Engine } from "../engine/engine.ts";
import { dropEntry } from "./plan-lifecycle.ts";
import { rejected } from "./submit.ts";

/**
 * Approve a plan awaiting approval as its plan.compiled.yaml reads now. `after` runs at once after
 * the approval, before the scheduler acts on it (the caller's summary shows the state approve made).
 */
export async function approveAsOnDisk<T>(engine: Engine, root: string, name: string, after: () => T, override?: string[]): Promise<T> {
  const entry = planEntry(engine, name);
  if (entry.run.state !== "awaiting-approval" || override?.length) return approvePlan(engine, name, override), after();
  const file = join(entry.meta.dir, "plan.compiled.yaml");
  const plan = await readChecked(file, name, root);
  if (planEntry(engine, name) !== entry || entry.run.state !== "awaiting-approval") return approvePlan(engine, name), after(); // changed meanwhile
  const edited = JSON.stringify(plan) !== JSON.stringify(entry.index.plan);
  if (edited) {
    // The edited plan replaces the compiled one before anything ran; the compile's hash stays,
    // so the watcher does not take the unchanged sources for a new plan.
    const mergeProgress = entry.writer.mergeProgress;
    dropEntry(engine, entry);
    engine.submit({ plan, dir: entry.meta.dir, hash: entry.meta.hash, source: file, approval: true, mergeProgress });
  }
  approvePlan(engine, name);
  return after();
}

async function readChecked(file: string, name: string, root: string): Promise<Plan> {
  const read = await readPlanFile(file);
  let problems: Problem[];
  if (!read.ok) problems = read.problems;
  else {
    const parsed = parsePlanText(read.text, "yaml");
    if (!parsed.ok) problems = parsed.problems;
    else if (parsed.plan.name !== name) problems = [{ path: "name", message: `plan.compiled.yaml names the plan "${parsed.plan.name}"; it must stay "${name}"` }];
    else {
      problems = await checkTerritoriesOnDisk(parsed.plan, root);
      if (!problems.length) return parsed.plan;
    }
  }
  const err = rejected(file, problems);
  throw new PurpleError("PLAN_INVALID", `not approved: ${err.message}; fix plan.compiled.yaml and approve again`, { problems });
}
