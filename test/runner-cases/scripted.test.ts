// The in-process test runner (test/support/scripted-runner.ts) passes the shared runner cases.
import { Plan } from "../../protocol/index.ts";
import type { RunContext } from "../../daemon/runners/runner.ts";
import { ScriptedRunner } from "../support/scripted-runner.ts";
import { runnerCases, type Prepared } from "./common.ts";

function prepared(runner: ScriptedRunner, id: string): Prepared {
  const plan = Plan.parse({ apiVersion: "purple/v1", name: "cases", defaults: { runner: "command" }, agents: [{ id }], waves: [{ id: "w", agents: [id] }] });
  const ctx: RunContext = {
    plan, agent: plan.agents[0]!, wave: "w", attempt: 1, root: "/nonexistent", planDir: "/nonexistent/p", agentDir: "/nonexistent/p/agents/a",
    prompt: "", statusFile: "/nonexistent/p/status/a.json", socket: "", timeoutMs: 30_000, graceMs: 100,
    reporter: { startTicket() {}, completeTicket() {}, status() {}, spend: () => true },
  };
  return { runner, ctx, underway: async () => {} };
}

runnerCases("scripted (tests)", () => ({
  finishing: async () => prepared(new ScriptedRunner({ autoFinishMs: 10 }), "a"),
  hanging: async () => prepared(new ScriptedRunner(), "a"),
  unstartable: async () => prepared(new ScriptedRunner(), "unstartable-a"),
  cleanup: () => {},
}));
