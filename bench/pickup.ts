// Pick-up latency and memory of the real purpled (issue 16): how long from a plan arriving to its
// first agent running, and how much memory the daemon holds idle and after small plans.
//  - rename drop: a one-agent command plan written outside the inbox, renamed in (atomic), 20 times;
//  - plan.submit: the same plan submitted over the control socket, 20 times;
//  - `purplectl submit`: the same through the CLI process (its own start-up included), from the
//    checkout and as a compiled binary, 20 times each;
// each measured to the agent's own first write (`date +%s%N` as its first command) and to its
// agent.state → running event in events.jsonl; p50/p95 printed against the 50 ms target.
// Memory: VmRSS of a fresh purpled once idle, after 3 and after 10 small plans (targets 60 MB idle,
// 70 MB after 3). About 40 MB of any figure is the bun binary's own pages (Shared_Clean in smaps).
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import YAML from "yaml";
import { connect } from "../ctl/client.ts";
import type { PlanInput } from "../protocol/index.ts";

const RUNS = Number(process.env.BENCH_PICKUP_RUNS ?? 20);
const SMALL_PLANS = 10;
const REPO = join(import.meta.dir, "..");
const TARGET_MS = 50, IDLE_MB = 60, AFTER_MB = 70;

const root = mkdtempSync(join(tmpdir(), "purple-bench-pickup-"));
const out = mkdtempSync(join(tmpdir(), "purple-bench-pickup-out-")); // plan files before they are dropped or submitted
const O = join(root, ".context-kit", "orchestration");
Bun.spawnSync(["git", "init", "-q", "-b", "main"], { cwd: root });
writeFileSync(join(root, "README.md"), "bench\n");
Bun.spawnSync(["git", "-c", "user.name=b", "-c", "user.email=b@b", "commit", "-qam", "init", "--allow-empty"], { cwd: root });
Bun.spawnSync(["git", "add", "-A"], { cwd: root });
mkdirSync(join(O, "inbox"), { recursive: true });

const nowMs = () => performance.timeOrigin + performance.now();

function plan(name: string): PlanInput {
  return {
    apiVersion: "purple/v1",
    name,
    defaults: { runner: "command", retries: 0, timeout: "1m" },
    agents: [{ id: "a", territory: [`out/${name}/`], runner: { kind: "command", command: ["bash", "-c", `mkdir -p out/${name} && date +%s%N > out/${name}/stamp`] } }],
    waves: [{ id: "w1", agents: ["a"] }],
  };
}

