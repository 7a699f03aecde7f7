// The scheduler: a pure function from (plan, run state, limits, now) to the next actions.
// It never does IO and never changes the state; the engine applies the actions (apply.ts)
// and calls it again until it has nothing more to say.
import type { Territory } from "../../protocol/index.ts";
import type { PlanIndex } from "./plan-index.ts";
import type { PlanRunState } from "./state.ts";

export interface Limits {
  /** agent slots left daemon-wide (--max-agents minus every plan's running agents) */
  globalFree: number;
  /** territories of agents running in other plans on the same root */
  busy: readonly Territory[];
}

export type Action =
  | { type: "start-plan" }
  | { type: "start-wave"; wave: string }
  | { type: "start-agent"; agent: string }
  | { type: "run-gate"; wave: string }
  | { type: "pass-wave"; wave: string }
  | { type: "finish-plan"; state: "succeeded" | "failed" | "blocked"; reason: string }
  /** nothing to do before `at` (ms epoch): a retry backoff ends then */
  | { type: "wake-at"; at: number };

/** What should happen next for this plan. */
export function decide(index: PlanIndex, run: PlanRunState, limits: Limits, now: number): Action[] {
  if (run.state === "queued") return [{ type: "start-plan" }];
  if (run.state !== "running") return [];
  if (run.waveIndex >= index.waves.length) return [{ type: "finish-plan", state: "succeeded", reason: "every wave passed its gate" }];

  const wave = index.waves[run.waveIndex]!;
  const waveState = run.waves[run.waveIndex]!.state;
  if (waveState === "pending") return [{ type: "start-wave", wave: wave.id }];
  if (waveState !== "running") return []; // validating: the gate is under way

  let failed: string | null = null;
  let blocked: string | null = null;
  let allCompleted = true;
  for (const a of wave.agents) {
    const s = run.agents.get(a.id)!.state;
    if (s !== "completed") allCompleted = false;
    if (failed === null && (s === "failed" || s === "cancelled")) failed = a.id;
    if (blocked === null && s === "blocked") blocked = a.id;
  }
  const stopper = failed ?? blocked;
  if (stopper !== null) {
    // A failed (or blocked) wave starts nothing more; the plan ends once what runs has finished:
    // failed when an agent failed, blocked (waiting for a person) when one needs a person.
    if (run.running.size > 0) return [];
    const agent = run.agents.get(stopper)!;
    const reason = `agent ${stopper} ${agent.state} in wave ${wave.id}: ${agent.reason ?? "no reason given"}`;
    return [{ type: "finish-plan", state: failed !== null ? "failed" : "blocked", reason }];
  }
  if (allCompleted) return [wave.gate.length > 0 ? { type: "run-gate", wave: wave.id } : { type: "pass-wave", wave: wave.id }];

  let slots = Math.min(index.plan.maxAgents - run.running.size, limits.globalFree);
  if (slots <= 0) return [];
  const occupied: Territory[] = [...limits.busy];
  for (const id of run.running) occupied.push(index.agents.get(id)!.territory);

  const actions: Action[] = [];
  let wakeAt = Infinity;
  for (const a of wave.agents) {
    const st = run.agents.get(a.id)!;
    if (st.state !== "queued") continue;
    if (st.notBefore > now) {
      wakeAt = Math.min(wakeAt, st.notBefore);
      continue;
    }
    if (!depsCompleted(a.deps, run)) continue;
    if (occupied.some((t) => t.overlaps(a.territory))) continue;
    actions.push({ type: "start-agent", agent: a.id });
    occupied.push(a.territory);
    if (--slots === 0) break;
  }
  if (wakeAt !== Infinity) actions.push({ type: "wake-at", at: wakeAt });
  return actions;
}

function depsCompleted(deps: readonly string[], run: PlanRunState): boolean {
  for (const d of deps) if (run.agents.get(d)?.state !== "completed") return false;
  return true;
}
