// Gate-only waves (a wave with a gate and no agents) in the pure core: the gate runs once the waves
// before it passed and not before; passing moves on; failing trips the breaker at once (no agent of
// the wave can repair it) while a person's options stay: resume after a fix by hand, override, and
// approve for a person's check. The status a blocked gate-only wave shows has no agent to retry;
// the web view and `purplectl watch` draw it without an agent table or count.
import { expect, test } from "bun:test";
import type { CheckFailure, PlanInput, Step, StepOf } from "../protocol/index.ts";
import type { PlanRef } from "../daemon/core/decide.ts";
import { frame } from "../ctl/watch-frame.ts";
import type { PlanDetail } from "../protocol/rpc.ts";
import { newAgentRecord } from "../daemon/status/agent-record.ts";
import { describeFailure } from "../daemon/status/failure.ts";
import { renderPlanStatus, renderProgress, type PlanView } from "../daemon/status/render.ts";
import { corePlan, coreStep as step, settle } from "./support/core-plan.ts";

const ended = (agent: string): StepOf<"attempt-ended"> => ({ type: "attempt-ended", agent, outcome: "finished", message: "done", trespass: [], validate: false, final: false });
const failure = (check: string, output: string, kind: CheckFailure["kind"] = "run"): CheckFailure => ({ check, kind, target: "npm test", output, reasons: [], files: [] });
const gateFailed = (failures: CheckFailure[]): Step => ({ type: "gate-ended", passed: false, summary: failures.map((f) => f.check).join("; "), failures });
const gatePassed: Step = { type: "gate-ended", passed: true, summary: "", failures: [] };
const waveStates = (p: PlanRef) => p.run.waves.map((w) => w.state);

/** a in w1 (gated), the gate-only wave `integrate`, b in w3. */
const plan = (extra: Partial<PlanInput> = {}, gate: PlanInput["waves"][number]["gate"] = [{ run: "npm test" }]): Omit<PlanInput, "apiVersion" | "name"> => ({
  agents: [{ id: "a", territory: ["src/a/"] }, { id: "b", territory: ["src/b/"] }],
  waves: [
    { id: "w1", agents: ["a"], gate: [{ exists: "src/a" }] },
    { id: "integrate", agents: [], gate },
    { id: "w3", agents: ["b"] },
  ],
  ...extra,
});

/** The plan driven to the gate-only wave's gate, under way. */
function atEmptyGate(extra: Partial<PlanInput> = {}, gate?: PlanInput["waves"][number]["gate"]): PlanRef {
  const p = corePlan(plan(extra, gate));
  expect(settle(p)).toEqual(["start-plan", "start-wave", "start a"]);
  step(p, ended("a"));
  expect(settle(p)).toEqual(["run-gate"]);
  step(p, gatePassed);
  expect(settle(p)).toEqual(["start-wave", "run-gate"]);
  expect(waveStates(p)).toEqual(["passed", "validating", "pending"]);
  return p;
}

test("a gate-only wave's gate runs once the wave before it passed, never earlier; passing starts the next wave", () => {
  const p = corePlan(plan());
  expect(settle(p)).toEqual(["start-plan", "start-wave", "start a"]);
  expect(waveStates(p)).toEqual(["running", "pending", "pending"]); // a still runs: nothing of `integrate` yet
  step(p, ended("a"));
  expect(settle(p)).toEqual(["run-gate"]);
  expect(waveStates(p)).toEqual(["validating", "pending", "pending"]);
  step(p, gateFailed([failure("w1#0", "src/a missing", "exists")]));
  expect(waveStates(p)[1]).toBe("pending"); // w1's gate failed: a repairs it, `integrate` still waits
  expect(settle(p)).toEqual(["start a"]);
  step(p, ended("a"));
  expect(settle(p)).toEqual(["run-gate"]);
  step(p, gatePassed);
  expect(settle(p)).toEqual(["start-wave", "run-gate"]);
  step(p, gatePassed);
  expect(settle(p)).toEqual(["start-wave", "start b"]);
  step(p, ended("b"));
  expect(settle(p)).toEqual(["pass-wave", "finish-plan"]);
  expect([p.run.state, waveStates(p)]).toEqual(["succeeded", ["passed", "passed", "passed"]]);
});

test("a gate-only first wave runs its gate at once", () => {
  const p = corePlan({ agents: [{ id: "a", territory: ["src/"] }], waves: [{ id: "check", agents: [], gate: [{ run: "make lint" }] }, { id: "w2", agents: ["a"] }] });
  expect(settle(p)).toEqual(["start-plan", "start-wave", "run-gate"]);
  step(p, gatePassed);
  expect(settle(p)).toEqual(["start-wave", "start a"]);
});

