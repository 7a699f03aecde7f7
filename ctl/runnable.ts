// What stops a plan running on this machine, as purplectl sees it (validate, submit, validate
// --compile): inbox/can-run.ts with this process's PATH and key, and O/purple.yaml's claudePath.
import { statSync } from "node:fs";
import { dirname } from "node:path";
import type { Problem } from "../protocol/errors.ts";
import type { Plan } from "../protocol/plan.ts";
import { checkRunnable, thisMachine } from "../inbox/can-run.ts";
import { loadConfig } from "../inbox/config.ts";
import type { Ctx } from "./context.ts";
import { orchestrationOf } from "./find-root.ts";

/**
 * What stops the plan running on this machine. `withKey`: count a missing API key (validate, and
 * submit into the inbox); a daemon that answers checks its own key instead.
 */
export function runnableHere(ctx: Ctx, plan: Plan, path: string, withKey: boolean): { errors: Problem[]; warnings: Problem[] } {
  const root = ctx.socket.root;
  let config: { claudePath?: string } = {};
  try {
    if (root) config = loadConfig(orchestrationOf(root));
  } catch {
    // a broken purple.yaml is purpled's to report
  }
  const machine = { ...thisMachine(root, process.env, config), ...(withKey ? {} : { hasApiKey: null }) };
  return checkRunnable(plan, statSync(path).isDirectory() ? path : dirname(path), machine);
}
