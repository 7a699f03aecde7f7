// What a plan may cost before it runs (`purplectl plan`): a low and a high figure per agent and in
// all, from the size of each agent's prompt, the model's prices (protocol/pricing.ts) and stated
// assumptions about turns. Pure: the caller passes the sizes of the contract specs it read.
import { costOf, priceOf } from "../../protocol/pricing.ts";
import type { Agent, Plan } from "../../protocol/plan.ts";

/** How one end of the range is reckoned. */
export interface Scenario {
  /** attempts per agent: 1, or every retry the plan allows */
  attempts: "one" | "all";
  turns: number;
  /** new tokens entering the conversation per turn (tool results, file contents) */
  growthTokens: number;
  outputTokens: number;
}

export const LOW: Scenario = { attempts: "one", turns: 8, growthTokens: 1_000, outputTokens: 300 };
export const HIGH: Scenario = { attempts: "all", turns: 40, growthTokens: 3_000, outputTokens: 1_200 };
/** characters per token, for English prose and code */
export const CHARS_PER_TOKEN = 4;
/** purple's own working standards and tool definitions (anthropic runner) */
const ANTHROPIC_OVERHEAD_TOKENS = 2_500;
/** Claude Code's own system prompt and tools */
const CLAUDE_CODE_OVERHEAD_TOKENS = 15_000;
/** the runner caps each spec it puts in the prompt, and all of them together (runners/anthropic/prompt.ts) */
export const SPEC_CAP_BYTES = 16 * 1024;
export const SPECS_TOTAL_CAP_BYTES = 64 * 1024;

export interface AgentEstimate {
  agent: string;
  runner: string;
  model: string | null;
  promptTokens: number;
  low: number;
  high: number;
  /** the agent's own budget caps its spend */
  capUsd: number | null;
  note: string;
}

export interface Estimate {
  agents: AgentEstimate[];
  low: number;
  high: number;
  /** the plan's budget caps the whole spend */
  capUsd: number | null;
  assumptions: string[];
}

/** The estimate for a plan; `specBytes` are the sizes of its contracts' spec files (missing ones 0). */
export function estimatePlan(plan: Plan, specBytes: number[]): Estimate {
  let specs = 0;
  for (const b of specBytes) specs += Math.min(b, SPEC_CAP_BYTES);
  const sharedChars = JSON.stringify({ goal: plan.goal, agents: plan.agents.map((a) => [a.id, a.role, a.territory, a.dependsOn]), waves: plan.waves, contracts: plan.contracts }).length + Math.min(specs, SPECS_TOTAL_CAP_BYTES);
  const agents = plan.agents.map((a) => estimateAgent(plan, a, Math.ceil(sharedChars / CHARS_PER_TOKEN)));
  const sum = (k: "low" | "high") => agents.reduce((n, a) => n + a[k], 0);
  const low = sum("low");
  const high = plan.budgetUsd !== undefined ? Math.min(sum("high"), plan.budgetUsd) : sum("high");
  return { agents, low, high, capUsd: plan.budgetUsd ?? null, assumptions: assumptions() };
}

function estimateAgent(plan: Plan, a: Agent, sharedTokens: number): AgentEstimate {
  const runner = a.runner?.kind ?? plan.defaults.runner;
  const capUsd = a.budgetUsd ?? null;
  if (runner === "command") return { agent: a.id, runner, model: null, promptTokens: 0, low: 0, high: 0, capUsd, note: "runs a program: no model spend" };
  const model = (a.runner && "model" in a.runner ? a.runner.model : undefined) ?? a.model ?? plan.defaults.model;
  const own = JSON.stringify({ id: a.id, role: a.role, territory: a.territory, tickets: a.tickets, prompt: a.prompt ?? "" }).length;
  const overhead = runner === "claude-code" ? CLAUDE_CODE_OVERHEAD_TOKENS : ANTHROPIC_OVERHEAD_TOKENS;
  const promptTokens = overhead + sharedTokens + Math.ceil(own / CHARS_PER_TOKEN);
  const attempts = 1 + (a.retries ?? plan.defaults.retries);
  const low = conversationCost(model, promptTokens, LOW);
  let high = conversationCost(model, promptTokens, HIGH) * attempts;
  if (capUsd !== null) high = Math.min(high, capUsd);
  const known = priceOf(model).known;
  return { agent: a.id, runner, model, promptTokens, low, high, capUsd, note: known ? "" : "model not in the price table: priced as the dearest model" };
}

/**
 * One attempt's cost with prompt caching as the runners use it: every token is written to the
 * cache once, each later turn reads the whole conversation so far from it, and the model writes
 * `outputTokens` a turn.
 */
export function conversationCost(model: string, promptTokens: number, s: Scenario): number {
  const perTurn = s.growthTokens + s.outputTokens;
  const cacheWriteTokens = promptTokens + s.turns * perTurn;
  const cacheReadTokens = (s.turns - 1) * promptTokens + (perTurn * s.turns * (s.turns - 1)) / 2;
  return costOf(model, { inputTokens: 0, outputTokens: s.turns * s.outputTokens, cacheReadTokens, cacheWriteTokens });
}

function assumptions(): string[] {
  const turn = (s: Scenario) => `${s.turns} turns, each adding ~${s.growthTokens.toLocaleString("en-US")} tokens of tool results and writing ~${s.outputTokens.toLocaleString("en-US")} tokens`;
  return [
    `low: one attempt per agent, ${turn(LOW)}`,
    `high: every attempt the plan's retries allow, ${turn(HIGH)}; capped by budgetUsd where the plan sets one`,
    `prompt: ~${CHARS_PER_TOKEN} characters a token; the plan, its contracts' specs (up to ${SPEC_CAP_BYTES / 1024} KB each, ${SPECS_TOTAL_CAP_BYTES / 1024} KB in all) and the agent's own part, plus ~${ANTHROPIC_OVERHEAD_TOKENS.toLocaleString("en-US")} tokens of purple's standards and tools (~${CLAUDE_CODE_OVERHEAD_TOKENS.toLocaleString("en-US")} for Claude Code's own)`,
    "caching: each token written to the prompt cache once and read from it on every later turn; the prefix agents of a plan share is counted for each of them (so the low end is not an undercount)",
    "not counted: judge gate checks (a reviewer model's turn each), repair rounds after a failed gate",
  ];
}
