// The anthropic agent's tools: their definitions (one constant list, the same for every agent, so
// tools + system form one cacheable prefix) and the dispatcher that runs a tool_use block. A tool
// never throws: every refusal or failure is an answer with isError, worded so the model can act.
import type { Tool } from "@anthropic-ai/sdk/resources/messages";
import type { AgentReporter } from "../runner.ts";
import { runCommandTool, searchTextTool, type Containment } from "./commands.ts";
import { fail, listDirTool, ok, readFileTool, type ToolAnswer } from "./read-tools.ts";
import { guardedReadForEdit, guardedWrite, type WriteScope } from "./write-guard.ts";

const str = (description: string) => ({ type: "string", description });

/** Every tool an anthropic agent has, in a fixed order. */
export const TOOL_DEFINITIONS: Tool[] = [
  {
    name: "read_file",
    description: "Read a text file anywhere in the project (the first 256 KB).",
    input_schema: { type: "object", properties: { path: str("path relative to the project root") }, required: ["path"] },
  },
  {
    name: "list_dir",
    description: "List a directory of the project: folders end in '/', symbolic links in '@'.",
    input_schema: { type: "object", properties: { path: str("directory relative to the project root; default the root") } },
  },
  {
    name: "search_text",
    description:
      "Search the project's text files for lines matching an extended regular expression (grep -E; if it is not a valid one, the literal text). " +
      "Skips .git/ and node_modules/. Answers `path:line:text` lines, at most 200.",
    input_schema: {
      type: "object",
      properties: { pattern: str("extended regular expression, or literal text"), path: str("file or directory to search, relative to the project root; default the root") },
      required: ["pattern"],
    },
  },
  {
    name: "write_file",
    description: "Create or replace a file with the given content. Only paths inside your territory are accepted; parent folders are created.",
    input_schema: { type: "object", properties: { path: str("path relative to the project root"), content: str("the complete new content") }, required: ["path", "content"] },
  },
  {
    name: "edit_file",
    description: "Replace exactly one occurrence of old_string with new_string in a file inside your territory. Fails when old_string occurs zero times or more than once: include enough context to make it unique.",
    input_schema: {
      type: "object",
      properties: { path: str("path relative to the project root"), old_string: str("the exact text to replace"), new_string: str("the replacement text") },
      required: ["path", "old_string", "new_string"],
    },
  },
  {
    name: "run_command",
    description:
      "Run one of the plan's allowed commands (listed in the system prompt) with /bin/sh in the project root, for at most 2 minutes. " +
      "The command must equal an allowed entry, or be one followed by plain arguments. Answers the exit code and the end of the output.",
    input_schema: { type: "object", properties: { command: str("the command line") }, required: ["command"] },
  },
  {
    name: "start_ticket",
    description: "Mark one of your tickets as in progress. Call it when you begin work on the ticket.",
    input_schema: { type: "object", properties: { ticket_id: str("the ticket id, e.g. URL-1") }, required: ["ticket_id"] },
  },
  {
    name: "complete_ticket",
    description: "Mark one of your tickets as completed, once its work is written.",
    input_schema: { type: "object", properties: { ticket_id: str("the ticket id") }, required: ["ticket_id"] },
  },
  {
    name: "report_status",
    description: "Tell the people watching what you are doing now, in one short sentence.",
    input_schema: {
      type: "object",
      properties: { message: str("one sentence"), percent: { type: "number", description: "how far along you are, 0 to 100" } },
      required: ["message"],
    },
  },
  {
    name: "finish",
    description: "End your work: call it once, after every ticket is completed, with a short summary of what you changed. Nothing after it runs.",
    input_schema: { type: "object", properties: { summary: str("what you did, for the people reading the status") }, required: ["summary"] },
  },
];

/** What the tools of one run work with. */
export interface ToolEnv {
  /** the project root (real path) and the agent's territory */
  scope: WriteScope;
  allowedCommands: readonly string[];
  /** the ticket ids this agent may start and complete */
  tickets: readonly string[];
  reporter: AgentReporter;
  /** aborted when the run is cancelled or times out */
  signal: AbortSignal;
  commandTimeoutMs?: number;
  /** the attempt, whose sandbox run_command and search_text run in */
  contain?: Containment;
}

