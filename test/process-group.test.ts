// Process groups: a whole tree goes at terminate() and when its leader exits; spawn failures are exits.
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { groupAlive, killGroup, spawnGroup, tailBuffer } from "../daemon/process/group.ts";
import { baseEnv } from "../daemon/process/env.ts";

const dir = mkdtempSync(join(tmpdir(), "purple-pg-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const env = { PATH: process.env.PATH ?? "/usr/bin:/bin" };

/** Poll `cond` until it holds or `ms` pass; returns whether it held. */
async function waitFor(cond: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (cond()) return true;
    await Bun.sleep(20);
  }
  return cond();
}

function pidGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as { code?: string }).code === "ESRCH";
  }
}

function readPids(file: string): number[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8").split("\n").filter(Boolean).map(Number);
}

// Orphaned grandchildren are reaped by pid 1, which can take a couple of seconds in containers.
const REAP_MS = 8000;

describe("spawnGroup", () => {
  test("terminate kills a tree whose members ignore SIGTERM", async () => {
    const pids = join(dir, "tree.pids");
    const script = `trap '' TERM; sleep 300 & echo $! >> "${pids}"; sleep 300 & echo $! >> "${pids}"; echo ready >> "${pids}.ready"; wait; wait`;
    const group = spawnGroup({ cmd: ["bash", "-c", script], cwd: dir, env });
    expect(group.pid).toBeGreaterThan(1);
    expect(await waitFor(() => existsSync(`${pids}.ready`), 5000)).toBe(true);
    const children = readPids(pids);
    expect(children).toHaveLength(2);
    expect(groupAlive(group.pid)).toBe(true);

    const started = Date.now();
    await group.terminate(200);
    const exit = await group.exited;
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    expect(exit.signal).toBe("SIGKILL");
    expect(groupAlive(group.pid)).toBe(false);
    expect(await waitFor(() => children.every(pidGone), REAP_MS)).toBe(true);
  }, 15_000);

  test("terminate returns as soon as a cooperative leader exits", async () => {
    const group = spawnGroup({ cmd: ["sleep", "300"], cwd: dir, env });
    const started = Date.now();
    await group.terminate(5000);
    expect(Date.now() - started).toBeLessThan(2000);
    expect((await group.exited).signal).toBe("SIGTERM");
    expect(groupAlive(group.pid)).toBe(false);
  });

  test("a background child left behind by a leader that exits normally is killed", async () => {
    const pids = join(dir, "left.pids");
    const group = spawnGroup({ cmd: ["bash", "-c", `sleep 300 & echo $! > "${pids}"; exit 0`], cwd: dir, env });
    const exit = await group.exited;
    expect(exit).toEqual({ code: 0, signal: null });
    expect(groupAlive(group.pid)).toBe(false);
    const [child] = readPids(pids);
    expect(child).toBeGreaterThan(1);
    expect(await waitFor(() => pidGone(child!), REAP_MS)).toBe(true);
  }, 15_000);

  test("a command that does not exist is an exit with a message, not a throw", async () => {
    const lines: string[] = [];
    const group = spawnGroup({ cmd: ["purple-no-such-program-xyz"], cwd: dir, env, onOutput: (c) => lines.push(c) });
    expect(group.pid).toBe(0);
    const exit = await group.exited;
    expect(exit.code).toBeNull();
    expect(exit.error).toContain("purple-no-such-program-xyz");
    expect(lines.join("")).toContain("could not start");
    await group.terminate(100); // harmless
    group.kill();
  });

  test("a missing working directory is an exit with a message, and the log says so", async () => {
    const log = join(dir, "nocwd.log");
    const group = spawnGroup({ cmd: ["true"], cwd: join(dir, "missing"), env, logFile: log });
    expect((await group.exited).error).toBeDefined();
    expect(readFileSync(log, "utf8")).toContain("could not start true");
  });

  test("stdin is delivered; output goes to the log file or the callback", async () => {
    const log = join(dir, "out.log");
    writeFileSync(log, "before\n");
    const g1 = spawnGroup({ cmd: ["bash", "-c", "cat; echo to-stderr >&2; exit 4"], cwd: dir, env, stdin: "hello\n", logFile: log });
    expect(await g1.exited).toEqual({ code: 4, signal: null });
    expect(readFileSync(log, "utf8")).toBe("before\nhello\nto-stderr\n");

    const tail = tailBuffer(1);
    const g2 = spawnGroup({ cmd: ["bash", "-c", "cat; for i in $(seq 1 500); do echo line-$i; done"], cwd: dir, env, stdin: "in\n", onOutput: (c) => tail.push(c) });
    expect((await g2.exited).code).toBe(0);
    expect(tail.text().endsWith("line-499\nline-500\n")).toBe(true);
    expect(tail.text().length).toBeLessThanOrEqual(1024);
    expect(tail.truncated).toBe(true);
  });

  test("the environment is exactly the one given", async () => {
    process.env.PURPLE_TEST_LEAK = "leaked";
    const out: string[] = [];
    const g = spawnGroup({ cmd: ["env"], cwd: dir, env: { ...env, ONLY: "this" }, onOutput: (c) => out.push(c) });
    await g.exited;
    delete process.env.PURPLE_TEST_LEAK;
    expect(out.join("")).toContain("ONLY=this");
    expect(out.join("")).not.toContain("PURPLE_TEST_LEAK");
  });
});

describe("group helpers", () => {
  test("killGroup and groupAlive refuse our own group and pid 1", () => {
    expect(killGroup(0, 0)).toBe(false);
    expect(killGroup(1, 0)).toBe(false);
    expect(groupAlive(0)).toBe(false);
    expect(killGroup(2 ** 22 + 12345, "SIGTERM")).toBe(false);
  });

  test("tailBuffer keeps the end", () => {
    const t = tailBuffer(0.01); // ~10 characters
    t.push("abc");
    expect(t.text()).toBe("abc");
    expect(t.truncated).toBe(false);
    for (let i = 0; i < 100; i++) t.push(String(i % 10));
    expect(t.text()).toBe("0123456789");
    expect(t.truncated).toBe(true);
  });

  test("baseEnv keeps only safe variables and no secret", () => {
    const env = baseEnv({ PATH: "/bin", HOME: "/h", ANTHROPIC_API_KEY: "sk-ant-x", SECRET: "y", TERM: "sk-ant-hidden" });
    expect(env).toEqual({ PATH: "/bin", HOME: "/h" });
  });
});
