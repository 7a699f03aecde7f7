// The engine over a real journal, restarted in process: what a restart rebuilds is what ran
// before it — the retry backoff's end, a person's stop request, a plan's failure and the agents
// it cancelled — because the journal's steps replay through the same reducer. The clock is the
// test's, so the backoff is checked exactly and nothing waits on time.
import { expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Plan, type PlanInput } from "../protocol/index.ts";
import { silentLogger } from "../lib/logger.ts";
import { Engine } from "../daemon/engine/engine.ts";
import { encodePlan } from "../daemon/journal/codec.ts";
import { Journal } from "../daemon/journal/journal.ts";
import { rebuild } from "../daemon/journal/replay.ts";
import { retryAgent } from "../daemon/engine/control.ts";
import { ScriptedRunner } from "./support/scripted-runner.ts";

const retry = { baseMs: 60_000, maxMs: 60_000 };

function boot(dir: string, root: string, clock: { t: number }, runner: ScriptedRunner) {
  const { journal, recovered } = Journal.open(dir);
  const engine = new Engine({ root, maxAgents: 4, runners: { command: runner }, auditor: null, logger: silentLogger(), gateEnv: {}, retry, flushDelayMs: 1, journal, now: () => clock.t });
  engine.restore(rebuild(recovered, { retry }), () => false);
  return { engine, journal };
}

const settle = async (until: () => boolean) => {
  for (let i = 0; i < 200 && !until(); i++) await new Promise((r) => setImmediate(r));
  expect(until()).toBe(true);
};

test("after a restart the plan is as it was: backoff end kept, the agent starts only when it is over", async () => {
  const root = mkdtempSync(join(tmpdir(), "purple-restart-"));
  const dir = mkdtempSync(join(tmpdir(), "purple-restart-journal-"));
  const clock = { t: 1_000_000 };
  const input: PlanInput = { apiVersion: "purple/v1", name: "p", defaults: { runner: "command", retries: 2 }, agents: [{ id: "a", territory: ["a/"] }, { id: "b", territory: ["b/"] }], waves: [{ id: "w", agents: ["a", "b"] }] };
  const runner1 = new ScriptedRunner();
  const first = boot(dir, root, clock, runner1);
  first.engine.submit({ plan: Plan.parse(input), dir: join(root, "p"), hash: "h", source: "test" });
  const entry1 = () => first.engine.plans.get("p")!;
  await settle(() => runner1.started.length === 2);
  runner1.finish("a", false); // a fails: retried 60 s later
  runner1.finish("b");
  await settle(() => entry1().run.agents.get("a")!.state === "queued" && entry1().run.agents.get("b")!.state === "completed");
  const before = JSON.stringify(encodePlan(entry1()));
  expect(entry1().run.agents.get("a")!.notBefore).toBe(1_000_000 + 60_000);
  await first.engine.drain();
  first.journal.close();

  // purpled starts again, 10 s later: the same state, the same backoff end
  clock.t += 10_000;
  const runner2 = new ScriptedRunner();
  const second = boot(dir, root, clock, runner2);
  const entry2 = second.engine.plans.get("p")!;
  const after = encodePlan(entry2);
  expect(after.agents.a!.notBefore).toBe(1_000_000 + 60_000);
  expect(after).toEqual(JSON.parse(before));
  await new Promise((r) => setImmediate(r)); // the restart's scheduling round (a microtask) has run
  expect(entry2.run.agents.get("a")!.state).toBe("queued"); // still backing off: decide started nothing
  clock.t = 1_000_000 + 60_000;
  second.engine.schedule();
  await settle(() => runner2.started.length === 1);
  expect(entry2.run.agents.get("a")!.attempt).toBe(2);
  runner2.finish("a");
  expect(await second.engine.whenEnded("p")).toBe("succeeded");
  await second.engine.drain();
  second.journal.close();
});

test("a failed plan restarted, then its agent retried: the agents its failure cancelled run again", async () => {
  const root = mkdtempSync(join(tmpdir(), "purple-restart-"));
  const dir = mkdtempSync(join(tmpdir(), "purple-restart-journal-"));
  const clock = { t: 5_000 };
  const input: PlanInput = { apiVersion: "purple/v1", name: "p", defaults: { runner: "command", retries: 0 }, agents: [{ id: "a", territory: ["a/"] }, { id: "b", territory: ["b/"], dependsOn: ["a"] }], waves: [{ id: "w", agents: ["a", "b"] }] };
  const runner1 = new ScriptedRunner();
  const first = boot(dir, root, clock, runner1);
  first.engine.submit({ plan: Plan.parse(input), dir: join(root, "p"), hash: "h", source: "test" });
  await settle(() => runner1.started.length === 1);
  runner1.finish("a", false);
  expect(await first.engine.whenEnded("p")).toBe("failed");
  expect(first.engine.plans.get("p")!.run.agents.get("b")!.cancelledBy).toBe("plan-failed");
  await first.engine.drain();
  first.journal.close();

  const runner2 = new ScriptedRunner();
  const second = boot(dir, root, clock, runner2);
  expect(second.engine.plans.get("p")!.run.agents.get("b")!.cancelledBy).toBe("plan-failed");
  retryAgent(second.engine, "p", "a");
  await settle(() => runner2.started.length === 1);
  runner2.finish("a");
  await settle(() => runner2.started.length === 2);
  runner2.finish("b");
  expect(await second.engine.whenEnded("p")).toBe("succeeded");
  await second.engine.drain();
  second.journal.close();
});
