// Repair rounds and the circuit breaker in the pure core (daemon/core/repair.ts): who is held
// responsible for a failed check, when a round starts, when the breaker trips and why, how a
// contract's owner is repaired, and that the state survives the snapshot codec.
import { expect, test } from "bun:test";
import { PlanSnapshot, type CheckFailure, type PlanInput, type Step, type StepOf } from "../protocol/index.ts";
import { decide, type PlanRef } from "../daemon/core/decide.ts";
import { reduce } from "../daemon/core/reduce.ts";
import { pathsIn, responsible } from "../daemon/core/repair.ts";
import { decodePlan, encodePlan, freshPlan } from "../daemon/journal/codec.ts";
import { corePlan, coreRules, coreStep, settle } from "./support/core-plan.ts";

const ended = (agent: string, validate = false): StepOf<"attempt-ended"> => ({ type: "attempt-ended", agent, outcome: "finished", message: "done", trespass: [], validate, final: false });
const failure = (check: string, output: string, extra: Partial<CheckFailure> = {}): CheckFailure => ({ check, kind: "run", target: "npm test", output, reasons: [], files: [], ...extra });
const gateFailed = (failures: CheckFailure[]): Step => ({ type: "gate-ended", passed: false, summary: failures.map((f) => f.check).join("; "), failures });

const setup = corePlan;
const step = coreStep;
const states = (p: PlanRef) => Object.fromEntries([...p.run.agents].map(([id, a]) => [id, a.state]));

const plan = (repair?: number): Omit<PlanInput, "apiVersion" | "name"> => ({
  ...(repair === undefined ? {} : { repair: { rounds: repair } }),
  contracts: [{ id: "api", owner: "b", consumers: [] }],
  agents: [{ id: "a", territory: ["src/a/"] }, { id: "b", territory: ["src/b/", "lib/"] }, { id: "c", territory: ["docs/"] }, { id: "d", territory: ["out/"] }],
  waves: [
    { id: "w1", agents: ["a", "b", "c"], gate: [{ run: "npm test" }, { exists: "docs/guide.md" }, { contract: "api" }, { manual: "design review" }] },
    { id: "w2", agents: ["d"] },
  ],
});

/** The plan with wave w1 done and its gate under way. */
function atGate(repair?: number): PlanRef {
  const p = setup(plan(repair));
  settle(p);
  for (const id of ["a", "b", "c"]) step(p, ended(id));
  expect(settle(p)).toEqual(["run-gate"]);
  return p;
}

/** The agents a round queued run and finish; the gate runs again. */
function rework(p: PlanRef): void {
  const started = settle(p);
  for (const s of started) step(p, ended(s.slice("start ".length)));
  expect(settle(p)).toEqual(["run-gate"]);
}

test("responsible: the contract's owner; else the agents whose territory holds a named file; else the whole wave", () => {
  const p = atGate();
  const r = (f: CheckFailure) => responsible(p.index, 0, [f]);
  expect(r(failure("w1#2", "contract api failed", { kind: "contract", target: "api" }))).toEqual(["b"]);
  expect(r(failure("w1#1", "docs/guide.md does not exist", { kind: "exists" }))).toEqual(["c"]); // the check's own target file
  expect(r(failure("w1#0", "FAIL at src/a/util.test.ts:12:3\n  expected 1"))).toEqual(["a"]); // a path in its output
  expect(r(failure("w1#0", "error in (lib/x.js)"))).toEqual(["b"]);
  expect(r(failure("w1#0", "x", { kind: "judge", files: ["src/b/y.ts", "docs/z.md"] }))).toEqual(["b", "c"]); // a verdict's files
  expect(r(failure("w1#0", "1 test failed"))).toEqual(["a", "b", "c"]); // nothing named: every agent of the wave
  expect(r(failure("w1#0", "see /etc/passwd and ../src/a/x and https://x.io/src/a/y"))).toEqual(["a", "b", "c"]); // outside the root: not named
  expect(pathsIn("at src/a.ts:3:1, (lib/b.js) and 'c.json'. Done.")).toEqual(["src/a.ts", "lib/b.js", "c.json"]);
});

