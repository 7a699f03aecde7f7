// Which lines of the main file open waves. Plans mention "Wave 1" in many headings (gates, success
// metrics, launch commands, rollback …); the waves themselves are the one family of sibling
// headings — or cousins under phase headings — that holds the agents. Failing headings, bold
// `**Wave N: …**` lines are taken.
import type { Block } from "./blocks.ts";
import { boldAgentLine, personAgentLine } from "./agent-lines.ts";
import { codeSpans, plain } from "./inline.ts";
import { waveClauses } from "./wave-lines.ts";
import { agentHeading, agentIdsIn, agentNumbersIn, phaseHeading, stageHeading, waveHeading, type WaveHeading } from "./vocab.ts";

export interface WaveMarker {
  /** index of the opening block */
  block: number;
  /** heading level, or the enclosing heading's level + 0.5 for a bold line */
  level: number;
  number: number;
  title: string;
  phase?: number;
  /** steps taken without agents inside: this is the step where the plan's agents work ("all agents, in parallel") */
  agentsWorkHere?: boolean;
  /** ids of agents the opening line names by their bare kebab id ("1. export-api and export-ui") */
  members?: string[];
}

// Words that make a "Wave N …" heading an aside about a wave rather than the wave: any of them
// right after the number ("Wave 1 Gate", "Wave 2 Tasks"), only the strongest after a separator
// ("Wave 3: Validation & Migration" is a wave).
const ASIDE = /\bgates?\b|synchroni[sz]|rollback|checkpoint|→|->|\bcompletion\b|\bcomplete\b|\bsuccess\b|\btargets?\b|\bmetrics\b|\blaunch\b|\bhandoff\b|\bfailure\b|\brecovery\b|^tasks?\b|^validation\b|^summary$|^status$|^reports?$|^checklist$|^results?$|^tests?\b/i;
const STRONG_ASIDE = /\bgates?\b|synchroni[sz]|rollback|checkpoint|→|->|\bsuccess (?:criteria|metrics)\b|\bcompletion report\b/i;

function isAside(w: { title: string; separated: boolean }): boolean {
  return (w.separated ? STRONG_ASIDE : ASIDE).test(w.title);
}

/** The wave-opening blocks of a file, in order. */
export function findWaveMarkers(blocks: readonly Block[]): WaveMarker[] {
  // In order of trust: wave headings, wave lines, stage lines; then (no waves at all) phases,
  // stages or sprints that hold agents, stage-only lines, steps, a method's named phases, an order list.
  const readers: ((b: readonly Block[]) => WaveMarker[])[] = [
    (b) => headingMarkers(b, waveHeading, false),
    lineMarkers,
    stageLineMarkers,
    (b) => headingMarkers(b, stageHeading, true),
    stageOnlyLines,
    stepMarkers,
    processMarkers,
  ];
  for (const read of readers) {
    const found = read(blocks);
    if (found.length) return found;
  }
  return orderMarkers(blocks);
}

// The phases of a method, each heading named for one ("## S — Specification", "## Design",
// "## Implementation", "## Review"), with agents inside: without numbers, their order is the
// waves' order. Only headings named by these words count, so areas ("## Backend") never become waves.
const PROCESS_WORD = /^(?:[A-Z]\s*[—–:.-]\s*)?(?:research|discovery|analysis|planning|specification|spec|pseudocode|architecture|design|implementation|build|refinement|testing|test|verification|integration|review|completion|polish|release|deployment|documentation|hardening)\b/i;

function processMarkers(blocks: readonly Block[]): WaveMarker[] {
  for (const level of [2, 3, 1]) {
    const out: WaveMarker[] = [];
    blocks.forEach((b, i) => {
      if (b.kind !== "heading" || b.level !== level || !PROCESS_WORD.test(plain(b.text).trim())) return;
      out.push({ block: i, level, number: out.length + 1, title: plain(b.text).replace(/^[A-Z]\s*[—–:.-]\s*/, "").trim() });
    });
    const withAgents = out.filter((m) => agentsInside(blocks, m.block, m.level) > 0).length;
    if (out.length >= 3 && withAgents >= 2) return out;
  }
  return [];
}

