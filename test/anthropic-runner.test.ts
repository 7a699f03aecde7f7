// The anthropic runner against the scripted Messages API through the real SDK: the tool loop end
// to end, writes refused at the tool while the agent goes on, commands, turn limit, budget,
// a missing key, cancel and timeout.
import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { AnthropicRunner, NO_KEY_MESSAGE, type AnthropicRunnerOptions } from "../daemon/runners/anthropic/runner.ts";
import { ScriptedApi, type ScriptStep } from "./support/scripted-api.ts";
import { call, contextFor, FakeReporter, finish, KEY, planOf, tempProject, toolResults, transcriptOf } from "./anthropic-fixtures.ts";

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A project, a scripted API for agent `a`, and a runner pointed at it. */
function setup(steps: ScriptStep[], opts: Partial<AnthropicRunnerOptions> = {}, plan = planOf({ agents: [{ id: "a", territory: ["src/"], tickets: [{ id: "T-1", title: "one" }] }] })) {
  const project = tempProject();
  cleanups.push(project.remove);
  const api = ScriptedApi.start({ scripts: { a: steps }, expectKey: KEY });
  cleanups.push(() => api.stop());
  const runner = new AnthropicRunner({ apiKey: KEY, baseURL: api.url, ...opts });
  const reporter = new FakeReporter();
  const ctx = contextFor(project.root, project.planDir, plan, "a", { reporter });
  return { project, api, runner, reporter, ctx, root: project.root };
}