test("a failed gate starts a repair round: the responsible agents run again with the failure, the others stay completed, then the gate runs again", () => {
  const p = atGate();
  const out = step(p, gateFailed([failure("w1#0", "FAIL src/a/x.test.ts")]));
  expect(out.transitions[0]).toEqual({ kind: "repair", subject: "gate:w1", round: 1, of: 2, agents: ["a"], checks: ["w1#0"] });
  expect(p.run.state).toBe("running");
  expect(p.run.waves[0]!.state).toBe("running");
  expect(states(p)).toMatchObject({ a: "queued", b: "completed", c: "completed" });
  expect(p.run.agents.get("a")!.repair).toContain("Repair round 1 of 2: the gate of wave w1 failed");
  expect(p.run.agents.get("a")!.repair).toContain("FAIL src/a/x.test.ts");
  expect(settle(p)).toEqual(["start a"]);
  step(p, ended("a"));
  expect(p.run.agents.get("a")!.repair).toBeNull(); // done with: the next attempt is not told again
  expect(settle(p)).toEqual(["run-gate"]);
  step(p, { type: "gate-ended", passed: true, summary: "", failures: [] });
  expect(settle(p)).toEqual(["start-wave", "start d"]);
});

test("the breaker trips when the rounds are spent, or when a round fails exactly as the failure before it", () => {
  // spent: two rounds, each failing differently
  const p = atGate(2);
  step(p, gateFailed([failure("w1#0", "3 failed")]));
  rework(p);
  step(p, gateFailed([failure("w1#0", "2 failed")]));
  expect(p.run.repairs.get("gate:w1")!.rounds).toBe(2);
  rework(p);
  step(p, gateFailed([failure("w1#0", "1 failed")]));
  expect(p.run.state).toBe("blocked");
  expect(p.run.reason).toBe("gate of wave w1 failed: w1#0; circuit breaker: 2 repair rounds spent");
  expect(p.run.breaker).toEqual({ subject: "gate:w1", why: "circuit breaker: 2 repair rounds spent" });
  expect(p.run.repairs.get("gate:w1")!.rounds).toBe(2);

  // the same failure twice: tripped after one round, with rounds to spare
  const q = atGate(5);
  step(q, gateFailed([failure("w1#0", "same")]));
  rework(q);
  step(q, gateFailed([failure("w1#0", "same")]));
  expect(q.run.state).toBe("blocked");
  expect(q.run.breaker?.why).toBe("circuit breaker: repair round 1 failed exactly as the failure before it");

  // rounds 0: at once
  const z = atGate(0);
  step(z, gateFailed([failure("w1#0", "x")]));
  expect(z.run.breaker?.why).toBe("circuit breaker: no repair rounds (repair.rounds is 0)");

  // a resume runs the gate again: the breaker is cleared while it runs
  step(z, { type: "resume" });
  expect(z.run.breaker).toBeNull();
});

test("a person's check, or a gate step journaled before repair rounds, blocks at once without a breaker", () => {
  const p = atGate();
  step(p, gateFailed([failure("w1#3", "waits for `purplectl approve`", { kind: "manual" })]));
  expect([p.run.state, p.run.breaker, p.run.repairs.size]).toEqual(["blocked", null, 0]);
  const q = atGate();
  step(q, { type: "gate-ended", passed: false, summary: "old" });
  expect([q.run.state, q.run.reason, q.run.breaker]).toEqual(["blocked", "gate of wave w1 failed: old", null]);
});

test("a person's retry of an agent of a wave its gate blocked runs it again (with the note), then the gate", () => {
  const p = atGate(0);
  step(p, gateFailed([failure("w1#0", "x")]));
  expect(() => step(p, { type: "retry-agent", agent: "d" })).toThrow(/only a failed/); // not of that wave
  step(p, { type: "retry-agent", agent: "b", note: "the test wants 2" });
  expect([p.run.state, p.run.waves[0]!.state, states(p).b]).toEqual(["running", "running", "queued"]);
  expect(p.run.agents.get("b")!.guidance).toEqual(["the test wants 2"]);
  expect(settle(p)).toEqual(["start b"]);
});

