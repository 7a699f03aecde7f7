// Which changes of a changeset may reach the project (SPEC §10): inside the agent's territory,
// never under any .git/ (the root's, a nested one, or a new one) or .context-kit/orchestration/,
// no special files, no setuid/setgid or world-writable modes, no symlink that leads out of the root
// or into those places. A gate's view and a refused changeset never reach the project at all.
import { posix } from "node:path";
import type { Change, Refusal } from "../../protocol/changeset.ts";
import { territoryOf } from "../../protocol/territory.ts";

const ORCHESTRATION = ".context-kit/orchestration";

/** Why no agent may ever change `path`, or null. */
export function forbiddenPath(path: string): string | null {
  const segments = path.split("/");
  if (segments.includes(".git")) return "is inside a .git/ directory, which no agent may change";
  if (path === ORCHESTRATION || path.startsWith(`${ORCHESTRATION}/`)) return "is inside .context-kit/orchestration/, which only purpled writes";
  return null;
}

/** The refused changes (empty: the whole changeset may be applied). */
export function checkChanges(changes: readonly Change[], territory: readonly string[]): Refusal[] {
  const t = territoryOf(territory);
  const refused: Refusal[] = [];
  const refuse = (c: Change, reason: string) => refused.push({ path: c.path, kind: c.kind, reason });
  // A new directory outside the territory is taken only as the way to something inside it.
  const needed = new Set<string>();
  for (const c of changes) {
    if (c.kind === "dir" || !t.covers(c.path)) continue;
    for (let d = posix.dirname(c.path); d !== "."; d = posix.dirname(d)) needed.add(d);
  }
  for (const c of changes) {
    const isWay = c.kind === "dir" && !c.modeOnly && !c.removes && needed.has(c.path);
    const why = reasonFor(c, (p) => t.covers(p) || (isWay && p === c.path));
    if (why) refuse(c, why);
  }
  return refused;
}

function reasonFor(c: Change, covers: (p: string) => boolean): string | null {
  for (const p of [c.path, ...(c.removes ?? [])]) {
    const forbidden = forbiddenPath(p);
    if (forbidden) return p === c.path ? forbidden : `would remove ${p}, which ${forbidden}`;
    if (!covers(p)) return p === c.path ? "is outside the agent's territory" : `would remove ${p}, outside the agent's territory`;
  }
  switch (c.kind) {
    case "special":
      return "is a special file (FIFO, socket or device); only files, directories and symlinks are taken";
    case "file":
    case "dir": {
      const mode = c.mode ?? 0;
      if (mode & 0o6000) return `has mode ${octal(mode)}: setuid and setgid bits are never taken`;
      if (mode & 0o002) return `has mode ${octal(mode)}: world-writable ${c.kind === "dir" ? "directories" : "files"} are never taken`;
      if (c.kind === "file" && mode & 0o1000) return `has mode ${octal(mode)}: the sticky bit is never taken on a file`;
      return null;
    }
    case "symlink":
      return symlinkProblem(c.path, c.target ?? "");
    case "delete":
      return null;
  }
}

/** A symlink may only point, relatively, at a path inside the root that no rule forbids. */
function symlinkProblem(path: string, target: string): string | null {
  if (target === "" || target.includes("\0")) return "is a symlink with an empty or invalid target";
  if (posix.isAbsolute(target)) return `is a symlink to the absolute path ${target}; only relative links inside the project are taken`;
  const resolved = posix.normalize(posix.join(posix.dirname(path), target));
  if (resolved === ".." || resolved.startsWith("../")) return `is a symlink to ${target}, which leads out of the project`;
  const forbidden = forbiddenPath(resolved);
  if (forbidden) return `is a symlink to ${target}, which ${forbidden}`;
  return null;
}

const octal = (mode: number) => `0${(mode & 0o7777).toString(8)}`;
