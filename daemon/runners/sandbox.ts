// The sandbox command agents run in: bubblewrap with the whole filesystem as it is, except the
// project's .git/ and the orchestration folder O/, which are mounted read-only — so no agent can
// plant a git hook or drop a plan into the inbox, whatever its territory says (RELIABILITY 18).
// Territory inside the project is still enforced by the audit; this closes what the audit cannot see.
import { existsSync } from "node:fs";
import { join } from "node:path";

let available: boolean | null = null;

/** Is bubblewrap installed and allowed to run here (checked once)? */
export function sandboxAvailable(): boolean {
  if (available === null) {
    const bwrap = Bun.which("bwrap");
    available = bwrap !== null && Bun.spawnSync([bwrap, "--bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "true"], { stdout: "ignore", stderr: "ignore" }).exitCode === 0;
  }
  return available;
}

/** The argv prefix that runs a command in the sandbox for this root, or null without bubblewrap. */
export function sandboxPrefix(root: string): string[] | null {
  if (!sandboxAvailable()) return null;
  const readOnly = [join(root, ".git"), join(root, ".context-kit", "orchestration")].filter((p) => existsSync(p));
  return ["bwrap", "--bind", "/", "/", "--dev", "/dev", "--proc", "/proc", ...readOnly.flatMap((p) => ["--ro-bind", p, p]), "--"];
}
