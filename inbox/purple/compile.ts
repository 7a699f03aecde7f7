// A Purple feature folder (progress.json + agent-written-specifications/implementation-spec-*.md,
// SPEC §7) compiled to the canonical plan: phases become waves `phase-<n>`, each phase's tickets are
// grouped into agents by cohesion (group.ts), made runnable side by side (settle.ts), and every
// decision is an intake item. compilePurpleFolder is pure; readPurpleFolder does the reading.
import { PLAN_NAME_PATTERN, toPlanName, type PlanInput } from "../../protocol/plan.ts";
import { collectPhases, type CollectedPhase } from "./collect.ts";
import { COMPONENT_LABELS, areaOf, componentOf, groupTickets } from "./group.ts";
import { minimalTerritory } from "./paths.ts";
import { PROGRESS_FILE, readProgress } from "./progress-read.ts";
import { settleWave, type Draft, type SettleNote } from "./settle.ts";
import { parseSpec } from "./spec-parse.ts";
import type { CompileDefaults, CompileResult, IntakeItem } from "./types.ts";

export type { CompileDefaults, CompileResult, IntakeItem } from "./types.ts";
export { readPurpleFolder, SPECS_DIR } from "./read-folder.ts";

const SPEC_PATH = /^(?:\.\/)?agent-written-specifications\/implementation-spec-[^/]+\.md$/;
/** Agents per wave when the defaults name no maxAgents. */
export const DEFAULT_MAX_AGENTS = 6;

/** True when the folder looks like a Purple feature folder: progress.json and/or agent-written-specifications/implementation-spec-*.md. */
export function isPurpleFolder(files: Record<string, string>): boolean {
  return Object.keys(files).some((k) => k === PROGRESS_FILE || SPEC_PATH.test(k));
}

/** Pure: a feature folder's files (relative path → text) compiled to a canonical plan. Never throws on odd input. */
export function compilePurpleFolder(files: Record<string, string>, opts: { name: string; defaults: CompileDefaults }): CompileResult {
  try {
    return compile(files, opts);
  } catch (err) {
    const message = `the folder could not be compiled (${err instanceof Error ? err.message : String(err)}); write a canonical plan.yaml instead`;
    return { plan: { apiVersion: "purple/v1", name: planName(String(opts?.name ?? ""), []), agents: [], waves: [] }, items: [{ kind: "not-understood", file: PROGRESS_FILE, line: 1, message }] };
  }
}

function compile(files: Record<string, string>, opts: { name: string; defaults: CompileDefaults }): CompileResult {
  const items: IntakeItem[] = [];
  const { defaults } = opts;
  const name = planName(opts.name, items);
  const specFiles = Object.keys(files).filter((k) => SPEC_PATH.test(k) && typeof files[k] === "string").sort();
  const progressText = typeof files[PROGRESS_FILE] === "string" ? files[PROGRESS_FILE] : undefined;
  const progress = readProgress(progressText);
  items.push(...progress.items);
  const known = new Set(progress.phases?.flatMap((p) => p.tickets.flatMap((t) => [t.id, t.raw])) ?? []);
  const specs = specFiles.map((f) => parseSpec(f, files[f]!, known));
  for (const spec of specs) {
    items.push(...spec.items);
    if (spec.tickets.length === 0) items.push({ kind: "not-understood", file: spec.file, line: 1, message: "no tickets found (headings such as `#### CMS-001: Title` or `**Ticket ID:** CMS-001` lines)" });
  }
  if (specs.length === 0 && progress.phases)
    items.push({ kind: "ambiguous", file: PROGRESS_FILE, line: 1, message: "no implementation spec: tickets have only their progress.json names and name no files, so their agents may write nothing" });
  if (specs.length > 0 && progressText === undefined)
    items.push({ kind: "inferred", file: specs[0]!.file, line: 1, message: "no progress.json: the phases are the spec's phase headings" });
  const phases = collectPhases(specs, progress, items);
  const cap = Math.min(1000, Math.max(1, Math.floor(Number(defaults.maxAgents) || DEFAULT_MAX_AGENTS)));
  const plan: PlanInput = {
    apiVersion: "purple/v1",
    name,
    goal: specs.find((s) => s.title)?.title ?? progress.feature ?? name,
    ...(defaults.maxAgents !== undefined ? { maxAgents: cap } : {}),
    defaults: {
      runner: defaults.runner,
      ...(defaults.model !== undefined ? { model: defaults.model } : {}),
      ...(defaults.allowedCommands !== undefined ? { allowedCommands: defaults.allowedCommands } : {}),
    },
    agents: [],
    waves: [],
  };
  const ticketPhase = new Map<string, number>();
  phases.forEach((p, k) => p.tickets.forEach((t) => ticketPhase.set(t.id.toUpperCase(), k)));
  const ids = new Set<string>();
  phases.forEach((phase, k) => {
    if (phase.tickets.length === 0) {
      items.push({ kind: "ambiguous", file: phase.file, line: phase.line, message: `phase ${phase.number} ("${phase.name}") has no tickets, so it gets no wave` });
      return;
    }
    const waveId = unique(`phase-${phase.number}`, ids);
    const agents = phaseAgents(phase, k, waveId, cap, ticketPhase, ids, items);
    plan.agents!.push(...agents);
    plan.waves!.push({ id: waveId, title: phase.name, agents: agents.map((a) => a.id) });
  });
  if (plan.agents!.length === 0) items.push({ kind: "not-understood", file: specFiles[0] ?? PROGRESS_FILE, line: 1, message: "the folder holds no tickets, so there is nothing to run" });
  return { plan, items };
}

