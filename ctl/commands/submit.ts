// submit PATH, lean: a plan file goes straight to the daemon (plan.submit), which checks it exactly
// as the inbox would and starts it, so nothing purplectl loads (zod, yaml, the inbox's checks) is
// waited for before the first agent runs. When the daemon refuses it, the offline check runs and
// speaks first, as it did when it ran before the daemon was asked: the same problems, the same
// codes. With no daemon, or for a markdown or Purple folder, submit is checked offline
// (plan-files.ts) as always.
import { resolve } from "node:path";
import { mayBeCompilable } from "../../inbox/compilers.ts";
import type { Problem } from "../../protocol/errors.ts";
import type { SubmitResult } from "../../protocol/rpc.ts";
import type { Ctx } from "../context.ts";
import { EXIT, NoDaemonError, RpcCallError } from "../errors.ts";
import { notSubmitted, warn } from "../problems.ts";

export async function submit(ctx: Ctx, [path]: string[]): Promise<number> {
  const abs = resolve(path!);
  if (mayBeCompilable(abs)) {
    const files = await offline();
    if (files.isCompilableFolder(abs)) return files.submitFolder(ctx, path!, abs);
  }
  let client;
  try {
    client = await ctx.connect();
  } catch (err) {
    if (!(err instanceof NoDaemonError)) throw err;
    return (await offline()).submitToInboxChecked(ctx, path!, abs);
  }
  // The daemon checks what it can run (its own key, its PATH) and says what became of the plan.
  let result: SubmitResult;
  try {
    result = await client.call("plan.submit", { path: abs });
  } catch (err) {
    const problems = await (await offline()).offlineProblems(ctx, abs);
    if (problems.length) return notSubmitted(ctx, path!, problems);
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

// The offline side, with zod set up before its schemas are built.
async function offline(): Promise<typeof import("./plan-files.ts")> {
  await import("../zod-config.ts");
  return import("./plan-files.ts");
}
