// Claude Code's PreToolUse hook for purple's agents (run as `bun write-hook.ts`): a Write, Edit,
// MultiEdit or NotebookEdit outside the agent's territory is refused before it happens, with a
// message the model can act on (exit 2: Claude Code blocks the call and shows it stderr). The
// same checks as the anthropic runner's write tools. The sandbox stays the real boundary (Bash
// writes never pass through here); this makes a refusal immediate and explained.
import { realpathSync } from "node:fs";
import { isAbsolute, relative, resolve } from "node:path";
import { checkWrite } from "../anthropic/write-guard.ts";

export const GUARDED_TOOLS = ["Write", "Edit", "MultiEdit", "NotebookEdit"] as const;

/** The compiled purpled runs this hook when given this flag first. */
export const WRITE_HOOK_FLAG = "--claude-write-hook";

/** The refusal for one hook input, or null when the write may go ahead. */
export function refusal(input: unknown, root: string, territory: readonly string[]): string | null {
  const i = (input && typeof input === "object" ? input : {}) as { tool_name?: unknown; tool_input?: Record<string, unknown>; cwd?: unknown };
  if (typeof i.tool_name !== "string" || !(GUARDED_TOOLS as readonly string[]).includes(i.tool_name)) return null;
  const raw = i.tool_input?.file_path ?? i.tool_input?.notebook_path;
  if (typeof raw !== "string" || raw === "") return `refused: ${i.tool_name} names no file path`;
  const cwd = typeof i.cwd === "string" && isAbsolute(i.cwd) ? i.cwd : root;
  const abs = resolve(cwd, raw);
  let realRoot: string;
  try {
    realRoot = realpathSync(root);
  } catch {
    return `refused: the project root ${root} cannot be resolved`;
  }
  const rel = relative(realRoot, abs.startsWith(root + "/") ? realRoot + abs.slice(root.length) : abs);
  if (rel === "" || rel.startsWith("../") || rel === ".." || isAbsolute(rel)) return `refused: ${raw} is outside the project root ${root}; write only inside your territory (${territory.join(", ") || "none"})`;
  const checked = checkWrite({ root: realRoot, territory }, rel.split("\\").join("/"));
  return checked.ok ? null : `${checked.reason}. Write only inside your territory; if the plan needs this file changed, say so in your final message instead.`;
}

/** Run as the hook: the input on stdin, the root and territory from the environment; the exit code. */
export async function runWriteHook(): Promise<number> {
  const root = process.env.PURPLE_ROOT ?? "";
  let territory: string[] = [];
  try {
    territory = JSON.parse(process.env.PURPLE_TERRITORY ?? "[]");
  } catch {
    // an unreadable territory is an empty one: every write is refused
  }
  const text = await new Response(Bun.stdin.stream()).text();
  let input: unknown = null;
  try {
    input = JSON.parse(text);
  } catch {
    process.stderr.write("purple write hook: the hook input is not JSON\n");
    return 2;
  }
  const why = root ? refusal(input, root, territory) : "refused: purple did not say where the project root is (PURPLE_ROOT)";
  if (why) process.stderr.write(`${why}\n`);
  return why ? 2 : 0;
}

if (import.meta.main) process.exit(await runWriteHook());
