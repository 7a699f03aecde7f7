// Hostile-input benchmark (issue 14), against the real purpled on a temp root:
//  1. `purplectl status` p50 with no other client, and with 1,000 idle connections open
//     (target: within 2× of the idle figure); also a fresh connection's daemon.status from here;
//  2. purpled's RSS while 1,500 clients each park a partial 1 MB line, and after they close
//     (targets: never above 256 MB; back under 100 MB after, within a few seconds);
//  3. the territory matcher: one 4,096-byte path against 100 patterns (target: under 1 ms).
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Socket } from "bun";
import { connect } from "../ctl/client.ts";
import { Territory } from "../protocol/territory.ts";

const REPO = join(import.meta.dir, "..");
const BUN = process.execPath;
const RUNS = Number(process.env.BENCH_HOSTILE_RUNS ?? 30);
const IDLE = 1000;
const PARKED = 1500;
const LINE = 1024 * 1024 - 64;

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const mb = (kb: number) => `${(kb / 1024).toFixed(0)} MB`;
const verdict = (ok: boolean) => (ok ? "met" : "MISSED");
let missed = 0;

// A read of /proc under load can come back short: read again until the field is there.
function rssKb(pid: number, field = "VmRSS"): number {
  for (let i = 0; i < 10; i++) {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    if (m) return Number(m[1]);
  }
  throw new Error(`no ${field} in /proc/${pid}/status`);
}

function ctlStatusMs(socket: string, cwd: string): number {
  const t = performance.now();
  const r = Bun.spawnSync([BUN, join(REPO, "ctl", "main.ts"), "--socket", socket, "status"], { cwd, stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`purplectl status exited ${r.exitCode}: ${r.stderr.toString()}`);
  return performance.now() - t;
}

async function rpcStatusMs(socket: string): Promise<number> {
  const t = performance.now();
  const c = await connect(socket);
  await c.call("daemon.status");
  c.close();
  return performance.now() - t;
}

async function statusFigures(socket: string, cwd: string): Promise<{ ctl: number; rpc: number }> {
  for (let i = 0; i < 3; i++) ctlStatusMs(socket, cwd);
  const ctl = Array.from({ length: RUNS }, () => ctlStatusMs(socket, cwd));
  const rpc: number[] = [];
  for (let i = 0; i < RUNS * 5; i++) rpc.push(await rpcStatusMs(socket));
  return { ctl: pct(ctl, 50), rpc: pct(rpc, 50) };
}

let refused = 0;
/** A client that parks `bytes` of one unterminated line (written under backpressure). A connect
 *  refused while purpled is busy (its listen backlog full) is counted and tried again. */
async function parkLine(socket: string, bytes: Uint8Array): Promise<Socket<undefined>> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await parkOnce(socket, bytes);
    } catch (err) {
      refused++;
      if (attempt >= 100) throw err;
      await Bun.sleep(20);
    }
  }
}

async function parkOnce(socket: string, bytes: Uint8Array): Promise<Socket<undefined>> {
  let rest = bytes;
  let closed = false;
  const flush = (s: Socket<undefined>) => {
    while (rest.length > 0 && !closed) {
      const n = s.write(rest);
      if (n <= 0) return;
      rest = rest.subarray(n);
    }
  };
  const s = await Bun.connect({ unix: socket, socket: { drain: flush, data: () => {}, close: () => void (closed = true), error: () => void (closed = true) } });
  flush(s);
  return s;
}

async function until(what: string, cond: () => boolean, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(20);
  }
}

function globBench(): void {
  const patterns = [
    ...Array.from({ length: 40 }, (_, i) => `packages/pkg-${i}/src/`),
    ...Array.from({ length: 20 }, (_, i) => `src/**/feature-${i}/**/*.ts`),
    ...Array.from({ length: 20 }, (_, i) => `**/*${i}*a*b*c.{ts,tsx}`),
    ...Array.from({ length: 10 }, (_, i) => `src/[!x]*${i}/**/[a-f]?*.test.ts`),
    ...Array.from({ length: 10 }, (_, i) => `docs/${i}/*.md`),
  ];
  const t = new Territory(patterns);
  // 4,096-byte paths that match none: segments of a's and b's, then segments that also pass the
  // `*a*b*c.ts` patterns' literal-suffix filter, so that their globs are really run on each.
  for (const [label, seg] of [["plain", "ab".repeat(30) + "a"], ["suffix-matching", "ab".repeat(28) + "c.ts"]] as const) {
    let path = "src";
    while (path.length < 4096 - 64) path += "/" + seg;
    path = (path + "/" + "b".repeat(4096)).slice(0, 4093) + ".ts";
    if (Buffer.byteLength(path) !== 4096 || t.covers(path)) throw new Error("glob bench: the path should be 4,096 bytes and match nothing");
    for (let i = 0; i < 200; i++) t.covers(path);
    const times: number[] = [];
    for (let i = 0; i < 2000; i++) {
      const s = performance.now();
      t.covers(path);
      times.push(performance.now() - s);
    }
    const p50 = pct(times, 50);
    console.log(`  glob: a 4,096-byte ${label} path against ${patterns.length} patterns: p50 ${(p50 * 1000).toFixed(0)} µs, p99 ${(pct(times, 99) * 1000).toFixed(0)} µs   (target < 1 ms: ${verdict(p50 < 1)})`);
    if (p50 >= 1) missed++;
  }
}

