// How a claude-code agent is invoked: the argv of `claude -p`, its --settings (the territory
// write hook), its --mcp-config (`purplectl mcp`, the purple_* tools) and its environment (its
// own config, home and temp under the agent's scratch folder; no real key: a token for purple's
// key proxy). Pure: the runner decides the values, this file only spells them out.
import { existsSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { GUARDED_TOOLS, WRITE_HOOK_FLAG } from "./write-hook.ts";

export interface Invocation {
  claude: string;
  sessionId: string;
  resume: boolean;
  model: string;
  /** the plan-wide part of the prompt: appended to Claude Code's own system prompt */
  systemAppend: string;
  /** the command that runs the write hook (argv; quoted into one shell command) */
  hookCommand: string[];
  /** the command that runs `purplectl mcp` (argv) */
  mcpCommand: string[];
  maxBudgetUsd?: number;
  /** the plan's extra arguments (runner.args); they may re-enable setting sources */
  extraArgs: string[];
}

/** The argv of one `claude -p` process. */
export function claudeArgv(inv: Invocation): string[] {
  const settings = {
    hooks: { PreToolUse: [{ matcher: GUARDED_TOOLS.join("|"), hooks: [{ type: "command", command: shellCommand(inv.hookCommand), timeout: 30 }] }] },
  };
  const mcp = { mcpServers: { purple: { type: "stdio", command: inv.mcpCommand[0], args: inv.mcpCommand.slice(1) } } };
  const argv = [inv.claude, "-p", "--output-format", "stream-json", "--verbose"];
  argv.push(...(inv.resume ? ["--resume", inv.sessionId] : ["--session-id", inv.sessionId]));
  argv.push("--model", inv.model);
  // No interactive prompts: every tool is allowed; the hook refuses writes outside the territory
  // and the sandbox is the boundary for everything else (Bash included).
  argv.push("--permission-mode", "bypassPermissions", "--allowedTools", "mcp__purple");
  argv.push("--settings", JSON.stringify(settings), "--mcp-config", JSON.stringify(mcp), "--strict-mcp-config");
  // The project's own .claude/ settings (hooks, MCP servers, permissions) only when the plan asks.
  if (!inv.extraArgs.includes("--setting-sources")) argv.push("--setting-sources", "");
  argv.push("--append-system-prompt", inv.systemAppend);
  if (inv.maxBudgetUsd !== undefined) argv.push("--max-budget-usd", String(inv.maxBudgetUsd));
  argv.push(...inv.extraArgs);
  return argv;
}

/** The only tools a judge check's reviewer has: reading and searching the project. */
export const REVIEW_TOOLS = ["Read", "Glob", "Grep"];

/**
 * The argv of a judge check's reviewer: `claude -p` with only the read-only tools, `dontAsk` (a
 * tool not granted is refused, never asked about: reads outside the working directory are
 * refused), the answer forced into the Verdict schema (--json-schema), no settings, MCP servers
 * or saved session of its own.
 */
export function reviewerArgv(inv: { claude: string; model: string; system: string; schema: Record<string, unknown> }): string[] {
  return [
    inv.claude, "-p", "--output-format", "stream-json", "--verbose", "--model", inv.model,
    "--tools", ...REVIEW_TOOLS, "--permission-mode", "dontAsk",
    "--json-schema", JSON.stringify(inv.schema), "--system-prompt", inv.system,
    "--setting-sources", "", "--strict-mcp-config", "--no-session-persistence",
  ];
}

/**
 * How an agent's helpers run: the write hook and `purplectl mcp`. From a checkout, with this bun
 * and the source files; in the compiled purpled (its files live in bun's virtual /$bunfs), by
 * purpled itself and the purplectl beside it.
 */
export function helperCommands(execPath = process.execPath, moduleDir = import.meta.dir): { hook: string[]; ctl: string[] } {
  if (moduleDir.startsWith("/$bunfs") || moduleDir.startsWith("B:/~BUN")) {
    const ctl = join(dirname(execPath), "purplectl");
    return { hook: [execPath, WRITE_HOOK_FLAG], ctl: existsSync(ctl) ? [ctl] : ["purplectl"] };
  }
  const repo = join(moduleDir, "..", "..", "..");
  return { hook: [execPath, join(moduleDir, "write-hook.ts")], ctl: [execPath, join(repo, "ctl", "main.ts")] };
}

/** The scratch folders of one agent: Claude Code's config, the home directory, temp. */
export function scratchDirs(agentDir: string): { base: string; config: string; home: string; tmp: string } {
  const base = join(agentDir, "scratch");
  return { base, config: join(base, "claude-config"), home: join(base, "home"), tmp: join(base, "tmp") };
}

/** The offline, no-surprise variables every claude-code process gets (agents: on top of the PURPLE_* ones). */
export function claudeEnv(scratch: Pick<ReturnType<typeof scratchDirs>, "config" | "home" | "tmp">, proxy: { url: string; token: string }, isRoot: boolean): Record<string, string> {
  return {
    HOME: scratch.home,
    TMPDIR: scratch.tmp,
    CLAUDE_CONFIG_DIR: scratch.config,
    ANTHROPIC_BASE_URL: proxy.url,
    ANTHROPIC_API_KEY: proxy.token,
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
    DISABLE_AUTOUPDATER: "1",
    DISABLE_TELEMETRY: "1",
    DISABLE_ERROR_REPORTING: "1",
    // purplectl mcp must be connected before the first turn: on a loaded machine its start can
    // take longer than Claude Code's 5 s connect default, and it must not connect in the background.
    MCP_CONNECTION_NONBLOCKING: "false",
    MCP_CONNECT_TIMEOUT_MS: "60000",
    MCP_TIMEOUT: "60000",
    // bypassPermissions as root is refused unless Claude Code is told it is sandboxed (it is).
    ...(isRoot ? { IS_SANDBOX: "1" } : {}),
  };
}

/** The words after the agent's part of the prompt. */
export const BEGIN = "Work through your tickets with your tools. Report each ticket with purple_progress_start_ticket when you begin it and purple_progress_complete_ticket when its work is written. When every ticket is done, end with a short summary of what you changed.";

/** Working standards for a Claude Code agent, before the plan-wide part of the prompt. */
export const STANDARDS = `# Working as a purple agent
You are one of several coding agents run by purple from an orchestration plan; others may be working beside you now. You own a territory: the only paths you may write.
- Read before you write. Write only inside your territory: a write outside it is refused, and anything outside it that changes anyway is reverted and fails your run. .git/ and .context-kit/orchestration/ are never writable.
- Keep to the integration contracts. Make every file you write whole and working.
- Run only the plan's allowed commands (listed below) beyond reading and writing files; run them before you finish and fix what they report.
- Report with the purple tools (mcp__purple__*): purple_progress_start_ticket and purple_progress_complete_ticket for each ticket, purple_report_progress for what you are doing now.
- When a tool answers with an error, read it and change your approach; do not repeat the same call.`;

function shellCommand(argv: string[]): string {
  return argv.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(" ");
}
