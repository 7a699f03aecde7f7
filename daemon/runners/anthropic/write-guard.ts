// The territory check at the write tools (SPEC §10, RELIABILITY 18): an anthropic agent writes only
// inside its territory, never into .git/ or .context-kit/orchestration/, never outside the root.
//
// A path is checked twice: as written (relative, no NUL, no `..` out of the root, covered by the
// territory) and as it really is on disk (the realpath of its deepest existing ancestor, so a
// symlinked directory or file cannot lead out). The file is then opened without following a final
// symlink, and the descriptor's real path is checked once more before a byte is written: a symlink
// swapped in between the check and the open is caught there. A file with more than one hard link
// is refused: writing it would change its other names too, which may lie outside the root or the
// territory. A refusal is a message, never a throw.
import { closeSync, constants, fstatSync, ftruncateSync, lstatSync, mkdirSync, openSync, readFileSync, realpathSync, unlinkSync, writeSync } from "node:fs";
import { dirname, join, posix } from "node:path";
import { MAX_PATH_BYTES, pathTooLong, territoryOf } from "../../../protocol/territory.ts";
import { fdPath, relativeInside } from "./safe-fs.ts";

/** Where an agent may write: the project root's real path and its territory entries. */
export interface WriteScope {
  /** the project root, already resolved with realpath */
  root: string;
  territory: readonly string[];
}

export type Checked = { ok: true; rel: string; real: string } | { ok: false; reason: string };

/** Largest file edit_file reads. */
const MAX_EDIT_BYTES = 4 * 1024 * 1024;

/** Check a path an agent wants to write: the real, absolute target, or why it is refused. */
export function checkWrite(scope: WriteScope, input: unknown): Checked {
  const lex = lexical(input);
  if ("reason" in lex) return { ok: false, reason: lex.reason };
  const rel = lex.rel;
  const refused = ruleProblem(scope, rel, rel);
  if (refused) return { ok: false, reason: refused };
  const real = onDisk(scope.root, rel);
  if ("reason" in real) return { ok: false, reason: real.reason };
  if (real.rel !== rel) {
    const viaLink = ruleProblem(scope, real.rel, rel, true);
    if (viaLink) return { ok: false, reason: viaLink };
  }
  return { ok: true, rel, real: real.abs };
}

/** Write `content` to a checked path (creating directories); the result or why it was refused. */
export function guardedWrite(scope: WriteScope, input: unknown, content: string): { ok: true; rel: string; bytes: number } | { ok: false; reason: string } {
  const checked = checkWrite(scope, input);
  return checked.ok ? writeChecked(checked, content) : checked;
}

/**
 * Write to a path `checkWrite` accepted. Whatever changed on disk since the check is caught here:
 * a directory on the way swapped for a link, a link put in place of the file, a descriptor that
 * leads elsewhere. Exported apart from guardedWrite so that tests can swap things in between.
 */
export function writeChecked(checked: { rel: string; real: string }, content: string): { ok: true; rel: string; bytes: number } | { ok: false; reason: string } {
  const { rel, real } = checked;
  try {
    mkdirSync(dirname(real), { recursive: true });
    if (realpathSync(dirname(real)) !== dirname(real)) return { ok: false, reason: `refused: a directory on the way to ${rel} changed into a link while writing` };
  } catch (err) {
    return { ok: false, reason: `could not create the directory for ${rel}: ${messageOf(err)}` };
  }
  let fd: number;
  let created = true;
  const flags = constants.O_WRONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;
  try {
    try {
      fd = openSync(real, flags | constants.O_CREAT | constants.O_EXCL, 0o644);
    } catch (err) {
      if (codeOf(err) !== "EEXIST") throw err;
      created = false;
      fd = openSync(real, flags);
    }
  } catch (err) {
    const code = codeOf(err);
    if (code === "ELOOP") return { ok: false, reason: `refused: ${rel} became a symbolic link while writing` };
    if (code === "EISDIR") return { ok: false, reason: `${rel} is a directory, not a file` };
    return { ok: false, reason: `could not open ${rel} for writing: ${messageOf(err)}` };
  }
  try {
    const problem = descriptorProblem(fd, real, rel);
    if (problem) {
      if (created) removeQuietly(fdPath(fd) ?? real);
      return { ok: false, reason: problem };
    }
    ftruncateSync(fd, 0);
    const bytes = Buffer.from(content, "utf8");
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
    return { ok: true, rel, bytes: bytes.length };
  } catch (err) {
    return { ok: false, reason: `could not write ${rel}: ${messageOf(err)}` };
  } finally {
    closeSync(fd);
  }
}

