// `purplectl plan PATH|PLAN`: a dry run that starts nothing and spends nothing — the schedule the
// plan would follow (who runs together under maxAgents, the critical path) and what it may cost
// (a range per agent and in all, with the assumptions behind it).
import { existsSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { PurpleError } from "../../protocol/errors.ts";
import { PLAN_NAME_PATTERN, type Plan } from "../../protocol/plan.ts";
import type { Ctx } from "../context.ts";
import { EXIT, UsageError } from "../errors.ts";
import { orchestrationOf } from "../find-root.ts";
import { checkPlanAt } from "../offline.ts";
import { formatProblems } from "../problems.ts";
import { isCompilableFolder } from "../../inbox/submit.ts";
import { estimatePlan, type Estimate } from "../dry-run/estimate.ts";
import { scheduleOf, type Schedule } from "../dry-run/schedule.ts";
import { cut, table } from "../table.ts";

/** Print the schedule and the cost range; exit 1 when the plan does not check. */
export async function planCommand(ctx: Ctx, [arg]: string[]): Promise<number> {
  const found = await load(ctx, arg!);
  if (!found.plan) {
    ctx.note(`purplectl: ${arg} has ${found.problems.length} problem(s)\n${formatProblems(found.problems)}`);
    return EXIT.failed;
  }
  const { plan, dir } = found;
  const specBytes = plan.contracts.map((c) => (c.spec ? sizeOf(join(dir, c.spec)) : 0));
  const schedule = scheduleOf(plan);
  const estimate = estimatePlan(plan, specBytes);
  ctx.print(render(plan, schedule, estimate), { plan: plan.name, schedule, estimate });
  return EXIT.ok;
}

type Loaded = { plan: Plan; dir: string; problems: [] } | { plan: null; problems: { path: string; message: string }[] };

// A path (plan file, plan folder, markdown or Purple folder), else the name of a plan under O/.
async function load(ctx: Ctx, arg: string): Promise<Loaded> {
  const abs = resolve(arg);
  if (existsSync(abs)) {
    if (isCompilableFolder(abs)) {
      const r = await (await import("./compile.ts")).compileAndCheck(abs, ctx.socket.root);
      return r.plan ? { plan: r.plan, dir: abs, problems: [] } : { plan: null, problems: r.problems };
    }
    const r = await checkPlanAt(abs, ctx.socket.root);
    const dir = statSync(abs).isDirectory() ? abs : dirname(abs);
    return r.ok ? { plan: r.plan, dir, problems: [] } : { plan: null, problems: r.problems };
  }
  if (!PLAN_NAME_PATTERN.test(arg)) throw new UsageError(`${arg} is neither a file nor a folder nor a plan name`);
  const dir = join(orchestrationOf(ctx.requireRoot()), arg);
  const file = ["plan.yaml", "plan.compiled.yaml"].map((f) => join(dir, f)).find((f) => existsSync(f));
  if (!file) throw new PurpleError("PLAN_NOT_FOUND", `no file or folder ${arg}, and no plan ${arg} under ${ctx.requireRoot()}`);
  const r = await checkPlanAt(file, ctx.socket.root);
  return r.ok ? { plan: r.plan, dir, problems: [] } : { plan: null, problems: r.problems };
}

function render(plan: Plan, s: Schedule, e: Estimate): string {
  const out = [`${plan.name}: ${plan.agents.length} agent(s) in ${plan.waves.length} wave(s), at most ${plan.maxAgents} at once — a dry run: nothing started, nothing spent`, ""];
  out.push("schedule (each numbered step: agents that start together, each one attempt of unknown length)");
  let step = 0;
  for (const w of s.waves) {
    out.push(`  ${w.wave}${w.title ? ` (${w.title})` : ""}`);
    for (const agents of w.steps) out.push(`    ${++step}. ${agents.join(", ")}`);
    out.push(`    gate: ${gateLine(w.gate)}`);
  }
  out.push(`${s.steps} step(s); at most ${s.widest} agent(s) at once`);
  out.push(`critical path (${s.criticalPath.length} agent(s) one after another, a gate between waves): ${s.criticalPath.join(" → ")}`, "");
  out.push("cost estimate (USD)");
  const rows = e.agents.map((a) => [a.agent, a.runner, a.model ?? "-", a.promptTokens ? `~${a.promptTokens.toLocaleString("en-US")}` : "-", usd(a.low), usd(a.high) + (a.capUsd !== null && a.high >= a.capUsd ? " (its budget)" : ""), a.note]);
  rows.push(["total", "", "", "", usd(e.low), usd(e.high) + (e.capUsd !== null && e.high >= e.capUsd ? " (the plan's budget)" : "")]);
  out.push(table(["AGENT", "RUNNER", "MODEL", "PROMPT TOKENS", "LOW", "HIGH", "NOTE"], rows));
  out.push("", "assumptions:", ...e.assumptions.map((a) => `  - ${a}`));
  return out.join("\n");
}

// A long gate (corpus plans list a dozen checks) as its count, its kinds and the first few.
function gateLine(checks: string[]): string {
  if (checks.length === 0) return "none";
  const kinds = new Map<string, number>();
  for (const c of checks) kinds.set(c.split(" ")[0]!, (kinds.get(c.split(" ")[0]!) ?? 0) + 1);
  const head = checks.length > 3 ? `${checks.length} checks (${[...kinds].map(([k, n]) => `${n} ${k}`).join(", ")}): ` : "";
  return cut(head + checks.slice(0, 3).join("; ") + (checks.length > 3 ? "; …" : ""), 160);
}

const usd = (n: number): string => `$${n < 0.01 && n > 0 ? n.toFixed(3) : n.toFixed(2)}`;

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
