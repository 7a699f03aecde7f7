// A runner kind the daemon cannot serve is refused when the plan is checked (RUNNER_UNAVAILABLE),
// with the agent and the kinds it can serve named, instead of failing when its wave starts.
import { afterEach, expect, test } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runnerProblems } from "../inbox/check-runners.ts";
import { orchestrationPaths } from "../inbox/paths.ts";
import { PlanWatcher, type AcceptedPlan } from "../inbox/watcher.ts";
import { silentLogger } from "../lib/logger.ts";
import { Plan } from "../protocol/index.ts";
import { minimalPlan, tempRoot, toYaml, waitFor } from "./inbox-fixtures.ts";

const open: PlanWatcher[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((w) => w.close()));
});

test("runnerProblems names each agent whose runner kind is not served, by the path that chose it", () => {
  const plan = Plan.parse({
    apiVersion: "purple/v1",
    name: "p",
    defaults: { runner: "anthropic" },
    agents: [{ id: "a" }, { id: "b", runner: { kind: "command", command: ["true"] } }, { id: "c", runner: { kind: "claude-code" } }],
    waves: [{ id: "w", agents: ["a", "b", "c"] }],
  });
  expect(runnerProblems(plan, ["anthropic", "command", "claude-code"])).toEqual([]);
  const problems = runnerProblems(plan, ["command"]);
  expect(problems.map((p) => p.path)).toEqual(["defaults.runner", "agents.2.runner.kind"]);
  expect(problems[0]!.message).toContain("agent a needs the anthropic runner, which this purpled cannot serve (it serves: command)");
});

test("the watcher of a daemon without a runner rejects a plan needing it into inbox/rejected, and accepts the others", async () => {
  const root = tempRoot();
  const plans: AcceptedPlan[] = [];
  const watcher = new PlanWatcher({ root, rescanMs: 60_000, logger: silentLogger(), runners: ["command"], onPlan: (p) => plans.push(p) });
  open.push(watcher);
  await watcher.start();
  const paths = orchestrationPaths(root);
  writeFileSync(join(paths.inbox, "needs.yaml"), toYaml(minimalPlan({ name: "needs", defaults: { runner: "anthropic" } })));
  writeFileSync(join(paths.inbox, "fine.yaml"), toYaml(minimalPlan({ name: "fine", defaults: { runner: "command" } })));
  await waitFor(() => plans.length === 1 && existsSync(join(paths.rejected, "needs.yaml.error.json")), "one accepted, one rejected");
  expect(plans[0]!.name).toBe("fine");
  expect(readFileSync(join(paths.rejected, "needs.yaml.error.json"), "utf8")).toContain("needs the anthropic runner");
}, 15_000);
