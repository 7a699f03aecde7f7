// What a person can do to a plan through the control channel: approve, pause, resume, cancel,
// and retry or cancel one agent. Each checks the state it acts on and refuses with INVALID_STATE
// (naming the state and what would be allowed) rather than doing something surprising.
import { PurpleError, TERMINAL_PLAN_STATES } from "../../protocol/index.ts";
import { setAgentState, setPlanState, setWaveState, type Transition } from "../core/state.ts";
import type { Engine } from "./engine.ts";
import type { PlanEntry } from "./plan-entry.ts";

/** The plan, or PLAN_NOT_FOUND naming the plans there are. */
export function planEntry(engine: Engine, name: string): PlanEntry {
  const entry = engine.plans.get(name);
  if (!entry) {
    const known = [...engine.plans.keys()];
    throw new PurpleError("PLAN_NOT_FOUND", `no plan named ${JSON.stringify(name)}${known.length ? `; plans: ${known.join(", ")}` : ""}`);
  }
  return entry;
}

function agentIn(entry: PlanEntry, id: string) {
  const st = entry.run.agents.get(id);
  if (!st) throw new PurpleError("AGENT_NOT_FOUND", `plan ${entry.run.name} has no agent ${JSON.stringify(id)}; agents: ${[...entry.run.agents.keys()].slice(0, 20).join(", ")}`);
  return st;
}

const refuse = (entry: PlanEntry, verb: string, allowed: string) =>
  new PurpleError("INVALID_STATE", `cannot ${verb} plan ${entry.run.name}: it is ${entry.run.state}; ${verb} applies to ${allowed}`);

/**
 * Approve: a plan awaiting approval is queued; a plan blocked on its gate's manual checks has
 * them passed and the gate runs again.
 */
export function approvePlan(engine: Engine, name: string): void {
  const entry = planEntry(engine, name);
  const { run, index } = entry;
  if (run.state === "awaiting-approval") return void act(engine, entry, [setPlanState(run, "queued", "approved", engine.now())]);
  const wave = index.waves[run.waveIndex];
  if (run.state === "blocked" && wave && wave.gate.some((c) => "manual" in c)) {
    engine.journal([{ t: "approve", plan: name, wave: wave.id }]);
    entry.approvedWaves.add(wave.id);
    return rerunGate(engine, entry, "approved");
  }
  throw refuse(entry, "approve", "a plan awaiting approval or blocked on a manual gate check");
}

/** Pause: no new agents or gates start; running agents finish. */
export function pausePlan(engine: Engine, name: string): void {
  const entry = planEntry(engine, name);
  if (entry.run.state !== "running" && entry.run.state !== "queued") throw refuse(entry, "pause", "a queued or running plan");
  act(engine, entry, [setPlanState(entry.run, "paused", "paused by a person", engine.now())]);
}

/** Resume: a paused plan goes on; a blocked plan runs its gate again (after a person fixed what failed). */
export function resumePlan(engine: Engine, name: string): void {
  const entry = planEntry(engine, name);
  const { run } = entry;
  if (run.state === "paused") return void act(engine, entry, [setPlanState(run, run.startedAt === null ? "queued" : "running", "resumed", engine.now())]);
  if (run.state === "blocked" && run.waves[run.waveIndex]?.state === "blocked") return rerunGate(engine, entry, "resumed");
  if (run.state === "blocked") throw new PurpleError("INVALID_STATE", `plan ${name} is blocked by an agent that needs a person (${run.reason}); retry that agent with \`purplectl retry ${name} AGENT\``);
  throw refuse(entry, "resume", "a paused plan, or a plan blocked by its gate");
}

/** Cancel: queued agents are cancelled, running ones stopped (SIGTERM, grace, SIGKILL), the gate aborted. */
export function cancelPlan(engine: Engine, name: string): void {
  const entry = planEntry(engine, name);
  const { run } = entry;
  if (TERMINAL_PLAN_STATES.includes(run.state) && run.state !== "blocked") throw refuse(entry, "cancel", "a plan that has not ended");
  const now = engine.now();
  const out: Transition[] = [];
  for (const a of run.agents.values()) if (a.state === "queued") out.push(setAgentState(run, a.id, "cancelled", "the plan was cancelled", now));
  out.push(setPlanState(run, "cancelled", "cancelled by a person", now));
  entry.gateAbort?.abort();
  // Running agents whose process has not started yet (their pre-start audit is under way) have
  // no handle: the request is recorded and honoured before they spawn.
  for (const id of run.running) {
    entry.cancelRequested.add(id);
    entry.handles.get(id)?.cancel("the plan was cancelled");
  }
  act(engine, entry, out);
}

/** Retry an agent that failed, was cancelled or interrupted; a failed plan runs again from its wave. */
export function retryAgent(engine: Engine, name: string, agent: string): void {
  const entry = planEntry(engine, name);
  const { run } = entry;
  const st = agentIn(entry, agent);
  if (!["failed", "cancelled", "blocked", "interrupted"].includes(st.state))
    throw new PurpleError("INVALID_STATE", `agent ${agent} of plan ${name} is ${st.state}; only a failed, cancelled, blocked or interrupted agent can be retried`);
  if (!["running", "paused", "failed", "blocked"].includes(run.state)) throw refuse(entry, "retry an agent of", "a running, paused, failed or blocked plan");
  const now = engine.now();
  const out: Transition[] = [];
  if (run.state === "failed" || run.state === "blocked") {
    out.push(setPlanState(run, "running", `agent ${agent} retried`, now));
    if (run.waves[run.waveIndex]?.state === "failed") out.push(setWaveState(run, run.waveIndex, "running"));
    for (const id of entry.autoCancelled) if (id !== agent && run.agents.get(id)!.state === "cancelled") out.push(setAgentState(run, id, "queued", "the plan runs again", now));
    entry.autoCancelled.clear();
  }
  st.notBefore = 0;
  out.push(setAgentState(run, agent, "queued", "retried by a person", now));
  act(engine, entry, out);
}

/** Cancel one agent: queued ones at once, running ones are stopped. Its wave then fails unless it is retried. */
export function cancelAgent(engine: Engine, name: string, agent: string): void {
  const entry = planEntry(engine, name);
  const st = agentIn(entry, agent);
  if (st.state === "queued") return void act(engine, entry, [setAgentState(entry.run, agent, "cancelled", "cancelled by a person", engine.now())]);
  if (st.state === "running" || st.state === "validating") {
    entry.cancelRequested.add(agent);
    entry.handles.get(agent)?.cancel("cancelled by a person"); // no handle yet: honoured before it spawns
    return;
  }
  throw new PurpleError("INVALID_STATE", `agent ${agent} of plan ${name} is ${st.state}; only a queued or running agent can be cancelled`);
}

function rerunGate(engine: Engine, entry: PlanEntry, reason: string): void {
  const { run } = entry;
  act(engine, entry, [setPlanState(run, "running", reason, engine.now()), setWaveState(run, run.waveIndex, "validating")]);
  engine.startGate(entry);
}

function act(engine: Engine, entry: PlanEntry, transitions: Transition[]): void {
  engine.record(entry, transitions);
  engine.schedule();
}
