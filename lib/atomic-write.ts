// Durable file writes shared by inbox and daemon: temp file, fsync, rename, fsync the directory.
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, unlinkSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { crashPoint } from "./crash.ts";

let counter = 0;

/** Replace `path` with `data` so that a reader sees the old file or the new one, never half of one. */
export function writeFileAtomic(path: string, data: string | Uint8Array, opts: { mode?: number; mkdir?: boolean } = {}): void {
  if (opts.mkdir) mkdirSync(dirname(path), { recursive: true });
  writeFilesAtomic([{ path, data }], opts.mode);
}

/**
 * Replace several files at once, keeping the same guarantees per file: every temp file is
 * written and fsynced, then all are renamed, then each directory is fsynced once. A batch of
 * status files costs one directory sync instead of one per file.
 */
export function writeFilesAtomic(files: readonly { path: string; data: string | Uint8Array }[], mode = 0o644): void {
  const temps: string[] = [];
  try {
    for (const f of files) {
      const tmp = join(dirname(f.path), `.${basename(f.path)}.${process.pid}.${++counter}.tmp`);
      const fd = openSync(tmp, "w", mode);
      temps.push(tmp);
      try {
        const bytes = typeof f.data === "string" ? Buffer.from(f.data) : f.data;
        let off = 0;
        while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    }
  } catch (err) {
    for (const t of temps) try { unlinkSync(t); } catch {}
    throw err;
  }
  const dirs = new Set<string>();
  crashPoint("before-rename");
  files.forEach((f, i) => {
    renameSync(temps[i]!, f.path);
    dirs.add(dirname(f.path));
  });
  crashPoint("after-rename");
  for (const d of dirs) fsyncDir(d);
}

/** fsync a directory so a rename or create inside it survives a crash. */
export function fsyncDir(dir: string): void {
  const fd = openSync(dir, "r");
  try { fsyncSync(fd); } finally { closeSync(fd); }
}

/** Append text to a file (events.jsonl, status-log.md); with `sync`, fsync it before returning. */
export function appendText(path: string, text: string, sync: boolean): void {
  const fd = openSync(path, "a", 0o644);
  try {
    writeSync(fd, text);
    if (sync) fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** fsync a file that was appended to without syncing. */
export function fsyncFile(path: string): void {
  const fd = openSync(path, "r");
  try { fsyncSync(fd); } finally { closeSync(fd); }
}
