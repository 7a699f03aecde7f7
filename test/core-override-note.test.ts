// A person's two ways past a stuck plan, in the pure core: `approve --override WAVE#N` passes a blocked
// gate's failed check by decision, `retry --note` gives an agent guidance for its next attempts. Both
// are run state, so both survive the snapshot codec.
import { expect, test } from "bun:test";
import { Plan, type AttemptOutcome, type PlanInput, type Step, type StepOf } from "../protocol/index.ts";
import type { PlanRef } from "../daemon/core/decide.ts";
import { decodePlan, encodePlan, freshPlan } from "../daemon/journal/codec.ts";
import { corePlan, coreStep, settle } from "./support/core-plan.ts";

const ended = (agent: string, outcome: AttemptOutcome = "finished"): StepOf<"attempt-ended"> => ({ type: "attempt-ended", agent, outcome, message: "done", trespass: [], validate: false, final: false });

const setup = corePlan;
const step = coreStep;

const twoWaves = {
  agents: [{ id: "a", territory: ["src/a/"] }, { id: "b", territory: ["src/b/"] }],
  waves: [{ id: "w1", agents: ["a"], gate: [{ exists: "src/a/x" }, { run: "npm test" }] }, { id: "w2", agents: ["b"] }],
};

function blockedAtGate(): PlanRef {
  const p = setup(twoWaves);
  settle(p);
  step(p, ended("a"));
  expect(settle(p)).toContain("run-gate");
  step(p, { type: "gate-ended", passed: false, summary: "npm test failed" });
  expect(p.run.state).toBe("blocked");
  return p;
}

test("approve --override passes the named checks of a blocked gate; the gate runs again and the plan goes on", () => {
  const p = blockedAtGate();
  step(p, { type: "approve", override: ["w1#1"] });
  expect(p.run.state).toBe("running");
  expect(p.run.overrides).toEqual(["w1#1"]);
  expect(p.run.reason).toContain("w1#1");
  expect(settle(p)).toContain("run-gate");
  step(p, { type: "gate-ended", passed: true, summary: "" });
  expect(settle(p)).toContain("start b");
  expect(p.run.agents.get("b")!.state).toBe("running");
});

test("an override naming no check of the blocked wave, or of a plan not blocked by its gate, is refused and changes nothing", () => {
  const p = blockedAtGate();
  expect(() => step(p, { type: "approve", override: ["w1#7", "w2#0"] })).toThrow(/no gate check w1#7, w2#0 in wave w1/);
  expect(p.run.state).toBe("blocked");
  expect(p.run.overrides).toEqual([]);
  const fresh = setup(twoWaves);
  settle(fresh);
  expect(() => step(fresh, { type: "approve", override: ["w1#0"] })).toThrow(/cannot override checks of plan t: it is running/);
});

test("retry --note keeps the note as the agent's guidance, and both facts survive the snapshot codec", () => {
  const p = setup({ ...twoWaves, defaults: { retries: 0 } });
  settle(p);
  step(p, ended("a", "failed"));
  settle(p);
  expect(p.run.state).toBe("failed");
  step(p, { type: "retry-agent", agent: "a", note: "the test needs the fixture in src/a/fixtures" });
  expect(p.run.agents.get("a")!.guidance).toEqual(["the test needs the fixture in src/a/fixtures"]);
  expect(p.run.agents.get("a")!.reason).toBe("retried by a person, with a note");
  const d = freshPlan(p.index.plan, { hash: "h", dir: "/x/t", source: "plan.yaml", approval: false, acceptedAt: 0 });
  d.run = p.run;
  p.run.overrides.push("w1#0");
  const back = decodePlan(encodePlan(d));
  expect(back.run.agents.get("a")!.guidance).toEqual(["the test needs the fixture in src/a/fixtures"]);
  expect(back.run.overrides).toEqual(["w1#0"]);
});

test("an overridden check is recorded as passed by a person and not run; the others still run", async () => {
  const { runChecks } = await import("../daemon/gates/checks.ts");
  const { mkdtempSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const root = mkdtempSync(`${tmpdir()}/purple-override-`);
  const plan = Plan.parse({ apiVersion: "purple/v1", name: "t", ...twoWaves });
  const r = await runChecks([{ exists: "src/a/x" }, { exists: "missing/file" }], { root, plan, env: {}, defaultTimeoutMs: 1000, graceMs: 100, overridden: new Set([1]) });
  expect(r.results.map((c) => [c.passed, c.overridden ?? false])).toEqual([[false, false], [true, true]]);
  expect(r.results[1]!.output).toContain("person's decision");
  expect(r.passed).toBe(false);
});
