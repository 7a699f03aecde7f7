// Which markdown file of a folder is the plan: the one that holds waves (or phases) of agents,
// whatever its name. Plans arrive as orchestration-plan.md, PARALLEL_EXECUTION_PLAN.md,
// 00-orchestrator.md or a single dropped file; status reports and completion summaries beside them
// also mention waves, so the choice weighs what each file holds and says why it took the one it took.
import { parseBlocks, type Block } from "./blocks.ts";
import { agentsInside, findWaveMarkers, type WaveMarker } from "./outline.ts";
import { agentHeading, agentIdsIn, agentNumbersIn } from "./vocab.ts";

export interface PlanShape {
  file: string;
  /** other markdown files of the folder this one names (a master plan names its parts) */
  names: number;
  /** its title or name says it is the master, main or index document ("00-…", "Master Plan") */
  hub: boolean;
  /** waves (or phases) the file's outline opens */
  waves: number;
  /** of those, the ones with at least one agent inside */
  wavesWithAgents: number;
  /** agent sections, bold agent lines and roster rows anywhere in the file */
  agents: number;
}

export interface PlanFileChoice {
  main: string | null;
  /** the main file's blocks and wave markers, as read while choosing (not read twice) */
  read?: { blocks: Block[]; markers: WaveMarker[] };
  /** one sentence: why this file (or why none) */
  why: string;
  /** every file that could be the plan, best first */
  candidates: PlanShape[];
}

// Names people give files that talk about a plan rather than being it.
const NOT_A_PLAN = /report|complet|summary|status|readme|issues?\b|cleanup|changelog|notes|research|retro|lessons|next[-_ ]session|checklist|requirements/i;
// Names people give plans.
const PLAN_NAME = /plan|orchestrat|parallel|execution|waves?\b|assignments?|roadmap/i;
// Folders whose markdown is never the plan: contracts, specs of one agent's work, agent prompts.
const SIDE_FOLDER = /^(?:integration-contracts|contracts|status|agent-prompts|prompts)\//i;

/** What one markdown text holds, as far as choosing the plan file goes (with the blocks and wave markers read on the way). */
function shapeOf(file: string, text: string, siblings: readonly string[]): { shape: PlanShape; blocks: Block[]; markers: WaveMarker[] } {
  const blocks = parseBlocks(text);
  const names = siblings.filter((f) => f !== file && text.includes(baseName(f))).length;
  const title = blocks.find((b) => b.kind === "heading" && b.level === 1);
  const hub = /^0+[-_ ]/.test(baseName(file)) || (title?.kind === "heading" && /\b(?:master|main|overall)\b/i.test(title.text));
  const markers = findWaveMarkers(blocks);
  let wavesWithAgents = 0;
  markers.forEach((m, k) => {
    const end = markers[k + 1]?.block ?? blocks.length;
    if (agentsInside(blocks, m.block, m.level) > 0 || namesAgents(blocks.slice(m.block, Math.min(end, m.block + 400)))) wavesWithAgents++;
  });
  return { shape: { file, names, hub, waves: markers.length, wavesWithAgents, agents: agentSections(blocks) }, blocks, markers };
}

