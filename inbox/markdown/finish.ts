// The last step: unique wave and agent ids, same-wave dependencies (stated ones, and one wherever
// two territories overlap), and the canonical agents and waves themselves. A wave the plan gives
// no agent of its own (its work is the orchestrator's, or its agents ran in an earlier wave)
// becomes a gate-only wave: no agent is invented for it. Its gate runs once the waves before it
// passed; a wave that has no gate either gets a person's check naming whose work it is.
import { territoryOf } from "../../protocol/territory.ts";
import type { GateCheck, PlanInput } from "../../protocol/plan.ts";
import type { RegisteredAgent } from "./agents.ts";
import type { AgentDraft } from "./assemble.ts";
import type { DraftWave, Src } from "./draft.ts";
import type { Items } from "./intake.ts";
import { clip } from "./inline.ts";

type AgentIn = PlanInput["agents"][number];
type WaveIn = PlanInput["waves"][number];

export interface Finished {
  agents: AgentIn[];
  waves: WaveIn[];
  /** registry agent → final id */
  idOf: Map<RegisteredAgent, string>;
}

const MAX_PROMPT = 12_000;

/** Canonical agents and waves from the assembled drafts. */
export function finish(waves: readonly DraftWave[], drafts: readonly AgentDraft[], territories: Map<RegisteredAgent, string[]>, gates: GateCheck[][], files: Record<string, string>, items: Items): Finished {
  const waveIds = waveIdsOf(waves, items);
  const idOf = new Map<RegisteredAgent, string>();
  const used = new Set<string>(waveIds);
  const agents: (AgentIn & { wave: number; src: Src; dependsOn: string[]; territory: string[] })[] = [];
  for (const a of drafts) {
    const id = unique(a.reg.id, used);
    if (id !== a.reg.id) items.add("ambiguous", a.reg.src, `two agents are called "${a.reg.id}"; this one is "${id}"`);
    idOf.set(a.reg, id);
    const territory = territories.get(a.reg) ?? [];
    const prompt = promptOf(a.sections, files);
    items.add("inferred", a.reg.src, `agent "${id}"${a.reg.name && a.reg.name !== id ? ` ("${a.reg.name}")` : ""} runs in wave ${waves[a.wave]!.number}${territory.length ? "" : " and owns no files (read only)"}`);
    if (a.tickets.length) items.add("inferred", a.reg.src, `agent "${id}" gets ${a.tickets.length} ticket(s) from its task or deliverable list`);
    agents.push({
      id,
      ...(a.reg.name ? { name: a.reg.name } : {}),
      role: a.role ?? a.reg.name ?? "",
      territory,
      tickets: a.tickets.map((t, k) => ({ id: `${id.toUpperCase()}-${k + 1}`, title: t.title, ...(t.description ? { description: t.description } : {}) })),
      dependsOn: [],
      ...(prompt ? { prompt } : {}),
      wave: a.wave,
      src: a.reg.src,
    });
  }
  const waveGates = waves.map((w, k) => {
    const gate = gates[k] ?? [];
    if (agents.some((a) => a.wave === k)) return gate;
    const earlier = drafts.filter((a) => a.alsoIn.includes(k)).map((a) => idOf.get(a.reg)!);
    const why = earlier.length ? `its agents ran in earlier waves: ${earlier.join(", ")}` : "the plan gives its work to the orchestrator";
    if (gate.length > 0) {
      items.add("ambiguous", w.src, `wave ${w.number} has no agent of its own (${why}): a gate-only wave, whose gate runs once the waves before it have passed`);
      return gate;
    }
    const title = `Wave ${w.number}${w.title ? ` (${w.title})` : ""}`;
    const check = earlier.length
      ? `${title} is work of agents that ran in earlier waves (${earlier.join(", ")}); confirm it is done (${w.src.file}:${w.src.line})`
      : `${title} is the orchestrator's work, given to no agent; confirm it is done (${w.src.file}:${w.src.line})`;
    items.add("ambiguous", w.src, `wave ${w.number} has no agent of its own (${why}) and no gate: a gate-only wave whose one check waits for a person (\`purplectl approve\`) once the waves before it have passed`);
    return [{ manual: check }];
  });
  const byId = new Map(agents.map((a) => [a.id, a] as const));
  for (const a of drafts) {
    const me = byId.get(idOf.get(a.reg)!)!;
    for (const dep of a.deps) {
      const on = byId.get(idOf.get(dep.on) ?? "");
      if (!on || on.wave !== me.wave || me.dependsOn.includes(on.id) || reaches(byId, on.id, me.id)) continue;
      me.dependsOn.push(on.id);
      items.add("inferred", dep.src, `agent "${me.id}" waits for "${on.id}" (same wave; the plan says it depends on it)`);
    }
  }
  addOverlapDependencies(agents, byId, waves, items);
  const outWaves: WaveIn[] = waves.map((w, k) => ({
    id: waveIds[k]!,
    ...(w.title ? { title: w.title } : {}),
    agents: agents.filter((a) => a.wave === k).map((a) => a.id),
    gate: waveGates[k]!,
  }));
  return { agents: agents.map(({ wave: _w, src: _s, ...a }) => a), waves: outWaves, idOf };
}

