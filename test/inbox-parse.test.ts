// parsePlanText: schema problems with dotted paths, every stage's problems at once, and hostile
// input (alias bombs, deep nesting, huge arrays, prototype keys) refused as problems, never thrown.
import { expect, test } from "bun:test";
import { parsePlanText } from "../inbox/parse.ts";
import { agent, minimalPlan, toYaml } from "./inbox-fixtures.ts";

const problemsOf = (text: string, format: "yaml" | "json" = "yaml") => {
  const r = parsePlanText(text, format);
  if (r.ok) throw new Error("expected problems, the plan was accepted");
  return r.problems;
};

test("the minimal plan parses, defaults filled in, from YAML and from JSON", () => {
  for (const [text, format] of [[toYaml(minimalPlan()), "yaml"], [JSON.stringify(minimalPlan()), "json"]] as const) {
    const r = parsePlanText(text, format);
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.plan.maxAgents).toBe(6);
      expect(r.plan.agents[1]!.dependsOn).toEqual(["a"]);
    }
  }
});

test("the SPEC's minimal example parses", () => {
  const text = `apiVersion: purple/v1
name: demo
agents:
  - { id: a, territory: [src/a/], runner: { kind: command, command: [bash, -c, "true"] } }
  - { id: b, territory: [src/b/], dependsOn: [a] }
waves:
  - { id: w1, agents: [a, b], gate: [{ run: "true" }] }
`;
  expect(parsePlanText(text, "yaml").ok).toBe(true);
});

test("an unknown key is a problem at its dotted path", () => {
  const plan = minimalPlan();
  (plan.agents[1] as Record<string, unknown>).terirtory = ["x/"];
  (plan as Record<string, unknown>).extra = 1;
  const problems = problemsOf(toYaml(plan));
  expect(problems).toHaveLength(2);
  expect(problems).toEqual(
    expect.arrayContaining([
      { path: "extra", message: 'unknown key "extra"' },
      { path: "agents.1.terirtory", message: 'unknown key "terirtory"' },
    ]),
  );
});

test("schema problems carry dotted paths into arrays", () => {
  const plan = minimalPlan();
  (plan.agents[0] as Record<string, unknown>).territory = ["ok/", 7];
  expect(problemsOf(toYaml(plan))).toContainEqual({ path: "agents.0.territory.1", message: expect.stringContaining("expected string") });
});

test("a malformed gate check says what a check looks like; a half-right one names the missing field", () => {
  const plan = minimalPlan({ waves: [{ id: "w1", agents: ["a", "b"], gate: [{ run: "x", exists: "y" } as never, { contains: { file: "f" } } as never] }] });
  expect(problemsOf(toYaml(plan))).toEqual([
    { path: "waves.0.gate.0", message: expect.stringContaining("exactly one of the keys run, exists") },
    { path: "waves.0.gate.1.contains.pattern", message: expect.stringContaining("expected string") },
  ]);
});

test("schema and semantic problems are reported together (3 mistakes, 3+ problems)", () => {
  const plan = minimalPlan({
    agents: [agent("a", ["../out"], { bogus: true } as never), agent("b", ["src/b/"], { dependsOn: ["ghost"] })],
    waves: [{ id: "w1", agents: ["a", "b", "nobody"] }],
  });
  const problems = problemsOf(toYaml(plan));
  expect(problems.map((p) => p.path)).toEqual(
    expect.arrayContaining(["agents.0.bogus", "agents.0.territory.0", "agents.1.dependsOn.0", "waves.0.agents.2"]),
  );
});

test("duplicate YAML keys are refused", () => {
  expect(problemsOf("apiVersion: purple/v1\nname: a\nname: b\n")[0]!.message).toContain("unique");
});

test("invalid YAML and invalid JSON are problems", () => {
  expect(problemsOf("a: [1, 2\nb: }")[0]!.message).toContain("invalid YAML");
  expect(problemsOf("{ nope", "json")[0]!.message).toContain("invalid JSON");
  expect(problemsOf("", "yaml").length).toBeGreaterThan(0);
});

test("a YAML alias bomb is refused fast", () => {
  const names = "abcdefghijkl".split("");
  const lines = [`a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]`];
  for (let i = 1; i < names.length; i++) lines.push(`${names[i]}: &${names[i]} [${Array(9).fill("*" + names[i - 1]).join(",")}]`);
  expect(problemsOf(lines.join("\n"))[0]!.message).toContain("alias");
});

