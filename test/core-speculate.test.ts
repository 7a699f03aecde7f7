// The core's speculation rules (daemon/core/speculate.ts), step by step on small plans: who may start
// while a gate runs, what a failed or passed gate does to speculative attempts, and that a
// discarded attempt is not counted and replays from the journal to the same state.
import { expect, test } from "bun:test";
import { Plan, type JournalRecord, type PlanInput, type Step } from "../protocol/index.ts";
import { decide, type Limits } from "../daemon/core/decide.ts";
import type { Effect } from "../daemon/core/outcomes.ts";
import { reduce } from "../daemon/core/reduce.ts";
import { unholdable } from "../daemon/core/speculate.ts";
import { encodePlan, freshPlan, type DurablePlan } from "../daemon/journal/codec.ts";
import { rebuild } from "../daemon/journal/replay.ts";

const rules = { retry: { baseMs: 1_000, maxMs: 1_000 } };
const limits: Limits = { maxAgents: 10, speculation: { byDefault: false, holdable: ["command"] } };

function world(input: Partial<PlanInput> & Pick<PlanInput, "agents" | "waves">) {
  const body = { apiVersion: "purple/v1", name: "p", speculate: true, defaults: { runner: "command", retries: 1 }, ...input } as PlanInput;
  const d: DurablePlan = freshPlan(Plan.parse(body), { hash: "h", dir: "/x/p", source: "s", approval: false, acceptedAt: 0 });
  const journal: JournalRecord[] = [{ t: "plan", plan: "p", hash: "h", dir: "/x/p", source: "s", approval: false, body, at: 0 }];
  const effects: Effect[] = [];
  const step = (s: Step) => {
    effects.push(...reduce(d.index, d.run, s, 0, rules).effects);
    journal.push({ t: "step", plan: "p", step: s, at: 0 });
  };
  /** decide and apply until nothing more: the actions taken */
  const settle = (lim: Limits = limits) => {
    const taken: Step[] = [];
    for (;;) {
      const { actions } = decide([d], lim, 0);
      if (actions.length === 0) return taken;
      for (const a of actions) (step(a.action), taken.push(a.action));
    }
  };
  const end = (agent: string, outcome: "finished" | "failed" | "cancelled" = "finished") => step({ type: "attempt-ended", agent, outcome, message: outcome, trespass: [], validate: false, final: false });
  const agent = (id: string) => d.run.agents.get(id)!;
  const replayed = () => JSON.stringify(rebuild({ snapshot: null, records: journal }, rules).map(encodePlan));
  step({ type: "accept", approval: false });
  return { d, step, settle, end, agent, effects, replayed, live: () => JSON.stringify([encodePlan(d)]) };
}

const twoWaves = { agents: [{ id: "a", territory: ["a/"] }, { id: "b", territory: ["b/"] }, { id: "c", territory: ["c/"], dependsOn: ["b"] }], waves: [{ id: "w1", agents: ["a"], gate: [{ exists: "." }] }, { id: "w2", agents: ["b", "c"] }] };

test("while the gate runs, the next wave's agents start speculatively; one depending on a speculative agent waits; a passed gate releases the held changes", () => {
  const w = world(twoWaves);
  w.settle();
  w.end("a");
  const taken = w.settle();
  expect(taken).toEqual([{ type: "run-gate", wave: "w1" }, { type: "start-agent", agent: "b", speculative: true }]);
  expect(w.agent("b").speculative).toBe(true);
  w.step({ type: "gate-ended", passed: true, summary: "" });
  expect(w.effects).toEqual([{ type: "release-held", wave: "w2" }]);
  w.end("b"); // its changes were held, then applied: now it completes
  expect(w.agent("b").state).toBe("completed");
  const next = w.settle();
  expect(next).toEqual([{ type: "start-wave", wave: "w2" }, { type: "start-agent", agent: "c" }]);
  expect(w.replayed()).toBe(w.live());
});

test("a failed gate stops every speculative attempt; each goes back to queued, its attempt not counted, and runs again once the gate passes", () => {
  const w = world(twoWaves);
  w.settle();
  w.end("a");
  w.settle();
  expect(w.agent("b").attempt).toBe(1);
  w.step({ type: "gate-ended", passed: false, summary: "exists ." });
  expect(w.effects).toEqual([{ type: "stop-agent", agent: "b", reason: "speculative work discarded: the gate of wave w1 failed" }]);
  expect(w.d.run.state).toBe("blocked");
  w.end("b", "cancelled"); // the engine stopped it (or dropped what it held)
  expect(w.agent("b").state).toBe("queued");
  expect(w.agent("b").attempt).toBe(0);
  expect(w.agent("b").reason).toMatch(/^speculative attempt 1 discarded: the gate of wave w1 failed/);
  expect(w.agent("b").notBefore).toBe(0);
  expect(w.settle()).toEqual([]); // blocked: nothing starts
  w.step({ type: "resume" }); // the gate runs again, and b may speculate again
  expect(w.settle()).toEqual([{ type: "run-gate", wave: "w1" }, { type: "start-agent", agent: "b", speculative: true }]);
  w.step({ type: "gate-ended", passed: true, summary: "" });
  w.end("b");
  expect([w.agent("b").state, w.agent("b").attempt]).toEqual(["completed", 1]);
  expect(w.replayed()).toBe(w.live());
});

