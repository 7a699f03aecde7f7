// What one line or code block says under its label: paths of a territory, a ticket, gate commands
// and manual checks, the agents of a wave, an agent's id, role, wave or dependencies.
import type { Fact, Src, WaveRef } from "./draft.ts";
import { clip, codeSpans, plain, stripMarks } from "./inline.ts";
import { asPath, pathsInText, pathsWritten, saysReadOnly, treeEntries, type PathHit } from "./paths.ts";
import { isShellLang, looksLikeCommand, looksLikeShellBlock, shellCommands } from "./shell.ts";
import type { RowSink } from "./tables.ts";
import { agentHeading, agentIdsIn, agentNumbersIn, type AgentRef, type LabelKind } from "./vocab.ts";

export interface Context {
  file: string;
  line: number;
  /** the mention whose section this is */
  agent: number | null;
  wave: WaveRef | null;
  label: LabelKind | null;
  /** set when the text is part of a gate: the wave it checks */
  gateWave: WaveRef | "every" | null;
  /** indent of the first list item under the label: deeper items are details of a ticket */
  baseIndent: number | null;
  /** line of the heading or label that opened the gate (for reporting checks that name no wave) */
  gateAnchor: number;
  /** a directory the list item is nested under: names inside it are already covered */
  parentDir?: string;
}

export interface Sink extends RowSink {
  known(path: string): void;
  setId(mention: number, id: string): void;
  appendTicket(mention: number, text: string): void;
  goal(text: string, src: Src): void;
  max(value: number, src: Src): void;
}

