// What a person's requests and the daemon's own life do to a plan: accept, approve, pause,
// resume, cancel (the plan or one agent), retry an agent, drain and restart. Each checks the
// state it acts on first and refuses with INVALID_STATE (naming the state and what would be
// allowed) before changing anything; cancel semantics and restart recovery live here only.
import { PurpleError, TERMINAL_PLAN_STATES, type StepOf } from "../../protocol/index.ts";
import { endByStop, stopReason, type Effect, type Reduced } from "./outcomes.ts";
import type { PlanIndex } from "./plan-index.ts";
import { recheckContracts, requeueCompleted, setAgentState, setPlanState, setWaveState, type PlanRunState, type Transition } from "./state.ts";

const refuse = (run: PlanRunState, verb: string, allowed: string) =>
  new PurpleError("INVALID_STATE", `cannot ${verb} plan ${run.name}: it is ${run.state}; ${verb} applies to ${allowed}`);

const only = (transitions: Transition[], effects: Effect[] = []): Reduced => ({ transitions, effects });

function agentOf(run: PlanRunState, id: string) {
  const st = run.agents.get(id);
  if (!st) throw new PurpleError("AGENT_NOT_FOUND", `plan ${run.name} has no agent ${JSON.stringify(id)}; agents: ${[...run.agents.keys()].slice(0, 20).join(", ")}`);
  return st;
}

/** A plan just accepted: queued, or awaiting approval when compiled from prose. */
export function accept(run: PlanRunState, e: StepOf<"accept">, now: number): Reduced {
  if (run.state !== "received") throw refuse(run, "accept", "a plan just received");
  return only([setPlanState(run, e.approval ? "awaiting-approval" : "queued", e.approval ? "compiled from prose: waits for `purplectl approve`" : null, now)]);
}

/**
 * Approve: a plan awaiting approval is queued; a plan blocked on a manual gate check has it passed
 * and the gate runs again. With `override`, a plan its gate blocked has those checks (`<wave>#<index>`
 * of the current wave's gate) passed by a person's decision, recorded, and the gate runs again;
 * a plan a contract's circuit breaker blocked has that contract's checks (`<contract>#<index>`)
 * passed and checked again.
 */
export function approve(index: PlanIndex, run: PlanRunState, e: StepOf<"approve">, now: number): Reduced {
  const wave = index.waves[run.waveIndex];
  if (e.override?.length && run.state === "blocked" && run.breaker?.subject.startsWith("contract:")) return overrideContract(index, run, run.breaker.subject.slice("contract:".length), e.override, now);
  if (e.override?.length) {
    if (run.state !== "blocked" || run.waves[run.waveIndex]?.state !== "blocked" || !wave)
      throw refuse(run, "override checks of", "a plan blocked by its gate");
    const ids = wave.gate.map((_, i) => `${wave.id}#${i}`);
    const unknown = e.override.filter((id) => !ids.includes(id));
    if (unknown.length) throw new PurpleError("INVALID_PARAMS", `no gate check ${unknown.join(", ")} in wave ${wave.id} of plan ${run.name}; its checks are ${ids.join(", ")} (as in validation/${wave.id}.json, counted from 0)`);
    for (const id of e.override) if (!run.overrides.includes(id)) run.overrides.push(id);
    return rerunGate(run, `checks ${e.override.join(", ")} passed by a person's decision (override)`, now);
  }
  if (run.state === "awaiting-approval") return only([setPlanState(run, "queued", "approved", now)]);
  if (run.state === "blocked" && run.waves[run.waveIndex]?.state === "blocked" && wave && wave.gate.some((c) => "manual" in c)) {
    if (!run.approvedWaves.includes(wave.id)) run.approvedWaves.push(wave.id);
    return rerunGate(run, "approved", now);
  }
  throw refuse(run, "approve", "a plan awaiting approval or blocked on a manual gate check");
}

/**
 * A plan a contract's breaker blocked: the named checks (`<contract>#<index>`) are passed by a
 * person's decision (recorded as `contract:<contract>#<index>`), and the owner is marked for a
 * recheck: once decide grants it a slot (the plan's and the daemon's limits, its territory free),
 * its contract checks run again without running the owner (recheck below).
 */
