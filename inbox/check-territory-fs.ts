// The one territory check that needs the disk: a symlink along a territory's literal path that
// leads outside the project root would let an agent write outside it through a path that looks inside.
import { lstat, readlink, realpath } from "node:fs/promises";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import type { Problem } from "../protocol/errors.ts";
import type { Plan } from "../protocol/plan.ts";
import { territoryEntryProblem } from "../protocol/territory.ts";
import { literalPrefixes, territoryLimitProblem } from "./territory-entry.ts";

/** Problems of territory entries whose existing literal path crosses a symlink pointing out of root. */
export async function checkTerritoriesOnDisk(plan: Plan, root: string): Promise<Problem[]> {
  const realRoot = await realpath(root).catch(() => resolve(root));
  // root-relative path → where its symlink leads outside the root, or null when it is fine / absent
  const verdicts = new Map<string, Promise<string | null>>();
  const problems: Problem[] = [];
  for (let i = 0; i < plan.agents.length; i++) {
    const territory = plan.agents[i]!.territory;
    for (let j = 0; j < territory.length; j++) {
      const entry = territory[j]!;
      // Lexically bad entries are checkPlan's to report; never touch the disk with them.
      if (territoryEntryProblem(entry) !== null || territoryLimitProblem(entry) !== null) continue;
      for (const segments of literalPrefixes(entry)) {
        const escape = await firstEscape(segments, realRoot, verdicts);
        if (escape) {
          problems.push({ path: `agents.${i}.territory.${j}`, message: `territory ${JSON.stringify(entry)}: ${escape}` });
          break;
        }
      }
    }
  }
  return problems;
}

// Walk the existing components of a path below root; stop at the first that does not exist.
async function firstEscape(segments: string[], realRoot: string, verdicts: Map<string, Promise<string | null>>): Promise<string | null> {
  for (let k = 1; k <= segments.length; k++) {
    const rel = segments.slice(0, k).join("/");
    let verdict = verdicts.get(rel);
    if (!verdict) verdicts.set(rel, (verdict = componentVerdict(rel, realRoot)));
    const v = await verdict;
    if (v === "absent") return null;
    if (v !== null) return v;
  }
  return null;
}

// "absent", null (exists, fine), or the problem of one component.
async function componentVerdict(rel: string, realRoot: string): Promise<string | null> {
  const abs = join(realRoot, rel);
  const st = await lstat(abs).catch(() => null);
  if (!st) return "absent";
  if (!st.isSymbolicLink()) return null;
  let target: string;
  try {
    target = await realpath(abs);
  } catch {
    // A dangling link: judge where it says it points.
    target = resolve(dirname(abs), await readlink(abs).catch(() => "."));
  }
  return isInside(realRoot, target) ? null : `the symlink "${rel}" points outside the project root (to ${target})`;
}

/** True when `path` is `root` or below it (decided by path.relative, never by string prefix). */
export function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === "" || (!isAbsolute(rel) && rel !== ".." && !rel.startsWith(".." + sep));
}