await daemonFigures();
globBench();
process.exit(missed ? 1 : 0);

async function daemonFigures(): Promise<void> {
const root = mkdtempSync(join(tmpdir(), "purple-bench-hostile-"));
const daemon = Bun.spawn([BUN, join(REPO, "daemon", "main.ts"), "--root", root, "--log-level", process.env.BENCH_LOG ?? "error"], { detached: true, stdout: "ignore", stderr: "inherit" });
const held: Socket<undefined>[] = [];
try {
  const infoFile = join(root, ".context-kit", "orchestration", ".purple", "daemon.json");
  let socket = "";
  await until("purpled to start", () => {
    try {
      socket = JSON.parse(readFileSync(infoFile, "utf8")).socket;
      return !!socket;
    } catch {
      return false;
    }
  });
  console.log("hostile input, against purpled on a temp root:");

  const idle = await statusFigures(socket, root);
  for (let i = 0; i < IDLE; i++) held.push(await Bun.connect({ unix: socket, socket: { data: () => {} } }));
  const busy = await statusFigures(socket, root);
  const ratio = busy.ctl / idle.ctl;
  console.log(`  purplectl status p50: ${idle.ctl.toFixed(1)} ms idle, ${busy.ctl.toFixed(1)} ms with ${IDLE} idle connections open (${ratio.toFixed(2)}×; target within 2×: ${verdict(ratio <= 2)})`);
  console.log(`  fresh connection + daemon.status p50: ${idle.rpc.toFixed(2)} ms idle, ${busy.rpc.toFixed(2)} ms with ${IDLE} idle connections`);
  if (ratio > 2) missed++;
  for (const s of held.splice(0)) s.end();

  const pid = daemon.pid;
  const before = rssKb(pid);
  const line = new Uint8Array(LINE).fill(120);
  line.set(new TextEncoder().encode('{"jsonrpc":"2.0","id":1,"method":"daemon.status","pad":"'));
  let peak = before;
  let sampleError: unknown = null;
  const sampler = setInterval(() => {
    try {
      peak = Math.max(peak, rssKb(pid));
    } catch (err) {
      sampleError ??= err;
    }
  }, 20);
  for (let i = 0; i < PARKED; i++) held.push(await parkLine(socket, line));
  await Bun.sleep(1000); // let the last writes land (sampling meanwhile)
  const during = rssKb(pid);
  for (const s of held.splice(0)) s.end();
  await Bun.sleep(3000);
  const after = rssKb(pid);
  await Bun.sleep(7000);
  const later = rssKb(pid);
  clearInterval(sampler);
  if (sampleError) console.log(`  (a sample failed: ${sampleError instanceof Error ? sampleError.message : String(sampleError)})`);
  console.log(`  RSS with ${PARKED} partial 1 MB lines: ${mb(before)} before, peak ${mb(peak)} (sampled every 20 ms; VmHWM ${mb(rssKb(pid, "VmHWM"))}), ${mb(during)} once all were sent (target never above 256 MB: ${verdict(peak <= 256 * 1024)})`);
  console.log(`  RSS after those clients closed: ${mb(after)} at 3 s, ${mb(later)} at 10 s (target under 100 MB: ${verdict(later < 100 * 1024)} at 10 s, ${verdict(after < 100 * 1024)} at 3 s)`);
  console.log(`  connects refused while purpled was busy (backlog full), each retried: ${refused}`);
  if (peak > 256 * 1024) missed++;
  if (later >= 100 * 1024) missed++;
} finally {
  for (const s of held) s.terminate();
  daemon.kill("SIGTERM");
  await daemon.exited;
  rmSync(root, { recursive: true, force: true });
}
}
