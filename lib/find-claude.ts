// Finding the Claude Code CLI (SPEC §10): `claudePath` in O/purple.yaml when given (absolute, or
// relative to the project root), else `claude` on PATH. purpled, validate and submit ask the same question.
import { accessSync, constants, statSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";

/** The claude executable to run, or null when there is none. */
export function findClaude(config: { claudePath?: string | undefined }, env: Record<string, string | undefined> = process.env, root = process.cwd()): string | null {
  if (config.claudePath) {
    const path = isAbsolute(config.claudePath) ? config.claudePath : resolve(root, config.claudePath);
    return executable(path) ? path : null;
  }
  return Bun.which("claude", { PATH: env.PATH ?? "" });
}

/** Can the claude-code runner run here (a claude executable found)? */
export function claudeAvailable(config: { claudePath?: string | undefined }, env: Record<string, string | undefined> = process.env, root = process.cwd()): boolean {
  return findClaude(config, env, root) !== null;
}

function executable(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
