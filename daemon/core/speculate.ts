// Speculative next waves (issue 16). When every agent of a wave has completed and its gate runs,
// the next wave's agents may start at once instead of waiting minutes for the gate: their views
// already hold the finished wave (it is applied to the project), and whatever they change is held
// back by the engine until the gate passes, then applied in wave order. If the gate fails, every
// speculative attempt is stopped and its held changes discarded: the agent goes back to queued,
// the attempt not counted, and runs again once the gate passes. The project's files and the
// plan's outcome are what strict waves give; only the wall time changes.
//
// Here, pure: which wave may speculate, which agents may (their writes must be holdable: an agent
// that writes the project directly, such as the anthropic runner's file tools or any agent with
// `sandbox: off`, waits for the gate), and what a gate's end and an early end mean for them. The
// holding itself is the engine's (engine/speculation.ts, sandbox/executor.ts).
import type { RunnerKind, StepOf } from "../../protocol/index.ts";
import type { Effect } from "./outcomes.ts";
import type { AgentInfo, PlanIndex } from "./plan-index.ts";
import { setAgentState, type AgentRunState, type PlanRunState, type Transition } from "./state.ts";

export interface Speculation {
  /** for plans that do not say `speculate:` (O/purple.yaml `speculate`) */
  byDefault: boolean;
  /** runner kinds whose writes can be held now (only through a sandbox view, or none at all); agents of other kinds wait for the gate */
  holdable: readonly RunnerKind[];
}

/**
 * The wave whose agents may start speculatively now, or null: the plan speculates, runs, its
 * current wave's gate runs, and a next wave with agents exists, none in trouble. Gate-only waves
 * on the way are passed over (they change no file): what starts is held until their gates pass too.
 */
export function speculativeWave(index: PlanIndex, run: PlanRunState, spec: Speculation | undefined): number | null {
  if (!spec || !(index.plan.speculate ?? spec.byDefault)) return null;
  if (run.state !== "running" || run.waves[run.waveIndex]?.state !== "validating") return null;
  let next = run.waveIndex + 1;
  while (next < index.waves.length && index.waves[next]!.agents.length === 0) next++;
  if (next >= index.waves.length || run.tally[next]!.trouble > 0) return null;
  return next;
}

/** Whether this queued agent of the speculative wave may start speculatively (dependencies and territory are decide's usual checks). */
export function maySpeculate(index: PlanIndex, info: AgentInfo, st: AgentRunState, spec: Speculation): boolean {
  return !st.waitGate && holdable(index, info, spec);
}

/** The next wave's agents that cannot speculate while this gate runs because their writes cannot be held (said in the status log). */
export function unholdable(index: PlanIndex, run: PlanRunState, spec: Speculation | undefined): string[] {
  const next = speculativeWave(index, run, spec);
  if (next === null) return [];
  return index.waves[next]!.agents.filter((a) => !holdable(index, a, spec!)).map((a) => a.id);
}

/** Whether the agent's runner kind writes only what can be held. */
const holdable = (index: PlanIndex, info: AgentInfo, spec: Speculation): boolean => spec.holdable.includes(info.agent.runner?.kind ?? index.plan.defaults.runner);

/** The gate under way (or the one that failed): the one a speculative attempt waits for. */
const gateNow = (index: PlanIndex, run: PlanRunState): string => index.waves[run.waveIndex]?.id ?? "?";

/**
 * A gate ended (its transitions made; `wave` is the index of the wave it gated). Passed: the held
 * changes of speculative attempts whose wave is now the current one are applied (the engine, in
 * wave order); those past a gate-only wave still wait for its gate. Failed: every speculative
 * attempt is stopped and its changes discarded (it ends through speculativeEnd). Either way the
 * agents that waited for this gate may speculate again later.
 */
export function afterGate(index: PlanIndex, run: PlanRunState, wave: number, passed: boolean): Effect[] {
  const effects: Effect[] = [];
  let release = false;
  for (const st of run.agents.values()) {
    if (st.waveIndex <= wave) continue;
    st.waitGate = false;
    if (!st.speculative || !run.running.has(st.id)) continue;
    if (passed) release ||= st.waveIndex <= run.waveIndex;
    else {
      st.stop ??= "discard";
      effects.push({ type: "stop-agent", agent: st.id, reason: `speculative work discarded: the gate of wave ${index.waves[wave]!.id} failed` });
    }
  }
  if (release) effects.push({ type: "release-held", wave: index.waves[run.waveIndex]!.id });
  return effects;
}

/**
 * A speculative attempt ended: discarded when its gate failed (stop `discard`), or when it ended
 * before its gate passed without finishing (its failure is not counted: the agent waits for the
 * gate, then runs as strict waves would run it). Null when the end is not speculation's matter
 * (its gate passed already, or another stop was asked: then it ends like any attempt).
 */
export function speculativeEnd(index: PlanIndex, run: PlanRunState, e: StepOf<"attempt-ended">, now: number): Transition[] | null {
  const st = run.agents.get(e.agent);
  if (!st || st.state !== "running" || !st.speculative) return null;
  if (st.stop === "discard") return discard(index, run, st, `the gate of wave ${gateNow(index, run)} failed`, false, now);
  if (st.waveIndex <= run.waveIndex || st.stop !== null) return null;
  // A finished attempt is held by the engine until its gate is decided; one reported here finished
  // unheld, and must not count as done before the gate passed.
  const why = e.outcome === "finished" ? "it finished before its gate passed, with nothing holding its changes" : `it ended before its gate passed (${e.outcome}: ${e.message})`;
  return discard(index, run, st, why, true, now);
}

/** purpled restarts: a speculative attempt under way held changes nothing kept; it is queued again, not counted. */
export function discardOnRestart(index: PlanIndex, run: PlanRunState, now: number): Transition[] {
  const out: Transition[] = [];
  for (const st of run.agents.values())
    if (st.speculative && st.waveIndex > run.waveIndex && (st.state === "running" || st.state === "validating")) out.push(...discard(index, run, st, "purpled stopped before its gate passed", false, now));
  return out;
}

/** Back to queued, the attempt not counted; `waitGate`: it runs only once the gate has passed. */
function discard(index: PlanIndex, run: PlanRunState, st: AgentRunState, why: string, waitGate: boolean, now: number): Transition[] {
  const n = st.attempt;
  st.attempt = Math.max(0, n - 1);
  st.notBefore = 0;
  st.waitGate = waitGate;
  return [setAgentState(run, st.id, "queued", `speculative attempt ${n} discarded: ${why}; it runs again once the gate of wave ${gateNow(index, run)} passes`, now)];
}
