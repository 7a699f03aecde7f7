// The pure scheduler core: decisions for small plans, step by step, with no IO.
import { describe, expect, test } from "bun:test";
import { Plan, territoryOf, type PlanInput } from "../protocol/index.ts";
import { applyAction, applyAgentEnded, applyGateEnded, DEFAULT_RETRY } from "../daemon/core/apply.ts";
import { decide, type Action, type Limits } from "../daemon/core/decide.ts";
import { indexPlan, type PlanIndex } from "../daemon/core/plan-index.ts";
import { initialRunState, setAgentState, setPlanState, type PlanRunState } from "../daemon/core/state.ts";

const free: Limits = { globalFree: 100, busy: [] };

function setup(input: Omit<PlanInput, "apiVersion" | "name">): { index: PlanIndex; run: PlanRunState } {
  const index = indexPlan(Plan.parse({ apiVersion: "purple/v1", name: "t", ...input }));
  const run = initialRunState(index);
  setPlanState(run, "queued", null, 0);
  return { index, run };
}

/** Apply decisions until only agent starts (or nothing) remain; return the agents started. */
function settle(index: PlanIndex, run: PlanRunState, limits = free, now = 0): Action[] {
  const taken: Action[] = [];
  for (let i = 0; i < 20; i++) {
    const globalFree = limits.globalFree - started(taken).length; // as the engine recomputes it between rounds
    const actions = decide(index, run, { ...limits, globalFree }, now).filter((a) => a.type !== "wake-at");
    if (actions.length === 0) return taken;
    for (const a of actions) applyAction(index, run, a, now);
    taken.push(...actions);
  }
  throw new Error("did not settle");
}
const started = (actions: Action[]) => actions.flatMap((a) => (a.type === "start-agent" ? [a.agent] : []));
const ok = { ok: true as const, validate: false };