/** Collect what a paragraph, list item or a label's own text says under its context. */
export function collectText(text: string, isItem: boolean, indent: number, ctx: Context, sink: Sink, labelRest: boolean, checkbox = false): void {
  const src: Src = { file: ctx.file, line: ctx.line };
  const agent = ctx.agent;
  switch (ctx.label) {
    case "gate":
      return gateText(text, isItem || labelRest || checkbox, ctx, sink);
    case "tests":
      return gateText(text, false, ctx, sink);
    case "territory":
      if (agent !== null) return territory(text, agent, src, sink, false, ctx.parentDir);
      return ownershipLine(text, src, sink);
    case "deliverables":
      if (agent === null) return ownershipLine(text, src, sink);
      territory(text, agent, src, sink, true, ctx.parentDir);
      return ticket(text, isItem, indent, agent, ctx, sink, "deliverables");
    case "tasks":
      if (agent === null) return;
      ticket(text, isItem, indent, agent, ctx, sink, "tasks");
      // "Fix type errors in `src/x.ts`": what a task says to change is territory only for an agent
      // the plan gives none otherwise (like a file listing), with medium confidence.
      for (const hit of pathsWritten(text)) sink.fact({ kind: "territory", mention: agent, path: hit.path, src, weak: true, leadingSlash: hit.leadingSlash, bare: hit.bare, listing: true, how: "verb" });
      return;
    case "agents": {
      // "- **Agent**: `foundation-architect`" inside a stream's or team's section: its id.
      const ids = agentIdsIn(text);
      if (agent !== null && ids.length === 1 && codeSpans(text).length === 1 && refsIn(text).length === 1) return sink.setId(agent, ids[0]!);
      if (ctx.wave) for (const m of agentsIn(text, src, sink)) sink.fact({ kind: "member", mention: m, wave: ctx.wave, src });
      return;
    }
    case "wave": {
      if (agent === null) return;
      // "Wave: 2", "Wave 1, 3"; or a timeline, "Week 1 (critical path)": only numbers a period names.
      const t = plain(text);
      const numbers = /^[\s\d,&and-]+$/i.test(t.replace(/\bwaves?\b/gi, "")) ? (t.match(/\d{1,3}/g) ?? []) : [...t.matchAll(/\b(?:wave|week|sprint|phase|stage|iteration|milestone)\s*#?\s*(\d{1,3})/gi)].map((m) => m[1]!).slice(0, 1);
      for (const n of numbers) sink.fact({ kind: "member", mention: agent, wave: { number: Number(n) }, src });
      return;
    }
    case "id": {
      // `ticked-id` or kebab-id: a person's name after "Owner:" is not an agent id.
      const ticked = codeSpans(text)[0];
      const id = ticked ?? plain(text).split(/[\s,(]/)[0] ?? "";
      if (agent !== null && /^[a-z0-9][a-z0-9._-]*$/i.test(id) && (ticked !== undefined || /[-_]/.test(id))) sink.setId(agent, id.toLowerCase());
      return;
    }
    case "role":
      if (agent !== null && plain(text)) sink.fact({ kind: "role", mention: agent, text: clip(plain(text), 300), src });
      else if (agent === null && ctx.wave === null && plain(text)) sink.goal(plain(text), src);
      return;
    case "deps":
      // Only an agent that must be finished first is a dependency; "uses X's contract" is not.
      if (agent !== null)
        for (const seg of text.split(/[,;]|\band\b/))
          if (/complet|finish|\bdone\b|\bafter\b|wait|must (?:be )?(?:run|land|merge)|merged|landed|\bfirst\b|\bbefore\b|blocked by|prerequisite/i.test(seg)) for (const on of refsIn(seg)) sink.fact({ kind: "dep", mention: agent, on, src });
      return;
    case "goal":
      if (agent === null && ctx.wave === null && plain(text)) sink.goal(plain(text), src);
      return;
    case "max": {
      const n = /\b(\d{1,4})\b/.exec(plain(text));
      if (n) sink.max(Number(n[1]), src);
      return;
    }
    default:
      // "- Creates `notify/digest/queue.py`" straight under an agent's heading, with no label: what
      // a sentence of its own section says to write (never "uses", "reads" or "look at").
      if (agent !== null && (isItem || labelRest) && ctx.label === null && ctx.gateWave === null)
        for (const hit of text.split(/;\s+|\.\s+/).flatMap((clause) => (saysReadOnly(clause) ? [] : pathsWritten(clause)))) sink.fact({ kind: "territory", mention: agent, path: hit.path, src, weak: true, leadingSlash: hit.leadingSlash, bare: hit.bare, how: "verb" });
      return;
  }
}

/** Collect what a fenced code block says under its context: gate commands or a file listing. */
export function collectCode(body: readonly string[], lang: string, ctx: Context, sink: Sink): void {
  if (ctx.label === "gate" || ctx.label === "tests" || ctx.gateWave !== null) {
    if (!isShellLang(lang) && !(lang === "" && looksLikeShellBlock(body))) return;
    const wave = ctx.gateWave;
    if (wave === null) return sink.fact({ kind: "unplaced", src: { file: ctx.file, line: ctx.gateAnchor }, what: "shell commands" });
    for (const c of shellCommands(body)) sink.fact({ kind: "run", wave, command: c.command, src: { file: ctx.file, line: ctx.line + 1 + c.offset }, inline: false });
    return;
  }
  if (ctx.label !== "territory" && ctx.label !== "deliverables") {
    if (ctx.agent !== null && ctx.label !== "readonly") for (const hit of filesABlockWrites(body, lang)) sink.fact({ kind: "territory", mention: ctx.agent, path: hit.path, src: { file: ctx.file, line: ctx.line + 1 + hit.offset }, weak: true, leadingSlash: hit.leadingSlash, bare: hit.bare, listing: true, how: "verb" });
    return;
  }
  if (lang !== "" && !/^(text|txt|plain|plaintext|tree|files?|sh|bash)$/.test(lang)) return;
  const entries = treeEntries(body).filter((e) => !saysReadOnly(e.note) && !/\blocked\b/i.test(e.note));
  const roots = entries.filter((e) => e.depth === 0);
  // One root folder listed with its contents is a container (`frontend/src/` → its files): the
  // files are the territory, and only when nothing else gives the agent one.
  const container = roots.length === 1 && entries.length > 1 && roots[0]!.path.endsWith("/");
  const leaves = entries.filter((e) => e.depth > 0 && !(e.path.endsWith("/") && entries.some((o) => o !== e && o.path.startsWith(e.path))));
  for (const e of entries) {
    if (ctx.agent !== null && e.path.includes("/")) sink.known(e.path);
    const src = { file: ctx.file, line: ctx.line + 1 + e.offset };
    const owner = /(?:←|<-|<--|#|→)\s*(.+)$/.exec(e.note)?.[1];
    const ref = owner ? refsIn(owner)[0] : undefined;
    const base = { path: e.path, src, leadingSlash: e.leadingSlash, bare: !e.path.includes("/") };
    if (ctx.agent !== null) {
      if (container ? leaves.includes(e) : e.depth === 0)
        sink.fact({ kind: "territory", mention: ctx.agent, ...base, weak: ctx.label === "deliverables", ...(container ? { listing: true } : {}), how: container ? "listing" : ctx.label === "deliverables" ? "deliverable" : "label" });
    } else if (ref) sink.fact({ kind: "territory", mention: sink.mention(ref, false, src), ...base, weak: false, how: "listing" });
  }
  if (ctx.agent === null) body.forEach((l, k) => ownershipLine(l, { file: ctx.file, line: ctx.line + 1 + k }, sink));
}

// "After each phase run `x`. After phase 3 also `y`.": within a gate on every wave (or on none),
// a sentence that names one wave — by number, or as the last — gates only that wave.
const ONE_WAVE = /\b(?:after|for|in|on)\s+(?:the\s+)?(?:(?:wave|phase|stage|round|batch|group|sprint|step)\s*#?\s*(\d{1,3})\b|(?:last|final)\s+(?:wave|phase|stage|round|batch|group|sprint|step)\b)|\b(?:the\s+)?(?:last|final)\s+(?:wave|phase|stage|round|batch|group|sprint|step)\s+(?:must|also|additionally|should)\b/i;

function gateText(text: string, checkItem: boolean, ctx: Context, sink: Sink): void {
  if (ctx.gateWave === "every" || ctx.gateWave === null) {
    const sentences = text.split(/(?<=[.!?])\s+(?=[A-Z])/);
    const named = sentences.map((t) => ONE_WAVE.exec(plain(t)));
    if (named.some((m) => m !== null)) {
      sentences.forEach((t, k) => {
        const m = named[k];
        const gateWave: WaveRef | "every" | null = m ? (m[1] !== undefined ? { number: Number(m[1]) } : { last: true }) : ctx.gateWave;
        oneGateText(t, checkItem, { ...ctx, gateWave }, sink);
      });
      return;
    }
  }
  oneGateText(text, checkItem, ctx, sink);
}

function oneGateText(text: string, checkItem: boolean, ctx: Context, sink: Sink): void {
  const src: Src = { file: ctx.file, line: ctx.line };
  const commands = codeSpans(text).filter(looksLikeCommand);
  const wave = ctx.gateWave;
  if (commands.length === 0 && !checkItem) return;
  if (wave === null) return commands.length ? sink.fact({ kind: "unplaced", src: { file: ctx.file, line: ctx.gateAnchor }, what: "commands" }) : undefined;
  for (const c of commands) sink.fact({ kind: "run", wave, command: c.replace(/^\$\s+/, ""), src, inline: true });
  if (commands.length || wave === "every") return;
  // "`public/404.html` exists": a check the daemon can make itself.
  const exists = /^(?:the\s+)?(?:file\s+|directory\s+|folder\s+)?`([^`]+)`\s+(?:exists|is present|is created|has been created)\.?$/i.exec(stripMarks(text).replace(/^\d+[.)]\s*/, ""));
  const path = exists ? asPath(exists[1]!, false) : null;
  if (path && !path.leadingSlash) return sink.fact({ kind: "exists", wave, path: path.path, src });
  const t = clip(plain(text).replace(/^\d+[.)]\s*/, "").replace(/^\[[ xX]\]\s*/, ""), 300);
  if (t.length >= 3 && /[A-Za-z]/.test(t)) sink.fact({ kind: "manual", wave, text: t, src });
}

function territory(text: string, mention: number, src: Src, sink: Sink, weak: boolean, parentDir?: string): void {
  for (const hit of pathsInText(text)) {
    if (parentDir !== undefined && !hit.path.startsWith(parentDir)) continue;
    sink.fact({ kind: "territory", mention, path: hit.path, src, weak, leadingSlash: hit.leadingSlash, bare: hit.bare, how: weak ? "deliverable" : "label" });
  }
}

// "Agent 3: `src/x/`", "**ui-agent**: `src/ui/`", "infra-agent → docker/": paths owned by a named agent.
function ownershipLine(text: string, src: Src, sink: Sink): void {
  const t = stripMarks(text.trim());
  const m = /^(?:\*\*)?(agent\s*#?\s*\d{1,3}(?:-?[a-z])?\b|[a-z0-9][a-z0-9_-]*-agent\b|`[a-z0-9_-]+`)(?:\*\*)?\s*(?:\([^)]*\))?\s*(?::|→|->|—|–|-|=)\s*(.+)$/i.exec(t);
  if (!m) return pathFirstLine(t, src, sink);
  const ref = refsIn(m[1]!)[0];
  if (!ref || saysReadOnly(m[2]!)) return;
  const hits = pathsInText(m[2]!);
  if (hits.length === 0) return;
  const mention = sink.mention(ref, false, src);
  for (const hit of hits) sink.fact({ kind: "territory", mention, path: hit.path, src, weak: false, leadingSlash: hit.leadingSlash, bare: hit.bare, how: "mention" });
}

// "`src/db/**` → db-agent", "`docs/guide.md`: owned by Sol": the paths first, then who owns them
// (a file-ownership section written path by path). Only paths before the arrow, only one owner after it.
function pathFirstLine(t: string, src: Src, sink: Sink): void {
  const m = /^(.+?)\s*(?:→|->|=>|—|–|:)\s*(?:(?:is\s+)?owned by\s+|owner:?\s+)?(.+)$/i.exec(t);
  if (!m || saysReadOnly(m[2]!)) return;
  const paths = m[1]!.split(/\s*(?:,|\band\b|&)\s*/).filter((s) => s !== "");
  const hits = paths.map((p) => asPath(p, false));
  if (hits.length === 0 || hits.some((h) => h === null || h.bare)) return;
  const owner = m[2]!.replace(/\s*\([^)]*\)\s*$/, "").replace(/[.;]\s*$/, "").trim();
  if (owner.length > 40 || pathsInText(owner).length > 0) return;
  const refs = refsIn(owner, /^[\w`*@ -]+$/.test(owner) && owner.split(/\s+/).length <= 3);
  if (refs.length !== 1) return;
  const mention = sink.mention(refs[0]!, false, src);
  for (const hit of hits) sink.fact({ kind: "territory", mention, path: hit!.path, src, weak: false, leadingSlash: hit!.leadingSlash, bare: false, how: "matrix" });
}

function ticket(text: string, isItem: boolean, indent: number, mention: number, ctx: Context, sink: Sink, from: "tasks" | "deliverables"): void {
  if (!isItem) return;
  const body = plain(stripMarks(text)).replace(/^\d+[.)]\s*/, "").replace(/:$/, "").trim();
  if (body.length < 3) return;
  if (ctx.baseIndent !== null && indent > ctx.baseIndent) return sink.appendTicket(mention, body);
  const title = clip(body, 120);
  sink.fact({ kind: "ticket", mention, title, ...(title !== body ? { description: body } : {}), src: { file: ctx.file, line: ctx.line }, from });
}

// Agents named in a line: explicit ids, "Agent N" numbers, and comma-separated names.
function agentsIn(text: string, src: Src, sink: Sink): number[] {
  return refsIn(text, true).map((ref) => sink.mention(ref, ref.id !== undefined, src));
}

/** The agent references of a line, segment by segment: `ids`, kebab `x-agent` words, "Agent 3", and (optionally) plain names. */
export function refsIn(text: string, names = false): AgentRef[] {
  const refs: AgentRef[] = [];
  for (const seg of spreadGroups(text).split(/[,;]|\band\b|<br\s*\/?>/i)) {
    const found: AgentRef[] = agentIdsIn(seg).map((id) => ({ id }));
    for (const n of agentNumbersIn(seg)) found.push({ number: n });
    if (found.length === 0 && names) {
      const s = plain(seg).replace(/\([^)]*\)/g, "").trim();
      if (s === "" || s.length > 60 || /^(?:all|every|each|\d+|none|n\/a|orchestrator|tbd|sequential|parallel|solo|end users?)\b/i.test(s)) continue;
      found.push(agentHeading(s) ?? { name: s });
    }
    refs.push(...found);
  }
  return refs;
}

/**
 * Files a code block in an agent's own section writes: a file's content opened by a comment naming
 * it (`// scripts/check.js`, `# app/config.py`, `<!-- web/index.html -->`), and the files a shell
 * block appends or writes to (`echo ".next/" >> .eslintignore`). Read only for an agent the plan
 * gives no other territory (like a file listing).
 */
export function filesABlockWrites(body: readonly string[], lang: string): (PathHit & { offset: number })[] {
  const out: (PathHit & { offset: number })[] = [];
  const first = body.findIndex((l) => l.trim() !== "");
  const head = first >= 0 ? /^\s*(?:\/\/|#|--|\/\*|<!--)\s*(?:file:\s*)?(\S+?)\s*(?:\*\/|-->)?\s*$/i.exec(body[first]!) : null;
  const named = head ? asPath(head[1]!, true) : null;
  if (named && !named.bare && !isShellLang(lang)) out.push({ ...named, offset: first });
  if (isShellLang(lang) || (lang === "" && looksLikeShellBlock(body)))
    body.forEach((l, offset) => {
      if (/^\s*#/.test(l)) return;
      for (const m of l.matchAll(/(?:^|[^0-9&>])>>?\s*([^\s;&|<>]+)/g)) {
        const hit = asPath(m[1]!, true);
        if (hit && !/^(?:dev|tmp|proc)\//.test(hit.path) && !/\.(?:log|out|tmp)$/i.test(hit.path)) out.push({ ...hit, offset });
      }
    });
  return out;
}

// "lanes A and B", "Tracks 1 & 2": one group word for a list; spread to "lane A, lane B" so each
// segment keeps its word.
function spreadGroups(text: string): string {
  return text.replace(/\b(agent|team|track|lane|stream|squad|crew|worker|mission|pod)s?\s+(#?(?:[A-Z]|\d{1,3})(?:\s*(?:,|and|&)\s*#?(?:[A-Z]|\d{1,3})\b)+)/gi, (_all, word: string, list: string) =>
    list
      .split(/\s*(?:,|\band\b|&)\s*/)
      .filter((x) => x !== "")
      .map((x) => `${word} ${x}`)
      .join(", "),
  );
}