test("a failed gate of a gate-only wave trips the breaker at once, rounds left or not; resume and override still work", () => {
  const p = atEmptyGate({ repair: { rounds: 3 } });
  const out = step(p, gateFailed([failure("integrate#0", "FAIL src/a/x.test.ts")]));
  expect(out.transitions.some((t) => t.kind === "repair")).toBe(false);
  expect(p.run.state).toBe("blocked");
  expect(p.run.reason).toBe("gate of wave integrate failed: integrate#0; circuit breaker: no agent of wave integrate can repair it (the wave has no agents)");
  expect(p.run.breaker).toEqual({ subject: "gate:integrate", why: "circuit breaker: no agent of wave integrate can repair it (the wave has no agents)" });
  expect(p.run.repairs.size).toBe(0); // no round was spent
  expect(settle(p)).toEqual([]);
  // an agent of an earlier wave is not the gate-only wave's to retry
  expect(() => step(p, { type: "retry-agent", agent: "a" })).toThrow(/only a failed/);

  // fixed by hand: resume runs the gate again
  step(p, { type: "resume" });
  expect([p.run.state, p.run.breaker]).toEqual(["running", null]);
  expect(settle(p)).toEqual(["run-gate"]);
  step(p, gateFailed([failure("integrate#0", "still failing")]));
  expect(p.run.state).toBe("blocked");

  // a person passes the check by decision: recorded, the gate runs again and passes
  expect(() => step(p, { type: "approve", override: ["integrate#1"] })).toThrow(/no gate check integrate#1/);
  step(p, { type: "approve", override: ["integrate#0"] });
  expect(p.run.overrides).toEqual(["integrate#0"]);
  expect(settle(p)).toEqual(["run-gate"]);
  step(p, gatePassed);
  expect(settle(p)).toEqual(["start-wave", "start b"]);
});

test("a person's check in a gate-only wave blocks without a breaker until `approve`", () => {
  const p = atEmptyGate({}, [{ manual: "merge the branches" }]);
  step(p, gateFailed([failure("integrate#0", "waits for `purplectl approve`", "manual")]));
  expect([p.run.state, p.run.breaker]).toEqual(["blocked", null]);
  step(p, { type: "approve" });
  expect(p.run.approvedWaves).toEqual(["integrate"]);
  expect(settle(p)).toEqual(["run-gate"]);
});

test("status.json, progress.json and the failure of a blocked gate-only wave: listed with no agents, no retry step", () => {
  const p = atEmptyGate();
  step(p, gateFailed([failure("integrate#0", "1 failed")]));
  const view: PlanView = { index: p.index, run: p.run, records: new Map([["a", newAgentRecord()], ["b", newAgentRecord()]]), hash: "h", createdAt: 0 };
  const status = renderPlanStatus(view, 1);
  expect(status.waves[1]).toMatchObject({ id: "integrate", state: "blocked", agents: [], gate: [{ kind: "run", target: "npm test" }] });
  expect(status.currentWave).toBe("integrate");
  expect(renderProgress(view, 1).phases[1]).toMatchObject({ name: "integrate", status: "in_progress", tickets: [] });
  const failureOf = describeFailure(view, "/nonexistent/.context-kit/orchestration/t")!;
  expect(failureOf).toMatchObject({ kind: "gate", subject: "integrate", breaker: "circuit breaker: no agent of wave integrate can repair it (the wave has no agents)" });
  expect(failureOf.nextSteps!.some((s) => s.includes("retry"))).toBe(false);
  expect(failureOf.nextSteps!.map((s) => s.split(" ")[0])).toEqual(["fix", "`purplectl"]); // fix by hand + resume; override
});

test("the web view and `purplectl watch` draw a gate-only wave as such: no agent table, no agent count", async () => {
  // view.js is the page's own script (typed as text for the daemon): imported here as the module it is
  const path = "../daemon/http/page/view.js";
  const { renderPlan } = (await import(path)) as { renderPlan: (detail: unknown, validation: unknown[], events: unknown[], ui: unknown) => string };
  const p = corePlan(plan());
  settle(p);
  const view: PlanView = { index: p.index, run: p.run, records: new Map([["a", newAgentRecord()], ["b", newAgentRecord()]]), hash: "h", createdAt: 0 };
  const detail = { plan: { ...renderPlanStatus(view, 1), counts: {} }, agents: [] };
  const html = renderPlan(detail, [], [], { expanded: new Set(), panel: null });
  const section = (id: string) => html.slice(html.indexOf(`data-wave="${id}"`), html.indexOf("</section>", html.indexOf(`data-wave="${id}"`)));
  expect(section("integrate")).toContain("No agents: a gate-only wave.");
  expect(section("integrate")).not.toContain('<table class="agents">');
  expect(section("integrate")).toContain("after the waves before it pass");
  expect(section("w1")).toContain('<table class="agents">');
  const lines = frame(detail as unknown as PlanDetail).map((l) => l.text);
  expect(lines.find((l) => l.startsWith("integrate"))).toMatch(/^integrate\s+pending\s+gate only \(no agents\)$/);
  expect(lines.find((l) => l.startsWith("w1"))).toContain("0/1 agents");
});
