// Filesystem access for the anthropic tools that stays where it was checked: whether a real path
// lies inside a folder (by path.relative, never by string prefix, so `src` never contains
// `src-evil`), where an open descriptor really leads (so a symlink swapped in after a check is
// caught), and reading the head of a file through such a descriptor.
import { closeSync, constants, fstatSync, openSync, readlinkSync, readSync } from "node:fs";
import { isAbsolute, relative, sep } from "node:path";

/** `abs` relative to `base` with forward slashes ("" for `base` itself), or null when it lies outside. */
export function relativeInside(base: string, abs: string): string | null {
  const rel = relative(base, abs);
  if (rel === ".." || rel.startsWith(`..${sep}`) || isAbsolute(rel)) return null;
  return rel.split(sep).join("/");
}

/** The real path of an open descriptor where the OS tells it (Linux /proc), else null. */
export function fdPath(fd: number): string | null {
  try {
    return readlinkSync(`/proc/self/fd/${fd}`);
  } catch {
    return null;
  }
}

export type Head =
  | { kind: "file"; bytes: Buffer; size: number }
  | { kind: "directory" | "other" }
  | { kind: "moved"; to: string }
  | { kind: "error"; message: string };

/** The first `max` bytes of the file at the real path `abs`, if it is still a regular file there. */
export function readHead(abs: string, max: number): Head {
  let fd: number;
  try {
    fd = openSync(abs, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    return { kind: "error", message: (err as Error).message };
  }
  try {
    const actual = fdPath(fd);
    if (actual !== null && actual !== abs) return { kind: "moved", to: actual };
    const st = fstatSync(fd);
    if (st.isDirectory()) return { kind: "directory" };
    if (!st.isFile()) return { kind: "other" };
    const buf = Buffer.alloc(Math.min(st.size, max));
    let got = 0;
    while (got < buf.length) {
      const n = readSync(fd, buf, got, buf.length - got, got);
      if (n === 0) break;
      got += n;
    }
    return { kind: "file", bytes: buf.subarray(0, got), size: st.size };
  } catch (err) {
    return { kind: "error", message: (err as Error).message };
  } finally {
    closeSync(fd);
  }
}
