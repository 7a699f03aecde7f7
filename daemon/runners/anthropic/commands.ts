// The anthropic agent's process tools: run_command (only the plan's allowed commands) and
// search_text (grep in a child process, so no pattern can stall the daemon). Both run as their own
// process group with the safe environment, bounded in time and output, and stop on cancel; with a
// sandbox (runners/sandbox.ts), each in its own view: a command's changes are checked and applied
// when it ends, a search's are discarded.
import { baseEnv, withoutSecrets } from "../../process/env.ts";
import { spawnGroup, tailBuffer } from "../../process/group.ts";
import { describeSettled, sandboxed, type SandboxedCommand } from "../sandbox.ts";
import type { RunContext } from "../runner.ts";
import { fail, ok, resolveRead, type ToolAnswer } from "./read-tools.ts";

/** The attempt whose sandbox the tools' processes run in (absent: unsandboxed). */
export type Containment = Pick<RunContext, "sandbox"> | undefined;

/** run_command's default time limit. */
export const COMMAND_TIMEOUT_MS = 2 * 60_000;
const SEARCH_TIMEOUT_MS = 20_000;
const COMMAND_OUTPUT_KB = 16;
const MAX_MATCHES = 200;
const MAX_LINE_CHARS = 300;
/** Characters allowed in the arguments added after an allowed command: nothing a shell acts on. */
const PLAIN_ARGS = /^[A-Za-z0-9_./:=@%+,\- ]*$/;

/**
 * The matching rule for run_command: the command (trimmed) must equal an entry of
 * `defaults.allowedCommands`, or be an entry followed by a space and plain arguments (letters,
 * digits, spaces and `_ . / : = @ % + , -`: no quotes, `;`, `&`, `|`, `$`, redirections or globs).
 * An allowed entry itself may use any shell syntax: the plan's author wrote it.
 */
export function commandAllowed(command: string, allowed: readonly string[]): { ok: true } | { ok: false; reason: string } {
  const cmd = command.trim();
  for (const raw of allowed) {
    const entry = raw.trim();
    if (entry === "") continue;
    if (cmd === entry) return { ok: true };
    if (cmd.startsWith(`${entry} `) && PLAIN_ARGS.test(cmd.slice(entry.length + 1))) return { ok: true };
  }
  const list = allowed.length ? allowed.map((a) => `\`${a}\``).join(", ") : "none (this plan allows no commands)";
  return {
    ok: false,
    reason: `refused: \`${cmd}\` is not an allowed command. Allowed: ${list}; each exactly, or followed by plain arguments (letters, digits, spaces and _ . / : = @ % + , -)`,
  };
}

/** run_command: an allowed command through /bin/sh in the project root; its exit code and output tail. */
export async function runCommandTool(root: string, allowed: readonly string[], input: { command?: unknown }, signal: AbortSignal, timeoutMs = COMMAND_TIMEOUT_MS, contain?: Containment): Promise<ToolAnswer> {
  if (typeof input.command !== "string" || input.command.trim() === "") return fail("command must be a non-empty string");
  const check = commandAllowed(input.command, allowed);
  if (!check.ok) return fail(check.reason);
  const tail = tailBuffer(COMMAND_OUTPUT_KB);
  const box = contained(contain, ["/bin/sh", "-c", input.command.trim()], root, `run_command \`${input.command.trim()}\``);
  const run = await bounded(box, root, timeoutMs, signal, (chunk) => tail.push(chunk), () => false);
  const settled = box.finish({ apply: true });
  let output = (tail.truncated ? `[... earlier output dropped]\n` : "") + tail.text();
  if (settled && (settled.refused.length > 0 || settled.error)) {
    return fail(`${describeSettled(settled)}\nNothing this command changed was applied, and your attempt will fail for it. Change only paths inside your territory.\n${output}`);
  }
  if (settled && settled.changes.length > 0) output += `\n${describeSettled(settled)}`;
  if (run.stopped === "timeout") return fail(`\`${input.command.trim()}\` timed out after ${Math.round(timeoutMs / 1000)} s and was stopped\n${output}`);
  if (run.stopped === "cancelled") return fail("the command was stopped: the agent is being cancelled");
  if (run.error !== undefined) return fail(run.error);
  const status = run.code === null ? `killed by ${run.signal ?? "a signal"}` : `exit code ${run.code}`;
  return { content: `${status}\n${output}`, isError: run.code !== 0 };
}

