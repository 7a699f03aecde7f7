// Reading an implementation spec (`implementation-spec-*.md`, as the engineering-architect writes
// it): its phase headings and its tickets — `#### CMS-001: Title`, `### PHASE-1-A: Title`,
// `#### Ticket 3` + `**Ticket ID:** VAP-2.1`, or a bare `- **Ticket ID:** X` list — with each
// ticket's section text, the paths it names and the tickets it depends on. Pure; never throws.
import type { IntakeItem } from "./types.ts";
import { labelOf, pathsOfTicket } from "./paths.ts";

export interface SpecPhase {
  number: number;
  name: string;
  /** 1-based line of its first heading */
  line: number;
}

export interface SpecTicket {
  id: string;
  title: string;
  /** 1-based line where the ticket starts (its heading or its `Ticket ID` line) */
  line: number;
  /** the phase it sits under, or the one its id names (`PHASE-2-A`); undefined when neither */
  phase?: number;
  /** its section's lines after the start line */
  body: string[];
  paths: string[];
  /** ticket ids named in its "Dependencies" part */
  dependsOn: string[];
}

export interface ParsedSpec {
  file: string;
  /** the document's first `#` heading, without an "Implementation Specification:" prefix */
  title?: string;
  phases: SpecPhase[];
  tickets: SpecTicket[];
  items: IntakeItem[];
}

