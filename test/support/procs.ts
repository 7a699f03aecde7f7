// Is a process still running? kill(pid, 0) also succeeds for zombies, which linger here because
// this machine's pid 1 does not reap orphans; a zombie runs nothing, so it counts as gone.
import { readdirSync, readFileSync } from "node:fs";

export function processRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
    const state = stat.slice(stat.lastIndexOf(")") + 2).split(" ")[0];
    return state !== "Z" && state !== "X";
  } catch {
    return false; // gone between the two looks
  }
}

/** Host pids of running processes whose command line contains `marker` (agents in a PID namespace have other pids inside). */
export function processesWith(marker: string): number[] {
  const out: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    let cmdline: string;
    try {
      cmdline = readFileSync(`/proc/${name}/cmdline`, "latin1").replaceAll("\0", " ");
    } catch {
      continue;
    }
    if (cmdline.includes(marker) && processRunning(Number(name))) out.push(Number(name));
  }
  return out;
}