test("100,000 aliases of one anchor are refused, not resolved for minutes", () => {
  expect(problemsOf("a: &a {x: 1}\nb: [" + "*a,".repeat(100_000) + "]")[0]!.message).toContain("anchors and aliases");
});

test("anchors reused many times in a legitimate plan are fine", () => {
  const agents = Array.from({ length: 300 }, (_, i) => `  - { id: a${i}, territory: [src/a${i}/], runner: *r }`).join("\n");
  const waves = `waves:\n  - { id: w1, agents: [${Array.from({ length: 300 }, (_, i) => `a${i}`).join(", ")}] }`;
  const text = `apiVersion: purple/v1\nname: many\ndefaults: { runner: command }\nagents:\n  - { id: first, territory: [x/], runner: &r { kind: command, command: [bash, -c, "true"] } }\n${agents}\n${waves.replace("[", "[first, ")}\n`;
  const r = parsePlanText(text, "yaml");
  expect(r.ok ? [] : r.problems).toEqual([]);
});

test.each(["yaml", "json"] as const)("5,000-deep nesting in %s is a problem, not a crash", (format) => {
  const flow = "[".repeat(5000) + "]".repeat(5000);
  expect(problemsOf(flow, format)[0]!.message).toContain("deeper than 64");
  const keyed = '{"a":'.repeat(5000) + "1" + "}".repeat(5000);
  expect(problemsOf(keyed, format)[0]!.message).toContain("deeper than 64");
});

test.each(["yaml", "json"] as const)("1,000-deep nesting that reaches the %s parser is a problem, not a crash", (format) => {
  expect(problemsOf("[".repeat(1000) + "]".repeat(1000), format)[0]!.message).toContain("deeper than 64");
});

test("5,000-deep and 500,000-deep compact YAML sequences (- - - x) are problems, quickly", () => {
  expect(problemsOf("- ".repeat(5000) + "1")[0]!.message).toContain("deeper");
  expect(problemsOf("- ".repeat(500_000) + "1")[0]!.message).toContain("deeper");
});

test("5,000-deep block YAML is a problem, not a crash", () => {
  const text = Array.from({ length: 5000 }, (_, i) => " ".repeat(i) + "a:").join("\n") + " 1";
  expect(problemsOf(text)[0]!.message).toMatch(/deeper than 64|too deep/);
});

test("a megabyte of open brackets is refused before parsing,", () => {
  expect(problemsOf("[".repeat(1_000_000))[0]!.message).toContain("deeper");
});

test("a huge array is refused by element count", () => {
  const text = JSON.stringify({ ...minimalPlan(), goal: undefined, agents: Array(200_000).fill(0) });
  expect(problemsOf(text, "json")[0]!.message).toContain("more than 100000 elements");
});

test.each(["__proto__", "constructor", "prototype"])("the key %s is refused in YAML and JSON", (key) => {
  const yaml = `apiVersion: purple/v1\nname: demo\n${key}: { polluted: true }\n`;
  expect(problemsOf(yaml)).toEqual([{ path: key, message: `the key "${key}" is not allowed` }]);
  const json = `{"apiVersion":"purple/v1","agents":[{"id":"a","${key}":{"polluted":true}}]}`;
  expect(problemsOf(json, "json")).toEqual([{ path: `agents.0.${key}`, message: `the key "${key}" is not allowed` }]);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
});

test("a gate-only wave (no agents, a gate) is accepted; a wave with neither agents nor a gate is refused at its path", () => {
  const gateOnly = minimalPlan({ waves: [{ id: "w1", agents: ["a", "b"] }, { id: "integrate", agents: [], gate: [{ run: "npm test" }] }] });
  const r = parsePlanText(toYaml(gateOnly), "yaml");
  expect(r.ok).toBe(true);
  if (r.ok) expect(r.plan.waves[1]).toEqual({ id: "integrate", agents: [], gate: [{ run: "npm test" }] });

  const empty = minimalPlan({ waves: [{ id: "w1", agents: ["a", "b"] }, { id: "hollow", agents: [] }] });
  expect(problemsOf(toYaml(empty))).toEqual([
    { path: "waves.1.agents", message: 'wave "hollow" has no agents and no gate; give it agents, or a gate to run once the waves before it passed' },
  ]);
  // The same from JSON, with the gate written out as empty.
  const emptyGate = minimalPlan({ waves: [{ id: "w1", agents: ["a", "b"] }, { id: "hollow", agents: [], gate: [] }] });
  expect(problemsOf(JSON.stringify(emptyGate), "json").map((p) => p.path)).toEqual(["waves.1.agents"]);
});
