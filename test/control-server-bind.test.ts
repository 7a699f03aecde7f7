// Binding the control socket (RELIABILITY 9–11): modes, a stale socket rebound, a live one and
// anything that is not a socket left alone, and close() removing only its own file.
import { afterEach, expect, test } from "bun:test";
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { silentLogger } from "../lib/logger.ts";
import { PurpleError } from "../protocol/errors.ts";
import { ControlServer, type RpcHandler } from "../daemon/control/server.ts";

const handler: RpcHandler = {
  call: (method) => ({ answeredBy: process.pid, method }) as never,
  subscribe: () => () => {},
  isDraining: () => false,
};
const listen = (path: string) => ControlServer.listen(path, handler, { logger: silentLogger() });

let dirs: string[] = [];
let servers: ControlServer[] = [];
afterEach(async () => {
  for (const s of servers) await s.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
  servers = [];
});
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "purple-bind-"));
  dirs.push(d);
  return d;
}
async function started(path: string): Promise<ControlServer> {
  const s = await listen(path);
  servers.push(s);
  return s;
}

/** One request on a fresh connection: the answer's result. */
async function ping(path: string): Promise<any> {
  const answer = Promise.withResolvers<any>();
  let text = "";
  const socket = await Bun.connect({ unix: path, socket: { data(_s, d) { text += d.toString(); if (text.includes("\n")) answer.resolve(JSON.parse(text).result); } } });
  socket.write('{"jsonrpc":"2.0","id":1,"method":"daemon.status"}\n');
  try {
    return await answer.promise;
  } finally {
    socket.end();
  }
}

async function refusal(path: string): Promise<PurpleError> {
  try {
    servers.push(await listen(path));
  } catch (err) {
    if (err instanceof PurpleError) return err;
    throw err;
  }
  throw new Error(`listen on ${path} succeeded`);
}

const mode = (p: string) => statSync(p).mode & 0o777;

test("the socket directory is created 0700 and the socket is 0600", async () => {
  const root = tempDir();
  const s = await started(join(root, "O", ".purple", "purpled.sock"));
  expect(mode(join(root, "O", ".purple"))).toBe(0o700);
  expect(mode(s.path)).toBe(0o600);
  expect(lstatSync(s.path).isSocket()).toBe(true);
  expect((await ping(s.path)).answeredBy).toBe(process.pid);
});

test("an existing .purple directory is made 0700; someone else's directory keeps its mode", async () => {
  const root = tempDir();
  mkdirSync(join(root, ".purple"), { mode: 0o755 });
  chmodSync(join(root, ".purple"), 0o755);
  await started(join(root, ".purple", "purpled.sock"));
  expect(mode(join(root, ".purple"))).toBe(0o700);
  mkdirSync(join(root, "elsewhere"));
  chmodSync(join(root, "elsewhere"), 0o755);
  const s = await started(join(root, "elsewhere", "x.sock"));
  expect(mode(join(root, "elsewhere"))).toBe(0o755);
  expect(mode(s.path)).toBe(0o600);
});

test("a socket directory that is a file, or a symlink named like purple's, is refused", async () => {
  const root = tempDir();
  writeFileSync(join(root, "notadir"), "x");
  expect(await refusal(join(root, "notadir", "purpled.sock"))).toMatchObject({ code: "IO_ERROR", message: expect.stringContaining("is a regular file, not a directory") });
  mkdirSync(join(root, "real"));
  symlinkSync(join(root, "real"), join(root, ".purple"));
  expect((await refusal(join(root, ".purple", "purpled.sock"))).message).toContain("is a symbolic link");
});

test("a stale socket left by a killed daemon is removed and rebound", async () => {
  const path = join(tempDir(), "purpled.sock");
  const child = Bun.spawn([process.execPath, "-e", `Bun.listen({ unix: ${JSON.stringify(path)}, socket: { data() {} } }); console.log("listening");`], { stdout: "pipe" });
  await child.stdout.getReader().read();
  child.kill("SIGKILL");
  await child.exited;
  expect(lstatSync(path).isSocket()).toBe(true); // SIGKILL leaves the file behind
  const s = await started(path);
  expect((await ping(s.path)).answeredBy).toBe(process.pid);
  expect(mode(path)).toBe(0o600);
});

test("a live socket: ALREADY_RUNNING, and the live one keeps working, same file", async () => {
  const path = join(tempDir(), "purpled.sock");
  const live = await started(path);
  const inode = lstatSync(path).ino;
  const err = await refusal(path);
  expect(err.code).toBe("ALREADY_RUNNING");
  expect(err.message).toContain(path);
  expect(lstatSync(path).ino).toBe(inode);
  expect((await ping(live.path)).answeredBy).toBe(process.pid);
});

test("two servers racing for one path: exactly one wins", async () => {
  const path = join(tempDir(), "purpled.sock");
  const results = await Promise.allSettled([listen(path), listen(path), listen(path)]);
  const won = results.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
  servers.push(...won);
  expect(won.length).toBe(1);
  for (const r of results) if (r.status === "rejected") expect((r.reason as PurpleError).code).toBe("ALREADY_RUNNING");
  expect((await ping(path)).answeredBy).toBe(process.pid);
});

test("a regular file, a directory or a symlink at the path is refused and left untouched", async () => {
  const dir = tempDir();
  const file = join(dir, "file.sock");
  writeFileSync(file, "keep me");
  const fileErr = await refusal(file);
  expect(fileErr).toMatchObject({ code: "IO_ERROR", message: expect.stringContaining(`${file} is a regular file, not a socket`) });
  expect(readFileSync(file, "utf8")).toBe("keep me");

  const sub = join(dir, "dir.sock");
  mkdirSync(sub);
  expect((await refusal(sub)).message).toContain(`${sub} is a directory, not a socket`);
  expect(statSync(sub).isDirectory()).toBe(true);

  const link = join(dir, "link.sock");
  symlinkSync(file, link);
  expect((await refusal(link)).message).toContain(`${link} is a symbolic link, not a socket`);
  expect(readlinkSync(link)).toBe(file);
  expect(readFileSync(file, "utf8")).toBe("keep me");
});

test("close() removes the socket file, but not a file that has replaced it", async () => {
  const dir = tempDir();
  const s = await listen(join(dir, "a.sock"));
  await s.close();
  expect(existsSync(s.path)).toBe(false);
  await s.close(); // twice is fine

  const t = await listen(join(dir, "b.sock"));
  renameSync(t.path, join(dir, "moved.sock"));
  writeFileSync(t.path, "someone else's");
  await t.close();
  expect(readFileSync(t.path, "utf8")).toBe("someone else's");
});

test("a path over the Unix socket limit is refused with a clear message", async () => {
  const err = await refusal(join(tempDir(), `${"x".repeat(120)}.sock`));
  expect(err).toMatchObject({ code: "IO_ERROR", message: expect.stringContaining("107-byte limit") });
});
