// Reading a feature folder's progress.json leniently: whatever phases and tickets it holds, with
// the line each sits on, and an intake item for every part that is not in the Purple schema.
import { ID_PATTERN } from "../../protocol/plan.ts";
import type { IntakeItem } from "./types.ts";

export const PROGRESS_FILE = "progress.json";

export interface ProgressTicketRef {
  /** the id as the plan uses it (see ticketIdOf) */
  id: string;
  /** the id exactly as progress.json writes it */
  raw: string;
  name: string;
  line: number;
}

export interface ProgressPhaseRef {
  number: number;
  name: string;
  line: number;
  tickets: ProgressTicketRef[];
}

export interface ReadProgress {
  feature?: string;
  /** null when the file is absent or holds no usable phases */
  phases: ProgressPhaseRef[] | null;
  items: IntakeItem[];
}

/** A progress.json id made usable as a plan ticket id: characters outside [A-Za-z0-9._-] become '-'. */
export function ticketIdOf(raw: string): string {
  if (ID_PATTERN.test(raw)) return raw;
  const cleaned = raw.replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^[^A-Za-z0-9]+/, "").slice(0, 128);
  return cleaned || "ticket";
}

/** The phases and tickets of a progress.json text (absent: undefined). Never throws. */
export function readProgress(text: string | undefined): ReadProgress {
  const out: ReadProgress = { phases: null, items: [] };
  if (text === undefined) return out;
  const item = (kind: IntakeItem["kind"], line: number, message: string): void => void out.items.push({ kind, file: PROGRESS_FILE, line, message });
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    item("not-understood", 1, `progress.json is not JSON (${(err as Error).message}); phases and tickets come from the spec alone`);
    return out;
  }
  if (!isObject(data)) {
    item("not-understood", 1, "progress.json is not a JSON object; it was ignored");
    return out;
  }
  if (typeof data.feature === "string") out.feature = data.feature;
  if (!Array.isArray(data.phases)) {
    item("not-understood", 1, 'progress.json has no "phases" array; phases come from the spec');
    return out;
  }
  const locate = locator(text);
  const phases: ProgressPhaseRef[] = [];
  const seenTickets = new Set<string>();
  const seenNumbers = new Set<number>();
  data.phases.forEach((p, i) => {
    if (!isObject(p)) return item("not-understood", 1, `phases[${i}] is not an object; it was skipped`);
    const name = typeof p.name === "string" && p.name.trim() ? p.name.trim() : undefined;
    const line = name ? locate("name", name) : 1;
    let number = typeof p.number === "number" && Number.isInteger(p.number) && p.number >= 0 ? p.number : i + 1;
    if (number !== p.number) item("ambiguous", line, `phases[${i}] has no integer "number"; took ${number} from its position`);
    if (seenNumbers.has(number)) {
      const next = Math.max(...seenNumbers) + 1;
      item("ambiguous", line, `phase number ${number} appears twice; the second is numbered ${next}`);
      number = next;
    }
    seenNumbers.add(number);
    const tickets: ProgressTicketRef[] = [];
    (Array.isArray(p.tickets) ? p.tickets : []).forEach((t, k) => {
      const raw = isObject(t) && (typeof t.id === "string" || typeof t.id === "number") ? String(t.id).trim() : "";
      if (!raw) return item("not-understood", line, `phases[${i}].tickets[${k}] has no "id"; it was skipped`);
      const tline = locate("id", raw);
      const id = ticketIdOf(raw);
      if (id !== raw) item("ambiguous", tline, `ticket id "${raw}" is not a plan id; it runs as "${id}"`);
      if (seenTickets.has(id)) return item("ambiguous", tline, `ticket "${raw}" is listed twice; the first one counts`);
      seenTickets.add(id);
      const tname = isObject(t) && typeof t.name === "string" && t.name.trim() ? t.name.trim() : raw;
      tickets.push({ id, raw, name: tname, line: tline });
    });
    if (!Array.isArray(p.tickets)) item("not-understood", line, `phase ${number} has no "tickets" array`);
    phases.push({ number, name: name ?? `Phase ${number}`, line, tickets });
  });
  if (phases.length === 0) item("ambiguous", 1, "progress.json lists no phases; phases come from the spec");
  else out.phases = phases;
  return out;
}

// The 1-based line of the first `"key": "value"` in the text (1 when not found).
function locator(text: string): (key: string, value: string) => number {
  return (key, value) => {
    const re = new RegExp(`"${key}"\\s*:\\s*${JSON.stringify(value).replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`);
    const m = re.exec(text);
    return m ? text.slice(0, m.index).split("\n").length : 1;
  };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
