// Hostile input against the real purpled (issue 14, RELIABILITY 31): a FIFO and a 3 GiB sparse
// file at gate-checked paths, a connection flood past the cap, partial 1 MB lines past the buffer
// budget, forged status-log lines, a territory escaping through braces, and a large integer id.
// While each attack is in place, a second client's daemon.status is answered and a new plan is
// picked up and run to the end (timing figures are bench/hostile.ts's business).
import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Socket } from "bun";
import { DaemonInfo, ValidationResult, type PlanInput } from "../protocol/index.ts";
import { DaemonProcess, orchestrationDir, tempRoot } from "./support/daemon.ts";
import { dropPlan, expectValid, readJson } from "./support/files.ts";
import { TestRpc } from "./support/rpc.ts";

const daemons: DaemonProcess[] = [];
const sockets: Socket<undefined>[] = [];
const clients: TestRpc[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.terminate();
  for (const c of clients.splice(0)) c.close();
  for (const d of daemons.splice(0)) if (d.proc.exitCode === null) await d.stop("SIGKILL");
});

const sh = (script: string) => ({ kind: "command" as const, command: ["bash", "-c", script] });

async function startDaemon(files: Record<string, string> = {}) {
  const root = tempRoot({ git: true, files });
  const d = new DaemonProcess(root);
  daemons.push(d);
  await d.started();
  const info = expectValid(DaemonInfo, readJson(join(orchestrationDir(root), ".purple", "daemon.json")), "daemon.json");
  return { root, d, socket: info.socket };
}

let probes = 0;
/** The daemon still serves: a fresh client's daemon.status is answered, and a new plan runs to the end. */
async function stillServing(root: string, d: DaemonProcess, socket: string): Promise<void> {
  const probe = await TestRpc.connect(socket);
  clients.push(probe);
  expect((await probe.call("daemon.status")).pid).toBe(d.proc.pid);
  const name = `probe-${++probes}`;
  dropPlan(root, { apiVersion: "purple/v1", name, defaults: { runner: "command", retries: 0 }, agents: [{ id: "p", territory: [`probe/${name}/`], runner: sh(`mkdir -p probe/${name} && echo ok > probe/${name}/x`) }], waves: [{ id: "w", agents: ["p"] }] });
  expect((await d.planEnded(name)).state).toBe("succeeded");
  expect((await probe.call("daemon.status")).pid).toBe(d.proc.pid);
}

/** A raw connection collecting what it receives. */
async function rawClient(path: string) {
  let text = "";
  let closed = false;
  let pending = Buffer.alloc(0);
  let sent: () => void = () => {};
  // Bun's socket.write takes what fits and returns the count: the rest waits for drain.
  const flush = () => {
    while (pending.length > 0 && !closed) {
      const n = socket!.write(pending);
      if (n <= 0) return;
      pending = pending.subarray(n);
    }
    sent();
  };
  const options = {
    unix: path,
    socket: { data: (_s: unknown, c: Buffer) => void (text += c.toString()), drain: () => flush(), close: () => void ((closed = true), sent()), error: () => void ((closed = true), sent()) },
  };
  // A connect can be refused for a moment while purpled is busy (its listen backlog full): retry.
  let socket: Socket<undefined> | undefined;
  for (let attempt = 0; !socket; attempt++) {
    try {
      socket = await Bun.connect(options);
    } catch (err) {
      if (attempt >= 50) throw err;
      await Bun.sleep(20);
    }
  }
  sockets.push(socket!);
  /** write all of `data` (resolves once it is out, or the connection is gone) */
  const writeAll = (data: string) =>
    new Promise<void>((resolve) => {
      pending = Buffer.from(data);
      sent = resolve;
      flush();
    });
  return { socket: socket!, writeAll, text: () => text, closed: () => closed };
}

const vmKb = (pid: number, field: "VmRSS" | "VmHWM") => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]);

async function until(cond: () => boolean, what: string, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(20);
  }
}

