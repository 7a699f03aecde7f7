// Plain text for people: tables padded to their widest cell, ages, progress bars. Cells often
// hold what agents wrote (reasons, notes): control characters are shown escaped, never sent.
import { escapeControl } from "../lib/escape.ts";

/** Render rows under a header, two spaces between columns. */
export function table(header: string[], cells: string[][]): string {
  const rows = cells.map((r) => r.map(escapeControl));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join("  ").trimEnd();
  return [line(header), ...rows.map(line)].join("\n");
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
