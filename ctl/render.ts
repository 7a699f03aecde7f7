// The human form of the control channel's results: the daemon and its plans, one plan's waves
// and agents, one agent. `--json` skips all of this and prints the result itself.
import type { AgentStatus } from "../protocol/status.ts";
import type { DaemonStatusResult, PlanDetail, PlanSummary } from "../protocol/rpc.ts";
import { escapeControl } from "../lib/escape.ts";
import { age, duration, money, table } from "./table.ts";

const EMPTY = "no plans yet: drop one into .context-kit/orchestration/inbox/ or run `purplectl submit PATH`";

/** The daemon's header line and its plans. */
export function renderDaemonStatus(s: DaemonStatusResult): string {
  const flags = [s.draining ? "DRAINING" : "", s.degraded ? "DEGRADED (cannot write its files; retrying)" : ""].filter(Boolean).join(", ");
  const head = `purpled ${s.version} (protocol ${s.protocol}), pid ${s.pid}, up ${duration(s.uptimeMs)}, root ${s.root}${flags ? ` — ${flags}` : ""}`;
  return `${escapeControl(head)}\n\n${renderPlans(s.plans)}`;
}

/** A table of plan summaries. */
export function renderPlans(plans: PlanSummary[]): string {
  if (plans.length === 0) return EMPTY;
  return table(
    ["PLAN", "STATE", "WAVE", "WAVES", "AGENTS", "COST", "UPDATED"],
    plans.map((p) => [p.plan, p.state + (p.reason ? ` (${p.reason})` : ""), p.currentWave ?? "-", `${p.wavesPassed}/${p.waves}`, agentCounts(p), money(p.costUsd), age(p.updatedAt)]),
  );
}

function agentCounts(p: PlanSummary): string {
  const extra = [p.running ? `${p.running} running` : "", p.failed ? `${p.failed} failed` : ""].filter(Boolean);
  return `${p.completed}/${p.agents} done${extra.length ? `, ${extra.join(", ")}` : ""}`;
}

/** One plan: its state, its waves, and every agent. */
export function renderPlanDetail(d: PlanDetail): string {
  const p = d.plan;
  const head = `${p.plan}: ${p.state}${p.reason ? ` (${p.reason})` : ""}${p.goal ? ` — ${p.goal}` : ""}`;
  const hint = p.state === "awaiting-approval" ? `\nwaiting for \`purplectl approve ${p.plan}\`` : "";
  const waves = table(["WAVE", "STATE", "AGENTS"], p.waves.map((w) => [w.id + (w.title ? ` (${w.title})` : ""), w.state, w.agents.join(", ")]));
  const agents = table(
    ["AGENT", "WAVE", "STATE", "ATTEMPT", "TICKETS", "CHANGED", "VIOLATIONS", "NOTE"],
    d.agents.map((a) => [a.agent, a.wave, a.state, String(a.attempt), tickets(a), String(a.changedFiles.length), String(a.violations.length), a.reason ?? ""]),
  );
  const cost = p.usage.costUsd > 0 ? `\ncost ${money(p.usage.costUsd)}, ${p.usage.inputTokens} input / ${p.usage.outputTokens} output tokens` : "";
  return `${escapeControl(head)}${hint}${cost}\n\n${waves}\n\n${agents}`;
}

/** "2/5" tickets completed, or "-" for an agent without tickets. */
export function tickets(a: AgentStatus): string {
  if (a.tickets.length === 0) return "-";
  return `${a.tickets.filter((t) => t.state === "completed").length}/${a.tickets.length}`;
}

/** One plan summary as a line (after approve, pause, resume, cancel). */
export function renderSummary(verb: string, s: PlanSummary): string {
  return escapeControl(`${s.plan}: ${verb}; now ${s.state}${s.reason ? ` (${s.reason})` : ""}, wave ${s.currentWave ?? "-"}, ${agentCounts(s)}`);
}

/** One agent as a line (after retry or cancel). */
export function renderAgent(verb: string, a: AgentStatus): string {
  return escapeControl(`${a.plan}/${a.agent}: ${verb}; now ${a.state} (wave ${a.wave}, attempt ${a.attempt})${a.reason ? ` — ${a.reason}` : ""}`);
}
