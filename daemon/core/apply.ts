// How decisions and outcomes change the run state: pure functions returning the transitions made.
// The engine calls these and then does the IO each transition implies.
import type { Action } from "./decide.ts";
import type { PlanIndex } from "./plan-index.ts";
import { setAgentState, setPlanState, setWaveState, type PlanRunState, type Transition } from "./state.ts";

export interface RetryPolicy {
  /** delay before the 2nd attempt; doubles for each later one */
  baseMs: number;
  maxMs: number;
}
/** The reason given to agents cancelled because their plan failed before they ran. */
export const PLAN_FAILED_FIRST = "the plan failed before this agent ran";

export const DEFAULT_RETRY: RetryPolicy = { baseMs: 2_000, maxMs: 300_000 };

/** Backoff before attempt `attempt + 1`, after `attempt` failed attempts. */
export function retryDelay(attempt: number, policy: RetryPolicy): number {
  return Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
}

/** Apply one scheduler action's state change (the engine does the IO it implies). */
export function applyAction(index: PlanIndex, run: PlanRunState, action: Action, now: number): Transition[] {
  switch (action.type) {
    case "start-plan":
      return [setPlanState(run, "running", null, now)];
    case "start-wave":
      return [setWaveState(run, run.waveIndex, "running")];
    case "start-agent":
      return [setAgentState(run, action.agent, "running", null, now)];
    case "run-gate":
      return [setWaveState(run, run.waveIndex, "validating")];
    case "pass-wave": {
      const t = setWaveState(run, run.waveIndex, "passed");
      run.waveIndex += 1;
      return [t];
    }
    case "finish-plan": {
      const out: Transition[] = [];
      if (action.state === "failed") {
        const wave = run.waves[run.waveIndex];
        if (wave?.state === "running") out.push(setWaveState(run, run.waveIndex, "failed"));
        // Agents that never got to run will not now: say so instead of leaving them queued.
        for (const a of run.agents.values())
          if (a.state === "queued") out.push(setAgentState(run, a.id, "cancelled", PLAN_FAILED_FIRST, now));
      }
      out.push(setPlanState(run, action.state, action.reason, now));
      return out;
    }
    case "wake-at":
      return [];
  }
}

/**
 * An attempt ended. Success moves the agent on (to validating when it owns contract checks);
 * failure requeues it with backoff while retries remain, else fails it.
 */
export function applyAgentEnded(
  index: PlanIndex,
  run: PlanRunState,
  agentId: string,
  outcome: { ok: true; validate: boolean } | { ok: false; reason: string; retryable: boolean },
  now: number,
  policy: RetryPolicy,
): Transition[] {
  if (outcome.ok) return [setAgentState(run, agentId, outcome.validate ? "validating" : "completed", null, now)];
  const info = index.agents.get(agentId)!;
  const st = run.agents.get(agentId)!;
  if (outcome.retryable && st.attempt <= info.retries && (run.state === "running" || run.state === "paused")) {
    const delay = retryDelay(st.attempt, policy);
    st.notBefore = now + delay;
    return [setAgentState(run, agentId, "queued", `attempt ${st.attempt} failed: ${outcome.reason}; retrying in ${Math.round(delay / 1000)}s`, now)];
  }
  return [setAgentState(run, agentId, "failed", outcome.reason, now)];
}

/** The wave's gate finished: passed moves to the next wave, failed blocks the plan for a person. */
export function applyGateEnded(run: PlanRunState, passed: boolean, summary: string, now: number): Transition[] {
  if (run.state === "cancelled") return [];
  if (passed) {
    const t = setWaveState(run, run.waveIndex, "passed");
    run.waveIndex += 1;
    return [t];
  }
  return [setWaveState(run, run.waveIndex, "blocked"), setPlanState(run, "blocked", `gate of wave ${run.waves[run.waveIndex]!.id} failed: ${summary}`, now)];
}
