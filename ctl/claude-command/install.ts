// `purplectl init --claude-command`: installs purple's Claude Code command (purple-plan.md, beside
// this file) into the project's .claude/commands/, so `/purple-plan <feature>` in Claude Code plans
// a feature the way /orchestrate does and writes a canonical plan.yaml that `purplectl validate`
// accepts. The command's text lives in its own markdown file (readable, reviewable), imported as
// text so a compiled purplectl carries it too.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import COMMAND_TEXT from "./purple-plan.md" with { type: "text" };

/** The command's file name under .claude/commands/ (the slash command is its stem). */
export const COMMAND_FILE = "purple-plan.md";

/** The command's text. */
export function claudeCommandText(): string {
  return COMMAND_TEXT;
}

/** Write the command into ROOT/.claude/commands/; returns its path and whether an older copy was replaced. */
export function installClaudeCommand(root: string): { path: string; replaced: boolean; unchanged: boolean } {
  const dir = join(root, ".claude", "commands");
  const path = join(dir, COMMAND_FILE);
  const text = claudeCommandText();
  const before = existsSync(path) ? readFileSync(path, "utf8") : null;
  if (before === text) return { path, replaced: false, unchanged: true };
  mkdirSync(dir, { recursive: true });
  writeFileSync(path, text);
  return { path, replaced: before !== null, unchanged: false };
}
