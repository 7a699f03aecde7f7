// The real purpled running claude-code agents with the real Claude Code CLI (the pinned
// devDependency) against the scripted Messages-API server: files written with Write and Bash,
// tickets through the purple MCP tools into progress.json, usage and cost in the status files,
// a write outside the territory refused by the hook and one by Bash refused by the sandbox, a
// 429 shown as waiting — and the key, a canary, nowhere it must not be.
import { afterEach, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AgentStatus, PlanStatus, Progress, type PlanInput } from "../protocol/index.ts";
import { sandboxWorks } from "./support/sandbox.ts";
import { claudeMissing, tool, unprivilegedUser, useClaude } from "./support/claude.ts";
import { DaemonProcess, tempRoot } from "./support/daemon.ts";
import { dropPlan, expectValid, readJson } from "./support/files.ts";
import { ScriptedApi } from "./support/scripted-api.ts";

const CANARY = "sk-ant-CANARY-c1a0de5e11e7e11a";
const missing = claudeMissing();
if (missing) console.warn(`skipping the claude-code integration tests: ${missing}`);
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

/** Every file under dir whose text contains needle. */
function filesContaining(dir: string, needle: string): string[] {
  const hits: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile()) continue;
    const p = join(e.parentPath, e.name);
    try {
      if (readFileSync(p).includes(needle)) hits.push(p);
    } catch {
      // unreadable: not ours
    }
  }
  return hits;
}

async function until<T>(what: string, f: () => T | undefined, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(50);
  }
}

