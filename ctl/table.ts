// Plain text for people: tables padded to their widest cell and cut to the terminal's width,
// ages, progress bars. Cells often hold what agents wrote (reasons, notes): control characters
// are shown escaped, never sent.
import { isatty } from "node:tty";
import { escapeControl } from "../lib/escape.ts";

export interface Fit {
  /** the width to fit in (Infinity: never cut) */
  width: number;
  /** columns that may be shortened, in the order they give way; the others keep their width */
  shrink: number[];
}

const GAP = 2;
/** A shortened column keeps at least this many characters. */
const MIN_CELL = 10;

/** Render rows under a header, two spaces between columns; with `fit`, no line is wider than fit.width. */
export function table(header: string[], cells: string[][], fit?: Fit): string {
  const rows = cells.map((r) => r.map(escapeControl));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  if (fit) shrinkTo(widths, header, fit);
  const cell = (c: string, i: number) => cut(c, widths[i]!);
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? cell(c, i) : cell(c, i).padEnd(widths[i]!))).join(" ".repeat(GAP)).trimEnd();
  return [line(header), ...rows.map(line)].join("\n");
}

// Take the excess from the shrinkable columns in turn, each down to MIN_CELL (or its header).
function shrinkTo(widths: number[], header: string[], fit: Fit): void {
  let excess = widths.reduce((a, b) => a + b, 0) + GAP * (widths.length - 1) - fit.width;
  for (const i of fit.shrink) {
    if (excess <= 0) return;
    const floor = Math.max(MIN_CELL, header[i]!.length);
    const give = Math.min(excess, Math.max(0, widths[i]! - floor));
    widths[i]! -= give;
    excess -= give;
  }
}

/** `text` in at most `width` characters, an ellipsis marking what was cut. */
export const cut = (text: string, width: number): string => (text.length <= width ? text : `${text.slice(0, Math.max(0, width - 1))}…`);

/** How wide the output may be: --wide never cuts; else the terminal's width, $COLUMNS, or 100. */
export function outputWidth(wide: boolean, env: Record<string, string | undefined> = process.env): number {
  if (wide) return Infinity;
  // process.stdout only on a terminal: touching it costs a compiled purplectl ~10 ms.
  const columns = isatty(1) ? process.stdout.columns : 0;
  if (columns > 0) return columns;
  const fromEnv = Number.parseInt(env.COLUMNS ?? "", 10);
  return fromEnv > 0 ? fromEnv : 100;
}

/** "3m 12s ago"-style age of an ISO time. */
export function age(iso: string | null, now = Date.now()): string {
  if (!iso) return "-";
  return `${duration(now - Date.parse(iso))} ago`;
}

/** "45s", "3m 12s", "2h 5m". */
export function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
}

/** A fixed-width bar `[#####-----]` for done out of total. */
export function bar(done: number, total: number, width = 20): string {
  const filled = total > 0 ? Math.min(width, Math.round((done / total) * width)) : 0;
  return `[${"#".repeat(filled)}${"-".repeat(width - filled)}]`;
}

/** US dollars with cents, or "-" for nothing spent. */
export const money = (usd: number): string => (usd > 0 ? `$${usd.toFixed(2)}` : "-");
