// What happens to an inbox item once it has been judged: accepted into O/<name>/plan.yaml (a
// folder as a fresh copy of its regular files only: copy-folder.ts),
// dropped as a duplicate of a plan already there, or moved to O/inbox/rejected/ with its problems.
import { mkdirSync, renameSync, rmSync, unlinkSync } from "node:fs";
import { basename, join } from "node:path";
import { yamlModule } from "../lib/yaml.ts";
import { fsyncDir, writeFileAtomic } from "../lib/atomic-write.ts";
import type { ErrorCode, Problem } from "../protocol/errors.ts";
import type { Plan } from "../protocol/plan.ts";
import type { OrchestrationPaths } from "./paths.ts";
import { lexists, RESERVED_PLAN_NAMES } from "./paths.ts";
import { copyPlanFolder, folderProblems } from "./copy-folder.ts";
import { readPlanFile, sha256, type PlanBytes } from "./read-item.ts";

/** An inbox item that parsed and checked clean, ready to be placed. */
export interface JudgedItem {
  /** the item in the inbox: a file, or a folder holding the plan file */
  path: string;
  kind: "file" | "folder";
  read: PlanBytes;
  plan: Plan;
}

export type AcceptOutcome =
  | { kind: "accepted"; name: string; dir: string; hash: string }
  | { kind: "duplicate"; name: string; dir: string; hash: string }
  | { kind: "rejected"; code: ErrorCode; problems: Problem[]; movedTo: string | null };

// A plan.yaml already in O/ was accepted under the cap, but JSON turned YAML may have grown.
const EXISTING_PLAN_CAP = 16 * 1024 * 1024;

/** Place a clean item as O/<name>/plan.yaml, or recognise it as a duplicate, or reject a name clash. */
export async function acceptItem(paths: OrchestrationPaths, item: JudgedItem): Promise<AcceptOutcome> {
  const name = item.plan.name;
  const dir = join(paths.orch, name);
  const planFile = join(dir, "plan.yaml");
  const text = planYamlText(item.read);
  const hash = sha256(text);
  const refuse = (code: ErrorCode, message: string): AcceptOutcome => {
    const problems = [{ path: "name", message }];
    return { kind: "rejected", code, problems, movedTo: rejectItem(paths, item.path, problems) };
  };
  if (RESERVED_PLAN_NAMES.has(name)) return refuse("PLAN_INVALID", `"${name}" is reserved for purple's own folder; choose another name`);
  if (lexists(dir)) {
    const existing = await readPlanFile(planFile, { maxBytes: EXISTING_PLAN_CAP });
    if (existing.ok && existing.hash === hash) {
      removeItem(item.path);
      return { kind: "duplicate", name, dir, hash };
    }
    return refuse("PLAN_EXISTS", `a plan named "${name}" already exists; cancel it or choose another name`);
  }
  if (item.kind === "folder") {
    // Never the dropped folder itself: a fresh copy of its regular files, built under a dot name
    // (ignored by the watcher) and renamed into place, so it lands complete or not at all.
    const problems = await folderProblems(item.path);
    if (problems.length > 0) return { kind: "rejected", code: "PLAN_UNREADABLE", problems, movedTo: rejectItem(paths, item.path, problems) };
    const staging = join(paths.orch, `.intake-${process.pid.toString(36)}-${Math.random().toString(36).slice(2, 8)}`);
    try {
      await copyPlanFolder(item.path, staging);
    } catch (err) {
      const problems = [{ path: "", message: `the folder could not be taken in: ${(err as Error).message}` }];
      return { kind: "rejected", code: "PLAN_UNREADABLE", problems, movedTo: rejectItem(paths, item.path, problems) };
    }
    if (basename(item.read.file) !== "plan.yaml") rmSync(join(staging, basename(item.read.file)), { force: true });
    writeFileAtomic(join(staging, "plan.yaml"), text);
    renameSync(staging, dir);
    removeItem(item.path);
  } else {
    mkdirSync(dir);
    writeFileAtomic(planFile, text);
    unlinkSync(item.path);
  }
  fsyncDir(paths.orch);
  fsyncDir(paths.inbox);
  return { kind: "accepted", name, dir, hash };
}

/** The plan.yaml text of a read plan: YAML as written, JSON re-serialized as YAML. */
export function planYamlText(read: PlanBytes): string {
  return read.format === "yaml" ? read.text : yamlModule().stringify(JSON.parse(read.text));
}

/**
 * Move an item to O/inbox/rejected/NAME (NAME.1, NAME.2… when taken) with NAME.error.json beside it.
 * Returns where it went, or null when the item had already vanished.
 */
export function rejectItem(paths: OrchestrationPaths, itemPath: string, problems: Problem[]): string | null {
  mkdirSync(paths.rejected, { recursive: true });
  const base = basename(itemPath).replace(/[\x00-\x1f\x7f]/g, "_");
  let target = join(paths.rejected, base);
  for (let n = 1; lexists(target) || lexists(`${target}.error.json`); n++) target = join(paths.rejected, `${base}.${n}`);
  try {
    renameSync(itemPath, target);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw err;
  }
  writeFileAtomic(`${target}.error.json`, problemsJson(problems));
  fsyncDir(paths.inbox);
  return target;
}

/** Record why O/<name>/plan.yaml was not taken, in O/<name>/plan.error.json. */
export function writePlanError(dir: string, problems: Problem[]): void {
  writeFileAtomic(join(dir, "plan.error.json"), problemsJson(problems));
}

/** Remove a stale O/<name>/plan.error.json once the plan is good. */
export function clearPlanError(dir: string): void {
  rmSync(join(dir, "plan.error.json"), { force: true });
}

/** The error-file shape of SPEC §3: exactly `[{path, message}]`. */
export function problemsJson(problems: Problem[]): string {
  return JSON.stringify(problems.map((p) => ({ path: p.path, message: p.message })), null, 2) + "\n";
}

function removeItem(path: string): void {
  rmSync(path, { recursive: true, force: true });
}
