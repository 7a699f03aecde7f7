// Judge checks on the real purpled against the scripted Messages-API server: the reviewer gets the
// statement, the changed files and the contract spec, may read the project, and answers through
// the verdict tool. A passing verdict lets the plan succeed; a failing one blocks the gate with its
// reasons; a malformed answer or a spent budget fails the check saying why. Verdicts and usage land
// in validation/<wave>.json and validation/contracts/<id>.json, and the usage in the plan's cost.
import { afterEach, expect, test } from "bun:test";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PlanStatus, ValidationResult, type PlanInput } from "../protocol/index.ts";
import { orchestrationDir } from "./support/daemon.ts";
import { daemonWithApi } from "./support/daemon-with-api.ts";
import YAML from "yaml";
import { expectValid, readEvents, readJson } from "./support/files.ts";
import type { ScriptStep } from "./support/scripted-api.ts";

const KEY = "sk-ant-test-judge";
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

const call = (name: string, input: unknown): ScriptStep => ({ reply: { content: [{ type: "tool_use", name, input }] } });
const setup = (scripts: Record<string, ScriptStep[]>) => daemonWithApi(KEY, scripts, cleanups);

// One command agent writing src/greet.ts; the contract "greet-api" (its spec in the plan folder) is
// owned by it; the wave's gate is the given judge check.
function plan(name: string, gate: PlanInput["waves"][number]["gate"], extra: Partial<PlanInput> = {}): PlanInput {
  return {
    apiVersion: "purple/v1",
    name,
    defaults: { runner: "command", retries: 0, model: "claude-sonnet-4-5" },
    contracts: [{ id: "greet-api", owner: "writer", spec: "contracts/greet.md", checks: [{ judge: "greet() returns a greeting for the name it is given" }] }],
    agents: [{ id: "writer", territory: ["src/"], runner: { kind: "command", command: ["bash", "-c", "mkdir -p src && printf 'export function greet(n: string) { return `hello ${n}`; }\\n' > src/greet.ts"] } }],
    waves: [{ id: "w1", agents: ["writer"], gate }],
    ...extra,
  };
}

// The plan folder placed whole: the spec first, then plan.yaml renamed into it.
function dropWithSpec(root: string, p: PlanInput): string {
  const dir = join(orchestrationDir(root), p.name);
  mkdirSync(join(dir, "contracts"), { recursive: true });
  writeFileSync(join(dir, "contracts", "greet.md"), "# greet\n`greet(name: string): string` returns `hello <name>`.\n");
  writeFileSync(join(dir, ".plan.yaml.partial"), YAML.stringify(p));
  renameSync(join(dir, ".plan.yaml.partial"), join(dir, "plan.yaml"));
  return dir;
}

const validation = (dir: string, file: string) => expectValid(ValidationResult, readJson(join(dir, "validation", file)), file);
const passVerdict = (reason: string): ScriptStep => call("verdict", { pass: true, reasons: [reason], files: ["src/greet.ts"] });

test("a judge check that passes: the reviewer reads a file, gives its verdict; verdict and usage in the validation files and the plan's cost", async () => {
  const { api, root, d } = await setup({
    "contract-greet-api": [passVerdict("greet interpolates the name")],
    "gate-w1": [call("read_file", { path: "src/greet.ts" }), passVerdict("the module exports greet")],
  });
  const dir = dropWithSpec(root, plan("judged", [{ judge: { text: "src/greet.ts exports greet", model: "claude-haiku-4-5" } }]));
  expect((await d.planEnded("judged", 60_000)).state).toBe("succeeded");

  const gate = validation(dir, "w1.json");
  expect(gate.passed).toBe(true);
  expect(gate.checks[0]).toMatchObject({ kind: "judge", target: "src/greet.ts exports greet", passed: true, verdict: { pass: true, reasons: ["the module exports greet"], files: ["src/greet.ts"] } });
  expect(gate.checks[0]!.usage!.inputTokens).toBeGreaterThan(0);
  expect(gate.checks[0]!.usage!.costUsd).toBeGreaterThan(0);
  const contract = validation(dir, join("contracts", "greet-api.json"));
  expect(contract.checks[0]).toMatchObject({ kind: "judge", passed: true, verdict: { pass: true } });

  // what the reviewer was given and asked
  const gateRequests = api.requests.filter((r) => r.agent === "gate-w1");
  expect(gateRequests.length).toBe(2);
  const first = gateRequests[0]!.body;
  expect(first.model).toBe("claude-haiku-4-5"); // the judge's own model
  expect(first.tools.map((t: { name: string }) => t.name).sort()).toEqual(["list_dir", "read_file", "verdict"]);
  const brief: string = first.messages[0].content[0].text;
  expect(brief).toContain("Statement: src/greet.ts exports greet");
  expect(brief).toContain("export function greet"); // the change under review
  expect(brief).toContain("returns `hello <name>`"); // the contract spec
  const answer = gateRequests[1]!.body.messages[2].content[0];
  expect(answer).toMatchObject({ type: "tool_result" });
  expect(JSON.stringify(answer.content)).toContain("export function greet");
  expect(api.requests.find((r) => r.agent === "contract-greet-api")!.body.model).toBe("claude-sonnet-4-5"); // the plan's model

  // the reviewer's usage counts toward the plan (the command agent spent nothing itself)
  const status = expectValid(PlanStatus, readJson(join(dir, "status.json")), "status.json");
  const judged = gate.checks[0]!.usage!.costUsd + contract.checks[0]!.usage!.costUsd;
  expect(status.usage.costUsd).toBeCloseTo(judged, 10);
  expect(readFileSync(join(dir, "validation", "judge", "gate-w1", "transcript.jsonl"), "utf8")).toContain('"type":"response"');
}, 60_000);

