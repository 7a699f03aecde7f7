// Where files created outside every territory go when the audit removes them from the tree.
// They are moved, not destroyed: a file the audit could not see before (ignored, unreadable) and
// that then changed looks created, and a person can still get it back from here.
//
// Bounded by age and size (issue 14: 600 MiB of agent output became 600 MiB of quarantine):
// batches older than QUARANTINE_KEEP_MS go, then the oldest batches until the whole is under
// QUARANTINE_MAX_BYTES; a single file over QUARANTINE_MAX_FILE_BYTES is deleted, not kept. Pruned
// when the auditor opens and after every batch.
import { lstatSync, mkdirSync, readdirSync, renameSync, rmSync, rmdirSync, statSync } from "node:fs";
import { join } from "node:path";

/** How long quarantined files are kept. */
export const QUARANTINE_KEEP_MS = 7 * 24 * 3600 * 1000;
/** Most bytes the quarantine holds; the oldest batches go first. */
export const QUARANTINE_MAX_BYTES = 256 * 1024 * 1024;
/** A created file larger than this is deleted instead of quarantined. */
export const QUARANTINE_MAX_FILE_BYTES = 32 * 1024 * 1024;

/** Move root-relative `raw` (exact bytes) from `root` into batch directory `batch`; removes it when it cannot be moved. */
export function quarantine(root: string, batch: string, raw: Uint8Array, maxFileBytes = QUARANTINE_MAX_FILE_BYTES): void {
  const from = Buffer.concat([Buffer.from(root + "/"), raw]);
  const to = Buffer.concat([Buffer.from(batch + "/"), raw]);
  try {
    if (lstatSync(from).size > maxFileBytes) throw new Error("too large to keep");
    mkdirSync(to.subarray(0, to.lastIndexOf(0x2f)), { recursive: true });
    renameSync(from, to);
  } catch (err) {
    if (errCode(err) === "ENOENT" && !exists(from)) return; // already gone
    // Another file system, or a name we cannot recreate: removal is what the audit promised.
    rmSync(from, { recursive: true, force: true });
  }
  removeEmptyParents(root, raw);
}

/** Remove the directories above `raw` that are now empty, up to (never including) `root`. */
export function removeEmptyParents(root: string, raw: Uint8Array): void {
  let rel = Buffer.from(raw);
  for (;;) {
    const slash = rel.lastIndexOf(0x2f);
    if (slash <= 0) return;
    rel = rel.subarray(0, slash);
    try {
      rmdirSync(Buffer.concat([Buffer.from(root + "/"), rel]));
    } catch {
      return; // not empty (or not ours to remove): stop climbing
    }
  }
}

/** A fresh batch directory name under `dir` for one checkpoint. */
export function quarantineBatch(dir: string, now = new Date()): string {
  return join(dir, now.toISOString().replace(/[:.]/g, "-"));
}

/** Delete batches older than `keepMs` from quarantine directory `dir`, then the oldest until it holds at most `maxBytes`. */
export function pruneQuarantine(dir: string, keepMs = QUARANTINE_KEEP_MS, now = Date.now(), maxBytes = QUARANTINE_MAX_BYTES): void {
  let names: string[];
  try {
    names = readdirSync(dir).sort(); // batch names are ISO times: oldest first
  } catch {
    return;
  }
  const kept: { path: string; bytes: number }[] = [];
  for (const name of names) {
    const path = join(dir, name);
    try {
      if (now - statSync(path).mtimeMs > keepMs) rmSync(path, { recursive: true, force: true });
      else kept.push({ path, bytes: bytesUnder(path) });
    } catch {
      // a batch that vanished or cannot be removed is not worth failing the audit for
    }
  }
  let total = kept.reduce((sum, b) => sum + b.bytes, 0);
  for (const batch of kept) {
    if (total <= maxBytes) break;
    rmSync(batch.path, { recursive: true, force: true });
    total -= batch.bytes;
  }
}

// Bytes of the regular files under `path` (links and special files count nothing).
function bytesUnder(path: string): number {
  const st = lstatSync(path);
  if (st.isFile()) return st.size;
  if (!st.isDirectory()) return 0;
  let sum = 0;
  for (const name of readdirSync(path)) sum += bytesUnder(join(path, name));
  return sum;
}

function exists(path: Buffer): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

function errCode(err: unknown): string | undefined {
  return (err as { code?: string } | null)?.code;
}
