// Plan text → a checked Plan, or every problem found. Pure: YAML or JSON, structural limits,
// the zod schema, then the semantic checks — all problems of all stages reported together.
import type * as YAML from "yaml";
import { yamlModule } from "../lib/yaml.ts";
import type { Problem } from "../protocol/errors.ts";
import { Plan } from "../protocol/plan.ts";
import { checkPlan } from "./check-plan.ts";
import { checkStructure, naiveNestingDepth, STRUCTURE_LIMITS } from "./guard.ts";
import { salvagePlan } from "./salvage.ts";
import { zodProblems } from "./zod-problems.ts";

export type PlanFormat = "yaml" | "json";
export type ParseResult = { ok: true; plan: Plan } | { ok: false; problems: Problem[] };

/**
 * The yaml package's alias budget (uses of an anchor × the aliases inside it). An alias bomb's
 * product explodes past it within a few levels, while a plan reusing one `&runner` anchor a few
 * thousand times stays under it; whatever expands past the node limit is refused by checkStructure.
 */
export const MAX_ALIAS_COUNT = STRUCTURE_LIMITS.maxNodes;

/** Anchors plus aliases a YAML document may hold (see countAnchorsAndAliases). */
export const MAX_ANCHORS_AND_ALIASES = 5000;

// Naive nesting beyond which a text is refused before parsing (brackets and dashes inside strings
// count too, hence the margin over the real depth limit).
const MAX_NAIVE_DEPTH = STRUCTURE_LIMITS.maxDepth * 16;

const TOO_DEEP = `nesting is too deep to parse (the limit is ${STRUCTURE_LIMITS.maxDepth} levels)`;

/** Parse, validate and check a plan's text; never throws. */
export function parsePlanText(text: string, format: PlanFormat): ParseResult {
  const raw = parseRaw(text, format);
  if (!raw.ok) return raw;
  const structural = checkStructure(raw.value);
  if (structural.length) return { ok: false, problems: structural };
  const parsed = Plan.safeParse(raw.value);
  if (parsed.success) {
    const problems = checkPlan(parsed.data);
    return problems.length ? { ok: false, problems } : { ok: true, plan: parsed.data };
  }
  const salvaged = salvagePlan(raw.value);
  return { ok: false, problems: [...zodProblems(parsed.error.issues), ...(salvaged ? checkPlan(salvaged) : [])] };
}

/** The file format a plan's file name implies, or null when it is not a plan file. */
export function formatOfName(name: string): PlanFormat | null {
  const lower = name.toLowerCase();
  if (lower.endsWith(".yaml") || lower.endsWith(".yml")) return "yaml";
  if (lower.endsWith(".json")) return "json";
  return null;
}

type RawResult = { ok: true; value: unknown } | { ok: false; problems: Problem[] };

// Text → plain JS value, with every parser failure (including a blown stack) as a problem.
function parseRaw(text: string, format: PlanFormat): RawResult {
  if (naiveNestingDepth(text) > MAX_NAIVE_DEPTH)
    return fail(`nesting is deeper than ${STRUCTURE_LIMITS.maxDepth} levels`);
  try {
    return format === "json" ? { ok: true, value: JSON.parse(text) } : parseYaml(text);
  } catch (err) {
    if (err instanceof RangeError) return fail(TOO_DEEP);
    if (err instanceof SyntaxError) return fail(`invalid JSON: ${err.message}`);
    return fail(`could not parse the ${format.toUpperCase()}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function parseYaml(text: string): RawResult {
  const doc = yamlModule().parseDocument(text, { uniqueKeys: true, prettyErrors: true, strict: true });
  if (doc.errors.some((e) => /call stack/i.test(e.message))) return fail(TOO_DEEP);
  if (doc.errors.length) return { ok: false, problems: doc.errors.map((e) => ({ path: "", message: `invalid YAML: ${firstLine(e.message)}` })) };
  if (countAnchorsAndAliases(doc) > MAX_ANCHORS_AND_ALIASES)
    return fail(`the YAML has more than ${MAX_ANCHORS_AND_ALIASES} anchors and aliases; write the values out instead`);
  try {
    return { ok: true, value: doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) };
  } catch (err) {
    if (err instanceof ReferenceError)
      return fail("the YAML aliases expand too far (an alias bomb?); write the values out instead");
    throw err;
  }
}

// The yaml package resolves each alias by scanning every earlier anchor and alias, so their number
// must stay small or a flat list of 100,000 `*a` takes minutes. Iterative (YAML.visit copies its
// path at every level: quadratic on deep documents).
function countAnchorsAndAliases(doc: YAML.Document): number {
  const Y = yamlModule();
  let count = 0;
  const stack: unknown[] = [doc.contents];
  while (stack.length && count <= MAX_ANCHORS_AND_ALIASES) {
    const node = stack.pop();
    if (Y.isAlias(node)) count++;
    else if (Y.isPair(node)) stack.push(node.key, node.value);
    else if (Y.isNode(node)) {
      if (node.anchor) count++;
      if (Y.isCollection(node)) for (const item of node.items) stack.push(item);
    }
  }
  return count;
}

function firstLine(message: string): string {
  return message.split("\n")[0]!.replace(/:$/, "");
}

function fail(message: string): RawResult {
  return { ok: false, problems: [{ path: "", message }] };
}
