// Makespan benchmark (issue 16): how long plans take through the real engine, against the lower
// bound that their dependencies and capacity allow. Agent durations are lognormal around 10 min
// (sigma 0.5), every gate takes 3 min; time is compressed (1 simulated minute = MS_PER_MIN ms of
// real time) and an in-process runner sleeps each agent's duration. Plans: a generated one of
// 5 waves × 6 agents, and the 13 compiled corpus plans (../shared/corpus/context-kit, when present)
// with the same duration model, every runner replaced by the simulated one and every gate by one
// 3-minute check.
//
// Lower bound, per wave: max(longest dependency chain, work ÷ the plan's maxAgents), plus the gate;
// summed over waves. Strict waves cannot beat it; speculation (`speculate: true`: a wave's agents
// start while the previous gate runs, their changes held until it passes) can, by up to the gates
// with agents after them ("floor": the bound with every such gate overlapped by later agents' work;
// a gate with only gate-only waves after it has nothing to overlap).
//
// Gate failures: with MAKESPAN_FAIL (default 0.2) each gate between waves fails its first run with
// that chance (seeded, the same waves for strict and speculative runs). A repair round follows (the
// plan's default rounds): the gate's failure names no file, so the whole wave runs again, then the
// gate, which passes. (A plan with no rounds left would block; the benchmark resumes it at once.)
// A failed gate discards the speculative attempts under way: the table shows how many of the
// speculative attempts started were discarded.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Plan, type PlanEvent, type PlanInput } from "../protocol/index.ts";
import { silentLogger } from "../lib/logger.ts";
import { compilableKind, compileFolder } from "../inbox/compile-folder.ts";
import { DaemonConfig } from "../protocol/config.ts";
import { compileDefaultsOf } from "../inbox/config.ts";
import { Engine } from "../daemon/engine/engine.ts";
import type { Runner } from "../daemon/runners/runner.ts";
import { resumePlan } from "../daemon/engine/control.ts";

const MS_PER_MIN = Number(process.env.MAKESPAN_MS_PER_MIN ?? 20);
const FAIL = Number(process.env.MAKESPAN_FAIL ?? 0.2);
const GATE_MIN = 3;
const CORPUS = join(import.meta.dir, "..", "..", "shared", "corpus", "context-kit");

/** A seeded PRNG (mulberry32), so every run draws the same durations. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Lognormal minutes with median 10 and sigma 0.5 (Box–Muller). */
function durations(ids: readonly string[], seed: number): Map<string, number> {
  const rnd = prng(seed);
  const out = new Map<string, number>();
  for (const id of ids) {
    const z = Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
    out.set(id, 10 * Math.exp(0.5 * z));
  }
  return out;
}

/** The plan as the simulation runs it: every agent on the simulated runner, every gate one 3-minute check that fails once where `failMarks/<wave>` exists. */
function simulated(input: PlanInput, speculate: boolean, failMarks: string): Plan {
  const plan = Plan.parse(input);
  const sleep = ((GATE_MIN * MS_PER_MIN) / 1000).toFixed(3);
  const gate = (wave: string) => [{ run: `sleep ${sleep}; if [ -e ${failMarks}/${wave} ]; then rm ${failMarks}/${wave}; exit 1; fi` }];
  return Plan.parse({
    ...input,
    speculate,
    defaults: { ...plan.defaults, runner: "command", retries: 0, timeout: "1h" },
    agents: plan.agents.map((a) => ({ ...a, runner: undefined, retries: undefined, timeout: undefined })),
    waves: plan.waves.map((w) => ({ ...w, gate: w.gate.length ? gate(w.id) : [] })),
    contracts: plan.contracts.map((c) => ({ ...c, checks: [] })),
  });
}

