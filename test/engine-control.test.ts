// The engine's control operations in-process, with a fake runner and a fake auditor whose
// checkpoints the test releases: the windows between a decision and a process are exercised exactly.
// The tests wait on the engine's events and assert their order, never on a number of loop turns.
import { expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Plan, type PlanEvent, type PlanInput } from "../protocol/index.ts";
import { silentLogger } from "../lib/logger.ts";
import type { AuditResult, Auditor } from "../daemon/engine/checkpoints.ts";
import { approvePlan, cancelPlan, pausePlan, resumePlan, retryAgent } from "../daemon/engine/control.ts";
import { Engine } from "../daemon/engine/engine.ts";
import { ScriptedRunner } from "./support/scripted-runner.ts";

/** An auditor whose every checkpoint waits until the test lets it through. */
class HeldAuditor implements Auditor {
  waiting: (() => void)[] = [];
  private held = Promise.withResolvers<void>();
  checkpoint(): Promise<AuditResult> {
    this.held.resolve();
    return new Promise((resolve) => this.waiting.push(() => resolve({ changes: [], violations: [], durationMs: 0 })));
  }
  /** Resolves once a checkpoint is being held. */
  whenHolding(): Promise<void> {
    return this.held.promise;
  }
  releaseAll(): void {
    for (const r of this.waiting.splice(0)) r();
  }
}

/** Every event the engine recorded, and a wait for the first (past or future) that matches. */
class Events {
  readonly seen: PlanEvent[] = [];
  private waiters: { pred: (e: PlanEvent) => boolean; resolve: () => void }[] = [];
  readonly push = (e: PlanEvent) => {
    this.seen.push(e);
    this.waiters = this.waiters.filter((w) => (w.pred(e) ? (w.resolve(), false) : true));
  };
  when(pred: (e: PlanEvent) => boolean): Promise<void> {
    if (this.seen.some(pred)) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ pred, resolve }));
  }
  /** Where the first matching event stands in the order recorded (-1: none). */
  at(pred: (e: PlanEvent) => boolean): number {
    return this.seen.findIndex(pred);
  }
}
const agentTo = (agent: string, to: string, attempt?: number) => (e: PlanEvent) => e.type === "agent.state" && e.agent === agent && e.to === to && (attempt === undefined || e.attempt === attempt);
const planTo = (to: string) => (e: PlanEvent) => e.type === "plan.state" && e.to === to;

function setup(input: Omit<PlanInput, "apiVersion" | "name">, held = true) {
  const runner = new ScriptedRunner();
  const auditor = new HeldAuditor();
  const events = new Events();
  const root = mkdtempSync(join(tmpdir(), "purple-engine-"));
  const engine = new Engine({ root, maxAgents: 10, runners: { command: runner }, auditor: held ? auditor : null, logger: silentLogger(), gateEnv: {}, retry: { baseMs: 1, maxMs: 1 }, flushDelayMs: 1, onEvent: events.push });
  const plan = Plan.parse({ apiVersion: "purple/v1", name: "p", defaults: { runner: "command", retries: 0 }, ...input });
  engine.submit({ plan, dir: join(root, ".context-kit", "orchestration", "p"), hash: "h", source: "test" });
  const entry = engine.plans.get("p")!;
  return { engine, entry, runner, auditor, events };
}

test("a plan cancelled while an agent waits for its pre-start audit never starts that agent", async () => {
  const { engine, entry, runner, auditor } = setup({ agents: [{ id: "a" }], waves: [{ id: "w", agents: ["a"] }] });
  await auditor.whenHolding();
  expect(entry.run.agents.get("a")!.state).toBe("running"); // decided, not yet spawned
  expect(auditor.waiting.length).toBe(1);
  cancelPlan(engine, "p");
  auditor.releaseAll();
  expect(await engine.whenEnded("p")).toBe("cancelled");
  await engine.drain(); // every attempt under way has settled
  expect(runner.started).toEqual([]);
  expect(entry.run.agents.get("a")!.state).toBe("cancelled");
});

test("pause holds new starts, resume goes on; a retried agent of a failed plan runs it again", async () => {
  const { engine, entry, runner, events } = setup({
    agents: [{ id: "a", territory: ["a/"] }, { id: "b", territory: ["b/"], dependsOn: ["a"] }],
    waves: [{ id: "w", agents: ["a", "b"] }],
  }, false);
  await runner.whenStarted("a");
  pausePlan(engine, "p");
  runner.finish("a");
  await events.when(agentTo("a", "completed"));
  resumePlan(engine, "p");
  await runner.whenStarted("b");
  // b's dependency completed while the plan was paused, but b started only once it was resumed
  expect(events.at(agentTo("b", "running", 1))).toBeGreaterThan(events.at((e) => e.type === "plan.state" && e.reason === "resumed"));
  runner.finish("b", false);
  expect(await engine.whenEnded("p")).toBe("failed");
  retryAgent(engine, "p", "b");
  await runner.whenStarted("b", 2);
  expect(entry.run.agents.get("b")!.attempt).toBe(2);
  runner.finish("b");
  await events.when(planTo("succeeded"));
  expect(runner.started).toEqual(["a", "b", "b"]);
});

test("a plan compiled from prose waits in awaiting-approval until it is approved", async () => {
  const runner = new ScriptedRunner();
  const events = new Events();
  const root = mkdtempSync(join(tmpdir(), "purple-engine-"));
  const engine = new Engine({ root, maxAgents: 10, runners: { command: runner }, auditor: null, logger: silentLogger(), gateEnv: {}, flushDelayMs: 1, onEvent: events.push });
  const plan = Plan.parse({ apiVersion: "purple/v1", name: "prose", defaults: { runner: "command", retries: 0 }, agents: [{ id: "a" }], waves: [{ id: "w", agents: ["a"] }] });
  engine.submit({ plan, dir: join(root, "prose"), hash: "h", source: "orchestration-plan.md", approval: true });
  expect(engine.plans.get("prose")!.run.state).toBe("awaiting-approval");
  approvePlan(engine, "prose");
  await runner.whenStarted("a");
  // nothing ran before the approval: a's start comes after the plan left awaiting-approval
  expect(events.at(agentTo("a", "running"))).toBeGreaterThan(events.at((e) => e.type === "plan.state" && e.from === "awaiting-approval"));
  runner.finish("a");
  expect(await engine.whenEnded("prose")).toBe("succeeded");
  expect(runner.started).toEqual(["a"]);
});

test("a plan still awaiting approval is replaced when its sources are compiled again", async () => {
  const root = mkdtempSync(join(tmpdir(), "purple-engine-"));
  const engine = new Engine({ root, maxAgents: 10, runners: {}, auditor: null, logger: silentLogger(), gateEnv: {}, flushDelayMs: 1 });
  const v1 = Plan.parse({ apiVersion: "purple/v1", name: "draft", agents: [{ id: "a" }], waves: [{ id: "w", agents: ["a"] }] });
  const v2 = Plan.parse({ apiVersion: "purple/v1", name: "draft", agents: [{ id: "a" }, { id: "b" }], waves: [{ id: "w", agents: ["a", "b"] }] });
  engine.submit({ plan: v1, dir: join(root, "draft"), hash: "v1", source: "orchestration-plan.md", approval: true });
  engine.submit({ plan: v2, dir: join(root, "draft"), hash: "v2", source: "orchestration-plan.md", approval: true });
  const entry = engine.plans.get("draft")!;
  expect(entry.meta.hash).toBe("v2");
  expect([...entry.index.agents.keys()]).toEqual(["a", "b"]);
  expect(entry.run.state).toBe("awaiting-approval");
});
