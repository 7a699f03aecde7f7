// Control channel benchmark: a ControlServer answering daemon.status from memory, and round trips
// over ONE connection, sequential (one request, wait for its answer, the next) and pipelined
// (16 in flight):
//  1. client in this process (how BUN-NOTES measured Bun's ~75k/s): the target, ≥ 50,000/s sequential;
//  2. client in a child process, as purplectl is: bounded by the kernel waking two processes per
//     round trip, so a bare Bun echo server over the same kind of socket is measured beside it.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { silentLogger } from "../lib/logger.ts";
import { PROTOCOL_VERSION, type DaemonStatusResult } from "../protocol/rpc.ts";
import { ControlServer, type RpcHandler } from "../daemon/control/server.ts";

const REQUESTS = Number(process.env.BENCH_RPC_REQUESTS ?? 100_000);
const DEPTH = 16;
const TARGET = 50_000;

interface Figures { sequential: number; pipelined: number }

if (process.argv[2] === "--client") {
  const path = process.argv[3]!;
  const figures: Figures = { sequential: await measure(path, 1), pipelined: process.argv[4] === "--sequential-only" ? 0 : await measure(path, DEPTH) };
  process.stdout.write(JSON.stringify(figures));
} else {
  await main();
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "purple-bench-rpc-"));
  const started = performance.now();
  const status: DaemonStatusResult = { version: "bench", protocol: PROTOCOL_VERSION, pid: process.pid, root: dir, uptimeMs: 0, degraded: false, draining: false, plans: [] };
  const handler: RpcHandler = {
    call: (method) => {
      if (method !== "daemon.status") throw new Error(`bench handler: ${method}`);
      status.uptimeMs = performance.now() - started;
      return status as never;
    },
    subscribe: () => () => {},
    isDraining: () => false,
  };
  const server = await ControlServer.listen(join(dir, "purpled.sock"), handler, { logger: silentLogger() });
  const echo = Bun.listen({ unix: join(dir, "echo.sock"), socket: { data: (s) => void s.write('{"jsonrpc":"2.0","id":1,"result":{}}\n') } });
  try {
    const local: Figures = { sequential: await measure(server.path, 1), pipelined: await measure(server.path, DEPTH) };
    const remote = await inChild(server.path);
    const bare = await inChild(echo.unix, true);
    console.log(`rpc: ${fmt(local.sequential)} round trips/s over one connection (sequential, ${fmt(REQUESTS)} requests), ${fmt(local.pipelined)}/s pipelined ${DEPTH}`);
    console.log(`rpc: from another process ${fmt(remote.sequential)}/s sequential, ${fmt(remote.pipelined)}/s pipelined ${DEPTH} (a bare Bun echo server: ${fmt(bare.sequential)}/s sequential)`);
    console.log(`rpc: target ≥ ${fmt(TARGET)}/s sequential: ${local.sequential >= TARGET ? "met" : "MISSED"}`);
    if (local.sequential < TARGET) process.exitCode = 1;
  } finally {
    echo.stop(true);
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Run the client side in a child process and read its figures. */
async function inChild(path: string, sequentialOnly = false): Promise<Figures> {
  const child = Bun.spawn([process.execPath, import.meta.path, "--client", path, ...(sequentialOnly ? ["--sequential-only"] : [])], { stdout: "pipe", stderr: "inherit" });
  const out = await new Response(child.stdout).text();
  if ((await child.exited) !== 0) throw new Error("bench client failed");
  return JSON.parse(out) as Figures;
}

/** Round trips per second over one fresh connection, `depth` requests in flight (after a warm-up). */
async function measure(path: string, depth: number): Promise<number> {
  let onAnswer: () => void = () => {};
  let partial = "";
  const socket = await Bun.connect({
    unix: path,
    socket: {
      data(_s, chunk) {
        const text = partial + chunk.toString();
        let start = 0;
        for (let nl = text.indexOf("\n"); nl !== -1; nl = text.indexOf("\n", start)) {
          const result = text.indexOf('"result":', start);
          if (result === -1 || result > nl) throw new Error(`bench: not a result: ${text.slice(start, nl)}`);
          start = nl + 1;
          onAnswer();
        }
        partial = text.slice(start);
      },
    },
  });
  const request = (id: number) => `{"jsonrpc":"2.0","id":${id},"method":"daemon.status"}\n`;
  const run = (count: number) =>
    new Promise<number>((resolve) => {
      let sent = 0, answered = 0;
      const t0 = performance.now();
      onAnswer = () => {
        if (++answered === count) return resolve(count / ((performance.now() - t0) / 1000));
        if (sent < count) socket.write(request(++sent));
      };
      let batch = "";
      while (sent < Math.min(depth, count)) batch += request(++sent);
      socket.write(batch);
    });
  await run(Math.min(10_000, REQUESTS)); // warm up both sides
  const rate = await run(REQUESTS);
  socket.end();
  return rate;
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}
