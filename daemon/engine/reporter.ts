// The reporter an in-process runner is given: its ticket and status calls become the same
// updates the purple_* methods make, and its spend is added up against the agent's and the
// plan's budgets.
import { addUsage, type Usage } from "../../protocol/index.ts";
import type { AgentReporter } from "../runners/runner.ts";
import type { Engine } from "./engine.ts";
import type { PlanEntry } from "./plan-entry.ts";
import { agentRecord } from "./durable.ts";
import { completeTicket, reportProgress, startTicket } from "./purple-tools.ts";

/** The reporter for one attempt of agent `id`. */
export function reporterFor(engine: Engine, entry: PlanEntry, id: string): AgentReporter {
  const plan = entry.run.name;
  return {
    startTicket: (ticketId) => startTicket(engine, { plan, ticketId, agent: id }),
    completeTicket: (ticketId) => completeTicket(engine, { plan, ticketId, agent: id }),
    status: (message, percent) => reportProgress(engine, { plan, agent: id, message, ...(percent === undefined ? {} : { percent }) }),
    spend: (turn) => spend(engine, entry, id, turn),
  };
}

function spend(engine: Engine, entry: PlanEntry, id: string, turn: Usage): boolean {
  const rec = entry.records.get(id)!;
  addUsage(rec.usage, turn);
  engine.journal([agentRecord(entry, id)]);
  entry.writer.touchAgent(id);
  entry.version++;
  const agentBudget = entry.index.agents.get(id)!.agent.budgetUsd;
  if (agentBudget !== undefined && rec.usage.costUsd >= agentBudget) {
    rec.blockers.push(`spent $${rec.usage.costUsd.toFixed(4)} of its $${agentBudget} budget`);
    return false;
  }
  const planBudget = entry.index.plan.budgetUsd;
  if (planBudget !== undefined) {
    let total = 0;
    for (const r of entry.records.values()) total += r.usage.costUsd;
    if (total >= planBudget) {
      rec.blockers.push(`the plan spent $${total.toFixed(4)} of its $${planBudget} budget`);
      // Every other agent of the plan stops too: nothing more may be spent.
      for (const [other, handle] of entry.handles) if (other !== id) handle.cancel(`the plan's $${planBudget} budget is spent`), entry.budgetStopped.add(other);
      return false;
    }
  }
  return true;
}
