// Is a process still running? kill(pid, 0) also succeeds for zombies, which linger here because
// this machine's pid 1 does not reap orphans; a zombie runs nothing, so it counts as gone.
import { readFileSync } from "node:fs";

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