/** A ticket id as specs write them: `CMS-001`, `PHASE-1-A`, `VAP-1.1`, `T_12`. */
const TICKET_ID_SOURCE = String.raw`[A-Z][A-Z0-9]*[-_]\d[A-Z0-9]*(?:[-_.][A-Z0-9]+)*`;
const TICKET_ID_ANYWHERE = new RegExp(String.raw`(?<![A-Za-z0-9_.-])${TICKET_ID_SOURCE}(?![A-Za-z0-9_-])`, "g");
const TICKET_ID_ALONE = new RegExp(`^${TICKET_ID_SOURCE}$`);
const HEADING = /^(#{1,6})\s+(.*?)\s*#*\s*$/;
const PHASE_HEADING = /^(?:\d+(?:\.\d+)*[.)]?\s+)?phase\s+(\d{1,4})\b\s*(?:[:.)\-–—]+\s*)?(.*)$/i;
const NUMBERED_TICKET_HEADING = /^(?:\d+[.)]\s+)?ticket\s*#?\s*(\d{1,5})\b\s*[:.\-–—]*\s*(.*)$/i;
const ID_HEADING = /^(?:\d+[.)]\s+)?(?:ticket\s*(?:id)?\s*[:#]?\s*)?\[?([A-Za-z][A-Za-z0-9]*(?:[-_.][A-Za-z0-9]+)+)\]?(?=$|[\s:—–(.-])\s*[:.\-–—]*\s*(.*)$/i;
const FENCE = /^\s*(```|~~~)/;

interface Open {
  start: number;
  /** heading level; 7 for a ticket started by a `Ticket ID` line (any heading ends it) */
  level: number;
  id?: string;
  number?: string;
  headTitle: string;
  labelTitle?: string;
  phase?: number;
  body: string[];
}

/** Parse one implementation spec. `knownIds` (from progress.json) also count as ticket ids in headings. */
export function parseSpec(file: string, text: string, knownIds: ReadonlySet<string> = new Set()): ParsedSpec {
  const lines = text.split(/\r?\n/);
  const out: ParsedSpec = { file, phases: [], tickets: [], items: [] };
  const known = new Set([...knownIds].map((k) => k.toUpperCase()));
  let phase: { number: number; level: number } | null = null;
  let open: Open | null = null;
  let fenced = false;
  const close = (): void => {
    if (open) out.tickets.push(finish(open, out));
    open = null;
  };
  lines.forEach((line, i) => {
    if (FENCE.test(line)) fenced = !fenced;
    const heading = fenced || FENCE.test(line) ? null : HEADING.exec(line);
    if (!heading) return void labelLine(line, i);
    const level = heading[1]!.length;
    const text = plain(heading[2]!);
    if (open && level <= open.level) close();
    if (level === 1 && out.title === undefined) out.title = text.replace(/^(?:engineering\s+)?implementation\s+spec(?:ification)?\s*[:\-–—]\s*/i, "") || text;
    const ph = PHASE_HEADING.exec(text);
    if (ph) {
      close();
      const number = Number(ph[1]);
      phase = { number, level };
      if (!out.phases.some((p) => p.number === number)) out.phases.push({ number, name: ph[2]!.trim() || `Phase ${number}`, line: i + 1 });
      return;
    }
    const ticket = ticketHeading(text, known);
    if (ticket) {
      close();
      open = { start: i, level, ...ticket, phase: phase?.number ?? phaseOfId(ticket.id), body: [] };
      return;
    }
    if (phase && level <= phase.level) phase = null;
    if (open) open.body.push(line);
  });
  close();
  return out;

  function labelLine(line: string, i: number): void {
    const label = fenced ? null : labelOf(line);
    const name = label?.label.toLowerCase().replace(/\s+/g, " ");
    if (label && (name === "ticket id" || name === "ticket" || name === "id")) {
      const id = firstId(label.rest, known, name === "ticket id");
      if (id !== undefined) {
        if (open && open.id === undefined) open.id = id;
        else if (!open || open.id!.toUpperCase() !== id.toUpperCase()) {
          close();
          open = { start: i, level: 7, id, headTitle: "", phase: phase?.number ?? phaseOfId(id), body: [] };
          return;
        }
      }
    } else if (label && open && name === "title" && open.labelTitle === undefined && label.rest.trim()) {
      open.labelTitle = plain(label.rest);
    }
    if (open) open.body.push(line);
  }
}

function ticketHeading(text: string, known: ReadonlySet<string>): { id?: string; number?: string; headTitle: string } | null {
  const numbered = NUMBERED_TICKET_HEADING.exec(text);
  if (numbered) return { number: numbered[1]!, headTitle: numbered[2]!.trim() };
  const m = ID_HEADING.exec(text);
  if (!m) return null;
  const id = m[1]!;
  if (!TICKET_ID_ALONE.test(id) && !known.has(id.toUpperCase())) return null;
  return { id, headTitle: m[2]!.trim() };
}

// The first ticket id in a label's value: `VAP-1.1`, `[PHASE-1-A]`, `` `CMS-001` ``.
// Any id-like first word counts only after an explicit "Ticket ID" label.
function firstId(value: string, known: ReadonlySet<string>, loose: boolean): string | undefined {
  const cleaned = plain(value).replace(/[[\]]/g, " ");
  const m = cleaned.match(new RegExp(TICKET_ID_SOURCE));
  if (m) return m[0];
  const word = cleaned.trim().split(/[\s,;()]+/)[0] ?? "";
  if (known.has(word.toUpperCase()) || (loose && /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(word))) return word;
  return undefined;
}

/** `PHASE-2-A` sits in phase 2 (the engineering-architect's own id scheme). */
function phaseOfId(id: string | undefined): number | undefined {
  const m = id ? /^phase[-_]?(\d{1,4})\b/i.exec(id) : null;
  return m ? Number(m[1]) : undefined;
}

function finish(open: Open, spec: ParsedSpec): SpecTicket {
  const body = open.body.slice();
  while (body.length && /^\s*(-{3,}|\*{3,}|_{3,})?\s*$/.test(body[body.length - 1]!)) body.pop();
  let id = open.id;
  if (id === undefined) {
    id = `TICKET-${open.number ?? spec.tickets.length + 1}`;
    spec.items.push({ kind: "inferred", file: spec.file, line: open.start + 1, message: `ticket heading without a "Ticket ID"; called it ${id}` });
  }
  const title = open.labelTitle || open.headTitle || id;
  return { id, title, line: open.start + 1, phase: open.phase, body, paths: pathsOfTicket(body), dependsOn: dependenciesOf(body, id) };
}

/** Ticket ids named in a ticket's "Dependencies" / "Depends on" / "Blocked by" part. */
function dependenciesOf(body: readonly string[], self: string): string[] {
  const ids: string[] = [];
  let inside = false;
  for (const line of body) {
    const label = labelOf(line);
    if (label) inside = /^(depend|blocked by|requires|prerequisite)/i.test(label.label);
    if (!inside) continue;
    for (const m of plain(label ? label.rest : line).matchAll(TICKET_ID_ANYWHERE)) if (m[0] !== self && !ids.includes(m[0])) ids.push(m[0]);
  }
  return ids;
}

/** Markdown emphasis and code marks removed, spaces collapsed. */
export function plain(text: string): string {
  return text.replace(/\*\*|__|`/g, "").replace(/\s+/g, " ").trim();
}
