// What the outcomes of IO mean for a plan: an attempt ended, an agent's contract checks ran, a
// wave's gate ran, an agent spent money. Outcome precedence, retry with backoff and the budget
// stop are written here and nowhere else. Pure: each returns the transitions it made.
import type { StepOf, StopCause } from "../../protocol/index.ts";
import type { PlanIndex } from "./plan-index.ts";
import { contractsFailed, gateFailed } from "./repair.ts";
import { setAgentState, setWaveState, type PlanRunState, type Transition } from "./state.ts";

export interface RetryPolicy {
  /** delay before the 2nd attempt; doubles for each later one */
  baseMs: number;
  maxMs: number;
}
export const DEFAULT_RETRY: RetryPolicy = { baseMs: 2_000, maxMs: 300_000 };

/** What the IO shell must do because of a step (the transitions themselves are already made). */
export type Effect =
  /** ask a running attempt to stop (SIGTERM, grace, SIGKILL); it then ends as its stop cause says */
  | { type: "stop-agent"; agent: string; reason: string }
  /** abort the gate under way; its result decides nothing */
  | { type: "abort-gate" }
  /** apply the held changes of the wave's speculative attempts, in wave order (its gate passed; core/speculate.ts) */
  | { type: "release-held"; wave: string }
  /** run the contract checks of an agent now validating (a person overrode some of them) */
  | { type: "check-contracts"; agent: string };

export interface Reduced {
  transitions: Transition[];
  effects: Effect[];
}

/** Backoff before attempt `attempt + 1`, after `attempt` failed attempts. */
export function retryDelay(attempt: number, policy: RetryPolicy): number {
  return Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
}

/** Why a stop cause ends an attempt, for people. */
export function stopReason(cause: StopCause, index: PlanIndex, agent: string): string {
  const plan = index.plan.name;
  switch (cause) {
    case "person":
      return `cancelled by a person; wave ${index.agents.get(agent)!.wave} cannot pass without it: \`purplectl retry ${plan} ${agent}\` runs it again, \`purplectl cancel ${plan}\` ends the plan`;
    case "plan-cancelled":
      return "the plan was cancelled";
    case "budget":
      return "the plan's budget is spent";
    case "drain":
      return "purpled stopped while it ran";
    case "discard":
      return "its speculative work was discarded: the gate before its wave failed";
  }
}

/**
 * A stop asked of an agent decides how it ends, before anything the attempt itself said:
 * a person's or the plan's cancel → cancelled; the daemon stopping → interrupted (it runs
 * again after a restart); the budget → blocked. Null when no stop was asked.
 */
export function endByStop(index: PlanIndex, run: PlanRunState, id: string, now: number): Transition[] | null {
  const st = run.agents.get(id)!;
  const cause = st.stop;
  if (cause === null) return null;
  const reason = stopReason(cause, index, id);
  if (cause === "person" || cause === "plan-cancelled") {
    const t = setAgentState(run, id, "cancelled", reason, now);
    st.cancelledBy = cause;
    return [t];
  }
  if (cause === "drain") return [setAgentState(run, id, "interrupted", reason, now)];
  return [setAgentState(run, id, "blocked", st.blockers.at(-1) ?? reason, now)];
}

/**
 * An attempt ended. Precedence: a stale report (the agent no longer runs) changes nothing; a
 * stop that was asked; the runner saying it needs a person (blocked); writes outside the
 * territory; any other unfinished end (a failure, with retries); finished (to validating when
 * it owns contract checks, else completed).
 */
export function attemptEnded(index: PlanIndex, run: PlanRunState, e: StepOf<"attempt-ended">, now: number, policy: RetryPolicy): Transition[] {
  const st = run.agents.get(e.agent);
  if (!st || st.state !== "running") return [];
  const stopped = endByStop(index, run, e.agent, now);
  if (stopped) return stopped;
  if (e.outcome === "blocked") {
    st.blockers.push(e.message);
    return [setAgentState(run, e.agent, "blocked", e.message, now)];
  }
  if (e.trespass.length > 0) return failure(index, run, e.agent, `wrote outside its territory: ${e.trespass.join(", ")} (reverted)`, !e.final, now, policy);
  if (e.outcome !== "finished") return failure(index, run, e.agent, e.message, !e.final, now, policy);
  return [setAgentState(run, e.agent, e.validate ? "validating" : "completed", null, now)];
}

