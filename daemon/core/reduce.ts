// The reducer: the one function through which a plan's run state changes. Every step (the
// scheduler's own actions, the outcome of an attempt or a gate, money spent, a person's request,
// the daemon draining or restarting) goes through reduce(), live and again when the journal is
// replayed, so the state after a restart is the state before it. Pure: no IO, no clock.
import type { Step } from "../../protocol/index.ts";
import { attemptEnded, contractsChecked, gateEnded, spend, type Reduced, type RetryPolicy } from "./outcomes.ts";
import type { PlanIndex } from "./plan-index.ts";
import { accept, approve, cancelAgent, cancelPlan, drain, pause, recheck, restart, resume, retryAgent } from "./requests.ts";
import { setAgentState, setPlanState, setWaveState, type PlanRunState, type Transition } from "./state.ts";
import { afterGate, discardOnRestart, speculativeEnd } from "./speculate.ts";

export interface Rules {
  retry: RetryPolicy;
}

const NOTES_KEPT = 100;
const none: Reduced = { transitions: [], effects: [] };
const only = (transitions: Transition[]): Reduced => ({ transitions, effects: [] });

/** Apply one step to the run state at time `now`; returns the transitions made and the IO they call for. Throws (changing nothing) on a request the state refuses. */
export function reduce(index: PlanIndex, run: PlanRunState, step: Step, now: number, rules: Rules): Reduced {
  switch (step.type) {
    case "start-plan":
      return only([setPlanState(run, "running", null, now)]);
    case "start-wave":
      return only([setWaveState(run, run.waveIndex, "running")]);
    case "start-agent": {
      const st = run.agents.get(step.agent);
      if (st) st.speculative = step.speculative === true;
      return only([setAgentState(run, step.agent, "running", null, now)]);
    }
    case "recheck-contracts":
      return recheck(run, step, now);
    case "run-gate":
      return only([setWaveState(run, run.waveIndex, "validating")]);
    case "pass-wave": {
      const t = setWaveState(run, run.waveIndex, "passed");
      run.waveIndex += 1;
      return only([t]);
    }
    case "finish-plan":
      return only(finishPlan(run, step.state, step.reason, now));
    case "attempt-ended":
      return only(speculativeEnd(index, run, step, now) ?? attemptEnded(index, run, step, now, rules.retry));
    case "contracts-checked":
      return only(contractsChecked(index, run, step, now, rules.retry));
    case "gate-ended": {
      const wave = run.waveIndex;
      const transitions = gateEnded(index, run, step, now);
      return { transitions, effects: transitions.length > 0 ? afterGate(index, run, wave, step.passed) : [] };
    }
    case "spend":
      return spend(index, run, step);
    case "note": {
      const notes = run.agents.get(step.agent)?.notes;
      if (!notes) return none;
      notes.push(step.message);
      if (notes.length > NOTES_KEPT) notes.splice(0, notes.length - NOTES_KEPT);
      return none;
    }
    case "status-bar":
      run.statusBar = step.bar;
      return none;
    case "accept":
      return accept(run, step, now);
    case "approve":
      return approve(index, run, step, now);
    case "pause":
      return pause(run, now);
    case "resume":
      return resume(run, now);
    case "cancel-plan":
      return cancelPlan(run, now);
    case "cancel-agent":
      return cancelAgent(index, run, step, now);
    case "retry-agent":
      return retryAgent(run, step, now);
    case "drain":
      return drain(run);
    case "restart": {
      const discarded = discardOnRestart(index, run, now);
      const out = restart(index, run, now);
      return { ...out, transitions: [...discarded, ...out.transitions] };
    }
  }
}

/** The plan ends. When it failed, agents that never got to run are cancelled (a retry of the plan queues them again). */
function finishPlan(run: PlanRunState, state: "succeeded" | "failed" | "blocked", reason: string, now: number): Transition[] {
  const out: Transition[] = [];
  if (state === "failed") {
    if (run.waves[run.waveIndex]?.state === "running") out.push(setWaveState(run, run.waveIndex, "failed"));
    for (const a of run.agents.values())
      if (a.state === "queued") {
        out.push(setAgentState(run, a.id, "cancelled", "the plan failed before this agent ran", now));
        a.cancelledBy = "plan-failed";
      }
  }
  out.push(setPlanState(run, state, reason, now));
  return out;
}
