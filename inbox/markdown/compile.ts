// Markdown plan folder → canonical plan (SPEC §5). The main file (orchestration-plan.md) gives the
// waves and agents; agent-assignments.md adds territories and tickets; validation-strategy.md adds
// gate commands; coordination-protocol.md fills gates nothing else covers; integration-contracts/*
// become contracts. Every reading that was inferred or doubtful is reported as an intake item.
import { checkPlan } from "../check-plan.ts";
import { Plan, PLAN_NAME_PATTERN, type PlanInput } from "../../protocol/plan.ts";
import type { CompileDefaults, CompileResult } from "../purple/types.ts";
import { assemble, type FileRole, type RoleDraft } from "./assemble.ts";
import { parseBlocks, type Block } from "./blocks.ts";
import { buildContracts } from "./contract-refs.ts";
import { finish } from "./finish.ts";
import { buildGates } from "./gates.ts";
import { Items } from "./intake.ts";
import { clip, slugify } from "./inline.ts";
import { findWaveMarkers, stageMarkers } from "./outline.ts";
import type { TerritoryEntryInfo } from "../purple/types.ts";
import { briefLinks, linkedFile } from "./brief-links.ts";
import { choosePlanFile } from "./find-plan.ts";
import { frontMatterAgents } from "./front-matter.ts";
import { findGaps } from "./gaps.ts";
import { buildTerritories, pathsSpelledInFolder } from "./territory-paths.ts";
import { agentHeading } from "./vocab.ts";
import { walkFile } from "./walk.ts";

export { readMarkdownFolder } from "./read-folder.ts";
// The result every folder compiler returns (IntakeItem, CompileDefaults, CompileResult): one shape,
// declared once beside the purple feature-folder compiler.
export type { CompileDefaults, CompileResult, IntakeItem } from "../purple/types.ts";

const ROLE_FILES: [FileRole, string][] = [
  ["main", "orchestration-plan.md"],
  ["assignments", "agent-assignments.md"],
  ["validation", "validation-strategy.md"],
  ["coordination", "coordination-protocol.md"],
];

/** Pure: the folder's files (relative path → text) compiled to a canonical plan. Never throws on odd input. */
export function compileMarkdownPlan(files: Record<string, string>, opts: { name: string; defaults: CompileDefaults }): CompileResult {
  const name = planName(opts.name);
  try {
    return compile(files, name, opts.defaults);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return { plan: { apiVersion: "purple/v1", name, agents: [], waves: [] }, items: [{ kind: "not-understood", file: mainFileOf(files) ?? "orchestration-plan.md", line: 1, message: `the compiler failed on this folder: ${clip(message, 300)}` }] };
  }
}

