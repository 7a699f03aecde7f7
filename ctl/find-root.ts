// Where purplectl finds the project: --root, else the nearest directory upward holding .context-kit/orchestration.
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

export const orchestrationOf = (root: string) => join(root, ".context-kit", "orchestration");

/** The project root for this invocation, or null when none is found walking up from `cwd`. */
export function findRoot(explicit: string | undefined, cwd = process.cwd()): string | null {
  if (explicit) return resolve(explicit);
  let dir = resolve(cwd);
  for (;;) {
    if (existsSync(orchestrationOf(dir))) return dir;
    const up = dirname(dir);
    if (up === dir) return null;
    dir = up;
  }
}
