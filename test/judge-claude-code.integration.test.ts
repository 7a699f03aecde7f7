// Judge checks of a plan whose runner is claude-code, on the real purpled with the real Claude Code
// CLI (the pinned devDependency) against the scripted Messages-API server: the reviewer is
// `claude -p` with only Read/Glob/Grep, answering through --json-schema (Claude Code's
// StructuredOutput tool). A passing verdict lets the gate pass; a failing one runs a repair round
// with its reasons, then passes. Verdicts and usage land in validation/<wave>.json and the usage in
// the plan's cost. The wave's agent is a command agent, so the only Claude Code here is the reviewer.
import { afterEach, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { PlanStatus, ValidationResult, type PlanInput } from "../protocol/index.ts";
import { claudeMissing, useClaude } from "./support/claude.ts";
import { daemonWithApi } from "./support/daemon-with-api.ts";
import { dropPlan, expectValid, readEvents, readJson } from "./support/files.ts";
import { sandboxWorks } from "./support/sandbox.ts";
import type { ScriptStep } from "./support/scripted-api.ts";

const KEY = "sk-ant-test-judge-cc";
const missing = claudeMissing();
if (missing) console.warn(`skipping the Claude Code judge tests: ${missing}`);
const sandbox = sandboxWorks() ? "on" : "off";
if (sandbox === "off") console.warn("the Claude Code judge tests run with --sandbox off: no sandbox works here");
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

const call = (name: string, input: unknown): ScriptStep => ({ reply: { content: [{ type: "tool_use", name, input }] } });
const verdict = (pass: boolean, reasons: string[], files: string[] = ["src/greet.ts"]) => call("StructuredOutput", { pass, reasons, files });
const setup = (scripts: Record<string, ScriptStep[]>, mode = sandbox) => daemonWithApi(KEY, scripts, cleanups, { args: ["--sandbox", mode], prepare: (root) => useClaude(root) });

// One command agent writing src/greet.ts (and counting its runs); the plan's runner is claude-code.
function plan(name: string, gate: PlanInput["waves"][number]["gate"], extra: Partial<PlanInput> = {}): PlanInput {
  const script = "mkdir -p src && echo run >> src/runs.txt && printf 'export function greet(n: string) { return `hello ${n}`; }\\n' > src/greet.ts";
  return {
    apiVersion: "purple/v1",
    name,
    defaults: { runner: "claude-code", retries: 0, model: "claude-sonnet-4-5" },
    agents: [{ id: "writer", territory: ["src/"], runner: { kind: "command", command: ["bash", "-c", script] } }],
    waves: [{ id: "w1", agents: ["writer"], gate }],
    ...extra,
  };
}
const validation = (dir: string, file: string) => expectValid(ValidationResult, readJson(join(dir, "validation", file)), file);

test.skipIf(missing !== null)("a judge check on Claude Code: it reads a file, answers with a structured verdict; verdict and usage in validation/w1.json and the plan's cost", async () => {
  const { api, root, d } = await setup({});
  // the Read names the file by its absolute path, as Claude Code's tool wants
  api.push("gate-w1", call("Read", { file_path: join(root, "src/greet.ts") }), verdict(true, ["the module exports greet"]));
  const dir = dropPlan(root, plan("judged", [{ judge: "src/greet.ts exports greet" }]));
  expect((await d.planEnded("judged", 90_000)).state).toBe("succeeded");

  const gate = validation(dir, "w1.json");
  expect(gate.passed).toBe(true);
  expect(gate.checks[0]).toMatchObject({ kind: "judge", target: "src/greet.ts exports greet", passed: true, verdict: { pass: true, reasons: ["the module exports greet"], files: ["src/greet.ts"] } });
  expect(gate.checks[0]!.output).toBe("verdict: pass\n- the module exports greet\nfiles: src/greet.ts");
  const used = gate.checks[0]!.usage!;
  expect(used.inputTokens).toBeGreaterThan(0);
  expect(used.costUsd).toBeGreaterThan(0);
  // the command agent spent nothing: the plan's cost is the reviewer's
  const status = expectValid(PlanStatus, readJson(join(dir, "status.json")), "status.json");
  expect(status.usage.costUsd).toBeCloseTo(used.costUsd, 10);

  // what Claude Code sent: only the read-only tools and the structured answer, the brief, purpled's key (through the proxy)
  const requests = api.requests.filter((r) => r.agent === "gate-w1");
  expect(requests.length).toBe(2);
  expect(requests.every((r) => r.apiKeyHeader === KEY)).toBe(true);
  expect(requests[0]!.body.tools.map((t: { name: string }) => t.name).sort()).toEqual(["Glob", "Grep", "Read", "StructuredOutput"]);
  expect(JSON.stringify(requests[0]!.body.system)).toContain("calling the StructuredOutput tool exactly once");
  expect(requests[0]!.raw).toContain("Statement: src/greet.ts exports greet");
  expect(requests[0]!.raw).toContain("export function greet"); // the change under review
  // the Read was carried out inside the project and its content went back to the model
  const answer = requests[1]!.body.messages.flatMap((m: { content: unknown }) => (Array.isArray(m.content) ? m.content : [])).find((b: { type: string }) => b.type === "tool_result");
  expect(answer.is_error ?? false).toBe(false);
  expect(JSON.stringify(answer.content)).toContain("export function greet");
  const transcript = readFileSync(join(dir, "validation", "judge", "gate-w1", "transcript.jsonl"), "utf8");
  expect(transcript).toContain('"structured_output"');
  if (sandbox === "on") {
    // it ran in a gate view: its config lived in the view's private /tmp, never on the host
    expect(transcript).toContain('"/tmp/purple-judge/claude-config/');
    expect(existsSync("/tmp/purple-judge")).toBe(false);
  }
  expect(readFileSync(join(root, "src/runs.txt"), "utf8")).toBe("run\n");
}, 120_000);

test.skipIf(missing !== null)("a failing verdict from Claude Code: a repair round with its reasons, then it passes; both verdicts and their usage in the validation file", async () => {
  const { api, root, d } = await setup({ "gate-w1": [verdict(false, ["greet has no doc comment"]), verdict(true, ["greet is documented now"])] });
  const dir = dropPlan(root, plan("repaired", [{ judge: "greet has a doc comment" }]));
  expect((await d.planEnded("repaired", 90_000)).state).toBe("succeeded");

  expect(readFileSync(join(root, "src/runs.txt"), "utf8")).toBe("run\nrun\n"); // the writer ran again
  const gate = validation(dir, "w1.json");
  expect(gate).toMatchObject({ passed: true, round: 1 });
  expect(gate.checks[0]).toMatchObject({ kind: "judge", passed: true, verdict: { pass: true, reasons: ["greet is documented now"] } });
  expect(gate.earlier).toHaveLength(1);
  const first = gate.earlier![0]!.checks[0]!;
  expect(first).toMatchObject({ kind: "judge", passed: false, verdict: { pass: false, reasons: ["greet has no doc comment"], files: ["src/greet.ts"] } });
  expect(first.usage!.costUsd).toBeGreaterThan(0);
  const status = expectValid(PlanStatus, readJson(join(dir, "status.json")), "status.json");
  expect(status.usage.costUsd).toBeCloseTo(first.usage!.costUsd + gate.checks[0]!.usage!.costUsd, 10);
  expect(readEvents(dir).filter((e) => e.type === "repair.round")).toMatchObject([{ subject: "gate:w1", round: 1, agents: ["writer"] }]);
  expect(api.requests.filter((r) => r.agent === "gate-w1").length).toBe(2);
}, 120_000);

test.skipIf(missing !== null)("without a sandbox, and no repair rounds: a failing verdict from Claude Code blocks the gate with its reasons", async () => {
  const { root, d } = await setup({ "gate-w1": [verdict(false, ["greet is not tested", "no README entry"])] }, "off");
  const dir = dropPlan(root, plan("rejected", [{ judge: "greet is tested and documented" }], { repair: { rounds: 0 } }));
  expect((await d.planEnded("rejected", 90_000)).state).toBe("blocked");
  const gate = validation(dir, "w1.json");
  expect(gate.passed).toBe(false);
  expect(gate.checks[0]).toMatchObject({ kind: "judge", passed: false, verdict: { pass: false, reasons: ["greet is not tested", "no README entry"] } });
  expect(gate.checks[0]!.output).toBe("verdict: fail\n- greet is not tested\n- no README entry\nfiles: src/greet.ts");
  expect(gate.checks[0]!.usage!.costUsd).toBeGreaterThan(0);
  const status = expectValid(PlanStatus, readJson(join(dir, "status.json")), "status.json");
  expect(status.reason).toContain("judge greet is tested and documented");
  expect(readFileSync(join(root, "src/runs.txt"), "utf8")).toBe("run\n"); // no repair round
}, 120_000);
