// A plan folder's run files — what purpled wrote while the plan ran — kept apart from what a
// person gave it (plan.yaml, markdown sources, specs): moved under runs/<n>/ when the plan runs
// again, removed when it is forgotten.
import { cpSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fsyncDir } from "../../lib/atomic-write.ts";
import { COMPILE_OUTPUTS, EARLIER_RUNS, RUN_OUTPUTS } from "../../protocol/plan-folder.ts";

/** What purpled writes into O/<plan>/ during a run (SPEC §3). */
export const RUN_FILES = [...RUN_OUTPUTS, "progress.json", "plan.error.json"] as const;

/**
 * Move the run files of O/<plan> into runs/<n>/ (n one past the highest there) and return n, or
 * null when there were none. `keepProgress`: a Purple feature folder's progress.json is its own
 * file, so it is copied, not moved.
 */
export function archiveRun(dir: string, keepProgress = false): number | null {
  const present = RUN_FILES.filter((f) => existsSync(join(dir, f)));
  if (present.length === 0) return null;
  const runs = join(dir, EARLIER_RUNS);
  const taken = existsSync(runs) ? readdirSync(runs).map(Number).filter((n) => Number.isInteger(n) && n > 0) : [];
  const n = Math.max(0, ...taken) + 1;
  const target = join(runs, String(n));
  mkdirSync(target, { recursive: true });
  for (const f of present) {
    if (f === "progress.json" && keepProgress) cpSync(join(dir, f), join(target, f));
    else renameSync(join(dir, f), join(target, f));
  }
  fsyncDir(target);
  fsyncDir(dir);
  return n;
}

/** Remove the run files, earlier runs and compile output of O/<plan>; the folder too when nothing else is left. */
export function removeRunFiles(dir: string, extra: readonly string[] = []): void {
  for (const f of [...RUN_FILES, ...COMPILE_OUTPUTS, EARLIER_RUNS, ...extra]) rmSync(join(dir, f), { recursive: true, force: true });
  if (existsSync(dir) && readdirSync(dir).length === 0) rmSync(dir, { recursive: true, force: true });
}

/** O/<plan> holds a person's markdown plan or Purple feature folder (compiled, not given as plan.yaml). */
export const holdsSources = (dir: string): boolean => ["orchestration-plan.md", "agent-written-specifications"].some((f) => existsSync(join(dir, f)));
