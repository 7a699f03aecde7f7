// Running a test script as an unprivileged user: security checks must hold for an ordinary user,
// not only for root. As root the script runs as `nobody` (setpriv) in a directory it owns; as any
// other user it simply runs as that user.
import { chownSync, mkdtempSync, realpathSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const NOBODY = 65534;

/** A temp directory the unprivileged user owns. */
export function unprivilegedDir(prefix = "purple-nobody-"): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), prefix)));
  if (process.getuid?.() === 0) chownSync(dir, NOBODY, NOBODY);
  return dir;
}

/** Run `bun script args…` as an unprivileged user; its exit code, stdout and stderr. */
export function runUnprivileged(script: string, args: string[], home: string): { code: number | null; stdout: string; stderr: string; user: string } {
  const asRoot = process.getuid?.() === 0;
  const cmd = asRoot ? ["setpriv", `--reuid=${NOBODY}`, `--regid=${NOBODY}`, "--clear-groups", process.execPath, script, ...args] : [process.execPath, script, ...args];
  const r = Bun.spawnSync(cmd, { env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: home, TMPDIR: home }, stdout: "pipe", stderr: "pipe" });
  return { code: r.exitCode, stdout: r.stdout.toString(), stderr: r.stderr.toString(), user: asRoot ? "nobody" : String(process.getuid?.()) };
}