/** The contract checks of a validating agent ran: completed when all passed, else a repair round or the breaker (repair.ts). */
export function contractsChecked(index: PlanIndex, run: PlanRunState, e: StepOf<"contracts-checked">, now: number, policy: RetryPolicy): Transition[] {
  const st = run.agents.get(e.agent);
  if (!st || st.state !== "validating") return [];
  const stopped = endByStop(index, run, e.agent, now);
  if (stopped) return stopped;
  if (e.failed.length === 0) return [setAgentState(run, e.agent, "completed", null, now)];
  if (e.failures) return contractsFailed(index, run, e, now);
  // journaled before repair rounds existed: a failed attempt, as it was then
  return failure(index, run, e.agent, `contract checks failed: ${e.failed.join(", ")}`, true, now, policy);
}

/** A failed attempt: queued again after a backoff while retries remain and the plan goes on, else failed. */
function failure(index: PlanIndex, run: PlanRunState, id: string, reason: string, retryable: boolean, now: number, policy: RetryPolicy): Transition[] {
  const info = index.agents.get(id)!;
  const st = run.agents.get(id)!;
  if (retryable && st.attempt - st.repairAttempts <= info.retries && (run.state === "running" || run.state === "paused")) {
    const delay = retryDelay(st.attempt, policy);
    st.notBefore = now + delay;
    return [setAgentState(run, id, "queued", `attempt ${st.attempt} failed: ${reason}; retrying in ${Math.round(delay / 1000)}s`, now)];
  }
  return [setAgentState(run, id, "failed", reason, now)];
}

/** The wave's gate finished: passed moves to the next wave; failed starts a repair round or blocks the plan (repair.ts). */
export function gateEnded(index: PlanIndex, run: PlanRunState, e: StepOf<"gate-ended">, now: number): Transition[] {
  const wave = run.waves[run.waveIndex];
  if (!wave || wave.state !== "validating" || run.state === "cancelled") return [];
  if (e.passed) {
    const t = setWaveState(run, run.waveIndex, "passed");
    run.waveIndex += 1;
    return [t];
  }
  return gateFailed(index, run, e, now);
}

/**
 * An agent spent money. Its own budget reached: it must stop (the runner ends blocked). The
 * plan's budget reached: every running agent of the plan stops and ends blocked.
 */
export function spend(index: PlanIndex, run: PlanRunState, e: StepOf<"spend">): Reduced {
  const st = run.agents.get(e.agent);
  if (!st) return { transitions: [], effects: [] };
  st.spentUsd += e.costUsd;
  const effects: Effect[] = [];
  const agentBudget = index.agents.get(e.agent)!.agent.budgetUsd;
  if (agentBudget !== undefined && st.spentUsd >= agentBudget) {
    st.blockers.push(`spent $${st.spentUsd.toFixed(4)} of its $${agentBudget} budget`);
    if (st.state === "running") st.stop ??= "budget";
    effects.push({ type: "stop-agent", agent: e.agent, reason: st.blockers.at(-1)! });
  }
  const planBudget = index.plan.budgetUsd;
  if (planBudget !== undefined && effects.length === 0) {
    let total = 0;
    for (const a of run.agents.values()) total += a.spentUsd;
    if (total >= planBudget) {
      const why = `the plan spent $${total.toFixed(4)} of its $${planBudget} budget`;
      for (const id of run.running) {
        const a = run.agents.get(id)!;
        a.stop ??= "budget";
        a.blockers.push(why);
        effects.push({ type: "stop-agent", agent: id, reason: why });
      }
      if (!run.running.has(e.agent)) effects.push({ type: "stop-agent", agent: e.agent, reason: why });
    }
  }
  return { transitions: [], effects };
}
