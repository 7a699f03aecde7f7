// The anthropic runner's pure parts: the price table, the key limiter, fault sorting and backoff,
// and the prompt's split into a shared, cacheable prefix and the agent's own first message.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { APIConnectionError, APIError, APIUserAbortError, AuthenticationError, BadRequestError, InternalServerError, RateLimitError } from "@anthropic-ai/sdk";
import { backoffMs, classify, MAX_WAIT_MS, retryAfterMs } from "../daemon/runners/anthropic/faults.ts";
import { keyId, KeyLimiter } from "../daemon/runners/anthropic/limiter.ts";
import { costOf, priceOf } from "../protocol/pricing.ts";
import { buildPrompt, promptMarkdown } from "../daemon/runners/anthropic/prompt.ts";
import { planOf, tempProject } from "./anthropic-fixtures.ts";

const tokens = (inputTokens: number, outputTokens = 0, cacheReadTokens = 0, cacheWriteTokens = 0) => ({ inputTokens, outputTokens, cacheReadTokens, cacheWriteTokens });

describe("pricing", () => {
  test("published prices per million tokens, matched by model-id prefix", () => {
    expect(costOf("claude-sonnet-5-5", tokens(1_000_000, 1_000_000))).toBeCloseTo(12, 9);
    expect(costOf("claude-sonnet-4-5-20250929", tokens(1_000_000, 1_000_000, 1_000_000, 1_000_000))).toBeCloseTo(3 + 15 + 0.3 + 3.75, 9);
    expect(costOf("claude-opus-4-1-20250805", tokens(1_000_000))).toBeCloseTo(15, 9);
    expect(costOf("claude-opus-4-20250514", tokens(1_000_000))).toBeCloseTo(15, 9);
    expect(costOf("claude-opus-4-5", tokens(1_000_000))).toBeCloseTo(5, 9);
    expect(costOf("claude-opus-5-5", tokens(0, 1_000_000))).toBeCloseTo(20, 9);
    expect(costOf("claude-haiku-4-5-20251001", tokens(0, 0, 1_000_000))).toBeCloseTo(0.1, 9);
    expect(costOf("anthropic.claude-sonnet-4-5-20250929-v1:0", tokens(1_000_000))).toBeCloseTo(3, 9);
    expect(costOf("claude-sonnet-5-5[1m]", tokens(1_000_000))).toBeCloseTo(2, 9);
  });

  test("Haiku 5.5 bills a long prompt at its higher tier", () => {
    expect(costOf("claude-haiku-5-5", tokens(100_000, 1000))).toBeCloseTo((100_000 * 0.1 + 1000 * 0.5) / 1e6, 12);
    expect(costOf("claude-haiku-5-5", tokens(50_000, 1000, 60_000))).toBeCloseTo((50_000 * 0.5 + 1000 * 2.5 + 60_000 * 0.05) / 1e6, 12);
  });

  test("an unknown model is priced at the dearest row, never for free", () => {
    expect(priceOf("claude-future-9").known).toBe(false);
    expect(costOf("claude-future-9", tokens(1_000_000))).toBeCloseTo(15, 9);
    expect(priceOf("claude-sonnet-5").known).toBe(true);
    expect(priceOf("claude-sonnet-50").known).toBe(false); // a prefix must end at a separator
  });
});

describe("KeyLimiter", () => {
  test("a pause holds every waiter on that key until it ends, and no other key", async () => {
    const limiter = new KeyLimiter();
    const started = Date.now();
    limiter.pause("sk-ant-one", started + 150);
    limiter.pause("sk-ant-one", started + 50); // a shorter pause never cuts a longer one
    const [a, b, other] = await Promise.all([
      limiter.ready("sk-ant-one").then(() => Date.now()),
      limiter.ready("sk-ant-one").then(() => Date.now()),
      limiter.ready("sk-ant-two").then(() => Date.now()),
    ]);
    expect(a - started).toBeGreaterThanOrEqual(149);
    expect(b - started).toBeGreaterThanOrEqual(149);
    expect(other - started).toBeLessThan(100);
    expect(limiter.pausedUntil("sk-ant-one")).toBe(0);
  });

  test("an abort ends the wait at once", async () => {
    const limiter = new KeyLimiter();
    limiter.pause("k", Date.now() + 60_000);
    const ctl = new AbortController();
    const waiting = limiter.ready("k", ctl.signal);
    ctl.abort();
    await waiting;
    expect(limiter.pausedUntil("k")).toBeGreaterThan(Date.now());
  });

  test("keys are held only as a hash", () => {
    const limiter = new KeyLimiter();
    limiter.pause("sk-ant-secret", Date.now() + 1000);
    expect(keyId("sk-ant-secret")).toMatch(/^[0-9a-f]{16}$/);
    expect(JSON.stringify([...(limiter as any).until.keys()])).not.toContain("sk-ant");
  });
});

