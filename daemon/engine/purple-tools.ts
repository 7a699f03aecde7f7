// The Purple CLI's status-bar and progress tools (purple_*), as the daemon applies them: they
// change the plan's status bar and notes (steps through the core), its tickets' progress in
// progress.json (agent facts), and status-log.md.
import { PurpleError, type ParamsOf, type StatusBar } from "../../protocol/index.ts";
import { ticketList } from "../status/render.ts";
import { planEntry } from "./control.ts";
import type { PlanEntry, PlanHost } from "./plan-entry.ts";

/** purple_update_status: merge the given fields into the plan's status bar. */
export function updateStatus(host: PlanHost, p: ParamsOf<"purple_update_status">): void {
  const { plan, ...fields } = p;
  const entry = planEntry(host, plan);
  setBar(host, entry, fields);
  const parts = Object.entries(fields).map(([k, v]) => `${k}=${v}`);
  if (parts.length) entry.writer.log(fields.agent ?? "plan", "IN_PROGRESS", `status: ${parts.join(", ")}`);
}

/** purple_set_phase: just the phase. */
export function setPhase(host: PlanHost, p: ParamsOf<"purple_set_phase">): void {
  const entry = planEntry(host, p.plan);
  setBar(host, entry, { phase: p.phase });
  entry.writer.log("plan", "IN_PROGRESS", `phase: ${p.phase}`);
}

/** purple_report_progress: a note on the agent (when named) and a status-log line. */
export function reportProgress(host: PlanHost, p: ParamsOf<"purple_report_progress">): void {
  const entry = planEntry(host, p.plan);
  const message = p.percent === undefined ? p.message : `${p.message} (${p.percent}%)`;
  if (p.agent !== undefined) {
    if (!entry.run.agents.has(p.agent)) throw new PurpleError("AGENT_NOT_FOUND", `plan ${p.plan} has no agent ${JSON.stringify(p.agent)}`);
    host.step(entry, { type: "note", agent: p.agent, message });
    entry.writer.touchAgent(p.agent);
  }
  setBar(host, entry, { message: p.message, ...(p.percent === undefined ? {} : { progress: p.percent }), ...(p.agent ? { agent: p.agent } : {}) });
  entry.writer.log(p.agent ?? "plan", "IN_PROGRESS", message);
}

/** purple_progress_start_ticket: the ticket is in progress from now. */
export function startTicket(host: PlanHost, p: ParamsOf<"purple_progress_start_ticket">): void {
  const entry = planEntry(host, p.plan);
  const { owner, name } = ticketOwner(entry, p.ticketId);
  host.keep(entry, { t: "ticket", plan: p.plan, agent: owner, ticket: p.ticketId, status: "in_progress", startedAt: host.now() });
  setBar(host, entry, { currentTicket: p.ticketId, agent: owner });
  entry.writer.log(owner, "IN_PROGRESS", `started ticket ${p.ticketId}: ${p.ticketName ?? name}`);
}

/** purple_progress_complete_ticket: the ticket is completed from now. */
export function completeTicket(host: PlanHost, p: ParamsOf<"purple_progress_complete_ticket">): void {
  const entry = planEntry(host, p.plan);
  const { owner, name } = ticketOwner(entry, p.ticketId);
  const now = host.now();
  const startedAt = entry.records.get(owner)!.tickets.get(p.ticketId)?.startedAt ?? now;
  host.keep(entry, { t: "ticket", plan: p.plan, agent: owner, ticket: p.ticketId, status: "completed", startedAt, completedAt: now });
  entry.writer.log(owner, "IN_PROGRESS", `completed ticket ${p.ticketId}: ${name}`);
}

function ticketOwner(entry: PlanEntry, ticketId: string): { owner: string; name: string } {
  for (const [id, info] of entry.index.agents) {
    const t = ticketList(info.agent, id).find((t) => t.id === ticketId);
    if (t) return { owner: id, name: t.name };
  }
  throw new PurpleError("INVALID_PARAMS", `plan ${entry.run.name} has no ticket ${JSON.stringify(ticketId)}`);
}

function setBar(host: PlanHost, entry: PlanEntry, fields: Omit<Partial<StatusBar>, "updatedAt">): void {
  host.step(entry, { type: "status-bar", bar: { ...(entry.run.statusBar ?? {}), ...fields, updatedAt: new Date(host.now()).toISOString() } });
}
