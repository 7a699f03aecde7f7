// The Purple CLI's status-bar and progress tools (purple_*), as the daemon applies them: they
// change the plan's status bar, its tickets' progress in progress.json, and status-log.md.
import { PurpleError, type ParamsOf, type StatusBar } from "../../protocol/index.ts";
import { ticketList } from "../status/render.ts";
import type { Engine } from "./engine.ts";
import { planEntry } from "./control.ts";
import type { PlanEntry } from "./plan-entry.ts";

/** purple_update_status: merge the given fields into the plan's status bar. */
export function updateStatus(engine: Engine, p: ParamsOf<"purple_update_status">): void {
  const { plan, ...fields } = p;
  const entry = planEntry(engine, plan);
  setBar(engine, entry, fields);
  const parts = Object.entries(fields).map(([k, v]) => `${k}=${v}`);
  if (parts.length) entry.writer.log(fields.agent ?? "plan", "IN_PROGRESS", `status: ${parts.join(", ")}`);
}

/** purple_set_phase: just the phase. */
export function setPhase(engine: Engine, p: ParamsOf<"purple_set_phase">): void {
  const entry = planEntry(engine, p.plan);
  setBar(engine, entry, { phase: p.phase });
  entry.writer.log("plan", "IN_PROGRESS", `phase: ${p.phase}`);
}

/** purple_report_progress: a note on the agent (when named) and a status-log line. */
export function reportProgress(engine: Engine, p: ParamsOf<"purple_report_progress">): void {
  const entry = planEntry(engine, p.plan);
  const message = p.percent === undefined ? p.message : `${p.message} (${p.percent}%)`;
  if (p.agent !== undefined) {
    const rec = entry.records.get(p.agent);
    if (!rec) throw new PurpleError("AGENT_NOT_FOUND", `plan ${p.plan} has no agent ${JSON.stringify(p.agent)}`);
    rec.notes.push(message);
    if (rec.notes.length > 100) rec.notes.splice(0, rec.notes.length - 100);
    entry.writer.touchAgent(p.agent);
  }
  setBar(engine, entry, { message: p.message, ...(p.percent === undefined ? {} : { progress: p.percent }), ...(p.agent ? { agent: p.agent } : {}) });
  entry.writer.log(p.agent ?? "plan", "IN_PROGRESS", message);
}

/** purple_progress_start_ticket: the ticket is in progress from now. */
export function startTicket(engine: Engine, p: ParamsOf<"purple_progress_start_ticket">): void {
  const entry = planEntry(engine, p.plan);
  const { owner, name } = ticketOwner(entry, p.ticketId);
  const rec = entry.records.get(owner)!;
  const started = { status: "in_progress" as const, startedAt: engine.now() };
  engine.journal([{ t: "ticket", plan: p.plan, agent: owner, ticket: p.ticketId, ...started }]);
  rec.tickets.set(p.ticketId, started);
  setBar(engine, entry, { currentTicket: p.ticketId, agent: owner });
  entry.writer.touchAgent(owner);
  entry.writer.log(owner, "IN_PROGRESS", `started ticket ${p.ticketId}: ${p.ticketName ?? name}`);
}

/** purple_progress_complete_ticket: the ticket is completed from now. */
export function completeTicket(engine: Engine, p: ParamsOf<"purple_progress_complete_ticket">): void {
  const entry = planEntry(engine, p.plan);
  const { owner, name } = ticketOwner(entry, p.ticketId);
  const rec = entry.records.get(owner)!;
  const now = engine.now();
  const done = { status: "completed" as const, startedAt: rec.tickets.get(p.ticketId)?.startedAt ?? now, completedAt: now };
  engine.journal([{ t: "ticket", plan: p.plan, agent: owner, ticket: p.ticketId, ...done }]);
  rec.tickets.set(p.ticketId, done);
  entry.writer.touchAgent(owner);
  entry.version++;
  entry.writer.log(owner, "IN_PROGRESS", `completed ticket ${p.ticketId}: ${name}`);
}

function ticketOwner(entry: PlanEntry, ticketId: string): { owner: string; name: string } {
  for (const [id, info] of entry.index.agents) {
    const t = ticketList(info.agent, id).find((t) => t.id === ticketId);
    if (t) return { owner: id, name: t.name };
  }
  throw new PurpleError("INVALID_PARAMS", `plan ${entry.run.name} has no ticket ${JSON.stringify(ticketId)}`);
}

function setBar(engine: Engine, entry: PlanEntry, fields: Omit<Partial<StatusBar>, "updatedAt">): void {
  entry.statusBar = { ...(entry.statusBar ?? {}), ...fields, updatedAt: new Date(engine.now()).toISOString() };
  entry.version++;
  entry.writer.touchPlan();
}
