// The command runner passes the shared runner cases: a real process group (bash with a child).
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Plan } from "../../protocol/index.ts";
import { CommandRunner } from "../../daemon/runners/command.ts";
import type { RunContext } from "../../daemon/runners/runner.ts";
import { runnerCases, type Prepared } from "./common.ts";

function prepared(root: string, command: string[], marker: string | null): Prepared {
  const plan = Plan.parse({ apiVersion: "purple/v1", name: "cases", defaults: { runner: "command" }, agents: [{ id: "a", territory: ["src/"], runner: { kind: "command", command } }], waves: [{ id: "w", agents: ["a"] }] });
  const planDir = join(root, ".context-kit", "orchestration", "cases");
  mkdirSync(join(planDir, "agents", "a"), { recursive: true });
  const ctx: RunContext = {
    plan, agent: plan.agents[0]!, wave: "w", attempt: 1, root, planDir, agentDir: join(planDir, "agents", "a"),
    prompt: "do it\n", statusFile: join(planDir, "status", "a.json"), socket: "", timeoutMs: 30_000, graceMs: 300,
    reporter: { startTicket() {}, completeTicket() {}, status() {}, spend: () => true },
  };
  return {
    runner: new CommandRunner(),
    ctx,
    underway: async () => {
      for (let i = 0; i < 400 && marker && !existsSync(marker); i++) await new Promise((r) => setTimeout(r, 25));
    },
  };
}

runnerCases("command", () => {
  const root = mkdtempSync(join(tmpdir(), "purple-cases-"));
  const marker = join(root, "started");
  return {
    finishing: async () => prepared(root, ["bash", "-c", "echo done"], null),
    // a child that would outlive a careless stop, and a TERM the shell ignores: the group must go anyway
    hanging: async () => prepared(root, ["bash", "-c", `trap '' TERM; sleep 300 & touch ${marker}; wait`], marker),
    unstartable: async () => prepared(root, ["/nonexistent/purple-no-such-program"], null),
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
});