test("a judge check that fails blocks the gate; its reasons are in the validation file, the events and the plan's reason", async () => {
  const { root, d } = await setup({
    "contract-greet-api": [passVerdict("fine")],
    "gate-w1": [call("verdict", { pass: false, reasons: ["greet is not documented", "no tests for greet"], files: ["src/greet.ts"] })],
  });
  // no repair rounds: this is about the blocked gate itself (repair.integration.test.ts repairs one)
  const dir = dropWithSpec(root, plan("rejected", [{ judge: "greet is documented and tested" }], { repair: { rounds: 0 } }));
  const ended = await d.planEnded("rejected", 60_000);
  expect(ended.state).toBe("blocked");
  const gate = validation(dir, "w1.json");
  expect(gate.passed).toBe(false);
  expect(gate.checks[0]).toMatchObject({ kind: "judge", passed: false, verdict: { pass: false, reasons: ["greet is not documented", "no tests for greet"] } });
  expect(gate.checks[0]!.output).toContain("no tests for greet");
  const event = readEvents(dir).find((e) => e.type === "gate.check");
  expect(event && event.type === "gate.check" && event.result.output).toContain("greet is not documented");
  const status = expectValid(PlanStatus, readJson(join(dir, "status.json")), "status.json");
  expect(status.reason).toContain("judge greet is documented and tested");
}, 60_000);

test("a malformed verdict, or a reviewer that spends the plan's budget, fails the check saying why", async () => {
  const { root, d } = await setup({
    "contract-greet-api": [call("read_file", { path: "src/greet.ts" }), passVerdict("never reached")],
    "gate-w1": [call("verdict", { pass: "yes", reasons: "looks fine" })],
  });
  const dir = dropWithSpec(root, plan("malformed", [{ judge: "greet works" }], { repair: { rounds: 0 } }));
  expect((await d.planEnded("malformed", 60_000)).state).toBe("blocked");
  const gate = validation(dir, "w1.json");
  expect(gate.checks[0]).toMatchObject({ kind: "judge", passed: false });
  expect(gate.checks[0]!.verdict).toBeUndefined();
  expect(gate.checks[0]!.output).toMatch(/^no verdict: the reviewer's verdict is malformed: .*pass/);
  expect(gate.checks[0]!.usage!.outputTokens).toBeGreaterThan(0);

  // a second plan whose budget the contract's reviewer spends on its first turn
  const api2 = await setup({ "contract-greet-api": [call("read_file", { path: "src/greet.ts" }), passVerdict("never reached")] });
  const dir2 = dropWithSpec(api2.root, plan("broke", [], { budgetUsd: 0.000001 }));
  expect((await api2.d.planEnded("broke", 60_000)).state).toBe("blocked"); // a spent budget needs a person
  const contract = validation(dir2, join("contracts", "greet-api.json"));
  expect(contract.checks[0]).toMatchObject({ kind: "judge", passed: false, output: "no verdict: the plan's budget is spent" });
  expect(api2.api.requests.filter((r) => r.agent === "contract-greet-api").length).toBe(1);
}, 60_000);
