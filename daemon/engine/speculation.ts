// The engine's side of speculative next waves (core/speculate.ts decides who may start and what a
// gate's end means). An attempt started speculatively gets a Hold: its sandbox holds the changes
// it would apply (sandbox/executor.ts), and once its runner has finished, the attempt waits for
// the gate before its end is reported. When the gate passes, every hold of the plan is released
// in wave order (the order strict waves apply them in); when it fails, or the attempt is stopped,
// the hold is discarded and the project never sees what it held. Events say which.
import type { RunnerKind } from "../../protocol/index.ts";
import { unholdable, type Speculation } from "../core/speculate.ts";
import type { Runner } from "../runners/runner.ts";
import type { AttemptSandbox, Executor } from "../sandbox/executor.ts";
import { Hold } from "./hold.ts";
import type { PlanEntry } from "./plan-entry.ts";

/** The runner kinds whose writes can be held: those that write nothing, and those that write only through a sandbox view when one is in force. */
export function speculationOf(runners: Partial<Record<RunnerKind, Runner>>, executor: Executor | undefined, byDefault: boolean): Speculation {
  const sandboxed = !!executor && executor.info.kind !== "off" && executor.info.agents;
  const holdable = (Object.entries(runners) as [RunnerKind, Runner][]).filter(([, r]) => r.writes === "none" || (r.writes === "sandboxed" && sandboxed)).map(([k]) => k);
  return { byDefault, holdable };
}

/** A speculative attempt begins: its hold, registered for the gate's end (decided at once if the gate ended while its sandbox opened). */
export function openHold(entry: PlanEntry, id: string, sandbox: AttemptSandbox | null): Hold {
  const st = entry.run.agents.get(id)!;
  const hold = new Hold(id, st.pos, sandbox);
  entry.holds.set(id, hold);
  if (st.stop !== null) discardHold(entry, id, `stopped before it began (${st.stop})`);
  else if (st.waveIndex <= entry.run.waveIndex) {
    hold.decide("released", "");
    entry.holds.delete(id);
  }
  return hold;
}

/** The attempt's runner ended: a finished one waits (its changes held) until the gate is decided. */
export async function awaitGate(entry: PlanEntry, hold: Hold, finished: boolean): Promise<void> {
  try {
    if (hold.state !== "pending" || !finished) return;
    hold.waiting = true;
    const st = entry.run.agents.get(hold.agent)!;
    const gate = entry.index.waves[entry.run.waveIndex]?.id ?? "?";
    const paths = hold.sandbox?.heldPaths() ?? [];
    entry.writer.event({ type: "agent.speculation", agent: hold.agent, attempt: st.attempt, action: "held", paths, reason: `the gate of wave ${gate} is running` });
    entry.writer.log(hold.agent, "IN_PROGRESS", `speculative attempt ${st.attempt} finished; its ${paths.length} change(s) are held until the gate of wave ${gate} passes`);
    await hold.decided;
  } finally {
    if (entry.holds.get(hold.agent) === hold) entry.holds.delete(hold.agent);
  }
}

/** The gate starts in a plan that speculates: the next wave's agents whose writes cannot be held are named in the status log as waiting for it. */
export function noteUnheld(entry: PlanEntry, spec: Speculation | undefined): void {
  const ids = unholdable(entry.index, entry.run, spec);
  if (ids.length === 0) return;
  const wave = entry.index.waves[entry.run.waveIndex]!.id;
  for (const id of ids) entry.writer.log(id, "IN_PROGRESS", `waits for the gate of wave ${wave}, not speculating: its writes cannot be held (they go to the project directly: the anthropic runner's file tools, or the sandbox is off)`);
}

/** The gate passed: every hold of the plan released, in wave order. */
export function releaseHolds(entry: PlanEntry): void {
  for (const hold of [...entry.holds.values()].sort((a, b) => a.pos - b.pos)) {
    const waited = hold.waiting;
    const paths = hold.decide("released", "");
    entry.holds.delete(hold.agent);
    if (waited) entry.writer.event({ type: "agent.speculation", agent: hold.agent, attempt: entry.run.agents.get(hold.agent)!.attempt, action: "applied", paths, reason: null });
  }
}

/** The attempt is stopped (its gate failed, a person, the plan, the budget, purpled stopping): what it holds is dropped. */
export function discardHold(entry: PlanEntry, id: string, why: string): void {
  const hold = entry.holds.get(id);
  if (!hold || hold.state !== "pending") return;
  const paths = hold.decide("discarded", why);
  entry.holds.delete(id);
  entry.discarded.add(id);
  entry.writer.event({ type: "agent.speculation", agent: id, attempt: entry.run.agents.get(id)!.attempt, action: "discarded", paths, reason: why });
}
