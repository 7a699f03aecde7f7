// The anthropic runner under API faults (RELIABILITY 20-22), against the scripted server: a 429
// pauses every agent on the key, 529 backs off, 401 fails at once, a broken stream and a stalled
// one are retried and then fail with the reason; nothing hangs.
import { afterEach, expect, test } from "bun:test";
import { KeyLimiter } from "../daemon/runners/anthropic/limiter.ts";
import { AnthropicRunner, type AnthropicRunnerOptions } from "../daemon/runners/anthropic/runner.ts";
import type { RunContext } from "../daemon/runners/runner.ts";
import type { Plan } from "../protocol/index.ts";
import { ScriptedApi, type ScriptStep } from "./support/scripted-api.ts";
import { call, contextFor, finish, KEY, planOf, tempProject, transcriptOf } from "./anthropic-fixtures.ts";

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const overloaded: ScriptStep = { fail: { status: 529 } };

/** Agents `ids` of one plan, their scripts on one scripted server, one runner for all. */
function setup(scripts: Record<string, ScriptStep[]>, opts: Partial<AnthropicRunnerOptions> = {}) {
  const project = tempProject();
  cleanups.push(project.remove);
  const api = ScriptedApi.start({ scripts, expectKey: KEY });
  cleanups.push(() => api.stop());
  const limiter = new KeyLimiter();
  const runner = new AnthropicRunner({ apiKey: KEY, baseURL: api.url, limiter, backoffBaseMs: 50, ...opts });
  const plan: Plan = planOf({ agents: Object.keys(scripts).map((id) => ({ id, territory: [`src/${id}/`] })) });
  const contexts = new Map<string, RunContext>();
  const start = (id: string) => {
    const ctx = contextFor(project.root, project.planDir, plan, id);
    contexts.set(id, ctx);
    return runner.start(ctx);
  };
  return { api, limiter, start, contexts };
}

/** Resolve once `cond` holds (checked every few ms), failing after `ms`. */
async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error("condition not reached in time");
    await Bun.sleep(5);
  }
}

test("429 with retry-after: the retry waits, and so does another agent on the same key", async () => {
  const { api, limiter, start } = setup({
    a: [{ fail: { status: 429, retryAfterSeconds: 1 } }, finish("a done")],
    b: [finish("b done")],
  });
  const a = start("a");
  const limited = await api.waitForRequest((r) => r.agent === "a");
  await until(() => limiter.pausedUntil(KEY) > 0);
  const pauseEnds = limiter.pausedUntil(KEY);
  expect(pauseEnds - limited.at).toBeGreaterThanOrEqual(1000);
  const b = start("b"); // started during the pause
  const [ra, rb] = await Promise.all([a.done, b.done]);
  expect(ra).toMatchObject({ outcome: "finished", message: "a done" });
  expect(rb).toMatchObject({ outcome: "finished", message: "b done" });
  const retry = api.requests.filter((r) => r.agent === "a")[1]!;
  const bFirst = api.requests.find((r) => r.agent === "b")!;
  expect(retry.at - limited.at).toBeGreaterThanOrEqual(1000);
  expect(bFirst.at).toBeGreaterThanOrEqual(pauseEnds);
});

test("529 twice, then success: retried with growing backoff", async () => {
  const { api, start } = setup({ a: [overloaded, overloaded, finish()] }, { backoffBaseMs: 100 });
  expect((await start("a").done).outcome).toBe("finished");
  const at = api.requests.map((r) => r.at);
  expect(at.length).toBe(3);
  expect(at[1]! - at[0]!).toBeGreaterThanOrEqual(50); // 100 × 2^0 × [0.5, 1.5)
  expect(at[2]! - at[1]!).toBeGreaterThanOrEqual(100); // 100 × 2^1 × [0.5, 1.5)
});

test("529 past the retries fails with the reason", async () => {
  const { api, start } = setup({ a: [overloaded, overloaded, overloaded] }, { turnRetries: 2, backoffBaseMs: 5 });
  expect(await start("a").done).toMatchObject({ outcome: "failed", message: expect.stringMatching(/overloaded \(529\).*after 2 retries/) });
  expect(api.requests.length).toBe(3);
});