/** The lower bound in simulated minutes (see the header). */
function lowerBound(plan: Plan, minutes: Map<string, number>): number {
  const byId = new Map(plan.agents.map((a) => [a.id, a]));
  let total = 0;
  for (const w of plan.waves) {
    const inWave = new Set(w.agents);
    const chain = new Map<string, number>();
    const longest = (id: string): number => {
      const seen = chain.get(id);
      if (seen !== undefined) return seen;
      const deps = byId.get(id)!.dependsOn.filter((d) => inWave.has(d));
      const v = minutes.get(id)! + Math.max(0, ...deps.map(longest));
      chain.set(id, v);
      return v;
    };
    const work = w.agents.reduce((s, id) => s + minutes.get(id)!, 0);
    total += Math.max(Math.max(0, ...w.agents.map(longest)), work / plan.maxAgents) + (w.gate.length ? GATE_MIN : 0);
  }
  return total;
}

interface Run {
  minutes: number;
  speculativeStarts: number;
  discarded: number;
}

/** Run the plan through the real engine; its makespan in simulated minutes, and what speculation did. `failing`: waves whose gate fails its first run. */
async function makespan(input: PlanInput, speculate: boolean, minutes: Map<string, number>, failing: readonly string[]): Promise<Run> {
  const sim: Runner = {
    writes: "none",
    start: (ctx) => {
      let end!: (cancelled: boolean) => void;
      const done = new Promise<boolean>((resolve) => (end = resolve));
      const timer = setTimeout(() => end(false), minutes.get(ctx.agent.id)! * MS_PER_MIN);
      return {
        pgid: null,
        cancel: () => (clearTimeout(timer), end(true)),
        done: done.then((cancelled) => (cancelled ? { outcome: "cancelled" as const, exitCode: null, signal: null, message: "cancelled" } : { outcome: "finished" as const, exitCode: 0, signal: null, message: "done" })),
      };
    },
  };
  const root = mkdtempSync(join(tmpdir(), "purple-makespan-"));
  const marks = join(root, "fail");
  mkdirSync(marks);
  for (const w of failing) writeFileSync(join(marks, w), "");
  const plan = simulated(input, speculate, marks);
  const run: Run = { minutes: 0, speculativeStarts: 0, discarded: 0 };
  let engine!: Engine;
  const onEvent = (e: PlanEvent) => {
    if (e.type === "agent.state" && e.to === "running" && e.speculative) run.speculativeStarts++;
    if (e.type === "agent.speculation" && e.action === "discarded") run.discarded++;
    // A failed gate: run it again at once (as a person resuming, or a repair round that changes nothing).
    if (e.type === "plan.state" && e.to === "blocked") queueMicrotask(() => resumePlan(engine, plan.name));
  };
  engine = new Engine({ root, maxAgents: 1_000, runners: { command: sim }, auditor: null, logger: silentLogger(), gateEnv: { PATH: process.env.PATH ?? "" }, onEvent });
  const t = performance.now();
  engine.submit({ plan, dir: join(root, ".context-kit", "orchestration", plan.name), hash: "makespan", source: "simulated" });
  let state = await engine.whenEnded(plan.name);
  // blocked by a failed gate: resumed at once (above), so wait on for its real end
  while (state === "blocked" && engine.plans.get(plan.name)!.run.state === "running") state = await engine.whenEnded(plan.name);
  run.minutes = (performance.now() - t) / MS_PER_MIN;
  await engine.drain();
  rmSync(root, { recursive: true, force: true });
  if (state !== "succeeded") throw new Error(`${plan.name} ended ${state}`);
  return run;
}

function generated(): PlanInput {
  const agents = [];
  const waves = [];
  for (let w = 0; w < 5; w++) {
    const ids = Array.from({ length: 6 }, (_, i) => `w${w}-a${i}`);
    for (const id of ids) agents.push({ id, territory: [`src/${id}/`] });
    waves.push({ id: `wave-${w + 1}`, agents: ids, gate: [{ run: "true" }] });
  }
  return { apiVersion: "purple/v1", name: "five-by-six", maxAgents: 6, defaults: { runner: "command" }, agents, waves };
}