describe("decide", () => {
  test("starts a wave's independent agents up to maxAgents, then waits", () => {
    const { index, run } = setup({
      maxAgents: 2,
      agents: ["a", "b", "c"].map((id) => ({ id, territory: [`src/${id}/`] })),
      waves: [{ id: "w1", agents: ["a", "b", "c"] }],
    });
    expect(started(settle(index, run))).toEqual(["a", "b"]);
    applyAgentEnded(index, run, "a", ok, 1, DEFAULT_RETRY);
    expect(started(settle(index, run))).toEqual(["c"]);
  });

  test("the daemon-wide limit caps starts", () => {
    const { index, run } = setup({ agents: ["a", "b"].map((id) => ({ id, territory: [`${id}/`] })), waves: [{ id: "w", agents: ["a", "b"] }] });
    expect(started(settle(index, run, { globalFree: 1, busy: [] }))).toEqual(["a"]);
  });

  test("dependsOn waits for completion; overlapping territories never run together", () => {
    const { index, run } = setup({
      agents: [
        { id: "a", territory: ["src/"] },
        { id: "b", territory: ["src/b.ts"], dependsOn: ["a"] },
        { id: "c", territory: ["lib/"] },
      ],
      waves: [{ id: "w", agents: ["a", "b", "c"] }],
    });
    expect(started(settle(index, run))).toEqual(["a", "c"]);
    applyAgentEnded(index, run, "a", ok, 1, DEFAULT_RETRY);
    expect(started(settle(index, run))).toEqual(["b"]);
  });

  test("a territory busy in another plan holds an agent back", () => {
    const { index, run } = setup({ agents: [{ id: "a", territory: ["src/"] }], waves: [{ id: "w", agents: ["a"] }] });
    expect(started(settle(index, run, { globalFree: 5, busy: [territoryOf(["src/x.ts"])] }))).toEqual([]);
    expect(started(settle(index, run, { globalFree: 5, busy: [territoryOf(["src-evil/"])] }))).toEqual(["a"]);
  });

  test("the gate runs after the wave, the next wave only after it passes, then the plan succeeds", () => {
    const { index, run } = setup({
      agents: [{ id: "a", territory: ["a/"] }, { id: "b", territory: ["b/"] }],
      waves: [{ id: "w1", agents: ["a"], gate: [{ run: "true" }] }, { id: "w2", agents: ["b"] }],
    });
    settle(index, run);
    applyAgentEnded(index, run, "a", ok, 1, DEFAULT_RETRY);
    expect(settle(index, run).map((a) => a.type)).toEqual(["run-gate"]);
    expect(settle(index, run)).toEqual([]); // validating: nothing starts
    applyGateEnded(run, true, "", 2);
    expect(started(settle(index, run))).toEqual(["b"]);
    applyAgentEnded(index, run, "b", ok, 3, DEFAULT_RETRY);
    settle(index, run);
    expect(run.state).toBe("succeeded");
  });

  test("a failed gate blocks the plan", () => {
    const { index, run } = setup({ agents: [{ id: "a" }], waves: [{ id: "w1", agents: ["a"], gate: [{ exists: "x" }] }] });
    settle(index, run);
    applyAgentEnded(index, run, "a", ok, 1, DEFAULT_RETRY);
    settle(index, run);
    applyGateEnded(run, false, "x is missing", 2);
    expect(run.state).toBe("blocked");
    expect(run.waves[0]!.state).toBe("blocked");
  });

  test("a failed attempt is retried after backoff, then the agent and the plan fail", () => {
    const { index, run } = setup({ defaults: { retries: 1 }, agents: [{ id: "a" }, { id: "b", dependsOn: ["a"] }], waves: [{ id: "w", agents: ["a", "b"] }] });
    settle(index, run, free, 0);
    applyAgentEnded(index, run, "a", { ok: false, reason: "exit 1", retryable: true }, 0, { baseMs: 1000, maxMs: 10_000 });
    expect(run.agents.get("a")!.state).toBe("queued");
    expect(decide(index, run, free, 500)).toEqual([{ type: "wake-at", at: 1000 }]);
    expect(started(settle(index, run, free, 1000))).toEqual(["a"]);
    expect(run.agents.get("a")!.attempt).toBe(2);
    applyAgentEnded(index, run, "a", { ok: false, reason: "exit 1", retryable: true }, 1000, DEFAULT_RETRY);
    settle(index, run, free, 1000);
    expect(run.agents.get("a")!.state).toBe("failed");
    expect(run.agents.get("b")!.state).toBe("cancelled");
    expect(run.state).toBe("failed");
    expect(run.reason).toContain("agent a failed");
  });

  test("a failing wave waits for running agents before the plan ends", () => {
    const { index, run } = setup({ defaults: { retries: 0 }, agents: [{ id: "a", territory: ["a/"] }, { id: "b", territory: ["b/"] }], waves: [{ id: "w", agents: ["a", "b"] }] });
    settle(index, run);
    applyAgentEnded(index, run, "a", { ok: false, reason: "boom", retryable: true }, 1, DEFAULT_RETRY);
    expect(settle(index, run)).toEqual([]);
    expect(run.state).toBe("running");
    applyAgentEnded(index, run, "b", ok, 2, DEFAULT_RETRY);
    settle(index, run);
    expect(run.state).toBe("failed");
  });

  test("an agent that needs a person blocks the plan instead of failing it", () => {
    const { index, run } = setup({ agents: [{ id: "a", territory: ["a/"] }, { id: "b", territory: ["b/"] }], waves: [{ id: "w", agents: ["a", "b"] }] });
    settle(index, run);
    setAgentState(run, "a", "blocked", "its budget is spent", 1);
    expect(settle(index, run)).toEqual([]); // b still runs
    applyAgentEnded(index, run, "b", ok, 2, DEFAULT_RETRY);
    settle(index, run);
    expect(run.state).toBe("blocked");
    expect(run.reason).toContain("budget");
  });

  test("illegal transitions throw", () => {
    const { index, run } = setup({ agents: [{ id: "a" }], waves: [{ id: "w", agents: ["a"] }] });
    expect(() => applyAgentEnded(index, run, "a", ok, 0, DEFAULT_RETRY)).toThrow(/queued → completed/);
  });
});