/** search_text: matching lines (`path:line:text`) under a path, by extended regex, else literally. */
export async function searchTextTool(root: string, input: { pattern?: unknown; path?: unknown }, signal: AbortSignal, contain?: Containment): Promise<ToolAnswer> {
  if (typeof input.pattern !== "string" || input.pattern === "") return fail("pattern must be a non-empty string");
  if (input.pattern.includes("\0") || input.pattern.includes("\n")) return fail("pattern must be one line without NUL bytes");
  const where = resolveRead(root, input.path, ".");
  if ("reason" in where) return fail(where.reason);
  let answer = await grep(root, where.rel, input.pattern, "-E", signal, contain);
  if (answer === "bad-pattern") answer = await grep(root, where.rel, input.pattern, "-F", signal, contain);
  if (answer === "bad-pattern") return fail(`search_text could not use the pattern ${JSON.stringify(input.pattern)}`);
  return answer;
}

// One grep run: "bad-pattern" when grep rejects the expression.
async function grep(root: string, rel: string, pattern: string, mode: "-E" | "-F", signal: AbortSignal, contain: Containment): Promise<ToolAnswer | "bad-pattern"> {
  const lines: string[] = [];
  let partial = "";
  let full = false;
  const cmd = ["grep", "-rnIHs", mode, "--exclude-dir=.git", "--exclude-dir=node_modules", "-e", pattern, "--", rel];
  const onChunk = (chunk: string) => {
    if (full) return;
    const parts = (partial + chunk).split("\n");
    partial = parts.pop()!;
    for (const line of parts) {
      lines.push(line.length > MAX_LINE_CHARS ? `${line.slice(0, MAX_LINE_CHARS)}…` : line);
      if (lines.length >= MAX_MATCHES) {
        full = true;
        return;
      }
    }
  };
  const box = contained(contain, cmd, root, "search_text");
  const run = await bounded(box, root, SEARCH_TIMEOUT_MS, signal, onChunk, () => full);
  box.discard(); // a search changes nothing worth keeping
  if (!full && partial) lines.push(partial);
  if (run.stopped === "cancelled") return fail("the search was stopped: the agent is being cancelled");
  if (run.error !== undefined) return fail(`search_text could not run grep: ${run.error}`);
  // With -s, grep's only complaints are about the pattern (stdout and stderr arrive together).
  if (run.code === 2 && lines.every((l) => l.startsWith("grep: "))) return "bad-pattern";
  if (lines.length === 0) return ok(run.stopped === "timeout" ? "no match before the search timed out; narrow the path" : "no match");
  const shown = lines.map((l) => l.replace(/^\.\//, ""));
  if (full) shown.push(`[... stopped at ${MAX_MATCHES} matches; narrow the pattern or the path]`);
  else if (run.stopped === "timeout") shown.push(`[... the search timed out after ${SEARCH_TIMEOUT_MS / 1000} s; narrow the path]`);
  return ok(shown.join("\n"));
}

interface Bounded {
  code: number | null;
  signal: string | null;
  error?: string;
  stopped?: "timeout" | "cancelled" | "enough";
}

// `cmd` with the safe environment, in the attempt's sandbox when it has one.
function contained(contain: Containment, cmd: string[], cwd: string, source: string): SandboxedCommand {
  return sandboxed(contain ?? {}, cmd, withoutSecrets(baseEnv()), cwd, { source });
}

// Run the command as a process group; stop it on timeout, on abort, or once `enough()` says so.
async function bounded(box: SandboxedCommand, cwd: string, timeoutMs: number, signal: AbortSignal, onOutput: (chunk: string) => void, enough: () => boolean): Promise<Bounded> {
  if (signal.aborted) return { code: null, signal: null, stopped: "cancelled" };
  let stopped: Bounded["stopped"];
  let group: ReturnType<typeof spawnGroup> | undefined;
  const stop = (why: NonNullable<Bounded["stopped"]>) => {
    if (stopped) return;
    stopped = why;
    void group?.terminate(500);
  };
  group = spawnGroup({
    cmd: box.cmd,
    cwd,
    env: box.env,
    onOutput: (chunk) => {
      onOutput(chunk);
      if (!stopped && enough()) stop("enough");
    },
  });
  // output that arrived before `group` was assigned may already have asked for a stop
  if (stopped) void group.terminate(500);
  const timer = setTimeout(() => stop("timeout"), timeoutMs);
  const onAbort = () => stop("cancelled");
  signal.addEventListener("abort", onAbort, { once: true });
  try {
    const exit = await group.exited;
    return { code: exit.code, signal: exit.signal, ...(exit.error !== undefined ? { error: exit.error } : {}), ...(stopped ? { stopped } : {}) };
  } finally {
    clearTimeout(timer);
    signal.removeEventListener("abort", onAbort);
  }
}