function overrideContract(index: PlanIndex, run: PlanRunState, id: string, override: readonly string[], now: number): Reduced {
  const contract = index.plan.contracts.find((c) => c.id === id);
  const owner = contract?.owner;
  if (!contract || !owner || run.agents.get(owner)?.state !== "blocked") throw refuse(run, "override checks of", "a plan blocked by its gate or by a contract's circuit breaker");
  const ids = contract.checks.map((_, i) => `${id}#${i}`);
  const unknown = override.filter((x) => !ids.includes(x));
  if (unknown.length) throw new PurpleError("INVALID_PARAMS", `no check ${unknown.join(", ")} in contract ${id} of plan ${run.name}; its checks are ${ids.join(", ")} (as in validation/contracts/${id}.json, counted from 0)`);
  for (const x of override) if (!run.overrides.includes(`contract:${x}`)) run.overrides.push(`contract:${x}`);
  const why = `checks ${override.join(", ")} passed by a person's decision (override)`;
  const st = run.agents.get(owner)!;
  st.recheck = true;
  st.reason = `${why}; its contract checks run again once it gets a slot`;
  return only([setPlanState(run, "running", why, now)]);
}

/** decide granted the owner a person's override marked its slot: blocked → validating, its contract checks run (the engine acts on check-contracts). */
export function recheck(run: PlanRunState, e: StepOf<"recheck-contracts">, now: number): Reduced {
  return only([recheckContracts(run, e.agent, "its contract checks run again after a person's override", now)], [{ type: "check-contracts", agent: e.agent }]);
}

/** Pause: no new agents or gates start; running agents finish. */
export function pause(run: PlanRunState, now: number): Reduced {
  if (run.state !== "running" && run.state !== "queued") throw refuse(run, "pause", "a queued or running plan");
  return only([setPlanState(run, "paused", "paused by a person", now)]);
}

/** Resume: a paused plan goes on; a plan blocked by its gate runs the gate again. */
export function resume(run: PlanRunState, now: number): Reduced {
  if (run.state === "paused") return only([setPlanState(run, run.startedAt === null ? "queued" : "running", "resumed", now)]);
  if (run.state === "blocked" && run.waves[run.waveIndex]?.state === "blocked") return rerunGate(run, "resumed", now);
  if (run.state === "blocked") throw new PurpleError("INVALID_STATE", `plan ${run.name} is blocked by an agent that needs a person (${run.reason}); retry that agent with \`purplectl retry ${run.name} AGENT\``);
  throw refuse(run, "resume", "a paused plan, or a plan blocked by its gate");
}

// The wave goes back to running with every agent completed: decide runs its gate again.
function rerunGate(run: PlanRunState, reason: string, now: number): Reduced {
  return only([setPlanState(run, "running", reason, now), setWaveState(run, run.waveIndex, "running")]);
}

/** Cancel the plan: queued agents cancelled, running ones asked to stop (they end cancelled), the gate aborted. */
export function cancelPlan(run: PlanRunState, now: number): Reduced {
  if (TERMINAL_PLAN_STATES.includes(run.state) && run.state !== "blocked") throw refuse(run, "cancel", "a plan that has not ended");
  const out: Transition[] = [];
  const effects: Effect[] = [{ type: "abort-gate" }];
  for (const a of run.agents.values()) {
    if (a.state === "queued") {
      out.push(setAgentState(run, a.id, "cancelled", "the plan was cancelled", now));
      a.cancelledBy = "plan-cancelled";
    } else if (a.state === "running" || a.state === "validating") {
      a.stop = "plan-cancelled";
      effects.push({ type: "stop-agent", agent: a.id, reason: "the plan was cancelled" });
    }
  }
  out.push(setPlanState(run, "cancelled", "cancelled by a person", now));
  return only(out, effects);
}

/**
 * Cancel one agent: a queued one at once, a running one is asked to stop and ends cancelled.
 * Its wave cannot pass without it, so the plan ends blocked (decide.ts) until a person retries
 * the agent or cancels the plan; the agent's reason says so.
 */
export function cancelAgent(index: PlanIndex, run: PlanRunState, e: StepOf<"cancel-agent">, now: number): Reduced {
  const st = agentOf(run, e.agent);
  if (st.state === "queued") {
    const t = setAgentState(run, e.agent, "cancelled", stopReason("person", index, e.agent), now);
    st.cancelledBy = "person";
    return only([t]);
  }
  if (st.state === "running" || st.state === "validating") {
    st.stop = "person";
    return only([], [{ type: "stop-agent", agent: e.agent, reason: "cancelled by a person" }]);
  }
  throw new PurpleError("INVALID_STATE", `agent ${e.agent} of plan ${run.name} is ${st.state}; only a queued or running agent can be cancelled`);
}

