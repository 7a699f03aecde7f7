// The judge check (SPEC §4) on the SDK (gates/reviewer.ts: the reviewer of plans not run by
// Claude Code): a reviewer model on the Anthropic Messages API decides whether a
// statement holds. It may read the project (read_file, list_dir: read-only, inside R) and must
// answer through the verdict tool, whose input is checked against the protocol's Verdict schema.
// Anything else — prose, a malformed verdict, too many turns, a failed request, a spent budget —
// is a failed check saying why. Every turn's usage is charged through `spend` (the plan's budget)
// and returned with the result. Requests go through the anthropic runner's client, key limiter
// and retrying turn; the conversation is kept in validation/judge/<subject>/transcript.jsonl.
import { realpathSync } from "node:fs";
import { join } from "node:path";
import type Anthropic from "@anthropic-ai/sdk";
import type { ContentBlock, ContentBlockParam, MessageParam, Tool, ToolResultBlockParam, ToolUseBlock, Usage as ApiUsage } from "@anthropic-ai/sdk/resources/messages";
import { addUsage, zeroUsage, type Usage } from "../../protocol/index.ts";
import type { KeyLimiter } from "../runners/anthropic/limiter.ts";
import { usageOf } from "../runners/anthropic/loop.ts";
import { listDirTool, readFileTool } from "../runners/anthropic/read-tools.ts";
import { requestTurn } from "../runners/anthropic/request.ts";
import { TOOL_DEFINITIONS } from "../runners/anthropic/tools.ts";
import { Transcript } from "../runners/anthropic/transcript.ts";
import { JUDGE_SYSTEM, judgeBrief, subjectDir, type JudgeBriefInput } from "./judge-brief.ts";
import { noVerdict, outcomeOf, saidNote, VERDICT_JSON_SCHEMA, type JudgeOutcome } from "./verdict.ts";

export type { JudgeOutcome };

/** The daemon's way to the Messages API, shared with the anthropic runner. */
export interface ReviewerAccess {
  /** the shared client (the SDK is loaded on first use) */
  client: () => Anthropic;
  apiKey: string;
  limiter: KeyLimiter;
}

export interface JudgeOptions {
  /** null: purpled has no API key (the check fails saying so) */
  access: ReviewerAccess | null;
  model: string;
  /** charge one turn's usage to the plan; false when a budget is now spent */
  spend(usage: Usage): boolean;
  signal?: AbortSignal;
  maxTurns?: number;
  watchdogMs?: number;
  turnRetries?: number;
  backoffBaseMs?: number;
}

const VERDICT_TOOL: Tool = {
  name: "verdict",
  description: "Give your verdict on the statement: pass, the reasons, and the files it rests on. Call it exactly once, as your answer.",
  input_schema: VERDICT_JSON_SCHEMA as Tool["input_schema"],
};
const READ_TOOLS = TOOL_DEFINITIONS.filter((t) => t.name === "read_file" || t.name === "list_dir");
const TOOLS: Tool[] = [...READ_TOOLS, VERDICT_TOOL];

/** Ask the reviewer; never throws. */
export async function judge(brief: JudgeBriefInput, o: JudgeOptions): Promise<JudgeOutcome> {
  const usage = zeroUsage();
  const fail = (why: string): JudgeOutcome => noVerdict(why, usage);
  if (!o.access) return fail("purpled has no Anthropic API key (set ANTHROPIC_API_KEY in its environment) to ask a reviewer model");
  const { apiKey, limiter } = o.access;
  const root = realpathSync(brief.root);
  const signal = o.signal ?? new AbortController().signal;
  const maxTurns = o.maxTurns ?? 12;
  const transcript = new Transcript(join(brief.planDir, "validation", "judge", subjectDir(brief.subject)));
  let budgetSpent = false;
  const charge = (api: ApiUsage): boolean => {
    const turn = usageOf(o.model, api);
    addUsage(usage, turn);
    if (!o.spend(turn)) budgetSpent = true;
    return !budgetSpent;
  };
  try {
    const first = judgeBrief(brief);
    transcript.writePrompt(`# System\n\n${JUDGE_SYSTEM}\n\n# Brief\n\n${first}\n`);
    const messages: MessageParam[] = [{ role: "user", content: [{ type: "text", text: first }] }];
    const turnOptions = { client: o.access.client(), apiKey, limiter, transcript, signal, charge, watchdogMs: o.watchdogMs ?? 60_000, turnRetries: o.turnRetries ?? 3, backoffBaseMs: o.backoffBaseMs ?? 1000 };
    for (let turn = 1; turn <= maxTurns; turn++) {
      const body = { model: o.model, max_tokens: 4096, system: JUDGE_SYSTEM, tools: TOOLS, tool_choice: { type: "any" as const }, messages };
      const r = await requestTurn(turnOptions, turn, body);
      if (r.kind === "stopped") return fail("the check was stopped (purpled is stopping or the plan was cancelled)");
      if (r.kind === "blocked") return fail("the plan's budget is spent");
      if (r.kind === "failed") return fail(`the reviewer model's request failed: ${r.message}`);
      if (!charge(r.message.usage)) return fail("the plan's budget is spent");
      messages.push({ role: "assistant", content: r.message.content as ContentBlockParam[] });
      const calls = r.message.content.filter((b): b is ToolUseBlock => b.type === "tool_use");
      const verdictCall = calls.find((c) => c.name === "verdict");
      if (verdictCall) return outcomeOf(verdictCall.input, usage);
      if (calls.length === 0) return fail(`the reviewer answered without calling the verdict tool${said(r.message.content)}`);
      const results: ToolResultBlockParam[] = calls.map((call) => {
        const input = (typeof call.input === "object" && call.input !== null ? call.input : {}) as { path?: unknown };
        const a = call.name === "read_file" ? readFileTool(root, input) : call.name === "list_dir" ? listDirTool(root, input) : { content: `no tool named ${call.name}: use read_file, list_dir or verdict`, isError: true };
        return { type: "tool_result", tool_use_id: call.id, content: a.content, ...(a.isError ? { is_error: true } : {}) };
      });
      messages.push({ role: "user", content: results });
    }
    return fail(`the reviewer gave no verdict within ${maxTurns} turns`);
  } catch (err) {
    return fail(`the reviewer could not be asked: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    transcript.end(budgetSpent ? "blocked" : "ended", "");
  }
}

function said(content: readonly ContentBlock[]): string {
  return saidNote(content.flatMap((b) => (b.type === "text" ? [b.text] : [])).join(" "));
}