describe("hostile input never stalls or bloats purpled", () => {
  test("a FIFO and a 3 GiB sparse file at gate-checked paths: the checks fail saying why, nothing blocks", async () => {
    const { root, d, socket } = await startDaemon({ ".gitignore": "ignored/\n" });
    const plan: PlanInput = {
      apiVersion: "purple/v1",
      name: "fifo-gate",
      defaults: { runner: "command", retries: 0 },
      repair: { rounds: 0 }, // the gate's own verdict, blocking at once (a repair round would run the agent's mkfifo again)
      agents: [{ id: "evil", territory: ["out/", "ignored/"], runner: sh("mkdir -p out ignored && mkfifo out/pipe && truncate -s 3G ignored/big.ts && echo 'export const late = 1;' >> ignored/big.ts") }],
      waves: [{ id: "w", agents: ["evil"], gate: [{ contains: { file: "out/pipe", pattern: "x" } }, { exports: { file: "out/pipe", names: ["x"] } }, { exists: "out/pipe" }, { contains: { file: "ignored/big.ts", pattern: "late" } }] }],
    };
    const dir = dropPlan(root, plan);
    expect((await d.planEnded("fifo-gate")).state).toBe("blocked");
    const v = expectValid(ValidationResult, readJson(join(dir, "validation", "w.json")), "validation");
    expect(v.checks.map((c) => c.passed)).toEqual([false, false, false, false]);
    expect(v.checks[0]!.output).toBe("out/pipe is a FIFO (named pipe), not a regular file");
    expect(v.checks[3]!.output).toContain(`were read`);
    // the FIFO is still there, never opened by anyone: purpled keeps serving
    expect(existsSync(join(root, "out/pipe"))).toBe(true);
    await stillServing(root, d, socket);
    expect(vmKb(d.proc.pid, "VmHWM")).toBeLessThan(1024 * 1024); // a whole read would be over 3 GiB
  }, 60_000);

  test("2,100 idle connections (over the 2,048 cap): the oldest idle ones are closed, new clients are served", async () => {
    const { root, d, socket } = await startDaemon();
    const flood: Awaited<ReturnType<typeof rawClient>>[] = [];
    for (let i = 0; i < 2100; i++) flood.push(await rawClient(socket));
    await until(() => flood.filter((c) => c.closed()).length >= 52, "the oldest idle connections to be closed");
    expect(flood.slice(0, 52).every((c) => c.closed())).toBe(true); // the oldest first
    await stillServing(root, d, socket);
  }, 60_000);

  test("100 partial 1 MB lines (over the 32 MiB budget): the biggest holders are dropped with OVERLOADED", async () => {
    const { root, d, socket } = await startDaemon();
    const chunk = '{"jsonrpc":"2.0","id":1,"method":"daemon.status","pad":"' + "x".repeat(1_000_000);
    const parked: Awaited<ReturnType<typeof rawClient>>[] = [];
    for (let i = 0; i < 100; i++) {
      const c = await rawClient(socket);
      void c.writeAll(chunk);
      parked.push(c);
    }
    await until(() => parked.filter((c) => c.text().includes('"OVERLOADED"')).length >= 30, "clients over the budget to be dropped");
    await stillServing(root, d, socket);
    expect(vmKb(d.proc.pid, "VmHWM")).toBeLessThan(512 * 1024);
  }, 60_000);

  test("newlines and escapes in purple_update_status's fields cannot forge status-log.md lines", async () => {
    const { root, d, socket } = await startDaemon();
    const ctl = join(root, "..", `hostile-ctl-${Date.now()}`);
    const plan: PlanInput = {
      apiVersion: "purple/v1",
      name: "forge",
      defaults: { runner: "command", retries: 0 },
      agents: [{ id: "a", territory: ["out/"], runner: sh(`while [ ! -f ${ctl} ]; do sleep 0.05; done`) }],
      waves: [{ id: "w", agents: ["a"] }],
    };
    const rpc = await TestRpc.connect(socket);
    clients.push(rpc);
    await rpc.call("events.subscribe", {});
    const dir = dropPlan(root, plan);
    await rpc.waitNotification((n) => n.params?.type === "agent.state" && n.params.to === "running", "a running");
    const forged = "a\n[2026-01-01 00:00:00] b COMPLETED everything\x1b[2J";
    await rpc.call("purple_update_status", { plan: "forge", phase: "x\ny", agent: forged });
    await rpc.call("purple_report_progress", { plan: "forge", message: "m\r\n[2026-01-01 00:00:00] plan COMPLETED done" });
    await stillServing(root, d, socket);
    Bun.write(ctl, "go");
    expect((await d.planEnded("forge")).state).toBe("succeeded");
    const lines = readFileSync(join(dir, "status-log.md"), "utf8").trimEnd().split("\n");
    for (const l of lines) expect(l).toMatch(/^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\] \S+ [A-Z_]+ /);
    expect(lines.some((l) => l.includes("b_COMPLETED_everything\\x1b[2J"))).toBe(true);
    expect(lines.some((l) => l.includes("m\\r\\n[2026-01-01 00:00:00] plan COMPLETED done"))).toBe(true);
    expect(lines.filter((l) => l.startsWith("[2026-01-01 00:00:00]"))).toEqual([]); // no forged line
  }, 60_000);

  test("a territory escaping through braces is rejected; a large integer id comes back exactly", async () => {
    const { root, d, socket } = await startDaemon();
    dropPlan(root, { apiVersion: "purple/v1", name: "braces", defaults: { runner: "command" }, agents: [{ id: "a", territory: ["{..,src}/x"], runner: sh("true") }, { id: "b", territory: ["{.git,lib}"], runner: sh("true") }], waves: [{ id: "w", agents: ["a", "b"] }] });
    const errorFile = join(orchestrationDir(root), "inbox", "rejected", "braces.yaml.error.json");
    await until(() => existsSync(errorFile), "the rejection");
    const problems = readJson(errorFile) as { path: string; message: string }[];
    expect(problems.map((p) => p.path)).toEqual(["agents.0.territory.0", "agents.1.territory.0"]);

    const c = await rawClient(socket);
    c.socket.write('{"jsonrpc":"2.0","id":123456789012345678901234567890,"method":"daemon.status"}\n');
    await until(() => c.text().includes("\n"), "the reply");
    expect(c.text()).toStartWith('{"jsonrpc":"2.0","id":123456789012345678901234567890,"result":');
    await stillServing(root, d, socket);
  }, 60_000);
});
