// What `purplectl watch` shows, as keyed lines: the plan, each wave with a progress bar, each
// agent with its state and ticket progress. Pure; the painter decides how lines reach the screen.
// Every line's text is escaped (lib/escape.ts): what an agent wrote cannot move the cursor.
import type { PlanDetail } from "../protocol/rpc.ts";
import { escapeControl } from "../lib/escape.ts";
import { bar, money } from "./table.ts";
import { tickets } from "./render.ts";

export interface FrameLine {
  /** stable identity of the line across frames ("plan", "wave:ID", "agent:ID") */
  key: string;
  text: string;
}

/** The lines for one state of a plan. */
export function frame(d: PlanDetail): FrameLine[] {
  const p = d.plan;
  const passed = p.waves.filter((w) => w.state === "passed").length;
  const extra = [
    p.currentWave ? `wave ${p.currentWave}` : "",
    `${passed}/${p.waves.length} waves passed`,
    p.usage.costUsd > 0 ? money(p.usage.costUsd) : "",
    p.state === "awaiting-approval" ? `waiting for \`purplectl approve ${p.plan}\`` : "",
  ].filter(Boolean);
  const lines: FrameLine[] = [{ key: "plan", text: `${p.plan}: ${p.state}${p.reason ? ` (${p.reason})` : ""} — ${extra.join(", ")}` }];
  const byId = new Map(d.agents.map((a) => [a.agent, a]));
  const waveWidth = Math.max(4, ...p.waves.map((w) => w.id.length));
  const agentWidth = Math.max(5, ...d.agents.map((a) => a.agent.length));
  for (const w of p.waves) {
    const done = w.agents.filter((id) => byId.get(id)?.state === "completed").length;
    // a gate-only wave has no agents to count: its gate runs once the waves before it passed
    const count = w.agents.length > 0 ? `${bar(done, w.agents.length)} ${done}/${w.agents.length} agents` : "gate only (no agents)";
    lines.push({ key: `wave:${w.id}`, text: `${w.id.padEnd(waveWidth)}  ${w.state.padEnd(10)} ${count}` });
    for (const id of w.agents) {
      const a = byId.get(id);
      if (!a) continue;
      const t = a.tickets.length ? `tickets ${tickets(a)} ${bar(a.tickets.filter((x) => x.state === "completed").length, a.tickets.length, 10)}` : "";
      const note = a.reason ?? (a.attempt > 1 ? `attempt ${a.attempt}` : "");
      lines.push({ key: `agent:${id}`, text: `  ${id.padEnd(agentWidth)}  ${a.state.padEnd(11)}${t}${note ? `  ${note}` : ""}`.trimEnd() });
    }
  }
  // reasons and notes come from agents: no control character reaches the terminal
  return lines.map((l) => ({ key: l.key, text: escapeControl(l.text) }));
}

/** The lines of `next` whose text differs from what was last shown under their key. */
export function changed(shown: Map<string, string>, next: FrameLine[]): FrameLine[] {
  const out = next.filter((l) => shown.get(l.key) !== l.text);
  for (const l of out) shown.set(l.key, l.text);
  return out;
}

const ESC = "\x1b[";

/**
 * The bytes that replace the previous frame of `previousHeight` lines with `lines` in place:
 * cursor up to the frame's first line, clear to the end of the screen, draw. Lines are cut to
 * the terminal's width so that none wraps and the height stays true.
 */
export function redraw(previousHeight: number, lines: FrameLine[], columns: number): string {
  const up = previousHeight > 0 ? `\r${ESC}${previousHeight}A` : "";
  const body = lines.map((l) => (l.text.length > columns - 1 ? l.text.slice(0, Math.max(1, columns - 2)) + "…" : l.text)).join("\n");
  return `${up}${ESC}J${body}\n`;
}
