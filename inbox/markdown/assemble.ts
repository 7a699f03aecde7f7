// Drafts of a folder → agents and waves: mentions merged into agents, the waves chosen, every agent
// placed in exactly one wave (the first the plan names it in), roles, names and tickets gathered.
import { AgentRegistry, type RegisteredAgent } from "./agents.ts";
import type { DraftWave, FileDraft, Mention, Src, WaveRef } from "./draft.ts";
import type { Items } from "./intake.ts";
import { clip } from "./inline.ts";

export type FileRole = "main" | "assignments" | "validation" | "coordination";

export interface RoleDraft {
  role: FileRole;
  draft: FileDraft;
}

export interface AgentDraft {
  reg: RegisteredAgent;
  /** index into the plan's waves */
  wave: number;
  /** the later waves the plan also names this agent in (their work is folded into its one run) */
  alsoIn: number[];
  role?: string;
  tickets: { title: string; description?: string }[];
  /** sections of the plan that describe this agent: file and line range */
  sections: { file: string; from: number; to: number }[];
  deps: { on: RegisteredAgent; src: Src }[];
}

export interface Assembly {
  waves: DraftWave[];
  agents: AgentDraft[];
  registry: AgentRegistry;
  /** the agent each mention of each file resolved to */
  resolved: Map<FileDraft, (RegisteredAgent | null)[]>;
}

/** Merge mentions into agents, pick the waves and place every agent in one. */
export function assemble(drafts: readonly RoleDraft[], items: Items): Assembly {
  const registry = new AgentRegistry();
  const resolved = new Map<FileDraft, (RegisteredAgent | null)[]>();
  const agentFiles = drafts.filter((d) => d.role === "main" || d.role === "assignments");
  for (const d of drafts) resolved.set(d.draft, d.draft.mentions.map(() => null));
  // Definitions first (main file in order, then agent-assignments), then references.
  const mainDefines = agentFiles.some((d) => d.role === "main" && d.draft.mentions.some((m) => m.define));
  for (const d of agentFiles) {
    const create = d.role === "main" || !mainDefines;
    d.draft.mentions.forEach((m, k) => {
      if (m.define) resolved.get(d.draft)![k] = registry.define(m.ref, m.src, create, d.role !== "main");
    });
  }
  // A plan that defines no agent by heading or roster but names them by id in a task matrix
  // ("| T003 | Create `.gitleaks.toml` | `senior-backend-engineer` |"): those ids are its agents.
  if (registry.agents.length === 0)
    for (const d of agentFiles)
      d.draft.mentions.forEach((m, k) => {
        if (!m.quiet && (m.ref.id || /^[a-z][a-z0-9_-]{1,40}$/.test(m.ref.name ?? "")) && !resolved.get(d.draft)![k]) resolved.get(d.draft)![k] = registry.define(m.ref, m.src, true, false);
      });
  for (const d of drafts)
    d.draft.mentions.forEach((m, k) => {
      if (resolved.get(d.draft)![k]) return;
      const hit = m.quiet ? registry.certain(m.ref) : registry.resolve(m.ref);
      resolved.get(d.draft)![k] = hit;
      if (!hit && !m.quiet && agentFiles.includes(d) && (m.ref.id || m.ref.name || m.ref.number))
        items.add("ambiguous", m.src, `"${describeRef(m)}" names no agent the plan defines; ignored`);
    });
  const levels = dependencyLevels(drafts, registry, resolved);
  const waves = chooseWaves(drafts, registry, resolved, items, levels);
  const agents = placeAgents(drafts, registry, resolved, waves, items, levels);
  return { waves, agents, registry, resolved };
}

function describeRef(m: Mention): string {
  return m.ref.id ?? (m.ref.name ? (m.ref.number ? `Agent ${m.ref.number}: ${m.ref.name}` : m.ref.name) : `Agent ${m.ref.number}`);
}

