// bun bench/corpus-score.ts [DIR] [LABELS] [--part dev|held-out|all]: compile every markdown plan
// folder of DIR and score the result against hand-made labels (waves, agents, agent→wave, territory
// paths, gate commands). LABELS defaults to DIR/labels.json, else the corpus's labels.json.
// bench/corpus-holdout.json names the plans kept apart while the compiler was developed: `--part
// dev` scores the others, `--part held-out` only those (a rule that only fits the plans it was
// tuned on shows as a gap between the two). Prints a table per plan, then as the last line one JSON
// object with the overall figures. agentExact compares the compiled agents with the labelled ones
// (the compiler invents no agent: a wave the plan gives no agent of its own is a gate-only wave,
// and the labels never count the orchestrator). bench/blind*/ hold plans
// of our own, each set with its labels.json, scored the same way (`bun bench/corpus-score.ts bench/blind`).
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { compileMarkdownPlan, readMarkdownFolder } from "../inbox/markdown/compile.ts";
import { commandOfManual } from "../inbox/markdown/unattended.ts";
import type { PlanInput } from "../protocol/plan.ts";

interface LabelWave {
  number: number;
  title?: string;
  agents: string[];
  gateCommands: string[];
}
interface LabelAgent {
  id: string;
  name?: string;
  waves: number[];
  territory: string[];
}
interface Label {
  waves: LabelWave[];
  agents: LabelAgent[];
}

type AgentIn = PlanInput["agents"][number];

const repo = join(import.meta.dir, "..");
const args = process.argv.slice(2);
const partAt = args.indexOf("--part");
const part = partAt >= 0 ? args.splice(partAt, 2)[1] : "all";
if (part !== "all" && part !== "dev" && part !== "held-out") {
  console.error("usage: bun bench/corpus-score.ts [DIR] [LABELS] [--part dev|held-out|all]");
  process.exit(2);
}
const dir = resolve(args[0] ?? join(repo, "..", "shared", "corpus", "context-kit"));
const labelsPath = resolve(args[1] ?? (existsSync(join(dir, "labels.json")) ? join(dir, "labels.json") : join(repo, "..", "shared", "corpus", "labels.json")));
if (!existsSync(dir) || !existsSync(labelsPath)) {
  console.error(`usage: bun bench/corpus-score.ts [DIR] [LABELS] [--part dev|held-out|all]  (missing ${existsSync(dir) ? labelsPath : dir})`);
  process.exit(2);
}
const labels = normaliseLabels(JSON.parse(readFileSync(labelsPath, "utf8")));
const heldOut = new Set<string>(JSON.parse(readFileSync(join(import.meta.dir, "corpus-holdout.json"), "utf8")).plans);

const total = { plans: 0, waveExact: 0, agentExact: 0, assignOk: 0, assignN: 0, tp: 0, labelled: 0, compiled: 0, gateHit: 0, gateN: 0 };
const rows: string[][] = [["plan", "waves L/C", "agents L/C", "assign", "terr recall", "terr precision", "gate recall", "items"]];
for (const name of readdirSync(dir).sort()) {
  const folder = join(dir, name);
  if (!statSync(folder).isDirectory()) continue;
  if ((part === "dev" && heldOut.has(name)) || (part === "held-out" && !heldOut.has(name))) continue;
  const label = labels[name];
  if (!label) {
    console.log(`skip ${name}: not in the labels`);
    continue;
  }
  const started = performance.now();
  const result = compileMarkdownPlan(readMarkdownFolder(folder), { name, defaults: { runner: "anthropic" } });
  const ms = performance.now() - started;
  const s = score(label, result.plan);
  total.plans++;
  total.waveExact += s.waveExact ? 1 : 0;
  total.agentExact += s.agentExact ? 1 : 0;
  total.assignOk += s.assignOk;
  total.assignN += s.assignN;
  total.tp += s.tp;
  total.labelled += s.labelled;
  total.compiled += s.compiled;
  total.gateHit += s.gateHit;
  total.gateN += s.gateN;
  rows.push([
    name.length > 44 ? name.slice(0, 43) + "…" : name,
    `${label.waves.length}/${result.plan.waves.length}`,
    `${label.agents.length}/${result.plan.agents.length}`,
    `${s.assignOk}/${s.assignN}`,
    `${s.tp}/${s.labelled}`,
    `${s.tp}/${s.compiled}`,
    `${s.gateHit}/${s.gateN}`,
    `${result.items.length} (${ms.toFixed(0)} ms)`,
  ]);
}
printTable(rows);
const f = (a: number, b: number): number => Number((b === 0 ? 1 : a / b).toFixed(3));
console.log(
  JSON.stringify({
    part,
    plans: total.plans,
    waveExact: f(total.waveExact, total.plans),
    agentExact: f(total.agentExact, total.plans),
    assignment: f(total.assignOk, total.assignN),
    territoryRecall: f(total.tp, total.labelled),
    territoryPrecision: f(total.tp, total.compiled),
    gateRecall: f(total.gateHit, total.gateN),
  }),
);

