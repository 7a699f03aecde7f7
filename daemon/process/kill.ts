// Signalling whole process groups, and telling whether one still has a live member.
// Agents run in their own session (pgid = leader pid), so `-pgid` reaches every descendant
// that did not deliberately leave the group.
import { readFileSync, readdirSync } from "node:fs";

/** Send `signal` to every process of group `pgid`; false when the group is gone. Never signals pgid ≤ 1. */
export function killGroup(pgid: number, signal: NodeJS.Signals | number): boolean {
  // -0 is our own group and -1 is every process we may signal: never.
  if (!Number.isInteger(pgid) || pgid <= 1) return false;
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (err) {
    if (errCode(err) === "ESRCH") return false;
    throw err;
  }
}

/** True while group `pgid` has a member that is not a zombie (zombies wait only for their reaper). */
export function groupAlive(pgid: number): boolean {
  if (!Number.isInteger(pgid) || pgid <= 1) return false;
  try {
    process.kill(-pgid, 0);
  } catch (err) {
    if (errCode(err) === "ESRCH") return false;
    if (errCode(err) !== "EPERM") throw err;
  }
  // kill(0) also succeeds for zombies; where /proc exists, look for a member still running.
  return liveMemberInProc(pgid) ?? true;
}

// null when /proc cannot tell (not Linux).
function liveMemberInProc(pgid: number): boolean | null {
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return null;
  }
  for (const name of entries) {
    if (name.charCodeAt(0) < 48 || name.charCodeAt(0) > 57) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, "latin1");
    } catch {
      continue; // exited while we looked
    }
    // "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses, so cut at the last ')'.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (Number(fields[2]) === pgid && fields[0] !== "Z" && fields[0] !== "X") return true;
  }
  return false;
}

function errCode(err: unknown): string | undefined {
  return (err as { code?: string } | null)?.code;
}
