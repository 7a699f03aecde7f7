// Pick-up latency and memory of the real purpled (issue 16): how long from a plan arriving to its
// first agent running, and how much memory the daemon holds idle and after small plans.
//  - rename drop: a one-agent command plan written outside the inbox, renamed in (atomic), 20 times;
//  - plan.submit: the same plan submitted over the control socket, 20 times;
//  - `purplectl submit`: the same through the CLI process (its own start-up included), from the
//    checkout and as a compiled binary, 20 times each;
// each measured to the agent's own first write (`date +%s%N` as its first command, inside the
// sandbox, in its territory) and to its agent.state → running event in events.jsonl; p50/p95
// printed against the 50 ms target.
// Memory: VmRSS of a fresh purpled once idle, after 3 and after 10 small plans, right after the
// 10th and at rest (3 s later), targets 60 MB idle and 70 MB after the small plans, split by kind
// of mapping and JS heap (bench/pickup-memory.ts); for purpled from the checkout (bun transpiles
// its ~300 modules) and as the compiled binary `npm run build` makes. Both run
// bench/purpled-probe.ts: daemon/main.ts plus a SIGUSR2 handler that reports the JS heap.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import YAML from "yaml";
import { connect } from "../ctl/client.ts";
import type { PlanInput } from "../protocol/index.ts";
import { describe, mappings, probe, vmRssMb } from "./pickup-memory.ts";

const RUNS = Number(process.env.BENCH_PICKUP_RUNS ?? 20);
const SMALL_PLANS = 10;
const REPO = join(import.meta.dir, "..");
const TARGET_MS = 50, IDLE_MB = 60, AFTER_MB = 70;
const out = mkdtempSync(join(tmpdir(), "purple-bench-pickup-out-")); // plan files before they are dropped or submitted

const nowMs = () => performance.timeOrigin + performance.now();
const orch = (root: string) => join(root, ".context-kit", "orchestration");

function freshRoot(): string {
  const root = mkdtempSync(join(tmpdir(), "purple-bench-pickup-"));
  Bun.spawnSync(["git", "init", "-q", "-b", "main"], { cwd: root });
  writeFileSync(join(root, "README.md"), "bench\n");
  Bun.spawnSync(["git", "-c", "user.name=b", "-c", "user.email=b@b", "commit", "-qam", "init", "--allow-empty"], { cwd: root });
  mkdirSync(join(orch(root), "inbox"), { recursive: true });
  return root;
}

function plan(name: string): PlanInput {
  return {
    apiVersion: "purple/v1",
    name,
    defaults: { runner: "command", retries: 0, timeout: "1m" },
    agents: [{ id: "a", territory: [`out/${name}/`], runner: { kind: "command", command: ["bash", "-c", `mkdir -p out/${name} && date +%s%N > out/${name}/stamp`] } }],
    waves: [{ id: "w1", agents: ["a"] }],
  };
}

function planState(root: string, name: string): string | null {
  try {
    return JSON.parse(readFileSync(join(orch(root), name, "status.json"), "utf8")).state;
  } catch {
    return null;
  }
}

async function until(cond: () => boolean, what: string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`bench/pickup: timed out waiting for ${what}`);
    await Bun.sleep(5);
  }
}

async function ended(root: string, name: string): Promise<void> {
  await until(() => ["succeeded", "failed", "blocked", "cancelled"].includes(planState(root, name) ?? ""), `${name} to end`);
  if (planState(root, name) !== "succeeded") throw new Error(`bench/pickup: ${name} ${planState(root, name)}; see ${join(orch(root), name)}`);
}