test("401 fails at once with a clear message: one request only", async () => {
  const { api, start } = setup({ a: [{ fail: { status: 401 } }, finish()] });
  expect(await start("a").done).toMatchObject({
    outcome: "failed",
    message: "the Anthropic API refused the key (401): check ANTHROPIC_API_KEY in purpled's environment",
  });
  expect(api.requests.length).toBe(1);
});

test("an error event mid-stream: the turn is retried, the partial message discarded", async () => {
  const { api, start } = setup({ a: [{ streamError: { afterBlocks: 1 } }, call("list_dir", {}), finish()] });
  const run = start("a");
  expect((await run.done).outcome).toBe("finished");
  expect(api.requests.map((r) => r.answeredWith)).toEqual(["streamError", "reply", "reply"]);
  // the retry sends the same conversation: nothing of the broken reply was kept
  expect(api.requests[1]!.body.messages).toEqual(api.requests[0]!.body.messages);
  expect(api.requests[2]!.body.messages.length).toBe(3);
});

test("an error event every time: fails with the reason after the retries", async () => {
  const broken: ScriptStep = { streamError: { message: "Overloaded" } };
  const { api, start } = setup({ a: [broken, broken, broken, broken] }, { turnRetries: 3, backoffBaseMs: 5 });
  const result = await start("a").done;
  expect(result).toMatchObject({ outcome: "failed", message: expect.stringMatching(/error in the middle of the stream: Overloaded \(after 3 retries\)/) });
  expect(api.requests.length).toBe(4);
});

test("a stalled stream is aborted by the watchdog and retried, then fails; the time is bounded", async () => {
  const { api, start } = setup({ a: [{ stall: {} }, { stall: { afterEvents: 3 } }, { stall: {} }] }, { watchdogMs: 300, turnRetries: 2, backoffBaseMs: 5 });
  const started = Date.now();
  const run = start("a");
  const result = await run.done;
  const elapsed = Date.now() - started;
  expect(result).toMatchObject({ outcome: "failed", message: "the model stream stalled for 0.3 s (after 2 retries)" });
  expect(api.requests.length).toBe(3);
  expect(elapsed).toBeGreaterThanOrEqual(900);
  expect(elapsed).toBeLessThan(3000);
});

test("a stall, then a good reply: retried and finished", async () => {
  const { api, start } = setup({ a: [{ stall: {} }, finish()] }, { watchdogMs: 200 });
  expect((await start("a").done).outcome).toBe("finished");
  expect(api.requests.map((r) => r.answeredWith)).toEqual(["stall", "reply"]);
});

test("cancel during a backoff ends the run at once", async () => {
  const { api, start, contexts } = setup({ a: [overloaded, finish()] }, { backoffBaseMs: 60_000 });
  const run = start("a");
  await api.waitForRequest();
  await until(() => transcriptOf(contexts.get("a")!).some((l) => l.type === "error")); // the backoff (≥ 30 s) follows at once
  const started = Date.now();
  run.cancel("stop");
  expect((await run.done).outcome).toBe("cancelled");
  expect(Date.now() - started).toBeLessThan(500);
  expect(api.requests.length).toBe(1);
});

test("cancel during a rate-limit pause ends the run at once", async () => {
  const { api, start, limiter } = setup({ a: [{ fail: { status: 429, retryAfterSeconds: 120 } }, finish()] });
  const run = start("a");
  await api.waitForRequest();
  await until(() => limiter.pausedUntil(KEY) > 0);
  run.cancel("stop");
  expect((await run.done).outcome).toBe("cancelled");
  expect(api.requests.length).toBe(1);
});

test("the transcript records each failed request with its status", async () => {
  const project = tempProject();
  cleanups.push(project.remove);
  const api = ScriptedApi.start({ scripts: { a: [overloaded, finish()] } });
  cleanups.push(() => api.stop());
  const plan = planOf({ agents: [{ id: "a", territory: ["src/"] }] });
  const ctx = contextFor(project.root, project.planDir, plan, "a");
  expect((await new AnthropicRunner({ apiKey: KEY, baseURL: api.url, backoffBaseMs: 5 }).start(ctx).done).outcome).toBe("finished");
  const lines = transcriptOf(ctx);
  expect(lines.map((l) => l.type)).toEqual(["request", "error", "request", "response", "end"]);
  expect(lines[1]).toMatchObject({ turn: 1, status: 529, message: expect.stringContaining("overloaded") });
  expect(lines[2]).toMatchObject({ turn: 1, retry: 1 });
});
