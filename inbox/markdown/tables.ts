// Table rows in plans: roster tables (Agent | Role | Wave | Files Owned), ownership matrices
// (File | Agent | Access), wave tables (Wave | Agents), file lists inside an agent's section, and
// commands in gate tables. Columns are recognised by their headers, never by position alone.
import type { Block } from "./blocks.ts";
import type { Fact, Src, WaveRef } from "./draft.ts";
import { codeSpans, plain } from "./inline.ts";
import { pathsInText, pathsWritten, saysReadOnly } from "./paths.ts";
import { looksLikeCommand } from "./shell.ts";
import { agentHeading, agentIdsIn, agentNumbersIn, classifyLabel, type AgentRef, type LabelKind } from "./vocab.ts";

type Row = Extract<Block, { kind: "row" }>;

export interface RowContext {
  /** the mention whose section the table is in, if any */
  agent: number | null;
  label: LabelKind | null;
  /** the wave checks in this table belong to, when the table is under a gate */
  gateWave: WaveRef | "every" | null;
  src: Src;
}

export interface RowSink {
  /** record a mention of an agent; returns its index */
  mention(ref: AgentRef, define: boolean, src: Src): number;
  fact(f: Fact): void;
}

interface Columns {
  agent: number;
  name: number;
  wave: number;
  agents: number;
  role: number;
  /** a lane/track/team column beside the agent column: its cell is the agent's letter or number */
  group: number;
  /** a task matrix's notes column ("results to `x.md`") */
  notes: number;
  access: number;
  files: number[];
  /** file columns whose bare names are folders ("Owned Crates", "Packages") */
  dirNames: number[];
}

