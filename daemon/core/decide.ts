// The scheduler: a pure function from every plan's run state, the daemon's limits and the time
// to the next actions. It never does IO and never changes the state (it only moves a wave's
// firstQueued hint past agents that are not queued, a derived cache); the engine applies each
// action through reduce() and calls it again until it has nothing more to say.
//
// Fairness: the daemon-wide slots (--max-agents) are shared by "fewest running first": each free
// slot goes to the plan, among those that can start an agent now, with the fewest agents running
// (counting those started in this round); ties go to the plan accepted first. A plan never runs
// more than its own maxAgents, and no two running agents of any plans have overlapping
// territories. So a small plan submitted after a large one gets the next free slot. A contract
// owner a person's override marked for a recheck (requests.ts) is granted like a start, ahead of
// its wave's queued agents: its contract checks run only in a slot of its own (recheck-contracts).
import type { StepOf, Territory } from "../../protocol/index.ts";
import type { PlanIndex, WaveInfo } from "./plan-index.ts";
import type { PlanRunState } from "./state.ts";
import { maySpeculate, speculativeWave, type Speculation } from "./speculate.ts";

export interface Limits {
  /** daemon-wide limit on running agents */
  maxAgents: number;
  /** next waves may start while a gate runs (core/speculate.ts); absent: never */
  speculation?: Speculation;
}

export interface PlanRef {
  index: PlanIndex;
  run: PlanRunState;
}

export type Action = StepOf<"start-plan" | "start-wave" | "start-agent" | "recheck-contracts" | "run-gate" | "pass-wave" | "finish-plan">;

export interface Decision {
  /** which of the plans given */
  plan: number;
  action: Action;
}

export interface Decided {
  actions: Decision[];
  /** the earliest time (ms epoch) a retry backoff ends, Infinity if none waits */
  wakeAt: number;
}

interface Starter {
  plan: number;
  index: PlanIndex;
  wave: WaveInfo;
  run: PlanRunState;
  /** next agent of the wave to look at */
  cursor: number;
  /** blocked contract owners of the wave awaiting a recheck (looked at before the queued agents) */
  rechecks: WaveInfo["agents"][number][];
  /** the wave starts speculatively: the gate before it runs */
  speculative: Speculation | null;
  running: number;
  free: number;
  /** earliest end of a backoff seen while looking */
  wakeAt: number;
}

/** What should happen next across every plan. */
export function decide(plans: readonly PlanRef[], limits: Limits, now: number): Decided {
  const actions: Decision[] = [];
  const starters: Starter[] = [];
  let total = 0;
  for (let i = 0; i < plans.length; i++) {
    const { index, run } = plans[i]!;
    total += run.running.size;
    const own = planAction(index, run);
    // While the gate runs, the next wave's agents may start speculatively (core/speculate.ts).
    const ahead = own === null ? speculativeWave(index, run, limits.speculation) : null;
    if (own === "start" || ahead !== null) {
      const free = index.plan.maxAgents - run.running.size;
      const w = ahead ?? run.waveIndex;
      const wave = index.waves[w]!;
      const rechecks = ahead === null && run.tally[w]!.trouble > 0 ? wave.agents.filter((a) => run.agents.get(a.id)!.recheck) : [];
      if (free > 0) starters.push({ plan: i, index, wave, run, cursor: firstQueued(index, run, w), rechecks, speculative: ahead !== null ? limits.speculation! : null, running: run.running.size, free, wakeAt: Infinity });
    } else if (own) actions.push({ plan: i, action: own });
  }
  let wakeAt = Infinity;
  let slots = limits.maxAgents - total;
  if (slots > 0 && starters.length > 0) {
    // Territories in use by any plan: built only when something may start.
    const occupied: Territory[] = [];
    for (const { index, run } of plans) for (const id of run.running) occupied.push(index.agents.get(id)!.territory);
    while (slots > 0 && starters.length > 0) {
      let pick = 0;
      for (let k = 1; k < starters.length; k++) if (starters[k]!.running < starters[pick]!.running) pick = k;
      const s = starters[pick]!;
      const next = nextStartable(s, occupied, now);
      if (next === null) {
        wakeAt = Math.min(wakeAt, s.wakeAt);
        starters.splice(pick, 1);
        continue;
      }
      const { agent, recheck } = next;
      actions.push({ plan: s.plan, action: recheck ? { type: "recheck-contracts", agent: agent.id } : s.speculative ? { type: "start-agent", agent: agent.id, speculative: true } : { type: "start-agent", agent: agent.id } });
      occupied.push(agent.territory);
      s.running++;
      slots--;
      if (--s.free === 0) {
        wakeAt = Math.min(wakeAt, s.wakeAt);
        starters.splice(pick, 1);
      }
    }
  }
  // Backoffs of plans that got no (full) look because the slots ran out still need a wake-up.
  for (const s of starters) wakeAt = Math.min(wakeAt, s.wakeAt, earliestBackoff(s, now));
  return { actions, wakeAt };
}

