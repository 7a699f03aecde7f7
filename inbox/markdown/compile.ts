// Markdown plan folder → canonical plan (SPEC §5). The main file (orchestration-plan.md) gives the
// waves and agents; agent-assignments.md adds territories and tickets; validation-strategy.md adds
// gate commands; coordination-protocol.md fills gates nothing else covers; integration-contracts/*
// become contracts. Every reading that was inferred or doubtful is reported as an intake item.
import { checkPlan } from "../check-plan.ts";
import { Plan, PLAN_NAME_PATTERN, type PlanInput } from "../../protocol/plan.ts";
import type { CompileDefaults, CompileResult } from "../purple/types.ts";
import { assemble, type FileRole, type RoleDraft } from "./assemble.ts";
import { parseBlocks } from "./blocks.ts";
import { buildContracts } from "./contract-refs.ts";
import { finish } from "./finish.ts";
import { buildGates } from "./gates.ts";
import { Items } from "./intake.ts";
import { clip, slugify } from "./inline.ts";
import { findWaveMarkers } from "./outline.ts";
import { buildTerritories } from "./territory-paths.ts";
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
  const main = mainFileOf(files);
  if (main === null) {
    items.add("not-understood", { file: "orchestration-plan.md", line: 1 }, "the folder has no orchestration-plan.md (nor any other markdown plan file)");
    return { plan: { apiVersion: "purple/v1", name, agents: [], waves: [] }, items: items.list };
  }
  const drafts: RoleDraft[] = [];
  for (const [role, file] of ROLE_FILES) {
    const path: string | null = role === "main" ? main : findFile(files, file);
    if (path === null || (role !== "main" && path === main)) continue;
    const blocks = parseBlocks(files[path] ?? "");
    const markers = role === "main" ? findWaveMarkers(blocks) : [];
    drafts.push({ role, draft: walkFile(path, blocks, { markers, gateFile: role === "validation" }) });
  }
  const mainDraft = drafts.find((d) => d.role === "main")!.draft;
  const assembly = assemble(drafts, items);
  if (assembly.registry.agents.length === 0 && mainDraft.waves.length === 0) {
    items.add("not-understood", { file: main, line: 1 }, "no waves and no agents found: the plan names neither (expected headings such as \"## Wave 1: …\" and \"### Agent 1: …\", or a roster table)");
    return { plan: { apiVersion: "purple/v1", name, agents: [], waves: [] }, items: items.list };
  }
  if (assembly.registry.agents.length === 0)
    items.add("not-understood", { file: main, line: 1 }, "the plan names no agents (expected sections such as \"### Agent 1: …\" or a roster table); every wave runs a stand-in agent");
  const territories = buildTerritories(drafts, assembly.resolved, items);
  const gates = buildGates(drafts, assembly.waves, items);
  const done = finish(assembly.waves, assembly.agents, territories, gates, files, items);
  const contracts = buildContracts(files, assembly.registry, done.idOf, items);
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
  return { plan, items: items.list };
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

function findFile(files: Record<string, string>, name: string): string | null {
  if (name in files) return name;
  const want = name.toLowerCase().replace(/_/g, "-");
  return Object.keys(files).find((p) => !p.includes("/") && p.toLowerCase().replace(/_/g, "-") === want) ?? null;
}

// orchestration-plan.md; else agent-assignments.md; else the first top-level markdown file.
function mainFileOf(files: Record<string, string>): string | null {
  for (const name of ["orchestration-plan.md", "agent-assignments.md"]) {
    const p = findFile(files, name);
    if (p !== null) return p;
  }
  const md = Object.keys(files)
    .filter((p) => !p.includes("/") && /\.(?:md|markdown)$/i.test(p) && !/^(?:validation-strategy|coordination-protocol|readme)\.md$/i.test(p))
    .sort();
  return md[0] ?? null;
}
