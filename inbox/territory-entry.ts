// Territory entries as the plan checks see them: their literal leading folders, and size limits
// that keep a hostile entry from making the overlap test explode (brace expansion, regex backtracking).
import { expandBraces } from "../protocol/territory.ts";

export const TERRITORY_LIMITS = {
  /** characters in one entry */
  maxLength: 512,
  /** path segments in one entry */
  maxSegments: 64,
  /** alternatives a `{a,b}` entry may expand to */
  maxAlternatives: 64,
  /** `*` and `?` in one segment (each one multiplies regex backtracking) */
  maxWildcardsPerSegment: 3,
};

const GLOB_CHARS = /[*?[\]{}]/;

/** Why an entry is too big or too wild to check safely, or null. */
export function territoryLimitProblem(entry: string): string | null {
  const L = TERRITORY_LIMITS;
  if (entry.length > L.maxLength) return `is ${entry.length} characters long; the limit is ${L.maxLength}`;
  if (entry.split("/").length > L.maxSegments) return `has more than ${L.maxSegments} path segments`;
  if (braceAlternativesBound(entry) > L.maxAlternatives) return `expands to more than ${L.maxAlternatives} alternatives`;
  for (const seg of entry.split("/")) {
    if (seg === "**") continue;
    const wild = seg.replace(/\*\*/g, "*").match(/[*?]/g)?.length ?? 0;
    if (wild > L.maxWildcardsPerSegment) return `has more than ${L.maxWildcardsPerSegment} wildcards in the segment "${seg}"`;
  }
  return null;
}

/** An upper bound of how many patterns `{a,b}` expansion makes of an entry, computed without expanding. */
function braceAlternativesBound(entry: string): number {
  let total = 1;
  const open: number[] = [];
  for (const c of entry) {
    if (c === "{") open.push(1);
    else if (c === "," && open.length) open[open.length - 1]!++;
    else if (c === "}" && open.length) {
      total *= open.pop()!;
      if (total > 1e6) return total;
    }
  }
  return total;
}

/**
 * The literal (glob-free) leading segments of each alternative of an entry: every path the entry
 * covers starts with one of these. `src/**\/*.ts` → [["src"]]; `{a,b}/x` → [["a","x"],["b","x"]].
 */
export function literalPrefixes(entry: string): string[][] {
  let s = entry;
  while (s.startsWith("./")) s = s.slice(2);
  return expandBraces(s).map((alt) => {
    const out: string[] = [];
    for (const seg of alt.split("/")) {
      if (seg === "") continue;
      if (GLOB_CHARS.test(seg)) break;
      out.push(seg);
    }
    return out;
  });
}
