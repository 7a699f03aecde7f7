// The pure scheduler core: decisions and the reducer for small plans, step by step, with no IO.
import { describe, expect, test } from "bun:test";
import { Plan, type AttemptOutcome, type PlanInput, type Step, type StepOf } from "../protocol/index.ts";
import { decide, type Action, type PlanRef } from "../daemon/core/decide.ts";
import { DEFAULT_RETRY } from "../daemon/core/outcomes.ts";
import { indexPlan } from "../daemon/core/plan-index.ts";
import { reduce, type Rules } from "../daemon/core/reduce.ts";
import { initialRunState } from "../daemon/core/state.ts";

const rules: Rules = { retry: DEFAULT_RETRY };

function setup(input: Omit<PlanInput, "apiVersion" | "name">, name = "t"): PlanRef {
  const index = indexPlan(Plan.parse({ apiVersion: "purple/v1", name, ...input }));
  const run = initialRunState(index);
  reduce(index, run, { type: "accept", approval: false }, 0, rules);
  return { index, run };
}

const step = (p: PlanRef, s: Step, now = 1, r = rules) => reduce(p.index, p.run, s, now, r);
const ended = (agent: string, outcome: AttemptOutcome = "finished", message = "done"): StepOf<"attempt-ended"> => ({ type: "attempt-ended", agent, outcome, message, trespass: [], validate: false, final: false });

/** Apply decisions across the plans until nothing more is decided; return the actions taken, with their plan. */
function settle(plans: PlanRef[], maxAgents = 100, now = 0): { plan: number; action: Action }[] {
  const taken: { plan: number; action: Action }[] = [];
  for (let i = 0; i < 50; i++) {
    const { actions } = decide(plans, { maxAgents }, now);
    if (actions.length === 0) return taken;
    for (const d of actions) reduce(plans[d.plan]!.index, plans[d.plan]!.run, d.action, now, rules);
    taken.push(...actions);
  }
  throw new Error("did not settle");
}
const started = (taken: { action: Action }[]) => taken.flatMap(({ action: a }) => (a.type === "start-agent" ? [a.agent] : []));

