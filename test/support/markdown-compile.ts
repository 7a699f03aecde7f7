// Compiling a markdown plan in a test: the result must load as a canonical plan and pass the plan
// checks (a compile that yields an unloadable plan fails the test), plus the two views tests compare.
import { expect } from "bun:test";
import { checkPlan } from "../../inbox/check-plan.ts";
import { compileMarkdownPlan, type CompileResult } from "../../inbox/markdown/compile.ts";
import { Plan } from "../../protocol/plan.ts";

/** The folder's files compiled with the anthropic runner; throws with the schema's issues when the plan does not load. */
export function compileChecked(files: Record<string, string>, name = "demo"): CompileResult {
  const result = compileMarkdownPlan(files, { name, defaults: { runner: "anthropic" } });
  const parsed = Plan.safeParse(result.plan);
  if (!parsed.success) throw new Error(JSON.stringify(parsed.error.issues, null, 2));
  expect(checkPlan(parsed.data)).toEqual([]);
  return result;
}

/** Each wave's id and agents, in order. */
export const waveSummary = (r: CompileResult) => r.plan.waves.map((w) => ({ id: w.id, agents: w.agents }));

/** Each agent's territory by id. */
export const territories = (r: CompileResult) => Object.fromEntries(r.plan.agents.map((a) => [a.id, a.territory]));
