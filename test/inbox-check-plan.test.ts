// checkPlan: one test per semantic rejection, the overlap rule, and speed on a 10,000-agent plan.
import { expect, test } from "bun:test";
import { checkPlan } from "../inbox/check-plan.ts";
import { Plan, type PlanInput } from "../protocol/plan.ts";
import { agent, minimalPlan, oneWave } from "./inbox-fixtures.ts";

const check = (input: PlanInput) => checkPlan(Plan.parse(input));
const paths = (input: PlanInput) => check(input).map((p) => p.path);

test("the minimal plan has no problems", () => {
  expect(check(minimalPlan())).toEqual([]);
});

test("a duplicate agent id is a problem at the second definition", () => {
  const problems = check(oneWave([agent("a", ["x/"]), agent("a", ["y/"])]));
  expect(problems).toContainEqual({ path: "agents.1.id", message: expect.stringContaining('duplicate agent id "a"') });
});

test("duplicate wave, contract and ticket ids are problems", () => {
  const plan = minimalPlan({
    agents: [agent("a", ["x/"], { tickets: [{ id: "T-1", title: "one" }, { id: "T-1", title: "again" }] }), agent("b", ["y/"])],
    waves: [{ id: "w", agents: ["a"] }, { id: "w", agents: ["b"] }],
    contracts: [{ id: "c" }, { id: "c" }],
  });
  expect(paths(plan)).toEqual(expect.arrayContaining(["waves.1.id", "contracts.1.id", "agents.0.tickets.1.id"]));
});

test("a wave naming an undefined agent is a problem", () => {
  const plan = minimalPlan({ waves: [{ id: "w1", agents: ["a", "b", "ghost"] }] });
  expect(check(plan)).toContainEqual({ path: "waves.0.agents.2", message: expect.stringContaining('"ghost", which is not defined') });
});

test("dependsOn on an undefined agent, and on itself, are problems", () => {
  const plan = oneWave([agent("a", ["x/"], { dependsOn: ["nobody"] }), agent("b", ["y/"], { dependsOn: ["b"] })]);
  expect(check(plan)).toEqual([
    { path: "agents.0.dependsOn.0", message: expect.stringContaining('"nobody", which is not defined') },
    { path: "agents.1.dependsOn.0", message: expect.stringContaining("depends on itself") },
  ]);
});

test("contract owner, consumers and contract gate checks must name defined things", () => {
  const plan = minimalPlan({
    contracts: [{ id: "api", owner: "ghost", consumers: ["a", "phantom"], checks: [{ contract: "nope" }] }],
    waves: [{ id: "w1", agents: ["a", "b"], gate: [{ run: "true" }, { contract: "missing" }, { contract: "api" }] }],
  });
  expect(paths(plan)).toEqual(["contracts.0.owner", "contracts.0.consumers.1", "contracts.0.checks.0.contract", "waves.0.gate.1.contract"]);
});

test("a dependency cycle is reported with its path", () => {
  const plan = oneWave([agent("a", ["x/"], { dependsOn: ["c"] }), agent("b", ["y/"], { dependsOn: ["a"] }), agent("c", ["z/"], { dependsOn: ["b"] })]);
  const problems = check(plan);
  expect(problems).toHaveLength(1);
  expect(problems[0]!.message).toMatch(/dependency cycle: (a → c → b → a|b → a → c → b|c → b → a → c)/);
  expect(problems[0]!.path).toMatch(/^agents\.\d\.dependsOn\.0$/);
});

test("an agent in no wave is a problem", () => {
  const plan = minimalPlan({ waves: [{ id: "w1", agents: ["a"] }] });
  expect(check(plan)).toContainEqual({ path: "agents.1", message: expect.stringContaining('"b" is in no wave') });
});

test("an agent in two waves is a problem", () => {
  const plan = minimalPlan({ waves: [{ id: "w1", agents: ["a", "b"] }, { id: "w2", agents: ["b"] }] });
  expect(check(plan)).toEqual([{ path: "waves.1.agents.0", message: expect.stringContaining('already in wave "w1"') }]);
});

test("depending on an agent of a later wave is a problem", () => {
  const plan = minimalPlan({
    agents: [agent("a", ["x/"], { dependsOn: ["b"] }), agent("b", ["y/"])],
    waves: [{ id: "w1", agents: ["a"] }, { id: "w2", agents: ["b"] }],
  });
  expect(check(plan)).toEqual([{ path: "agents.0.dependsOn.0", message: expect.stringContaining('later wave ("w2")') }]);
});

test.each([
  ["/etc/passwd", "absolute"],
  ["../../etc", "'..'"],
  ["src/../../x", "'..'"],
  ["src/a\0b", "NUL"],
  [".git/hooks", ".git"],
  ["~/x", "~"],
])("territory %j is refused (%s)", (entry, why) => {
  const problems = check(oneWave([agent("a", [entry])]));
  expect(problems).toEqual([{ path: "agents.0.territory.0", message: expect.stringContaining(why) }]);
});

test("territory entries that would explode the overlap test are refused, fast", () => {
  const problems = check(oneWave([agent("a", ["{a,b}".repeat(30)]), agent("b", ["*a*a*a*a*a*a*a*b"]), agent("c", ["x/".repeat(200)])]));
  expect(problems.map((p) => p.path)).toEqual(["agents.0.territory.0", "agents.1.territory.0", "agents.2.territory.0"]);
});