// `wave-N` keeping the plan's numbers; numbers repeated across phases become `wave-P.N`.
function waveIdsOf(waves: readonly DraftWave[], items: Items): string[] {
  const counts = new Map<number, number>();
  for (const w of waves) counts.set(w.number, (counts.get(w.number) ?? 0) + 1);
  const used = new Set<string>();
  return waves.map((w) => {
    let id = `wave-${w.number}`;
    if (counts.get(w.number)! > 1) {
      id = w.phase !== undefined ? `wave-${w.phase}.${w.number}` : id;
      id = unique(id, used);
      items.add("ambiguous", w.src, `wave ${w.number} is numbered again (numbering restarts${w.phase !== undefined ? ` in phase ${w.phase}` : ""}); its id is "${id}"`);
    } else items.add("inferred", w.src, `wave "${id}"${w.title ? ` ("${w.title}")` : ""}`);
    used.add(id);
    return id;
  });
}

function unique(id: string, used: Set<string>): string {
  let out = id;
  for (let k = 2; used.has(out); k++) out = `${id}-${k}`;
  used.add(out);
  return out;
}

type Graph = ReadonlyMap<string, { dependsOn: string[] }>;

function reaches(byId: Graph, from: string, to: string): boolean {
  const seen = new Set<string>();
  const stack = [from];
  while (stack.length) {
    const id = stack.pop()!;
    if (id === to) return true;
    if (seen.has(id)) continue;
    seen.add(id);
    for (const d of byId.get(id)?.dependsOn ?? []) stack.push(d);
  }
  return false;
}

// Two agents of one wave whose territories overlap: the later one (in plan order) waits.
function addOverlapDependencies(agents: { id: string; wave: number; src: Src; dependsOn: string[]; territory: string[] }[], byId: Graph, waves: readonly DraftWave[], items: Items): void {
  const byWave = new Map<number, typeof agents>();
  for (const a of agents) if (a.territory.length > 0) byWave.set(a.wave, [...(byWave.get(a.wave) ?? []), a]);
  waves.forEach((w, k) => {
    const members = byWave.get(k) ?? [];
    for (let j = 1; j < members.length; j++)
      for (let i = 0; i < j; i++) {
        const a = members[i]!, b = members[j]!;
        if (reaches(byId, b.id, a.id) || reaches(byId, a.id, b.id)) continue;
        if (!territoryOf(a.territory).overlaps(territoryOf(b.territory))) continue;
        b.dependsOn.push(a.id);
        items.add("ambiguous", b.src, `territories of "${a.id}" and "${b.id}" overlap in wave ${w.number}; "${b.id}" now waits for "${a.id}"`);
      }
  });
}

// The plan's own words about an agent (or a wave), as its instructions.
const linesCache = new WeakMap<Record<string, string>, Map<string, string[]>>();

function linesOf(files: Record<string, string>, file: string): string[] {
  let perFolder = linesCache.get(files);
  if (!perFolder) linesCache.set(files, (perFolder = new Map()));
  let lines = perFolder.get(file);
  if (!lines) perFolder.set(file, (lines = (files[file] ?? "").split(/\r\n|\r|\n/)));
  return lines;
}

function promptOf(sections: readonly { file: string; from: number; to: number }[], files: Record<string, string>): string | undefined {
  const parts: string[] = [];
  const seen = new Set<string>();
  for (const s of sections) {
    const key = `${s.file}:${s.from}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const lines = linesOf(files, s.file).slice(s.from - 1, Math.min(s.to, s.from + 400));
    while (lines.length && /^\s*(?:-{3,}|\*{3,})?\s*$/.test(lines[lines.length - 1]!)) lines.pop();
    if (lines.length) parts.push(`From ${s.file} (line ${s.from}):\n\n${lines.join("\n")}`);
  }
  const text = parts.join("\n\n");
  return text ? clip(text, MAX_PROMPT) : undefined;
}