describe("decide", () => {
  test("starts a wave's independent agents up to maxAgents, then waits", () => {
    const p = setup({ maxAgents: 2, agents: ["a", "b", "c"].map((id) => ({ id, territory: [`src/${id}/`] })), waves: [{ id: "w1", agents: ["a", "b", "c"] }] });
    expect(started(settle([p]))).toEqual(["a", "b"]);
    step(p, ended("a"));
    expect(started(settle([p]))).toEqual(["c"]);
  });

  test("the daemon-wide limit caps starts", () => {
    const p = setup({ agents: ["a", "b"].map((id) => ({ id, territory: [`${id}/`] })), waves: [{ id: "w", agents: ["a", "b"] }] });
    expect(started(settle([p], 1))).toEqual(["a"]);
  });

  test("dependsOn waits for completion; overlapping territories never run together", () => {
    const p = setup({
      agents: [{ id: "a", territory: ["src/"] }, { id: "b", territory: ["src/b.ts"], dependsOn: ["a"] }, { id: "c", territory: ["lib/"] }],
      waves: [{ id: "w", agents: ["a", "b", "c"] }],
    });
    expect(started(settle([p]))).toEqual(["a", "c"]);
    step(p, ended("a"));
    expect(started(settle([p]))).toEqual(["b"]);
  });

  test("a territory busy in another plan holds an agent back", () => {
    const other = setup({ agents: [{ id: "x", territory: ["src/x.ts"] }], waves: [{ id: "w", agents: ["x"] }] }, "other");
    const p = setup({ agents: [{ id: "a", territory: ["src/"] }], waves: [{ id: "w", agents: ["a"] }] });
    expect(started(settle([other, p]))).toEqual(["x"]);
    step(other, ended("x"));
    expect(started(settle([other, p]))).toEqual(["a"]);
  });

  test("fairness: fewest running first, so a later 1-agent plan gets the next slot before a large plan's third agent", () => {
    const big = setup({ agents: Array.from({ length: 8 }, (_, i) => ({ id: `b${i}`, territory: [`b${i}/`] })), waves: [{ id: "w", agents: Array.from({ length: 8 }, (_, i) => `b${i}`) }] }, "big");
    expect(started(settle([big], 2))).toEqual(["b0", "b1"]);
    const small = setup({ agents: [{ id: "s", territory: ["s/"] }], waves: [{ id: "w", agents: ["s"] }] }, "small");
    expect(started(settle([big, small], 2))).toEqual([]); // no free slot
    step(big, ended("b0"));
    expect(settle([big, small], 2).filter((d) => d.action.type === "start-agent")).toEqual([{ plan: 1, action: { type: "start-agent", agent: "s" } }]);
  });

  test("fairness: free slots alternate between plans that can both start", () => {
    const mk = (n: string) => setup({ agents: ["a", "b", "c"].map((id) => ({ id, territory: [`${n}/${id}/`] })), waves: [{ id: "w", agents: ["a", "b", "c"] }] }, n);
    const plans = [mk("p"), mk("q")];
    expect(settle(plans, 4).filter((d) => d.action.type === "start-agent").map((d) => d.plan)).toEqual([0, 1, 0, 1]);
  });

  test("the gate runs after the wave, the next wave only after it passes, then the plan succeeds", () => {
    const p = setup({ agents: [{ id: "a", territory: ["a/"] }, { id: "b", territory: ["b/"] }], waves: [{ id: "w1", agents: ["a"], gate: [{ run: "true" }] }, { id: "w2", agents: ["b"] }] });
    settle([p]);
    step(p, ended("a"));
    expect(settle([p]).map((d) => d.action.type)).toEqual(["run-gate"]);
    expect(settle([p])).toEqual([]); // validating: nothing starts
    step(p, { type: "gate-ended", passed: true, summary: "" });
    expect(started(settle([p]))).toEqual(["b"]);
    step(p, ended("b"));
    settle([p]);
    expect(p.run.state).toBe("succeeded");
  });

  test("a failed gate blocks the plan; resume runs the gate again", () => {
    const p = setup({ agents: [{ id: "a" }], waves: [{ id: "w1", agents: ["a"], gate: [{ exists: "x" }] }] });
    settle([p]);
    step(p, ended("a"));
    settle([p]);
    step(p, { type: "gate-ended", passed: false, summary: "x is missing" });
    expect(p.run.state).toBe("blocked");
    expect(p.run.waves[0]!.state).toBe("blocked");
    step(p, { type: "resume" });
    expect(settle([p]).map((d) => d.action.type)).toEqual(["run-gate"]);
  });

  test("a failed attempt is retried after backoff, then the agent and the plan fail", () => {
    const p = setup({ defaults: { retries: 1 }, agents: [{ id: "a" }, { id: "b", dependsOn: ["a"] }], waves: [{ id: "w", agents: ["a", "b"] }] });
    settle([p]);
    step(p, ended("a", "failed", "exit 1"), 0, { retry: { baseMs: 1000, maxMs: 10_000 } });
    expect(p.run.agents.get("a")!.state).toBe("queued");
    expect(decide([p], { maxAgents: 10 }, 500)).toEqual({ actions: [], wakeAt: 1000 });
    expect(started(settle([p], 10, 1000))).toEqual(["a"]);
    expect(p.run.agents.get("a")!.attempt).toBe(2);
    step(p, ended("a", "failed", "exit 1"), 1000);
    settle([p], 10, 1000);
    expect(p.run.agents.get("a")!.state).toBe("failed");
    expect(p.run.agents.get("b")!.state).toBe("cancelled");
    expect(p.run.agents.get("b")!.cancelledBy).toBe("plan-failed");
    expect(p.run.state).toBe("failed");
    expect(p.run.reason).toContain("agent a failed");
  });

  test("a failing wave waits for running agents before the plan ends", () => {
    const p = setup({ defaults: { retries: 0 }, agents: [{ id: "a", territory: ["a/"] }, { id: "b", territory: ["b/"] }], waves: [{ id: "w", agents: ["a", "b"] }] });
    settle([p]);
    step(p, ended("a", "failed", "boom"));
    expect(settle([p])).toEqual([]);
    expect(p.run.state).toBe("running");
    step(p, ended("b"));
    settle([p]);
    expect(p.run.state).toBe("failed");
  });

  test("an agent that needs a person blocks the plan instead of failing it", () => {
    const p = setup({ agents: [{ id: "a", territory: ["a/"] }, { id: "b", territory: ["b/"] }], waves: [{ id: "w", agents: ["a", "b"] }] });
    settle([p]);
    step(p, ended("a", "blocked", "its budget is spent"));
    expect(settle([p])).toEqual([]); // b still runs
    step(p, ended("b"));
    settle([p]);
    expect(p.run.state).toBe("blocked");
    expect(p.run.reason).toContain("budget");
  });

  test("illegal transitions throw", () => {
    const p = setup({ agents: [{ id: "a" }], waves: [{ id: "w", agents: ["a"] }] });
    expect(() => step(p, { type: "pass-wave", wave: "w" })).toThrow(/pending → passed is not allowed/);
  });
});