/** The plan's own next action, "start" when it could start agents, or null when it waits. */
function planAction(index: PlanIndex, run: PlanRunState): Action | "start" | null {
  if (run.state === "queued") return { type: "start-plan" };
  if (run.state !== "running") return null;
  if (run.waveIndex >= index.waves.length) return { type: "finish-plan", state: "succeeded", reason: "every wave passed its gate" };
  const wave = index.waves[run.waveIndex]!;
  const waveState = run.waves[run.waveIndex]!.state;
  if (waveState === "pending") return { type: "start-wave", wave: wave.id };
  if (waveState !== "running") return null; // validating: the gate is under way

  const tally = run.tally[run.waveIndex]!;
  if (tally.trouble > 0) {
    let failed: string | null = null;
    let blocked: string | null = null;
    for (const a of wave.agents) {
      const st = run.agents.get(a.id)!;
      const s = st.state;
      if (st.recheck) continue; // marked for a recheck: granted below like a start (it does not stop the wave)
      if (failed === null && (s === "failed" || (s === "cancelled" && st.cancelledBy !== "person"))) failed = a.id;
      // An agent a person cancelled, or one that needs a person: the wave cannot pass without it.
      if (blocked === null && (s === "blocked" || s === "cancelled")) blocked = a.id;
    }
    if (failed === null && blocked === null) return "start"; // only owners awaiting a recheck
    const stopper = (failed ?? blocked)!;
    // A failed (or blocked) wave starts nothing more; the plan ends once what runs has finished.
    if (run.running.size > 0) return null;
    const agent = run.agents.get(stopper)!;
    const reason = `agent ${stopper} ${agent.state} in wave ${wave.id}: ${agent.reason ?? "no reason given"}`;
    return { type: "finish-plan", state: failed !== null ? "failed" : "blocked", reason };
  }
  if (tally.completed === wave.agents.length) return wave.gate.length > 0 ? { type: "run-gate", wave: wave.id } : { type: "pass-wave", wave: wave.id };
  return "start";
}

/** The next agent of the starter's wave that may start now (queued, backoff over, dependencies done, territory free), an owner awaiting a recheck first. */
function nextStartable(s: Starter, occupied: Territory[], now: number): { agent: WaveInfo["agents"][number]; recheck: boolean } | null {
  while (s.rechecks.length > 0) {
    const a = s.rechecks.shift()!;
    if (!overlapsAny(a.territory, occupied)) return { agent: a, recheck: true };
  }
  const agents = s.wave.agents;
  while (s.cursor < agents.length) {
    const a = agents[s.cursor++]!;
    const st = s.run.agents.get(a.id)!;
    if (st.state !== "queued") continue;
    if (st.notBefore > now) {
      if (st.notBefore < s.wakeAt) s.wakeAt = st.notBefore;
      continue;
    }
    if (!depsCompleted(a.deps, s.run)) continue;
    if (s.speculative && !maySpeculate(s.index, a, st, s.speculative)) continue;
    if (overlapsAny(a.territory, occupied)) continue;
    return { agent: a, recheck: false };
  }
  return null;
}

/** The first position of the wave that may hold a queued agent (the tally's hint, moved past agents that are not). */
function firstQueued(index: PlanIndex, run: PlanRunState, wave: number): number {
  const tally = run.tally[wave]!;
  const agents = index.waves[wave]!.agents;
  let i = tally.firstQueued;
  while (i < agents.length && run.agents.get(agents[i]!.id)!.state !== "queued") i++;
  tally.firstQueued = i;
  return i;
}

function earliestBackoff(s: Starter, now: number): number {
  let at = Infinity;
  for (let i = s.cursor; i < s.wave.agents.length; i++) {
    const st = s.run.agents.get(s.wave.agents[i]!.id)!;
    if (st.state === "queued" && st.notBefore > now) at = Math.min(at, st.notBefore);
  }
  return at;
}

// Territories are compiled once per distinct entry list (territoryOf caches them), so whether two
// overlap is remembered: decide asks the same pairs again and again while a wave runs.
const overlapMemo = new WeakMap<Territory, WeakMap<Territory, boolean>>();

function overlapsAny(t: Territory, occupied: readonly Territory[]): boolean {
  let memo = overlapMemo.get(t);
  if (!memo) overlapMemo.set(t, (memo = new WeakMap()));
  for (const o of occupied) {
    let hit = memo.get(o);
    if (hit === undefined) memo.set(o, (hit = o.overlaps(t)));
    if (hit) return true;
  }
  return false;
}

function depsCompleted(deps: readonly string[], run: PlanRunState): boolean {
  for (const d of deps) if (run.agents.get(d)?.state !== "completed") return false;
  return true;
}
