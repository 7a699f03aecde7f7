// Every process group purpled starts (agents, gates, run_command, searches: all go through
// spawnGroup) is recorded with its identity in O/.purple/groups.json before it can do anything, and
// removed once it is gone. A restart after a crash kills what the file names, but only a group whose
// leader is provably the one purpled started: same boot (kernel boot_id) and same start time
// (field 22 of /proc/<pid>/stat). A pid reused by an unrelated process is left alone.
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { groupAlive, killGroup } from "./kill.ts";

/** "<boot id>:<start time in clock ticks since boot>" of a live process, or null when it is gone. */
export function processIdentity(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // fields[0] is field 3 (state), so field 22 (starttime) is fields[19]
    const start = fields[19];
    if (!start || fields[0] === "Z" || fields[0] === "X") return null;
    return `${bootId()}:${start}`;
  } catch {
    return null;
  }
}

let boot: string | undefined;
function bootId(): string {
  if (boot === undefined) {
    try {
      boot = readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
    } catch {
      boot = "unknown-boot";
    }
  }
  return boot;
}

interface Entry {
  pgid: number;
  identity: string;
  what: string;
}

/** The durable list of live groups (one per daemon). */
export class GroupRegistry {
  private readonly live = new Map<number, Entry>();
  private readonly file: string;

  constructor(stateDir: string) {
    this.file = join(stateDir, "groups.json");
  }

  /** Kill every group a previous run left that is verifiably its own; returns their pgids (the file is then emptied). */
  reapLeftovers(): number[] {
    let entries: Entry[] = [];
    try {
      const parsed = JSON.parse(readFileSync(this.file, "utf8")) as unknown;
      if (Array.isArray(parsed)) entries = parsed.filter((e): e is Entry => typeof e?.pgid === "number" && typeof e?.identity === "string");
    } catch {
      // no file or a torn one: nothing provable to kill
    }
    const killed: number[] = [];
    for (const e of entries) {
      // The leader still the one recorded; or the leader gone but its group alive (Linux does not hand
      // out a pid while a process group of that number has members, so the group is still ours).
      const now = processIdentity(e.pgid);
      const ours = now === e.identity || (now === null && groupAlive(e.pgid));
      if (ours && killGroup(e.pgid, "SIGKILL")) killed.push(e.pgid);
    }
    this.write();
    return killed;
  }

  /** A group just started; recorded before the caller goes on. */
  add(pgid: number, what: string): void {
    const identity = processIdentity(pgid);
    if (identity === null) return; // already gone
    this.live.set(pgid, { pgid, identity, what });
    this.write();
  }

  /** The group's leader is gone and its members killed. */
  remove(pgid: number): void {
    if (this.live.delete(pgid)) this.write();
  }

  /** Is this pgid a group this daemon started and still runs? */
  has(pgid: number): boolean {
    return this.live.has(pgid);
  }

  // Replaced by rename, not fsynced: the file only has to outlive purpled, not the machine (after a
  // reboot no group survives, and the boot id tells so).
  private write(): void {
    try {
      const tmp = `${this.file}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify([...this.live.values()]) + "\n", { mode: 0o600 });
      renameSync(tmp, this.file);
    } catch {
      // the state folder may be gone (O deleted): the groups still die with purpled (PDEATHSIG in the sandbox)
    }
  }
}

let current: GroupRegistry | null = null;

/** The registry spawnGroup records into (set once by the daemon at start; none in tests and tools). */
export function useGroupRegistry(registry: GroupRegistry | null): void {
  current = registry;
}

export function groupRegistry(): GroupRegistry | null {
  return current;
}
