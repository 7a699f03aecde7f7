// RELIABILITY 9–13 (single instance and control socket) against the real purpled. What other files
// already cover is named here rather than repeated:
//   9   control.integration "two daemons … 20 times" (kept; the 50-round version is below)
//   10  control.integration "a stale socket and lock left by kill -9 …"; control-server-bind
//       "a stale socket … rebound", "a regular file, a directory or a symlink at the path is refused"
//   11  control.integration "the socket is 0600 in a 0700 directory"; control-server-bind "… 0700 … 0600"
//   12  control-server "a 10 MB request line …", "invalid JSON gets PARSE_ERROR …", "an idle half-open
//       client is closed after the idle timeout …" (fake handler, short idle timeout)
//   13  control.integration "1,000 concurrent daemon.status requests to the real daemon: zero failures"
import { afterEach, describe, expect, test } from "bun:test";
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { Socket } from "bun";
import { DaemonInfo, defaultSocketPath } from "../protocol/index.ts";
import { DaemonProcess, orchestrationDir, tempRoot } from "./support/daemon.ts";
import { expectValid, readJson } from "./support/files.ts";
import { TestRpc } from "./support/rpc.ts";

const daemons: DaemonProcess[] = [];
const clients: { close(): void }[] = [];
const temps: string[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const d of daemons.splice(0)) if (d.proc.exitCode === null) await d.stop("SIGKILL");
  for (const t of temps.splice(0)) rmSync(t, { recursive: true, force: true });
});

function spawnDaemon(root: string, args: string[] = []): DaemonProcess {
  const d = new DaemonProcess(root, args);
  daemons.push(d);
  return d;
}

async function startDaemon(root: string): Promise<{ d: DaemonProcess; rpc: TestRpc; info: DaemonInfo }> {
  const d = spawnDaemon(root);
  await d.started();
  const info = expectValid(DaemonInfo, readJson(join(orchestrationDir(root), ".purple", "daemon.json")), "daemon.json");
  const rpc = await TestRpc.connect(info.socket);
  clients.push(rpc);
  return { d, rpc, info };
}

function scratch(): string {
  const root = tempRoot();
  temps.push(root);
  return root;
}

/** Resolves with `p`, or rejects naming `what` after `ms`. */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer!: ReturnType<typeof setTimeout>;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms)));
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** A raw line client: writes whatever it is given, collects the replies, tells when the daemon closed it. */
async function rawClient(path: string) {
  const replies: any[] = [];
  let partial = "";
  let wake: (() => void)[] = [];
  let closedFlag = false;
  const closed = Promise.withResolvers<void>();
  let drained = Promise.withResolvers<void>();
  const socket: Socket<undefined> = await Bun.connect({
    unix: path,
    socket: {
      data(_s, chunk) {
        partial += chunk.toString();
        for (let nl = partial.indexOf("\n"); nl !== -1; nl = partial.indexOf("\n")) {
          replies.push(JSON.parse(partial.slice(0, nl)));
          partial = partial.slice(nl + 1);
        }
        for (const f of wake.splice(0)) f();
      },
      drain() {
        drained.resolve();
        drained = Promise.withResolvers<void>();
      },
      close() {
        closedFlag = true;
        closed.resolve();
        drained.resolve();
        for (const f of wake.splice(0)) f();
      },
    },
  });
  const client = {
    socket,
    replies,
    closed: closed.promise,
    get isClosed() {
      return closedFlag;
    },
    drained: () => drained.promise,
    /** the next reply, taken off the list */
    next(what: string, ms = 5000): Promise<any> {
      return within(
        new Promise<any>((resolve, reject) => {
          const look = () => {
            if (replies.length) return resolve(replies.shift());
            if (closedFlag) return reject(new Error(`the connection closed before ${what}`));
            wake.push(look);
          };
          look();
        }),
        ms,
        what,
      );
    },
    close: () => socket.end(),
  };
  clients.push(client);
  return client;
}

