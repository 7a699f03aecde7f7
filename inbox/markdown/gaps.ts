// What a compile could not make, said out loud: no plan file, no waves, no agents, an agent with
// no territory. Each gap carries the lines of the plan file it could not read as what it looked
// for, so the person approving sees where to look instead of an empty plan.
import type { PlanInput } from "../../protocol/plan.ts";
import type { CompileGap } from "../purple/types.ts";
import { parseBlocks } from "./blocks.ts";
import { clip, plain } from "./inline.ts";

const MAX_LINES = 12;

/** The gaps of a compiled plan. */
export function findGaps(plan: PlanInput, main: string | null, files: Record<string, string>, wavesWritten = plan.waves.length > 0): CompileGap[] {
  if (main === null) return [{ kind: "no-plan-file", message: "the folder holds no markdown file", file: "", lines: [] }];
  const text = files[main] ?? "";
  const gaps: CompileGap[] = [];
  if (plan.waves.length === 0 || !wavesWritten)
    gaps.push({
      kind: "no-waves",
      message: `no waves or phases found in ${main} (expected headings such as "## Wave 1: …" or "### Phase 2: …" holding agents)${plan.waves.length ? `; the compiled plan runs its ${plan.waves.length} wave(s) from the waves agents name, else all agents together` : ""}`,
      file: main,
      lines: headingLines(text),
    });
  if (plan.agents.length === 0)
    gaps.push({ kind: "no-agents", message: `no agents found in ${main} (expected sections such as "### Agent 1: …", "### Team 2: …", a roster table or an ownership matrix)`, file: main, lines: headingLines(text) });
  for (const a of plan.agents) {
    if ((a.territory ?? []).length > 0) continue;
    gaps.push({ kind: "no-territory", message: `agent "${a.id}" was given no files: the plan names none it may create or change, so it runs read-only`, file: main, lines: sectionLines(text, a.name ?? a.id) });
  }
  return gaps;
}

/** One line per gap, for logs and `purplectl status`. */
export function gapSummary(gaps: readonly CompileGap[]): string[] {
  return gaps.map((g) => (g.lines.length ? `${g.message} (see ${g.file}:${g.lines[0]!.line})` : g.message));
}

// The headings of the file: what a person reads to see why nothing was found.
function headingLines(text: string): CompileGap["lines"] {
  return parseBlocks(text)
    .filter((b) => b.kind === "heading")
    .slice(0, MAX_LINES)
    .map((b) => ({ line: b.line, text: clip(plain(b.kind === "heading" ? b.text : ""), 120) }));
}

// The lines of the agent's own section (from its heading), where a territory would have been.
function sectionLines(text: string, name: string): CompileGap["lines"] {
  const lines = text.split(/\r?\n/);
  const needle = name.toLowerCase();
  const at = lines.findIndex((l) => /^\s{0,3}#{1,6}\s|^\s*(?:[-*]\s+)?\*\*/.test(l) && l.toLowerCase().includes(needle));
  if (at < 0) return [];
  const out: CompileGap["lines"] = [];
  for (let k = at; k < lines.length && out.length < MAX_LINES; k++) {
    if (k > at && /^\s{0,3}#{1,6}\s/.test(lines[k]!)) break;
    if (lines[k]!.trim()) out.push({ line: k + 1, text: clip(lines[k]!.trim(), 120) });
  }
  return out;
}