test("a speculative attempt that fails before its gate passes is not counted; the agent waits for the gate and then runs as strict waves run it", () => {
  const w = world({ ...twoWaves, defaults: { runner: "command", retries: 0 } });
  w.settle();
  w.end("a");
  w.settle();
  w.end("b", "failed");
  expect([w.agent("b").state, w.agent("b").attempt, w.agent("b").waitGate]).toEqual(["queued", 0, true]);
  expect(w.settle()).toEqual([]); // no second speculation while this gate runs
  w.step({ type: "gate-ended", passed: true, summary: "" });
  expect(w.settle()).toEqual([{ type: "start-wave", wave: "w2" }, { type: "start-agent", agent: "b" }]);
  expect(w.replayed()).toBe(w.live());
});

test("agents whose writes cannot be held (the anthropic runner, or any runner with the sandbox off) wait for the gate; so does a plan that does not speculate", () => {
  const w = world({ ...twoWaves, agents: [twoWaves.agents[0]!, { id: "b", territory: ["b/"], runner: { kind: "anthropic" } }, twoWaves.agents[2]!] });
  w.settle();
  w.end("a");
  expect(w.settle()).toEqual([{ type: "run-gate", wave: "w1" }]);
  expect(unholdable(w.d.index, w.d.run, limits.speculation)).toEqual(["b"]); // named in the status log as waiting for the gate
  const strict = world({ ...twoWaves, speculate: false });
  strict.settle();
  strict.end("a");
  expect(strict.settle()).toEqual([{ type: "run-gate", wave: "w1" }]);
  // O/purple.yaml's default applies to a plan that does not say
  const byDefault = world({ ...twoWaves, speculate: undefined });
  byDefault.settle();
  byDefault.end("a");
  expect(byDefault.settle({ maxAgents: 10, speculation: { byDefault: true, holdable: ["command"] } })).toEqual([{ type: "run-gate", wave: "w1" }, { type: "start-agent", agent: "b", speculative: true }]);
  // the sandbox off: nothing is holdable
  const off = world(twoWaves);
  off.settle();
  off.end("a");
  expect(off.settle({ maxAgents: 10, speculation: { byDefault: false, holdable: [] } })).toEqual([{ type: "run-gate", wave: "w1" }]);
});

test("speculative agents count against maxAgents and keep their territory while held", () => {
  const w = world({ maxAgents: 1, agents: [{ id: "a", territory: ["a/"] }, { id: "b", territory: ["src/"] }, { id: "c", territory: ["src/x.ts"] }], waves: [{ id: "w1", agents: ["a"], gate: [{ exists: "." }] }, { id: "w2", agents: ["b", "c"] }] });
  w.settle();
  w.end("a");
  expect(w.settle()).toEqual([{ type: "run-gate", wave: "w1" }, { type: "start-agent", agent: "b", speculative: true }]);
  expect(w.settle()).toEqual([]); // one slot, and c's territory lies in b's
});

test("purpled restarting while a speculative attempt runs: it is queued again, not counted, and the gate runs again", () => {
  const w = world(twoWaves);
  w.settle();
  w.end("a");
  w.settle();
  w.step({ type: "restart" });
  expect([w.agent("b").state, w.agent("b").attempt]).toEqual(["queued", 0]);
  expect(w.d.run.waves[0]!.state).toBe("running");
  expect(w.replayed()).toBe(w.live());
});

test("a gate-only wave between two: while the gate before it runs, the wave after it speculates; held until both gates passed; a failure of either discards it", () => {
  const input = { agents: [{ id: "a", territory: ["a/"] }, { id: "b", territory: ["b/"] }], waves: [{ id: "w1", agents: ["a"], gate: [{ exists: "." }] }, { id: "check", agents: [], gate: [{ exists: "." }] }, { id: "w3", agents: ["b"] }] };
  const w = world(input);
  w.settle();
  w.end("a");
  expect(w.settle()).toEqual([{ type: "run-gate", wave: "w1" }, { type: "start-agent", agent: "b", speculative: true }]);
  w.step({ type: "gate-ended", passed: true, summary: "" });
  expect(w.effects).toEqual([]); // b waits for the gate-only wave's gate too
  expect(w.settle()).toEqual([{ type: "start-wave", wave: "check" }, { type: "run-gate", wave: "check" }]);
  w.step({ type: "gate-ended", passed: true, summary: "" });
  expect(w.effects).toEqual([{ type: "release-held", wave: "w3" }]);
  w.end("b");
  expect(w.agent("b").state).toBe("completed");
  expect(w.replayed()).toBe(w.live());

  const failing = world({ ...input, repair: { rounds: 0 } });
  failing.settle();
  failing.end("a");
  failing.settle();
  failing.step({ type: "gate-ended", passed: true, summary: "" });
  failing.settle();
  failing.step({ type: "gate-ended", passed: false, summary: "exists ." });
  expect(failing.effects).toEqual([{ type: "stop-agent", agent: "b", reason: "speculative work discarded: the gate of wave check failed" }]);
  failing.end("b");
  expect([failing.agent("b").state, failing.agent("b").attempt]).toEqual(["queued", 0]);
  expect(failing.agent("b").reason).toMatch(/^speculative attempt 1 discarded: the gate of wave check failed; it runs again once the gate of wave check passes/);
  expect(failing.replayed()).toBe(failing.live());
});