/** Read one table row in its context, emitting mentions and facts. */
export function readRow(row: Row, ctx: RowContext, sink: RowSink): void {
  const cols = columnsOf(row.header);
  const cell = (k: number): string => (k >= 0 ? (row.cells[k] ?? "") : "");
  if (ctx.gateWave !== null) {
    for (const c of row.cells)
      for (const span of codeSpans(c)) if (looksLikeCommand(span)) sink.fact({ kind: "run", wave: ctx.gateWave, command: span.trim(), src: ctx.src, inline: true });
    return;
  }
  if (cols.agent < 0 && agentColumns(row.header).length >= 2) return matrixRow(row, agentColumns(row.header), ctx, sink);
  const readOnlyRow = cols.access >= 0 && saysReadOnly(cell(cols.access)) && !/write/i.test(cell(cols.access));
  if (ctx.agent !== null && (ctx.label === "territory" || ctx.label === "deliverables") && cols.agent < 0) {
    if (readOnlyRow) return;
    const fileCols = cols.files.length ? cols.files : [0];
    for (const k of fileCols) territory(cell(k), ctx.agent, ctx.src, sink, ctx.label === "deliverables");
    return;
  }
  if (cols.agent >= 0) {
    const ref = refOf(cell(cols.agent), cell(cols.name));
    if (!ref) return;
    // A roster names its agents first (after a "#" column, whose number joins the reference).
    const first = Math.min(...[cols.agent, cols.name].filter((k) => k >= 0));
    const numbering = row.header.slice(0, first).every((h) => /^\s*(?:#|no\.?|n|num|number|id|)\s*$/i.test(plain(h)));
    if (numbering && first > 0 && !ref.number) {
      const n = /^#?(\d{1,3}(?:-?[a-z])?)$/i.exec(plain(cell(first - 1)))?.[1];
      if (n) ref.ordinal = n.toLowerCase();
    }
    const letter = /^([a-z0-9]{1,3})$/i.exec(plain(cell(cols.group)))?.[1];
    if (letter && !ref.number) ref.ordinal = letter.toLowerCase();
    const define = (numbering || letter !== undefined) && (ref.id !== undefined || ref.name !== undefined);
    const m = sink.mention(ref, define, ctx.src);
    for (const n of numbersIn(cell(cols.wave))) sink.fact({ kind: "member", mention: m, wave: { number: n }, src: ctx.src });
    if (!readOnlyRow) rowTerritory(cols.files.map(cell), m, ctx.src, sink, cols.files.map((k) => cols.dirNames.includes(k)));
    // A task matrix: "| T003 | Create `.gitleaks.toml` | `senior-backend-engineer` |".
    if (!readOnlyRow && cols.role >= 0)
      for (const hit of [cols.role, cols.notes].flatMap((k) => pathsWritten(cell(k), { outputs: true }))) sink.fact({ kind: "territory", mention: m, path: hit.path, src: ctx.src, weak: true, leadingSlash: hit.leadingSlash, bare: hit.bare, how: "verb" });
    const role = plain(cell(cols.role));
    if (role && !/^[-–—]$|^n\/?a$/i.test(role)) sink.fact({ kind: "role", mention: m, text: role, src: ctx.src });
    return;
  }
  if (cols.wave >= 0 && cols.agents >= 0) {
    const waves = numbersIn(cell(cols.wave));
    if (waves.length === 0) return;
    const explicit = agentIdsIn(cell(cols.agents));
    for (const id of explicit.length ? explicit : bareIdsIn(cell(cols.agents))) {
      const m = sink.mention({ id }, explicit.length > 0, ctx.src);
      sink.fact({ kind: "member", mention: m, wave: { number: waves[0]! }, src: ctx.src });
    }
    // "| 1 | M1, M2 |", "| 2 | Agent 3 |": codes and numbers refer to agents defined elsewhere.
    const text = plain(cell(cols.agents));
    const refs: AgentRef[] = [...agentNumbersIn(text).map((number) => ({ number })), ...[...text.matchAll(/\b([A-Z]{1,3}\d{1,3})\b/g)].map((c) => ({ name: c[1]! }))];
    for (const ref of refs) sink.fact({ kind: "member", mention: sink.mention(ref, false, ctx.src), wave: { number: waves[0]! }, src: ctx.src });
  }
}

// The paths of a row's file columns. Bare names in one column beside directories in another
// ("Owned Directories: `src/storage/`" | "Created Files: chroma_client.py") live in those directories.
function rowTerritory(cells: string[], mention: number, src: Src, sink: RowSink, dirNames: boolean[]): void {
  const hits = cells.map((c, k) => (saysReadOnly(c) && !/write/i.test(c) ? [] : pathsInText(c, { dirNames: dirNames[k] === true })));
  const dirColumns = hits.map((h) => h.some((x) => !x.bare && !x.folderName && x.path.endsWith("/")));
  hits.forEach((list, k) => {
    for (const hit of list) {
      if (hit.bare && !dirColumns[k] && dirColumns.some(Boolean)) continue;
      sink.fact({ kind: "territory", mention, path: hit.path, src, weak: false, leadingSlash: hit.leadingSlash, bare: hit.bare, how: "matrix" });
    }
  });
}

function territory(text: string, mention: number, src: Src, sink: RowSink, weak: boolean): void {
  if (saysReadOnly(text) && !/write/i.test(text)) return;
  for (const hit of pathsInText(text)) sink.fact({ kind: "territory", mention, path: hit.path, src, weak, leadingSlash: hit.leadingSlash, bare: hit.bare, how: weak ? "deliverable" : "label" });
}

// A file-ownership matrix with the agents as columns: "| File | api-agent | ui-agent |", a row per
// path, a mark per agent ("owns", "W", "✅" write; "read", "R", "—" not). Only a writing mark gives
// the path to that agent.
const WRITES = /^(?:\W*\s*)?(?:own(?:s|er|ed)?|write|writes|w|rw|r\/w|create[sd]?|modif(?:y|ies|ied)|edit[s]?|x|yes|exclusive)\b|^[✓✔✅✏️●■★]/iu;

function agentColumns(header: readonly string[]): { col: number; ref: AgentRef }[] {
  const out: { col: number; ref: AgentRef }[] = [];
  // "| Path | ledger-bot | tax-bot |": under a first column of paths, kebab-case headers are agent ids.
  const byPath = /^(?:paths?|files?|folders?|director(?:y|ies)|modules?|areas?|locations?)$/i.test(plain(header[0] ?? ""));
  header.forEach((h, k) => {
    if (k === 0) return;
    const ids = agentIdsIn(h);
    const kebab = byPath ? /^([a-z][a-z0-9]*(?:[-_][a-z0-9]+)+)$/.exec(plain(h))?.[1] : undefined;
    const ref = agentHeading(plain(h)) ?? (ids.length === 1 ? { id: ids[0]! } : kebab ? { id: kebab } : null);
    if (ref) out.push({ col: k, ref });
  });
  return out;
}

function matrixRow(row: Row, agents: { col: number; ref: AgentRef }[], ctx: RowContext, sink: RowSink): void {
  const paths = pathsInText(row.cells[0] ?? "");
  if (paths.length === 0) return;
  for (const { col, ref } of agents) {
    const mark = plain(row.cells[col] ?? "").trim();
    if (!WRITES.test(mark) || saysReadOnly(mark)) continue;
    const m = sink.mention(ref, false, ctx.src);
    for (const hit of paths) sink.fact({ kind: "territory", mention: m, path: hit.path, src: ctx.src, weak: false, leadingSlash: hit.leadingSlash, bare: hit.bare, how: "matrix" });
  }
}

function columnsOf(header: readonly string[]): Columns {
  const h = header.map((c) => plain(c).toLowerCase());
  const find = (re: RegExp, skip: number[] = []): number => h.findIndex((c, k) => re.test(c) && !skip.includes(k));
  // "| Lane | Agent | Writes |": the column that says agent names it; the lane's letter is its number.
  const named = find(/^agents?(?:\s*(?:id|name))?$/);
  const grouped = find(/^(?:team|track|lane|stream|squad)(?:\s*(?:id|#|no\.?|number))?$/);
  const agent = named >= 0 && grouped >= 0 ? named : find(/^(?:agent|owner|owned by|assignee|assigned to|responsible|team|track|lane|stream|squad|worker|sub-?agent)(?:\s*(?:id|#|no\.?|number|name))?$|^(?:agent|owner)\b(?!s)/);
  const group = named >= 0 && grouped >= 0 ? grouped : -1;
  const name = agent >= 0 ? find(/^(?:name|agent name|id|agent id)$/, [agent]) : -1;
  // "| Day | Who works |", "| Round | Agents |": a schedule whose first column numbers the steps.
  const wave = find(/^(?:wave|phase|stage)s?\b|^(?:day|week|sprint|round|step|batch)s?$/);
  const agents = find(/^agents\b|^(?:assigned )?agents?$|^(?:teams|tracks|lanes|streams|squads|missions|work packages|wps|workstreams|workers)$|^who(?: works| runs)?$/, [agent]);
  const role = find(/role|specialization|responsibilit|purpose|focus|description|mission/, [agent, name]);
  const access = find(/access|permission|^mode$|^type$|operation|modification type/);
  const notes = find(/^(?:notes?|remarks|comments?|outputs?|results?)$/, [agent, name, role]);
  const files = h
    .map((c, k) => k)
    .filter((k) => ![agent, name, group, wave, agents, role, access].includes(k))
    .filter((k) => {
      const kind = classifyLabel(h[k]!);
      return kind === "territory" || (kind === "deliverables" && /file|path/.test(h[k]!));
    });
  const dirNames = files.filter((k) => /crates?\b|packages?\b|modules?\b|director(?:y|ies)|folders?\b|workspaces?\b/.test(h[k]!));
  return { agent, name, group, wave, agents, role, notes, access, files, dirNames };
}

// The agent a roster cell names: "**infra-agent**", "Agent 3: Name", "3", "Backend Impl Agent".
function refOf(agentCell: string, nameCell: string): AgentRef | null {
  const a = plain(agentCell);
  const n = plain(nameCell);
  if (a === "" || /^(?:all|every|each|none|n\/?a|tbd|-+|—|–|orchestrator)\b/i.test(a) || /\ball (?:other )?agents\b|^all\b/i.test(a)) return null;
  let ref: AgentRef = {};
  const number = /^#?(\d{1,3}(?:-?[a-z])?)$/i.exec(a)?.[1];
  if (number) ref.number = number.toLowerCase();
  else {
    const heading = agentHeading(agentCell);
    if (heading) ref = { ...heading };
    else if (/^[a-z0-9]+(?:[-_][a-z0-9]+)+$/.test(a)) ref.name = a;
    else if (a.length <= 60) ref.name = a;
    else return null;
  }
  if (n !== "") {
    if (/^[a-z0-9]+(?:[-_][a-z0-9]+)+$/.test(n)) ref.id = n;
    else if (!ref.name) ref.name = n;
  }
  return ref;
}

function numbersIn(text: string): number[] {
  return [...plain(text).matchAll(/\d{1,3}/g)].map((m) => Number(m[0])).slice(0, 8);
}

// "sql-builder, mailer": a schedule cell that is nothing but a list of lowercase names refers to
// agents the plan defines elsewhere (a reference only: it defines none).
function bareIdsIn(cell: string): string[] {
  const words = plain(cell).split(/\s*(?:,|;|\band\b|&|\+)\s*/).filter((w) => w !== "");
  const ok = (w: string): boolean => /^[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*$/.test(w) && w.length >= 3 && !/^(?:all|none|everyone|everybody|nobody|tbd|you|team|agents?|orchestrator)$/.test(w);
  return words.length && words.every(ok) ? words : [];
}
