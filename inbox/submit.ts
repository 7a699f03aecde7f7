// Submitting a plan from outside the inbox (purplectl submit, the plan.submit method): check it
// exactly as the watcher would, then copy it into O/inbox under a dot-name and rename it into place.
import { cpSync, existsSync, mkdirSync, renameSync, rmSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { PurpleError, type Plan, type Problem } from "../protocol/index.ts";
import { checkTerritoriesOnDisk } from "./check-territory-fs.ts";
import { compilers, mayBeCompilable } from "./compilers.ts";
import { parsePlanText } from "./parse.ts";
import { orchestrationPaths } from "./paths.ts";
import { readInboxItem } from "./read-item.ts";
import { folderProblems } from "./copy-folder.ts";
import { lstat } from "node:fs/promises";

export type Checked = { ok: true; plan: Plan } | { ok: false; problems: Problem[] };

/** Read and check a plan file or folder as the inbox would (territories on disk too when the root is known). */
export async function checkPlanAt(path: string, root: string | null): Promise<Checked> {
  // A folder with a link or special file inside (or over the caps) is refused before anything is copied.
  if ((await lstat(path).catch(() => null))?.isDirectory()) {
    const problems = await folderProblems(path);
    if (problems.length > 0) return { ok: false, problems };
  }
  const read = await readInboxItem(path);
  if (!read.ok) return read;
  const parsed = parsePlanText(read.text, read.format);
  if (!parsed.ok) return parsed;
  const onDisk = root ? await checkTerritoriesOnDisk(parsed.plan, root) : [];
  return onDisk.length ? { ok: false, problems: onDisk } : parsed;
}

/** Copy a checked plan into O/inbox atomically (the watcher never sees half of it); returns its inbox path. */
export function submitToInbox(path: string, plan: Plan, root: string): string {
  const ext = statSync(path).isDirectory() ? "" : (basename(path).match(/\.(ya?ml|json)$/i)?.[0] ?? ".yaml");
  return place(path, root, `${plan.name}${ext}`);
}

/** A markdown plan folder or a Purple feature folder (no plan.yaml: it is compiled, not parsed), or one markdown plan file. */
export function isCompilableFolder(path: string): boolean {
  if (!mayBeCompilable(path)) return false;
  if (compilers().isMarkdownFile(path)) return true;
  return existsSync(path) && statSync(path).isDirectory() && !existsSync(join(path, "plan.yaml")) && compilers().compilableKind(path) !== null;
}

/** Copy a markdown or Purple folder into O/inbox as it is; returns its inbox path. */
export function placeFolder(path: string, root: string): string {
  return place(path, root, basename(path));
}

// Copy under a dot-name first, then rename into place, so the watcher never sees half of it.
function place(path: string, root: string, name: string): string {
  const inbox = orchestrationPaths(root).inbox;
  mkdirSync(inbox, { recursive: true });
  const target = join(inbox, name);
  if (existsSync(target)) throw new PurpleError("PLAN_EXISTS", `${target} is already waiting in the inbox`);
  const staging = join(inbox, `.${name}.${process.pid}.partial`);
  try {
    cpSync(path, staging, { recursive: true });
    renameSync(staging, target);
  } catch (err) {
    rmSync(staging, { recursive: true, force: true });
    throw err;
  }
  return target;
}