describe("faults", () => {
  const headers = (h: Record<string, string>) => new Headers(h);
  test("each API error sorts into what purple does about it", () => {
    expect(classify(new RateLimitError(429, { error: { message: "slow down" } }, undefined, headers({ "retry-after": "2" })))).toMatchObject({ kind: "rate-limit", waitMs: 2000 });
    expect(classify(new InternalServerError(529, { error: { type: "overloaded_error", message: "Overloaded" } }, undefined, headers({})))).toMatchObject({ kind: "transient", status: 529 });
    expect(classify(new InternalServerError(500, {}, undefined, headers({})))).toMatchObject({ kind: "transient", status: 500 });
    expect(classify(new AuthenticationError(401, {}, undefined, headers({})))).toEqual({
      kind: "auth",
      status: 401,
      message: "the Anthropic API refused the key (401): check ANTHROPIC_API_KEY in purpled's environment",
    });
    expect(classify(new BadRequestError(400, { error: { message: "bad tools" } }, undefined, headers({})))).toMatchObject({ kind: "fatal", message: expect.stringContaining("(400): bad tools") });
    expect(classify(new APIError(undefined, { type: "error", error: { type: "overloaded_error", message: "Overloaded" } }, undefined, undefined))).toMatchObject({
      kind: "stream",
      message: expect.stringContaining("Overloaded"),
    });
    expect(classify(new APIUserAbortError())).toMatchObject({ kind: "aborted" });
    expect(classify(new APIConnectionError({ message: "Connection error.", cause: new Error("ECONNREFUSED") }))).toMatchObject({ kind: "transient", message: expect.stringContaining("ECONNREFUSED") });
    expect(classify(new Error("stream ended without producing a Message"))).toMatchObject({ kind: "stream" });
  });

  test("retry-after in milliseconds, seconds or as a date; capped", () => {
    expect(retryAfterMs(headers({ "retry-after-ms": "1500", "retry-after": "9" }))).toBe(1500);
    expect(retryAfterMs(headers({ "retry-after": "3" }))).toBe(3000);
    expect(retryAfterMs(headers({ "retry-after": new Date(10_000).toUTCString() }), 4_000)).toBe(6000);
    expect(retryAfterMs(headers({ "retry-after": "86400" }))).toBe(MAX_WAIT_MS);
    expect(retryAfterMs(headers({}))).toBeNull();
    expect(retryAfterMs(undefined)).toBeNull();
  });

  test("backoff doubles with jitter between 0.5 and 1.5 times", () => {
    expect(backoffMs(1000, 0, () => 0)).toBe(500);
    expect(backoffMs(1000, 1, () => 0.5)).toBe(2000);
    expect(backoffMs(1000, 3, () => 0.999)).toBeCloseTo(8000 * 1.499, 6);
    expect(backoffMs(1000, 40, () => 0.5)).toBe(MAX_WAIT_MS);
  });
});

describe("the prompt", () => {
  const project = tempProject();
  afterAll(() => project.remove());
  mkdirSync(join(project.planDir, "integration-contracts"), { recursive: true });
  writeFileSync(join(project.planDir, "integration-contracts/url.md"), "# URL schema\n/project/:projectId\n");
  writeFileSync(join(project.root, "secret.md"), "TOP SECRET\n");
  writeFileSync(join(project.planDir, "integration-contracts/big.md"), "x".repeat(20_000));
  const plan = planOf({
    goal: "Shareable project URLs",
    defaults: { allowedCommands: ["npm test"] },
    contracts: [
      { id: "url-schema", owner: "routing", consumers: ["picker"], spec: "integration-contracts/url.md" },
      { id: "leak", owner: "routing", spec: "../../../secret.md" },
      { id: "big", owner: "picker", spec: "integration-contracts/big.md" },
    ],
    agents: [
      { id: "routing", role: "Routing architecture", territory: ["src/routes/"], tickets: [{ id: "URL-1", title: "Add the route", description: "the /project/:id route" }] },
      { id: "picker", role: "Project picker", territory: ["src/picker/"], dependsOn: ["routing"], prompt: "Use the router's hook." },
    ],
    waves: [
      { id: "w1", title: "Foundation", agents: ["routing"] },
      { id: "w2", agents: ["picker"] },
    ],
  });
  const routing = buildPrompt(plan, plan.agents[0]!, "w1", project.planDir);
  const picker = buildPrompt(plan, plan.agents[1]!, "w2", project.planDir);

  test("the system prefix is byte-identical for every agent and ends in a cache breakpoint", () => {
    expect(JSON.stringify(picker.system)).toBe(JSON.stringify(routing.system));
    expect(routing.system.at(-1)!.cache_control).toEqual({ type: "ephemeral" });
    const prefix = routing.system.map((b) => b.text).join("\n");
    expect(prefix).toContain("Shareable project URLs");
    expect(prefix).toContain("`npm test`");
    expect(prefix).toContain("/project/:projectId"); // the spec's text
    expect(prefix).toMatch(/\*\*routing\*\*: Routing architecture; territory `src\/routes\/`/);
    expect(prefix).not.toContain("TOP SECRET");
    expect(prefix).toContain("(not included: the spec file is outside the plan folder)");
    expect(prefix).toContain("cut: the spec is 20000 bytes");
    expect(prefix).not.toMatch(/Agent: |attempt|\d{4}-\d\d-\d\dT/);
  });

  test("the first message carries the agent: id line, role, territory, tickets, dependencies", () => {
    expect(routing.firstMessage.split("\n")[0]).toBe("Agent: routing");
    expect(picker.firstMessage.split("\n")[0]).toBe("Agent: picker");
    expect(routing.firstMessage).toContain("**URL-1** Add the route\n  the /project/:id route");
    expect(routing.firstMessage).toContain("- `src/routes/`");
    expect(routing.firstMessage).toContain("you own **url-schema**");
    expect(picker.firstMessage).toContain("use picker as the ticket id");
    expect(picker.firstMessage).toContain("- routing (completed before you started)");
    expect(picker.firstMessage).toMatch(/## Contracts published to you[\s\S]*### url-schema[\s\S]*\/project\/:projectId/);
    expect(picker.firstMessage).toContain("Use the router's hook.");
    expect(routing.firstMessage).not.toContain("Contracts published to you");
  });

  test("prompt.md holds both parts", () => {
    const md = promptMarkdown(picker);
    expect(md).toContain("# The plan: demo");
    expect(md).toContain("Agent: picker");
  });
});
