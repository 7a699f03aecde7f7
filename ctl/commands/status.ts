// `purplectl status [PLAN]`: daemon.status (the plans) or plan.get (one plan) over the socket.
// With no daemon it still shows what the status files say, marked as such on stderr: the files
// answer the question, so the exit code is the plan's, as it would be with a daemon.
import { TERMINAL_PLAN_STATES } from "../../protocol/status.ts";
import type { Ctx } from "../context.ts";
import type { Rejection } from "../../protocol/rpc.ts";
import type { Client } from "../client.ts";
import { EXIT, NoDaemonError, RpcCallError } from "../errors.ts";
import { renderDaemonStatus, renderPlanDetail, renderPlans, renderRejections } from "../render.ts";
import { readPlanDetail, readPlanSummaries } from "../status-files.ts";
import { outputWidth } from "../table.ts";

const OFFLINE = "(daemon not running: read from files)";

/** Show the plans or one plan; exit 1 when the plan failed, was blocked or cancelled. */
export async function status(ctx: Ctx, [plan]: string[]): Promise<number> {
  let client;
  try {
    client = await ctx.connect();
  } catch (err) {
    if (err instanceof NoDaemonError && ctx.socket.root) return offline(ctx, ctx.socket.root, plan, err);
    throw err;
  }
  if (plan === undefined) {
    const s = await client.call("daemon.status");
    const rejections = await recentRejections(client);
    const width = outputWidth(ctx.flags.wide);
    const text = renderDaemonStatus(s, width) + (rejections.length ? `\n\n${renderRejections(rejections, width)}` : "");
    ctx.print(text, rejections.length ? { ...s, rejections } : s);
    return EXIT.ok;
  }
  const detail = await client.call("plan.get", { plan });
  ctx.print(renderPlanDetail(detail, outputWidth(ctx.flags.wide)), detail);
  return outcomeOf(detail.plan.state);
}

/** plan.rejections, or none from a daemon that predates it. */
async function recentRejections(client: Client): Promise<Rejection[]> {
  try {
    return await client.call("plan.rejections");
  } catch (err) {
    if (err instanceof RpcCallError && err.dataCode === "METHOD_NOT_FOUND") return [];
    throw err;
  }
}

/** 1 for a plan that ended badly, else 0. */
export const outcomeOf = (state: string): number => (state !== "succeeded" && (TERMINAL_PLAN_STATES as readonly string[]).includes(state) ? EXIT.failed : EXIT.ok);

function offline(ctx: Ctx, root: string, plan: string | undefined, err: NoDaemonError): number {
  ctx.note(`purplectl: ${err.message}\n${OFFLINE}`);
  if (plan === undefined) {
    const plans = readPlanSummaries(root);
    ctx.print(renderPlans(plans, outputWidth(ctx.flags.wide)), { offline: true, root, plans });
    return EXIT.ok;
  }
  const detail = readPlanDetail(root, plan);
  if (!detail) {
    ctx.note(`purplectl: no plan ${plan} under ${root} (or it has no status yet)`);
    return EXIT.failed;
  }
  ctx.print(renderPlanDetail(detail, outputWidth(ctx.flags.wide)), detail);
  return outcomeOf(detail.plan.state);
}