test.skipIf(missing !== null)("two waves of claude-code agents: Write and Bash, tickets over MCP, usage, refusals, a 429 waited out, the key nowhere", async () => {
  // The project's own Claude Code settings: a hook and an MCP server that would leave a mark.
  const marks = mkdtempSync(join(tmpdir(), "purple-cc-marks-"));
  const mark = (what: string) => ({ command: "sh", args: ["-c", `echo ${what} >> ${join(marks, "marks.txt")}`] });
  const projectHook = { hooks: { PreToolUse: [{ matcher: ".*", hooks: [{ type: "command", command: `echo hook >> ${join(marks, "marks.txt")}` }] }] }, enableAllProjectMcpServers: true };
  const root = tempRoot({ git: true, files: { ".claude/settings.json": JSON.stringify(projectHook), ".mcp.json": JSON.stringify({ mcpServers: { project: mark("mcp") } }) } });
  const sandboxed = sandboxWorks();
  const api = ScriptedApi.start({
    expectKey: CANARY,
    scripts: {
      alpha: [
        tool.start("A-1"),
        tool.write(root, "src/a/hello.txt", "hello\n"),
        // outside the territory: the hook refuses it before it happens
        tool.write(root, "src/b/stolen.txt", "no\n"),
        // Bash is not seen by the hook: the sandbox refuses a write into .git/
        tool.bash("echo planted > .git/hooks/post-commit; echo exit=$?"),
        tool.complete("A-1"),
        tool.say("alpha done"),
      ],
      beta: [
        { fail: { status: 429, retryAfterSeconds: 6 } },
        tool.start("B-1"),
        tool.bash("mkdir -p src/b && echo world > src/b/world.txt && env > src/b/env.txt"),
        tool.complete("B-1"),
        tool.say("beta done"),
      ],
      gamma: [tool.start("C-1"), tool.write(root, "src/c/both.txt", "hello world\n"), tool.complete("C-1"), tool.say("gamma done")],
    },
  });
  cleanups.push(() => api.stop());
  useClaude(root);
  const d = new DaemonProcess(root, ["--sandbox", "on"], { ANTHROPIC_API_KEY: CANARY, ANTHROPIC_BASE_URL: api.url });
  cleanups.push(async () => d.proc.exitCode === null && d.stop("SIGKILL"));
  await d.started();

  const plan: PlanInput = {
    apiVersion: "purple/v1",
    name: "cc",
    defaults: { runner: "claude-code", retries: 0, model: "claude-sonnet-4-5" },
    agents: [
      { id: "alpha", role: "writes a", territory: ["src/a/"], tickets: [{ id: "A-1", title: "hello" }] },
      { id: "beta", role: "writes b", territory: ["src/b/"], tickets: [{ id: "B-1", title: "world" }] },
      { id: "gamma", role: "writes c", territory: ["src/c/"], dependsOn: ["alpha"], tickets: [{ id: "C-1", title: "both" }] },
    ],
    waves: [
      { id: "w1", agents: ["alpha", "beta"], gate: [{ exists: "src/a/hello.txt" }, { exists: "src/b/world.txt" }] },
      { id: "w2", agents: ["gamma"], gate: [{ contains: { file: "src/c/both.txt", pattern: "hello world" } }] },
    ],
  };
  const dir = dropPlan(root, plan);

  // The 429: beta's status says it is waiting while claude waits out the retry-after.
  await api.waitForRequest((r) => r.agent === "beta" && r.answeredWith === "fail");
  const note = await until("beta's waiting note", () => {
    if (!existsSync(join(dir, "status", "beta.json"))) return undefined;
    const s = readJson(join(dir, "status", "beta.json")) as { notes?: string[] };
    return s.notes?.find((n) => n.startsWith("waiting: rate limited, retry in"));
  });
  expect(note).toMatch(/^waiting: rate limited, retry in [0-9]+ s/);
  expect(api.requests.filter((r) => r.agent === "beta" && r.answeredWith === "reply")).toHaveLength(0); // still waiting

  expect((await d.planEnded("cc", 150_000)).state).toBe("succeeded");

  expect(readFileSync(join(root, "src/a/hello.txt"), "utf8")).toBe("hello\n");
  expect(readFileSync(join(root, "src/b/world.txt"), "utf8")).toBe("world\n");
  expect(readFileSync(join(root, "src/c/both.txt"), "utf8")).toBe("hello world\n");
  expect(existsSync(join(root, "src/b/stolen.txt"))).toBe(false);
  // The hook's refusal reached the model as the tool result, naming the territory.
  const alphaTurns = api.requests.filter((r) => r.agent === "alpha").map((r) => r.raw);
  expect(alphaTurns.some((raw) => /src\/b\/stolen.txt is outside your territory/.test(raw))).toBe(true);
  if (sandboxed) {
    expect(existsSync(join(root, ".git/hooks/post-commit"))).toBe(false);
    expect(alphaTurns.some((raw) => /Read-only file system/.test(raw))).toBe(true);
  }

  const progress = expectValid(Progress, readJson(join(dir, "progress.json")), "progress.json");
  for (const id of ["A-1", "B-1", "C-1"]) {
    const t = progress.phases.flatMap((p) => p.tickets).find((x) => x.id === id)!;
    expect(t.status).toBe("completed");
  }
  const log = readFileSync(join(dir, "status-log.md"), "utf8");
  expect(log).toMatch(/\] alpha IN_PROGRESS started ticket A-1/);
  expect(log).toMatch(/\] gamma IN_PROGRESS completed ticket C-1/);

  const status = expectValid(PlanStatus, readJson(join(dir, "status.json")), "status.json");
  expect(status.usage.cacheWriteTokens + status.usage.inputTokens).toBeGreaterThan(0);
  expect(status.usage.costUsd).toBeGreaterThan(0);
  const alpha = expectValid(AgentStatus, readJson(join(dir, "status", "alpha.json")), "alpha");
  expect(alpha.state).toBe("completed");
  expect(alpha.usage.costUsd).toBeGreaterThan(0);
  expect(alpha.notes.some((n) => n.startsWith("tool: Write ") && n.includes("src/a/hello.txt"))).toBe(true);
  const transcript = readFileSync(join(dir, "agents", "alpha", "transcript.jsonl"), "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
  expect(transcript.some((l) => l.type === "system" && l.subtype === "init")).toBe(true);
  expect(transcript.some((l) => l.type === "result")).toBe(true);
  // Only purple's MCP server, and none of the project's own hooks ran.
  expect(transcript.find((l) => l.type === "system" && l.subtype === "init").mcp_servers).toEqual([{ name: "purple", status: "connected" }]);
  expect(existsSync(join(marks, "marks.txt"))).toBe(false);

  // The key: every request reached the server with it (through purple's proxy), and it is in no
  // file of the project, its orchestration folder (transcripts, status, Claude Code's config),
  // nor in the agent's environment (beta dumped it into src/b/env.txt).
  expect(api.requests.filter((r) => r.apiKeyHeader !== CANARY)).toEqual([]);
  expect(readFileSync(join(root, "src/b/env.txt"), "utf8")).toMatch(/CLAUDE_CONFIG_DIR=/);
  expect(filesContaining(root, CANARY)).toEqual([]);
  expect(d.stderrText.join("\n")).not.toContain(CANARY);
}, 200_000);

