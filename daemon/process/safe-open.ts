// Writing into O/<plan>/agents/<agent>/ without ever following a link (RELIABILITY 29): a plan
// folder may have come from anywhere, and `agents/x/output.log -> ~/.bashrc` or `agents -> /elsewhere`
// must not turn purpled's own writes into writes somewhere else.
import { closeSync, constants, lstatSync, mkdirSync, openSync, writeSync } from "node:fs";
import { join, relative, sep } from "node:path";

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
