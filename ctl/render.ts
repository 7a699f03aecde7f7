// The human form of the control channel's results: the daemon and its plans, one plan's waves
// and agents, one agent. `--json` skips all of this and prints the result itself.
import type { AgentStatus, PlanFailure } from "../protocol/status.ts";
import type { DaemonStatusResult, PlanDetail, PlanSummary, Rejection } from "../protocol/rpc.ts";
import { escapeControl, safeForTerminal } from "../lib/escape.ts";
import { age, cut, duration, money, table } from "./table.ts";

const EMPTY = "no plans yet: drop one into .context-kit/orchestration/inbox/ or run `purplectl submit PATH`";

/** The daemon's header line and its plans, in `width` columns. */
export function renderDaemonStatus(s: DaemonStatusResult, width = Infinity): string {
  const flags = [s.draining ? "DRAINING" : "", s.degraded ? "DEGRADED (cannot write its files; retrying)" : ""].filter(Boolean).join(", ");
  const head = `purpled ${s.version} (protocol ${s.protocol}), pid ${s.pid}, up ${duration(s.uptimeMs)}, root ${s.root}${flags ? ` — ${flags}` : ""}`;
  return `${cut(escapeControl(head), width)}\n\n${renderPlans(s.plans, width)}`;
}

/** A table of plan summaries in `width` columns: the reason comes last and is shortened first. */
export function renderPlans(plans: PlanSummary[], width = Infinity): string {
  if (plans.length === 0) return EMPTY;
  return table(
    ["PLAN", "STATE", "WAVE", "WAVES", "AGENTS", "COST", "UPDATED", "REASON"],
    plans.map((p) => [p.plan, p.state, p.currentWave ?? "-", `${p.wavesPassed}/${p.waves}`, agentCounts(p), money(p.costUsd), age(p.updatedAt), oneLine(p.reason ?? "")]),
    { width, shrink: [7, 0, 4, 2] },
  );
}

/** The recent inbox rejections, newest first: when, which item, and its problems. */
export function renderRejections(rejections: Rejection[], width = Infinity): string {
  const rows = [...rejections].reverse().map((r) => {
    const first = r.problems[0];
    const more = r.problems.length > 1 ? ` (+${r.problems.length - 1} more)` : "";
    return [age(r.at), r.item, first ? oneLine(`${first.path || "(plan)"}: ${first.message}`) + more : ""];
  });
  return `recent inbox rejections (\`purplectl watch NAME\` lists every problem):\n${table(["WHEN", "ITEM", "PROBLEMS"], rows, { width, shrink: [2, 1] })}`;
}

const oneLine = (s: string) => s.replace(/\s+/g, " ").trim();

function agentCounts(p: PlanSummary): string {
  const extra = [p.running ? `${p.running} running` : "", p.failed ? `${p.failed} failed` : ""].filter(Boolean);
  return `${p.completed}/${p.agents} done${extra.length ? `, ${extra.join(", ")}` : ""}`;
}

/** One plan: its state, its waves, every agent, and for a blocked or failed plan why and what next. */
export function renderPlanDetail(d: PlanDetail, width = Infinity): string {
  const p = d.plan;
  const head = cut(escapeControl(`${p.plan}: ${p.state}${p.reason ? ` (${oneLine(p.reason)})` : ""}${p.goal ? ` — ${p.goal}` : ""}`), width);
  const hint = p.state === "awaiting-approval" ? `\nwaiting for \`purplectl approve ${p.plan}\`` : "";
  const waves = table(["WAVE", "STATE", "AGENTS"], p.waves.map((w) => [w.id + (w.title ? ` (${w.title})` : ""), w.state, w.agents.join(", ") || "(none: gate only)"]), { width, shrink: [2, 0] });
  const agents = table(
    ["AGENT", "WAVE", "STATE", "ATTEMPT", "TICKETS", "CHANGED", "VIOLATIONS", "NOTE"],
    d.agents.map((a) => [a.agent, a.wave, a.speculative && a.state === "running" ? "running (speculative)" : a.state, String(a.attempt), tickets(a), String(a.changedFiles.length), String(a.violations.length), oneLine(a.reason ?? "")]),
    { width, shrink: [7, 0, 1] },
  );
  const cost = p.usage.costUsd > 0 ? `\ncost ${money(p.usage.costUsd)}, ${p.usage.inputTokens} input / ${p.usage.outputTokens} output tokens` : "";
  const failure = p.failure ? `\n\n${renderFailure(p.failure)}` : "";
  return `${head}${hint}${cost}\n\n${waves}\n\n${agents}${failure}`;
}

/** Why the plan stopped, the end of the failing output, where the whole log is, and what to do. */
export function renderFailure(f: PlanFailure): string {
  // The output is the agent's: no escape sequence of its own reaches the terminal.
  const safe = safeForTerminal(f.outputTail);
  const tail = safe ? `\nlast output:\n${safe.split("\n").map((l) => `  | ${l}`).join("\n")}` : "\n(no output was recorded)";
  const next = f.nextSteps && f.nextSteps.length > 1 ? `next, one of:\n${f.nextSteps.map((s) => `  - ${escapeControl(s)}`).join("\n")}` : `next: ${escapeControl(f.nextStep)}`;
  return `why: ${escapeControl(f.reason)}${tail}\nwhole log: ${escapeControl(f.logCommand)}\n${next}`;
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
