// The reporter an in-process runner is given: its ticket and status calls become the same
// updates the purple_* methods make, and its spend goes to the core as a step (the budget stop
// is decided there).
import { addUsage, type Usage } from "../../protocol/index.ts";
import type { AgentReporter } from "../runners/runner.ts";
import { agentFact, type PlanEntry, type PlanHost } from "./plan-entry.ts";
import { completeTicket, reportProgress, startTicket } from "./purple-tools.ts";

/** The reporter for one attempt of agent `id`. */
export function reporterFor(host: PlanHost, entry: PlanEntry, id: string): AgentReporter {
  const plan = entry.run.name;
  return {
    startTicket: (ticketId) => startTicket(host, { plan, ticketId, agent: id }),
    completeTicket: (ticketId) => completeTicket(host, { plan, ticketId, agent: id }),
    status: (message, percent) => reportProgress(host, { plan, agent: id, message, ...(percent === undefined ? {} : { percent }) }),
    spend: (turn) => spend(host, entry, id, turn),
    changed: (paths) => changed(host, entry, id, paths),
  };
}

/** Files an in-process runner wrote (no sandbox changeset or audit sees them first): the agent's changedFiles. */
function changed(host: PlanHost, entry: PlanEntry, id: string, paths: string[]): void {
  const rec = entry.records.get(id)!;
  const fresh = paths.filter((p) => !rec.changedFiles.has(p));
  if (fresh.length === 0) return;
  host.keep(entry, { ...agentFact(entry, id), changedFiles: [...rec.changedFiles, ...fresh] });
  entry.writer.event({ type: "agent.changes", agent: id, paths: fresh });
}

/** Add a turn's usage; false once the agent must stop (its own or the plan's budget is spent). */
function spend(host: PlanHost, entry: PlanEntry, id: string, turn: Usage): boolean {
  const usage = { ...entry.records.get(id)!.usage };
  addUsage(usage, turn);
  host.keep(entry, { ...agentFact(entry, id), usage });
  const { effects } = host.step(entry, { type: "spend", agent: id, costUsd: turn.costUsd });
  return !effects.some((e) => e.type === "stop-agent" && e.agent === id);
}
