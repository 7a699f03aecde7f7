// validate and submit: a plan is checked here, offline, exactly as the inbox would check it,
// so every problem is listed before anything reaches the daemon.
import { resolve } from "node:path";
import type { Ctx } from "../context.ts";
import { EXIT, NoDaemonError, UsageError } from "../errors.ts";
import { canonicalYaml, checkPlanAt, formatProblems, submitToInbox } from "../offline.ts";
import { isCompilableFolder, placeFolder } from "../../inbox/submit.ts";

/** validate PATH: every problem (exit 1) or the canonical YAML. */
export async function validate(ctx: Ctx, [path]: string[]): Promise<number> {
  if (ctx.flags.compile || ctx.flags.report) return (await import("./compile.ts")).compileCommand(ctx, path!);
  if (isCompilableFolder(resolve(path!))) throw new UsageError(`${path} is a markdown plan or Purple feature folder: use \`purplectl validate --compile ${path}\` (or --report)`);
  const r = await checkPlanAt(resolve(path!), ctx.socket.root);
  if (!r.ok) {
    if (ctx.json) ctx.print("", r.problems);
    else ctx.note(`${path}: ${r.problems.length} problem(s)\n${formatProblems(r.problems)}`);
    return EXIT.failed;
  }
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
    const target = placeFolder(abs, ctx.requireRoot());
    ctx.print(`submitted ${path} → ${target}; it waits for \`purplectl approve\` once compiled (see its intake-report.md)`, { path: target });
    return EXIT.ok;
  }
  const r = await checkPlanAt(abs, ctx.socket.root);
  if (!r.ok) {
    ctx.note(`purplectl: ${path} was not submitted: ${r.problems.length} problem(s)\n${formatProblems(r.problems)}`);
    return EXIT.failed;
  }
  let client;
  try {
    client = await ctx.connect();
  } catch (err) {
    if (!(err instanceof NoDaemonError)) throw err;
    const target = submitToInbox(abs, r.plan, ctx.requireRoot());
    ctx.print(`submitted ${r.plan.name} → ${target}\n(daemon not running: placed in the inbox; purpled picks it up when it starts)`, { plan: r.plan.name, path: target, daemon: false });
    return EXIT.ok;
  }
  const result = await client.call("plan.submit", { path: abs });
  ctx.print(`submitted ${result.plan} to purpled; follow it with \`purplectl watch ${result.plan}\``, { ...result, daemon: true });
  return EXIT.ok;
}