/** A tool's answer; `finish` holds the summary when the agent called finish. */
export type ToolOutcome = ToolAnswer & { finish?: string };

/** Run one tool call; never throws. */
export async function runTool(env: ToolEnv, name: string, rawInput: unknown): Promise<ToolOutcome> {
  const input = (typeof rawInput === "object" && rawInput !== null ? rawInput : {}) as Record<string, unknown>;
  try {
    switch (name) {
      case "read_file":
        return readFileTool(env.scope.root, input);
      case "list_dir":
        return listDirTool(env.scope.root, input);
      case "search_text":
        return await searchTextTool(env.scope.root, input, env.signal, env.contain);
      case "write_file":
        return writeFile(env, input);
      case "edit_file":
        return editFile(env, input);
      case "run_command":
        return await runCommandTool(env.scope.root, env.allowedCommands, input, env.signal, env.commandTimeoutMs, env.contain);
      case "start_ticket":
      case "complete_ticket":
        return ticket(env, name, input.ticket_id);
      case "report_status":
        return reportStatus(env, input);
      case "finish":
        return { ...ok("finished"), finish: typeof input.summary === "string" && input.summary.trim() ? input.summary.trim() : "finished" };
      default:
        return fail(`there is no tool ${JSON.stringify(name)}; the tools are ${TOOL_DEFINITIONS.map((t) => t.name).join(", ")}`);
    }
  } catch (err) {
    return fail(`${name} failed: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function writeFile(env: ToolEnv, input: Record<string, unknown>): ToolAnswer {
  if (typeof input.content !== "string") return fail("content must be a string");
  const r = guardedWrite(env.scope, input.path, input.content);
  if (r.ok) env.reporter.changed?.([r.rel]);
  return r.ok ? ok(`wrote ${r.rel} (${r.bytes} bytes)`) : fail(r.reason);
}

function editFile(env: ToolEnv, input: Record<string, unknown>): ToolAnswer {
  const { old_string: from, new_string: to } = input;
  if (typeof from !== "string" || from === "") return fail("old_string must be a non-empty string");
  if (typeof to !== "string") return fail("new_string must be a string");
  const read = guardedReadForEdit(env.scope, input.path);
  if (!read.ok) return fail(read.reason);
  const first = read.text.indexOf(from);
  if (first < 0) return fail(`old_string was not found in ${read.rel}; read the file and copy the text exactly`);
  let count = 0;
  for (let at = first; at >= 0 && count < 2; at = read.text.indexOf(from, at + 1)) count++;
  if (count > 1) return fail(`old_string occurs more than once in ${read.rel}; include more surrounding text so it matches exactly once`);
  const next = read.text.slice(0, first) + to + read.text.slice(first + from.length);
  const w = guardedWrite(env.scope, input.path, next);
  if (w.ok) env.reporter.changed?.([w.rel]);
  return w.ok ? ok(`edited ${w.rel}`) : fail(w.reason);
}

function ticket(env: ToolEnv, name: "start_ticket" | "complete_ticket", id: unknown): ToolAnswer {
  if (typeof id !== "string" || id === "") return fail("ticket_id must be a string such as the ids listed under your tickets");
  if (!env.tickets.includes(id)) return fail(`ticket ${id} is not one of yours; your tickets are ${env.tickets.join(", ")}`);
  if (name === "start_ticket") env.reporter.startTicket(id);
  else env.reporter.completeTicket(id);
  return ok(name === "start_ticket" ? `ticket ${id} is in progress` : `ticket ${id} is completed`);
}

function reportStatus(env: ToolEnv, input: Record<string, unknown>): ToolAnswer {
  if (typeof input.message !== "string" || input.message.trim() === "") return fail("message must be a non-empty string");
  const percent = input.percent;
  if (percent !== undefined && (typeof percent !== "number" || !Number.isFinite(percent) || percent < 0 || percent > 100)) {
    return fail("percent must be a number from 0 to 100");
  }
  env.reporter.status(input.message.trim(), percent as number | undefined);
  return ok("status reported");
}
