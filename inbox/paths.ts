// Where plans live under a project root (SPEC §3), and which names in O/ the inbox never touches.
import { lstatSync } from "node:fs";
import { join, resolve } from "node:path";

/** The folders of one project root's orchestration directory, all absolute. */
export interface OrchestrationPaths {
  root: string;
  /** O = <root>/.context-kit/orchestration */
  orch: string;
  inbox: string;
  rejected: string;
  /** the daemon's own state; never a plan */
  purple: string;
}

/** Names a plan may not take because the folder O/<name> already means something else. */
export const RESERVED_PLAN_NAMES: ReadonlySet<string> = new Set(["inbox"]);

/** The orchestration paths of a project root. */
export function orchestrationPaths(root: string): OrchestrationPaths {
  const abs = resolve(root);
  const orch = join(abs, ".context-kit", "orchestration");
  const inbox = join(orch, "inbox");
  return { root: abs, orch, inbox, rejected: join(inbox, "rejected"), purple: join(orch, ".purple") };
}

// Editor droppings and partial downloads: dotfiles (vim swap, atomic-write temps), `x.tmp`,
// `x.swp`, emacs `x~` and `#x#`, vim's write test `4913`, browser `.crdownload` / `.part`.
const IGNORED_NAME = /^\.|\.tmp$|\.sw[opx]$|~$|^#.*#$|^4913$|\.crdownload$|\.part$/i;

/** True for a file name that is never a plan: temp, swap, backup and hidden files. */
export function isIgnoredName(name: string): boolean {
  return IGNORED_NAME.test(name);
}

/** True when something (even a dangling symlink) exists at path. */
export function lexists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}
