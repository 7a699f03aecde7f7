// validate and submit: a plan is checked here, offline, exactly as the inbox would check it,
// so every problem is listed before anything reaches the daemon.
import { resolve } from "node:path";
import type { Problem } from "../../protocol/errors.ts";
import type { SubmitResult } from "../../protocol/rpc.ts";
import type { Ctx } from "../context.ts";
import { EXIT, NoDaemonError, RpcCallError, UsageError } from "../errors.ts";
import { canonicalYaml, checkPlanAt, formatProblems, submitToInbox } from "../offline.ts";
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

/**
 * submit PATH: check offline; then hand it to the daemon with plan.submit when one answers, or
 * move it atomically into the inbox, where purpled picks it up when it starts.
 */
export async function submit(ctx: Ctx, [path]: string[]): Promise<number> {
  const abs = resolve(path!);
  // A markdown or Purple folder is checked by compiling it, then placed in the inbox as it is:
  // purpled compiles it again there and it waits for approval.
  if (isCompilableFolder(abs)) {
    const checked = await (await import("./compile.ts")).compileAndCheck(abs, ctx.socket.root);
    if (!checked.plan) {
      ctx.note(`purplectl: ${path} was not submitted: its compiled plan has ${checked.problems.length} problem(s)\n${formatProblems(checked.problems)}`);
      return EXIT.failed;
    }
    // The key is purpled's to hold (it may run as a service with its own environment): not checked here.
    const runnable = runnableHere(ctx, checked.plan, abs, false);
    if (runnable.errors.length) return notSubmitted(ctx, path!, runnable.errors);
    warn(ctx, runnable.warnings);
    const target = placeFolder(abs, ctx.requireRoot());
    ctx.print(`submitted ${path} → ${target}; it waits for \`purplectl approve\` once compiled (see its intake-report.md)`, { path: target });
    return EXIT.ok;
  }
  const r = await checkPlanAt(abs, ctx.socket.root);
  if (!r.ok) return notSubmitted(ctx, path!, r.problems);
  let client;
  try {
    client = await ctx.connect();
  } catch (err) {
    if (!(err instanceof NoDaemonError)) throw err;
    const runnable = runnableHere(ctx, r.plan, abs, true);
    if (runnable.errors.length) return notSubmitted(ctx, path!, runnable.errors);
    warn(ctx, runnable.warnings);
    const target = submitToInbox(abs, r.plan, ctx.requireRoot());
    ctx.print(`submitted ${r.plan.name} → ${target}\n(daemon not running: placed in the inbox; purpled picks it up when it starts)`, { plan: r.plan.name, path: target, daemon: false });
    return EXIT.ok;
  }
  // The daemon checks what it can run (its own key, its PATH) and says what became of the plan.
  let result: SubmitResult;
  try {
    result = await client.call("plan.submit", { path: abs });
  } catch (err) {
    if (err instanceof RpcCallError && Array.isArray(err.data.problems)) return notSubmitted(ctx, path!, err.data.problems as Problem[], err.dataCode);
    throw err;
  }
  warn(ctx, result.warnings);
  ctx.print(`${result.plan}: ${OUTCOME[result.outcome](result.plan)}`, { ...result, daemon: true });
  return EXIT.ok;
}

const OUTCOME: Record<SubmitResult["outcome"], (plan: string) => string> = {
  accepted: (p) => `accepted; follow it with \`purplectl watch ${p}\``,
  replaced: (p) => `replaced the version that waited for approval; this one is queued; follow it with \`purplectl watch ${p}\``,
  rerun: (p) => `it had ended: running it again (the earlier run's files are kept under ${p}/runs/); follow it with \`purplectl watch ${p}\``,
  unchanged: (p) => `unchanged: the same plan is already here, queued, running or waiting for approval; follow it with \`purplectl watch ${p}\``,
};

function notSubmitted(ctx: Ctx, path: string, problems: Problem[], code?: string): number {
  if (ctx.json) ctx.print("", { submitted: false, code: code ?? "PLAN_INVALID", problems });
  else ctx.note(`purplectl: ${path} was not submitted${code ? ` (${code})` : ""}: ${problems.length} problem(s)\n${formatProblems(problems)}`);
  return EXIT.failed;
}

function warn(ctx: Ctx, warnings: Problem[]): void {
  if (warnings.length) ctx.note(`warning(s):\n${formatProblems(warnings)}`);
}