test.skipIf(missing !== null)("kill -9 of purpled mid-turn, then a drain mid-turn: each restart resumes the agent's Claude Code session and the plan succeeds", async () => {
  const root = tempRoot({ git: true });
  const api = ScriptedApi.start({
    expectKey: CANARY,
    scripts: { solo: [tool.start("S-1"), tool.write(root, "src/s/one.txt", "one\n"), { stall: { afterEvents: 1 } }] },
  });
  cleanups.push(() => api.stop());
  useClaude(root);
  const env = { ANTHROPIC_API_KEY: CANARY, ANTHROPIC_BASE_URL: api.url };
  const daemon = () => {
    const d = new DaemonProcess(root, [], env);
    cleanups.push(async () => d.proc.exitCode === null && d.stop("SIGKILL"));
    return d;
  };
  const first = daemon();
  await first.started();
  const plan: PlanInput = {
    apiVersion: "purple/v1",
    name: "resume",
    defaults: { runner: "claude-code", retries: 0, model: "claude-sonnet-4-5" },
    agents: [{ id: "solo", territory: ["src/s/"], tickets: [{ id: "S-1", title: "three files" }] }],
    waves: [{ id: "w1", agents: ["solo"], gate: [{ exists: "src/s/three.txt" }] }],
  };
  const dir = dropPlan(root, plan);
  const sessionFile = join(dir, "agents", "solo", "claude-session.json");
  const stalled = (n: number) => api.waitForRequest((r) => r.agent === "solo" && r.answeredWith === "stall" && api.requests.filter((x) => x.answeredWith === "stall").indexOf(r) === n);

  // 1. kill -9 while the model is answering.
  const firstStall = await stalled(0);
  const session = (readJson(sessionFile) as { sessionId: string }).sessionId;
  first.proc.kill("SIGKILL");
  await first.exited;
  api.push("solo", tool.write(root, "src/s/two.txt", "two\n"), { stall: { afterEvents: 1 } });
  const second = daemon();

  // 2. The restart resumes the conversation: the earlier Write and its result come again.
  const secondStall = await stalled(1);
  const resumed = api.requests.find((r) => r.agent === "solo" && r.at > firstStall.at)!;
  expect(resumed.body.messages.length).toBeGreaterThan(firstStall.body.messages.length);
  expect(JSON.stringify(resumed.body.messages.slice(0, firstStall.body.messages.length))).toContain("src/s/one.txt");
  expect(resumed.raw).toContain("has now resumed");

  // 3. A drain (SIGTERM) mid-turn, then a restart: resumed again, and on to the end.
  expect(await second.stop("SIGTERM")).toBe(0);
  api.push("solo", tool.write(root, "src/s/three.txt", "three\n"), tool.complete("S-1"), tool.say("solo done"));
  const third = daemon();
  expect((await third.planEnded("resume", 120_000)).state).toBe("succeeded");
  const again = api.requests.find((r) => r.agent === "solo" && r.at > secondStall.at)!;
  expect(JSON.stringify(again.body.messages)).toContain("src/s/two.txt");
  expect(JSON.stringify(again.body.messages)).toContain("src/s/one.txt");

  expect(["one", "two", "three"].map((n) => readFileSync(join(root, `src/s/${n}.txt`), "utf8"))).toEqual(["one\n", "two\n", "three\n"]);
  expect((readJson(sessionFile) as { sessionId: string }).sessionId).toBe(session);
  const progress = expectValid(Progress, readJson(join(dir, "progress.json")), "progress.json");
  expect(progress.phases.flatMap((p) => p.tickets).find((t) => t.id === "S-1")!.status).toBe("completed");
  expect(filesContaining(root, CANARY)).toEqual([]);
}, 200_000);

test.skipIf(missing !== null)("as an unprivileged user: the hook refuses a write outside the territory, the sandbox one by Bash, the agent finishes", async () => {
  const root = tempRoot({ git: true });
  useClaude(root);
  const user = unprivilegedUser(root);
  if ("skip" in user) return console.warn(`skipped: ${user.skip}`);
  const api = ScriptedApi.start({
    expectKey: CANARY,
    scripts: {
      low: [
        tool.write(root, "elsewhere/x.txt", "no\n"),
        tool.bash("echo planted > .git/hooks/pre-commit; mkdir -p src/low && id -u > src/low/uid.txt"),
        tool.write(root, "src/low/ok.txt", "ok\n"),
        tool.say("low done"),
      ],
    },
  });
  cleanups.push(() => api.stop());
  const d = new DaemonProcess(root, ["--sandbox", "on"], { ANTHROPIC_API_KEY: CANARY, ANTHROPIC_BASE_URL: api.url }, user.prefix);
  cleanups.push(async () => d.proc.exitCode === null && d.stop("SIGKILL"));
  await d.started();
  const sandboxed = d.lines.find((l) => l.msg === "purpled started")!.sandbox === "overlay";
  dropPlan(root, {
    apiVersion: "purple/v1",
    name: "low",
    defaults: { runner: "claude-code", retries: 0, model: "claude-sonnet-4-5" },
    agents: [{ id: "low", territory: ["src/low/"] }],
    waves: [{ id: "w1", agents: ["low"], gate: [{ exists: "src/low/ok.txt" }] }],
  });
  expect((await d.planEnded("low", 120_000)).state).toBe("succeeded");
  if (process.getuid?.() === 0) expect(readFileSync(join(root, "src/low/uid.txt"), "utf8").trim()).not.toBe("0");
  expect(existsSync(join(root, "elsewhere/x.txt"))).toBe(false);
  const raws = api.requests.map((r) => r.raw);
  expect(raws.some((raw) => /elsewhere\/x.txt is outside your territory/.test(raw))).toBe(true);
  if (sandboxed) {
    expect(existsSync(join(root, ".git/hooks/pre-commit"))).toBe(false);
    expect(raws.some((raw) => /Read-only file system/.test(raw))).toBe(true);
  } else console.warn("no sandbox for the unprivileged user here: the Bash write into .git/ was not checked");
  expect(filesContaining(root, CANARY)).toEqual([]);
}, 200_000);