test("a contract's failed checks send its owner back with the failure; the breaker blocks the owner and the plan", () => {
  const p = setup({ repair: { rounds: 1 }, contracts: [{ id: "api", owner: "a", consumers: [], checks: [{ exports: { file: "src/a/api.ts", names: ["make"] } }] }], agents: [{ id: "a", territory: ["src/a/"] }], waves: [{ id: "w1", agents: ["a"] }] });
  settle(p);
  step(p, ended("a", true));
  const checked = (output: string): Step => ({ type: "contracts-checked", agent: "a", failed: ["api"], failures: { api: [failure("api#0", output, { kind: "exports", target: "src/a/api.ts exports make" })] } });
  const out = step(p, checked("not exported: make"));
  expect(out.transitions[0]).toEqual({ kind: "repair", subject: "contract:api", round: 1, of: 1, agents: ["a"], checks: ["api#0"] });
  expect(states(p).a).toBe("queued");
  expect(p.run.agents.get("a")!.notBefore).toBe(0); // no retry backoff: a repair round starts now
  expect(p.run.agents.get("a")!.repair).toContain("contract api, which you own, failed");
  expect(settle(p)).toEqual(["start a"]);
  step(p, ended("a", true));
  step(p, checked("not exported: make (still)"));
  expect(states(p).a).toBe("blocked");
  expect(p.run.agents.get("a")!.reason).toBe("contract api failed its checks (api#0); circuit breaker: 1 repair round spent");
  expect(settle(p)).toEqual(["finish-plan"]);
  expect(p.run.state).toBe("blocked");
  expect(p.run.breaker).toEqual({ subject: "contract:api", why: "circuit breaker: 1 repair round spent" });

  // every new fact survives the snapshot codec
  const d = freshPlan(p.index.plan, { hash: "h", dir: "/x/t", source: "s", approval: false, acceptedAt: 0 });
  d.run = p.run;
  const back = decodePlan(JSON.parse(JSON.stringify(encodePlan(d))));
  expect([back.run.repairs.get("contract:api"), back.run.breaker]).toEqual([p.run.repairs.get("contract:api"), p.run.breaker]);
  expect(JSON.stringify(encodePlan(back))).toBe(JSON.stringify(encodePlan(d)));
});

