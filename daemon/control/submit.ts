// plan.submit: check a plan exactly as the inbox would, plus whether this daemon can run it, and
// say what became of it — accepted (new), replaced (it waited for approval), rerun (it had ended;
// its earlier run is kept under runs/<n>/), unchanged (the same content is queued or running) —
// or refuse it with every problem. The plan is placed at O/<name>/plan.yaml and handed to the
// engine at once (the watcher, seeing the same content there, leaves it be).
import { cpSync, existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { lstat } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import { PurpleError, TERMINAL_PLAN_STATES, type Problem } from "../../protocol/index.ts";
import type { SubmitOutcome, SubmitResult } from "../../protocol/rpc.ts";
import { fsyncDir, writeFileAtomic } from "../../lib/atomic-write.ts";
import { planYamlText } from "../../inbox/accept.ts";
import { checkRunnable, type Machine } from "../../inbox/can-run.ts";
import { checkTerritoriesOnDisk } from "../../inbox/check-territory-fs.ts";
import { folderProblems } from "../../inbox/copy-folder.ts";
import { parsePlanText } from "../../inbox/parse.ts";
import { orchestrationPaths, RESERVED_PLAN_NAMES } from "../../inbox/paths.ts";
import { readInboxItem, sha256, FOLDER_PLAN_FILES } from "../../inbox/read-item.ts";
import type { Engine } from "../engine/engine.ts";
import { dropEntry, rerunPlan } from "./plan-lifecycle.ts";
import { archiveRun, holdsSources } from "./run-files.ts";

/** Check and place the plan at `path` (absolute), or throw PLAN_INVALID / RUNNER_UNAVAILABLE / PLAN_EXISTS with every problem. */
export async function submitPlan(engine: Engine, root: string, path: string, machine: Machine): Promise<SubmitResult> {
  // A folder with a link or special file inside (or over the caps) is refused before anything is copied.
  if ((await lstat(path).catch(() => null))?.isDirectory()) {
    const problems = await folderProblems(path);
    if (problems.length > 0) throw rejected(path, problems);
  }
  const read = await readInboxItem(path);
  if (!read.ok) throw rejected(path, read.problems, read.code === "PLAN_TOO_LARGE" ? "PLAN_TOO_LARGE" : "PLAN_INVALID");
  const parsed = parsePlanText(read.text, read.format);
  if (!parsed.ok) throw rejected(path, parsed.problems);
  const plan = parsed.plan;
  const onDisk = await checkTerritoriesOnDisk(plan, root);
  if (onDisk.length) throw rejected(path, onDisk);
  // What this purpled lacks for the plan: a runner kind it does not serve, Claude Code, the key.
  const runnable = checkRunnable(plan, read.kind === "folder" ? path : null, machine);
  if (runnable.errors.length) throw rejected(path, runnable.errors, "RUNNER_UNAVAILABLE");
  if (RESERVED_PLAN_NAMES.has(plan.name)) throw rejected(path, [{ path: "name", message: `"${plan.name}" is reserved for purple's own folder; choose another name` }]);

  const text = planYamlText(read);
  const hash = sha256(text);
  const dir = join(orchestrationPaths(root).orch, plan.name);
  const source = read.file;
  const existing = engine.plans.get(plan.name);
  const result = (outcome: SubmitOutcome): SubmitResult => ({ plan: plan.name, outcome, warnings: runnable.warnings });

  if (!existing) {
    if (holdsSources(dir))
      throw rejected(path, [{ path: "name", message: `O/${plan.name}/ holds a markdown or Purple plan folder; choose another name` }], "PLAN_EXISTS");
    archiveRun(dir); // leftovers of a plan this daemon no longer knows
    place(dir, text, read.kind === "folder" ? path : null);
    engine.submit({ plan, dir, hash, source });
    return result("accepted");
  }
  const state = existing.run.state;
  if (existing.meta.hash === hash && !TERMINAL_PLAN_STATES.includes(state)) return result("unchanged");
  if (TERMINAL_PLAN_STATES.includes(state)) {
    if (existing.meta.hash !== hash) place(dir, text, read.kind === "folder" ? path : null);
    rerunPlan(engine, plan.name, { plan, hash, source });
    return result("rerun");
  }
  if (state === "awaiting-approval" || state === "received") {
    place(dir, text, read.kind === "folder" ? path : null);
    dropEntry(engine, existing);
    engine.submit({ plan, dir, hash, source });
    return result("replaced");
  }
  throw rejected(path, [{ path: "name", message: `plan ${plan.name} is ${state} with other content; wait for it to end (or \`purplectl cancel ${plan.name}\`), then submit again` }], "PLAN_EXISTS");
}

/** A rejection carrying every problem (the control server sends them as error.data.problems). */
export function rejected(path: string, problems: Problem[], code: "PLAN_INVALID" | "PLAN_TOO_LARGE" | "RUNNER_UNAVAILABLE" | "PLAN_EXISTS" = "PLAN_INVALID"): PurpleError {
  const first = problems.slice(0, 5).map((p) => `${p.path || "(plan)"}: ${p.message}`).join("; ");
  return new PurpleError(code, `${basename(path)} was not submitted: ${problems.length} problem(s): ${first}`, { problems });
}

// O/<name>/plan.yaml from the checked text; a submitted folder's other files (specs) come along.
function place(dir: string, text: string, folder: string | null): void {
  if (folder && !existsSync(dir)) {
    const staging = resolve(dir, "..", `.${basename(dir)}.${process.pid}.partial`);
    rmSync(staging, { recursive: true, force: true });
    cpSync(folder, staging, { recursive: true });
    for (const f of FOLDER_PLAN_FILES) if (f !== "plan.yaml") rmSync(join(staging, f), { force: true });
    writeFileAtomic(join(staging, "plan.yaml"), text);
    renameSync(staging, dir);
  } else {
    mkdirSync(dir, { recursive: true });
    if (folder) cpSync(folder, dir, { recursive: true, force: true, filter: (src) => !FOLDER_PLAN_FILES.includes(basename(src) as never) });
    writeFileAtomic(join(dir, "plan.yaml"), text);
  }
  fsyncDir(resolve(dir, ".."));
}