// The main file's waves; else waves made from the numbers agents are placed in; else one wave.
function chooseWaves(drafts: readonly RoleDraft[], registry: AgentRegistry, resolved: Assembly["resolved"], items: Items, levels: Map<RegisteredAgent, number> | null): DraftWave[] {
  const main = drafts.find((d) => d.role === "main")!.draft;
  const waves = main.waves.filter((w) => w !== undefined);
  if (waves.length) return waves;
  const numbers = new Map<number, Src>();
  for (const d of drafts) {
    if (d.role !== "main" && d.role !== "assignments") continue;
    const add = (ref: WaveRef | undefined, src: Src): void => {
      if (ref?.number !== undefined && !numbers.has(ref.number)) numbers.set(ref.number, src);
    };
    d.draft.mentions.forEach((m, k) => resolved.get(d.draft)![k] && add(m.wave, m.src));
    for (const f of d.draft.facts) if (f.kind === "member" && resolved.get(d.draft)![f.mention]) add(f.wave, f.src);
  }
  if (numbers.size) {
    const out = [...numbers.entries()].sort((a, b) => a[0] - b[0]).map(([number, src]) => ({ number, title: "", src, end: src.line }));
    for (const w of out) items.add("inferred", w.src, `wave ${w.number} taken from the waves agents are assigned to (no wave heading)`);
    return out;
  }
  if (levels) {
    // No waves, but agents that wait for each other: each step of the dependency order is a wave.
    const count = Math.max(...levels.values());
    const out: DraftWave[] = [];
    for (let n = 1; n <= count; n++) {
      const first = registry.agents.find((a) => levels.get(a) === n)!;
      out.push({ number: n, title: "", src: first.src, end: first.src.line });
      items.add("ambiguous", first.src, `the plan names no waves, but its agents depend on each other: wave ${n} holds the agents whose dependencies end ${n === 1 ? "nowhere (they start at once)" : `in wave ${n - 1}`}`);
    }
    return out;
  }
  const src = registry.agents[0]?.src ?? { file: main.file, line: 1 };
  items.add("inferred", src, "the plan names no waves; all agents run in one wave");
  return [{ number: 1, title: "", src, end: src.line }];
}

/** The wave index a reference means: its index, else the first wave with that number. */
export function waveIndex(waves: readonly DraftWave[], ref: WaveRef | undefined): number | null {
  if (!ref) return null;
  if (ref.last) return waves.length ? waves.length - 1 : null;
  if (ref.index !== undefined) return ref.index < waves.length ? ref.index : null;
  if (ref.number === undefined) return null;
  const k = waves.findIndex((w) => w.number === ref.number);
  return k >= 0 ? k : null;
}

function placeAgents(drafts: readonly RoleDraft[], registry: AgentRegistry, resolved: Assembly["resolved"], waves: DraftWave[], items: Items, levels: Map<RegisteredAgent, number> | null): AgentDraft[] {
  const out = new Map<RegisteredAgent, AgentDraft & { places: Map<FileRole | "weak", { wave: number; src: Src }[]> }>();
  for (const reg of registry.agents) out.set(reg, { reg, wave: -1, alsoIn: [], tickets: [], sections: [], deps: [], places: new Map() });
  const single = waves.length === 1;
  for (const d of drafts) {
    if (d.role !== "main" && d.role !== "assignments") continue;
    const res = resolved.get(d.draft)!;
    const place = (k: number, ref: WaveRef | undefined, src: Src, weak = false): void => {
      const a = res[k] ? out.get(res[k]!) : undefined;
      const w = single && ref ? 0 : waveIndex(waves, ref);
      if (!a || w === null) return;
      const role = weak ? "weak" : d.role;
      a.places.set(role, [...(a.places.get(role) ?? []), { wave: w, src }]);
    };
    d.draft.mentions.forEach((m, k) => {
      if (m.define) place(k, m.wave, m.src);
      const a = res[k] ? out.get(res[k]!) : undefined;
      if (a && m.define && m.end !== undefined && m.end >= m.src.line) a.sections.push({ file: d.draft.file, from: m.src.line, to: m.end });
    });
    for (const f of d.draft.facts) {
      if (f.kind === "member") place(f.mention, f.wave, f.src, f.weak === true);
      const a = "mention" in f && res[f.mention] ? out.get(res[f.mention]!) : undefined;
      if (!a) continue;
      if (f.kind === "role" && a.role === undefined) a.role = f.text;
      if (f.kind === "dep") {
        const on = registry.resolve(f.on);
        if (on && on !== a.reg) a.deps.push({ on, src: f.src });
      }
    }
  }
  for (const a of out.values()) {
    const places = a.places.get("main")?.length ? a.places.get("main")! : a.places.get("assignments")?.length ? a.places.get("assignments")! : (a.places.get("weak") ?? []);
    if (places.length === 0 && levels && waves.length === Math.max(...levels.values())) {
      a.wave = (levels.get(a.reg) ?? 1) - 1;
      continue;
    }
    const workHere = waves.findIndex((w) => w.agentsWorkHere);
    if (places.length === 0 && workHere >= 0) {
      a.wave = workHere;
      items.add("inferred", a.reg.src, `no step names agent "${a.reg.id}"; it runs in wave ${waves[workHere]!.number}, the step where the plan's agents work at once`);
      continue;
    }
    if (places.length === 0) {
      a.wave = waves.length - 1;
      items.add("inferred", a.reg.src, `no wave names agent "${a.reg.id}"; it runs in the last wave ("wave ${waves[a.wave]!.number}")`);
      continue;
    }
    const first = places.reduce((best, p) => (p.wave < best.wave ? p : best));
    a.wave = first.wave;
    const distinct = [...new Set(places.map((p) => p.wave))].sort((x, y) => x - y);
    a.alsoIn = distinct.filter((w) => w !== a.wave);
    if (distinct.length > 1) {
      const named = distinct.map((w) => waves[w]!.number).join(", ");
      items.add("ambiguous", first.src, `agent "${a.reg.id}" is named in waves ${named}; it runs once, in wave ${waves[a.wave]!.number}, with the later waves' work folded in`);
    }
  }
  collectTickets(drafts, resolved, out);
  return [...out.values()].map(({ places: _p, ...a }) => a);
}

