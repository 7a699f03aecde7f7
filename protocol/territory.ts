// What a territory pattern means: which root-relative paths it covers, and whether two
// territories can cover the same path. Used by plan checks, the scheduler and the audit.
//
// A territory entry is a path relative to the project root, optionally with globs:
//   `src/App.jsx`   that file (a name with an extension is a file)
//   `src/lib`       that path, and everything below it if it is a directory
//   `src/hooks/`    everything below src/hooks
//   `src/**/*.ts`   globs, as below
//
// The glob dialect (the only one purple speaks):
//   `*`        any run of characters within one segment (never `/`)
//   `?`        one character, never `/`
//   `[abc]`, `[a-z]`, `[!a-z]` (or `[^a-z]`)  one character of (or not of) the set, never `/`;
//              a `]` right after `[` or `[!` is a member; a `[` with no closing `]` is literal
//   `**`       a whole segment: any number of segments (zero included)
//   `{a,b}`    alternatives, nested allowed, expanded into separate patterns before anything
//              else looks at the entry (the escape checks and the overlap test see each one);
//              at most MAX_ALTERNATIVES of them
// There is no escape character (a backslash is refused). Entries are split at `/` first, so a
// glob never spans segments. Matching is by whole segments, so `src` never covers `src-evil`,
// and runs in O(pattern × path) with no backtracking blow-up; a path over MAX_PATH_BYTES bytes
// is never matched (refused before any matching).

import { compileSegment, matchSegments, segmentMatches, type Segment } from "./glob.ts";

const GLOB_CHARS = /[*?[\]{}]/;

/** Longest path (UTF-8 bytes) a territory is ever matched against. */
export const MAX_PATH_BYTES = 4096;
/** Most patterns one entry's `{a,b}` alternatives may expand to. */
export const MAX_ALTERNATIVES = 64;

/** True when a path is too long to be matched at all (checked before any matching). */
export function pathTooLong(path: string): boolean {
  return path.length > MAX_PATH_BYTES || (path.length * 3 > MAX_PATH_BYTES && Buffer.byteLength(path, "utf8") > MAX_PATH_BYTES);
}

/**
 * Why an entry can never be a territory inside the root, or null when it is acceptable lexically.
 * Every `{a,b}` alternative is checked on its own: `{..,src}/x`, `{/etc,src}` and `{.git,src}` fail.
 */
export function territoryEntryProblem(entry: string): string | null {
  if (entry.length === 0) return "is empty";
  if (entry.includes("\0")) return "contains a NUL byte";
  if (entry.includes("\\")) return "contains a backslash; use forward slashes";
  const alternatives = expandBraces(entry, MAX_ALTERNATIVES);
  if (alternatives === null) return `expands to more than ${MAX_ALTERNATIVES} alternatives`;
  for (const alt of alternatives) {
    const problem = alternativeProblem(alt);
    if (problem) return alternatives.length > 1 ? `${problem} (in its alternative ${JSON.stringify(alt)})` : problem;
  }
  return null;
}

// The checks of one brace-free pattern.
function alternativeProblem(entry: string): string | null {
  if (entry.length === 0) return "is empty";
  if (entry.startsWith("/") || /^[A-Za-z]:/.test(entry)) return "is absolute; territories are relative to the project root";
  if (entry.startsWith("~")) return "starts with ~; territories are relative to the project root";
  const segments = trimEntry(entry).split("/");
  if (segments.some((s) => s === "..")) return "contains '..' and would escape the project root";
  if (segments.some((s) => s.toLowerCase() === ".git")) return "is inside .git/, which agents may never write";
  if (trimEntry(entry).startsWith(".context-kit/orchestration")) return "is inside .context-kit/orchestration/, which only purpled writes";
  return null;
}

function trimEntry(entry: string): string {
  let s = entry;
  while (s.startsWith("./")) s = s.slice(2);
  return s;
}

/**
 * `{a,b}` alternatives expanded into separate patterns (nested braces included). With `limit`,
 * null as soon as there would be more than `limit` of them (nothing large is ever built).
 */
export function expandBraces(pattern: string): string[];
export function expandBraces(pattern: string, limit: number): string[] | null;
export function expandBraces(pattern: string, limit = Infinity): string[] | null {
  const out: string[] = [];
  return expandInto(pattern, out, limit) ? out : null;
}