// "Parallel group 1", "- Phase 2: translations", "round 1 (parallel):": short lines that are
// nothing but a numbered stage (a title, a parenthesis, a colon at most), at least two of them
// counting up, each followed by lines before the next: a plan without headings written as a list.
const STAGE_LINE = /^(?:parallel\s+)?(?:phase|stage|step|sprint|round|batch|group|wave)\s*#?\s*(\d{1,2})\b\s*(?:\(([^)]{0,60})\))?\s*(?:[:.\-–—]\s*([^:]{0,60}?))?\s*(?:\(([^)]{0,60})\))?\s*:?\s*$/i;

function stageOnlyLines(blocks: readonly Block[]): WaveMarker[] {
  const out: WaveMarker[] = [];
  eachLine(blocks, (b, i, level) => {
    if (b.indent > 0) return;
    const m = STAGE_LINE.exec(plain(b.text));
    if (!m || blocks[i + 1] === undefined || blocks[i + 1]!.kind === "heading") return;
    out.push({ block: i, level: level + 0.5, number: Number(m[1]), title: (m[3] ?? "").trim() });
  });
  const counting = out.every((m, k) => k === 0 || m.number === out[k - 1]!.number + 1);
  return out.length >= 2 && counting ? out : [];
}

/** "## Sprint 1", "## Stage 2": numbered stage headings as waves, whether or not agents are named under them. */
export function stageMarkers(blocks: readonly Block[]): WaveMarker[] {
  return headingMarkers(blocks, stageHeading, false);
}

// "## Execution order" over "1. export-api and export-ui, in parallel" / "2. export-tests": the
// numbered items of an order, sequence or schedule section that name the file's agents.
function orderMarkers(blocks: readonly Block[]): WaveMarker[] {
  const ids = new Set<string>();
  for (const b of blocks) {
    const ref = b.kind === "heading" ? agentHeading(b.text) : null;
    if (ref?.id) ids.add(ref.id);
    else if (ref?.name && /^[a-z][a-z0-9]*(?:[-_][a-z0-9]+)+$/.test(ref.name)) ids.add(ref.name);
  }
  for (let h = 0; h < blocks.length; h++) {
    const head = blocks[h]!;
    if (head.kind !== "heading" || !/\b(?:order|sequence|sequencing|schedule)\b/i.test(head.text)) continue;
    const out: WaveMarker[] = [];
    let indent: number | null = null;
    for (let k = h + 1; k < blocks.length; k++) {
      const b = blocks[k]!;
      if (b.kind === "heading") break;
      if (b.kind !== "item" || !b.ordered || (indent !== null && b.indent > indent)) continue;
      indent ??= b.indent;
      const words = plain(b.text).split(/[^A-Za-z0-9_-]+/);
      const members = [...new Set(words.filter((w) => ids.has(w)))];
      if (members.length === 0 && agentIdsIn(b.text).length === 0 && agentNumbersIn(b.text).length === 0) continue;
      out.push({ block: k, level: head.level + 0.5, number: out.length + 1, title: "", ...(members.length ? { members } : {}) });
    }
    if (out.length >= 2) return out;
  }
  return [];
}

// "### Phase 1: Individual Fixes (parallel)", "### Phase 2: Test each branch", … after the agents'
// own sections: numbered steps that name no agent are still the plan's order of work, when the file
// has agent sections and the steps count 1, 2, 3 (or 0, 1, 2) under one heading. The agents run in
// the first step that says all agents work at once.
function stepMarkers(blocks: readonly Block[]): WaveMarker[] {
  if (!blocks.some((b) => b.kind === "heading" && agentHeading(b.text))) return [];
  const steps = headingMarkers(blocks, stageHeading, false);
  if (steps.length < 2 || steps.some((m) => m.phase !== undefined)) return [];
  if (!steps.every((m, k) => m.number === steps[0]!.number + k) || steps[0]!.number > 1) return [];
  let found = false;
  return steps.map((m, k) => {
    const end = steps[k + 1]?.block ?? blocks.length;
    const here = !found && sectionSaysAllAgents(blocks, m, end);
    found ||= here;
    return here ? { ...m, agentsWorkHere: true } : m;
  });
}