/** The plan file among a folder's files (relative path → text), by content; never throws. */
export function choosePlanFile(files: Record<string, string>): PlanFileChoice {
  const shapes: PlanShape[] = [];
  const read = new Map<string, { blocks: Block[]; markers: WaveMarker[] }>();
  const markdown = Object.keys(files).filter((f) => /\.(?:md|markdown)$/i.test(f));
  for (const file of markdown) {
    if (SIDE_FOLDER.test(file)) continue;
    const s = shapeOf(file, files[file]!, markdown);
    shapes.push(s.shape);
    read.set(file, { blocks: s.blocks, markers: s.markers });
  }
  const plans = shapes.filter(isPlan).sort((a, b) => rank(b) - rank(a) || depth(a.file) - depth(b.file) || a.file.localeCompare(b.file));
  if (plans.length > 0) {
    const main = plans[0]!;
    const others = plans.slice(1, 4).map((p) => `${p.file} (${describe(p)})`);
    const why =
      plans.length === 1
        ? `${main.file} is the plan: it holds ${describe(main)}`
        : `${main.file} taken as the plan: it holds ${describe(main)}${nameReason(main)}; also holding waves of agents: ${others.join("; ")}`;
    return { main: main.file, read: read.get(main.file)!, why, candidates: plans };
  }
  // Nothing holds waves of agents: the file with the most structure, so the report can say what it lacks.
  const fallback = shapes
    .filter((s) => depth(s.file) === 0)
    .sort((a, b) => b.waves + b.agents - (a.waves + a.agents) || Number(PLAN_NAME.test(b.file)) - Number(PLAN_NAME.test(a.file)) || a.file.localeCompare(b.file))[0];
  if (!fallback) return { main: null, why: "the folder holds no markdown file", candidates: [] };
  return { main: fallback.file, read: read.get(fallback.file)!, why: `no markdown file holds waves or phases of agents; read ${fallback.file} (${describe(fallback)}) as the closest`, candidates: [] };
}

function isPlan(s: PlanShape): boolean {
  return s.wavesWithAgents > 0 || (s.waves > 0 && s.agents > 0);
}

// More waves that hold agents and more agents rank higher; a plan-like name helps, a report-like
// name hurts, naming the folder's other files (the master plan lists its parts) helps most, and orchestration-plan.md (the name /orchestrate writes, SPEC §5) wins ties outright.
function rank(s: PlanShape): number {
  const base = baseName(s.file);
  let r = s.wavesWithAgents * 10 + Math.min(s.waves, 12) * 2 + Math.min(s.agents, 40);
  if (PLAN_NAME.test(base)) r += 15;
  r += Math.min(s.names, 20) * 15 + (s.hub ? 20 : 0);
  if (NOT_A_PLAN.test(base)) r -= 40;
  if (base.toLowerCase() === "orchestration-plan.md") r += 1000;
  return r - depth(s.file) * 10;
}

function nameReason(s: PlanShape): string {
  const base = baseName(s.file);
  if (base.toLowerCase() === "orchestration-plan.md") return " and is named orchestration-plan.md";
  return PLAN_NAME.test(base) ? ", the most, and its name says it is a plan" : ", the most";
}

function describe(s: PlanShape): string {
  return `${s.waves} wave(s)${s.wavesWithAgents !== s.waves ? ` (${s.wavesWithAgents} with agents)` : ""}, ${s.agents} agent section(s)${s.names ? `, names ${s.names} other file(s) of the folder` : ""}`;
}

function depth(file: string): number {
  return file.split("/").length - 1;
}

function baseName(file: string): string {
  return file.slice(file.lastIndexOf("/") + 1);
}

function agentSections(blocks: readonly Block[]): number {
  let n = 0;
  for (const b of blocks) {
    if (b.kind === "heading" && agentHeading(b.text)) n++;
    else if ((b.kind === "para" || b.kind === "item") && /^\*\*[^*]+\*\*/.test(b.text) && agentHeading(/^\*\*([^*]+)\*\*/.exec(b.text)![1]!)) n++;
  }
  return n;
}

// "- Wave 1 (Foundation): `api-agent`, `db-agent`", "**Agents**: Agent 1, Agent 2": a wave's
// section naming agents by id or number.
function namesAgents(section: readonly Block[]): boolean {
  return section.some((b) => (b.kind === "item" || b.kind === "para" || b.kind === "row") && (agentIdsIn(textOf(b)).length > 0 || agentNumbersIn(textOf(b)).length > 0));
}

function textOf(b: Block): string {
  return b.kind === "row" ? b.cells.join(" | ") : b.kind === "item" || b.kind === "para" ? b.text : "";
}