describe("RELIABILITY 9: one daemon per root", () => {
  test("two daemons started on one root at the same moment, 50 times: exactly one wins; the other exits non-zero naming the winner's pid and never removes the live socket", async () => {
    for (let round = 0; round < 50; round++) {
      const root = scratch();
      const pair = [spawnDaemon(root), spawnDaemon(root)];
      const outcome = await Promise.all(pair.map((d) => Promise.race([d.started().then(() => "won" as const), d.exited.then(() => "lost" as const)])));
      if (outcome.filter((o) => o === "won").length !== 1)
        throw new Error(`round ${round}: ${outcome.join(", ")}\n${pair.map((d) => d.stderrText.join("\n")).join("\n---\n")}`);
      const winner = pair[outcome.indexOf("won")]!;
      const loser = pair[outcome.indexOf("lost")]!;
      const socket = String((await winner.started()).socket);
      const inode = lstatSync(socket).ino;

      expect(await loser.exited).not.toBe(0);
      expect(loser.stderrText.join("\n")).toContain(`pid ${winner.proc.pid}`);
      // the loser is gone and the winner's socket is the same file, still answering
      expect(lstatSync(socket).isSocket()).toBe(true);
      expect(lstatSync(socket).ino).toBe(inode);
      const rpc = await TestRpc.connect(socket);
      expect((await rpc.call("daemon.status")).pid).toBe(winner.proc.pid);
      rpc.close();
      const purple = join(orchestrationDir(root), ".purple");
      expect(readFileSync(join(purple, "lock"), "utf8").trim()).toBe(String(winner.proc.pid));
      expect(expectValid(DaemonInfo, readJson(join(purple, "daemon.json")), "daemon.json").pid).toBe(winner.proc.pid);
      expect(await winner.stop()).toBe(0);
      daemons.splice(0);
      rmSync(root, { recursive: true, force: true });
    }
  }, 60_000);
});

describe("RELIABILITY 10–11: what is at the socket path, and its modes", () => {
  test("a regular file, a directory or a symlink at the socket path: purpled refuses to start, names it, leaves it alone and frees the root", async () => {
    const root = scratch();
    const socket = defaultSocketPath(root);
    mkdirSync(dirname(socket), { recursive: true, mode: 0o700 });
    const outside = join(scratch(), "victim.txt");
    writeFileSync(outside, "untouched\n");
    const obstacles: [string, () => void, () => void][] = [
      ["a regular file", () => writeFileSync(socket, "keep me\n"), () => expect(readFileSync(socket, "utf8")).toBe("keep me\n")],
      ["a directory", () => mkdirSync(socket), () => expect(statSync(socket).isDirectory()).toBe(true)],
      ["a symbolic link", () => symlinkSync(outside, socket), () => expect(readlinkSync(socket)).toBe(outside)],
    ];
    for (const [what, place, unchanged] of obstacles) {
      place();
      const d = spawnDaemon(root);
      expect(await within(d.exited, 20_000, `purpled to refuse ${what}`)).not.toBe(0);
      const log = d.stderrText.join("\n");
      expect(log).toContain(socket);
      expect(log).toContain(`is ${what}, not a socket`);
      unchanged();
      expect(readFileSync(outside, "utf8")).toBe("untouched\n");
      rmSync(socket, { recursive: true });
    }
    // the refusals released the lock: a daemon starts on the freed path
    const { d, rpc } = await startDaemon(root);
    expect((await rpc.call("daemon.status")).pid).toBe(d.proc.pid);
  }, 60_000);

  test("started under umask 000, purpled's socket is never seen with more than 0600, in a 0700 directory", async () => {
    const root = scratch();
    const socket = defaultSocketPath(root);
    const previous = process.umask(0);
    let d: DaemonProcess;
    try {
      d = spawnDaemon(root); // the child inherits umask 000
    } finally {
      process.umask(previous);
    }
    let up = false;
    void d.started().then(() => (up = true));
    const dir = dirname(socket);
    const seen = new Map<string, number>(); // the directory and every socket that appeared in it → widest mode
    const widen = (key: string, path: string) => {
      try {
        seen.set(key, (seen.get(key) ?? 0) | (lstatSync(path).mode & 0o777));
      } catch {} // not there yet, or a temporary name gone between two looks
    };
    const deadline = Date.now() + 20_000;
    while (!up && Date.now() < deadline) {
      widen("the directory", dir);
      const sockets = (() => {
        try {
          return readdirSync(dir, { withFileTypes: true }).filter((e) => e.isSocket());
        } catch {
          return [];
        }
      })();
      for (const e of sockets) widen(e.name, join(dir, e.name));
      await Bun.sleep(1); // sampling the directory while purpled binds
    }
    await d.started();
    widen("the directory", dir);
    widen("purpled.sock", socket);
    expect(seen.get("the directory")).toBe(0o700);
    expect(seen.has("purpled.sock")).toBe(true);
    for (const [name, mode] of seen) if (name !== "the directory") expect(`${name} ${mode.toString(8)}`).toBe(`${name} 600`);
  }, 30_000);
});

