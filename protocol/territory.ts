// What a territory pattern means: which root-relative paths it covers, and whether two
// territories can cover the same path. Used by plan checks, the scheduler and the audit.
//
// A territory entry is a path relative to the project root, optionally with globs:
//   `src/App.jsx`   that file (a name with an extension is a file)
//   `src/lib`       that path, and everything below it if it is a directory
//   `src/hooks/`    everything below src/hooks
//   `src/**/*.ts`   `*` one segment's worth, `**` any number of segments, `?`, `[a-z]`, `{a,b}`
// Matching is by whole path segments, so `src` never covers `src-evil`.

const GLOB_CHARS = /[*?[\]{}]/;

/** Why an entry can never be a territory inside the root, or null when it is acceptable lexically. */
export function territoryEntryProblem(entry: string): string | null {
  if (entry.length === 0) return "is empty";
  if (entry.includes("\0")) return "contains a NUL byte";
  if (entry.includes("\\")) return "contains a backslash; use forward slashes";
  if (entry.startsWith("/") || /^[A-Za-z]:/.test(entry)) return "is absolute; territories are relative to the project root";
  if (entry.startsWith("~")) return "starts with ~; territories are relative to the project root";
  const segments = trimEntry(entry).split("/");
  if (segments.some((s) => s === "..")) return "contains '..' and would escape the project root";
  if (segments[0] === ".git") return "is inside .git/, which agents may never write";
  if (trimEntry(entry).startsWith(".context-kit/orchestration")) return "is inside .context-kit/orchestration/, which only purpled writes";
  return null;
}

function trimEntry(entry: string): string {
  let s = entry;
  while (s.startsWith("./")) s = s.slice(2);
  return s;
}

/** `{a,b}` alternatives expanded into separate patterns (nested braces included). */
export function expandBraces(pattern: string): string[] {
  const open = pattern.indexOf("{");
  if (open < 0) return [pattern];
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
      return parts.flatMap((p) => expandBraces(head + p + tail));
    }
  }
  return [pattern]; // unbalanced: taken literally
}

type Segment = { kind: "any" } | { kind: "literal"; text: string } | { kind: "glob"; re: RegExp; prefix: string; suffix: string };

/** One brace-free pattern, ready for matching and overlap tests. */
interface CompiledPattern {
  source: string;
  segments: Segment[];
  re: RegExp;
}

/** A territory compiled once: match paths, test overlap with another. */
export class Territory {
  readonly entries: readonly string[];
  private readonly patterns: CompiledPattern[];

  constructor(entries: readonly string[]) {
    this.entries = entries;
    this.patterns = entries.flatMap((e) => expandBraces(trimEntry(e))).map(compilePattern);
  }

  /** True when the root-relative path (forward slashes) is inside this territory. */
  covers(path: string): boolean {
    for (const p of this.patterns) if (p.re.test(path)) return true;
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
  const segments = parts.map(compileSegment);
  return { source, segments, re: new RegExp(buildRegex(segments)) };
}

// The anchored regex of a segment list, separators placed explicitly around `**`.
function buildRegex(segments: Segment[]): string {
  let re = "^";
  let needSlash = false;
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i]!;
    const last = i === segments.length - 1;
    if (seg.kind === "any") {
      if (last) re += needSlash ? "(?:/.*)?" : ".*";
      else { re += needSlash ? "(?:/[^/]+)*/" : "(?:[^/]+/)*"; needSlash = false; }
      continue;
    }
    if (needSlash) re += "/";
    re += seg.kind === "literal" ? escapeRe(seg.text) : seg.re.source.slice(1, -1);
    needSlash = true;
  }
  return re + "$";
}

/** `App.jsx`, `404.html`: a name with an extension is taken for a file, not a directory. */
function looksLikeFile(name: string): boolean {
  return /^[^.].*\.[A-Za-z0-9]{1,8}$/.test(name);
}

function compileSegment(part: string): Segment {
  if (part === "**") return { kind: "any" };
  if (!GLOB_CHARS.test(part)) return { kind: "literal", text: part };
  let re = "";
  for (let i = 0; i < part.length; i++) {
    const c = part[i]!;
    if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else if (c === "[") {
      const close = part.indexOf("]", i + 1);
      if (close < 0) re += "\\[";
      else { re += "[" + part.slice(i + 1, close).replace(/^!/, "^").replace(/\\/g, "\\\\") + "]"; i = close; }
    } else re += escapeRe(c);
  }
  const firstWild = part.search(/[*?[]/);
  const lastWild = Math.max(part.lastIndexOf("*"), part.lastIndexOf("?"), part.lastIndexOf("]"));
  return { kind: "glob", re: new RegExp("^" + re + "$"), prefix: part.slice(0, firstWild), suffix: part.slice(lastWild + 1) };
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

function segmentsOverlap(a: Segment, b: Segment): boolean {
  if (a.kind === "literal" && b.kind === "literal") return a.text === b.text;
  if (a.kind === "literal" && b.kind === "glob") return b.re.test(a.text);
  if (a.kind === "glob" && b.kind === "literal") return a.re.test(b.text);
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
