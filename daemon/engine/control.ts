// A person's requests through the control channel, as steps for the core: approve, pause,
// resume, cancel (the plan or one agent), retry an agent. What each may do and means is decided
// in daemon/core/requests.ts; here a plan is found by name and the request handed on.
import { PurpleError } from "../../protocol/index.ts";
import type { PlanEntry, PlanHost } from "./plan-entry.ts";

/** The plan, or PLAN_NOT_FOUND naming the plans there are. */
export function planEntry(host: Pick<PlanHost, "plans">, name: string): PlanEntry {
  const entry = host.plans.get(name);
  if (!entry) {
    const known = [...host.plans.keys()];
    throw new PurpleError("PLAN_NOT_FOUND", `no plan named ${JSON.stringify(name)}${known.length ? `; plans: ${known.join(", ")}` : ""}`);
  }
  return entry;
}

/** Approve: a plan awaiting approval is queued; a plan blocked on a manual gate check has it passed and the gate runs again. */
export const approvePlan = (host: PlanHost, name: string, override?: string[]): void => void host.step(planEntry(host, name), { type: "approve", ...(override?.length ? { override } : {}) });

/** Pause: no new agents or gates start; running agents finish. */
export const pausePlan = (host: PlanHost, name: string): void => void host.step(planEntry(host, name), { type: "pause" });

/** Resume: a paused plan goes on; a plan blocked by its gate runs the gate again. */
export const resumePlan = (host: PlanHost, name: string): void => void host.step(planEntry(host, name), { type: "resume" });

/** Cancel: queued agents are cancelled, running ones stopped (SIGTERM, grace, SIGKILL), the gate aborted. */
export const cancelPlan = (host: PlanHost, name: string): void => void host.step(planEntry(host, name), { type: "cancel-plan" });

/** Retry an agent that failed, was cancelled, blocked or interrupted; a failed or blocked plan runs again from its wave. */
export const retryAgent = (host: PlanHost, name: string, agent: string, note?: string): void => void host.step(planEntry(host, name), { type: "retry-agent", agent, ...(note ? { note } : {}) });

/**
 * Cancel one agent: a queued one at once; a running one is stopped, and this resolves once it
 * has ended (so the reply tells its end, not "running"). Its wave cannot pass without it: the
 * plan ends blocked, naming `purplectl retry PLAN AGENT`.
 */
export async function cancelAgent(host: PlanHost & { whenSettled(entry: PlanEntry, agent: string): Promise<void> }, name: string, agent: string): Promise<void> {
  const entry = planEntry(host, name);
  host.step(entry, { type: "cancel-agent", agent });
  await host.whenSettled(entry, agent);
}
