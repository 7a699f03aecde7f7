// Reading a Purple feature folder without trusting it: progress.json and the implementation specs
// only, each a regular file (never a symlink, FIFO or device) of at most 1 MB of valid UTF-8.
import { closeSync, constants, fstatSync, lstatSync, openSync, readdirSync, readSync } from "node:fs";
import { join } from "node:path";
import { PROGRESS_FILE } from "./progress-read.ts";

export const SPECS_DIR = "agent-written-specifications";
/** Files over this size are left out. */
export const MAX_FILE_BYTES = 1024 * 1024;
/** At most this many spec files are read. */
const MAX_SPECS = 64;

/** IO: read progress.json and agent-written-specifications/implementation-spec-*.md (≤ 1 MB each) of a folder. */
export function readPurpleFolder(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  const progress = readSmallFile(join(dir, PROGRESS_FILE));
  if (progress !== undefined) files[PROGRESS_FILE] = progress;
  let names: string[] = [];
  try {
    if (lstatSync(join(dir, SPECS_DIR)).isDirectory()) names = readdirSync(join(dir, SPECS_DIR));
  } catch {
    names = [];
  }
  for (const name of names.filter((n) => /^implementation-spec-[^/]*\.md$/.test(n)).sort().slice(0, MAX_SPECS)) {
    const text = readSmallFile(join(dir, SPECS_DIR, name));
    if (text !== undefined) files[`${SPECS_DIR}/${name}`] = text;
  }
  return files;
}

// The text of a regular file of at most MAX_FILE_BYTES, or undefined (absent, special, too big, not UTF-8).
function readSmallFile(path: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    return undefined;
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile() || st.size > MAX_FILE_BYTES) return undefined;
    const buf = Buffer.alloc(MAX_FILE_BYTES + 1);
    let length = 0;
    for (let n = 1; n > 0 && length <= MAX_FILE_BYTES; length += n) n = readSync(fd, buf, length, buf.length - length, null);
    if (length > MAX_FILE_BYTES) return undefined;
    return new TextDecoder("utf-8", { fatal: true }).decode(buf.subarray(0, length)).replace(/^\uFEFF/, "");
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}
