// The commands that need no daemon: validate a plan, and submit it into the inbox.
import { cpSync, existsSync, mkdirSync, renameSync, rmSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import YAML from "yaml";
import type { Plan, Problem } from "../protocol/index.ts";
import { checkTerritoriesOnDisk } from "../inbox/check-territory-fs.ts";
import { parsePlanText } from "../inbox/parse.ts";
import { readInboxItem } from "../inbox/read-item.ts";
import { orchestrationOf } from "./find-root.ts";

export type Checked = { ok: true; plan: Plan } | { ok: false; problems: Problem[] };

/** Read and check a plan file or folder exactly as the daemon's inbox would. */
export async function checkPlanAt(path: string, root: string | null): Promise<Checked> {
  const read = await readInboxItem(path);
  if (!read.ok) return read;
  const parsed = parsePlanText(read.text, read.format);
  if (!parsed.ok) return parsed;
  const onDisk = root ? await checkTerritoriesOnDisk(parsed.plan, root) : [];
  return onDisk.length ? { ok: false, problems: onDisk } : parsed;
}

export const formatProblems = (problems: Problem[]): string => problems.map((p) => `  ${p.path || "(plan)"}: ${p.message}`).join("\n");

/** The canonical YAML of a checked plan. */
export const canonicalYaml = (plan: Plan): string => YAML.stringify(plan);

/**
 * Copy a checked plan into O/inbox under a dot-name first, then rename it into place, so the
 * watcher never sees half of it. Returns the inbox path.
 */
export function submitToInbox(path: string, plan: Plan, root: string): string {
  const inbox = join(orchestrationOf(root), "inbox");
  mkdirSync(inbox, { recursive: true });
  const isDir = statSync(path).isDirectory();
  const ext = isDir ? "" : basename(path).match(/\.(ya?ml|json)$/i)?.[0] ?? ".yaml";
  const target = join(inbox, `${plan.name}${ext}`);
  if (existsSync(target)) throw new Error(`${target} is already waiting in the inbox`);
  const staging = join(inbox, `.${plan.name}${ext}.${process.pid}.partial`);
  try {
    cpSync(path, staging, { recursive: true });
    renameSync(staging, target);
  } catch (err) {
    rmSync(staging, { recursive: true, force: true });
    throw err;
  }
  return target;
}