function compile(files: Record<string, string>, name: string, defaults: CompileDefaults): CompileResult {
  const items = new Items();
  const choice = choosePlanFile(files);
  const main = choice.main;
  if (main === null) {
    items.add("not-understood", { file: "orchestration-plan.md", line: 1 }, "the folder has no markdown plan file: no markdown file at all");
    const plan: PlanInput = { apiVersion: "purple/v1", name, agents: [], waves: [] };
    return { plan, items: items.list, territory: [], gaps: findGaps(plan, null, files) };
  }
  items.add(choice.candidates.length > 1 ? "ambiguous" : choice.candidates.length === 1 ? "inferred" : "not-understood", { file: main, line: 1 }, choice.why);
  const choiceItem = items.list.length - 1;
  const declared = frontMatterAgents(files[main] ?? "");
  const drafts: RoleDraft[] = [];
  for (const [role, file] of ROLE_FILES) {
    const path: string | null = role === "main" ? main : findFile(files, file);
    if (path === null || (role !== "main" && path === main)) continue;
    const blocks = role === "main" && choice.read ? choice.read.blocks : parseBlocks(files[path] ?? "");
    let markers = role === "main" ? (choice.read?.markers ?? findWaveMarkers(blocks)) : [];
    // Agents the front matter places in sprints: the body's "Sprint N" headings are the waves even
    // though no agent is named under them.
    if (role === "main" && markers.length === 0 && declared.length > 0) markers = stageMarkers(blocks);
    drafts.push({ role, draft: walkFile(path, blocks, { markers, gateFile: role === "validation" }) });
  }
  // Briefs: a file of its own per agent ("# Team 1: Type Safety"), read like agent-assignments.md.
  for (const path of briefFiles(files, new Set(drafts.map((d) => d.draft.file)))) {
    drafts.push({ role: "assignments", draft: walkFile(path, parseBlocks(files[path]!), { markers: [], gateFile: false }) });
    items.add("inferred", { file: path, line: 1 }, `${path} read as one agent's brief (its title names an agent)`);
  }
  // "| `E12_RUNNER` | `AGENTS/E12_RUNNER.md` |": a roster naming a file of the plan folder names
  // that agent's brief, not a path it owns; the brief is read as the agent's own section.
  const mainDraft = drafts.find((d) => d.role === "main")!.draft;
  const taken = new Set(drafts.map((d) => d.draft.file));
  for (const f of [...mainDraft.facts]) {
    if (f.kind !== "territory" || f.how !== "matrix" || !/\.(?:md|markdown)$/i.test(f.path) || !(f.path in files) || taken.has(f.path)) continue;
    mainDraft.facts.splice(mainDraft.facts.indexOf(f), 1);
    const ref = mainDraft.mentions[f.mention]!.ref;
    const who = ref.id ?? ref.name;
    if (!who) continue;
    taken.add(f.path);
    const blocks: Block[] = [{ kind: "heading", level: 0, line: 1, text: `Agent: ${who}` }, ...parseBlocks(files[f.path]!)];
    drafts.push({ role: "assignments", draft: walkFile(f.path, blocks, { markers: [], gateFile: false }) });
    items.add("inferred", f.src, `${f.path} is the brief of agent "${who}" (a file of the plan folder, not a path it owns); read as its section`);
  }
  // Agents the main file's YAML front matter declares: each read as an agent section of that file.
  for (const blocks of declared) {
    drafts.push({ role: "assignments", draft: walkFile(main, blocks, { markers: [], gateFile: false }) });
    items.add("inferred", { file: main, line: blocks[0]!.line }, `${blocks[0]!.kind === "heading" ? blocks[0]!.text : "an agent"} is declared in the front matter`);
  }
  // "- [tokenizer](agents/tokenizer.md)" in a wave of the main file: the linked file is that agent's brief.
  const placed = new Set(mainDraft.facts.flatMap((f) => (f.kind === "member" ? [mainDraft.mentions[f.mention]!.ref.id] : [])));
  for (const b of choice.read?.blocks ?? parseBlocks(files[main] ?? "")) {
    if (b.kind !== "item") continue;
    for (const link of briefLinks(b.text)) {
      if (!placed.has(link.id)) continue;
      const path = linkedFile(files, main, link.target);
      if (path === null || taken.has(path) || path.startsWith("integration-contracts/")) continue;
      taken.add(path);
      const blocks: Block[] = [{ kind: "heading", level: 0, line: 1, text: `Agent: ${link.id}` }, ...parseBlocks(files[path]!)];
      drafts.push({ role: "assignments", draft: walkFile(path, blocks, { markers: [], gateFile: false }) });
      items.add("inferred", { file: main, line: b.line }, `${path} is the brief of agent "${link.id}" (the plan links it by that name); read as its section`);
    }
  }
  const assembly = assemble(drafts, items);
  // The outline saw no waves of agents, but the whole reading found them (list forms, briefs, front
  // matter): the closest file was the plan after all, and the report says so rather than "not understood".
  if (choice.candidates.length === 0 && assembly.agents.length > 0 && assembly.waves.length > 0 && items.list[choiceItem]?.message === choice.why)
    items.list[choiceItem] = { kind: "inferred", file: main, line: 1, message: `${main} read as the plan: no file's outline shows waves of agents, but this one, the closest, compiles to ${assembly.waves.length} wave(s) and ${assembly.agents.length} agent(s)` };
  if (assembly.registry.agents.length === 0 && mainDraft.waves.length === 0) {
    items.add("not-understood", { file: main, line: 1 }, "no waves and no agents found: the plan names neither (expected headings such as \"## Wave 1: …\" and \"### Agent 1: …\", or a roster table)");
    const plan: PlanInput = { apiVersion: "purple/v1", name, agents: [], waves: [] };
    return { plan, items: items.list, territory: [], gaps: findGaps(plan, main, files), planFile: { file: main, why: choice.why } };
  }
  if (assembly.registry.agents.length === 0)
    items.add("not-understood", { file: main, line: 1 }, "the plan names no agents (expected sections such as \"### Agent 1: …\" or a roster table); the compiled plan has no agent to run");
  const entries: TerritoryEntryInfo[] = [];
  const territories = buildTerritories(drafts, assembly.resolved, items, entries, pathsSpelledInFolder(files));
  const gates = buildGates(drafts, assembly.waves, items);
  const done = finish(assembly.waves, assembly.agents, territories, gates, files, items);
  const contracts = buildContracts(files, assembly.registry, done.idOf, items, (id) => done.agents.find((a) => a.id === id)?.territory ?? null);
  const goal = goalOf(mainDraft, items);
  const max = clampMax(drafts.find((d) => d.role === "main")?.draft.maxAgents?.value ?? drafts.find((d) => d.draft.maxAgents)?.draft.maxAgents?.value ?? defaults.maxAgents);
  const src = mainDraft.maxAgents?.src;
  if (src && max !== undefined) items.add("inferred", src, `at most ${max} agents run at once ("Max Agents")`);
  if (defaults.runner === "command" && !defaults.command) items.add("ambiguous", { file: main, line: 1 }, "the default runner is `command`, but a markdown plan gives no command to run; set each agent's runner before approving");
  const plan: PlanInput = {
    apiVersion: "purple/v1",
    name,
    goal,
    ...(max !== undefined ? { maxAgents: max } : {}),
    defaults: {
      runner: defaults.runner,
      ...(defaults.model ? { model: defaults.model } : {}),
      ...(defaults.allowedCommands?.length ? { allowedCommands: [...defaults.allowedCommands] } : {}),
    },
    contracts,
    agents: done.agents,
    waves: done.waves,
  };
  selfCheck(plan, main, items);
  const finalId = new Map([...done.idOf].map(([reg, id]) => [reg.id, id] as const));
  const territory = entries.map((e) => ({ ...e, agent: finalId.get(e.agent) ?? e.agent }));
  const gaps = findGaps(plan, main, files, mainDraft.waves.some((w) => w !== undefined));
  for (const g of gaps) items.add("not-understood", { file: g.file || main, line: g.lines[0]?.line ?? 1 }, g.message);
  return { plan, items: items.list, territory, gaps, planFile: { file: main, why: choice.why } };
}

