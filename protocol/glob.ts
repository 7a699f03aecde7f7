// Segment globs: the compiled form of one path segment of a territory pattern, and matching
// in O(pattern × name) time (see protocol/territory.ts for the dialect). No `/` is ever matched here:
// patterns and paths are split at `/` before anything in this file sees them.

/** One character test of a glob: a literal, `?`, or a `[...]` set (none of them ever matches `/`). */
type CharTest = { t: "char"; c: number } | { t: "one" } | { t: "set"; negated: boolean; ranges: number[] };
/** A segment glob's tokens: `*` or one character test. */
type Token = { t: "star" } | CharTest;

export type Segment = { kind: "any" } | { kind: "literal"; text: string } | { kind: "glob"; tokens: Token[]; prefix: string; suffix: string; minLength: number };

export function compileSegment(part: string): Segment {
  if (part === "**") return { kind: "any" };
  if (!/[*?[]/.test(part)) return { kind: "literal", text: part };
  const tokens: Token[] = [];
  for (let i = 0; i < part.length; i++) {
    const c = part[i]!;
    if (c === "*") {
      if (tokens[tokens.length - 1]?.t !== "star") tokens.push({ t: "star" }); // `**` inside a segment is `*`
    } else if (c === "?") tokens.push({ t: "one" });
    else if (c === "[") {
      const set = parseSet(part, i);
      if (set) {
        tokens.push(set.test);
        i = set.end;
      } else tokens.push({ t: "char", c: 91 }); // no closing `]`: a literal `[`
    } else tokens.push({ t: "char", c: part.charCodeAt(i) });
  }
  const first = tokens.findIndex((t) => t.t !== "char");
  let last = tokens.length - 1;
  while (last >= 0 && tokens[last]!.t === "char") last--;
  const text = (ts: Token[]) => String.fromCharCode(...ts.map((t) => (t as { c: number }).c));
  const minLength = tokens.filter((t) => t.t !== "star").length;
  return { kind: "glob", tokens, prefix: text(tokens.slice(0, first)), suffix: text(tokens.slice(last + 1)), minLength };
}

// `[...]` starting at `open`: its test and the index of its `]`, or null when it is not closed.
function parseSet(part: string, open: number): { test: CharTest; end: number } | null {
  let i = open + 1;
  const negated = part[i] === "!" || part[i] === "^";
  if (negated) i++;
  const ranges: number[] = [];
  const start = i;
  for (; i < part.length; i++) {
    if (part[i] === "]" && i > start) return { test: { t: "set", negated, ranges }, end: i };
    const lo = part.charCodeAt(i);
    if (part[i + 1] === "-" && i + 2 < part.length && part[i + 2] !== "]") {
      ranges.push(lo, part.charCodeAt(i + 2));
      i += 2;
    } else ranges.push(lo, lo);
  }
  return null;
}

function testChar(t: CharTest, c: number): boolean {
  if (c === 47) return false; // `/` is never matched by a glob character
  if (t.t === "char") return t.c === c;
  if (t.t === "one") return true;
  let inSet = false;
  for (let k = 0; k < t.ranges.length && !inSet; k += 2) inSet = c >= t.ranges[k]! && c <= t.ranges[k + 1]!;
  return inSet !== t.negated;
}

/**
 * Does a segment glob match `s`? Greedy, remembering only the last `*`: every other token is one
 * character wide, so retrying from the last star alone is exact, and the work is at most
 * O(tokens × length) — never exponential, whatever the pattern and the name.
 */
function globMatch(tokens: Token[], s: string): boolean {
  let p = 0, i = 0, starP = -1, starI = 0;
  while (i < s.length) {
    const tok = tokens[p];
    if (tok?.t === "star") {
      starP = p++;
      starI = i;
    } else if (tok && testChar(tok, s.charCodeAt(i))) {
      p++;
      i++;
    } else if (starP >= 0) {
      p = starP + 1;
      i = ++starI;
    } else return false;
  }
  while (tokens[p]?.t === "star") p++;
  return p === tokens.length;
}

export function segmentMatches(seg: Segment, name: string): boolean {
  if (seg.kind === "literal") return seg.text === name;
  // the literal ends and the length rule out most names before any matching
  if (seg.kind === "glob") return name.length > 0 && name.length >= seg.minLength && name.startsWith(seg.prefix) && name.endsWith(seg.suffix) && globMatch(seg.tokens, name);
  return true;
}

/**
 * Does a pattern's segment list match a path's segments? The same last-star rule one level up:
 * `**` is the star (any number of whole segments), every other segment takes exactly one. (Written
 * out twice on purpose: one generic version with callbacks measured 2–3× slower on bench/hostile.ts.)
 */
export function matchSegments(segments: Segment[], parts: string[]): boolean {
  let p = 0, i = 0, starP = -1, starI = 0;
  while (i < parts.length) {
    const seg = segments[p];
    if (seg?.kind === "any") {
      starP = p++;
      starI = i;
    } else if (seg && segmentMatches(seg, parts[i]!)) {
      p++;
      i++;
    } else if (starP >= 0) {
      p = starP + 1;
      i = ++starI;
    } else return false;
  }
  while (segments[p]?.kind === "any") p++;
  return p === segments.length;
}
