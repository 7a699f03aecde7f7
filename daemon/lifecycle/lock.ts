// One purpled per root: O/.purple/lock holds the owner's pid, created atomically with link(2).
// A lock whose pid is dead is stale and is taken over; a live one makes the newcomer refuse.
import { linkSync, readFileSync, renameSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PurpleError } from "../../protocol/index.ts";

export interface Lock {
  path: string;
  release(): void;
}

/** Take the root's lock or throw ALREADY_RUNNING naming the owner's pid. */
export function acquireLock(stateDir: string): Lock {
  const path = join(stateDir, "lock");
  const mine = join(stateDir, `.lock.${process.pid}`);
  writeFileSync(mine, `${process.pid}\n`);
  try {
    for (let tries = 0; tries < 20; tries++) {
      try {
        linkSync(mine, path);
        return { path, release: () => releaseIfMine(path) };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      }
      const owner = readPid(path);
      if (owner !== null && alive(owner)) throw new PurpleError("ALREADY_RUNNING", `another purpled (pid ${owner}) already runs for this root; stop it first (lock: ${path})`);
      takeOverStale(path, owner, stateDir);
    }
    throw new PurpleError("ALREADY_RUNNING", `could not take the lock ${path}: it keeps changing hands`);
  } finally {
    try { unlinkSync(mine); } catch {}
  }
}

/** Move a stale lock aside, then make sure what was moved really was the stale one. */
function takeOverStale(path: string, stalePid: number | null, stateDir: string): void {
  const aside = join(stateDir, `.lock.stale.${process.pid}`);
  try {
    renameSync(path, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return; // someone else removed it: retry
    throw err;
  }
  const moved = readPid(aside);
  if (moved !== stalePid && moved !== null && alive(moved)) {
    // A live daemon took the lock between our read and our rename: give it back.
    try { linkSync(aside, path); } catch {}
    try { unlinkSync(aside); } catch {}
    throw new PurpleError("ALREADY_RUNNING", `another purpled (pid ${moved}) already runs for this root`);
  }
  try { unlinkSync(aside); } catch {}
}

function releaseIfMine(path: string): void {
  if (readPid(path) === process.pid) try { unlinkSync(path); } catch {}
}

function readPid(path: string): number | null {
  try {
    const n = Number.parseInt(readFileSync(path, "utf8").trim(), 10);
    return Number.isFinite(n) && n > 0 ? n : null;
  } catch {
    return null;
  }
}

/** Is a process with this pid alive (EPERM means alive but not ours)? */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
