// The real purpled running anthropic agents against the scripted Messages-API server, through
// the real SDK: files written, tickets through progress.json, the plan succeeds — and the key,
// a canary, appears nowhere it must not.
import { afterEach, expect, test } from "bun:test";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { AgentStatus, PlanStatus, Progress, type PlanInput } from "../protocol/index.ts";
import { DaemonProcess, orchestrationDir, tempRoot } from "./support/daemon.ts";
import { dropPlan, expectValid, readEvents, readJson } from "./support/files.ts";
import { ScriptedApi, type ScriptStep } from "./support/scripted-api.ts";

const CANARY = "sk-ant-CANARY-7f3a9c2e41b8d605";
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

const call = (name: string, input: unknown): ScriptStep => ({ reply: { content: [{ type: "tool_use", name, input }] } });
const writer = (ticket: string, path: string, text: string): ScriptStep[] => [
  call("start_ticket", { ticket_id: ticket }),
  call("write_file", { path, content: text }),
  call("complete_ticket", { ticket_id: ticket }),
  call("finish", { summary: `wrote ${path}` }),
];

test("two waves of anthropic agents: files written, tickets through progress.json, the key nowhere", async () => {
  const api = ScriptedApi.start({
    expectKey: CANARY,
    scripts: {
      alpha: writer("A-1", "src/a/hello.txt", "hello\n"),
      // beta first tries to write outside its territory: refused, it goes on and completes
      beta: [call("write_file", { path: "src/a/stolen.txt", content: "no" }), ...writer("B-1", "src/b/world.txt", "world\n")],
      gamma: [call("read_file", { path: "src/a/hello.txt" }), ...writer("C-1", "src/c/both.txt", "hello world\n")],
    },
  });
  cleanups.push(() => api.stop());
  const root = tempRoot({ git: true });
  const d = new DaemonProcess(root, [], { ANTHROPIC_API_KEY: CANARY, ANTHROPIC_BASE_URL: api.url });
  cleanups.push(async () => d.proc.exitCode === null && d.stop("SIGKILL"));
  await d.started();

  const plan: PlanInput = {
    apiVersion: "purple/v1",
    name: "models",
    defaults: { runner: "anthropic", retries: 0, model: "claude-sonnet-4-5" },
    agents: [
      { id: "alpha", role: "writes a", territory: ["src/a/"], tickets: [{ id: "A-1", title: "hello" }] },
      { id: "beta", role: "writes b", territory: ["src/b/"], tickets: [{ id: "B-1", title: "world" }] },
      { id: "gamma", role: "writes c", territory: ["src/c/"], dependsOn: ["alpha"], tickets: [{ id: "C-1", title: "both" }] },
      // a command agent in the same plan shows what an agent's environment holds
      { id: "envdump", territory: ["env/"], runner: { kind: "command", command: ["bash", "-c", "mkdir -p env && env > env/dump.txt"] } },
    ],
    waves: [
      { id: "w1", agents: ["alpha", "beta", "envdump"], gate: [{ exists: "src/a/hello.txt" }, { exists: "src/b/world.txt" }] },
      { id: "w2", agents: ["gamma"], gate: [{ contains: { file: "src/c/both.txt", pattern: "hello world" } }] },
    ],
  };
  const dir = dropPlan(root, plan);
  expect((await d.planEnded("models", 60_000)).state).toBe("succeeded");

  expect(readFileSync(join(root, "src/c/both.txt"), "utf8")).toBe("hello world\n");
  expect(() => statSync(join(root, "src/a/stolen.txt"))).toThrow();
  const status = expectValid(PlanStatus, readJson(join(dir, "status.json")), "status.json");
  expect(status.usage.inputTokens).toBeGreaterThan(0);
  expect(status.usage.costUsd).toBeGreaterThan(0);
  const beta = expectValid(AgentStatus, readJson(join(dir, "status", "beta.json")), "beta");
  expect(beta.state).toBe("completed");
  expect(beta.violations).toEqual([]); // refused at the tool: nothing to revert
  expect(beta.changedFiles).toEqual(["src/b/world.txt"]); // what its write tools wrote, not the refused write
  const progress = expectValid(Progress, readJson(join(dir, "progress.json")), "progress.json");
  expect(progress.summary).toMatchObject({ totalTickets: 4, completedTickets: 4, inProgressTickets: 0 });
  for (const id of ["A-1", "B-1", "C-1"]) {
    const t = progress.phases.flatMap((p) => p.tickets).find((x) => x.id === id)!;
    expect(t.status).toBe("completed");
    expect(Date.parse(t.completedAt!)).toBeGreaterThanOrEqual(Date.parse(t.startedAt!));
  }
  const log = readFileSync(join(dir, "status-log.md"), "utf8");
  expect(log).toMatch(/\] alpha IN_PROGRESS started ticket A-1/);
  expect(log).toMatch(/\] gamma IN_PROGRESS completed ticket C-1/);
  expect(readFileSync(join(dir, "agents", "alpha", "transcript.jsonl"), "utf8").split("\n").filter(Boolean).length).toBeGreaterThanOrEqual(8);
  expect(api.requests.every((r) => r.authorization === `Bearer ${CANARY}` || r.apiKeyHeader === CANARY)).toBe(true);

  // The canary: in no file under the root, no log line, no event, no agent's environment.
  expect(await d.stop()).toBe(0);
  const leaks: string[] = [];
  const walk = (p: string) => {
    for (const name of readdirSync(p)) {
      const full = join(p, name);
      const st = statSync(full, { throwIfNoEntry: false });
      if (!st) continue;
      if (st.isDirectory()) walk(full);
      else if (st.isFile() && readFileSync(full).includes(CANARY)) leaks.push(full);
    }
  };
  walk(root);
  expect(leaks).toEqual([]);
  expect(d.stderrText.filter((l) => l.includes("CANARY"))).toEqual([]);
  expect(JSON.stringify(readEvents(dir))).not.toContain("CANARY");
  const dump = readFileSync(join(root, "env", "dump.txt"), "utf8");
  expect(dump).toContain("PURPLE_AGENT=envdump");
  expect(dump).not.toContain("CANARY");
  expect(dump).not.toContain("ANTHROPIC_API_KEY");
}, 90_000);

