// Writing into O/<plan>/agents/<agent>/ without ever following a link (RELIABILITY 29): a plan
// folder may have come from anywhere, and `agents/x/output.log -> ~/.bashrc` or `agents -> /elsewhere`
// must not turn purpled's own writes into writes somewhere else.
import { closeSync, constants, lstatSync, mkdirSync, openSync, readdirSync, unlinkSync, writeSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { EARLIER_RUNS, RUN_OUTPUTS } from "../../protocol/plan-folder.ts";

/** mkdir -p `dir` below `base`, refusing (throwing) where a component is a symlink or not a directory. */
export function ensureRealDir(base: string, dir: string): void {
  const rel = relative(base, dir);
  if (rel.startsWith("..")) throw new Error(`${dir} is not inside ${base}`);
  let at = base;
  for (const part of rel === "" ? [] : rel.split(sep)) {
    at = join(at, part);
    let st;
    try {
      st = lstatSync(at);
    } catch {
      mkdirSync(at, { mode: 0o755 });
      continue;
    }
    if (!st.isDirectory()) throw new Error(`${at} is ${st.isSymbolicLink() ? "a symbolic link" : "not a directory"}; purpled never writes through it`);
  }
}

/** An append-only descriptor of `path`; throws ELOOP when `path` is a symlink. */
export function openAppend(path: string): number {
  return openSync(path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW, 0o644);
}

/** Append `text` to `path`, never through a link. */
export function appendNoFollow(path: string, text: string): void {
  const fd = openAppend(path);
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
}

/** The names purpled writes in a plan folder O/<plan>/ (status files, logs, agents' folders). */
const PLAN_OUTPUTS = [...RUN_OUTPUTS, EARLIER_RUNS, "progress.json"];

/**
 * Before purpled writes into a plan folder that came from anywhere (placed straight into O/):
 * remove every symlink, FIFO, socket or device where its outputs go (`status -> /elsewhere`,
 * `agents/x/output.log -> ~/.bashrc`). Removing a link never touches what it points to. Returns
 * what was removed, root-relative to the plan folder.
 */
export function removePlantedLinks(planDir: string): string[] {
  const removed: string[] = [];
  const visit = (rel: string, depth: number) => {
    const abs = join(planDir, rel);
    let st;
    try {
      st = lstatSync(abs);
    } catch {
      return;
    }
    if (st.isDirectory()) {
      if (depth > 8) return;
      for (const name of readdirSync(abs)) visit(join(rel, name), depth + 1);
    } else if (!st.isFile()) {
      unlinkSync(abs);
      removed.push(rel);
    }
  };
  for (const name of PLAN_OUTPUTS) visit(name, 0);
  return removed;
}
