// The claude-code runner's cases with a fake `claude` (test/support/fake-claude.ts): it ends once
// with the right outcome for a result, a cancel, a timeout, a failed start, a stall, an error
// result, an MCP server that did not start, a spent budget; it waits out a usage limit and
// resumes the session; it resumes after a stall; its environment holds no key.
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Plan, type PlanInput, type Usage } from "../protocol/index.ts";
import { ClaudeCodeRunner, NO_CLAUDE_MESSAGE, NO_KEY_MESSAGE } from "../daemon/runners/claude-code/runner.ts";
import { readSession } from "../daemon/runners/claude-code/session.ts";
import { groupAlive } from "../daemon/process/group.ts";
import type { RunContext } from "../daemon/runners/runner.ts";
import { fakeInvocations, scriptFakeClaude, type FakeRun } from "./support/fake-claude.ts";

const KEY = "sk-ant-CANARY-runner-5eed";
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const init = (mcp = "connected") => ({ type: "system", subtype: "init", session_id: "SESSION", tools: ["Write"], mcp_servers: [{ name: "purple", status: mcp }], model: "claude-sonnet-4-5" });
const assistant = (id: string, content: unknown[]) => ({ type: "assistant", message: { id, model: "claude-sonnet-4-5", content, usage: { input_tokens: 100, output_tokens: 10, cache_read_input_tokens: 0, cache_creation_input_tokens: 1000 } } });
const result = (over: Record<string, unknown> = {}) => ({ type: "result", subtype: "success", is_error: false, num_turns: 2, result: "all done", total_cost_usd: 0.05, usage: { input_tokens: 150, output_tokens: 40, cache_read_input_tokens: 0, cache_creation_input_tokens: 1000 }, ...over });

interface Harness {
  ctx: RunContext;
  notes: string[];
  spent: Usage[];
}

function harness(runs: FakeRun[], over: Partial<RunContext> = {}, budgetOk = () => true): Harness & { claude: string } {
  const root = realpathSync(mkdtempSync(join(tmpdir(), "purple-cc-")));
  dirs.push(root);
  const input: PlanInput = {
    apiVersion: "purple/v1",
    name: "p",
    defaults: { runner: "claude-code" },
    agents: [{ id: "a1", territory: ["src/"], tickets: [{ id: "T-1", title: "t" }] }],
    waves: [{ id: "w1", agents: ["a1"] }],
  };
  const plan = Plan.parse(input);
  const planDir = join(root, ".context-kit/orchestration/p");
  const agentDir = join(planDir, "agents", "a1");
  mkdirSync(agentDir, { recursive: true });
  const notes: string[] = [];
  const spent: Usage[] = [];
  const ctx: RunContext = {
    plan,
    agent: plan.agents[0]!,
    wave: "w1",
    attempt: 1,
    root,
    planDir,
    agentDir,
    prompt: "",
    statusFile: join(planDir, "status", "a1.json"),
    socket: "/tmp/none.sock",
    timeoutMs: 60_000,
    graceMs: 300,
    reporter: { startTicket() {}, completeTicket() {}, status: (m) => void notes.push(m), spend: (u) => (spent.push(u), budgetOk()) },
    ...over,
  };
  return { ctx, notes, spent, claude: scriptFakeClaude(root, runs) };
}

const runner = (claude: string | null, over: { stallMs?: number; apiKey?: string } = {}) =>
  new ClaudeCodeRunner({ claude, apiKey: "apiKey" in over ? over.apiKey : KEY, sandbox: false, ...(over.stallMs ? { stallMs: over.stallMs } : {}) });

