// Inline markdown helpers: code spans, emphasis and link stripping, `**Label**:` lines, slugs.
// Everything here is a pure string function; the structure of a plan is read elsewhere.

/** The contents of the backtick code spans of a line, in order. */
export function codeSpans(text: string): string[] {
  const spans: string[] = [];
  const re = /(`+)([^`]|[^`][\s\S]*?[^`])\1(?!`)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) spans.push(m[2]!.trim());
  return spans;
}

/** The line with code spans removed (their text replaced by a space). */
export function withoutCodeSpans(text: string): string {
  return text.replace(/(`+)([^`]|[^`][\s\S]*?[^`])\1(?!`)/g, " ");
}

const CHECK_MARKS = /^(?:[\s>•·]|\p{Extended_Pictographic}|[\u2190-\u21FF\u2300-\u27BF\u2B00-\u2BFF\uFE0F\u200D])+/u;
const LEADING_MARKS = /^(?:[\s>*_~•·\-–—]|\p{Extended_Pictographic}|[\u2190-\u21FF\u2300-\u27BF\u2B00-\u2BFF\uFE0F\u200D])+/u;

/** Text longer than this is cut before plain() works on it (keeps its regexes linear enough). */
const PLAIN_MAX = 4000;

/** Plain text: emphasis, code ticks, links, html tags and leading check marks removed. */
export function plain(text: string): string {
  return text
    .slice(0, PLAIN_MAX)
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/<br\s*\/?>/gi, " ")
    .replace(/<\/?[a-z][^>]*>/gi, "")
    .replace(/(\*\*|__)(.*?)\1/g, "$2")
    .replace(/(^|[\s(])[*_]([^*_\s][^*_]*?)[*_](?=[\s).,:;!?]|$)/g, "$1$2")
    .replace(/`+/g, "")
    .replace(LEADING_MARKS, "")
    .replace(/\s+/g, " ")
    .trim();
}

/** Text without leading check marks or emoji (✅, ✓, ❌, 🔴 …). */
export function stripMarks(text: string): string {
  return text.replace(CHECK_MARKS, "").trim();
}

export interface LabelLine {
  /** the label's words, plain ("Files Created", "Territory (Read/Write)") */
  label: string;
  /** what follows the label on the same line */
  rest: string;
  /** written in bold (`**Label**:`) rather than as plain `Label:` */
  bold: boolean;
  /** followed by a colon */
  colon: boolean;
}

// `**Label**: rest`, `**Label:** rest`, `**Label** (note): rest`, `**Label**` alone.
const BOLD_LABEL = /^(?:\*\*|__)([^*_][^*]*?)(?:\*\*|__)\s*(\([^)]*\))?\s*(:)?\s*(.*)$/;
const BOLD_LABEL_INNER_COLON = /^(?:\*\*|__)([^*_][^*]*?):(?:\*\*|__)\s*(.*)$/;
// Labels written without bold count only when they are one of the plan vocabulary's own words.
const PLAIN_VOCABULARY = /^(?:territory|files?|files? (?:owned|created|modified)|files to (?:create|modify|edit|change)|(?:new|modified) files|creates|modifies|writes|edits|touches|owns|owned (?:files|paths|directories)|exclusive territory|deliverables?|outputs?|tasks?|responsibilities|agents?|agent id|id|wave|role|dependencies|depends on|prerequisites|validation|validation gate|gate|gate criteria|(?:final|wave|phase|stage) (?:gate|checks?)|gates? (?:before|after) [\p{L}0-9 -]{1,30}|synchroni[sz]ation gate|max(?:imum)? agents|goal|feature goal|objective|read[- ]only(?: access| files)?|owner|scope|(?:write|file) scope|out of scope|not in scope|must not touch|never touch(?:es)?|off[- ]limits|checks?|review|done when|exit|verify|verification|acceptance|reads|read|context|uses|reference|must not (?:change|modify|edit)|do not (?:touch|change|modify|edit)|dateien|liest|abnahme(?: phase \d{1,2})?|prüfung|aufgabe|nicht anfassen|archivos|lee|tareas?|verificación|no tocar|fichiers|lit|vérification)$/iu;
const PLAIN_LABEL = /^(\p{L}[\p{L}0-9 &/()'-]{1,48}?)\s*:\s+(.*)$|^(\p{L}[\p{L}0-9 &/()'-]{1,48}?)\s*:$/u;

/** The `Label: rest` reading of a line (after its list marker), or null. */
export function parseLabel(text: string): LabelLine | null {
  const t = stripMarks(text.trim());
  let m = BOLD_LABEL_INNER_COLON.exec(t);
  if (m) return { label: cleanLabel(m[1]!), rest: m[2]!.trim(), bold: true, colon: true };
  m = BOLD_LABEL.exec(t);
  if (m) {
    // "**Branch**: `x` **Files**:": several labels on one line; the last one, with nothing after
    // it, heads the list below.
    const last = /\s(?:\*\*|__)([^*_][^*]*?)(?::(?:\*\*|__)|(?:\*\*|__)\s*:)\s*$/.exec(m[4]!);
    if (last && m[4]!.trim() !== last[0].trim()) return { label: cleanLabel(last[1]!), rest: "", bold: true, colon: true };
    const label = cleanLabel(m[1]! + (m[2] ? " " + m[2] : ""));
    return { label, rest: m[4]!.trim(), bold: true, colon: m[3] !== undefined };
  }
  m = PLAIN_LABEL.exec(t);
  if (m && PLAIN_VOCABULARY.test((m[1] ?? m[3])!.trim())) return { label: cleanLabel(m[1] ?? m[3]!), rest: (m[2] ?? "").trim(), bold: false, colon: true };
  return null;
}

function cleanLabel(s: string): string {
  return s.replace(/[`*_]/g, "").replace(/:\s*$/, "").replace(/\s+/g, " ").trim();
}

/** The plan's own name turned into an id: lower case, every run of other characters one '-'. */
export function slugify(text: string): string {
  return text
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}

/** A trailing `(…)` annotation removed, repeatedly: "Wave 1: Build (3 agents)" → "Wave 1: Build". */
export function withoutTrailingParens(text: string): string {
  let s = text.trim();
  for (let k = 0; k < 4; k++) {
    const next = s.replace(/\s*\([^()]*\)\s*$/, "").trim();
    if (next === s || next === "") break;
    s = next;
  }
  return s;
}

/** Shorten text to at most n characters, on a word boundary when possible. */
export function clip(text: string, n: number): string {
  if (text.length <= n) return text;
  const cut = text.slice(0, n - 1);
  const sp = cut.lastIndexOf(" ");
  return (sp > n * 0.6 ? cut.slice(0, sp) : cut) + "…";
}
