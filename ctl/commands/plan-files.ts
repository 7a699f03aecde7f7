// validate, and submit's offline side (ctl/commands/submit.ts sends a plan file to a daemon
// directly): a plan is checked here exactly as the inbox would check it, every problem listed.
import { resolve } from "node:path";
import type { Problem } from "../../protocol/errors.ts";
import type { Ctx } from "../context.ts";
import { EXIT, UsageError } from "../errors.ts";
import { canonicalYaml, checkPlanAt, submitToInbox } from "../offline.ts";
import { formatProblems, notSubmitted, warn } from "../problems.ts";
import { isCompilableFolder, placeFolder } from "../../inbox/submit.ts";
import { runnableHere } from "../runnable.ts";

/** validate PATH: every problem (exit 1) or the canonical YAML. */
export async function validate(ctx: Ctx, [path]: string[]): Promise<number> {
  if (ctx.flags.compile || ctx.flags.report) return (await import("./compile.ts")).compileCommand(ctx, path!);
  if (isCompilableFolder(resolve(path!))) throw new UsageError(`${path} is a markdown plan or Purple feature folder: use \`purplectl validate --compile ${path}\` (or --report)`);
  const abs = resolve(path!);
  const r = await checkPlanAt(abs, ctx.socket.root);
  // Then what this machine can run: the runner, the key, the spec files the plan names.
  const runnable = r.ok ? runnableHere(ctx, r.plan, abs, true) : { errors: [], warnings: [] };
  const problems = r.ok ? runnable.errors : r.problems;
  if (runnable.warnings.length && !ctx.json) ctx.note(`${path}: ${runnable.warnings.length} warning(s)\n${formatProblems(runnable.warnings)}`);
  if (problems.length) {
    if (ctx.json) ctx.print("", problems);
    else ctx.note(`${path}: ${problems.length} problem(s)\n${formatProblems(problems)}`);
    return EXIT.failed;
  }
  if (!r.ok) return EXIT.failed;
  ctx.print(canonicalYaml(r.plan).trimEnd(), r.plan);
  return EXIT.ok;
}

/** submit of a markdown or Purple folder: checked by compiling it, then placed in the inbox as it is (purpled compiles it again there and it waits for approval). */
export async function submitFolder(ctx: Ctx, path: string, abs: string): Promise<number> {
  const checked = await (await import("./compile.ts")).compileAndCheck(abs, ctx.socket.root);
  if (!checked.plan) {
    ctx.note(`purplectl: ${path} was not submitted: its compiled plan has ${checked.problems.length} problem(s)\n${formatProblems(checked.problems)}`);
    return EXIT.failed;
  }
  // The key is purpled's to hold (it may run as a service with its own environment): not checked here.
  const runnable = runnableHere(ctx, checked.plan, abs, false);
  if (runnable.errors.length) return notSubmitted(ctx, path, runnable.errors);
  warn(ctx, runnable.warnings);
  const target = placeFolder(abs, ctx.requireRoot());
  ctx.print(`submitted ${path} → ${target}; it waits for \`purplectl approve\` once compiled (see its intake-report.md)`, { path: target });
  return EXIT.ok;
}

/** submit with no daemon answering: checked here, then moved atomically into the inbox, where purpled picks it up when it starts. */
export async function submitToInboxChecked(ctx: Ctx, path: string, abs: string): Promise<number> {
  const r = await checkPlanAt(abs, ctx.socket.root);
  if (!r.ok) return notSubmitted(ctx, path, r.problems);
  const runnable = runnableHere(ctx, r.plan, abs, true);
  if (runnable.errors.length) return notSubmitted(ctx, path, runnable.errors);
  warn(ctx, runnable.warnings);
  const target = submitToInbox(abs, r.plan, ctx.requireRoot());
  ctx.print(`submitted ${r.plan.name} → ${target}\n(daemon not running: placed in the inbox; purpled picks it up when it starts)`, { plan: r.plan.name, path: target, daemon: false });
  return EXIT.ok;
}

/** What the offline check finds wrong with the plan at `abs` (none: it passes). */
export async function offlineProblems(ctx: Ctx, abs: string): Promise<Problem[]> {
  const r = await checkPlanAt(abs, ctx.socket.root);
  return r.ok ? [] : r.problems;
}

export { isCompilableFolder };
