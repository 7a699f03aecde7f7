// The engine's control operations in-process, with a fake runner and a fake auditor whose
// checkpoints the test releases: the windows between a decision and a process are exercised exactly.
import { expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Plan, type PlanInput } from "../protocol/index.ts";
import { silentLogger } from "../lib/logger.ts";
import type { AuditResult, Auditor } from "../daemon/engine/checkpoints.ts";
import { approvePlan, cancelPlan, pausePlan, resumePlan, retryAgent } from "../daemon/engine/control.ts";
import { Engine } from "../daemon/engine/engine.ts";
import { ScriptedRunner } from "./support/scripted-runner.ts";

/** An auditor whose every checkpoint waits until the test lets it through. */
class HeldAuditor implements Auditor {
  waiting: (() => void)[] = [];
  checkpoint(): Promise<AuditResult> {
    return new Promise((resolve) => this.waiting.push(() => resolve({ changes: [], violations: [], durationMs: 0 })));
  }
  releaseAll(): void {
    for (const r of this.waiting.splice(0)) r();
  }
}

function setup(input: Omit<PlanInput, "apiVersion" | "name">) {
  const runner = new ScriptedRunner();
  const auditor = new HeldAuditor();
  const root = mkdtempSync(join(tmpdir(), "purple-engine-"));
  const engine = new Engine({ root, maxAgents: 10, runners: { command: runner }, auditor, logger: silentLogger(), gateEnv: {}, retry: { baseMs: 1, maxMs: 1 }, flushDelayMs: 1 });
  const plan = Plan.parse({ apiVersion: "purple/v1", name: "p", defaults: { runner: "command", retries: 0 }, ...input });
  engine.submit({ plan, dir: join(root, ".context-kit", "orchestration", "p"), hash: "h", source: "test" });
  const entry = engine.plans.get("p")!;
  return { engine, entry, runner, auditor };
}
const tick = () => new Promise((r) => setImmediate(r));

test("a plan cancelled while an agent waits for its pre-start audit never starts that agent", async () => {
  const { engine, entry, runner, auditor } = setup({ agents: [{ id: "a" }], waves: [{ id: "w", agents: ["a"] }] });
  await tick();
  expect(entry.run.agents.get("a")!.state).toBe("running"); // decided, not yet spawned
  expect(auditor.waiting.length).toBe(1);
  cancelPlan(engine, "p");
  auditor.releaseAll();
  expect(await engine.whenEnded("p")).toBe("cancelled");
  for (let i = 0; i < 5; i++) await tick();
  expect(runner.started).toEqual([]);
  expect(entry.run.agents.get("a")!.state).toBe("cancelled");
});

test("pause holds new starts, resume goes on; a retried agent of a failed plan runs it again", async () => {
  const { engine, entry, runner, auditor } = setup({
    agents: [{ id: "a", territory: ["a/"] }, { id: "b", territory: ["b/"], dependsOn: ["a"] }],
    waves: [{ id: "w", agents: ["a", "b"] }],
  });
  const release = async () => {
    for (let i = 0; i < 10; i++) {
      auditor.releaseAll();
      await tick();
    }
  };
  await release();
  expect(runner.started).toEqual(["a"]);
  pausePlan(engine, "p");
  runner.finish("a");
  await release();
  expect(runner.started).toEqual(["a"]); // b's dependency completed, but the plan is paused
  resumePlan(engine, "p");
  await release();
  expect(runner.started).toEqual(["a", "b"]);
  runner.finish("b", false);
  await release();
  expect(await engine.whenEnded("p")).toBe("failed");
  retryAgent(engine, "p", "b");
  await release();
  expect(runner.started).toEqual(["a", "b", "b"]);
  expect(entry.run.agents.get("b")!.attempt).toBe(2);
  runner.finish("b");
  await release();
  expect(await engine.whenEnded("p")).toBe("succeeded");
});

test("a plan compiled from prose waits in awaiting-approval until it is approved", async () => {
  const runner = new ScriptedRunner();
  const root = mkdtempSync(join(tmpdir(), "purple-engine-"));
  const engine = new Engine({ root, maxAgents: 10, runners: { command: runner }, auditor: null, logger: silentLogger(), gateEnv: {}, flushDelayMs: 1 });
  const plan = Plan.parse({ apiVersion: "purple/v1", name: "prose", defaults: { runner: "command", retries: 0 }, agents: [{ id: "a" }], waves: [{ id: "w", agents: ["a"] }] });
  engine.submit({ plan, dir: join(root, "prose"), hash: "h", source: "orchestration-plan.md", approval: true });
  for (let i = 0; i < 5; i++) await tick();
  expect(engine.plans.get("prose")!.run.state).toBe("awaiting-approval");
  expect(runner.started).toEqual([]);
  approvePlan(engine, "prose");
  for (let i = 0; i < 5; i++) await tick();
  expect(runner.started).toEqual(["a"]);
  runner.finish("a");
  expect(await engine.whenEnded("prose")).toBe("succeeded");
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
