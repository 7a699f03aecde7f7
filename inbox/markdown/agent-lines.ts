// Lines that name an agent and say something about it in one go: `**infra-agent** → \`docker/\``,
// `**Agent 1: Name** (\`id\`)`, `1. **ui-agent**: text`, `- \`api-agent\`: paths`.
import { plain } from "./inline.ts";
import { asPath } from "./paths.ts";
import { agentHeading, annotatedAgent, type AgentRef, type LabelKind } from "./vocab.ts";

/** "`src/api/` and `src/db/`", "docker/ (all of it)": true for a line that starts by naming a path. */
export function startsWithPath(text: string): boolean {
  const first = plain(text).split(/[\s,;]+/)[0] ?? "";
  return asPath(first, true) !== null;
}

/** The agent a line opens with and the rest of the line, or null (list items may also name a bare `x-agent` id). */
export function boldAgentLine(text: string, isItem: boolean): { ref: AgentRef; rest: string; byShape?: boolean; arrow?: boolean } | null {
  const noted = isItem ? annotatedAgent(text) : null;
  if (noted) return { ref: noted, rest: "" };
  const shaped = isItem ? shapedAgentLine(text) : null;
  if (shaped) return shaped;
  const arrow = arrowAgentLine(text);
  if (arrow) return arrow;
  const bold = /^\s*(?:\d+[.)]\s*)?\*\*([^*]+)\*\*\s*(.*)$/.exec(text);
  const plainId = !bold && isItem ? /^\s*(`?)([a-z0-9][a-z0-9_-]*-agent)\1\s*((?:→|->|:|—|–)\s*.*)$/.exec(text) : null;
  if (!bold && !plainId) return null;
  const [name, tail] = bold ? [bold[1]!, bold[2]!] : [plainId![2]!, plainId![3]!];
  const tick = /^\(`([^`]+)`\)\s*/.exec(tail);
  const ref = bold ? agentHeading(name + (tick ? ` (\`${tick[1]}\`)` : "")) : { id: name };
  if (!ref || (!ref.id && !ref.name)) return null;
  const after = tick ? tail.slice(tick[0].length) : tail;
  if (after === "" || /^\(/.test(after)) return { ref, rest: "" };
  const sep = /^(?:→|->|:|—|–|-)\s*/.exec(after);
  return sep ? { ref, rest: after.slice(sep[0].length).trim() } : null;
}

// Lines whose shape, not their vocabulary, says they define an agent (list items only):
//   "- **args-parser** — owns `cli/args.py`": a bold kebab-case id, then what it owns or writes;
//   "- [ ] @chunker-bot [wave 1]: create `upload/chunker.go`": an @-handle opening the item.
const KEBAB = /^[a-z][a-z0-9]*(?:[-_][a-z0-9]+)+$/;
const OWNING = /^(?:owns?|writes?|creates?|builds?|adds?|updates?|modif(?:y|ies)|edits?|implements?)\b/i;

function shapedAgentLine(text: string): { ref: AgentRef; rest: string; byShape: true } | null {
  const named = namedAgentItem(text);
  if (named) return named;
  const handle = /^\s*@([a-z0-9][a-z0-9_-]{1,60})\b\s*(?:\[[^\]]*\]|\([^)]*\))?\s*(?::|—|–|->|→)\s*(.+)$/i.exec(text);
  if (handle) return { ref: { id: handle[1]!.toLowerCase() }, rest: handle[2]!.trim(), byShape: true };
  const bold = /^\s*\*\*`?([^*`]+)`?\*\*\s*(?::|—|–|->|→|-)\s*(.+)$/.exec(text);
  if (bold && KEBAB.test(bold[1]!.trim()) && !/-agent$/.test(bold[1]!.trim()) && OWNING.test(bold[2]!.trim())) return { ref: { id: bold[1]!.trim() }, rest: bold[2]!.trim(), byShape: true };
  return null;
}

// "tokens  -> styles/tokens.css, styles/dark.css": a bare lowercase name, an arrow, then the paths
// it writes (or what it does to them). The arrow and a path or writing verb after it are the shape.
function arrowAgentLine(text: string): { ref: AgentRef; rest: string; arrow: true } | null {
  const m = /^\s*`?([a-z][a-z0-9]*(?:[-_][a-z0-9]+)*)`?\s*(?:->|→|=>)\s*(.+)$/.exec(text);
  if (!m || m[1]!.length < 3) return null;
  // Paths written bare in the line ("fix contrast in src/a.svelte") are read as if ticked.
  const rest = m[2]!.trim().replace(/(^|\s)([\w.+@-]+(?:\/[\w.+@*-]+)+\/?)(?=[\s,;.]*(?:\s|$))/g, (all, pre: string, p: string) => (asPath(p, true) ? `${pre}\`${p.replace(/[.,;]+$/, "")}\`` : all));
  return startsWithPath(rest) || OWNING.test(rest) || /^(?:fix(?:es)?|rewrites?|refactors?|deletes?|removes?|moves?)\b/i.test(rest) ? { ref: { id: m[1]! }, rest, arrow: true } : null;
}