type AgentInput = NonNullable<PlanInput["agents"]>[number];

// One phase's tickets as agents: grouped, dependencies between them, settled, named, explained.
function phaseAgents(phase: CollectedPhase, k: number, waveId: string, cap: number, ticketPhase: Map<string, number>, ids: Set<string>, items: IntakeItem[]): AgentInput[] {
  const tickets = phase.tickets;
  const { groups, reasons } = groupTickets(tickets, cap);
  const drafts: Draft[] = groups.map((g) => ({ key: tickets[g[0]!]!.id, tickets: g, territory: minimalTerritory(g.flatMap((i) => tickets[i]!.paths)), dependsOn: new Set<string>() }));
  const waits = wireDependencies(tickets, drafts, k, ticketPhase, items);
  const notes: SettleNote[] = [];
  const settled = settleWave(drafts, (key) => `the agent of ${key}`, notes);
  for (const n of notes) for (const i of n.tickets) reasons[i]!.push(n.message);
  const idOf = new Map<string, string>();
  const named = settled.map((d) => {
    const { slug, label } = nameOf(d.tickets.map((i) => tickets[i]!));
    idOf.set(d.key, unique(`${waveId}-${slug}`, ids));
    return { d, label };
  });
  const agents: AgentInput[] = named.map(({ d, label }) => ({
    id: idOf.get(d.key)!,
    role: `Phase ${phase.number} (${phase.name}), ${label}: ${d.tickets.map((i) => tickets[i]!.id).join(", ")}`,
    territory: d.territory,
    tickets: d.tickets.map((i) => {
      const t = tickets[i]!;
      return { id: t.id, title: (t.title || t.id).slice(0, 300), ...(t.description ? { description: t.description } : {}) };
    }),
    dependsOn: [...d.dependsOn].map((key) => idOf.get(key)!),
  }));
  const agentAt = new Map<number, AgentInput>();
  settled.forEach((d, a) => d.tickets.forEach((i) => agentAt.set(i, agents[a]!)));
  explain(phase, waveId, reasons, waits, (i) => agentAt.get(i)!, items);
  for (const a of agents)
    if (!a.territory?.length) {
      const first = tickets.find((t) => t.id === a.tickets?.[0]?.id)!;
      items.push({ kind: "ambiguous", file: first.file, line: first.line, message: `agent ${a.id}'s tickets name no files, so its territory is empty and it can change nothing; list the files in the tickets or edit the plan` });
    }
  return agents;
}

