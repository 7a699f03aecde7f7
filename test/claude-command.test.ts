// `purplectl init --claude-command` installs /purple-plan; the real claude CLI, against the scripted
// model server (the model scripted to follow the command: write plan.yaml, run purplectl validate),
// produces a plan.yaml that `purplectl validate` accepts, and that the real purpled then runs to
// success (its agents scripted too). Skips when the claude CLI is absent.
import { afterAll, expect, test } from "bun:test";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import YAML from "yaml";
import { claudeCommandText } from "../ctl/claude-command/install.ts";
import { BUN, DaemonProcess, purplectl, tempRoot } from "./support/daemon.ts";
import { ScriptedApi, type ScriptStep } from "./support/scripted-api.ts";
import { identifyAgent } from "./support/scripted-api-usage.ts";

const CTL = join(import.meta.dir, "..", "ctl", "main.ts");
const CLAUDE = join(import.meta.dir, "..", "node_modules", ".bin", "claude");
const claudeRuns = existsSync(CLAUDE) && Bun.spawnSync([CLAUDE, "--version"], { stdout: "pipe", stderr: "pipe" }).exitCode === 0;

const api = ScriptedApi.start({ scripts: {}, identify: (body) => (Array.isArray(body?.tools) && body.tools.length > 0 ? "claude" : "aux") });
afterAll(() => api.stop());

const PLAN = {
  apiVersion: "purple/v1",
  name: "greeting-page",
  goal: "A greeting page",
  agents: [
    { id: "writer", role: "Writes the greeting", territory: ["site/greeting.txt"], tickets: [{ id: "T-1", title: "Write the greeting" }] },
    { id: "builder", role: "Builds the page", territory: ["site/index.html"], dependsOn: ["writer"] },
  ],
  waves: [
    { id: "wave-1", title: "Content", agents: ["writer"], gate: [{ exists: "site/greeting.txt" }] },
    { id: "wave-2", title: "Page", agents: ["builder"], gate: [{ run: "test -f site/index.html" }, { manual: "The page reads well" }] },
  ],
};

test("init --claude-command writes the command into .claude/commands/, once", async () => {
  const root = tempRoot();
  const run = () => Bun.spawnSync([BUN, CTL, "--root", root, "init", "--claude-command"], { stdout: "pipe", stderr: "pipe" });
  const first = run();
  expect(first.exitCode).toBe(0);
  expect(first.stdout.toString()).toContain("installed:");
  expect(readFileSync(join(root, ".claude", "commands", "purple-plan.md"), "utf8")).toBe(claudeCommandText());
  expect(run().stdout.toString()).toContain("already up to date");
  // Without the flag, init sets the project up (O/purple.yaml) and writes no command.
  const plain = tempRoot();
  expect(Bun.spawnSync([BUN, CTL, "--root", plain, "init"], { stdout: "pipe", stderr: "pipe" }).exitCode).toBe(0);
  expect(existsSync(join(plain, ".claude"))).toBe(false);
});

test.skipIf(!claudeRuns)("the installed command, run by the real claude CLI, yields a plan.yaml that purplectl validate accepts and purpled runs", async () => {
  const root = tempRoot();
  expect(Bun.spawnSync([BUN, CTL, "--root", root, "init", "--claude-command"]).exitCode).toBe(0);
  const home = mkdtempSync(join(tmpdir(), "purple-claude-home-"));
  const bin = join(home, "bin");
  mkdirSync(bin);
  writeFileSync(join(bin, "purplectl"), `#!/bin/sh\nexec "${BUN}" "${CTL}" "$@"\n`);
  chmodSync(join(bin, "purplectl"), 0o755);
  const planPath = join(root, ".context-kit", "plans", "greeting-page", "plan.yaml");
  const tool = (name: string, input: unknown): ScriptStep => ({ reply: { content: [{ type: "tool_use", name, input }] } });
  api.push(
    "claude",
    tool("Write", { file_path: planPath, content: YAML.stringify(PLAN) }),
    tool("Bash", { command: "purplectl validate .context-kit/plans/greeting-page/plan.yaml", description: "Validate the plan" }),
    { reply: { content: [{ type: "text", text: "Planned greeting-page: 2 waves. Run: purplectl submit .context-kit/plans/greeting-page" }] } },
  );
  for (let k = 0; k < 10; k++) api.push("aux", { reply: { content: [{ type: "text", text: "ok" }] } });
  const env = {
    PATH: `${bin}:${process.env.PATH}`,
    ANTHROPIC_BASE_URL: api.url,
    ANTHROPIC_API_KEY: "x",
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
    CLAUDE_CODE_MAX_RETRIES: "0",
    CLAUDE_CONFIG_DIR: join(home, "config"),
    HOME: home,
    TMPDIR: home,
    IS_SANDBOX: "1",
  };
  const p = Bun.spawn([CLAUDE, "-p", "/purple-plan a greeting page", "--permission-mode", "bypassPermissions", "--output-format", "json"], { cwd: root, env, stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  expect({ code, err: err.slice(-2000) }).toEqual({ code: 0, err: expect.any(String) });
  expect(JSON.parse(out).is_error).toBe(false);

  // The installed command is what the model was given, with the feature as its argument.
  const first = JSON.stringify(api.requests.find((r) => r.agent === "claude")!.body.messages);
  expect(first).toContain("Plan a feature for purple");
  expect(first).toContain("a greeting page");
  // purplectl validate ran inside claude and printed the canonical plan back to the model.
  const last = JSON.stringify(api.requests.filter((r) => r.agent === "claude").at(-1)!.body.messages);
  expect(last).toContain("apiVersion: purple/v1");

  // validate also asks whether this machine can run the plan: its anthropic agents need a key.
  const v = Bun.spawnSync([BUN, CTL, "validate", planPath], { stdout: "pipe", stderr: "pipe", env: { ...process.env, ANTHROPIC_API_KEY: "sk-test-not-real" } });
  expect(v.exitCode).toBe(0);
  expect(YAML.parse(v.stdout.toString()).waves.map((w: { agents: string[] }) => w.agents)).toEqual([["writer"], ["builder"]]);

  // And it runs: submitted to the real purpled, its agents (scripted) write their files, the
  // manual check waits for a person, and the plan succeeds.
  const write = (path: string, content: string): ScriptStep[] => [tool("write_file", { path, content }), tool("finish", { summary: `wrote ${path}` })];
  const agents = ScriptedApi.start({ identify: identifyAgent, scripts: { writer: write("site/greeting.txt", "hello\n"), builder: write("site/index.html", "<p>hello</p>\n") } });
  const d = new DaemonProcess(root, [], { ANTHROPIC_API_KEY: "sk-test-not-real", ANTHROPIC_BASE_URL: agents.url });
  try {
    await d.started();
    const socket = d.lines.find((l) => l.msg === "purpled started")!.socket as string;
    expect((await purplectl(socket, "submit", planPath)).code).toBe(0);
    await d.waitFor((l) => l.msg === "plan ended" && l.plan === "greeting-page" && l.state === "blocked", "the manual check to block the plan", 30_000);
    expect((await purplectl(socket, "approve", "greeting-page")).code).toBe(0);
    await d.waitFor((l) => l.msg === "plan ended" && l.plan === "greeting-page" && l.state === "succeeded", "the plan to succeed", 30_000);
    expect(readFileSync(join(root, "site/index.html"), "utf8")).toBe("<p>hello</p>\n");
  } finally {
    if (d.proc.exitCode === null) await d.stop("SIGKILL");
    agents.stop();
  }
}, 90_000);
