// The commands that change one thing and report the result: approve, pause, resume, cancel
// (a plan, or one agent of it), retry an agent, rerun or forget an ended plan, and stop the daemon.
import type { Ctx } from "../context.ts";
import { EXIT } from "../errors.ts";
import { renderAgent, renderSummary } from "../render.ts";

const PLAN_VERBS = { approve: "plan.approve", pause: "plan.pause", resume: "plan.resume", cancel: "plan.cancel" } as const;
const PAST = { approve: "approved", pause: "paused", resume: "resumed", cancel: "cancelled" } as const;

/** approve|pause|resume|cancel PLAN: the plan's new summary. */
export async function planVerb(ctx: Ctx, verb: keyof typeof PLAN_VERBS, [plan]: string[]): Promise<number> {
  const client = await ctx.connect();
  // --override CHECK[,CHECK…] (WAVE#N of a blocked gate, CONTRACT#N of a contract its breaker blocked): a person passes those failed checks (recorded)
  const override = verb === "approve" && ctx.flags.override ? ctx.flags.override.split(",").map((s: string) => s.trim()).filter(Boolean) : undefined;
  const summary = await client.call(PLAN_VERBS[verb], { plan: plan!, ...(override?.length ? { override } : {}) });
  ctx.print(renderSummary(PAST[verb], summary), summary);
  return EXIT.ok;
}

/** retry PLAN AGENT, cancel PLAN AGENT: the agent's new status. */
export async function agentVerb(ctx: Ctx, verb: "retry" | "cancel", [plan, agent]: string[]): Promise<number> {
  const client = await ctx.connect();
  const note = verb === "retry" ? ctx.flags.note : undefined;
  const status = await client.call(verb === "retry" ? "agent.retry" : "agent.cancel", { plan: plan!, agent: agent!, ...(note ? { note } : {}) });
  ctx.print(renderAgent(verb === "retry" ? "queued for another attempt" : "cancelled", status), status);
  return EXIT.ok;
}

/** rerun PLAN: an ended plan runs again; its earlier run's files are kept under runs/<n>/. */
export async function rerun(ctx: Ctx, [plan]: string[]): Promise<number> {
  const client = await ctx.connect();
  const r = await client.call("plan.rerun", { plan: plan! });
  const kept = r.run === null ? "it had no run files to keep" : `the earlier run's files are kept under ${plan}/runs/${r.run}/`;
  ctx.print(`${plan}: running again (${kept}); follow it with \`purplectl watch ${plan}\``, r);
  return EXIT.ok;
}

/** forget PLAN: drop an ended plan and its run files. */
export async function forget(ctx: Ctx, [plan]: string[]): Promise<number> {
  const client = await ctx.connect();
  const r = await client.call("plan.forget", { plan: plan! });
  const kept = r.sourcesKept ? `; its sources stay in ${r.removed} (purpled compiles them again when it restarts: delete the folder to drop it for good)` : "";
  ctx.print(`${plan}: forgotten; its run files are removed${kept}`, r);
  return EXIT.ok;
}

/** stop: daemon.shutdown; purpled drains (running agents are asked to stop) and exits. */
export async function stop(ctx: Ctx): Promise<number> {
  const client = await ctx.connect();
  const { pid } = await client.call("daemon.status");
  const result = await client.call("daemon.shutdown");
  ctx.print(`purpled (pid ${pid}) is draining: running agents are asked to stop, then it exits`, result);
  return EXIT.ok;
}