test("a plan whose budget is spent stops its agent and ends blocked", async () => {
  const heavy = { input_tokens: 200_000, output_tokens: 50_000, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 };
  const api = ScriptedApi.start({
    scripts: { spender: [{ reply: { content: [{ type: "tool_use", name: "report_status", input: { message: "thinking hard" } }], usage: heavy } }, call("finish", { summary: "never reached" })] },
  });
  cleanups.push(() => api.stop());
  const root = tempRoot({ git: true });
  const d = new DaemonProcess(root, [], { ANTHROPIC_API_KEY: "sk-ant-test-budget", ANTHROPIC_BASE_URL: api.url });
  cleanups.push(async () => d.proc.exitCode === null && d.stop("SIGKILL"));
  await d.started();
  const dir = dropPlan(root, {
    apiVersion: "purple/v1",
    name: "thrifty",
    budgetUsd: 0.5,
    defaults: { runner: "anthropic", retries: 2, model: "claude-sonnet-4-5" },
    agents: [{ id: "spender", territory: ["src/"] }],
    waves: [{ id: "w", agents: ["spender"] }],
  });
  const ended = await d.planEnded("thrifty", 30_000);
  expect(ended.state).toBe("blocked");
  const a = expectValid(AgentStatus, readJson(join(dir, "status", "spender.json")), "spender");
  expect(a.state).toBe("blocked");
  expect(a.attempt).toBe(1); // a spent budget is not retried
  expect(a.usage.costUsd).toBeGreaterThanOrEqual(0.5);
  expect(a.blockers.join(" ")).toContain("budget");
  expect(api.requests.length).toBe(1); // stopped right after the turn that spent it
}, 60_000);
