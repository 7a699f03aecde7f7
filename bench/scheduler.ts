// Scheduler benchmark: a generated plan of 10,000 agents in 100 waves.
//  1. the pure core alone (decide + reduce, agents finishing instantly): decisions per second;
//  2. end to end through the engine with an in-process instant runner and every status file written;
//  3. peak RSS over both.
// Targets: core ≥ 200,000 decisions/s; whole plan with file writes < 15 s; peak RSS < 300 MB.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Plan } from "../protocol/index.ts";
import { silentLogger } from "../lib/logger.ts";
import { checkPlan } from "../inbox/check-plan.ts";
import { decide } from "../daemon/core/decide.ts";
import { DEFAULT_RETRY } from "../daemon/core/outcomes.ts";
import { indexPlan } from "../daemon/core/plan-index.ts";
import { reduce } from "../daemon/core/reduce.ts";
import { initialRunState } from "../daemon/core/state.ts";
import { Engine } from "../daemon/engine/engine.ts";
import type { Runner } from "../daemon/runners/runner.ts";
import { generatePlan } from "./plan-gen.ts";

const AGENTS = Number(process.env.BENCH_AGENTS ?? 10_000);
const WAVES = Number(process.env.BENCH_WAVES ?? 100);
const MAX_AGENTS = 8;

let peakRss = process.memoryUsage().rss;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);

const plan = Plan.parse(generatePlan(AGENTS, WAVES, { maxAgents: MAX_AGENTS }));
let t = performance.now();
const problems = checkPlan(plan);
const checkMs = performance.now() - t;
if (problems.length) throw new Error(`generated plan has problems: ${JSON.stringify(problems.slice(0, 3))}`);

// 1. The pure core: the plan start to end, each started agent finishing at once. Indexing the
// plan (compiling its territories) happens once at acceptance and is timed apart; the run is
// repeated (the first runs warm the JIT up) and the median and best are printed.
t = performance.now();
const index = indexPlan(plan);
const indexMs = performance.now() - t;
const rules = { retry: DEFAULT_RETRY };
const ended = (agent: string) => ({ type: "attempt-ended" as const, agent, outcome: "finished" as const, message: "", trespass: [], validate: false, final: false });
function coreRun(): { ms: number; decisions: number; calls: number } {
  const run = initialRunState(index);
  const plans = [{ index, run }];
  const start = performance.now();
  reduce(index, run, { type: "accept", approval: false }, 0, rules);
  let decisions = 0, calls = 0;
  while (run.state === "queued" || run.state === "running") {
    calls++;
    const { actions } = decide(plans, { maxAgents: MAX_AGENTS }, 0);
    if (actions.length === 0) {
      const first = run.running.values().next();
      if (!first.done) reduce(index, run, ended(first.value), 0, rules);
      else if (run.waves[run.waveIndex]?.state === "validating") reduce(index, run, { type: "gate-ended", passed: true, summary: "" }, 0, rules);
      else throw new Error(`stuck in ${run.state}`);
      continue;
    }
    for (const d of actions) reduce(index, run, d.action, 0, rules);
    decisions += actions.length;
  }
  if (run.state !== "succeeded") throw new Error(`core ended ${run.state}: ${run.reason}`);
  return { ms: performance.now() - start, decisions, calls };
}
const runs = Array.from({ length: 7 }, coreRun);
const rates = runs.map((r) => r.decisions / (r.ms / 1000)).sort((a, b) => a - b);
const { decisions, calls } = runs[0]!;

// 2. End to end: the engine, an instant in-process runner, status files on.
// It finishes on the next turn of the event loop, as a real process exit would arrive, so the
// status writer's flush timer runs during the plan instead of once at the end.
const instant: Runner = {
  start: () => ({
    pgid: null,
    cancel() {},
    done: new Promise((resolve) => setImmediate(() => resolve({ outcome: "finished" as const, exitCode: 0, signal: null, message: "done" }))),
  }),
};
const root = mkdtempSync(join(tmpdir(), "purple-bench-"));
const dir = join(root, ".context-kit", "orchestration", plan.name);
const engine = new Engine({ root, maxAgents: MAX_AGENTS, runners: { command: instant }, auditor: null, logger: silentLogger(), gateEnv: { PATH: process.env.PATH ?? "" } });
t = performance.now();
engine.submit({ plan, dir, hash: "bench", source: "generated" });
const final = await engine.whenEnded(plan.name);
const e2eMs = performance.now() - t;
clearInterval(sampler);
peakRss = Math.max(peakRss, process.memoryUsage().rss);
rmSync(root, { recursive: true, force: true });
if (final !== "succeeded") throw new Error(`engine run ended ${final}`);

const mb = (b: number) => (b / 1024 / 1024).toFixed(0);
console.log(`scheduler: ${AGENTS} agents in ${WAVES} waves, maxAgents ${MAX_AGENTS}`);
console.log(`  plan checks            ${checkMs.toFixed(0)} ms`);
const per = (n: number) => Math.round(n).toLocaleString("en-US");
console.log(`  index the plan         ${indexMs.toFixed(0)} ms (once, at acceptance)`);
console.log(`  core: ${decisions} decisions, ${calls} decide calls per run; median ${per(rates[3]!)} decisions/s, best ${per(rates[6]!)}, first (cold) ${per(runs[0]!.decisions / (runs[0]!.ms / 1000))}   target ≥ 200,000/s`);
console.log(`  end to end with status files: ${(e2eMs / 1000).toFixed(2)} s   target < 15 s`);
console.log(`  peak RSS ${mb(peakRss)} MB   target < 300 MB`);