// Tickets from Tasks lists, else Deliverables; from the main file, else agent-assignments.md.
function collectTickets(drafts: readonly RoleDraft[], resolved: Assembly["resolved"], out: Map<RegisteredAgent, AgentDraft>): void {
  type T = { title: string; description?: string };
  const found = new Map<RegisteredAgent, Map<string, T[]>>();
  for (const d of drafts) {
    if (d.role !== "main" && d.role !== "assignments") continue;
    const res = resolved.get(d.draft)!;
    for (const f of d.draft.facts) {
      if (f.kind !== "ticket" || !res[f.mention]) continue;
      const mine = found.get(res[f.mention]!) ?? new Map<string, T[]>();
      found.set(res[f.mention]!, mine);
      const key = `${d.role}/${f.from}`;
      const list = mine.get(key) ?? [];
      if (list.length < 60) list.push({ title: f.title, ...(f.description ? { description: clip(f.description, 4000) } : {}) });
      mine.set(key, list);
    }
  }
  for (const a of out.values())
    for (const role of ["main", "assignments"])
      for (const from of ["tasks", "deliverables"]) {
        if (a.tickets.length) break;
        a.tickets.push(...(found.get(a.reg)?.get(`${role}/${from}`) ?? []));
      }
}

// "**Dependencies**: Track 2": when the main file names no waves at all, the order agents wait for
// each other in — level 1 depends on nobody, level n on an agent of level n-1. Null when no agent
// waits for another (or the dependencies form a cycle), or when any wave is named anywhere.
function dependencyLevels(drafts: readonly RoleDraft[], registry: AgentRegistry, resolved: Assembly["resolved"]): Map<RegisteredAgent, number> | null {
  const main = drafts.find((d) => d.role === "main")!.draft;
  if (main.waves.some((w) => w !== undefined)) return null;
  const on = new Map<RegisteredAgent, Set<RegisteredAgent>>(registry.agents.map((a) => [a, new Set()]));
  for (const d of drafts) {
    if (d.role !== "main" && d.role !== "assignments") continue;
    const res = resolved.get(d.draft)!;
    for (const f of d.draft.facts) {
      if (f.kind === "member" && res[f.mention]) return null;
      if (f.kind !== "dep" || !res[f.mention]) continue;
      const dep = registry.resolve(f.on);
      if (dep && dep !== res[f.mention]) on.get(res[f.mention]!)?.add(dep);
    }
  }
  if (![...on.values()].some((s) => s.size > 0)) return null;
  const level = new Map<RegisteredAgent, number>();
  const visiting = new Set<RegisteredAgent>();
  const levelOf = (a: RegisteredAgent): number | null => {
    if (level.has(a)) return level.get(a)!;
    if (visiting.has(a)) return null;
    visiting.add(a);
    let n = 1;
    for (const d of on.get(a) ?? []) {
      const l = levelOf(d);
      if (l === null) return null;
      n = Math.max(n, l + 1);
    }
    visiting.delete(a);
    level.set(a, n);
    return n;
  };
  for (const a of registry.agents) if (levelOf(a) === null) return null;
  return Math.max(...level.values()) > 1 ? level : null;
}
