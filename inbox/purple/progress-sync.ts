// Keeping a feature folder's own progress.json up to date as its plan runs: the plan's progress
// (tickets' status and times, phases' status, current) is written into the file the Purple CLI
// made, and everything else in it stays. Tickets and phases are never added, removed, renamed or
// renumbered, so the folder's structure — what its compiled plan depends on — does not change.
import type { Progress, ProgressStatus } from "../../protocol/progress.ts";
import { ticketIdOf } from "./progress-read.ts";

type Obj = Record<string, unknown>;
type OurTicket = Progress["phases"][number]["tickets"][number];

/** The folder's own progress.json after applying the plan's progress (tickets by id: status, startedAt, completedAt; phases' status; summary recomputed; current), keeping every other field the file had. Pure. */
export function mergeProgress(original: unknown, ours: Progress): Progress {
  if (!isObject(original) || !Array.isArray(original.phases)) return ours;
  const ourTickets = new Map<string, { ticket: OurTicket; phase: number }>();
  ours.phases.forEach((p, k) => p.tickets.forEach((ticket) => ourTickets.set(ticket.id, { ticket, phase: k })));
  const find = (id: unknown): { ticket: OurTicket; phase: number } | undefined => {
    if (typeof id !== "string" && typeof id !== "number") return undefined;
    const raw = String(id).trim();
    return ourTickets.get(raw) ?? ourTickets.get(ticketIdOf(raw));
  };
  /** our phase index → the original phase's number, for `current` */
  const numberOf = new Map<number, unknown>();
  const phases = original.phases.map((phase: unknown) => {
    if (!isObject(phase)) return phase;
    const ourPhases = new Set<number>();
    const tickets = Array.isArray(phase.tickets)
      ? phase.tickets.map((t: unknown) => {
          const found = isObject(t) ? find(t.id) : undefined;
          if (!found) return t;
          ourPhases.add(found.phase);
          return applyTicket(t as Obj, found.ticket);
        })
      : phase.tickets;
    if (ourPhases.size === 0) {
      const byName = ours.phases.findIndex((p) => p.name === phase.name);
      if (byName >= 0) ourPhases.add(byName);
    }
    for (const k of ourPhases) if (!numberOf.has(k)) numberOf.set(k, phase.number);
    const status = ourPhases.size ? combine([...ourPhases].map((k) => ours.phases[k]!.status)) : statusOf(phase.status) ?? ticketsStatus(tickets);
    return { ...phase, status, ...(tickets === undefined ? {} : { tickets }) };
  });
  const current = ours.current === null ? null : { ...ours.current, ...(ours.current.phase !== undefined && numberOf.has(ours.current.phase - 1) ? { phase: numberOf.get(ours.current.phase - 1) as number } : {}) };
  return {
    ...original,
    feature: typeof original.feature === "string" ? original.feature : ours.feature,
    createdAt: typeof original.createdAt === "string" ? original.createdAt : ours.createdAt,
    updatedAt: ours.updatedAt,
    phases: phases as Progress["phases"],
    current,
    summary: { ...(isObject(original.summary) ? original.summary : {}), ...summarize(phases) },
  } as Progress;
}

// A ticket of the file with the plan's status and times; its other fields kept.
function applyTicket(t: Obj, ours: OurTicket): Obj {
  const { startedAt: _s, completedAt: _c, ...rest } = t;
  return {
    ...rest,
    status: ours.status,
    ...(ours.startedAt !== undefined ? { startedAt: ours.startedAt } : {}),
    ...(ours.completedAt !== undefined ? { completedAt: ours.completedAt } : {}),
  };
}

/** Several waves' statuses as one phase status: completed when all are, pending when all are. */
function combine(statuses: readonly ProgressStatus[]): ProgressStatus {
  if (statuses.every((s) => s === "completed")) return "completed";
  if (statuses.every((s) => s === "pending")) return "pending";
  return "in_progress";
}

function ticketsStatus(tickets: unknown): ProgressStatus {
  const statuses = (Array.isArray(tickets) ? tickets : []).map((t) => (isObject(t) ? statusOf(t.status) : undefined) ?? "pending");
  return statuses.length ? combine(statuses) : "pending";
}

function statusOf(v: unknown): ProgressStatus | undefined {
  return v === "pending" || v === "in_progress" || v === "completed" ? v : undefined;
}

// The Purple summary counts of the merged phases.
function summarize(phases: readonly unknown[]): Progress["summary"] {
  const summary = { totalPhases: 0, completedPhases: 0, totalTickets: 0, completedTickets: 0, inProgressTickets: 0 };
  for (const p of phases) {
    if (!isObject(p)) continue;
    summary.totalPhases++;
    if (p.status === "completed") summary.completedPhases++;
    for (const t of Array.isArray(p.tickets) ? p.tickets : []) {
      if (!isObject(t)) continue;
      summary.totalTickets++;
      if (t.status === "completed") summary.completedTickets++;
      if (t.status === "in_progress") summary.inProgressTickets++;
    }
  }
  return summary;
}

function isObject(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
