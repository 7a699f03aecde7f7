// `purplectl init --claude-command` (the part of `init` this module owns): installs the
// /purple-plan Claude Code command into the project at --root, else the working directory.
import { resolve } from "node:path";
import type { Ctx } from "../context.ts";
import { EXIT, UsageError } from "../errors.ts";
import { installClaudeCommand } from "./install.ts";

/** init --claude-command: write .claude/commands/purple-plan.md and say where. */
export async function initClaudeCommand(ctx: Ctx): Promise<number> {
  if (!ctx.flags["claude-command"]) throw new UsageError("usage: purplectl init --claude-command (the rest of init is not in this build)");
  const root = resolve(ctx.flags.root ?? process.cwd());
  const r = installClaudeCommand(root);
  const what = r.unchanged ? "already up to date" : r.replaced ? "updated" : "installed";
  ctx.print(`${what}: ${r.path}\nIn Claude Code, run /purple-plan <feature> to plan a feature into a canonical plan.yaml.`, { path: r.path, installed: !r.unchanged, replaced: r.replaced });
  return EXIT.ok;
}
