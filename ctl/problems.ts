// How purplectl shows a plan's problems and a refused submit, in one place for validate, plan,
// watch and both ways of submitting (lean: no schema is loaded to print them).
import type { Problem } from "../protocol/errors.ts";
import type { Ctx } from "./context.ts";
import { EXIT } from "./errors.ts";

export const formatProblems = (problems: Problem[]): string => problems.map((p) => `  ${p.path || "(plan)"}: ${p.message}`).join("\n");

/** A submit that did not happen: every problem (with the daemon's code when it refused), exit 1. */
export function notSubmitted(ctx: Ctx, path: string, problems: Problem[], code?: string): number {
  if (ctx.json) ctx.print("", { submitted: false, code: code ?? "PLAN_INVALID", problems });
  else ctx.note(`purplectl: ${path} was not submitted${code ? ` (${code})` : ""}: ${problems.length} problem(s)\n${formatProblems(problems)}`);
  return EXIT.failed;
}

/** Warnings on stderr, if any. */
export function warn(ctx: Ctx, warnings: Problem[]): void {
  if (warnings.length) ctx.note(`warning(s):\n${formatProblems(warnings)}`);
}