// Ticket dependencies inside the phase become dependsOn between drafts. Returns the [ticket, on]
// pairs that cross drafts; a dependency on a later phase's ticket is reported and ignored.
function wireDependencies(tickets: CollectedPhase["tickets"], drafts: Draft[], k: number, ticketPhase: Map<string, number>, items: IntakeItem[]): [number, number][] {
  const indexOf = new Map(tickets.map((t, i) => [t.id.toUpperCase(), i] as const));
  const draftOf = new Map<number, Draft>();
  for (const d of drafts) for (const i of d.tickets) draftOf.set(i, d);
  const waits: [number, number][] = [];
  tickets.forEach((t, i) => {
    for (const dep of t.dependsOn) {
      const j = indexOf.get(dep.toUpperCase());
      if (j !== undefined && j !== i) {
        const mine = draftOf.get(i)!, theirs = draftOf.get(j)!;
        if (mine === theirs) continue;
        mine.dependsOn.add(theirs.key);
        waits.push([i, j]);
      } else if ((ticketPhase.get(dep.toUpperCase()) ?? -1) > k)
        items.push({ kind: "ambiguous", file: t.file, line: t.line, message: `${t.id} depends on ${dep}, which is in a later phase; the dependency is ignored` });
    }
  });
  return waits;
}

// One inferred item per ticket, on its line: the agent it went to and every reason why.
function explain(phase: CollectedPhase, waveId: string, reasons: string[][], waits: readonly [number, number][], agentOf: (i: number) => AgentInput, items: IntakeItem[]): void {
  const tickets = phase.tickets;
  const waitsOf = new Map<number, Map<AgentInput, string[]>>();
  for (const [i, j] of waits) {
    const mine = agentOf(i), theirs = agentOf(j);
    if (mine === theirs) continue;
    const byAgent = waitsOf.get(i) ?? new Map<AgentInput, string[]>();
    waitsOf.set(i, byAgent.set(theirs, [...(byAgent.get(theirs) ?? []), tickets[j]!.id]));
  }
  for (const [i, byAgent] of waitsOf)
    for (const [theirs, on] of byAgent) reasons[i]!.push(`depends on ${on.join(", ")}, so ${agentOf(i).id} waits for ${theirs.id}`);
  tickets.forEach((t, i) => {
    const alone = tickets.length === 1 ? `the only ticket of phase ${phase.number}` : `shares no file, folder or component with the other tickets of phase ${phase.number}, so it has an agent of its own`;
    const why = reasons[i]!.length ? reasons[i]!.join("; ") : alone;
    items.push({ kind: "inferred", file: t.file, line: t.line, message: `${t.id} → agent ${agentOf(i).id} (wave ${waveId}): ${why}` });
  });
}

// An agent's name from its tickets: their commonest component, else their commonest folder, else the first ticket.
function nameOf(tickets: readonly { id: string; title: string; paths: readonly string[] }[]): { slug: string; label: string } {
  const component = commonest(tickets.map((t) => componentOf(t.title)));
  if (component) return { slug: component, label: COMPONENT_LABELS[component] ?? component };
  const area = commonest(tickets.flatMap((t) => t.paths.map(areaOf)));
  if (area) return { slug: slugify(distinctive(area)) || "work", label: `${area}/` };
  return { slug: slugify(tickets[0]!.id) || "work", label: tickets[0]!.title };
}

// The last folder of a path that says more than `src` or `lib` does (`packages/ui/src` → `ui`).
function distinctive(area: string): string {
  const parts = area.split("/");
  return [...parts].reverse().find((p) => areaOf(`${p}/`) !== undefined) ?? parts[parts.length - 1]!;
}

function commonest(values: readonly (string | undefined)[]): string | undefined {
  const counts = new Map<string, number>();
  for (const v of values) if (v) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best: string | undefined;
  for (const [v, n] of counts) if (best === undefined || n > counts.get(best)!) best = v;
  return best;
}

function slugify(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 40).replace(/-+$/, "");
}

// `base`, or `base-2`, `base-3`… when taken; remembered as taken.
function unique(base: string, taken: Set<string>): string {
  let id = base, n = 1;
  while (taken.has(id)) id = `${base}-${++n}`;
  taken.add(id);
  return id;
}

// The plan's name: the one given when it is a valid plan name, else a slug of it.
function planName(given: string, items: IntakeItem[]): string {
  if (PLAN_NAME_PATTERN.test(given)) return given;
  const slug = toPlanName(given, "purple-feature");
  items.push({ kind: "inferred", file: PROGRESS_FILE, line: 1, message: `"${given}" is not a plan name; the plan is called "${slug}"` });
  return slug;
}