// The agent's own stamp and the running event, each relative to t0 (ms).
function latencies(root: string, name: string, t0: number): { own: number; event: number } {
  const own = Number(BigInt(readFileSync(join(root, "out", name, "stamp"), "utf8").trim()) / 1000n) / 1000 - t0;
  const running = readFileSync(join(orch(root), name, "events.jsonl"), "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l))
    .find((e) => e.type === "agent.state" && e.to === "running");
  return { own, event: Date.parse(running.ts) - t0 };
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const fmt = (xs: number[]) => `p50 ${pct(xs, 50).toFixed(1)} ms, p95 ${pct(xs, 95).toFixed(1)} ms`;
const verdict = (ok: boolean) => (ok ? "target met" : "over target");
const load = () => readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");

interface Daemon {
  root: string;
  proc: ReturnType<typeof Bun.spawn>;
  socket: string;
  probeOut: string;
}

async function startDaemon(argv: string[]): Promise<Daemon> {
  const root = freshRoot();
  const probeOut = join(out, `probe-${Math.random().toString(36).slice(2)}.json`);
  const proc = Bun.spawn([...argv, "--root", root, "--log-level", "warn"], { env: { ...process.env, PURPLE_BENCH_MEMORY_OUT: probeOut }, stdout: "ignore", stderr: "inherit" });
  const infoPath = join(orch(root), ".purple", "daemon.json");
  await until(() => existsSync(infoPath), "daemon.json");
  return { root, proc, socket: JSON.parse(readFileSync(infoPath, "utf8")).socket as string, probeOut };
}

async function stopDaemon(d: Daemon): Promise<void> {
  d.proc.kill("SIGTERM");
  await d.proc.exited;
}

function drop(root: string, name: string): void {
  writeFileSync(join(out, `${name}.yaml`), YAML.stringify(plan(name)));
  renameSync(join(out, `${name}.yaml`), join(orch(root), "inbox", `${name}.yaml`));
}

// Memory of one daemon: idle, after 3 and 10 small plans (dropped one after another), at rest.
async function memory(label: string, d: Daemon): Promise<string[]> {
  await Bun.sleep(1000); // let start-up work (the first rescan) finish
  const idle = vmRssMb(d.proc.pid);
  let afterThree = 0;
  for (let i = 0; i < SMALL_PLANS; i++) {
    drop(d.root, `small-${i}`);
    await ended(d.root, `small-${i}`);
    if (i === 2) {
      await Bun.sleep(500);
      afterThree = vmRssMb(d.proc.pid);
    }
  }
  await Bun.sleep(500);
  const rightAfter = vmRssMb(d.proc.pid);
  await Bun.sleep(2500); // JSC collects on its own timers, and the allocators return pages after
  const atRest = vmRssMb(d.proc.pid);
  const map = mappings(d.proc.pid);
  const heap = await probe(d.proc.pid, d.probeOut);
  return [
    `  ${label}: idle ${idle.toFixed(1)} MB (target ≤ ${IDLE_MB}: ${verdict(idle <= IDLE_MB)}); after 3 small plans ${afterThree.toFixed(1)} MB; after ${SMALL_PLANS}: ${rightAfter.toFixed(1)} MB 0.5 s after the last, ${atRest.toFixed(1)} MB at rest 3 s after (target ≤ ${AFTER_MB}: ${verdict(atRest <= AFTER_MB)})`,
    `    where it goes, at rest after ${SMALL_PLANS}:`,
    ...describe(atRest, map, heap),
  ];
}

type Samples = { own: number[]; event: number[] };

async function measure(d: Daemon, label: string, send: (file: string) => Promise<unknown>): Promise<Samples> {
  const xs: Samples = { own: [], event: [] };
  for (let i = 0; i < RUNS; i++) {
    const name = `${label}-${i}`;
    const file = join(out, `${name}.yaml`);
    writeFileSync(file, YAML.stringify(plan(name)));
    const t0 = nowMs();
    const sent = send(file);
    await ended(d.root, name);
    await sent;
    const l = latencies(d.root, name, t0);
    xs.own.push(l.own);
    xs.event.push(l.event);
  }
  return xs;
}

const compile = (entry: string, outfile: string) =>
  Bun.spawnSync([process.execPath, "build", "--compile", "--bytecode", "--format=esm", join(REPO, entry), "--outfile", outfile], { stdout: "ignore", stderr: "inherit" }).exitCode === 0;

console.log(`load average before: ${load()}`);
const report: string[] = [];
const checkout = await startDaemon([process.execPath, ...(process.env.BENCH_BUN_FLAGS?.split(" ").filter(Boolean) ?? []), join(REPO, "bench", "purpled-probe.ts")]);
const rows: [string, Samples][] = [];
try {
  report.push(...(await memory("purpled from the checkout", checkout)));
  rows.push(["rename drop", await measure(checkout, "drop", async (file) => renameSync(file, join(orch(checkout.root), "inbox", file.split("/").pop()!)))]);
  const client = await connect(checkout.socket);
  await client.call("daemon.status", {});
  rows.push(["plan.submit (RPC)", await measure(checkout, "submit", (file) => client.call("plan.submit", { path: file }))]);
  client.close();
  // purplectl as people run it: from the checkout (bun transpiles its modules first) and as the
  // standalone binary `npm run build` makes (bytecode, no transpiling), built here into a temp dir.
  const cli = (argv: string[]) => (file: string) => Bun.spawn([...argv, "--socket", checkout.socket, "submit", file], { stdout: "ignore", stderr: "inherit" }).exited;
  rows.push(["purplectl submit, from the checkout", await measure(checkout, "cli", cli([process.execPath, join(REPO, "ctl", "main.ts")]))]);
  const ctlBin = join(out, "purplectl");
  if (compile("ctl/main.ts", ctlBin)) rows.push(["purplectl submit, compiled binary", await measure(checkout, "bin", cli([ctlBin]))]);
} finally {
  await stopDaemon(checkout);
}
const daemonBin = join(out, "purpled");
if (compile("bench/purpled-probe.ts", daemonBin)) {
  const compiled = await startDaemon([daemonBin]);
  try {
    report.push(...(await memory("purpled compiled (bun build --compile --bytecode)", compiled)));
  } finally {
    await stopDaemon(compiled);
  }
}
rmSync(out, { recursive: true, force: true });

console.log(`pick-up latency, plan arrives → first agent running (${RUNS} runs each, target ≤ ${TARGET_MS} ms)`);
for (const [label, xs] of rows) {
  console.log(`  ${label.padEnd(36)} agent's own first write: ${fmt(xs.own)} (${verdict(pct(xs.own, 50) <= TARGET_MS)}); running event: ${fmt(xs.event)} (${verdict(pct(xs.event, 50) <= TARGET_MS)})`);
}
console.log(`purpled RSS`);
for (const line of report) console.log(line);
console.log(`load average after: ${load()}`);
