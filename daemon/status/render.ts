// Pure renderers: the run state as the files of SPEC §3 — status.json, status/<agent>.json,
// progress.json (Purple schema) and status-log.md lines. No IO here.
import type { AgentState, AgentStatus, PlanStatus, Progress, ProgressStatus, Usage } from "../../protocol/index.ts";
import { addUsage, checkKind, checkTarget, zeroUsage } from "../../protocol/index.ts";
import type { PlanIndex } from "../core/plan-index.ts";
import type { PlanRunState, Transition } from "../core/state.ts";
import type { AgentRecord } from "./agent-record.ts";
import { escapeControl } from "../../lib/escape.ts";

/** Everything the renderers read: one plan's index, run state and per-agent records. */
export interface PlanView {
  index: PlanIndex;
  run: PlanRunState;
  records: Map<string, AgentRecord>;
  hash: string;
  createdAt: number;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function renderAgentStatus(view: PlanView, id: string, now: number): AgentStatus {
  const info = view.index.agents.get(id)!;
  const st = view.run.agents.get(id)!;
  const rec = view.records.get(id)!;
  return {
    agent: id,
    plan: view.run.name,
    wave: info.wave,
    state: st.state,
    attempt: st.attempt,
    startedAt: iso(st.startedAt),
    completedAt: iso(st.completedAt),
    tickets: ticketsOf(view, id).map((t) => ({ id: t.id, title: t.name, state: t.status })),
    territory: [...info.agent.territory],
    changedFiles: [...rec.changedFiles].sort(),
    violations: rec.violations,
    blockers: [...st.blockers],
    notes: [...st.notes],
    usage: rec.usage,
    exitCode: rec.exitCode,
    reason: st.reason,
    retryAt: st.state === "queued" && st.notBefore > now ? iso(st.notBefore) : null,
    ...(st.speculative ? { speculative: true } : {}),
    updatedAt: new Date(now).toISOString(),
  };
}

export function renderPlanStatus(view: PlanView, now: number): PlanStatus {
  const { run, index } = view;
  const counts = { queued: 0, running: 0, validating: 0, completed: 0, failed: 0, blocked: 0, cancelled: 0, interrupted: 0 } as Record<AgentState, number>;
  for (const a of run.agents.values()) counts[a.state] += 1;
  const usage = zeroUsage();
  for (const rec of view.records.values()) addUsage(usage, rec.usage);
  return {
    plan: run.name,
    goal: index.plan.goal,
    state: run.state,
    reason: run.reason,
    hash: view.hash,
    currentWave: run.waves[run.waveIndex]?.id ?? null,
    waves: index.waves.map((w, i) => ({ id: w.id, title: w.title, state: run.waves[i]!.state, agents: w.agents.map((a) => a.id), gate: w.gate.map((c) => ({ kind: checkKind(c), target: checkTarget(c) })) })),
    counts,
    usage,
    statusBar: run.statusBar,
    failure: null, // filled in by describeFailure (status/failure.ts), which reads the output files
    startedAt: iso(run.startedAt),
    completedAt: iso(run.completedAt),
    updatedAt: new Date(now).toISOString(),
  };
}

type ProgressTicket = Progress["phases"][number]["tickets"][number];

/**
 * An agent's tickets with their progress. Tickets the agent reported (purple_progress_* calls)
 * show what it reported; until it reports any, they follow the agent: in progress while it
 * runs, completed when it completes. Once it reports one, the others wait as pending. An agent
 * with no tickets shows as one ticket named after it, so every agent counts in the progress bar.
 */
function ticketsOf(view: PlanView, id: string): ProgressTicket[] {
  const info = view.index.agents.get(id)!;
  const st = view.run.agents.get(id)!;
  const reported = view.records.get(id)!.tickets;
  const agentDone = st.state === "completed";
  const following: ProgressStatus = agentDone ? "completed" : reported.size === 0 && (st.state === "running" || st.state === "validating") ? "in_progress" : "pending";
  return ticketList(info.agent, id).map((t) => {
    const r = reported.get(t.id);
    const status: ProgressStatus = agentDone ? "completed" : (r?.status ?? following);
    const out: ProgressTicket = { id: t.id, name: t.name, status };
    const startedAt = r?.startedAt ?? (status !== "pending" ? st.startedAt : null);
    const completedAt = r?.completedAt ?? (status === "completed" ? st.completedAt : null);
    if (status !== "pending" && startedAt != null) out.startedAt = new Date(startedAt).toISOString();
    if (status === "completed" && completedAt != null) out.completedAt = new Date(completedAt).toISOString();
    return out;
  });
}

/** The tickets of an agent as progress.json lists them (one named after the agent when it has none). */
export function ticketList(agent: { tickets: readonly { id: string; title: string }[]; role: string }, id: string): { id: string; name: string }[] {
  return agent.tickets.length > 0 ? agent.tickets.map((t) => ({ id: t.id, name: t.title })) : [{ id, name: agent.role || id }];
}

export function renderProgress(view: PlanView, now: number): Progress {
  const { index, run } = view;
  let totalTickets = 0, completedTickets = 0, inProgressTickets = 0, completedPhases = 0;
  let current: Progress["current"] = null;
  const phases = index.waves.map((w, i) => {
    const ws = run.waves[i]!.state;
    const status: ProgressStatus = ws === "passed" ? "completed" : ws === "pending" ? "pending" : "in_progress";
    if (status === "completed") completedPhases++;
    const tickets = w.agents.flatMap((a) => {
      const ts = ticketsOf(view, a.id);
      for (const t of ts) {
        totalTickets++;
        if (t.status === "completed") completedTickets++;
        if (t.status === "in_progress") {
          inProgressTickets++;
          current ??= { phase: i + 1, ticketId: t.id, ticketName: t.name, agent: a.id };
        }
      }
      return ts;
    });
    return { number: i + 1, name: w.title ?? w.id, status, tickets };
  });
  return {
    feature: run.name,
    createdAt: new Date(view.createdAt).toISOString(),
    updatedAt: new Date(now).toISOString(),
    phases,
    current,
    summary: { totalPhases: phases.length, completedPhases, totalTickets, completedTickets, inProgressTickets },
  };
}

const AGENT_BROADCAST: Partial<Record<AgentState, string>> = {
  running: "STARTED",
  validating: "VALIDATING",
  completed: "COMPLETED",
  failed: "FAILED",
  blocked: "BLOCKED",
  cancelled: "CANCELLED",
  interrupted: "BLOCKED",
};

/**
 * One status-log.md line: `[YYYY-MM-DD HH:MM:SS] <who> <TYPE> <message>` (UTC). Agents supply
 * `who` and the message (purple_* tools), so every field is kept on its line: newlines and other
 * control characters are written as visible escapes (SPEC §6), and `who` has no spaces.
 */
export function broadcastLine(now: number, who: string, type: string, message: string): string {
  return `[${new Date(now).toISOString().slice(0, 19).replace("T", " ")}] ${escapeControl(who).replace(/ /g, "_")} ${escapeControl(type)} ${escapeControl(message.trim())}`;
}

/** The status-log line for a transition, or null when it is not broadcast. */
export function logLine(t: Transition, now: number, view: PlanView): string | null {
  const line = (who: string, type: string, message: string) => broadcastLine(now, who, type, message);
  if (t.kind === "agent") {
    let type = AGENT_BROADCAST[t.to];
    let message: string;
    if (t.to === "queued") {
      if (t.from === "queued") return null;
      type = "IN_PROGRESS";
      message = t.reason ?? "queued again";
    } else if (t.to === "running") message = `attempt ${t.attempt}${t.speculative ? " (speculative: the gate before its wave is running; its changes are held until it passes)" : ""}`;
    else if (t.to === "completed") message = `changed ${view.records.get(t.agent)?.changedFiles.size ?? 0} file(s)`;
    else if (t.to === "validating") message = "checking the contracts it owns";
    else message = `${t.to}${t.reason ? `: ${t.reason}` : ""}`;
    return line(t.agent, type!, message);
  }
  if (t.kind === "repair") return line(t.subject, "REPAIRING", `repair round ${t.round} of ${t.of}: ${t.checks.join(", ")} failed; ${t.agents.join(", ")} run again with the failure in their prompt`);
  if (t.kind === "wave") {
    const who = `gate:${t.wave}`;
    if (t.to === "validating") return line(who, "VALIDATING", "running the gate");
    if (t.to === "passed") return line(who, "VALIDATED", `wave ${t.wave} passed`);
    if (t.to === "blocked") return line(who, "BLOCKED", "the gate failed");
    return null;
  }
  const type = t.to === "running" ? "STARTED" : t.to === "succeeded" ? "COMPLETED" : t.to === "failed" ? "FAILED" : t.to === "blocked" ? "BLOCKED" : t.to === "cancelled" ? "CANCELLED" : "IN_PROGRESS";
  return line("plan", type, `${t.to}${t.reason ? `: ${t.reason}` : ""}`);
}

