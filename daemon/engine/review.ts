// The engine's side of judge checks: which changes a reviewer sees (the changed files recorded
// for the wave's agents, or the contract owner's), which contract specs, and whose budget pays.
// The reviewer's usage is charged through the same reporter.spend as an agent's own turns — to
// the contract's owner for a contract check, to the wave's first agent for a gate check — so it
// counts toward the plan's cost and budget (the core's spend step decides a budget stop) and
// survives a restart with the agent's record. Which reviewer answers is chosen here: Claude Code
// when the plan's default runner is claude-code, the Messages API through the SDK otherwise.
import type { Contract, Plan } from "../../protocol/index.ts";
import type { CheckContext } from "../gates/checks.ts";
import type { JudgeSubject } from "../gates/judge-brief.ts";
import type { ReviewerAccess } from "../gates/judge.ts";
import { sdkReviewer, unavailableReviewer, type Reviewer } from "../gates/reviewer.ts";
import type { Executor } from "../sandbox/executor.ts";
import { NO_CLAUDE_MESSAGE } from "../runners/claude-code/runner.ts";
import type { PlanEntry, PlanHost } from "./plan-entry.ts";
import { reporterFor } from "./reporter.ts";

/** What a judge check needs of the engine. */
export interface ReviewEnv extends PlanHost {
  readonly opts: { root: string; reviewer?: ReviewerAccess | null; claudeReviewer?: Reviewer | null; executor?: Executor };
}

/** The reviewer of a plan's judge checks: the plan's runner's own model access. */
export function reviewerFor(env: ReviewEnv, plan: Plan): Reviewer {
  if (plan.defaults.runner === "claude-code") return env.opts.claudeReviewer ?? unavailableReviewer(NO_CLAUDE_MESSAGE);
  return sdkReviewer(env.opts.reviewer ?? null);
}

/** ctx.judge for the checks of one gate or one contract. */
export function judgeFor(env: ReviewEnv, entry: PlanEntry, subject: JudgeSubject, signal?: AbortSignal): NonNullable<CheckContext["judge"]> {
  return (check) => {
    const { plan } = entry.index;
    const { agents, contracts } = scopeOf(entry, subject);
    const changed = new Set<string>();
    for (const id of agents) for (const f of entry.records.get(id)?.changedFiles ?? []) changed.add(f);
    const payer = reporterFor(env, entry, agents[0] ?? plan.agents[0]!.id);
    const executor = env.opts.executor;
    return reviewerFor(env, plan).review(
      { statement: check.text, plan, subject, agents, changedFiles: [...changed], contracts, root: env.opts.root, planDir: entry.meta.dir },
      { model: check.model ?? plan.defaults.model, spend: (u) => payer.spend(u), ...(signal ? { signal } : {}), ...(executor ? { view: () => executor.gateView() } : {}) },
    );
  };
}

// A contract: its owner's changes and its own spec. A gate: the wave's agents' changes and every
// contract the gate names or the wave's agents own or consume.
function scopeOf(entry: PlanEntry, subject: JudgeSubject): { agents: string[]; contracts: Contract[] } {
  const { plan, waves } = entry.index;
  if (subject.kind === "contract") {
    const contract = plan.contracts.find((c) => c.id === subject.contract);
    return { agents: contract?.owner ? [contract.owner] : [], contracts: contract ? [contract] : [] };
  }
  const wave = waves.find((w) => w.id === subject.wave);
  const agents = wave?.agents.map((a) => a.id) ?? [];
  const named = new Set((wave?.gate ?? []).flatMap((c) => ("contract" in c ? [c.contract] : [])));
  const contracts = plan.contracts.filter((c) => named.has(c.id) || (c.owner && agents.includes(c.owner)) || c.consumers.some((x) => agents.includes(x)));
  return { agents, contracts };
}