function expandInto(pattern: string, out: string[], limit: number): boolean {
  const open = pattern.indexOf("{");
  if (open < 0) {
    out.push(pattern);
    return out.length <= limit;
  }
  let depth = 0;
  for (let i = open; i < pattern.length; i++) {
    if (pattern[i] === "{") depth++;
    else if (pattern[i] === "}" && --depth === 0) {
      const parts: string[] = [];
      let d = 0, start = open + 1;
      for (let k = open + 1; k < i; k++) {
        const c = pattern[k];
        if (c === "{") d++;
        else if (c === "}") d--;
        else if (c === "," && d === 0) { parts.push(pattern.slice(start, k)); start = k + 1; }
      }
      parts.push(pattern.slice(start, i));
      const head = pattern.slice(0, open), tail = pattern.slice(i + 1);
      for (const p of parts) if (!expandInto(head + p + tail, out, limit)) return false;
      return true;
    }
  }
  out.push(pattern); // unbalanced: taken literally
  return out.length <= limit;
}

/** One brace-free pattern, ready for matching and overlap tests. */
interface CompiledPattern {
  source: string;
  segments: Segment[];
}

/** A territory compiled once: match paths, test overlap with another. */
export class Territory {
  readonly entries: readonly string[];
  private readonly patterns: CompiledPattern[];

  constructor(entries: readonly string[]) {
    this.entries = entries;
    this.patterns = entries.flatMap((e) => expandBraces(trimEntry(e), MAX_ALTERNATIVES) ?? []).map(compilePattern);
  }

  /** True when the root-relative path (forward slashes) is inside this territory; a path over MAX_PATH_BYTES never is. */
  covers(path: string): boolean {
    if (pathTooLong(path)) return false;
    const parts = path.split("/");
    for (const p of this.patterns) if (matchSegments(p.segments, parts)) return true;
    return false;
  }

  /** True when some path could be covered by both territories (conservative: unsure counts as overlap). */
  overlaps(other: Territory): boolean {
    for (const a of this.patterns) for (const b of other.patterns) if (patternsOverlap(a.segments, b.segments)) return true;
    return false;
  }
}

const cache = new Map<string, Territory>();
/** A compiled territory, cached by its entries (plans repeat territories a lot). */
export function territoryOf(entries: readonly string[]): Territory {
  const key = entries.join("\0");
  let t = cache.get(key);
  if (!t) {
    if (cache.size > 50_000) cache.clear();
    t = new Territory(entries);
    cache.set(key, t);
  }
  return t;
}

function compilePattern(source: string): CompiledPattern {
  let parts = source.split("/");
  if (parts.length > 1 && parts[parts.length - 1] === "") parts = parts.slice(0, -1).concat("**"); // `dir/` = below dir
  parts = parts.filter((p, i) => p !== "" || i === 0);
  // A plain path (no glob anywhere) also covers everything below it, unless it names a file.
  if (!GLOB_CHARS.test(source) && parts[parts.length - 1] !== "**" && !looksLikeFile(parts[parts.length - 1]!)) parts = parts.concat("**");
  // `**/**` is `**`: collapsing keeps the segment matcher's one-star rule simple.
  const segments = parts.map(compileSegment).filter((s, i, all) => !(s.kind === "any" && all[i - 1]?.kind === "any"));
  return { source, segments };
}

/** `App.jsx`, `404.html`: a name with an extension is taken for a file, not a directory. */
function looksLikeFile(name: string): boolean {
  return /^[^.].*\.[A-Za-z0-9]{1,8}$/.test(name);
}

function segmentsOverlap(a: Segment, b: Segment): boolean {
  if (a.kind === "literal" && b.kind === "literal") return a.text === b.text;
  if (a.kind === "literal" && b.kind === "glob") return segmentMatches(b, a.text);
  if (a.kind === "glob" && b.kind === "literal") return segmentMatches(a, b.text);
  if (a.kind === "glob" && b.kind === "glob") {
    const pre = a.prefix.length < b.prefix.length ? b.prefix.startsWith(a.prefix) : a.prefix.startsWith(b.prefix);
    const suf = a.suffix.length < b.suffix.length ? b.suffix.endsWith(a.suffix) : a.suffix.endsWith(b.suffix);
    return pre && suf;
  }
  return true;
}

function patternsOverlap(a: Segment[], b: Segment[]): boolean {
  const memo = new Map<number, boolean>();
  const go = (i: number, j: number): boolean => {
    const key = i * 4096 + j;
    const known = memo.get(key);
    if (known !== undefined) return known;
    let r: boolean;
    if (i === a.length && j === b.length) r = true;
    else if (i < a.length && a[i]!.kind === "any") r = go(i + 1, j) || (j < b.length && go(i, j + 1));
    else if (j < b.length && b[j]!.kind === "any") r = go(i, j + 1) || (i < a.length && go(i + 1, j));
    else if (i === a.length || j === b.length) r = false;
    else r = segmentsOverlap(a[i]!, b[j]!) && go(i + 1, j + 1);
    memo.set(key, r);
    return r;
  };
  return go(0, 0);
}
