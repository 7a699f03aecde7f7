// Reading one dropped item without trusting it: never follow a symlink, never open a FIFO or a
// device, never read past the size cap, refuse binary and invalid UTF-8. A folder is read via its plan file.
import { createHash } from "node:crypto";
import { constants, type Stats } from "node:fs";
import { lstat, open, type FileHandle } from "node:fs/promises";
import { basename, join } from "node:path";
import type { ErrorCode, Problem } from "../protocol/errors.ts";
import { formatOfName, type PlanFormat } from "./parse.ts";

/** The default size cap of a plan file. */
export const DEFAULT_MAX_PLAN_BYTES = 1024 * 1024;

/** The plan files a dropped folder may hold, in order of preference. */
export const FOLDER_PLAN_FILES = ["plan.yaml", "plan.yml", "plan.json"] as const;

export interface PlanBytes {
  text: string;
  /** sha256 hex of the file's bytes */
  hash: string;
  format: PlanFormat;
  /** the file the text was read from */
  file: string;
}

export type ReadFailure = { ok: false; code: ErrorCode; problems: Problem[] };
export type ReadResult = ({ ok: true } & PlanBytes) | ReadFailure;
export type ItemResult = ({ ok: true; kind: "file" | "folder" } & PlanBytes) | ReadFailure;

/** Read one plan file safely; every refusal is a problem with a stable code, never a throw. */
export async function readPlanFile(path: string, opts: { maxBytes?: number } = {}): Promise<ReadResult> {
  const cap = opts.maxBytes ?? DEFAULT_MAX_PLAN_BYTES;
  const name = basename(path);
  const badName = nameProblem(name);
  if (badName) return unreadable(badName);
  const format = formatOfName(name);
  if (!format) return unreadable(`"${name}" is not a plan file; plans are .yaml, .yml or .json`);
  const st = await lstat(path).catch((err: NodeJS.ErrnoException) => err);
  if (st instanceof Error) return unreadable(`"${name}" could not be read: ${st.code ?? st.message}`);
  const kind = specialKind(st);
  if (kind) return unreadable(`"${name}" is a ${kind}, not a regular file; it was not opened`);
  if (st.size > cap) return tooLarge(name, st.size, cap);
  let bytes: Uint8Array;
  try {
    // O_NOFOLLOW and O_NONBLOCK: a symlink or FIFO swapped in after the lstat still cannot trap us.
    const fh = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    try {
      const fst = await fh.stat();
      if (!fst.isFile()) return unreadable(`"${name}" is not a regular file; it was not read`);
      if (fst.size > cap) return tooLarge(name, fst.size, cap);
      bytes = await readUpTo(fh, cap + 1);
      if (bytes.length > cap) return tooLarge(name, bytes.length, cap);
    } finally {
      await fh.close();
    }
  } catch (err) {
    return unreadable(`"${name}" could not be read: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  if (bytes.includes(0)) return unreadable(`"${name}" holds NUL bytes; it looks binary, not like a plan`);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return unreadable(`"${name}" is not valid UTF-8`);
  }
  return { ok: true, text, hash: sha256(bytes), format, file: path };
}

/** Read an inbox item: a plan file, or a folder holding plan.yaml (plan.yml, plan.json). */
export async function readInboxItem(path: string, opts: { maxBytes?: number } = {}): Promise<ItemResult> {
  const name = basename(path);
  const badName = nameProblem(name);
  if (badName) return unreadable(badName);
  const st = await lstat(path).catch(() => null);
  if (!st?.isDirectory()) {
    const read = await readPlanFile(path, opts);
    return read.ok ? { ...read, kind: "file" } : read;
  }
  for (const candidate of FOLDER_PLAN_FILES) {
    const file = join(path, candidate);
    if (!(await lstat(file).catch(() => null))) continue;
    const read = await readPlanFile(file, opts);
    return read.ok ? { ...read, kind: "folder" } : { ...read, problems: read.problems.map((p) => ({ ...p, message: `in the folder "${name}": ${p.message}` })) };
  }
  const markdown = await lstat(join(path, "orchestration-plan.md")).catch(() => null);
  return unreadable(
    `the folder "${name}" holds no plan.yaml, plan.yml or plan.json; this version accepts only canonical plans` +
      (markdown ? " (markdown plan folders such as this one are not supported yet)" : ""),
  );
}

// At most `limit` bytes of an open file, however much it grew since it was measured.
async function readUpTo(fh: FileHandle, limit: number): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let total = 0;
  while (total < limit) {
    const chunk = Buffer.alloc(Math.min(READ_CHUNK, limit - total));
    const { bytesRead } = await fh.read(chunk, 0, chunk.length, total);
    if (bytesRead === 0) break;
    chunks.push(chunk.subarray(0, bytesRead));
    total += bytesRead;
  }
  return Buffer.concat(chunks, total);
}

const READ_CHUNK = 256 * 1024;

/** sha256 hex of some bytes or text. */
export function sha256(data: Uint8Array | string): string {
  return createHash("sha256").update(data).digest("hex");
}

// Control characters in a name (a newline above all) break logs, listings and error files.
function nameProblem(name: string): string | null {
  return /[\x00-\x1f\x7f]/.test(name) ? `the name ${JSON.stringify(name)} contains a newline or control character; rename it` : null;
}

function specialKind(st: Stats): string | null {
  if (st.isSymbolicLink()) return "symbolic link";
  if (st.isFIFO()) return "FIFO";
  if (st.isSocket()) return "socket";
  if (st.isBlockDevice() || st.isCharacterDevice()) return "device";
  if (st.isDirectory()) return "directory";
  return st.isFile() ? null : "special file";
}

function unreadable(message: string): ReadFailure {
  return { ok: false, code: "PLAN_UNREADABLE", problems: [{ path: "", message }] };
}

function tooLarge(name: string, size: number, cap: number): ReadFailure {
  return { ok: false, code: "PLAN_TOO_LARGE", problems: [{ path: "", message: `"${name}" is ${size} bytes, over the cap of ${cap} bytes` }] };
}
