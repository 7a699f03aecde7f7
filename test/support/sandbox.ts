// Test support for the sandbox: does it work on this machine (checked once, for real), and an
// unprivileged user to run purpled as when the tests run as root (SPEC §10: both must hold).
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { detectSandbox } from "../../daemon/sandbox/detect.ts";
import { removeScratch } from "../../daemon/sandbox/view.ts";

let works: boolean | null = null;

/** True when the overlay sandbox works here (as this user). */
export function sandboxWorks(): boolean {
  if (works === null) {
    const dir = mkdtempSync(join(tmpdir(), "purple-sbx-probe-"));
    works = detectSandbox(join(dir, "s")).info.kind === "overlay";
    removeScratch(dir);
  }
  return works;
}

export const isRoot = (process.getuid?.() ?? -1) === 0;

/** The unprivileged user the tests run purpled as when they run as root (created once), or null with the reason. */
export function unprivilegedUser(): { name: string; uid: number; gid: number } | { skip: string } {
  if (!isRoot) return { skip: "not running as root: the tests already run unprivileged" };
  const name = "purple-test";
  const id = (flag: string) => Bun.spawnSync(["id", flag, name]).stdout.toString().trim();
  if (Bun.spawnSync(["id", name]).exitCode !== 0) {
    const made = Bun.spawnSync(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name], { stderr: "pipe" });
    if (made.exitCode !== 0 && Bun.spawnSync(["id", name]).exitCode !== 0) return { skip: `cannot create the user ${name}: ${made.stderr.toString().trim()}` };
  }
  return { name, uid: Number(id("-u")), gid: Number(id("-g")) };
}
