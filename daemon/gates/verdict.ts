// What a judge check comes to, whichever reviewer answered (the SDK one in gates/judge.ts, Claude
// Code in gates/judge-claude-code.ts): the reviewer's answer checked against the protocol's
// Verdict schema, or a failed check saying why there is no verdict. One place, so both reviewers
// accept exactly the same answers and word their failures the same way.
import { z } from "zod";
import { Verdict, type Usage } from "../../protocol/index.ts";

export interface JudgeOutcome {
  passed: boolean;
  /** for people: the verdict's reasons, or why there is no verdict */
  output: string;
  verdict?: Verdict;
  usage: Usage;
}

/** The Verdict schema as plain JSON Schema (a tool's input_schema, Claude Code's --json-schema). */
export const VERDICT_JSON_SCHEMA: Record<string, unknown> = (() => {
  const { $schema: _, ...schema } = z.toJSONSchema(Verdict) as Record<string, unknown>;
  return schema;
})();

/** A failed check: no verdict, and why. */
export function noVerdict(why: string, usage: Usage): JudgeOutcome {
  return { passed: false, output: `no verdict: ${why}`, usage };
}

/** The reviewer's answer as a verdict, or a failed check naming what is wrong with it. */
export function outcomeOf(input: unknown, usage: Usage): JudgeOutcome {
  const parsed = Verdict.safeParse(input);
  if (!parsed.success) return noVerdict(`the reviewer's verdict is malformed: ${z.prettifyError(parsed.error).replace(/\n+/g, "; ")}`, usage);
  const v = parsed.data;
  const lines = [`verdict: ${v.pass ? "pass" : "fail"}`, ...v.reasons.map((r) => `- ${r}`)];
  if (v.files.length) lines.push(`files: ${v.files.join(", ")}`);
  return { passed: v.pass, output: lines.join("\n"), verdict: v, usage };
}

/** What a reviewer said instead of a verdict, for its failure message: `: <text>` (whitespace folded, at most 300 characters), or nothing. */
export function saidNote(text: string): string {
  const said = text.replace(/\s+/g, " ").trim();
  return said ? `: ${said.length > 300 ? `${said.slice(0, 300)}…` : said}` : "";
}