describe("the tool loop", () => {
  test("write, edit, read, tickets, status, finish: files, reporter calls in order, usage, transcript", async () => {
    const { api, runner, reporter, ctx, root } = setup([
      call("start_ticket", { ticket_id: "T-1" }, "Starting."),
      call("write_file", { path: "src/app.ts", content: "export const greeting = 'hello';\n" }),
      call("edit_file", { path: "src/app.ts", old_string: "'hello'", new_string: "'hello, world'" }),
      call("read_file", { path: "src/app.ts" }),
      call("report_status", { message: "greeting written", percent: 90 }),
      call("complete_ticket", { ticket_id: "T-1" }),
      finish("wrote src/app.ts"),
    ]);
    const run = runner.start(ctx);
    expect(run.pgid).toBeNull();
    const result = await run.done;
    expect(result).toMatchObject({ outcome: "finished", message: "wrote src/app.ts", exitCode: null, signal: null });
    expect(readFileSync(join(root, "src/app.ts"), "utf8")).toBe("export const greeting = 'hello, world';\n");
    expect(reporter.progress()).toEqual([
      { kind: "startTicket", ticket: "T-1" },
      { kind: "status", message: "greeting written", percent: 90 },
      { kind: "completeTicket", ticket: "T-1" },
    ]);
    expect(api.requests.length).toBe(7);
    expect(toolResults(api.requests[4]!.body)[0]!.content).toBe("export const greeting = 'hello, world';\n");

    // usage: one spend per turn, each priced; the result holds their sum
    const spends = reporter.spends();
    expect(spends.length).toBe(7);
    expect(spends.every((u) => u.costUsd > 0)).toBe(true);
    expect(result.usage!.inputTokens).toBe(reporter.spent().inputTokens);
    expect(result.usage!.costUsd).toBeCloseTo(reporter.spent().costUsd, 12);
    expect(result.usage!.cacheReadTokens).toBeGreaterThan(0); // turn 2 on reads turn 1's prefix

    // transcript: request and response per turn, bodies as sent, then the end
    const lines = transcriptOf(ctx);
    expect(lines.map((l) => l.type)).toEqual([...Array(7).fill(["request", "response"]).flat(), "end"]);
    expect(lines.filter((l) => l.type === "request").map((l) => l.turn)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(lines[0].body).toEqual(api.requests[0]!.body);
    expect(lines[1].message.usage.input_tokens).toBe(spends[0]!.inputTokens);
    expect(lines.at(-1)).toMatchObject({ type: "end", outcome: "finished" });
    const prompt = readFileSync(join(ctx.agentDir, "prompt.md"), "utf8");
    expect(prompt).toContain("Agent: a");
    for (const text of [readFileSync(join(ctx.agentDir, "transcript.jsonl"), "utf8"), prompt]) expect(text).not.toContain(KEY);
    expect(api.requests.every((r) => r.authorization === `Bearer ${KEY}`)).toBe(true);
  });

  test("writes outside the territory are refused as tool errors the model sees, and the agent completes", async () => {
    const attempts = ["../x", "/etc/x", "src-evil/a.ts", "src/link-out/x.ts", ".git/config", ".context-kit/orchestration/p/status.json"];
    const { api, runner, ctx, root, project } = setup([
      ...attempts.map((path) => call("write_file", { path, content: "evil" })),
      call("write_file", { path: "src/ok.ts", content: "ok" }),
      finish(),
    ]);
    const elsewhere = tempProject("elsewhere");
    cleanups.push(elsewhere.remove);
    mkdirSync(join(root, "src"), { recursive: true });
    symlinkSync(elsewhere.root, join(root, "src/link-out"));
    mkdirSync(join(root, ".git"));
    writeFileSync(join(root, ".git/config"), "[core]\n");
    const result = await runner.start(ctx).done;
    expect(result.outcome).toBe("finished");
    for (let i = 0; i < attempts.length; i++) {
      const [answer] = toolResults(api.requests[i + 1]!.body);
      expect(answer!.is_error).toBe(true);
      expect(answer!.content).toMatch(/^refused: /);
    }
    expect(toolResults(api.requests[3]!.body)[0]!.content).toBe("refused: src-evil/a.ts is outside your territory (src/)");
    expect(toolResults(api.requests[attempts.length + 1]!.body)[0]).toEqual({ type: "tool_result", tool_use_id: expect.any(String), content: "wrote src/ok.ts (2 bytes)", cache_control: { type: "ephemeral" } });
    expect(existsSync(join(project.root, "..", "x"))).toBe(false);
    expect(existsSync(join(root, "src-evil"))).toBe(false);
    expect(existsSync(join(elsewhere.root, "x.ts"))).toBe(false);
    expect(readFileSync(join(root, ".git/config"), "utf8")).toBe("[core]\n");
    expect(existsSync(join(root, ".context-kit/orchestration/p"))).toBe(false);
  });

  test("run_command: an allowed command runs, another is refused", async () => {
    const plan = planOf({ defaults: { allowedCommands: ["echo"] }, agents: [{ id: "a", territory: ["src/"] }] });
    const { api, runner, ctx, root } = setup([call("run_command", { command: "echo checked" }), call("run_command", { command: "touch pwned" }), finish()], {}, plan);
    expect((await runner.start(ctx).done).outcome).toBe("finished");
    expect(toolResults(api.requests[1]!.body)[0]).toMatchObject({ content: "exit code 0\nchecked\n" });
    expect(toolResults(api.requests[2]!.body)[0]).toMatchObject({ is_error: true, content: expect.stringMatching(/^refused: `touch pwned` is not an allowed command/) });
    expect(existsSync(join(root, "pwned"))).toBe(false);
  });

  test("a reply without a tool call ends the run as finished", async () => {
    const { runner, ctx } = setup([{ reply: { content: [{ type: "text", text: "All done here." }] } }]);
    expect(await runner.start(ctx).done).toMatchObject({ outcome: "finished", message: "ended its turn without calling finish: All done here." });
  });

  test("the turn limit fails the run", async () => {
    const { api, runner, ctx } = setup(Array.from({ length: 5 }, () => call("list_dir", { path: "." })), { maxTurns: 3 });
    expect(await runner.start(ctx).done).toMatchObject({ outcome: "failed", message: expect.stringContaining("reached the maximum of 3 turns") });
    expect(api.requests.length).toBe(3);
  });

  test("a spent budget stops the agent: outcome blocked, naming the budget", async () => {
    const plan = planOf({ agents: [{ id: "a", territory: ["src/"], budgetUsd: 0.01 }] });
    const { api, runner, ctx } = setup([call("list_dir", {}), call("list_dir", {}), call("write_file", { path: "src/late.ts", content: "x" }), finish()], {}, plan);
    const reporter = new FakeReporter((_total, calls) => calls < 2);
    const result = await runner.start({ ...ctx, reporter }).done;
    expect(result).toMatchObject({ outcome: "blocked", message: expect.stringContaining("agent a's budget of $0.01 is spent") });
    expect(api.requests.length).toBe(2);
    expect(existsSync(join(ctx.root, "src/late.ts"))).toBe(false);
    expect(result.usage!.costUsd).toBeCloseTo(reporter.spent().costUsd, 12);
  });
});

describe("starting and stopping", () => {
  test("no API key: fails at once, sends nothing, never falls back to the environment", async () => {
    const { api, ctx } = setup([finish()]);
    const saved = process.env.ANTHROPIC_API_KEY;
    process.env.ANTHROPIC_API_KEY = KEY; // only what the daemon passes counts
    try {
      const run = new AnthropicRunner({ apiKey: undefined, baseURL: api.url }).start(ctx);
      expect(await run.done).toEqual({ outcome: "failed", exitCode: null, signal: null, message: NO_KEY_MESSAGE });
      expect(api.requests.length).toBe(0);
    } finally {
      if (saved === undefined) delete process.env.ANTHROPIC_API_KEY;
      else process.env.ANTHROPIC_API_KEY = saved;
    }
  });

  test("cancel aborts the request in flight", async () => {
    const { api, runner, ctx } = setup([{ stall: {} }]);
    const run = runner.start(ctx);
    await api.waitForRequest();
    const started = Date.now();
    run.cancel("a person said so");
    expect(await run.done).toMatchObject({ outcome: "cancelled", message: "cancelled: a person said so" });
    expect(Date.now() - started).toBeLessThan(1000);
  });

  test("the timeout stops a run waiting on a silent stream", async () => {
    const { runner, ctx } = setup([{ stall: {} }]);
    const started = Date.now();
    expect(await runner.start({ ...ctx, timeoutMs: 300 }).done).toMatchObject({ outcome: "timeout", message: "timed out after 300ms and was stopped" });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  test("the timeout stops a long command", async () => {
    const plan = planOf({ defaults: { allowedCommands: ["sleep 30"] }, agents: [{ id: "a", territory: ["src/"] }] });
    const { runner, ctx } = setup([call("run_command", { command: "sleep 30" }), finish()], {}, plan);
    const started = Date.now();
    expect((await runner.start({ ...ctx, timeoutMs: 400 }).done).outcome).toBe("timeout");
    expect(Date.now() - started).toBeLessThan(3000);
  });
});
