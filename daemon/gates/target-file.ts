// The files gate checks look at (exists, contains, exports) are named by the plan and written by
// agents, so nothing about them is trusted: a FIFO would block a read forever, a device or a 3 GiB
// sparse file would fill memory, a symlink could lead out of the root. Every access here is async
// (off the event loop), opens with O_NONBLOCK | O_NOFOLLOW, takes regular files only, and reads at
// most MAX_CHECK_BYTES.
import { constants, type Stats } from "node:fs";
import { open, realpath, stat } from "node:fs/promises";
import { isAbsolute, join, relative } from "node:path";
import { territoryEntryProblem } from "../../protocol/territory.ts";

/** Most bytes a contains or exports check reads of one file (the start of it). */
export const MAX_CHECK_BYTES = 4 * 1024 * 1024;

export type Located = { kind: "missing" } | { kind: "refused"; reason: string } | { kind: "found"; real: string; stats: Stats };
export type ReadResult = { kind: "missing" } | { kind: "refused"; reason: string } | { kind: "text"; text: string; truncated: boolean; size: number };

/** Where a root-relative path really is (realpath, inside the root), without opening it. */
export async function locate(root: string, path: string): Promise<Located> {
  const problem = territoryEntryProblem(path);
  if (problem && !problem.includes("only purpled writes")) return { kind: "refused", reason: `${path} ${problem}` };
  let real: string;
  try {
    real = await realpath(join(root, path));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return { kind: "missing" };
    if (code === "ELOOP") return { kind: "refused", reason: `${path} is a symbolic link loop` };
    return { kind: "refused", reason: `could not resolve ${path}: ${(err as Error).message}` };
  }
  const rel = relative(await realpath(root), real);
  if (rel.startsWith("..") || isAbsolute(rel)) return { kind: "refused", reason: `${path} resolves outside the project root` };
  return { kind: "found", real, stats: await stat(real) };
}

/** What a file that is not regular is, for messages: "a FIFO", "a directory", ... */
export function kindOf(st: Stats): string {
  if (st.isDirectory()) return "a directory";
  if (st.isFIFO()) return "a FIFO (named pipe)";
  if (st.isSocket()) return "a socket";
  if (st.isCharacterDevice() || st.isBlockDevice()) return "a device";
  if (st.isSymbolicLink()) return "a symbolic link";
  return st.isFile() ? "a regular file" : "not a regular file";
}

/** The text of a regular file inside the root: at most MAX_CHECK_BYTES of it, read off the event loop. */
export async function readTarget(root: string, path: string, maxBytes = MAX_CHECK_BYTES): Promise<ReadResult> {
  const where = await locate(root, path);
  if (where.kind !== "found") return where;
  if (!where.stats.isFile()) return { kind: "refused", reason: `${path} is ${kindOf(where.stats)}, not a regular file` };
  let fh;
  try {
    // O_NONBLOCK: a FIFO swapped in after the stat still cannot block the open; O_NOFOLLOW: nor a link.
    fh = await open(where.real, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
  } catch (err) {
    return { kind: "refused", reason: `could not open ${path}: ${(err as Error).message}` };
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) return { kind: "refused", reason: `${path} is ${kindOf(st)}, not a regular file` };
    const want = Math.min(st.size, maxBytes);
    const buf = Buffer.alloc(want);
    let got = 0;
    while (got < want) {
      const { bytesRead } = await fh.read(buf, got, want - got, got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    return { kind: "text", text: new TextDecoder().decode(buf.subarray(0, got)), truncated: st.size > maxBytes, size: st.size };
  } finally {
    await fh.close();
  }
}