// "1. Backend agent — creates `src/api/x.go`": a short name ending in "agent", a dash or colon,
// then a writing verb: the item defines that agent and says what it writes.
export function namedAgentItem(text: string): { ref: AgentRef; rest: string; byShape: true } | null {
  const m = /^\s*((?:[A-Za-z][\w/+.-]*\s+){1,3}agent)\s*(?:—|–|:|->|→|-)\s*(.+)$/i.exec(plain(text));
  if (!m || !OWNING.test(m[2]!.trim())) return null;
  const ref = agentHeading(m[1]!);
  if (!ref || (!ref.id && !ref.name)) return null;
  // keep the original text's code spans: the rest is read for paths
  const dash = /(?:—|–|:|->|→|\s-\s)/.exec(text.slice(text.toLowerCase().indexOf("agent")));
  const rest = dash ? text.slice(text.toLowerCase().indexOf("agent") + dash.index + dash[0].length).trim() : m[2]!;
  return { ref, rest, byShape: true };
}

// "- **transformer**" alone on an item under an "## Agents" heading: the item opens that agent's
// part of the list; its nested items say what it writes and reads.
export function nameItem(text: string, label: LabelKind | null, bare = false): { ref: AgentRef; rest: string; byShape?: boolean; arrow?: boolean } | null {
  if (label !== "agents") return null;
  const m = (bare ? /^\s*(?:\*\*|__)?`?([a-z][a-z0-9]*(?:[-_][a-z0-9]+)*)`?(?:\*\*|__)?\s*:?\s*$/ : /^\s*(?:\*\*|__)`?([a-z][a-z0-9]*(?:[-_][a-z0-9]+)*)`?(?:\*\*|__)\s*:?\s*$/).exec(text);
  return m && m[1]!.length >= 3 ? { ref: { id: m[1]! }, rest: "" } : null;
}

// "**Ava (backend)**" alone on its line inside a wave: a person-like handle with its role in
// parentheses names one worker of the wave (crews whose agents carry personas). The handle is the id.
export function personAgentLine(text: string): { ref: AgentRef; rest: string; byShape?: boolean; arrow?: boolean } | null {
  const m = /^\s*\*\*\s*([A-Z][a-z]{1,20}(?:[- ][A-Z][a-z]{1,20})?)\s*(?:\(([a-z][\w /&.-]{1,40})\))?\s*\*\*\s*(?:\(([a-z][\w /&.-]{1,40})\))?\s*:?\s*$/.exec(text);
  if (!m || (m[2] === undefined && m[3] === undefined)) return null;
  const role = m[2] ?? m[3]!;
  return { ref: { id: m[1]!.toLowerCase().replace(/\s+/g, "-"), name: `${m[1]} (${role})` }, rest: "" };
}

// "**Agent:** `researcher`" straight under a wave (no agent's section around it): the line names
// the one agent whose section follows. Inside an agent's section the same line is that agent's id.
export function agentLabelLine(text: string): { ref: AgentRef; rest: string; byShape?: boolean; arrow?: boolean } | null {
  const m = /^\s*\*\*agent\s*:?\*\*\s*:?\s*`?@?([a-z][a-z0-9_-]{1,40})`?\s*$/i.exec(text);
  if (!m || /^(?:orchestrator|coordinator|lead|all|none)$/i.test(m[1]!)) return null;
  return { ref: { id: m[1]!.toLowerCase() }, rest: "" };
}