/** Read a file the agent may write (for edit_file), with the same checks as a write. */
export function guardedReadForEdit(scope: WriteScope, input: unknown): { ok: true; rel: string; text: string } | { ok: false; reason: string } {
  const checked = checkWrite(scope, input);
  if (!checked.ok) return checked;
  const { rel, real } = checked;
  let fd: number;
  try {
    fd = openSync(real, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    if (codeOf(err) === "ENOENT") return { ok: false, reason: `${rel} does not exist; create it with write_file` };
    return { ok: false, reason: `could not open ${rel}: ${messageOf(err)}` };
  }
  try {
    const problem = descriptorProblem(fd, real, rel);
    if (problem) return { ok: false, reason: problem };
    const size = fstatSync(fd).size;
    if (size > MAX_EDIT_BYTES) return { ok: false, reason: `${rel} is ${size} bytes, too large to edit here; rewrite it with write_file` };
    return { ok: true, rel, text: readFileSync(fd, "utf8") };
  } catch (err) {
    return { ok: false, reason: `could not read ${rel}: ${messageOf(err)}` };
  } finally {
    closeSync(fd);
  }
}

/** A human form of a territory for refusal messages. */
export function describeTerritory(territory: readonly string[]): string {
  return territory.length ? territory.join(", ") : "none: you may not write";
}

// The path as written: relative, inside the root, normalized to forward slashes.
function lexical(input: unknown): { rel: string } | { reason: string } {
  if (typeof input !== "string" || input.trim() === "") return { reason: "refused: the path is empty; give a path relative to the project root" };
  if (pathTooLong(input)) return { reason: `refused: the path is over ${MAX_PATH_BYTES} bytes long` };
  const shown = JSON.stringify(input);
  if (input.includes("\0")) return { reason: `refused: ${shown} contains a NUL byte` };
  if (input.includes("\\")) return { reason: `refused: ${shown} contains a backslash; use forward slashes` };
  if (input.startsWith("/") || /^[A-Za-z]:/.test(input)) return { reason: `refused: ${input} is absolute; give a path relative to the project root` };
  if (input.startsWith("~")) return { reason: `refused: ${input} starts with ~; give a path relative to the project root` };
  if (input.endsWith("/")) return { reason: `refused: ${input} names a directory; give a file path` };
  const rel = posix.normalize(input);
  if (rel === "." || rel === "") return { reason: `refused: ${input} is the project root itself, not a file` };
  if (rel === ".." || rel.startsWith("../")) return { reason: `refused: ${input} is outside the project root` };
  return { rel };
}

// The path's rules: never .git/ or purpled's folder, always inside the territory.
function ruleProblem(scope: WriteScope, rel: string, asWritten: string, viaLink = false): string | null {
  const through = viaLink ? ` (through a symbolic link, it is ${rel})` : "";
  const lower = rel.toLowerCase();
  if (lower.split("/").includes(".git")) return `refused: ${asWritten} is inside .git/, which agents may never write${through}`;
  if (lower === ".context-kit/orchestration" || lower.startsWith(".context-kit/orchestration/")) {
    return `refused: ${asWritten} is inside .context-kit/orchestration/, which only purpled writes${through}`;
  }
  if (!territoryOf(scope.territory).covers(rel)) return `refused: ${asWritten} is outside your territory (${describeTerritory(scope.territory)})${through}`;
  return null;
}

// Where the path really leads: the realpath of its deepest existing part plus the missing rest.
function onDisk(root: string, rel: string): { abs: string; rel: string } | { reason: string } {
  let existing = join(root, rel);
  const missing: string[] = [];
  for (;;) {
    try {
      lstatSync(existing);
      break;
    } catch (err) {
      const code = codeOf(err);
      if (code !== "ENOENT" && code !== "ENOTDIR") return { reason: `could not inspect ${rel}: ${messageOf(err)}` };
      if (existing === root) break;
      missing.unshift(existing.slice(dirname(existing).length + 1));
      existing = dirname(existing);
    }
  }
  let real: string;
  try {
    real = realpathSync(existing);
  } catch (err) {
    const code = codeOf(err);
    if (code === "ENOENT" || code === "ELOOP") return { reason: `refused: ${rel} leads through a symbolic link to a missing target` };
    return { reason: `could not resolve ${rel}: ${messageOf(err)}` };
  }
  const abs = missing.length ? join(real, ...missing) : real;
  const inside = relativeInside(root, abs);
  if (!inside) return { reason: `refused: ${rel} leads outside the project root (through a symbolic link)` };
  return { abs, rel: inside };
}

// The opened file must be a regular file at the path that was checked.
function descriptorProblem(fd: number, real: string, rel: string): string | null {
  const st = fstatSync(fd);
  if (!st.isFile()) return `refused: ${rel} is not a regular file`;
  if (st.nlink > 1) return `refused: ${rel} has ${st.nlink} hard links; writing it would also change the file under its other names (which may be outside your territory)`;
  const actual = fdPath(fd);
  if (actual !== null && actual !== real) return `refused: ${rel} changed while writing (it now leads to ${actual}); try again`;
  return null;
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // nothing was written into it; an empty stray file is the worst case
  }
}

function codeOf(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
