// Shared fixtures of the inbox tests: small plans built inline, temp roots, and waiting on a condition.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import YAML from "yaml";
import type { PlanInput } from "../protocol/plan.ts";

type AgentIn = PlanInput["agents"][number];
type WaveIn = PlanInput["waves"][number];

/** An agent with a command runner and the given territory. */
export function agent(id: string, territory: string[], extra: Partial<AgentIn> = {}): AgentIn {
  return { id, territory, runner: { kind: "command", command: ["bash", "-c", "true"] }, ...extra };
}

/** A minimal valid plan: agents a and b (b dependsOn a) in one wave. */
export function minimalPlan(overrides: Partial<PlanInput> = {}): PlanInput {
  return {
    apiVersion: "purple/v1",
    name: "demo",
    agents: [agent("a", ["src/a/"]), { id: "b", territory: ["src/b/"], dependsOn: ["a"] }],
    waves: [{ id: "w1", agents: ["a", "b"], gate: [{ run: "true" }] }],
    ...overrides,
  };
}

/** A plan of the given agents, all in one wave. */
export function oneWave(agents: AgentIn[], wave: Partial<WaveIn> = {}): PlanInput {
  return minimalPlan({ agents, waves: [{ id: "w1", agents: agents.map((a) => a.id), ...wave }] });
}

export function toYaml(plan: unknown): string {
  return YAML.stringify(plan);
}

/** A fresh temp directory for one test. */
export function tempRoot(): string {
  return mkdtempSync(tmpdir() + "/purple-");
}

/** Poll until `cond` holds, or fail after `timeoutMs` naming what was awaited. */
export async function waitFor(cond: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(20);
  }
}