function planState(name: string): string | null {
  try {
    return JSON.parse(readFileSync(join(O, name, "status.json"), "utf8")).state;
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

const ended = (name: string) => ["succeeded", "failed", "blocked", "cancelled"].includes(planState(name) ?? "");

// The agent's own stamp and the running event, each relative to t0 (ms).
function latencies(name: string, t0: number): { own: number; event: number } {
  const own = Number(BigInt(readFileSync(join(root, "out", name, "stamp"), "utf8").trim()) / 1000n) / 1000 - t0;
  const running = readFileSync(join(O, name, "events.jsonl"), "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l))
    .find((e) => e.type === "agent.state" && e.to === "running");
  return { own, event: Date.parse(running.ts) - t0 };
}

function vmRssMb(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) / 1024;
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const fmt = (xs: number[]) => `p50 ${pct(xs, 50).toFixed(1)} ms, p95 ${pct(xs, 95).toFixed(1)} ms`;
const verdict = (ok: boolean) => (ok ? "target met" : "over target");

const daemon = Bun.spawn([process.execPath, ...(process.env.BENCH_BUN_FLAGS?.split(" ").filter(Boolean) ?? []), join(REPO, "daemon", "main.ts"), "--root", root, "--log-level", "warn"], { stdout: "ignore", stderr: "inherit" });
try {
  const infoPath = join(O, ".purple", "daemon.json");
  await until(() => existsSync(infoPath), "daemon.json");
  const socket = JSON.parse(readFileSync(infoPath, "utf8")).socket as string;
  await Bun.sleep(1000); // let start-up work (the first rescan, the audit's baseline) finish
  const idle = vmRssMb(daemon.pid);

  let afterThree = 0;
  for (let i = 0; i < SMALL_PLANS; i++) {
    const name = `small-${i}`;
    writeFileSync(join(out, `${name}.yaml`), YAML.stringify(plan(name)));
    renameSync(join(out, `${name}.yaml`), join(O, "inbox", `${name}.yaml`));
    await until(() => ended(name), `${name} to end`);
    if (i === 2) {
      await Bun.sleep(500);
      afterThree = vmRssMb(daemon.pid);
    }
  }
  await Bun.sleep(500);
  const afterSmall = vmRssMb(daemon.pid);

  const rename = { own: [] as number[], event: [] as number[] };
  for (let i = 0; i < RUNS; i++) {
    const name = `drop-${i}`;
    writeFileSync(join(out, `${name}.yaml`), YAML.stringify(plan(name)));
    const t0 = nowMs();
    renameSync(join(out, `${name}.yaml`), join(O, "inbox", `${name}.yaml`));
    await until(() => ended(name), `${name} to end`);
    const l = latencies(name, t0);
    rename.own.push(l.own);
    rename.event.push(l.event);
  }

  const client = await connect(socket);
  await client.call("daemon.status", {});
  const submit = { own: [] as number[], event: [] as number[] };
  for (let i = 0; i < RUNS; i++) {
    const name = `submit-${i}`;
    const file = join(out, `${name}.yaml`);
    writeFileSync(file, YAML.stringify(plan(name)));
    const t0 = nowMs();
    await client.call("plan.submit", { path: file });
    await until(() => ended(name), `${name} to end`);
    const l = latencies(name, t0);
    submit.own.push(l.own);
    submit.event.push(l.event);
  }
  client.close();

  // purplectl as people run it: from the checkout (bun transpiles ~300 modules first) and as the
  // standalone binary `npm run build` makes (bytecode, no transpiling), built here into a temp dir.
  const compiled = join(out, "purplectl");
  const built = Bun.spawnSync([process.execPath, "build", "--compile", "--bytecode", "--format=esm", join(REPO, "ctl", "main.ts"), "--outfile", compiled], { stdout: "ignore", stderr: "inherit" }).exitCode === 0;
  const viaCli = async (label: string, argv: string[]) => {
    const xs = { own: [] as number[], event: [] as number[] };
    for (let i = 0; i < RUNS; i++) {
      const name = `${label}-${i}`;
      const file = join(out, `${name}.yaml`);
      writeFileSync(file, YAML.stringify(plan(name)));
      const t0 = nowMs();
      const r = Bun.spawn([...argv, "--socket", socket, "submit", file], { stdout: "ignore", stderr: "inherit" });
      await until(() => ended(name), `${name} to end`);
      await r.exited;
      const l = latencies(name, t0);
      xs.own.push(l.own);
      xs.event.push(l.event);
    }
    return xs;
  };
  const cli = await viaCli("cli", [process.execPath, join(REPO, "ctl", "main.ts")]);
  const cliCompiled = built ? await viaCli("bin", [compiled]) : null;
  rmSync(compiled, { force: true });

  console.log(`pick-up latency, plan arrives → first agent running (${RUNS} runs each, target ≤ ${TARGET_MS} ms)`);
  const rows: [string, { own: number[]; event: number[] }][] = [["rename drop", rename], ["plan.submit (RPC)", submit], ["purplectl submit, from the checkout", cli]];
  if (cliCompiled) rows.push(["purplectl submit, compiled binary", cliCompiled]);
  for (const [label, xs] of rows) {
    console.log(`  ${label.padEnd(42)} agent's own first write: ${fmt(xs.own)} (${verdict(pct(xs.own, 50) <= TARGET_MS)}); running event: ${fmt(xs.event)}`);
  }
  console.log(`purpled RSS: idle ${idle.toFixed(1)} MB (target ≤ ${IDLE_MB}: ${verdict(idle <= IDLE_MB)}); after 3 small plans ${afterThree.toFixed(1)} MB (target ≤ ${AFTER_MB}: ${verdict(afterThree <= AFTER_MB)}); after ${SMALL_PLANS} ${afterSmall.toFixed(1)} MB; after all ${SMALL_PLANS + rows.length * RUNS} plans ${vmRssMb(daemon.pid).toFixed(1)} MB`);
} finally {
  daemon.kill("SIGTERM");
  await daemon.exited;
}
