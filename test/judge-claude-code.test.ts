// The Claude Code reviewer of judge checks, against a stand-in `claude` that prints what a test
// scripts (test/support/fake-claude.ts): how it is invoked (read-only tools, no asking, the
// Verdict as --json-schema, the brief on stdin, only a key-proxy token), and that anything short
// of a well-formed structured verdict — a malformed one, prose, a crash, a spent budget — is a
// failed check saying why, its usage still charged.
import { afterEach, expect, test } from "bun:test";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { Plan, zeroUsage, type Usage } from "../protocol/index.ts";
import type { JudgeBriefInput } from "../daemon/gates/judge-brief.ts";
import { KeyProxy } from "../daemon/runners/claude-code/key-proxy.ts";
import { ClaudeCodeReviewer } from "../daemon/gates/judge-claude-code.ts";
import { fakeInvocations, scriptFakeClaude, type FakeRun } from "./support/fake-claude.ts";
import { tempRoot } from "./support/daemon.ts";

const proxies: KeyProxy[] = [];
afterEach(() => {
  for (const p of proxies.splice(0)) p.close();
});

const usage = { input_tokens: 120, output_tokens: 30, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 };
const result = (extra: Record<string, unknown>) => ({ type: "result", subtype: "success", is_error: false, num_turns: 1, total_cost_usd: 0.0123, usage, ...extra });
const assistant = { type: "assistant", message: { id: "msg_1", model: "claude-sonnet-4-5", content: [{ type: "tool_use", name: "StructuredOutput", input: {} }], usage: { input_tokens: 120, output_tokens: 1 } } };

/** A reviewer whose `claude` plays `run`, on a project with src/greet.ts changed. */
async function review(run: FakeRun, spendOk = true) {
  const root = tempRoot({ files: { "src/greet.ts": "export const greet = (n: string) => `hi ${n}`;\n" } });
  const planDir = join(root, ".context-kit", "orchestration", "p");
  mkdirSync(planDir, { recursive: true });
  const claude = scriptFakeClaude(root, [run]);
  const proxy = new KeyProxy("sk-ant-real-key-never-shown", "http://127.0.0.1:9");
  proxies.push(proxy);
  const plan = Plan.parse({ apiVersion: "purple/v1", name: "p", defaults: { runner: "claude-code" }, agents: [{ id: "a", territory: ["src/"] }], waves: [{ id: "w1", agents: ["a"] }] });
  const brief: JudgeBriefInput = { statement: "greet is exported", plan, subject: { kind: "gate", wave: "w1" }, agents: ["a"], changedFiles: ["src/greet.ts"], contracts: [], root, planDir };
  const charged: Usage[] = [];
  const outcome = await new ClaudeCodeReviewer({ claude, proxy }).review(brief, { model: "claude-sonnet-4-5", spend: (u) => (charged.push(u), spendOk) });
  const total = charged.reduce((a, u) => ({ ...a, costUsd: a.costUsd + u.costUsd, inputTokens: a.inputTokens + u.inputTokens }), zeroUsage());
  return { outcome, total, calls: fakeInvocations(root), planDir };
}

test("a well-formed structured verdict is the check's result; claude -p is run read-only with the Verdict schema and a proxy token", async () => {
  const { outcome, total, calls } = await review({ lines: [assistant, result({ structured_output: { pass: false, reasons: ["greet is not tested"], files: ["src/greet.ts"] } })], then: { exit: 0 } });
  expect(outcome).toMatchObject({ passed: false, verdict: { pass: false, reasons: ["greet is not tested"], files: ["src/greet.ts"] } });
  expect(outcome.output).toBe("verdict: fail\n- greet is not tested\nfiles: src/greet.ts");
  // the result's totals, charged as they came and returned with the result
  expect(outcome.usage.costUsd).toBeCloseTo(0.0123, 10);
  expect(outcome.usage.inputTokens).toBe(120);
  expect(total.costUsd).toBeCloseTo(0.0123, 10);

  const { argv, env } = calls[0]!;
  const tools = argv.slice(argv.indexOf("--tools") + 1, argv.indexOf("--permission-mode"));
  expect(tools).toEqual(["Read", "Glob", "Grep"]);
  expect(argv[argv.indexOf("--permission-mode") + 1]).toBe("dontAsk");
  expect(JSON.parse(argv[argv.indexOf("--json-schema") + 1]!)).toMatchObject({ type: "object", required: ["pass", "reasons", "files"] });
  expect(argv).toContain("--no-session-persistence");
  expect(argv.join(" ")).not.toMatch(/bypassPermissions|Write|Edit|Bash/);
  expect(env.ANTHROPIC_API_KEY).toMatch(/^purple-agent-/);
  expect(env.ANTHROPIC_BASE_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
});

test("a malformed structured answer is a failed check saying what is wrong, its usage charged", async () => {
  const { outcome, total, planDir } = await review({ lines: [assistant, result({ structured_output: { pass: "yes", reasons: "looks fine" } })], then: { exit: 0 } });
  expect(outcome.passed).toBe(false);
  expect(outcome.verdict).toBeUndefined();
  expect(outcome.output).toMatch(/^no verdict: the reviewer's verdict is malformed: .*pass.*/);
  expect(outcome.output).toContain("files");
  expect(total.costUsd).toBeCloseTo(0.0123, 10);
  expect(Bun.file(join(planDir, "validation", "judge", "gate-w1", "transcript.jsonl")).size).toBeGreaterThan(0);
});

test("prose instead of a structured verdict, a crash before the result, a spent budget: each a failed check saying why", async () => {
  const prose = await review({ lines: [result({ result: "I think greet is fine." })], then: { exit: 0 } });
  expect(prose.outcome).toMatchObject({ passed: false, output: "no verdict: the reviewer answered without a structured verdict: I think greet is fine." });

  const crashed = await review({ lines: [assistant], then: { exit: 3 }, stderr: "boom" });
  expect(crashed.outcome.passed).toBe(false);
  expect(crashed.outcome.output).toBe("no verdict: Claude Code exited with code 3 before its result: boom");
  expect(crashed.outcome.usage.inputTokens).toBe(120); // the turn it did take is charged

  const error = await review({ lines: [result({ is_error: true, result: "API Error: 400 bad request", api_error_status: 400 })], then: { exit: 1 } });
  expect(error.outcome.output).toBe("no verdict: Claude Code ended with an error (API status 400): API Error: 400 bad request");

  const broke = await review({ lines: [assistant, result({ structured_output: { pass: true, reasons: [], files: [] } })], then: { exit: 0 } }, false);
  expect(broke.outcome).toMatchObject({ passed: false, output: "no verdict: the plan's budget is spent" });
});
