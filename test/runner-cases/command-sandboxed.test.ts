// The command runner in the sandbox passes the shared runner cases too: the same process-group
// guarantees hold when the group's leader is bubblewrap and the agent lives in its own PID namespace.
import { describe } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Plan } from "../../protocol/index.ts";
import { CommandRunner } from "../../daemon/runners/command.ts";
import type { RunContext } from "../../daemon/runners/runner.ts";
import { detectSandbox } from "../../daemon/sandbox/detect.ts";
import { LocalExecutor } from "../../daemon/sandbox/executor.ts";
import { sandboxWorks } from "../support/sandbox.ts";
import { runnerCases, type Prepared } from "./common.ts";

async function prepared(root: string, command: string[], announces: boolean): Promise<Prepared> {
  const plan = Plan.parse({ apiVersion: "purple/v1", name: "cases", defaults: { runner: "command" }, agents: [{ id: "a", territory: ["src/"], runner: { kind: "command", command } }], waves: [{ id: "w", agents: ["a"] }] });
  const stateDir = join(root, ".context-kit", "orchestration", ".purple");
  const planDir = join(root, ".context-kit", "orchestration", "cases");
  const agentDir = join(planDir, "agents", "a");
  mkdirSync(agentDir, { recursive: true });
  mkdirSync(stateDir, { recursive: true });
  const detected = detectSandbox(join(stateDir, "sandbox"));
  const executor = new LocalExecutor({ root, stateDir, info: detected.info, tools: detected.tools });
  const sandbox = await executor.begin({ plan: "cases", agent: "a", attempt: 1, territory: ["src/"], agentDir });
  const ctx: RunContext = {
    plan, agent: plan.agents[0]!, wave: "w", attempt: 1, root, planDir, agentDir,
    prompt: "do it\n", statusFile: join(planDir, "status", "a.json"), socket: "", timeoutMs: 30_000, graceMs: 300,
    reporter: { startTicket() {}, completeTicket() {}, status() {}, spend: () => true },
    sandbox,
  };
  const log = join(agentDir, "output.log");
  return {
    runner: new CommandRunner(),
    ctx,
    // inside the sandbox nothing it writes reaches the host before it ends: it says it started on its output
    underway: async () => {
      for (let i = 0; i < 400 && announces && !(existsSync(log) && readFileSync(log, "utf8").includes("underway")); i++) await new Promise((r) => setTimeout(r, 25));
    },
  };
}

describe.skipIf(!sandboxWorks())("sandboxed", () => {
  runnerCases("command (sandboxed)", () => {
    const root = mkdtempSync(join(tmpdir(), "purple-cases-sbx-"));
    return {
      finishing: () => prepared(root, ["bash", "-c", "echo done"], false),
      hanging: () => prepared(root, ["bash", "-c", "trap '' TERM; setsid sleep 300 & sleep 301 & echo underway; wait"], true),
      unstartable: () => prepared(root, ["/nonexistent/purple-no-such-program"], false),
      cleanup: () => rmSync(root, { recursive: true, force: true }),
    };
  });
});