test("`approve --override` of a contract check its breaker tripped on: recorded, the owner's contracts checked again (in a slot decide grants) without running it", () => {
  const p = setup({ repair: { rounds: 0 }, contracts: [{ id: "api", owner: "a", consumers: [], checks: [{ exports: { file: "src/a/api.ts", names: ["make"] } }] }], agents: [{ id: "a", territory: ["src/a/"] }], waves: [{ id: "w1", agents: ["a"] }] });
  settle(p);
  step(p, ended("a", true));
  step(p, { type: "contracts-checked", agent: "a", failed: ["api"], failures: { api: [failure("api#0", "not exported: make", { kind: "exports" })] } });
  expect(settle(p)).toEqual(["finish-plan"]);
  expect(() => step(p, { type: "approve", override: ["api#3"] })).toThrow(/no check api#3 in contract api/);
  const out = step(p, { type: "approve", override: ["api#0"] });
  // the override only records the decision and marks the owner: the recheck waits for a slot
  expect(out.effects).toEqual([]);
  expect([p.run.state, states(p).a, p.run.agents.get("a")!.recheck, p.run.overrides, p.run.breaker]).toEqual(["running", "blocked", true, ["contract:api#0"], null]);
  expect(settle(p)).toEqual(["recheck-contracts"]);
  expect([states(p).a, p.run.agents.get("a")!.recheck]).toEqual(["validating", false]);
  expect(p.run.agents.get("a")!.attempt).toBe(1); // not run again
  step(p, { type: "contracts-checked", agent: "a", failed: [], failures: {} });
  expect(settle(p)).toEqual(["pass-wave", "finish-plan"]);
  expect(p.run.state).toBe("succeeded");
});

test("an override's recheck takes a slot like a start: it waits while the daemon's limit or an overlapping territory is taken, then runs its contract checks", () => {
  const blockedOwner = () => {
    const p = setup({ repair: { rounds: 0 }, contracts: [{ id: "api", owner: "a", consumers: [], checks: [{ exists: "src/a/api.ts" }] }], agents: [{ id: "a", territory: ["src/a/"] }], waves: [{ id: "w1", agents: ["a"] }] });
    settle(p);
    step(p, ended("a", true));
    step(p, { type: "contracts-checked", agent: "a", failed: ["api"], failures: { api: [failure("api#0", "missing", { kind: "exists" })] } });
    expect(settle(p)).toEqual(["finish-plan"]);
    return p;
  };
  const other = (territory: string[]) => {
    const q = setup({ agents: [{ id: "x", territory }], waves: [{ id: "v1", agents: ["x"] }] });
    q.run.name = "other";
    return q;
  };
  const round = (plans: PlanRef[], maxAgents: number) => decide(plans, { maxAgents }, 1).actions.map((d) => `${d.plan}:${d.action.type}`);

  // the daemon's one slot is taken by another plan's agent: no recheck until it ends
  const p = blockedOwner();
  const q = other(["docs/"]);
  expect(round([q], 1)).toEqual(["0:start-plan"]);
  reduce(q.index, q.run, { type: "start-plan" }, 1, coreRules);
  reduce(q.index, q.run, { type: "start-wave", wave: "v1" }, 1, coreRules);
  reduce(q.index, q.run, { type: "start-agent", agent: "x" }, 1, coreRules);
  step(p, { type: "approve", override: ["api#0"] });
  expect(round([p, q], 1)).toEqual([]);
  expect(round([p, q], 2)).toEqual(["0:recheck-contracts"]);
  // the recheck survives the snapshot codec while it waits (and a snapshot without the field reads as none)
  const d = freshPlan(p.index.plan, { hash: "h", dir: "/x/t", source: "s", approval: false, acceptedAt: 0 });
  d.run = p.run;
  const snap = JSON.parse(JSON.stringify(encodePlan(d)));
  expect(decodePlan(snap).run.agents.get("a")!.recheck).toBe(true);
  delete snap.agents.a.recheck;
  expect(decodePlan(PlanSnapshot.parse(snap)).run.agents.get("a")!.recheck).toBe(false);
  reduce(q.index, q.run, ended("x"), 1, coreRules);
  expect(round([p, q], 1)).toEqual(["1:pass-wave", "0:recheck-contracts"]);
  const out = step(p, { type: "recheck-contracts", agent: "a" });
  expect(out.effects).toEqual([{ type: "check-contracts", agent: "a" }]);
  expect([states(p).a, p.run.running.size]).toEqual(["validating", 1]);

  // an agent of another plan runs in an overlapping territory: the recheck waits for it
  const p2 = blockedOwner();
  const q2 = other(["src/"]);
  for (const s of [{ type: "start-plan" }, { type: "start-wave", wave: "v1" }, { type: "start-agent", agent: "x" }] as Step[]) reduce(q2.index, q2.run, s, 1, coreRules);
  step(p2, { type: "approve", override: ["api#0"] });
  expect(round([p2, q2], 10)).toEqual([]);
  reduce(q2.index, q2.run, ended("x"), 1, coreRules);
  expect(round([p2, q2], 10)).toEqual(["1:pass-wave", "0:recheck-contracts"]);
});

test("attempts started by repair rounds do not use up the agent's retries", () => {
  const p = setup({ defaults: { retries: 1 }, agents: [{ id: "a", territory: ["src/"] }], waves: [{ id: "w1", agents: ["a"], gate: [{ run: "npm test" }] }] });
  settle(p);
  step(p, ended("a"));
  settle(p);
  step(p, gateFailed([failure("w1#0", "1 failed")]));
  expect(settle(p)).toEqual(["start a"]);
  // the repair attempt (attempt 2) fails: its one retry is still there
  step(p, { ...ended("a"), outcome: "failed", message: "API 500" });
  expect(states(p).a).toBe("queued");
  expect(p.run.agents.get("a")!.repairAttempts).toBe(1);
});
