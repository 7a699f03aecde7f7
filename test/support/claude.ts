// Test support for the claude-code runner: where the real Claude Code CLI is (the pinned
// devDependency), and script steps in the shape Claude Code's tools take.
import { isRoot, unprivilegedUser as sandboxUser } from "./sandbox.ts";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ScriptStep } from "./scripted-api.ts";

export const CLAUDE = join(import.meta.dir, "..", "..", "node_modules", ".bin", "claude");

/** Why the real-CLI tests cannot run here, or null when they can. */
export function claudeMissing(): string | null {
  if (!existsSync(CLAUDE)) return `${CLAUDE} is missing: run npm install (it is a devDependency)`;
  const r = Bun.spawnSync([CLAUDE, "--version"], { stdout: "pipe", stderr: "pipe" });
  return r.exitCode === 0 && /Claude Code/.test(r.stdout.toString()) ? null : `${CLAUDE} --version failed: it is the npm stub (installed with --ignore-scripts?)`;
}

/** O/purple.yaml pointing purpled at the pinned CLI. */
export function useClaude(root: string, extra = ""): void {
  const dir = join(root, ".context-kit", "orchestration");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "purple.yaml"), `claudePath: ${JSON.stringify(CLAUDE)}\n${extra}`);
}

const call = (name: string, input: unknown): ScriptStep => ({ reply: { content: [{ type: "tool_use", name, input }] } });

export const tool = {
  write: (root: string, path: string, content: string) => call("Write", { file_path: join(root, path), content }),
  bash: (command: string) => call("Bash", { command, description: "run a command" }),
  start: (ticketId: string) => call("mcp__purple__purple_progress_start_ticket", { ticketId }),
  complete: (ticketId: string) => call("mcp__purple__purple_progress_complete_ticket", { ticketId }),
  say: (text: string): ScriptStep => ({ reply: { content: [{ type: "text", text }] } }),
};

/**
 * An unprivileged user to run purpled as when the tests run as root (created once), or why there
 * is none. As root it owns `root`; not as root, tests run unprivileged already.
 */
export function unprivilegedUser(root: string): { prefix: string[] } | { skip: string } {
  const user = sandboxUser();
  if ("skip" in user) return isRoot ? user : { prefix: [] };
  const owned = Bun.spawnSync(["chown", "-R", `${user.name}:`, root], { stderr: "pipe" });
  if (owned.exitCode !== 0) return { skip: `could not give ${root} to ${user.name}: ${owned.stderr.toString().trim()}` };
  // setpriv executes purpled in its own process (runuser forks and waits, so killing it would
  // orphan purpled); HOME, USER and LOGNAME are set as runuser would set them.
  if (!Bun.which("setpriv")) return { skip: "setpriv (util-linux) is not installed" };
  const home = Bun.spawnSync(["getent", "passwd", user.name]).stdout.toString().split(":")[5] || "/nonexistent";
  return { prefix: ["setpriv", `--reuid=${user.uid}`, `--regid=${user.gid}`, "--clear-groups", "--", "env", `HOME=${home}`, `USER=${user.name}`, `LOGNAME=${user.name}`] };
}
