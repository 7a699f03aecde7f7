// The words plan authors use: what a label or heading announces (a territory, deliverables, tasks,
// a gate, the agents of a wave …) and what marks a heading as a wave, a phase or an agent.
import { plain, slugify, withoutTrailingParens } from "./inline.ts";

export type LabelKind =
  | "territory" // the paths an agent owns: Territory, Files, Owns, Files Created/Modified …
  | "deliverables" // things an agent produces; paths among them are territory too
  | "tasks" // work items → tickets
  | "readonly" // paths an agent reads but must not write
  | "gate" // checks of a wave: Synchronization Gate, Validation, Quality Gates …
  | "tests" // Tests, Testing: their commands are checks, their prose is not
  | "agents" // the agents of a wave
  | "wave" // the wave of an agent
  | "id" // an agent's own id
  | "role"
  | "deps"
  | "goal"
  | "max"
  | "other";

/** What a label (`**Territory**:`) or a heading ("Territory (Read/Write)") announces. */
export function classifyLabel(label: string): LabelKind {
  // "Stage 1 checks", "Batch B gate": a numbered step's name before the word that says what follows.
  const l = plain(label).toLowerCase().replace(/^(?:wave|phase|stage|sprint|batch|round|group|step)\s*#?\s*(?:\d{1,3}|[a-h])\s+(?=(?:checks?|gates?|tests?|verification|validation)$)/, "");
  if (/^(?:agent\s*)?id$|^agent id\b|^owner$|^agent name$|^assignee$|^assigned to$/.test(l)) return "id";
  if (/^context$|^background reading$/.test(l)) return "readonly";
  if (/\bmax(?:imum)?\b.*\bagents?\b|\bmax(?:imum)? (?:concurrent|parallel)|^concurrency/.test(l)) return "max";
  if (/read[- ]?only|out of scope|not in scope|outside (?:the )?scope|\breads\b|reviewed|\breference\b|consum|\bimports?\b|\bcalls\b|\binputs?\b|restrictions|must not|forbidden|off[- ]limits|do not (?:modify|touch|edit|change)|never (?:modify|touch|edit)|not (?:allowed|owned)/.test(l) || /^(?:liest|lesen|nur lesen|lesezugriff|nicht (?:anfassen|ändern|bearbeiten)|tabu|lee|lectura|solo lectura|no (?:tocar|modificar)|lit|lecture seule|ne pas (?:toucher|modifier))\b/.test(l)) return "readonly";
  if (/^(?:agents?|participants?|parallelism|team|assigned agents?|agents? (?:&|and) territories)\b/.test(l)) return "agents";
  if (/^wave(?: assignment| number)?$|^execution wave$|^timeline$|^schedule$/.test(l)) return "wave";
  if (/depend|prerequisite|requires|blocked by|^after$/.test(l)) return "deps";
  if (/rollback|failure|recover|revert|risk|mitigation/.test(l)) return "other";
  if (/\bgates?\b|validation|verif|synchroni[sz]|quality|exit criteria|acceptance|checkpoint|^checks?$|^criteria$|smoke test|definition of done|^done when|complete when|^review$/.test(l) || /^(?:abnahme|prüfung|prüfungen|qualitätstor|verificación|verificacion|validación|validacion|criterios? de aceptación|puerta|vérification|critères d'acceptation)\b/.test(l)) return "gate";
  if (/integration tests?$|^(?:unit |e2e |end-to-end |automated )?tests?$|^testing$|^test (?:plan|commands|suite)$|^how to (?:test|verify)/.test(l)) return "tests";
  if (
    /territor|\bowns?\b|owned|ownership|exclusive|write access|read\s*\/\s*write|^touches$|^writes?$|^edits$|allowed (?:paths|files)|can (?:modify|edit|write|touch|change)|may (?:modify|edit|write|touch|change)/.test(l) ||
    /^files?\b(?! structure| tree| layout| organi[sz]ation| naming| format)|\bfiles? (?:owned|created|modified|touched|changed|to (?:create|modify|edit|change))|(?:new|shared|created|modified|changed|output|target) files?\b/.test(l) ||
    /^focus(?: areas?)?$|^created?\b|^creates\b|^modif(?:y|ies|ied)\b|^changes$|^director(?:y|ies)$|director(?:y|ies) (?:owned|assignments?|ownership)|^(?:write )?paths?$|^(?:write |file )?scope$/.test(l)
  )
    return "territory";
  // Plans written in German, Spanish or French: "Dateien", "Archivos", "Fichiers", "Besitzt", "Erstellt".
  if (/^(?:dateien|datei|verzeichnisse|besitzt|gehört|erstellt|ändert|archivos?|directorios|posee|crea|modifica|fichiers?|possède|crée|modifie)\b/.test(l)) return "territory";
  if (/deliverables?|outputs?|artifacts?|produces|^creates?$|^(?:ergebnis(?:se)?|liefergegenstände|entregables?|livrables?)$/.test(l)) return "deliverables";
  if (/^(?:\w+ )?tasks?\b|responsibilit|work items|^aufgaben?$|^tareas?$|^tâches?$|^steps$|^todo|^to do|^implementation( steps| plan)?$|^actions$/.test(l)) return "tasks";
  if (/^(?:agent )?role$|^primary (?:goal|responsibility)$|^mission$|^purpose$|^specialization$|^objective$/.test(l)) return "role";
  if (/^(?:feature |project |overall )?goal$|^objective$|^summary$/.test(l)) return "goal";
  return "other";
}

/** A heading or bold line that opens a wave: "Wave 1: Foundation", "**Wave 0**", "Wave 2 - Build (3 agents)". */
export interface WaveHeading {
  number: number;
  title: string;
  /** "Wave 1: Title" (a separator after the number) rather than "Wave 1 Gate" */
  separated: boolean;
}

const WAVE = /^(?:\d+(?:\.\d+)*[.)]?\s+|\d+[.)]\s*)?wave\s*[-#]?\s*(\d{1,3})\b(.*)$/i;

const NUMBER_WORDS: Record<string, number> = { zero: 0, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10 };

/** The wave a heading text names at its start, or null. */
export function waveHeading(text: string): WaveHeading | null {
  const t = plain(text).replace(/^((?:\d+(?:\.\d+)*[.)]?\s+)?wave\s+)(zero|one|two|three|four|five|six|seven|eight|nine|ten)\b/i, (_, head: string, w: string) => head + NUMBER_WORDS[w.toLowerCase()]);
  const m = WAVE.exec(t);
  if (!m) return null;
  let rest = m[2]!.trim();
  const separated = /^[:.\-–—)\]]/.test(rest);
  rest = rest.replace(/^[:.\-–—)\]]+\s*/, "");
  return { number: Number(m[1]), title: withoutTrailingParens(rest).replace(/[:\s]+$/, ""), separated };
}