interface Row {
  name: string;
  agents: number;
  waves: number;
  bound: number;
  gates: number;
  strict: number;
  spec: number;
  strictFail: number;
  specFail: number;
  failed: number;
  starts: number;
  discarded: number;
}
const rows: Row[] = [];

async function measure(input: PlanInput, seed: number): Promise<void> {
  const plan = Plan.parse(input);
  const minutes = durations(plan.agents.map((a) => a.id), seed);
  const rnd = prng(seed * 7919);
  const between = plan.waves.slice(0, -1).filter((w) => w.gate.length > 0).map((w) => w.id);
  const failing = between.filter(() => rnd() < FAIL);
  const overlappable = plan.waves.filter((w, i) => w.gate.length > 0 && plan.waves.slice(i + 1).some((x) => x.agents.length > 0)).length;
  const strict = await makespan(input, false, minutes, []);
  const spec = await makespan(input, true, minutes, []);
  const strictFail = await makespan(input, false, minutes, failing);
  const specFail = await makespan(input, true, minutes, failing);
  const bound = lowerBound(simulated(input, false, "/nonexistent"), minutes);
  rows.push({ name: plan.name, agents: plan.agents.length, waves: plan.waves.length, bound, gates: overlappable * GATE_MIN, strict: strict.minutes, spec: spec.minutes, strictFail: strictFail.minutes, specFail: specFail.minutes, failed: failing.length, starts: specFail.speculativeStarts, discarded: specFail.discarded });
}

await measure(generated(), 1);
if (existsSync(CORPUS)) {
  const defaults = compileDefaultsOf(DaemonConfig.parse({}), false);
  let seed = 100;
  for (const entry of readdirSync(CORPUS, { withFileTypes: true }).filter((e) => e.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) {
    const dir = join(CORPUS, entry.name);
    const kind = compilableKind(dir);
    if (!kind) continue;
    const name = entry.name.toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 63) || "plan";
    await measure(compileFolder(dir, name, kind, defaults).result.plan, seed++);
  }
} else console.log(`(no corpus at ${CORPUS}: the generated plan only)`);

const f = (n: number, w = 7) => n.toFixed(1).padStart(w);
console.log(`makespan: lognormal agents (median 10 min, sigma 0.5), ${GATE_MIN}-min gates, 1 min = ${MS_PER_MIN} ms; minutes`);
console.log(`bound: critical path and capacity per wave plus its gate; floor: the bound with every gate that has agents after it overlapped`);
console.log(`with failures: each gate between waves fails its first run with chance ${FAIL} (a repair round runs its wave again, then the gate passes); discarded: speculative attempts discarded / started`);
console.log(`${"plan".padEnd(40)} agents waves   bound   floor  strict    spec  spec/strict │ fails  strict    spec  discarded`);
let sums = { strict: 0, spec: 0, strictFail: 0, specFail: 0, starts: 0, discarded: 0 };
for (const r of rows) {
  console.log(`${r.name.slice(0, 40).padEnd(40)} ${String(r.agents).padStart(6)} ${String(r.waves).padStart(5)} ${f(r.bound)} ${f(r.bound - r.gates)} ${f(r.strict)} ${f(r.spec)}  ${(r.spec / r.strict).toFixed(2).padStart(11)} │ ${String(r.failed).padStart(5)} ${f(r.strictFail)} ${f(r.specFail)}  ${`${r.discarded}/${r.starts}`.padStart(9)}`);
  sums = { strict: sums.strict + r.strict, spec: sums.spec + r.spec, strictFail: sums.strictFail + r.strictFail, specFail: sums.specFail + r.specFail, starts: sums.starts + r.starts, discarded: sums.discarded + r.discarded };
}
console.log(`all plans: speculation takes ${((1 - sums.spec / sums.strict) * 100).toFixed(1)}% off strict waves' total makespan (${((1 - sums.specFail / sums.strictFail) * 100).toFixed(1)}% with failing gates); ${sums.discarded} of ${sums.starts} speculative attempts discarded (${sums.starts ? ((sums.discarded / sums.starts) * 100).toFixed(1) : "0"}%)`);
