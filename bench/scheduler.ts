// Scheduler benchmark: a generated plan of 10,000 agents in 100 waves.
//  1. the pure core alone (decide + apply, agents finishing instantly): decisions per second;
//  2. end to end through the engine with an in-process instant runner and every status file written;
//  3. peak RSS over both.
// Targets: core < 1 s for the 10,000 agents; whole plan with file writes < 15 s; peak RSS < 300 MB.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Plan } from "../protocol/index.ts";
import { silentLogger } from "../lib/logger.ts";
import { checkPlan } from "../inbox/check-plan.ts";
import { applyAction, applyAgentEnded, applyGateEnded, DEFAULT_RETRY } from "../daemon/core/apply.ts";
import { decide } from "../daemon/core/decide.ts";
import { indexPlan } from "../daemon/core/plan-index.ts";
import { initialRunState, setPlanState } from "../daemon/core/state.ts";
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

// 1. The pure core: the plan start to end, each started agent finishing at once.
t = performance.now();
const index = indexPlan(plan);
const run = initialRunState(index);
setPlanState(run, "queued", null, 0);
let decisions = 0, calls = 0;
while (run.state === "queued" || run.state === "running") {
  calls++;
  const actions = decide(index, run, { globalFree: MAX_AGENTS - run.running.size, busy: [] }, 0);
  const acting = actions.filter((a) => a.type !== "wake-at");
  if (acting.length === 0) {
    const first = run.running.values().next();
    if (!first.done) applyAgentEnded(index, run, first.value, { ok: true, validate: false }, 0, DEFAULT_RETRY);
    else if (run.waves[run.waveIndex]?.state === "validating") applyGateEnded(run, true, "", 0);
    else throw new Error(`stuck in ${run.state}`);
    continue;
  }
  for (const a of acting) applyAction(index, run, a, 0);
  decisions += acting.length;
}
const coreMs = performance.now() - t;
if (run.state !== "succeeded") throw new Error(`core ended ${run.state}: ${run.reason}`);

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
console.log(`  core: ${decisions} decisions in ${coreMs.toFixed(0)} ms (${calls} decide calls) = ${Math.round(decisions / (coreMs / 1000)).toLocaleString("en-US")} decisions/s   target < 1000 ms`);
console.log(`  end to end with status files: ${(e2eMs / 1000).toFixed(2)} s   target < 15 s`);
console.log(`  peak RSS ${mb(peakRss)} MB   target < 300 MB`);