/** "Phase 2: Backend", "Stage 1", "Sprint 3 - API": the grouping a plan without waves runs in order. */
export function stageHeading(text: string): WaveHeading | null {
  // "Phase A — parsing": a lettered stage is its place in the alphabet.
  const m = /^(?:\d+(?:\.\d+)*[.)]?\s+)?(?:phase|stage|step|sprint|iteration|round|batch|milestone|fase|etapa|stufe|schritt|meilenstein|étape|jalon)\s*[-#]?\s*(\d{1,3}|[A-H](?=\s*(?:[:.\-–—)]|$)))\b(.*)$/i.exec(plain(text));
  if (!m) return null;
  if (/^[a-h]$/.test(m[1]!)) return null; // "Step a": a lowercase letter is a list marker, not a stage
  if (/^[A-H]$/.test(m[1]!)) m[1] = String(m[1]!.charCodeAt(0) - 64);
  const rest = m[2]!.trim();
  const separated = /^[:.\-–—)\]]/.test(rest);
  return { number: Number(m[1]), title: withoutTrailingParens(rest.replace(/^[:.\-–—)\]]+\s*/, "")).replace(/[:\s]+$/, ""), separated };
}

/** The first "Wave N" number anywhere in a text ("Gate 2 (After Wave 2)", "Wave 0 → Wave 1 Gate"). */
export function waveNumberIn(text: string): number | null {
  const m = /\bwave\s*[-#]?\s*(\d{1,3})\b/i.exec(plain(text));
  return m ? Number(m[1]) : null;
}

/** "Phase 2: Backend", "Stage 1", "Milestone 3": a grouping above waves. */
export function phaseHeading(text: string): number | null {
  const m = /^(?:\d+(?:\.\d+)*[.)]?\s+)?(?:phase|stage|milestone|part|sprint|iteration)\s*[-#]?\s*(\d{1,3})\b/i.exec(plain(text));
  return m ? Number(m[1]) : null;
}

/** True when a heading or label talks about "after each wave" / "every wave": its checks apply to all. */
export function meansEveryWave(text: string): boolean {
  return /\b(?:after|at the end of|end of|before|on|for)\s+(?:each|every)\s+(?:wave|phase|stage|round|step|sprint|milestone|batch|group)\b|\bbetween\s+(?:the\s+)?(?:waves|phases|stages|rounds|batches|groups)\b|\b(?:each|every|all)\s+waves?\s+(?:gates?|must|completion)\b|\bper[- ](?:wave|phase|stage|round|batch|group|sprint|step)\b/i.test(plain(text));
}

/** A mention of an agent as written: an explicit id, a human name, a number ("Agent 3"). */
export interface AgentRef {
  id?: string;
  name?: string;
  /** "Agent 3": part of the agent's name */
  number?: string;
  /** what the plan calls it when not "agent": team, track, lane, stream … (part of its id) */
  noun?: string;
  /** a roster row's "#": finds the agent when the plan says "Agent 3", but is not part of its name */
  ordinal?: string;
}

// What plans call one worker of a wave: an agent, or a team, track, lane, stream, squad, crew or mission.
const AGENT_NOUN = "agent|team|track|lane|stream|squad|crew|mission|workstream|work package|wp|pod|sub-?agent";
// "Agent 3", "Agent 1-A", "Lane B:", and codes written after the noun: "Mission M1", "Pod P2".
const AGENT_NUMBERED = new RegExp(`^(${AGENT_NOUN})\\s*#?\\s*(\\d{1,3}(?:[-.](?:\\d{1,3}|[a-z])|[a-z])?|[A-Z]{1,3}\\d{1,3}(?=\\s*[:.\\-–—(]|\\s*$)|[A-Z](?=\\s*[:.\\-–—(]))\\b\\s*(?:[:.\\-–—]\\s*)?(.*)$`, "i");
const KEBAB_ID = /^[a-z0-9]+(?:[-_][a-z0-9]+)+$/;

/** The agent a heading or bold line defines ("Agent 1: Name (`id`)", "Agent: infra-agent", "config-agent Tasks"), or null. */
export function agentHeading(text: string): AgentRef | null {
  const raw = text.trim();
  const noted = annotatedAgent(raw);
  if (noted) return noted;
  const ticked = /`([a-z0-9][a-z0-9._-]*)`/i.exec(raw)?.[1] ?? /\(([a-z0-9]+(?:-[a-z0-9]+)+)\)\s*(?:\*\*)?\s*$/.exec(raw)?.[1];
  let t = plain(raw)
    .replace(/^(?:\d{1,3}(?:\.\d{1,3})*[.)]?|[A-Z][.)])\s+/, "")
    .replace(/\s*\((?:continues?|continued|cont\.?)\)\s*$/i, "");
  if (/^(?:all|every|each|the|other|remaining|sub)[- ]agents?\b|orchestrator|coordinator \(you\)/i.test(t)) return null;
  const numbered = AGENT_NUMBERED.exec(t);
  if (numbered) {
    const noun = numbered[1]!.toLowerCase().replace(/\s+/g, "-");
    const number = numbered[2]!.toLowerCase().replace(/\./g, "-");
    const nounOf = noun === "agent" ? {} : { noun };
    // "Agent A (Core Infrastructure Specialist)": the name in parentheses.
    const rest = withoutTrailingParens(numbered[3]!.trim().replace(/^\(([^()]{3,60})\)$/, "$1")).replace(/[:\s]+$/, "");
    if (rest === "" && !ticked) return new RegExp(`^(?:${AGENT_NOUN})\\s*#?\\s*\\d`, "i").test(t) ? { number, ...nounOf } : null;
    const restId = KEBAB_ID.test(rest) && rest === rest.toLowerCase() ? rest : undefined;
    const name = restId ? undefined : rest.replace(/`/g, "");
    if (name !== undefined && /^(?:tasks?|responsibilities|deliverables|territory|files|status)$/i.test(name)) return { number, ...nounOf };
    // "Team 1 Success", "Track A Completion": an aside about the worker, not the worker.
    if (noun !== "agent" && name !== undefined && /^(?:success|completion|complete|status|progress|results?|summary|gate|validation)\b/i.test(name)) return null;
    const id = ticked && KEBAB_ID.test(ticked) ? ticked : restId;
    return { ...(id ? { id } : {}), ...(name ? { name } : {}), number, ...nounOf };
  }
  const colon = /^(?:agent|sub-?agent|worker)\s*:\s*(.+)$/i.exec(t);
  if (colon) {
    const rest = withoutTrailingParens(colon[1]!).trim();
    if (/orchestrator|^all\b/i.test(rest)) return null;
    return KEBAB_ID.test(rest) ? { id: rest } : { name: rest };
  }
  t = withoutTrailingParens(t);
  const first = t.split(/\s+/)[0] ?? "";
  if (/^[a-z0-9][a-z0-9_-]*-agent$/.test(first) && /^(?:\S+)(?:\s+(?:tasks?|work|deliverables|responsibilities|assignment|section))?$/i.test(t)) return { id: first };
  if (ticked && /-agent$/.test(ticked) && t.replace(/`/g, "").trim() === ticked) return { id: ticked };
  // "### `tester`": a heading that is nothing but a lowercase id in code names that agent.
  if (ticked && /^`[a-z][a-z0-9_-]{2,40}`$/.test(raw.replace(/^#+\s*/, "").trim()) && !/^(?:orchestrator|coordinator)$/.test(ticked)) return { id: ticked };
  if (/^(?:[A-Z0-9][\w&/+.-]*\s+){0,4}agent$/i.test(t) && !/^(?:agent|the agent|wave \d+ agent|sub agent)$/i.test(t)) {
    return ticked && KEBAB_ID.test(ticked) ? { id: ticked, name: t } : { name: t };
  }
  return null;
}

/**
 * "Task 1 (agent: frontend)", "2. Outbox and replay (agent: `outbox-agent`)", "Billing page [owner: @web]":
 * a unit of work whose annotation names the agent doing it. Its leading number lets "Task 1" in a
 * wave line find the agent.
 */
export function annotatedAgent(text: string): AgentRef | null {
  const m = /^(.*?)\s*[(\[]\s*(?:agent|owner|assignee|assigned to)\s*[:=]\s*`?@?([A-Za-z0-9][\w.-]{0,60})`?\s*[)\]]\s*:?\s*$/i.exec(plain(text.trim()).replace(/^\[[ xX]\]\*?\s*/, ""));
  if (!m || m[1]!.length > 120) return null;
  const n = /^(?:(?:task|item|ticket|step|work item)\s*#?\s*)?(\d{1,3})(?:[.):]|\s|$)/i.exec(m[1]!.trim());
  return { id: m[2]!.toLowerCase(), ...(n ? { ordinal: n[1]! } : {}) };
}

/** The id an agent ref gets: its explicit id, else the slug of "Agent N: Name", of the name, or of "agent-N". */
export function refId(ref: AgentRef): string {
  if (ref.id) return slugify(ref.id) || "agent";
  const parts = [ref.number ? `${ref.noun ?? "agent"} ${ref.number}` : "", ref.name ?? ""].filter((s) => s !== "");
  return slugify(parts.join(" ")) || "agent";
}

/** Explicit agent ids written in a line ("`config-agent`, `metadata-agent`", "(infra-agent, ui-agent)"). */
export function agentIdsIn(text: string): string[] {
  const ids = new Set<string>();
  for (const m of text.matchAll(/`([a-z0-9][a-z0-9_-]*)`/g)) if (/-/.test(m[1]!) || /agent/.test(m[1]!)) ids.add(m[1]!);
  for (const m of text.matchAll(/\b([a-z0-9]+(?:-[a-z0-9]+)*-agent)\b/g)) ids.add(m[1]!);
  return [...ids];
}

/** Numbered agent references in a line: "Agent 3", "Agents 7-13", "Agent 1-A". */
export function agentNumbersIn(text: string): string[] {
  const out: string[] = [];
  for (const m of plain(text).matchAll(/\b(?:agents?|teams?|tracks?|lanes?|streams?|squads?|crews?|missions?|workstreams?|wps?|pods?|workers?|sub-?agents?)\s*#?\s*(\d{1,3})(?:\s*[-–]\s*(\d{1,3})\b|([-.]?[a-z])\b|((?:\s*(?:,|and|&)\s*#?\d{1,3}\b)+))?/gi)) {
    const a = Number(m[1]);
    // "Agents 2, 3 and 4": every number of the list.
    if (m[4] !== undefined) {
      out.push(String(a), ...(m[4].match(/\d{1,3}/g) ?? []));
      continue;
    }
    if (m[2] !== undefined && Number(m[2]) > a && Number(m[2]) - a < 100) for (let k = a; k <= Number(m[2]); k++) out.push(String(k));
    else out.push(m[3] ? `${a}-${m[3].replace(/^[-.]/, "").toLowerCase()}` : String(a));
  }
  // "lane C", "Team B": a capital letter names a lettered agent (matched to its roster letter).
  for (const m of plain(text).matchAll(/\b(?:agent|team|track|lane|stream|squad|crew)s?\s+([a-z])\b(?![-.]?\d)/gi)) if (/[A-Z]/.test(m[1]!)) out.push(m[1]!.toLowerCase());
  return out;
}
