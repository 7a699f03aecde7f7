// Makespan benchmark (issue 16): how long plans take through the real engine, against the lower
// bound that their dependencies and capacity allow. Agent durations are lognormal around 10 min
// (sigma 0.5), every gate takes 3 min; time is compressed (1 simulated minute = MS_PER_MIN ms of
// real time) and an in-process runner sleeps each agent's duration. Plans: a generated one of
// 5 waves × 6 agents, and the 13 compiled corpus plans (../shared/corpus/context-kit, when present)
// with the same duration model, every runner replaced by the simulated one and every gate by one
// 3-minute check.
//
// Lower bound, per wave: max(longest dependency chain, work ÷ the plan's maxAgents), plus the gate;
// summed over waves. Strict waves cannot beat it; speculative next waves (starting a wave while the
// previous gate runs) could, by up to the gates' time. Speculation is not built yet (issue 16 stays
// open), so this prints strict waves against the bound only.
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Plan, type PlanInput } from "../protocol/index.ts";
import { silentLogger } from "../lib/logger.ts";
import { compilableKind, compileFolder } from "../inbox/compile-folder.ts";
import { DaemonConfig } from "../protocol/config.ts";
import { compileDefaultsOf } from "../inbox/config.ts";
import { Engine } from "../daemon/engine/engine.ts";
import type { Runner } from "../daemon/runners/runner.ts";

const MS_PER_MIN = Number(process.env.MAKESPAN_MS_PER_MIN ?? 20);
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

/** The plan as the simulation runs it: every agent on the simulated runner, every gate one 3-minute check. */
function simulated(input: PlanInput): Plan {
  const plan = Plan.parse(input);
  const gate = [{ run: `sleep ${((GATE_MIN * MS_PER_MIN) / 1000).toFixed(3)}` }];
  return Plan.parse({
    ...input,
    defaults: { ...plan.defaults, runner: "command", retries: 0, timeout: "1h" },
    agents: plan.agents.map((a) => ({ ...a, runner: undefined, retries: undefined, timeout: undefined })),
    waves: plan.waves.map((w) => ({ ...w, gate: w.gate.length ? gate : [] })),
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

/** Run the plan through the real engine; its makespan in simulated minutes. */
async function makespan(plan: Plan, minutes: Map<string, number>): Promise<number> {
  const sim: Runner = {
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
  const engine = new Engine({ root, maxAgents: 1_000, runners: { command: sim }, auditor: null, logger: silentLogger(), gateEnv: { PATH: process.env.PATH ?? "" } });
  const t = performance.now();
  engine.submit({ plan, dir: join(root, ".context-kit", "orchestration", plan.name), hash: "makespan", source: "simulated" });
  const state = await engine.whenEnded(plan.name);
  const ms = performance.now() - t;
  await engine.drain();
  rmSync(root, { recursive: true, force: true });
  if (state !== "succeeded") throw new Error(`${plan.name} ended ${state}`);
  return ms / MS_PER_MIN;
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

const rows: { name: string; agents: number; waves: number; strict: number; bound: number; gates: number }[] = [];
async function measure(input: PlanInput, seed: number): Promise<void> {
  const plan = simulated(input);
  const minutes = durations(plan.agents.map((a) => a.id), seed);
  rows.push({ name: plan.name, agents: plan.agents.length, waves: plan.waves.length, strict: await makespan(plan, minutes), bound: lowerBound(plan, minutes), gates: plan.waves.filter((w, i) => w.gate.length && i < plan.waves.length - 1).length * GATE_MIN });
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

console.log(`makespan: lognormal agents (median 10 min, sigma 0.5), ${GATE_MIN}-min gates, 1 min = ${MS_PER_MIN} ms; minutes`);
console.log(`${"plan".padEnd(44)} agents waves  strict   bound  strict/bound  gates between waves (what speculation could overlap)`);
for (const r of rows) console.log(`${r.name.slice(0, 44).padEnd(44)} ${String(r.agents).padStart(6)} ${String(r.waves).padStart(5)} ${r.strict.toFixed(1).padStart(7)} ${r.bound.toFixed(1).padStart(7)}  ${(r.strict / r.bound).toFixed(2).padStart(12)}  ${r.gates.toFixed(0).padStart(5)}`);
console.log("speculative next waves: not built yet (issue 16), so no speculative column and no discard rate");