describe("ClaudeCodeRunner", () => {
  test("a session that ends with its result finishes once, with usage spent and the last tool noted", async () => {
    const h = harness([{ lines: [init(), { type: "rate_limit_event", whatever: 1 }, assistant("m1", [{ type: "tool_use", name: "Write", input: { file_path: "/x/src/a.ts" } }]), result()], then: { exit: 0 } }]);
    const run = runner(h.claude).start(h.ctx);
    expect(run.pgid).toBeGreaterThan(1);
    const r = await run.done;
    expect(r.outcome).toBe("finished");
    run.cancel("too late"); // a cancel after the end changes nothing
    expect((await run.done).outcome).toBe("finished");
    expect(h.notes).toContain("tool: Write /x/src/a.ts");
    const total = h.spent.reduce((s, u) => s + u.costUsd, 0);
    expect(total).toBeCloseTo(0.05, 6); // estimated per message, corrected up to the result's figure
    expect(h.spent.reduce((s, u) => s + u.outputTokens, 0)).toBe(40);
    expect(readSession(h.ctx.agentDir)!.ended).toMatchObject({ outcome: "finished", complete: true });
    const lines = readFileSync(join(h.ctx.agentDir, "transcript.jsonl"), "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
    expect(lines.map((l) => l.type)).toEqual(["purple", "system", "rate_limit_event", "assistant", "result", "purple"]);
  });

  test("the process gets its own config, home and temp, the offline variables, a proxy token and never the key", async () => {
    const h = harness([{ lines: [init(), result()], then: { exit: 0 } }]);
    const saved = process.env.ANTHROPIC_API_KEY;
    process.env.ANTHROPIC_API_KEY = KEY;
    try {
      expect((await runner(h.claude).start(h.ctx).done).outcome).toBe("finished");
    } finally {
      if (saved === undefined) delete process.env.ANTHROPIC_API_KEY;
      else process.env.ANTHROPIC_API_KEY = saved;
    }
    const [call] = fakeInvocations(h.ctx.root);
    const scratch = join(h.ctx.agentDir, "scratch");
    expect(call!.env).toMatchObject({ CLAUDE_CONFIG_DIR: join(scratch, "claude-config"), HOME: join(scratch, "home"), TMPDIR: join(scratch, "tmp"), CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1", DISABLE_AUTOUPDATER: "1", PURPLE_AGENT: "a1", PURPLE_PLAN: "p" });
    expect(call!.env.ANTHROPIC_API_KEY).toMatch(/^purple-agent-/);
    expect(call!.env.ANTHROPIC_BASE_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(JSON.stringify(call)).not.toContain(KEY);
    const argv = call!.argv;
    expect(argv.slice(0, 4)).toEqual(["-p", "--output-format", "stream-json", "--verbose"]);
    expect(argv).toContain("--strict-mcp-config");
    expect(argv[argv.indexOf("--setting-sources") + 1]).toBe("");
    expect(argv[argv.indexOf("--permission-mode") + 1]).toBe("bypassPermissions");
    expect(JSON.parse(argv[argv.indexOf("--mcp-config") + 1]!).mcpServers.purple.args).toContain("mcp");
    expect(argv[argv.indexOf("--append-system-prompt") + 1]).toContain("## Waves and agents");
  });

  test("a cancel stops the whole process group and ends it as cancelled", async () => {
    const h = harness([{ lines: [init()], then: { hang: "stubborn" } }]);
    const run = runner(h.claude).start(h.ctx);
    await waitFor(() => existsSync(join(h.ctx.root, ".fake-claude-calls.jsonl")));
    run.cancel("cancelled by a person");
    const r = await run.done;
    expect(r.outcome).toBe("cancelled");
    expect(r.message).toBe("cancelled: cancelled by a person");
    expect(groupAlive(run.pgid!)).toBe(false);
    expect(readSession(h.ctx.agentDir)!.ended).toMatchObject({ complete: false });
  });

  test("the time limit ends it as timeout", async () => {
    const h = harness([{ lines: [init()], then: { hang: "polite" } }], { timeoutMs: 400 });
    const r = await runner(h.claude).start(h.ctx).done;
    expect(r.outcome).toBe("timeout");
    expect(r.message).toMatch(/timed out after 400ms/);
  });

  test("failed starts: no claude, no key, a claude that exits without a result", async () => {
    const h = harness([{ lines: [], stderr: "Error: something broke inside\n", then: { exit: 1 } }]);
    expect(await runner(null).start(h.ctx).done).toMatchObject({ outcome: "failed", message: NO_CLAUDE_MESSAGE });
    expect(await runner(h.claude, { apiKey: undefined }).start(h.ctx).done).toMatchObject({ outcome: "failed", message: NO_KEY_MESSAGE });
    const r = await runner(h.claude).start(h.ctx).done;
    expect(r.outcome).toBe("failed");
    expect(r.message).toBe("Claude Code exited with code 1 before its result: Error: something broke inside");
    const missing = await runner(join(h.ctx.root, "no-such-claude")).start(h.ctx).done;
    expect(missing.outcome).toBe("failed");
  });

  test("no event for the stall time ends it as stalled; the next attempt resumes the same session", async () => {
    const h = harness([
      { lines: [init()], then: { hang: "polite" }, saveSession: true },
      { lines: [init(), result()], then: { exit: 0 } },
    ]);
    const r = await runner(h.claude, { stallMs: 300 }).start(h.ctx).done;
    expect(r.outcome).toBe("failed");
    expect(r.message).toMatch(/^stalled: no event from Claude Code for 300ms/);
    const first = readSession(h.ctx.agentDir)!;
    expect((await runner(h.claude).start({ ...h.ctx, attempt: 2 }).done).outcome).toBe("finished");
    const calls = fakeInvocations(h.ctx.root);
    expect(calls[0]!.argv[calls[0]!.argv.indexOf("--session-id") + 1]).toBe(first.sessionId);
    expect(calls[1]!.argv[calls[1]!.argv.indexOf("--resume") + 1]).toBe(first.sessionId);
    // a finished session is not resumed: the next attempt starts a new one
    expect((await runner(h.claude).start({ ...h.ctx, attempt: 3 }).done).outcome).toBe("finished");
    expect(fakeInvocations(h.ctx.root)[2]!.argv).toContain("--session-id");
  });

  test("a session cut short whose work was discarded (speculation) is not resumed: the next attempt starts a new one", async () => {
    const h = harness([
      { lines: [init()], then: { hang: "polite" }, saveSession: true },
      { lines: [init(), result()], then: { exit: 0 } },
    ]);
    expect((await runner(h.claude, { stallMs: 300 }).start(h.ctx).done).outcome).toBe("failed");
    const first = readSession(h.ctx.agentDir)!;
    expect((await runner(h.claude).start({ ...h.ctx, attempt: 2, freshSession: true }).done).outcome).toBe("finished");
    const second = fakeInvocations(h.ctx.root)[1]!.argv;
    expect(second).not.toContain("--resume");
    expect(second[second.indexOf("--session-id") + 1]).not.toBe(first.sessionId);
  });

  test("is_error and an MCP server that did not start fail with the reason", async () => {
    const bad = harness([{ lines: [init(), result({ is_error: true, result: "API Error: 400 bad request", api_error_status: 400 })], then: { exit: 1 } }]);
    const r = await runner(bad.claude).start(bad.ctx).done;
    expect(r).toMatchObject({ outcome: "failed", message: "Claude Code ended with an error (API status 400): API Error: 400 bad request" });
    const mcp = harness([{ lines: [init("failed")], then: { hang: "polite" } }]);
    const m = await runner(mcp.claude).start(mcp.ctx).done;
    expect(m.outcome).toBe("failed");
    expect(m.message).toMatch(/MCP server purple \(failed\) did not start/);
  });

  test("a spent budget stops it as blocked", async () => {
    const h = harness([{ lines: [init(), assistant("m1", [{ type: "text", text: "hi" }])], then: { hang: "polite" } }], {}, () => false);
    const r = await runner(h.claude).start(h.ctx).done;
    expect(r.outcome).toBe("blocked");
  });

  test("a usage limit with a reset time is waited out, then the session resumes", async () => {
    const reset = Math.ceil(Date.now() / 1000) + 1;
    const h = harness([
      { lines: [init(), result({ is_error: true, result: `Claude AI usage limit reached|${reset}` })], then: { exit: 1 }, saveSession: true },
      { lines: [init(), result()], then: { exit: 0 } },
    ]);
    const r = await runner(h.claude).start(h.ctx).done;
    expect(r.outcome).toBe("finished");
    expect(h.notes.some((n) => n.startsWith("waiting: usage limit reached, resets at"))).toBe(true);
    const calls = fakeInvocations(h.ctx.root);
    expect(calls).toHaveLength(2);
    expect(calls[1]!.argv).toContain("--resume");
    expect(Date.now()).toBeGreaterThanOrEqual(reset * 1000);
  });
});

async function waitFor(f: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!f()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await Bun.sleep(20);
  }
}
