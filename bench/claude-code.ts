// claude-code runner benchmark, the real Claude Code CLI against the scripted Messages-API server:
//  1. start-up: a one-turn session run bare (`claude -p` with the same offline environment) and
//     through purple's runner (sandbox, key proxy, hook settings, `purplectl mcp`), and through it
//     without the sandbox: wall time to
//     the first API request and to the end, and peak RSS of the whole process tree; 3 runs each;
//  2. end to end: the real purpled running a plan of 6 claude-code agents with maxAgents 3 (each
//     starts a ticket, writes a file, completes it): wall time, and peak RSS of purpled's tree.
// No targets: these are figures for the closing note (each claude is ~300 MB and CPU-heavy).
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Plan, type PlanInput } from "../protocol/index.ts";
import { ClaudeCodeRunner } from "../daemon/runners/claude-code/runner.ts";
import { CLAUDE, claudeMissing, tool, useClaude } from "../test/support/claude.ts";
import { DaemonProcess, tempRoot } from "../test/support/daemon.ts";
import { dropPlan } from "../test/support/files.ts";
import { ScriptedApi } from "../test/support/scripted-api.ts";

const RUNS = Number(process.env.BENCH_CLAUDE_RUNS ?? 3);
const missing = claudeMissing();
if (missing) {
  console.log(`claude-code bench skipped: ${missing}`);
  process.exit(0);
}

/** RSS (kB) of pid and all its descendants. */
function treeRss(pid: number): number {
  const children = new Map<number, number[]>();
  const rss = new Map<number, number>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${name}/status`, "utf8"));
      rss.set(Number(name), m ? Number(m[1]) : 0);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(name)]);
    } catch {
      // gone meanwhile
    }
  }
  let total = 0;
  const stack = [pid];
  while (stack.length) {
    const p = stack.pop()!;
    total += rss.get(p) ?? 0;
    stack.push(...(children.get(p) ?? []));
  }
  return total;
}

/** Sample the peak tree RSS of `pid()` until stopped. */
function peakSampler(pid: () => number | null): { stop(): number } {
  let peak = 0;
  const timer = setInterval(() => {
    const p = pid();
    if (p) peak = Math.max(peak, treeRss(p));
  }, 50);
  return { stop: () => (clearInterval(timer), peak) };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const mb = (kb: number) => `${Math.round(kb / 1024)} MB`;
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function bare(i: number) {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), "purple-bench-cc-")));
  for (const d of ["cfg", "home", "tmp"]) mkdirSync(join(dir, d));
  const api = ScriptedApi.start({ scripts: { bench: [tool.say("done")] } });
  const t0 = performance.now();
  const proc = Bun.spawn([CLAUDE, "-p", "--output-format", "stream-json", "--verbose", "--permission-mode", "bypassPermissions", "--model", "claude-sonnet-4-5"], {
    cwd: dir,
    stdin: new Blob([`Agent: bench\nrun ${i}`]),
    stdout: "pipe",
    stderr: "pipe",
    env: { PATH: process.env.PATH ?? "", HOME: join(dir, "home"), TMPDIR: join(dir, "tmp"), CLAUDE_CONFIG_DIR: join(dir, "cfg"), ANTHROPIC_BASE_URL: api.url, ANTHROPIC_API_KEY: "sk-bench", CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1", DISABLE_AUTOUPDATER: "1", ...(process.getuid?.() === 0 ? { IS_SANDBOX: "1" } : {}) },
  });
  const sampler = peakSampler(() => proc.pid);
  const first = api.waitForRequest().then(() => performance.now() - t0);
  await new Response(proc.stdout).text();
  await proc.exited;
  const total = performance.now() - t0;
  const peak = sampler.stop();
  const toFirst = await first;
  await api.stop();
  rmSync(dir, { recursive: true, force: true });
  return { toFirst, total, peak };
}

async function viaRunner(i: number, sandbox = true) {
  const root = tempRoot({ git: true });
  const api = ScriptedApi.start({ scripts: { bench: [tool.say("done")] } });
  const input: PlanInput = { apiVersion: "purple/v1", name: "bench", defaults: { runner: "claude-code", model: "claude-sonnet-4-5" }, agents: [{ id: "bench", territory: ["src/"] }], waves: [{ id: "w", agents: ["bench"] }] };
  const plan = Plan.parse(input);
  const planDir = join(root, ".context-kit", "orchestration", "bench");
  const runner = new ClaudeCodeRunner({ claude: CLAUDE, apiKey: "sk-bench", baseURL: api.url, sandbox });
  const t0 = performance.now();
  const run = runner.start({
    plan, agent: plan.agents[0]!, wave: "w", attempt: i + 1, root, planDir, agentDir: join(planDir, "agents", "bench"), prompt: "",
    statusFile: join(planDir, "status", "bench.json"), socket: "", timeoutMs: 120_000, graceMs: 1000,
    reporter: { startTicket() {}, completeTicket() {}, status() {}, spend: () => true },
  });
  const sampler = peakSampler(() => run.pgid);
  const first = api.waitForRequest().then(() => performance.now() - t0);
  const result = await run.done;
  const total = performance.now() - t0;
  const peak = sampler.stop();
  if (result.outcome !== "finished") throw new Error(`the runner's session did not finish: ${result.message}`);
  const toFirst = await first;
  runner.close();
  await api.stop();
  rmSync(root, { recursive: true, force: true });
  return { toFirst, total, peak };
}

