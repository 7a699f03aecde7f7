// `purplectl plan`: the dry run. The schedule follows maxAgents and dependsOn, the critical path
// is the longest chain, the cost range comes from the price table with its assumptions printed,
// and nothing is started (no daemon is needed, none is asked).
import { expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, realpathSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import YAML from "yaml";
import { Plan } from "../protocol/plan.ts";
import { costOf } from "../protocol/pricing.ts";
import { conversationCost, estimatePlan, HIGH, LOW } from "../ctl/dry-run/estimate.ts";
import { scheduleOf } from "../ctl/dry-run/schedule.ts";
import { ctl } from "./ctl-fake-daemon.ts";

const REPO = join(import.meta.dir, "..");
const CORPUS = join(REPO, "..", "shared", "corpus", "context-kit");

const plan = (over: Record<string, unknown>) =>
  Plan.parse({ apiVersion: "purple/v1", name: "p", agents: [{ id: "a" }, { id: "b" }, { id: "c" }], waves: [{ id: "w1", agents: ["a", "b", "c"] }], ...over });

test("the schedule: at most maxAgents per step, dependencies first, the longest chain as the critical path", () => {
  expect(scheduleOf(plan({ maxAgents: 2 })).waves[0]!.steps).toEqual([["a", "b"], ["c"]]);
  const chained = scheduleOf(plan({ agents: [{ id: "a" }, { id: "b", dependsOn: ["a"] }, { id: "c", dependsOn: ["b"] }] }));
  expect(chained.waves[0]!.steps).toEqual([["a"], ["b"], ["c"]]);
  expect(chained.criticalPath).toEqual(["a", "b", "c"]);
  const twoWaves = scheduleOf(plan({ waves: [{ id: "w1", agents: ["a", "b"] }, { id: "w2", agents: ["c"] }] }));
  expect(twoWaves).toMatchObject({ steps: 2, widest: 2, criticalPath: ["a", "c"] });
});

test("the cost range: command agents cost nothing, model agents are priced per the table, budgets cap the high end", () => {
  const p = plan({ agents: [{ id: "a", runner: { kind: "command", command: ["true"] } }, { id: "b" }, { id: "c", budgetUsd: 0.5 }], defaults: { retries: 2 } });
  const e = estimatePlan(p, []);
  expect(e.agents[0]).toMatchObject({ runner: "command", low: 0, high: 0 });
  const b = e.agents[1]!;
  expect(b.low).toBeCloseTo(conversationCost("claude-sonnet-5-5", b.promptTokens, LOW), 10);
  expect(b.high).toBeCloseTo(3 * conversationCost("claude-sonnet-5-5", b.promptTokens, HIGH), 10); // 1 + 2 retries
  expect(e.agents[2]!.high).toBe(0.5);
  expect(e.low).toBeCloseTo(b.low + e.agents[2]!.low, 10);
  // One turn by hand: the prompt written to the cache, nothing read yet, the output.
  const one = { turns: 1, growthTokens: 0, outputTokens: 100, attempts: "one" as const };
  expect(conversationCost("claude-sonnet-5-5", 1000, one)).toBeCloseTo(costOf("claude-sonnet-5-5", { inputTokens: 0, outputTokens: 100, cacheReadTokens: 0, cacheWriteTokens: 1100 }), 12);
  expect(estimatePlan(plan({ budgetUsd: 0.01 }), []).high).toBe(0.01);
});

test("purplectl plan demo/plan.yaml: the schedule, the critical path, a cost range per agent and in all, the assumptions", async () => {
  const r = await ctl(["plan", join(REPO, "demo", "plan.yaml")]);
  expect(r.err).toBe("");
  expect(r.code).toBe(0);
  expect(r.out).toContain("hello-purple: 3 agent(s) in 2 wave(s), at most 2 at once");
  expect(r.out).toMatch(/wave-1 \(Content and style\)\n\s+1\. content, style\n\s+gate: exists site\/content\/greeting.txt/);
  expect(r.out).toMatch(/wave-2 \(The page\)\n\s+2\. page/);
  expect(r.out).toContain("critical path (2 agent(s) one after another, a gate between waves): content → page");
  expect(r.out).toMatch(/content\s+anthropic\s+claude-sonnet-5-5\s+~[\d,]+\s+\$\d+\.\d+\s+\$\d+\.\d+/);
  expect(r.out).toMatch(/total\s+\$\d+\.\d+\s+\$2\.00 \(the plan's budget\)/);
  expect(r.out).toContain("assumptions:\n  - low: one attempt per agent, 8 turns");
  const j = JSON.parse((await ctl(["--json", "plan", join(REPO, "demo", "plan.yaml")])).out);
  expect(j.schedule.waves.map((w: { steps: string[][] }) => w.steps)).toEqual([[["content", "style"]], [["page"]]]);
  expect(j.estimate.low).toBeGreaterThan(0);
  expect(j.estimate.high).toBeGreaterThan(j.estimate.low);
});

test("purplectl plan refuses a broken plan with every problem, and takes a plan's name in the project", async () => {
  const root = realpathSync(mkdtempSync(join(tmpdir(), "purple-dry-")));
  const bad = join(root, "bad.yaml");
  writeFileSync(bad, YAML.stringify({ apiVersion: "purple/v1", name: "bad", agents: [{ id: "a", dependsOn: ["zz"] }], waves: [{ id: "w", agents: ["a", "q"] }] }));
  const r = await ctl(["plan", bad], { cwd: root });
  expect(r.code).toBe(1);
  expect(r.err).toContain("zz");
  expect(r.err).toContain("q");
  const o = join(root, ".context-kit", "orchestration", "named");
  mkdirSync(o, { recursive: true });
  writeFileSync(join(o, "plan.yaml"), YAML.stringify({ apiVersion: "purple/v1", name: "named", agents: [{ id: "a" }], waves: [{ id: "w", agents: ["a"] }] }));
  const named = await ctl(["plan", "named"], { cwd: root });
  expect(named.code).toBe(0);
  expect(named.out).toContain("named: 1 agent(s) in 1 wave(s)");
});

test.skipIf(!existsSync(CORPUS))("purplectl plan on a compiled corpus plan: its schedule and cost range", async () => {
  const folder = join(CORPUS, readdirSync(CORPUS).sort().find((d) => d.endsWith("research-bot")) ?? readdirSync(CORPUS).sort()[0]!);
  const r = await ctl(["plan", folder]);
  expect(r.err).toBe("");
  expect(r.code).toBe(0);
  expect(r.out).toMatch(/agent\(s\) in \d+ wave\(s\), at most \d+ at once/);
  expect(r.out).toMatch(/\n\s+1\. \S+/);
  expect(r.out).toContain("critical path (");
  expect(r.out).toMatch(/total\s+\$\d+\.\d+\s+\$\d+\.\d+/);
  expect(r.out).toContain("assumptions:");
});