describe("reduce", () => {
  test("outcome precedence: a person's cancel beats the attempt's own end; the plan is blocked naming the retry", () => {
    const p = setup({ agents: [{ id: "a", territory: ["a/"] }, { id: "b", territory: ["b/"] }], waves: [{ id: "w", agents: ["a", "b"] }] });
    settle([p]);
    const r = step(p, { type: "cancel-agent", agent: "a" });
    expect(r.effects).toEqual([{ type: "stop-agent", agent: "a", reason: "cancelled by a person" }]);
    expect(p.run.agents.get("a")!.state).toBe("running"); // until its process has ended
    step(p, ended("a", "failed", "killed by SIGTERM"));
    expect(p.run.agents.get("a")).toMatchObject({ state: "cancelled", cancelledBy: "person" });
    step(p, ended("b"));
    settle([p]);
    expect(p.run.state).toBe("blocked");
    expect(p.run.reason).toContain("purplectl retry t a");
    step(p, { type: "retry-agent", agent: "a" });
    expect(started(settle([p]))).toEqual(["a"]);
    step(p, ended("a"));
    settle([p]);
    expect(p.run.state).toBe("succeeded");
  });

  test("a retry of a failed plan queues again only the agents its failure cancelled", () => {
    const p = setup({ defaults: { retries: 0 }, agents: [{ id: "a", territory: ["a/"] }, { id: "b", territory: ["b/"] }, { id: "c", territory: ["c/"], dependsOn: ["a"] }], waves: [{ id: "w", agents: ["a", "b", "c"] }] });
    settle([p]);
    step(p, { type: "cancel-agent", agent: "c" }); // queued: cancelled at once, by a person
    step(p, ended("a", "failed", "exit 1"));
    step(p, ended("b", "failed", "exit 1"));
    settle([p]);
    expect(p.run.state).toBe("failed");
    step(p, { type: "retry-agent", agent: "a" });
    expect(p.run.agents.get("c")!.state).toBe("cancelled"); // a person cancelled it: it stays
    expect(p.run.agents.get("b")!.state).toBe("failed");
    expect(p.run.agents.get("a")!.state).toBe("queued");
  });

  test("a refused request changes nothing", () => {
    const p = setup({ agents: [{ id: "a" }], waves: [{ id: "w", agents: ["a"] }] });
    const before = JSON.stringify([...p.run.agents.values()]);
    expect(() => step(p, { type: "retry-agent", agent: "a" })).toThrow(/queued; only a failed/);
    expect(() => step(p, { type: "resume" })).toThrow(/INVALID_STATE|cannot resume/);
    expect(JSON.stringify([...p.run.agents.values()])).toBe(before);
  });

  test("the plan's budget stops every running agent and they end blocked", () => {
    const p = setup({ budgetUsd: 1, agents: [{ id: "a", territory: ["a/"] }, { id: "b", territory: ["b/"] }], waves: [{ id: "w", agents: ["a", "b"] }] });
    settle([p]);
    expect(step(p, { type: "spend", agent: "a", costUsd: 0.6 }).effects).toEqual([]);
    const r = step(p, { type: "spend", agent: "b", costUsd: 0.6 });
    expect(r.effects.map((e) => e.type === "stop-agent" && e.agent).sort()).toEqual(["a", "b"]);
    step(p, ended("a", "cancelled", "stopped"));
    step(p, ended("b", "blocked", "budget"));
    expect([p.run.agents.get("a")!.state, p.run.agents.get("b")!.state]).toEqual(["blocked", "blocked"]);
    settle([p]);
    expect(p.run.state).toBe("blocked");
  });

  test("restart: running agents are interrupted and queued, a cancel asked before the crash still ends them cancelled, a gate under way runs again", () => {
    const p = setup({ agents: [{ id: "a", territory: ["a/"] }, { id: "b", territory: ["b/"] }], waves: [{ id: "w", agents: ["a", "b"] }] });
    settle([p]);
    step(p, { type: "cancel-agent", agent: "b" });
    step(p, { type: "restart" });
    expect(p.run.agents.get("a")).toMatchObject({ state: "queued", attempt: 1 });
    expect(p.run.agents.get("b")).toMatchObject({ state: "cancelled", cancelledBy: "person" });
    const g = setup({ agents: [{ id: "a" }], waves: [{ id: "w", agents: ["a"], gate: [{ run: "true" }] }] });
    settle([g]);
    step(g, ended("a"));
    settle([g]);
    expect(g.run.waves[0]!.state).toBe("validating");
    step(g, { type: "restart" });
    expect(settle([g]).map((d) => d.action.type)).toEqual(["run-gate"]);
  });
});