async function endToEnd() {
  const root = tempRoot({ git: true });
  const ids = ["a1", "a2", "a3", "a4", "a5", "a6"];
  const api = ScriptedApi.start({
    expectKey: "sk-ant-bench-local",
    scripts: Object.fromEntries(ids.map((id) => [id, [tool.start(`${id}-T`), tool.write(root, `src/${id}/out.txt`, `${id}\n`), tool.complete(`${id}-T`), tool.say(`${id} done`)]])),
  });
  useClaude(root);
  const d = new DaemonProcess(root, [], { ANTHROPIC_API_KEY: "sk-ant-bench-local", ANTHROPIC_BASE_URL: api.url });
  await d.started();
  const plan: PlanInput = {
    apiVersion: "purple/v1", name: "six", maxAgents: 3,
    defaults: { runner: "claude-code", model: "claude-sonnet-4-5", retries: 0 },
    agents: ids.map((id) => ({ id, territory: [`src/${id}/`], tickets: [{ id: `${id}-T`, title: "write" }] })),
    waves: [{ id: "w1", agents: ids, gate: ids.map((id) => ({ exists: `src/${id}/out.txt` })) }],
  };
  const sampler = peakSampler(() => d.proc.pid);
  const t0 = performance.now();
  dropPlan(root, plan);
  const ended = await d.planEnded("six", 600_000);
  const wall = performance.now() - t0;
  const peak = sampler.stop();
  if (ended.state !== "succeeded") {
    const dir = join(root, ".context-kit", "orchestration", "six", "status");
    for (const f of readdirSync(dir)) {
      const a = JSON.parse(readFileSync(join(dir, f), "utf8"));
      if (a.state !== "completed") console.log(`  ${f}: ${a.state}: ${a.reason}`);
    }
  }
  await d.stop();
  await api.stop();
  rmSync(root, { recursive: true, force: true });
  return { state: ended.state, wall, peak, requests: api.requests.length };
}

console.log(`claude-code bench: ${CLAUDE}, ${RUNS} run(s) each, ${navigator.hardwareConcurrency} CPUs`);
const bares = [];
const runs = [];
for (let i = 0; i < RUNS; i++) bares.push(await bare(i));
const unsandboxed = [];
for (let i = 0; i < RUNS; i++) runs.push(await viaRunner(i));
for (let i = 0; i < RUNS; i++) unsandboxed.push(await viaRunner(i, false));
const line = (name: string, xs: { toFirst: number; total: number; peak: number }[]) =>
  console.log(`  ${name.padEnd(22)} first request ${s(median(xs.map((x) => x.toFirst)))}, session ${s(median(xs.map((x) => x.total)))}, peak RSS ${mb(median(xs.map((x) => x.peak)))} (medians)`);
if (RUNS > 0) {
console.log("one-turn session:");
line("bare claude -p", bares);
line("purple claude-code", runs);
line("  the same, no sandbox", unsandboxed);
console.log(`  purple's start-up overhead: ${s(median(runs.map((x) => x.toFirst)) - median(bares.map((x) => x.toFirst)))} to the first request, ${mb(median(runs.map((x) => x.peak)) - median(bares.map((x) => x.peak)))} of memory`);
}
const e2e = await endToEnd();
console.log(`6 claude-code agents, maxAgents 3, one ticket and one Write each: ${e2e.state} in ${s(e2e.wall)}, ${e2e.requests} API requests, peak RSS of purpled's tree ${mb(e2e.peak)}`);
