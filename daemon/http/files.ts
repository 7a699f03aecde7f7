// What the page shows that the control channel does not carry, read from the files purpled
// itself writes under O/<plan>/ (SPEC §3): an agent's output or transcript, the plan's event
// history (events.jsonl, before the page's live stream began) and its validation results.
// Names are checked against the plan and id patterns, only regular files are read, and every
// read is capped, so a huge or odd file costs the daemon a bounded read.
import { closeSync, fstatSync, lstatSync, openSync, readdirSync, readSync } from "node:fs";
import { join } from "node:path";
import { ID_PATTERN, PLAN_NAME_PATTERN, PurpleError, ValidationResult, type LogChunk } from "../../protocol/index.ts";

/** Longest piece of a log one request returns. */
export const MAX_LOG_BYTES = 256 * 1024;
const MAX_EVENT_BYTES = 512 * 1024;
const MAX_VALIDATION_BYTES = 1024 * 1024;

/** Where one plan's files are; throws INVALID_PARAMS for a name that is no plan name. */
export function planDir(orchestration: string, plan: string): string {
  if (!PLAN_NAME_PATTERN.test(plan)) throw new PurpleError("INVALID_PARAMS", `'${plan.slice(0, 80)}' is not a plan name`);
  return join(orchestration, plan);
}

/** A piece of the agent's output.log (command runners) or transcript.jsonl (model runners) from byte `from`; the last MAX_LOG_BYTES when `from` is null. */
export function readAgentLog(dir: string, agent: string, from: number | null): LogChunk {
  if (!ID_PATTERN.test(agent)) throw new PurpleError("INVALID_PARAMS", `'${agent.slice(0, 80)}' is not an agent id`);
  const agentDir = join(dir, "agents", agent);
  for (const file of ["output.log", "transcript.jsonl"] as const) {
    const piece = readRange(join(agentDir, file), from, MAX_LOG_BYTES);
    if (!piece) continue;
    const whole = wholeChars(piece.bytes);
    return { file, size: piece.size, from: piece.from, next: piece.from + whole.length, text: whole.toString("utf8") };
  }
  return { file: null, size: 0, from: 0, next: 0, text: "" };
}

/** The last `limit` events of events.jsonl (unparseable lines skipped). */
export function readEventHistory(dir: string, limit: number): unknown[] {
  const piece = readRange(join(dir, "events.jsonl"), null, MAX_EVENT_BYTES);
  if (!piece) return [];
  const lines = piece.bytes.toString("utf8").split("\n");
  if (piece.from > 0) lines.shift(); // started mid-line
  const out: unknown[] = [];
  for (const line of lines.slice(-limit - 1)) {
    if (!line) continue;
    try { out.push(JSON.parse(line)); } catch {}
  }
  return out.slice(-limit);
}

/** A whole regular file as text, or null when it is absent, not a regular file, or over `max` bytes. */
export function readSmallFile(path: string, max: number): string | null {
  const piece = readRange(path, 0, max);
  return piece && piece.size <= max ? piece.bytes.toString("utf8") : null;
}

/** Every validation result of the plan: each wave's gate, then each contract. */
export function readValidation(dir: string): ValidationResult[] {
  const out: ValidationResult[] = [];
  for (const sub of [join(dir, "validation"), join(dir, "validation", "contracts")]) {
    let names: string[];
    try { names = readdirSync(sub).filter((n) => n.endsWith(".json")).sort(); } catch { continue; }
    for (const name of names) {
      const text = readSmallFile(join(sub, name), MAX_VALIDATION_BYTES);
      if (text === null) continue;
      try {
        const parsed = ValidationResult.safeParse(JSON.parse(text));
        if (parsed.success) out.push(parsed.data);
      } catch {}
    }
  }
  return out;
}

/** Bytes [from, from+max) of a regular file (the last `max` when from is null); null when it is absent or not a regular file. */
function readRange(path: string, from: number | null, max: number): { size: number; from: number; bytes: Buffer } | null {
  try {
    if (!lstatSync(path).isFile()) return null;
  } catch {
    return null;
  }
  let fd: number;
  try { fd = openSync(path, "r"); } catch { return null; }
  try {
    const size = fstatSync(fd).size;
    const start = from === null ? Math.max(0, size - max) : Math.min(Math.max(0, from), size);
    const length = Math.min(max, size - start);
    const buf = Buffer.alloc(length);
    let got = 0;
    while (got < length) {
      const n = readSync(fd, buf, got, length - got, start + got);
      if (n === 0) break;
      got += n;
    }
    return { size, from: start, bytes: buf.subarray(0, got) };
  } finally {
    closeSync(fd);
  }
}

/** The bytes up to the last whole UTF-8 character (a piece may end inside one; the rest comes next time). */
function wholeChars(bytes: Buffer): Buffer {
  const end = bytes.length;
  let back = 0;
  while (end - back > 0 && back < 3 && (bytes[end - back - 1]! & 0xc0) === 0x80) back++; // continuation bytes
  const lead = bytes[end - back - 1];
  if (lead === undefined || lead < 0xc0) return bytes; // ASCII last, or nothing to check
  const need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : 2;
  return back + 1 < need ? bytes.subarray(0, end - back - 1) : bytes;
}