test("overlapping territories in one wave without dependsOn are a problem", () => {
  const problems = check(oneWave([agent("a", ["src/"]), agent("b", ["src/App.jsx"])]));
  expect(problems).toEqual([{ path: "agents.1.territory", message: expect.stringContaining('overlaps that of agent "a" in wave "w1"') }]);
});

test("glob territories overlap when some path matches both", () => {
  expect(paths(oneWave([agent("a", ["src/**/*.ts"]), agent("b", ["src/lib/x.ts"])]))).toEqual(["agents.1.territory"]);
  expect(paths(oneWave([agent("a", ["src/**/*.ts"]), agent("b", ["src/lib/x.css"])]))).toEqual([]);
});

test("overlapping territories are accepted when one dependsOn the other, directly or transitively, either way", () => {
  expect(check(oneWave([agent("a", ["src/"]), agent("b", ["src/x.ts"], { dependsOn: ["a"] })]))).toEqual([]);
  expect(check(oneWave([agent("a", ["src/"], { dependsOn: ["b"] }), agent("b", ["src/x.ts"])]))).toEqual([]);
  const chain = oneWave([agent("a", ["src/"]), agent("c", ["lib/"], { dependsOn: ["a"] }), agent("b", ["src/x.ts"], { dependsOn: ["c"] })]);
  expect(check(chain)).toEqual([]);
});

test("src and src-evil do not overlap", () => {
  expect(check(oneWave([agent("a", ["src"]), agent("b", ["src-evil"])]))).toEqual([]);
  expect(check(oneWave([agent("a", ["src/"]), agent("b", ["src-evil/**"])]))).toEqual([]);
});

test("overlapping territories in different waves are fine", () => {
  const plan = minimalPlan({ agents: [agent("a", ["src/"]), agent("b", ["src/"])], waves: [{ id: "w1", agents: ["a"] }, { id: "w2", agents: ["b"] }] });
  expect(check(plan)).toEqual([]);
});

test("every problem is reported at once", () => {
  const plan = minimalPlan({
    agents: [agent("a", ["/abs"], { dependsOn: ["ghost"] }), agent("b", ["src/"]), agent("c", ["src/x"])],
    waves: [{ id: "w1", agents: ["a", "b", "c", "nobody"] }],
  });
  expect(check(plan).length).toBeGreaterThanOrEqual(4);
});

test("a 10,000-agent, 100-wave plan checks", () => {
  const agents = [];
  const waves = [];
  for (let w = 0; w < 100; w++) {
    const ids = [];
    for (let i = 0; i < 100; i++) {
      const id = `w${w}-a${i}`;
      ids.push(id);
      const dependsOn = w > 0 ? [`w${w - 1}-a${i}`] : [];
      // every tenth agent shares a folder with its neighbour, which it waits for
      if (i % 10 === 1) dependsOn.push(`w${w}-a${i - 1}`);
      const territory = i % 10 === 1 ? [`src/w${w}/a${i - 1}/sub/**`] : [`src/w${w}/a${i}/`, `tests/w${w}/a${i}.test.ts`];
      agents.push(agent(id, territory, { dependsOn }));
    }
    waves.push({ id: `wave-${w}`, agents: ids });
  }
  const plan = Plan.parse(minimalPlan({ agents, waves }));
  const problems = checkPlan(plan);
  expect(problems).toEqual([]);
});

test("a 10,000-agent dependency chain or cycle in one wave neither overflows the stack nor hangs", () => {
  const n = 10_000;
  const chain = Array.from({ length: n }, (_, i) => agent(`a${i}`, [i === 0 || i === n - 1 ? "shared/" : `own/${i}/`], { dependsOn: i ? [`a${i - 1}`] : [] }));
  expect(check(oneWave(chain))).toEqual([]);
  chain[0]!.dependsOn = [`a${n - 1}`];
  const problems = check(oneWave(chain));
  expect(problems).toHaveLength(1);
  expect(problems[0]!.message).toContain(`(${n} agents)`);
});

test("territory braces are expanded before the escape checks and the overlap test (issue 14)", () => {
  const escaping = oneWave([agent("a", ["{..,src}/x"]), agent("b", ["{/etc,lib}"]), agent("c", ["{.git,docs}"])]);
  expect(paths(escaping)).toEqual(["agents.0.territory.0", "agents.1.territory.0", "agents.2.territory.0"]);
  // `[!x]` never matches `/`: src[!x]a.ts does not overlap src/a.ts, but does overlap srcya.ts
  expect(check(oneWave([agent("a", ["src[!x]a.ts"]), agent("b", ["src/a.ts"])]))).toEqual([]);
  expect(paths(oneWave([agent("a", ["src[!x]a.ts"]), agent("b", ["srcya.ts"])]))).toEqual(["agents.1.territory"]);
  // an alternative overlapping another agent's territory is found
  expect(paths(oneWave([agent("a", ["{lib,src/x}/"]), agent("b", ["src/x/y.ts"])]))).toEqual(["agents.1.territory"]);
});
