// Applying an allowed changeset to the project, all of it or none of it. First everything is
// staged beside its destination under a temporary name (file contents moved or copied out of the
// upper layer, symlinks made, new directories made; a directory that replaces a file is built
// under a temporary name with its whole content); a failure while staging removes what was
// staged and leaves the project as it was. Then each staged entry is renamed into place, and what
// it replaces or deletes is moved aside and removed. Nothing here follows a symlink in the project:
// renames replace links, and a staged parent is always a real directory made or checked first.
import { chmodSync, closeSync, copyFileSync, fsyncSync, lstatSync, mkdirSync, openSync, renameSync, rmSync, symlinkSync, unlinkSync, type Stats } from "node:fs";
import { join, posix } from "node:path";
import { dlopen, FFIType } from "bun:ffi";
import type { Change } from "../../protocol/changeset.ts";

/**
 * Write `changes` (read out of `upper`) into the project at `root`; throws after undoing the staging.
 * `durable: false` skips flushing the staged files to disk first (benchmarks measure both).
 */
export function applyChanges(changes: readonly Change[], upper: string, root: string, opts: { durable?: boolean } = {}): void {
  const run = new ApplyRun(upper, root);
  try {
    for (const c of changes) run.stage(c);
    if (opts.durable !== false) run.syncStaged();
  } catch (err) {
    run.rollback();
    throw err;
  }
  run.commit();
}

class ApplyRun {
  private readonly tag = `.purple-apply-${process.pid.toString(36)}${Math.random().toString(36).slice(2, 8)}`;
  private n = 0;
  /** root-relative directories being built under a temporary name: rel → where it is built */
  private readonly building = new Map<string, string>();
  /** everything staging created, newest last (undone in reverse) */
  private readonly created: { path: string; dir: boolean }[] = [];
  private readonly toSync: string[] = [];
  private readonly commits: (() => void)[] = [];
  private readonly aside: string[] = [];
  private readonly dirsToSync = new Set<string>();

  constructor(private readonly upper: string, private readonly root: string) {}

  stage(c: Change): void {
    const parent = posix.dirname(c.path) === "." ? "" : posix.dirname(c.path);
    const name = posix.basename(c.path);
    const hidden = this.whereBuilt(parent);
    const final = join(this.root, c.path);
    if (c.kind === "delete") {
      if (hidden === null) this.commits.push(() => this.moveAside(final));
      return;
    }
    if (c.kind === "special") throw new Error(`${c.path} is a special file and cannot be applied`);
    // Inside a directory built under a temporary name, entries take their final names at once.
    if (hidden !== null) return this.make(c, join(hidden, name));
    const existing = lstatOrNull(final);
    if (c.kind === "dir") {
      if (existing?.isDirectory()) {
        this.commits.push(() => chmodSync(final, c.mode ?? 0o755));
        return;
      }
      if (!existing) {
        this.make(c, final);
        this.dirsToSync.add(join(this.root, parent));
        return;
      }
      const temp = this.tempIn(join(this.root, parent));
      this.make(c, temp);
      this.building.set(c.path, temp);
      this.commits.push(() => {
        this.moveAside(final);
        renameSync(temp, final);
      });
      this.dirsToSync.add(join(this.root, parent));
      return;
    }
    const temp = this.tempIn(join(this.root, parent));
    this.make(c, temp);
    this.commits.push(() => {
      if (existing?.isDirectory()) this.moveAside(final);
      renameSync(temp, final);
    });
    this.dirsToSync.add(join(this.root, parent));
  }

  /**
   * Make every staged file durable before any rename, so a crash never leaves an empty file in
   * place: one syncfs(2) of the project's filesystem (measured: 200 files in ~80 ms, against ~800 ms
   * for an fsync each), or an fsync per file where syncfs is not available.
   */
  syncStaged(): void {
    if (this.toSync.length === 0) return;
    if (syncFilesystemOf(this.root)) return;
    for (const path of this.toSync) {
      const fd = openSync(path, "r");
      try {
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    }
  }

  rollback(): void {
    for (const { path, dir } of this.created.reverse()) {
      try {
        if (dir) rmSync(path, { recursive: true, force: true });
        else unlinkSync(path);
      } catch {
        // best effort: a leftover temp name is harmless, a half-applied changeset is not
      }
    }
  }

  commit(): void {
    for (const step of this.commits) step();
    for (const dir of this.dirsToSync) syncDir(dir);
    for (const path of this.aside) rmSync(path, { recursive: true, force: true });
  }

  private make(c: Change, at: string): void {
    if (c.kind === "dir") {
      mkdirSync(at, { mode: 0o700 });
      this.created.push({ path: at, dir: true });
      chmodSync(at, c.mode ?? 0o755);
      return;
    }
    if (c.kind === "symlink") {
      symlinkSync(c.target ?? "", at);
      this.created.push({ path: at, dir: false });
      return;
    }
    const from = join(this.upper, c.path);
    const st = lstatSync(from);
    if (!st.isFile()) throw new Error(`${c.path} changed in the upper layer while it was applied`);
    const moved = moveOrCopy(from, at, st);
    this.created.push({ path: at, dir: false });
    if (!moved || (st.mode & 0o7777) !== (c.mode ?? 0o644)) chmodSync(at, c.mode ?? 0o644); // a moved file kept its mode
    this.toSync.push(at);
  }

  // The temporary directory a root-relative directory is being built in (itself or an ancestor), or null.
  private whereBuilt(rel: string): string | null {
    for (let r = rel; r !== ""; r = posix.dirname(r) === "." ? "" : posix.dirname(r)) {
      const at = this.building.get(r);
      if (at !== undefined) return rel === r ? at : join(at, rel.slice(r.length + 1));
    }
    return null;
  }

  private tempIn(dir: string): string {
    return join(dir, `${this.tag}-${this.n++}`);
  }

  private moveAside(path: string): void {
    const parent = posix.dirname(path);
    const temp = this.tempIn(parent);
    try {
      renameSync(path, temp);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return;
      throw err;
    }
    this.aside.push(temp);
    this.dirsToSync.add(parent);
  }
}

// A file alone in the layer is moved (no copy; true); a hard-linked one is copied (false), so no link reaches the project.
function moveOrCopy(from: string, to: string, st: Stats): boolean {
  if (st.nlink === 1) {
    try {
      renameSync(from, to);
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EXDEV") throw err;
    }
  }
  if ((st.mode & 0o400) === 0) chmodSync(from, st.mode | 0o400); // chmod 000 in the sandbox: purpled still reads it
  copyFileSync(from, to);
  return false;
}

function syncDir(dir: string): void {
  try {
    const fd = openSync(dir, "r");
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // a directory that cannot be opened for sync (gone, no permission) costs durability, not correctness
  }
}

function lstatOrNull(path: string): Stats | null {
  try {
    return lstatSync(path);
  } catch {
    return null;
  }
}

let syncfs: ((fd: number) => number) | null | undefined;

// syncfs(2) on the filesystem holding `path`; false when it cannot be called (then the caller fsyncs).
function syncFilesystemOf(path: string): boolean {
  if (syncfs === undefined) {
    try {
      syncfs = dlopen("libc.so.6", { syncfs: { args: [FFIType.i32], returns: FFIType.i32 } }).symbols.syncfs as (fd: number) => number;
    } catch {
      syncfs = null;
    }
  }
  if (!syncfs) return false;
  const fd = openSync(path, "r");
  try {
    return syncfs(fd) === 0;
  } finally {
    closeSync(fd);
  }
}
