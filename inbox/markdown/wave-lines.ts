// Waves drawn rather than headed: a diagram in a code block ("Wave 1 ─┬─ Stream 1 (core)" with
// "└─ Stream 2" below it) or one sentence naming several ("Wave 1: WP1. Wave 2: WP2 and WP3.").
// Used only when a file names no wave any other way; each agent a line names joins the wave
// named last at or above it. Also the agents a wave's own opening line names ("- Wave 1: a, b").
import { refsIn } from "./collect.ts";
import { plain } from "./inline.ts";
import type { AgentRef } from "./vocab.ts";

/** "Wave 1: WP1 and WP2 in parallel. Wave 2: WP3.": the clauses of a line that names several waves, each from its "Wave N". */
export function waveClauses(text: string): string[] {
  const starts = [...text.matchAll(/\bwave\s*[-#]?\s*\d{1,3}\s*[:\-–—→]/gi)].map((m) => m.index!);
  return starts.map((at, k) => text.slice(at, starts[k + 1] ?? text.length));
}

/** The agents each line of a drawing (or each clause) places, with the wave and the line's offset. */
export function diagramMembers(lines: readonly string[]): { ref: AgentRef; wave: number; offset: number }[] {
  const out: { ref: AgentRef; wave: number; offset: number }[] = [];
  let wave: number | null = null;
  lines.forEach((l, offset) => {
    const n = /^\W*wave\s*[-#]?\s*(\d{1,3})\b/i.exec(l);
    if (n) wave = Number(n[1]);
    // A line that neither names a wave nor continues a drawing (tree characters) ends the wave.
    else if (/^\s*\S/.test(l) && !/^[\s│├└─┬┼|`+\\*•·>-]/u.test(l)) wave = null;
    if (wave === null) return;
    for (const ref of refsIn(n ? l.slice(n[0].length) : l)) out.push({ ref, wave, offset });
  });
  return out;
}

/** The agents a wave's opening line names, in the order written (ids the outline found among them). */
export function lineRefs(text: string, members: readonly string[]): AgentRef[] {
  // "Round 1: Task 1, Task 2": units of work whose headings name their agents ("Task 1 (agent: x)").
  const refs = [...refsIn(text), ...[...plain(text).matchAll(/\btasks?\s*#?\s*(\d{1,3})\b/gi)].map((m): AgentRef => ({ number: m[1]!, noun: "task" }))];
  const ids = new Set(refs.map((r) => r.id));
  const all = [...refs, ...members.filter((id) => !ids.has(id)).map((id): AgentRef => ({ id }))];
  const at = (r: AgentRef): number => (r.id !== undefined && text.includes(r.id) ? text.indexOf(r.id) : Infinity);
  return members.length ? all.sort((a, b) => at(a) - at(b)) : all;
}
