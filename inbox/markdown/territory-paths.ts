// Territory candidates → each agent's territory. Plans repeat paths in shorthand (`processor.py`
// for `src/processing/processor.py`, `services/api.js` under `frontend/src/services/`); shorthand
// covered by a full path is dropped, and entries the canonical plan would refuse are reported.
import { territoryEntryProblem } from "../../protocol/territory.ts";
import { territoryLimitProblem } from "../territory-entry.ts";
import type { RegisteredAgent } from "./agents.ts";
import type { RoleDraft } from "./assemble.ts";
import type { FileDraft, Src } from "./draft.ts";
import type { Items } from "./intake.ts";

interface Candidate {
  agent: RegisteredAgent;
  path: string;
  src: Src;
  weak: boolean;
  bare: boolean;
  leadingSlash: boolean;
}

/** Each agent's territory, in the order the plan gives it. */
export function buildTerritories(drafts: readonly RoleDraft[], resolved: Map<FileDraft, (RegisteredAgent | null)[]>, items: Items): Map<RegisteredAgent, string[]> {
  const candidates: Candidate[] = [];
  for (const d of drafts) {
    if (d.role !== "main" && d.role !== "assignments") continue;
    const res = resolved.get(d.draft)!;
    for (const f of d.draft.facts) {
      if (f.kind !== "territory" || !res[f.mention]) continue;
      const path = normalise(f.path);
      if (path) candidates.push({ agent: res[f.mention]!, path, src: f.src, weak: f.weak, bare: f.bare, leadingSlash: f.leadingSlash });
    }
  }
  const fullNames = new Set(candidates.filter((c) => !c.bare).map((c) => lastSegment(c.path)));
  const dirsOf = new Map<RegisteredAgent, string[]>();
  for (const c of candidates) if (c.path.endsWith("/") && !c.bare) dirsOf.set(c.agent, [...(dirsOf.get(c.agent) ?? []), c.path]);
  const out = new Map<RegisteredAgent, string[]>();
  const reported = new Set<string>();
  const slashNoted = new Set<string>();
  const kept = new Map<string, { agent: RegisteredAgent; src: Src; paths: string[] }>();
  for (const c of candidates) {
    const dirs = dirsOf.get(c.agent) ?? [];
    if (c.bare && (fullNames.has(c.path) || (c.weak && dirs.length > 0))) continue;
    if (!c.bare && dirs.some((d) => isRelativeTo(c.path, d))) continue;
    const problem = territoryEntryProblem(c.path) ?? territoryLimitProblem(c.path);
    if (problem) {
      if (!reported.has(c.path)) items.add("not-understood", c.src, `territory "${c.path}" of agent "${c.agent.id}" ${problem}; left out`);
      reported.add(c.path);
      continue;
    }
    const list = out.get(c.agent) ?? [];
    if (list.includes(c.path)) continue;
    list.push(c.path);
    out.set(c.agent, list);
    if (c.leadingSlash && !slashNoted.has(c.src.file)) {
      slashNoted.add(c.src.file);
      items.add("inferred", c.src, `paths written with a leading "/" (such as "/${c.path}") are read relative to the project root`);
    }
    const key = `${c.agent.id}\0${c.src.file}\0${c.src.line}`;
    const group = kept.get(key) ?? { agent: c.agent, src: c.src, paths: [] };
    group.paths.push(c.path);
    kept.set(key, group);
  }
  for (const g of kept.values()) items.add("inferred", g.src, `agent "${g.agent.id}" owns ${g.paths.map((p) => `\`${p}\``).join(", ")}`);
  return out;
}

function normalise(path: string): string {
  let p = path.trim().replace(/\/{2,}/g, "/");
  while (p.startsWith("./")) p = p.slice(2);
  p = p.replace(/^\/+/, "");
  return p === "." || p === "/" ? "" : p;
}

function lastSegment(path: string): string {
  const parts = path.replace(/\/+$/, "").split("/");
  return parts[parts.length - 1]!;
}

// `services/api.js` written under `frontend/src/services/`: the path repeats the directory's tail.
function isRelativeTo(path: string, dir: string): boolean {
  if (path.startsWith(dir) || path === dir) return false;
  const d = dir.replace(/\/+$/, "").split("/");
  const p = path.replace(/\/+$/, "").split("/");
  if (d.length < 2) return false;
  for (let k = Math.min(d.length - 1, p.length - 1); k >= 1; k--) {
    let same = true;
    for (let j = 0; j < k; j++) if (d[d.length - k + j] !== p[j]) same = false;
    if (same) return true;
  }
  return false;
}
