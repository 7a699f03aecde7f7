// Which runner compiled plans get (O/purple.yaml, else claude-code when Claude Code is installed),
// the intake report saying which, a command template for compiled plans, and finding claude.
import { expect, test } from "bun:test";
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DaemonConfig } from "../protocol/index.ts";
import { compileFolder } from "../inbox/compile-folder.ts";
import { compileDefaultsOf } from "../inbox/config.ts";
import { claudeAvailable, findClaude } from "../lib/find-claude.ts";
import { tempRoot } from "./support/daemon.ts";

const PLAN_MD = `# Orchestration Plan: Tiny

## Wave 1: Build

### Agent 1: Builder
**Territory**: \`src/\`
`;

test("no runner chosen: claude-code when claude is here, else anthropic; a chosen one is kept", () => {
  const none = DaemonConfig.parse({});
  expect(compileDefaultsOf(none, true)).toMatchObject({ runner: "claude-code", runnerNote: expect.stringContaining("Claude Code (claude) is installed here") });
  expect(compileDefaultsOf(none, false)).toMatchObject({ runner: "anthropic", runnerNote: expect.stringContaining("was not found") });
  const chosen = DaemonConfig.parse({ defaults: { runner: "anthropic" } });
  expect(compileDefaultsOf(chosen, true)).toMatchObject({ runner: "anthropic", runnerNote: expect.stringContaining("chosen in purple.yaml") });
});

test("a compiled plan says its runner in the intake report, and a command template reaches every agent", () => {
  const root = tempRoot();
  const folder = join(root, "tiny");
  mkdirSync(folder);
  writeFileSync(join(folder, "orchestration-plan.md"), PLAN_MD);
  const cc = compileFolder(folder, "tiny", "markdown", compileDefaultsOf(DaemonConfig.parse({}), true));
  expect(cc.result.plan.defaults?.runner).toBe("claude-code");
  expect(cc.report).toContain("runner claude-code: purple.yaml chooses none");

  const config = DaemonConfig.parse({ defaults: { runner: "command", command: ["my-agent", "--prompt-file", "{promptFile}"] } });
  const cmd = compileFolder(folder, "tiny", "markdown", compileDefaultsOf(config, true));
  expect(cmd.result.plan.agents!.map((a) => a.runner)).toEqual([{ kind: "command", command: ["my-agent", "--prompt-file", "{promptFile}"] }]);
  expect(cmd.result.items.filter((i) => i.kind === "ambiguous" && /gives no command/.test(i.message))).toEqual([]);
});

test("claude is found as claudePath (relative to the root) or on PATH, and nowhere else", () => {
  const root = tempRoot();
  mkdirSync(join(root, "bin"));
  writeFileSync(join(root, "bin", "claude"), "#!/bin/sh\n");
  chmodSync(join(root, "bin", "claude"), 0o755);
  expect(findClaude({ claudePath: "bin/claude" }, { PATH: "" }, root)).toBe(join(root, "bin", "claude"));
  expect(findClaude({ claudePath: "bin/nope" }, { PATH: join(root, "bin") }, root)).toBeNull();
  expect(findClaude({}, { PATH: join(root, "bin") }, root)).toBe(join(root, "bin", "claude"));
  expect(claudeAvailable({}, { PATH: join(root, "nothing") }, root)).toBe(false);
});

test("a command template's {promptFile} argument is the agent's prompt file", async () => {
  const { CommandRunner } = await import("../daemon/runners/command.ts");
  const { Plan } = await import("../protocol/index.ts");
  const root = tempRoot();
  const plan = Plan.parse({ apiVersion: "purple/v1", name: "t", agents: [{ id: "a", territory: ["src/"], runner: { kind: "command", command: ["cat", "{promptFile}"] } }], waves: [{ id: "w", agents: ["a"] }] });
  const agentDir = join(root, "agents", "a");
  const r = await new CommandRunner().start({
    plan, agent: plan.agents[0]!, wave: "w", attempt: 1, root, planDir: root, agentDir, prompt: "the prompt text\n",
    statusFile: join(root, "s.json"), socket: "", timeoutMs: 10_000, graceMs: 100,
    reporter: { startTicket() {}, completeTicket() {}, status() {}, spend: () => true },
  }).done;
  expect(r.outcome).toBe("finished");
  expect(await Bun.file(join(agentDir, "output.log")).text()).toContain("the prompt text");
});
