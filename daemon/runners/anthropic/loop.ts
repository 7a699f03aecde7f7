// The anthropic agent's tool-use loop: send the conversation, run every tool the model calls,
// answer with tool_result blocks, until the model calls finish (or ends its turn without a tool
// call), a budget is spent, a fault is final, the turn limit is reached, or the run is stopped.
import type { Usage as ApiUsage, ContentBlockParam, Message, MessageCreateParamsBase, MessageParam, ToolResultBlockParam, ToolUseBlock } from "@anthropic-ai/sdk/resources/messages";
import { zeroUsage, type Usage } from "../../../protocol/index.ts";
import type { RunContext } from "../runner.ts";
import { costOf } from "../../../protocol/pricing.ts";
import type { RenderedPrompt } from "./prompt.ts";
import { requestTurn, type TurnOptions } from "./request.ts";
import { runTool, TOOL_DEFINITIONS, type ToolEnv } from "./tools.ts";

export interface LoopOptions extends Omit<TurnOptions, "charge"> {
  ctx: RunContext;
  model: string;
  maxTokens: number;
  maxTurns: number;
  prompt: RenderedPrompt;
  tools: ToolEnv;
}

/** How the loop ended; "stopped" means cancelled or timed out (the runner knows which). */
export type LoopEnd = { kind: "finished" | "failed" | "blocked"; message: string } | { kind: "stopped" };

const CUT_OFF = "Your reply was cut off at the output limit. Continue where you stopped, and do your work through the tools.";

/** Run the conversation to its end; `usage` is everything this attempt spent. */
export async function runLoop(o: LoopOptions): Promise<{ end: LoopEnd; usage: Usage }> {
  const usage = zeroUsage();
  let blocked = false;
  const charge = (api: ApiUsage): boolean => {
    const turn = usageOf(o.model, api);
    add(usage, turn);
    if (!o.ctx.reporter.spend(turn)) blocked = true;
    return !blocked;
  };
  const turnOptions: TurnOptions = { ...o, charge };
  const messages: MessageParam[] = [{ role: "user", content: [{ type: "text", text: o.prompt.firstMessage }] }];

  for (let turn = 1; turn <= o.maxTurns; turn++) {
    const r = await requestTurn(turnOptions, turn, bodyOf(o, messages));
    if (r.kind === "stopped") return { end: { kind: "stopped" }, usage };
    if (r.kind === "blocked") return { end: { kind: "blocked", message: budgetMessage(o.ctx, usage) }, usage };
    if (r.kind === "failed") return { end: { kind: "failed", message: r.message }, usage };
    const message = r.message;
    if (!charge(message.usage)) return { end: { kind: "blocked", message: budgetMessage(o.ctx, usage) }, usage };
    messages.push({ role: "assistant", content: message.content as ContentBlockParam[] });

    const calls = message.content.filter((b): b is ToolUseBlock => b.type === "tool_use");
    if (calls.length === 0) {
      if (message.stop_reason === "max_tokens") {
        messages.push({ role: "user", content: [{ type: "text", text: CUT_OFF }] });
        continue;
      }
      if (message.stop_reason === "refusal") return { end: { kind: "failed", message: `the model refused: ${textOf(message) || "no reason given"}` }, usage };
      if (message.stop_reason === "model_context_window_exceeded") return { end: { kind: "failed", message: "the conversation outgrew the model's context window" }, usage };
      const said = textOf(message);
      return { end: { kind: "finished", message: said ? `ended its turn without calling finish: ${said}` : "ended its turn without calling finish" }, usage };
    }

    const results: ToolResultBlockParam[] = [];
    let summary: string | undefined;
    for (const call of calls) {
      const answer = await runTool(o.tools, call.name, call.input);
      if (o.signal.aborted) return { end: { kind: "stopped" }, usage };
      if (answer.finish !== undefined) summary = answer.finish;
      results.push({ type: "tool_result", tool_use_id: call.id, content: answer.content, ...(answer.isError ? { is_error: true } : {}) });
    }
    if (summary !== undefined) return { end: { kind: "finished", message: summary }, usage };
    messages.push({ role: "user", content: results });
  }
  return { end: { kind: "failed", message: `reached the maximum of ${o.maxTurns} turns without calling finish` }, usage };
}

// The request body of a turn: the shared prefix (tools, system) and the conversation, with a second
// cache breakpoint on the newest message so each turn reads the turns before it from the cache.
function bodyOf(o: LoopOptions, messages: MessageParam[]): MessageCreateParamsBase {
  return { model: o.model, max_tokens: o.maxTokens, system: o.prompt.system, tools: TOOL_DEFINITIONS, messages: withBreakpoint(messages) };
}

function withBreakpoint(messages: MessageParam[]): MessageParam[] {
  const last = messages[messages.length - 1];
  if (!last || typeof last.content === "string" || last.content.length === 0) return messages;
  const blocks: unknown[] = last.content.slice();
  blocks[blocks.length - 1] = { ...(blocks[blocks.length - 1] as object), cache_control: { type: "ephemeral" } };
  return [...messages.slice(0, -1), { ...last, content: blocks } as MessageParam];
}

/** The protocol's usage (with cost) of one API usage block. */
export function usageOf(model: string, api: ApiUsage): Usage {
  const tokens = {
    inputTokens: api.input_tokens ?? 0,
    outputTokens: api.output_tokens ?? 0,
    cacheReadTokens: api.cache_read_input_tokens ?? 0,
    cacheWriteTokens: api.cache_creation_input_tokens ?? 0,
  };
  return { ...tokens, costUsd: costOf(model, tokens) };
}

function add(into: Usage, u: Usage): void {
  for (const k of Object.keys(into) as (keyof Usage)[]) into[k] += u[k];
}

// Which budget stopped the agent, as far as this attempt can tell.
function budgetMessage(ctx: RunContext, usage: Usage): string {
  const spent = `$${usage.costUsd.toFixed(4)} spent by this attempt`;
  const agent = ctx.agent.budgetUsd;
  const plan = ctx.plan.budgetUsd;
  if (agent !== undefined && (plan === undefined || usage.costUsd >= agent)) return `stopped: agent ${ctx.agent.id}'s budget of $${agent} is spent (${spent})`;
  if (agent === undefined && plan !== undefined) return `stopped: the plan's budget of $${plan} is spent (${spent})`;
  if (agent !== undefined && plan !== undefined) return `stopped: agent ${ctx.agent.id}'s budget of $${agent} or the plan's budget of $${plan} is spent (${spent})`;
  return `stopped: the budget is spent (${spent})`;
}

function textOf(message: Message): string {
  const text = message.content.flatMap((b) => (b.type === "text" ? [b.text] : [])).join(" ").replace(/\s+/g, " ").trim();
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}