const ALL_AGENTS = /\ball (?:the )?(?:\w+ )?agents\b|\bagents? (?:work|run)s? (?:simultaneously|in parallel|at once|concurrently)|\bparallel\b|\bsimultaneous/i;

function sectionSaysAllAgents(blocks: readonly Block[], m: WaveMarker, end: number): boolean {
  const heading = blocks[m.block]!;
  if (heading.kind === "heading" && ALL_AGENTS.test(heading.text)) return true;
  for (let k = m.block + 1; k < end; k++) {
    const b = blocks[k]!;
    if (b.kind === "heading" && b.level <= m.level) break;
    const text = b.kind === "code" ? b.body.join("\n") : b.kind === "para" || b.kind === "item" ? b.text : "";
    if (ALL_AGENTS.test(text)) return true;
  }
  return false;
}

interface Candidate extends WaveMarker {
  key: string;
  order: number;
}

function headingMarkers(blocks: readonly Block[], read: (text: string) => WaveHeading | null, needAgents: boolean): WaveMarker[] {
  const candidates: Candidate[] = [];
  const stack: { level: number; block: number; phase: number | null }[] = [];
  blocks.forEach((b, i) => {
    if (b.kind !== "heading") return;
    while (stack.length && stack[stack.length - 1]!.level >= b.level) stack.pop();
    const parent = stack[stack.length - 1];
    const phase = needAgents ? null : phaseHeading(b.text);
    stack.push({ level: b.level, block: i, phase });
    const w = read(b.text);
    if (!w || isAside(w)) return;
    // Waves under phase headings group by the phases' parent, so numbering may restart per phase.
    const phaseFrame = [...stack].reverse().find((f) => f.phase !== null && f.block !== i);
    const above = phaseFrame ? stack[stack.indexOf(phaseFrame) - 1] : parent;
    const key = `${phaseFrame ? "phase:" : ""}${above?.block ?? -1}:${b.level}`;
    candidates.push({ block: i, level: b.level, number: w.number, title: w.title, ...(phaseFrame ? { phase: phaseFrame.phase! } : {}), key, order: candidates.length });
  });
  if (candidates.length === 0) return [];
  const groups = new Map<string, Candidate[]>();
  for (const c of candidates) groups.set(c.key, [...(groups.get(c.key) ?? []), c]);
  let best: Candidate[] = [];
  let bestScore = -Infinity;
  for (const group of groups.values()) {
    // Phases (no wave headings at all) also count agents their sections only name ("Agent 1
    // completes first"): plans that describe agents in one section and the phases in another.
    const agents = group.reduce((n, c) => n + agentsInside(blocks, c.block, c.level) + (needAgents ? agentRefsInside(blocks, c.block, c.level) : 0), 0);
    const distinct = new Set(group.map((c) => `${c.phase ?? ""}/${c.number}`)).size;
    const score = agents * 100 + distinct * 10 + (group.length > 1 ? 5 : 0) - group[0]!.order * 0.01;
    if (needAgents && agents === 0) continue;
    if (score > bestScore) {
      bestScore = score;
      best = group;
    }
  }
  return best.map(({ key: _k, order: _o, ...m }) => m);
}

/** Paragraphs and items inside a heading's section that name agents by number or id. */
function agentRefsInside(blocks: readonly Block[], start: number, level: number): number {
  let n = 0;
  for (let k = start + 1; k < blocks.length; k++) {
    const b = blocks[k]!;
    if (b.kind === "heading" && b.level <= level) break;
    if ((b.kind === "para" || b.kind === "item") && (agentNumbersIn(b.text).length > 0 || agentIdsIn(b.text).length > 0)) n++;
  }
  return n;
}