/**
 * Retry an agent that failed, was cancelled, blocked or interrupted, or a completed one of the wave
 * whose gate blocked the plan (it runs again, then the gate). A plan its agents failed or blocked
 * runs again from its wave, and the agents its failure cancelled are queued again with it; a plan
 * its gate blocked stays blocked when the agent retried is not of that wave's.
 */
export function retryAgent(run: PlanRunState, e: StepOf<"retry-agent">, now: number): Reduced {
  const st = agentOf(run, e.agent);
  // An agent of a wave its gate blocked runs again (a person's repair round): the gate runs after it.
  if (st.state === "completed" && run.state === "blocked" && st.waveIndex === run.waveIndex && run.waves[run.waveIndex]?.state === "blocked") {
    if (e.note) st.guidance.push(e.note);
    const why = e.note ? "retried by a person after its gate failed, with a note" : "retried by a person after its gate failed";
    return only([setPlanState(run, "running", `agent ${e.agent} retried`, now), setWaveState(run, run.waveIndex, "running"), requeueCompleted(run, e.agent, why, now)]);
  }
  if (!["failed", "cancelled", "blocked", "interrupted"].includes(st.state))
    throw new PurpleError("INVALID_STATE", `agent ${e.agent} of plan ${run.name} is ${st.state}; only a failed, cancelled, blocked or interrupted agent, or one of a wave its gate blocked, can be retried`);
  if (!["running", "paused", "failed", "blocked"].includes(run.state)) throw refuse(run, "retry an agent of", "a running, paused, failed or blocked plan");
  const out: Transition[] = [];
  // A plan its agents failed or blocked runs again; one its gate blocked waits for the gate (resume, approve).
  const waveState = run.waves[run.waveIndex]?.state;
  if ((run.state === "failed" || run.state === "blocked") && (waveState === "running" || waveState === "failed")) {
    out.push(setPlanState(run, "running", `agent ${e.agent} retried`, now));
    if (run.waves[run.waveIndex]?.state === "failed") out.push(setWaveState(run, run.waveIndex, "running"));
    for (const a of run.agents.values())
      if (a.id !== e.agent && a.state === "cancelled" && a.cancelledBy === "plan-failed") out.push(setAgentState(run, a.id, "queued", "the plan runs again", now));
  }
  st.notBefore = 0;
  if (e.note) st.guidance.push(e.note);
  out.push(setAgentState(run, e.agent, "queued", e.note ? "retried by a person, with a note" : "retried by a person", now));
  return only(out);
}

/** purpled is stopping: every running agent is asked to stop and ends interrupted; a gate under way is aborted. */
export function drain(run: PlanRunState): Reduced {
  const effects: Effect[] = [{ type: "abort-gate" }];
  for (const id of run.running) {
    const a = run.agents.get(id)!;
    a.stop ??= "drain";
    effects.push({ type: "stop-agent", agent: id, reason: "purpled is stopping" });
  }
  return only([], effects);
}

/**
 * purpled started again with this plan as the journal left it. An agent that was running ends
 * as its stop request says (cancelled, blocked) or else is interrupted and queued to run again,
 * its attempt rising when it starts; an interrupted agent is queued; a gate that was under way
 * runs again (its wave goes back to running). Completed agents and passed gates stay.
 */
export function restart(index: PlanIndex, run: PlanRunState, now: number): Reduced {
  const out: Transition[] = [];
  for (const a of run.agents.values()) {
    if (a.state === "running" || a.state === "validating") {
      // A stop asked before purpled stopped ends it as that stop says (outcomes.ts endByStop); a drain's is the interrupt below.
      const stopped = a.stop !== "drain" ? endByStop(index, run, a.id, now) : null;
      if (stopped) {
        out.push(...stopped);
        continue;
      }
      out.push(setAgentState(run, a.id, "interrupted", "purpled stopped while it ran", now));
    }
    if (a.state === "interrupted") out.push(setAgentState(run, a.id, "queued", "runs again after purpled restarted", now));
  }
  if (!TERMINAL_PLAN_STATES.includes(run.state) && run.waves[run.waveIndex]?.state === "validating") out.push(setWaveState(run, run.waveIndex, "running"));
  return only(out);
}
