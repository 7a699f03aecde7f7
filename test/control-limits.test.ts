// The control server's limits (issue 14): ids echoed exactly, the connection cap (oldest idle
// closed first, OVERLOADED when none is idle), the all-connections buffer budget, and memory given
// back once clients leave. Over a real Unix socket with a small handler; the real purpled is in
// hostile.integration.test.ts.
import { afterEach, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Socket } from "bun";
import { silentLogger } from "../lib/logger.ts";
import { PROTOCOL_VERSION } from "../protocol/rpc.ts";
import { ControlServer, type ControlServerOptions, type RpcHandler } from "../daemon/control/server.ts";
import { rawIdToken } from "../daemon/control/raw-id.ts";

const status = { version: "0", protocol: PROTOCOL_VERSION, pid: 1, root: "/r", uptimeMs: 1, degraded: false, draining: false, plans: [] };
const handler: RpcHandler = {
  call: (() => status) as RpcHandler["call"],
  subscribe: () => () => {},
  isDraining: () => false,
};

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

async function serve(opts: Partial<ControlServerOptions> = {}): Promise<ControlServer> {
  const dir = mkdtempSync(join(tmpdir(), "purple-limits-"));
  const server = await ControlServer.listen(join(dir, "s.sock"), handler, { logger: silentLogger(), ...opts });
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }), () => server.close());
  return server;
}

/** A raw client: the text it received, and a promise of its close. */
async function raw(path: string) {
  let text = "";
  const closed = Promise.withResolvers<void>();
  const waiters: (() => void)[] = [];
  const socket: Socket<undefined> = await Bun.connect({
    unix: path,
    socket: {
      data: (_s, chunk) => {
        text += chunk.toString();
        waiters.splice(0).forEach((w) => w());
      },
      close: () => closed.resolve(),
      error: () => closed.resolve(),
    },
  });
  cleanup.push(() => socket.terminate());
  const line = () =>
    new Promise<string>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no line; got ${JSON.stringify(text)}`)), 5000);
      const look = () => {
        const nl = text.indexOf("\n");
        if (nl < 0) return void waiters.push(look);
        clearTimeout(t);
        const l = text.slice(0, nl);
        text = text.slice(nl + 1);
        resolve(l);
      };
      look();
    });
  return { socket, line, closed: closed.promise, isClosed: () => Bun.peek(closed.promise) === undefined };
}

const statusLine = (id: string) => `{"jsonrpc":"2.0","id":${id},"method":"daemon.status"}\n`;

test("a numeric id comes back as the very token sent, however large", async () => {
  const server = await serve();
  const c = await raw(server.path);
  for (const id of ["123456789012345678901234567890", "1.0", "-0", "1e2", "9007199254740993", "1E+400"]) {
    c.socket.write(statusLine(id));
    expect(await c.line()).toStartWith(`{"jsonrpc":"2.0","id":${id},"result":`);
  }
  // an unknown method's error echoes it too
  c.socket.write(`{"jsonrpc":"2.0","id":123456789012345678901234567890,"method":"nope"}\n`);
  expect(await c.line()).toStartWith(`{"jsonrpc":"2.0","id":123456789012345678901234567890,"error":`);
  c.socket.write(`{"jsonrpc":"2.0","id":"abc","method":"daemon.status"}\n`);
  expect(await c.line()).toStartWith(`{"jsonrpc":"2.0","id":"abc","result":`);
});

test("rawIdToken finds the top-level id only, escaped keys and duplicates as JSON.parse reads them", () => {
  expect(rawIdToken(`{"params":{"id":5,"x":[1,"}"]},"id":  12345678901234567890 ,"method":"m"}`)).toBe("12345678901234567890");
  expect(rawIdToken(`{"\\u0069d":77777777777777777777}`)).toBe("77777777777777777777");
  expect(rawIdToken(`{"id":1,"id":2e0}`)).toBe("2e0");
  expect(rawIdToken(`{"method":"m"}`)).toBeNull();
});

test("at the connection cap the least recently active idle connection is closed for a newcomer", async () => {
  const server = await serve({ maxConnections: 3 });
  const a = await raw(server.path);
  const b = await raw(server.path);
  const c = await raw(server.path);
  b.socket.write(statusLine("1"));
  c.socket.write(statusLine("1"));
  await b.line();
  await c.line(); // a is now the least recently active
  const d = await raw(server.path);
  await a.closed;
  d.socket.write(statusLine("7"));
  expect(await d.line()).toContain('"id":7');
  expect(b.isClosed() || c.isClosed()).toBe(false);
  expect(server.load.connections).toBe(3);
});

test("at the cap with no idle connection, a newcomer is refused with OVERLOADED; the others keep being served", async () => {
  const server = await serve({ maxConnections: 2 });
  const a = await raw(server.path);
  const b = await raw(server.path);
  a.socket.write('{"jsonrpc":"2.0","id":1,"method":"daemon.sta'); // partial lines: not idle
  b.socket.write('{"jsonrpc":"2.0","id":1,"method":"daemon.sta');
  await Bun.sleep(0);
  while (server.load.bufferedBytes === 0) await Bun.sleep(5); // both partials have arrived
  const c = await raw(server.path);
  expect(JSON.parse(await c.line()).error.data.code).toBe("OVERLOADED");
  await c.closed;
  a.socket.write('tus"}\n');
  expect(await a.line()).toContain('"result"');
});

test("partial lines over the all-connections budget: the biggest holder goes, the total stays under it, and nothing is held after", async () => {
  const limit = 256 * 1024;
  const server = await serve({ maxBufferedBytes: limit });
  const chunk = "x".repeat(48 * 1024);
  const clients = await Promise.all(Array.from({ length: 12 }, () => raw(server.path)));
  const head = '{"jsonrpc":"2.0","id":1,"method":"daemon.status","pad":"';
  for (const c of clients) c.socket.write(head + chunk);
  // Settled: every client is either dropped or holds all it sent.
  const per = head.length + chunk.length;
  let maxSeen = 0;
  while (server.load.bufferedBytes !== clients.filter((c) => !c.isClosed()).length * per) {
    maxSeen = Math.max(maxSeen, server.load.bufferedBytes);
    await Bun.sleep(5);
  }
  expect(server.load.bufferedBytes).toBeLessThanOrEqual(limit);
  expect(maxSeen).toBeLessThanOrEqual(limit);
  const dropped = clients.filter((c) => c.isClosed());
  expect(dropped.length).toBeGreaterThan(0);
  // a fresh client is served meanwhile
  const fresh = await raw(server.path);
  fresh.socket.write(statusLine("5"));
  expect(await fresh.line()).toContain('"result"');
  for (const c of clients) c.socket.end();
  await Promise.all(clients.map((c) => c.closed));
  while (server.load.bufferedBytes !== 0) await Bun.sleep(5);
  expect(server.load.bufferedBytes).toBe(0);
});