function score(label: Label, plan: PlanInput) {
  const waves = plan.waves;
  const agents = plan.agents;
  // The labelled wave number a compiled wave stands for: same position when the counts agree,
  // else the number in its id when the labels have it, else its position.
  const numbers = label.waves.map((w) => w.number);
  const waveNumber = (k: number): number | undefined => {
    if (waves.length === label.waves.length) return label.waves[k]?.number;
    const n = Number(/(\d+)(?!.*\d)/.exec(waves[k]!.id)?.[1]);
    return numbers.includes(n) ? n : label.waves[k]?.number;
  };
  const pairs = matchAgents(label.agents, agents);
  let assignOk = 0, tp = 0, labelled = 0, compiled = 0;
  const matched = new Set<AgentIn>();
  for (const la of label.agents) {
    const ca = pairs.get(la);
    const lt = new Set(la.territory.map(normPath));
    labelled += lt.size;
    if (!ca) continue;
    matched.add(ca);
    const k = waves.findIndex((w) => w.agents.includes(ca.id));
    if (k >= 0 && la.waves.includes(waveNumber(k) ?? -1)) assignOk++;
    const ct = new Set((ca.territory ?? []).map(normPath));
    compiled += ct.size;
    for (const p of lt) if (ct.has(p)) tp++;
  }
  for (const ca of agents) if (!matched.has(ca)) compiled += new Set((ca.territory ?? []).map(normPath)).size;
  let gateHit = 0, gateN = 0;
  label.waves.forEach((lw) => {
    const k = waves.findIndex((_, i) => waveNumber(i) === lw.number);
    const runs = new Set(
      // A command that needs a person is found too when it became a manual check showing it.
      (k >= 0 ? (waves[k]!.gate ?? []) : []).flatMap((c) =>
        "run" in c ? [normCmd(typeof c.run === "string" ? c.run : c.run.command)] : "manual" in c && commandOfManual(c.manual) !== null ? [normCmd(commandOfManual(c.manual)!)] : [],
      ),
    );
    for (const cmd of new Set(lw.gateCommands.map(normCmd))) {
      gateN++;
      if (runs.has(cmd)) gateHit++;
    }
  });
  return {
    waveExact: waves.length === label.waves.length,
    agentExact: agents.length === label.agents.length,
    assignOk,
    assignN: label.agents.length,
    tp,
    labelled,
    compiled,
    gateHit,
    gateN,
  };
}

// Labelled agent → compiled agent: the same id, else the most similar name (token overlap ≥ 0.5).
function matchAgents(labelled: readonly LabelAgent[], compiled: readonly AgentIn[]): Map<LabelAgent, AgentIn> {
  const out = new Map<LabelAgent, AgentIn>();
  const taken = new Set<AgentIn>();
  for (const la of labelled) {
    const hit = compiled.find((c) => c.id === la.id);
    if (hit) {
      out.set(la, hit);
      taken.add(hit);
    }
  }
  for (const la of labelled) {
    if (out.has(la)) continue;
    let best: AgentIn | undefined;
    let bestScore = 0.5;
    for (const c of compiled) {
      if (taken.has(c)) continue;
      const sim = Math.max(similarity(la.id, c.id), similarity(la.name ?? la.id, c.name ?? c.id));
      if (sim >= bestScore) {
        bestScore = sim;
        best = c;
      }
    }
    if (best) {
      out.set(la, best);
      taken.add(best);
    }
  }
  return out;
}

function similarity(a: string, b: string): number {
  const ta = new Set(a.toLowerCase().split(/[^a-z0-9]+/).filter(Boolean));
  const tb = new Set(b.toLowerCase().split(/[^a-z0-9]+/).filter(Boolean));
  let inter = 0;
  for (const t of ta) if (tb.has(t)) inter++;
  return inter / Math.max(1, ta.size + tb.size - inter);
}

// Labels as written, with missing lists read as empty (any labels file of this layout scores).
function normaliseLabels(raw: unknown): Record<string, Label> {
  const out: Record<string, Label> = {};
  if (!raw || typeof raw !== "object") return out;
  const list = (x: unknown): unknown[] => (Array.isArray(x) ? x : []);
  const strings = (x: unknown): string[] => list(x).filter((s): s is string => typeof s === "string");
  for (const [name, v] of Object.entries(raw as Record<string, Record<string, unknown>>)) {
    if (!v || typeof v !== "object") continue;
    const waves = list(v.waves).map((w, k) => {
      const o = (w ?? {}) as Record<string, unknown>;
      return { number: typeof o.number === "number" ? o.number : k + 1, agents: strings(o.agents), gateCommands: strings(o.gateCommands) };
    });
    const agents = list(v.agents).map((a) => {
      const o = (a ?? {}) as Record<string, unknown>;
      return { id: String(o.id ?? ""), ...(typeof o.name === "string" ? { name: o.name } : {}), waves: list(o.waves).filter((n): n is number => typeof n === "number"), territory: strings(o.territory) };
    });
    out[name] = { waves, agents };
  }
  return out;
}

function normPath(p: string): string {
  let s = p.trim().replace(/`/g, "");
  while (s.startsWith("./")) s = s.slice(2);
  return s.replace(/^\/+/, "").replace(/\/+$/, "");
}

function normCmd(c: string): string {
  return c.replace(/\s+/g, " ").trim();
}

function printTable(table: string[][]): void {
  const widths = table[0]!.map((_, k) => Math.max(...table.map((r) => r[k]!.length)));
  table.forEach((r, i) => {
    console.log(r.map((c, k) => c.padEnd(widths[k]!)).join("  "));
    if (i === 0) console.log(widths.map((w) => "-".repeat(w)).join("  "));
  });
}