// The compiled plan must load; anything the schema or checkPlan still refuses is reported.
function selfCheck(plan: PlanInput, main: string, items: Items): void {
  const parsed = Plan.safeParse(plan);
  if (!parsed.success) {
    for (const issue of parsed.error.issues.slice(0, 20)) items.add("not-understood", { file: main, line: 1 }, `the compiled plan is invalid at ${issue.path.join(".")}: ${issue.message}`);
    return;
  }
  for (const p of checkPlan(parsed.data).slice(0, 20)) items.add("not-understood", { file: main, line: 1 }, `the compiled plan is refused at ${p.path}: ${p.message}`);
}

function goalOf(draft: RoleDraft["draft"], items: Items): string {
  if (draft.goal) {
    items.add("inferred", draft.goal.src, `goal: "${clip(draft.goal.text, 100)}"`);
    return clip(draft.goal.text, 2000);
  }
  if (!draft.title) return "";
  const t = draft.title.text.replace(/^(?:parallel\s+)?(?:agent\s+)?orchestration plan\s*[:\-–—]\s*/i, "").replace(/\s*[:\-–—]\s*(?:parallel\s+)?(?:agent\s+)?orchestration plan\s*$/i, "").trim();
  items.add("inferred", draft.title.src, `goal taken from the title: "${clip(t, 100)}"`);
  return clip(t, 2000);
}

function clampMax(n: number | undefined): number | undefined {
  if (n === undefined || !Number.isFinite(n)) return undefined;
  return Math.min(1000, Math.max(1, Math.floor(n)));
}

/** The plan folder's name as a plan name (PLAN_NAME_PATTERN). */
function planName(raw: string): string {
  const s = slugify(raw).slice(0, 63).replace(/-+$/, "");
  return PLAN_NAME_PATTERN.test(s) ? s : "plan";
}

// Markdown files beside the plan whose first heading is a top-level agent heading.
function briefFiles(files: Record<string, string>, taken: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (const [path, text] of Object.entries(files)) {
    if (taken.has(path) || path.split("/").length > 2 || !/\.(?:md|markdown)$/i.test(path) || path.startsWith("integration-contracts/")) continue;
    const first = parseBlocks(text.slice(0, 4000)).find((b) => b.kind === "heading");
    if (first?.kind === "heading" && first.level === 1 && agentHeading(first.text)) out.push(path);
  }
  return out.sort();
}

function findFile(files: Record<string, string>, name: string): string | null {
  if (name in files) return name;
  const want = name.toLowerCase().replace(/_/g, "-");
  return Object.keys(files).find((p) => !p.includes("/") && p.toLowerCase().replace(/_/g, "-") === want) ?? null;
}

function mainFileOf(files: Record<string, string>): string | null {
  return choosePlanFile(files).main;
}