describe("RELIABILITY 12: bad clients of the real daemon", () => {
  test("a 10 MB request line, invalid JSON, a half-closed and an idle half-open client: each gets an error or is closed, and another client keeps being served", async () => {
    const { d, rpc: other, info } = await startDaemon(scratch());
    const served = async () => expect((await other.call("daemon.status")).pid).toBe(d.proc.pid);

    // invalid JSON: an error, and the connection stays usable
    const garbled = await rawClient(info.socket);
    garbled.socket.write("{not json\n");
    expect(await garbled.next("the parse error")).toMatchObject({ id: null, error: { code: -32700, data: { code: "PARSE_ERROR" } } });
    garbled.socket.write('{"jsonrpc":"2.0","id":7,"method":"daemon.status"}\n');
    expect(await garbled.next("the status after the parse error")).toMatchObject({ id: 7, result: { pid: d.proc.pid } });
    await served();

    // half a request, then the client half-closes: nothing to answer, the daemon closes it
    const halfClosed = await rawClient(info.socket);
    halfClosed.socket.write('{"jsonrpc":"2.0","id":1,"method":');
    halfClosed.socket.shutdown();
    await within(halfClosed.closed, 5000, "the daemon to close the half-closed connection");
    await served();

    // half a request, then silence: it holds nothing up (the idle timeout closing it is control-server's test)
    const idle = await rawClient(info.socket);
    idle.socket.write('{"jsonrpc":"2.0","id":1,"method":');

    // a 10 MB line: refused with REQUEST_TOO_LARGE and closed, while the other client is served meanwhile
    const flood = await rawClient(info.socket);
    const chunk = Buffer.alloc(64 * 1024, "x");
    let sent = 0;
    const pump = async () => {
      flood.socket.write('{"jsonrpc":"2.0","id":1,"method":"daemon.status","params":{"pad":"');
      while (sent < 10 * 1024 * 1024 && !flood.isClosed) {
        const n = flood.socket.write(chunk);
        if (n < 0) return;
        sent += n;
        if (n < chunk.length) await flood.drained();
      }
    };
    const flooding = pump();
    for (let i = 0; i < 50; i++) await served();
    expect(await flood.next("the size refusal", 10_000)).toMatchObject({ id: null, error: { code: -32005, data: { code: "REQUEST_TOO_LARGE" } } });
    await within(flood.closed, 10_000, "the flooding connection to close");
    await flooding;
    expect(sent).toBeLessThan(10 * 1024 * 1024);

    await served();
    expect(idle.isClosed).toBe(false);
    expect(idle.replies).toEqual([]);
    expect(d.proc.exitCode).toBeNull();
  }, 30_000);
});
