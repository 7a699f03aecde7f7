// The claude-code runner passes the shared runner cases with the real Claude Code CLI (the
// pinned devDependency) against the scripted Messages API, in the sandbox, through the key proxy.
import { test } from "bun:test";
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { Plan } from "../../protocol/index.ts";
import { ClaudeCodeRunner } from "../../daemon/runners/claude-code/runner.ts";
import type { RunContext } from "../../daemon/runners/runner.ts";
import { CLAUDE, claudeMissing, tool } from "../support/claude.ts";
import { tempRoot } from "../support/daemon.ts";
import { ScriptedApi, type ScriptStep } from "../support/scripted-api.ts";
import { runnerCases, type Prepared } from "./common.ts";

const missing = claudeMissing();
if (missing) test.skip(`runner case suite: claude-code (${missing})`, () => {});
else runnerCases("claude-code", () => {
  const cleanups: (() => unknown)[] = [];
  const prepared = (steps: ScriptStep[], claude: string | null = CLAUDE): Prepared => {
    const root = tempRoot();
    cleanups.push(() => rmSync(root, { recursive: true, force: true }));
    const api = ScriptedApi.start({ scripts: { a: steps }, expectKey: "sk-ant-cases-key" });
    cleanups.push(() => api.stop());
    const runner = new ClaudeCodeRunner({ claude, apiKey: "sk-ant-cases-key", baseURL: api.url });
    cleanups.push(() => runner.close());
    const plan = Plan.parse({ apiVersion: "purple/v1", name: "cases", defaults: { runner: "claude-code", model: "claude-sonnet-4-5" }, agents: [{ id: "a", territory: ["src/"] }], waves: [{ id: "w", agents: ["a"] }] });
    const planDir = join(root, ".context-kit", "orchestration", "cases");
    mkdirSync(join(planDir, "agents", "a"), { recursive: true });
    const ctx: RunContext = {
      plan, agent: plan.agents[0]!, wave: "w", attempt: 1, root, planDir, agentDir: join(planDir, "agents", "a"),
      prompt: "", statusFile: join(planDir, "status", "a.json"), socket: "", timeoutMs: 120_000, graceMs: 2000,
      reporter: { startTicket() {}, completeTicket() {}, status() {}, spend: () => true },
    };
    return { runner, ctx, underway: () => api.waitForRequest().then(() => {}) };
  };
  return {
    finishing: async () => prepared([tool.say("all done")]),
    hanging: async () => prepared([{ stall: {} }]),
    unstartable: async () => prepared([tool.say("never")], "/nonexistent/purple-no-such-claude"),
    cleanup: async () => {
      for (const c of cleanups.splice(0).reverse()) await c();
    },
  };
}, { timeoutMs: 60_000 });
