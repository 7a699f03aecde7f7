// Agents declared in a plan's YAML front matter ("---\nagents:\n  - name: x\n    sprint: 1\n
// owns: [..]\n---"): each becomes an agent section of its own, read like a brief, with its wave and
// the paths the front matter gives it to write. Keys that say reading (reads, read_only …) give none.
import YAML from "yaml";
import type { Block } from "./blocks.ts";

const WAVE_KEY = /^(?:wave|phase|stage|sprint|batch|round|group|step)$/i;
const OWN_KEY = /^(?:owns?|owned|files?|paths?|territory|writes?|creates?|modifies|edits?|touches|outputs?)$/i;
const NAME_KEY = /^(?:id|name|agent)$/i;

/** The agent sections a file's front matter declares, as blocks whose lines point into the front matter; [] when there are none. */
export function frontMatterAgents(text: string): Block[][] {
  const m = /^---[ \t]*\r?\n([\s\S]{0,100000}?)\r?\n---[ \t]*(?:\r?\n|$)/.exec(text);
  if (!m) return [];
  let data: unknown;
  try {
    data = YAML.parse(m[1]!);
  } catch {
    return [];
  }
  const list = (data as { agents?: unknown } | null)?.agents;
  const entries: [string | undefined, Record<string, unknown>][] = Array.isArray(list)
    ? list.filter(isRecord).map((a) => [undefined, a])
    : isRecord(list)
      ? Object.entries(list).filter((e): e is [string, Record<string, unknown>] => isRecord(e[1]))
      : [];
  const lines = m[1]!.split(/\r?\n/);
  const lineOf = (needle: string, from: number): number => {
    const k = lines.findIndex((l, i) => i >= from && l.includes(needle));
    return k >= 0 ? k + 2 : from + 2; // +1 for 1-based, +1 for the opening ---
  };
  const out: Block[][] = [];
  let cursor = 0;
  for (const [key, agent] of entries) {
    const nameKey = Object.keys(agent).find((k) => NAME_KEY.test(k));
    const name = key ?? (nameKey ? String(agent[nameKey]) : "");
    if (!/^[\w .-]{1,80}$/.test(name)) continue;
    const at = lineOf(name, cursor);
    cursor = at - 1;
    const blocks: Block[] = [{ kind: "heading", level: 1, line: at, text: `Agent: ${name}` }];
    for (const [k, v] of Object.entries(agent)) {
      if (WAVE_KEY.test(k) && (typeof v === "number" || typeof v === "string")) blocks.push({ kind: "item", line: lineOf(k, cursor), indent: 0, ordered: false, checkbox: false, text: `**Wave**: ${v}` });
      if (!OWN_KEY.test(k)) continue;
      const paths = (Array.isArray(v) ? v : [v]).filter((p): p is string => typeof p === "string");
      if (paths.length === 0) continue;
      blocks.push({ kind: "item", line: lineOf(k, cursor), indent: 0, ordered: false, checkbox: false, text: "**Owns**:" });
      for (const p of paths) blocks.push({ kind: "item", line: lineOf(p, cursor), indent: 2, ordered: false, checkbox: false, text: `\`${p.replace(/`/g, "")}\`` });
    }
    out.push(blocks);
  }
  return out;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
