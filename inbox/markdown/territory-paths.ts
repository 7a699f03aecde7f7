// Territory candidates → each agent's territory. Plans repeat paths in shorthand (`processor.py`
// for `src/processing/processor.py`, `services/api.js` under `frontend/src/services/`); shorthand
// covered by a full path is dropped, and entries the canonical plan would refuse are reported.
import { territoryEntryProblem } from "../../protocol/territory.ts";
import { territoryLimitProblem } from "../territory-entry.ts";
import type { RegisteredAgent } from "./agents.ts";
import type { RoleDraft } from "./assemble.ts";
import type { Confidence, TerritoryEntryInfo } from "../purple/types.ts";
import type { FileDraft, Src, TerritoryHow } from "./draft.ts";
import type { Items } from "./intake.ts";
import { asPath } from "./paths.ts";


interface Candidate {
  how: TerritoryHow;
  /** read from the main plan file (not agent-assignments.md or a brief) */
  main: boolean;
  agent: RegisteredAgent;
  listing: boolean;
  path: string;
  src: Src;
  weak: boolean;
  bare: boolean;
  leadingSlash: boolean;
}

/** Each agent's territory, in the order the plan gives it. */
export function buildTerritories(drafts: readonly RoleDraft[], resolved: Map<FileDraft, (RegisteredAgent | null)[]>, items: Items, entries: TerritoryEntryInfo[] = [], folderPaths: Iterable<string> = []): Map<RegisteredAgent, string[]> {
  let candidates: Candidate[] = [];
  for (const d of drafts) {
    if (d.role !== "main" && d.role !== "assignments") continue;
    const res = resolved.get(d.draft)!;
    for (const f of d.draft.facts) {
      if (f.kind !== "territory" || !res[f.mention]) continue;
      const path = normalise(f.path);
      if (path) candidates.push({ main: d.role === "main", how: f.how ?? "label", agent: res[f.mention]!, path, src: f.src, weak: f.weak, bare: f.bare, leadingSlash: f.leadingSlash, listing: f.listing === true });
    }
  }
  // File listings count only for agents that nothing else gives a territory.
  const named = new Set(candidates.filter((c) => !c.listing).map((c) => c.agent));
  candidates = candidates.filter((c) => !c.listing || !named.has(c.agent));
  // Full paths the plan spells out (territories and file listings): a bare name or a partial path
  // matching the end of one is shorthand for it — unless the same agent lists both side by side.
  const spelled = new Map<string, Candidate | null>();
  for (const c of candidates) if (!c.bare) spelled.set(c.path, c);
  for (const d of drafts) if (d.role === "main" || d.role === "assignments") for (const k of d.draft.known) if (!spelled.has(k)) spelled.set(k, null);
  // What a shorthand means: the agent's own full path (a repeat: dropped), the one full path the
  // plan spells out (read as that), or nothing certain (kept as written).
  // Full paths by their last segment (a shorthand can only mean one that ends like it), in order.
  const lastOf = (p: string): string => p.replace(/\/+$/, "").split("/").pop() ?? "";
  const byLast = new Map<string, [string, Candidate | null][]>();
  for (const [q, owner] of spelled) byLast.set(lastOf(q), [...(byLast.get(lastOf(q)) ?? []), [q, owner]]);
  // Full paths other files of the folder spell out (a task list naming `tests/x/run.sh` where the
  // plan says `run.sh`): they read only a bare name, never a partial path, and are no territory.
  const elsewhere = new Map<string, string[]>();
  for (const q of folderPaths) if (!spelled.has(q)) elsewhere.set(lastOf(q), [...(elsewhere.get(lastOf(q)) ?? []), q]);
  const expand = (c: Candidate): string | null | undefined => {
    const tail = "/" + c.path;
    const matches: [string, Candidate | null][] = [];
    const own = byLast.get(lastOf(c.path)) ?? [];
    const also = c.bare && !own.some(([q]) => q.endsWith(tail)) ? (elsewhere.get(c.path) ?? []).map((q): [string, null] => [q, null]) : [];
    for (const [q, owner] of [...own, ...also]) {
      if (q.length <= c.path.length || !q.endsWith(tail)) continue;
      // Side by side, the same agent's two paths are two files — unless the short one is written
      // from the root ("/api/x/route.ts" beside "src/app/api/x/route.ts"): then it is the same file.
      if (owner && owner.agent === c.agent && owner.src.file === c.src.file && Math.abs(owner.src.line - c.src.line) <= 12 && !c.leadingSlash) continue;
      if (owner && owner.agent === c.agent) return null;
      matches.push([q, owner]);
    }
    const distinct = [...new Set(matches.map(([q]) => q))];
    return distinct.length === 1 ? distinct[0] : undefined;
  };
  const dirsOf = new Map<RegisteredAgent, string[]>();
  for (const c of candidates) if (c.path.endsWith("/") && !c.bare) dirsOf.set(c.agent, [...(dirsOf.get(c.agent) ?? []), c.path]);
  const mainDirsOf = new Map<RegisteredAgent, string[]>();
  for (const c of candidates) if (c.main && !c.listing && c.path.endsWith("/")) mainDirsOf.set(c.agent, [...(mainDirsOf.get(c.agent) ?? []), c.path]);
  const strongOf = new Map<RegisteredAgent, string[]>();
  for (const c of candidates) if (!c.weak) strongOf.set(c.agent, [...(strongOf.get(c.agent) ?? []), c.path]);
  const out = new Map<RegisteredAgent, string[]>();
  const reported = new Set<string>();
  const slashNoted = new Set<string>();
  const kept = new Map<string, { agent: RegisteredAgent; src: Src; paths: string[] }>();
  for (const c of candidates) {
    const dirs = dirsOf.get(c.agent) ?? [];
    if (c.bare && c.weak && dirs.length > 0) continue;
    if (!c.bare && dirs.some((d) => isRelativeTo(c.path, d))) continue;
    // Another file's deliverable inside a folder the main plan already gives the agent adds nothing.
    if (c.weak && !c.main && (mainDirsOf.get(c.agent) ?? []).some((d) => d !== c.path && c.path.startsWith(d))) continue;
    const full = expand(c);
    if (full === null) continue;
    const wasBare = c.bare && full === undefined;
    if (full !== undefined) {
      items.add("inferred", c.src, `"${c.path}" read as "${full}", the path the plan spells out in full`);
      c.path = full;
    }
    // A directory among deliverables, where the agent's own territory names files inside it.
    if (c.weak && c.path.endsWith("/") && (strongOf.get(c.agent) ?? []).some((p) => p !== c.path && p.startsWith(c.path)) && !(strongOf.get(c.agent) ?? []).includes(c.path)) continue;
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
    entries.push({ agent: c.agent.id, path: c.path, file: c.src.file, line: c.src.line, ...confidenceOf(c, full !== undefined, wasBare) });
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

const HOW: Record<TerritoryHow, [Confidence, string]> = {
  label: ["high", "under an ownership label"],
  matrix: ["high", "in an ownership table"],
  deliverable: ["medium", "a deliverable"],
  verb: ["medium", "a task says to create or change it"],
  mention: ["medium", "a line names the agent and the path"],
  listing: ["low", "from a file listing"],
};

// The way the plan gives the path sets the confidence; a shorthand read as a full path, a bare
// name kept as written, or a path written from the root ("/src") lowers it to low.
function confidenceOf(c: Candidate, expanded: boolean, bare: boolean): { confidence: Confidence; why: string } {
  const [base, why] = HOW[c.how];
  if (expanded) return { confidence: "low", why: `${why}; written as a shorthand and read as the full path` };
  if (bare) return { confidence: "low", why: `${why}; a bare file name (no folder), kept as written` };
  if (c.leadingSlash) return { confidence: base === "high" ? "medium" : "low", why: `${why}; written from the root with a leading "/"` };
  return { confidence: base, why };
}

function normalise(path: string): string {
  let p = path.trim().replace(/\/{2,}/g, "/");
  while (p.startsWith("./")) p = p.slice(2);
  p = p.replace(/^\/+/, "");
  return p === "." || p === "/" ? "" : p;
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

/** Full paths (with a folder part) written in code spans anywhere in the folder's markdown files. */
export function pathsSpelledInFolder(files: Record<string, string>): Set<string> {
  const out = new Set<string>();
  for (const [file, text] of Object.entries(files)) {
    if (!/\.(?:md|markdown)$/i.test(file)) continue;
    for (const m of text.slice(0, 400_000).matchAll(/`([^`\n]{3,300})`/g)) {
      const hit = asPath(m[1]!, true);
      if (hit && !hit.bare && !hit.leadingSlash && !/[*?[\]{}]/.test(hit.path)) out.add(normalise(hit.path));
    }
  }
  return out;
}
