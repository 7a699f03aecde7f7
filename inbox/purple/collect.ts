// One list of phases with their tickets from a feature folder's two sources: progress.json decides
// the phases when it has any (else the spec's phase headings do); the spec gives each ticket its
// title, section text, paths and dependencies. A ticket found in only one source is kept, with an item.
import type { ParsedSpec, SpecTicket } from "./spec-parse.ts";
import { PROGRESS_FILE, type ReadProgress } from "./progress-read.ts";
import type { IntakeItem } from "./types.ts";

/** A ticket's section text is capped at this many characters in its description. */
export const DESCRIPTION_CAP = 6000;

export interface CollectedTicket {
  id: string;
  title: string;
  description?: string;
  /** where it is defined: the spec (else progress.json) and its 1-based line there */
  file: string;
  line: number;
  paths: string[];
  dependsOn: string[];
}

export interface CollectedPhase {
  number: number;
  name: string;
  file: string;
  line: number;
  tickets: CollectedTicket[];
}

/** The folder's phases, in order, each with its tickets. Items are appended to `items`. */
export function collectPhases(specs: readonly ParsedSpec[], progress: ReadProgress, items: IntakeItem[]): CollectedPhase[] {
  const specTickets = uniqueSpecTickets(specs, items);
  const byId = new Map(specTickets.map((t) => [t.ticket.id.toUpperCase(), t] as const));
  if (progress.phases) {
    const used = new Set<string>();
    const phases: CollectedPhase[] = progress.phases.map((p) => ({
      number: p.number,
      name: p.name,
      file: PROGRESS_FILE,
      line: p.line,
      tickets: p.tickets.map((t) => {
        const found = byId.get(t.id.toUpperCase()) ?? byId.get(t.raw.toUpperCase());
        if (found) {
          used.add(found.ticket.id.toUpperCase());
          return { ...fromSpec(found.ticket, found.file), id: t.id };
        }
        if (specs.length > 0)
          items.push({ kind: "ambiguous", file: PROGRESS_FILE, line: t.line, message: `ticket ${t.id} ("${t.name}") is in progress.json but not in the spec; kept with its name only, and no files` });
        return { id: t.id, title: t.name, file: PROGRESS_FILE, line: t.line, paths: [], dependsOn: [] };
      }),
    }));
    for (const { ticket, file } of specTickets) {
      if (used.has(ticket.id.toUpperCase())) continue;
      const specPhase = specs.flatMap((s) => s.phases).find((p) => p.number === ticket.phase);
      const target =
        phases.find((p) => p.number === ticket.phase) ??
        phases.find((p) => specPhase !== undefined && p.name.toLowerCase() === specPhase.name.toLowerCase()) ??
        phases[phases.length - 1]!;
      target.tickets.push(fromSpec(ticket, file));
      items.push({ kind: "inferred", file, line: ticket.line, message: `ticket ${ticket.id} is in the spec but not in progress.json; added to phase ${target.number} ("${target.name}")` });
    }
    return phases;
  }
  return phasesFromSpecs(specs, specTickets, items);
}

// Without progress.json: the spec's phase headings (by number), every ticket under its phase.
function phasesFromSpecs(specs: readonly ParsedSpec[], specTickets: readonly Located[], items: IntakeItem[]): CollectedPhase[] {
  const phases = new Map<number, CollectedPhase>();
  for (const spec of specs)
    for (const p of spec.phases)
      if (!phases.has(p.number)) phases.set(p.number, { number: p.number, name: p.name, file: spec.file, line: p.line, tickets: [] });
  for (const { ticket, file } of specTickets) {
    if (ticket.phase !== undefined && !phases.has(ticket.phase)) {
      phases.set(ticket.phase, { number: ticket.phase, name: `Phase ${ticket.phase}`, file, line: ticket.line, tickets: [] });
      items.push({ kind: "inferred", file, line: ticket.line, message: `no heading for phase ${ticket.phase}; its id puts ticket ${ticket.id} there` });
    }
  }
  const ordered = [...phases.values()].sort((a, b) => a.number - b.number);
  for (const { ticket, file } of specTickets) {
    let phase = ticket.phase === undefined ? undefined : phases.get(ticket.phase);
    if (!phase) {
      if (ordered.length === 0) ordered.push({ number: 1, name: "Implementation", file, line: ticket.line, tickets: [] });
      phase = ordered[ordered.length - 1]!;
      items.push({ kind: "inferred", file, line: ticket.line, message: `ticket ${ticket.id} is under no phase heading; it runs in the last phase, ${phase.number} ("${phase.name}")` });
    }
    phase.tickets.push(fromSpec(ticket, file));
  }
  return ordered;
}

interface Located {
  ticket: SpecTicket;
  file: string;
}

// Spec tickets in document order, one per id: a ticket written twice keeps its longer section.
function uniqueSpecTickets(specs: readonly ParsedSpec[], items: IntakeItem[]): Located[] {
  const out: Located[] = [];
  const at = new Map<string, number>();
  for (const spec of specs)
    for (const ticket of spec.tickets) {
      const key = ticket.id.toUpperCase();
      const i = at.get(key);
      if (i === undefined) {
        at.set(key, out.length);
        out.push({ ticket, file: spec.file });
        continue;
      }
      const first = out[i]!;
      const longer = ticket.body.join("\n").length > first.ticket.body.join("\n").length;
      items.push({
        kind: "ambiguous",
        file: spec.file,
        line: ticket.line,
        message: `ticket ${ticket.id} is written twice (also at ${first.file}:${first.ticket.line}); kept the ${longer ? "second" : "first"}, longer section`,
      });
      if (longer) out[i] = { ticket: { ...ticket, phase: ticket.phase ?? first.ticket.phase }, file: spec.file };
    }
  return out;
}

function fromSpec(t: SpecTicket, file: string): CollectedTicket {
  return { id: t.id, title: t.title, description: describe(t.body), file, line: t.line, paths: t.paths, dependsOn: t.dependsOn };
}

/** A ticket's section as its description: trimmed, capped at DESCRIPTION_CAP characters. */
function describe(body: readonly string[]): string | undefined {
  const text = body.join("\n").trim();
  if (!text) return undefined;
  return text.length <= DESCRIPTION_CAP ? text : `${text.slice(0, DESCRIPTION_CAP).trimEnd()}\n… (cut; the full ticket is in the spec)`;
}
