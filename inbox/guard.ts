// Structural limits checked on raw parsed input before the schema sees it: depth, size and
// prototype-polluting keys. Iterative, so a 5,000-deep document cannot overflow the stack.
import type { Problem } from "../protocol/errors.ts";

export const STRUCTURE_LIMITS = {
  /** nesting of arrays and objects */
  maxDepth: 64,
  /** array elements plus object entries, counted over the whole document */
  maxNodes: 100_000,
};

const FORBIDDEN_KEYS = new Set(["__proto__", "constructor", "prototype"]);

/** Problems of shape alone (too deep, too big, forbidden keys); empty when the value may be validated. */
export function checkStructure(value: unknown, limits = STRUCTURE_LIMITS): Problem[] {
  const problems: Problem[] = [];
  const stack: { value: unknown; depth: number; path: string }[] = [{ value, depth: 0, path: "" }];
  let nodes = 0;
  let tooDeep = false;
  while (stack.length) {
    const item = stack.pop()!;
    if (item.value === null || typeof item.value !== "object") continue;
    if (item.depth >= limits.maxDepth) {
      if (!tooDeep) problems.push({ path: item.path, message: `nesting is deeper than ${limits.maxDepth} levels` });
      tooDeep = true;
      continue;
    }
    const keys = Array.isArray(item.value) ? null : Object.keys(item.value);
    nodes += keys ? keys.length : (item.value as unknown[]).length;
    if (nodes > limits.maxNodes) {
      problems.push({ path: "", message: `the document has more than ${limits.maxNodes} elements` });
      break;
    }
    const entries: [string, unknown][] = keys
      ? keys.map((k) => [k, (item.value as Record<string, unknown>)[k]])
      : (item.value as unknown[]).map((v, i) => [String(i), v]);
    for (const [key, child] of entries) {
      const path = item.path === "" ? key : `${item.path}.${key}`;
      if (!Array.isArray(item.value) && FORBIDDEN_KEYS.has(key)) {
        problems.push({ path, message: `the key "${key}" is not allowed` });
        continue;
      }
      stack.push({ value: child, depth: item.depth + 1, path });
    }
  }
  return problems;
}

/**
 * A cheap over-estimate of a text's nesting, so that a megabyte of `[` is refused before a parser
 * spends seconds (and its stack) on it. The largest of: `[`/`{` depth (brackets inside strings
 * count too), the longest run of YAML `- - - x` sequence indicators, and the longest chain of
 * ever-deeper indented lines (block nesting).
 */
export function naiveNestingDepth(text: string): number {
  let depth = 0, max = 0, dashes = 0;
  const indents: number[] = [];
  let lineStart = true, indent = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 /* \n */) { lineStart = true; indent = 0; dashes = 0; continue; }
    if (lineStart) {
      if (c === 32) { indent++; continue; }
      lineStart = false;
      if (c !== 35 /* # */ && c !== 13) {
        while (indents.length && indents[indents.length - 1]! >= indent) indents.pop();
        indents.push(indent);
        if (indents.length > max) max = indents.length;
      }
    }
    if (c === 91 || c === 123) { if (++depth > max) max = depth; }
    else if ((c === 93 || c === 125) && depth > 0) depth--;
    if (c === 45 /* - */ && (text.charCodeAt(i + 1) === 32 || text.charCodeAt(i + 1) === 9)) {
      if (++dashes > max) max = dashes;
      i++;
    } else if (c !== 32 && c !== 9) dashes = 0;
  }
  return max;
}