/** Agent headings, bold agent lines and roster rows inside the section a heading opens. */
export function agentsInside(blocks: readonly Block[], start: number, level: number): number {
  let n = 0;
  for (let k = start + 1; k < blocks.length; k++) {
    const b = blocks[k]!;
    if (b.kind === "heading") {
      if (b.level <= level) break;
      if (agentHeading(b.text)) n++;
    } else if ((b.kind === "para" || b.kind === "item") && /^\*\*[^*]+\*\*/.test(b.text)) {
      const inner = /^\*\*([^*]+)\*\*/.exec(b.text)![1]!;
      if (agentHeading(inner) || (b.kind === "item" && boldAgentLine(b.text, true)?.byShape) || (b.kind === "para" && personAgentLine(b.text)) || (/^\*\*agents?\s*:?\*\*\s*:?\s*`/i.test(b.text))) n++;
    } else if (b.kind === "para" || b.kind === "item") {
      if (/^agents?\s*:|^\*\*agents?\*\*\s*:|^\*\*agents?:\*\*/i.test(b.text) && /-agent\b|`/.test(b.text)) n++;
    } else if (b.kind === "row" && /agent|owner/i.test(b.header.join(" "))) {
      const first = b.cells.find((c) => !/^\s*#?\d*\s*$/.test(c)) ?? "";
      if (agentHeading(first) || /-agent\b/.test(first)) n++;
    }
  }
  return n;
}

type Line = Extract<Block, { kind: "para" | "item" }>;

// Each paragraph and list item with its index and the level of the heading it is under.
function eachLine(blocks: readonly Block[], visit: (b: Line, i: number, level: number) => void): void {
  let level = 0;
  blocks.forEach((b, i) => {
    if (b.kind === "heading") level = b.level;
    if (b.kind === "para" || b.kind === "item") visit(b, i, level);
  });
}

// `**Wave 1: Foundation**` or `- Wave 1 (Foundation): a-agent, b-agent` lines, when no heading names a wave.
function lineMarkers(blocks: readonly Block[]): WaveMarker[] {
  const out: WaveMarker[] = [];
  eachLine(blocks, (b, i, level) => {
    const m = /^(?:\*\*|__)?wave\s*[-#]?\s*(\d{1,3})\b(?:\*\*|__)?\s*(?:\(([^)]*)\))?\s*([:.\-–—])?\s*(.*)$/i.exec(b.text.trim());
    if (!m || waveClauses(b.text).length > 1) return;
    const bold = /^(?:\*\*|__)/.test(b.text.trim());
    const inner = bold ? /^(?:\*\*|__)([^*_]+)(?:\*\*|__)/.exec(b.text.trim())?.[1] : undefined;
    const fromInner = inner ? waveHeading(inner) : null;
    if (!bold && m[3] === undefined && m[2] === undefined) return;
    let title = fromInner?.title || m[2] || "";
    if (!title) title = plain(m[4]!).split(/[:;.]/)[0]!;
    if (isAside({ title: title.trim(), separated: Boolean(fromInner?.separated || m[3]) })) return;
    out.push({ block: i, level: level + 0.5, number: Number(m[1]), title: title.trim().slice(0, 80) });
  });
  return out;
}

function spannedNames(rest: string): string[] {
  const spans = codeSpans(rest);
  const bare = plain(rest).replace(/[\s,;&]+|\band\b/g, "");
  if (spans.length === 0 || bare !== spans.join("").replace(/\s+/g, "")) return [];
  return spans.every((s) => /^[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*$/.test(s) && s.length >= 3) ? spans : [];
}

// "**Round 1: Index and API** — lanes A and B work side by side": bold lines opening numbered
// rounds, phases or stages that name agents in the same line, when nothing else names a wave.
function stageLineMarkers(blocks: readonly Block[]): WaveMarker[] {
  const out: WaveMarker[] = [];
  eachLine(blocks, (b, i, level) => {
    const m = /^(?:\*\*|__)([^*_]+)(?:\*\*|__)(.*)$/.exec(b.text.trim());
    const stage = m ? stageHeading(m[1]!) : null;
    if (!m || !stage || isAside(stage)) return;
    // "**Phase 2:** `transformer`": a line that is nothing but code-spanned lowercase names lists agents.
    const named = spannedNames(m[2]!);
    if (agentNumbersIn(m[2]!).length === 0 && agentIdsIn(m[2]!).length === 0 && named.length === 0) return;
    out.push({ block: i, level: level + 0.5, number: stage.number, title: stage.title.slice(0, 80), ...(named.length ? { members: named } : {}) });
  });
  return out.length >= 2 ? out : [];
}
