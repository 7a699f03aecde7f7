// Waiting out a writer: an item found by a rescan (not by chokidar's awaitWriteFinish) may still be
// growing, and a dropped folder may still be filling up; neither is read until it has been quiet.
import { lstat, readdir } from "node:fs/promises";
import { join } from "node:path";

export interface SettleOptions {
  /** how long nothing may have changed */
  quietMs?: number;
  pollMs?: number;
  /** give up waiting (and let the caller read anyway) after this long */
  maxWaitMs?: number;
}

// A folder's signature looks at this many entries at most.
const MAX_ENTRIES = 1000;

/** Resolve true once `path` has not changed for quietMs, false if it vanished meanwhile. */
export async function waitUntilSettled(path: string, opts: SettleOptions = {}): Promise<boolean> {
  const quietMs = opts.quietMs ?? 300, pollMs = opts.pollMs ?? 50;
  const deadline = Date.now() + (opts.maxWaitMs ?? 30_000);
  let previous: string | null = null;
  let stableSince = Date.now();
  for (;;) {
    const snap = await snapshot(path);
    if (!snap) return false;
    const now = Date.now();
    if (snap.signature !== previous) {
      previous = snap.signature;
      stableSince = now;
    }
    // Quiet means: the newest mtime is old enough, or we have watched it sit still that long.
    if (now - snap.newestMtimeMs >= quietMs || now - stableSince >= quietMs || now >= deadline) return true;
    await Bun.sleep(pollMs);
  }
}

async function snapshot(path: string): Promise<{ signature: string; newestMtimeMs: number } | null> {
  const st = await lstat(path).catch(() => null);
  if (!st) return null;
  let signature = `${st.size}:${st.mtimeMs}`;
  let newest = st.mtimeMs;
  if (st.isDirectory()) {
    const names = (await readdir(path).catch(() => [] as string[])).sort().slice(0, MAX_ENTRIES);
    for (const name of names) {
      const child = await lstat(join(path, name)).catch(() => null);
      if (!child) continue;
      signature += `|${name}:${child.size}:${child.mtimeMs}`;
      newest = Math.max(newest, child.mtimeMs);
    }
  }
  return { signature, newestMtimeMs: newest };
}
