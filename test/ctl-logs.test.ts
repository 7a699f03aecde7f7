// purplectl logs: the plan's status log or an agent's output, read from O/<plan>/; -f follows
// appended lines (awaited on the child's output, never by fixed sleeps).
import { expect, test } from "bun:test";
import { appendFileSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BUN, cleanEnv, ctl, CTL, fakeProject, LineWaiter } from "./ctl-fake-daemon.ts";

function project() {
  const { root } = fakeProject();
  const plan = join(root, ".context-kit", "orchestration", "alpha");
  mkdirSync(join(plan, "agents", "a"), { recursive: true });
  writeFileSync(join(plan, "status-log.md"), "[2026-01-01 10:00:00] a STARTED attempt 1\n");
  writeFileSync(join(plan, "agents", "a", "output.log"), "hello from a\n");
  return { root, plan };
}

test("logs PLAN prints the status log, logs PLAN AGENT the agent's output; missing ones exit 1", async () => {
  const { root } = project();
  expect(await ctl(["logs", "alpha"], { cwd: root })).toEqual({ code: 0, out: "[2026-01-01 10:00:00] a STARTED attempt 1\n", err: "" });
  expect((await ctl(["logs", "alpha", "a"], { cwd: root })).out).toBe("hello from a\n");
  const ghost = await ctl(["logs", "alpha", "ghost"], { cwd: root });
  expect(ghost.code).toBe(1);
  expect(ghost.err).toContain("agent ghost of alpha has no output yet");
  const none = await ctl(["logs", "beta"], { cwd: root });
  expect(none.code).toBe(1);
  expect(none.err).toContain("no plan beta");
  expect((await ctl(["logs", "alpha", "../../etc"], { cwd: root })).code).toBe(2);
});

test("logs -f prints what is there, then each appended line, until interrupted", async () => {
  const { root, plan } = project();
  const proc = Bun.spawn([BUN, CTL, "logs", "alpha", "a", "-f"], { cwd: root, env: cleanEnv(), stdout: "pipe", stderr: "pipe" });
  const out = new LineWaiter(proc.stdout);
  await out.waitFor("hello from a\n");
  appendFileSync(join(plan, "agents", "a", "output.log"), "second line\n");
  await out.waitFor("second line\n");
  appendFileSync(join(plan, "agents", "a", "output.log"), "third ");
  appendFileSync(join(plan, "agents", "a", "output.log"), "line\n");
  await out.waitFor("third line\n");
  proc.kill("SIGINT");
  expect(await proc.exited).toBe(0);
  expect(out.text).toBe("hello from a\nsecond line\nthird line\n");
});

test("logs -f waits for an agent's output that does not exist yet", async () => {
  const { root, plan } = project();
  const proc = Bun.spawn([BUN, CTL, "--root", root, "logs", "alpha", "late", "-f"], { cwd: "/", env: cleanEnv(), stdout: "pipe", stderr: "pipe" });
  const out = new LineWaiter(proc.stdout);
  await new LineWaiter(proc.stderr).waitFor("to appear");
  mkdirSync(join(plan, "agents", "late"), { recursive: true });
  writeFileSync(join(plan, "agents", "late", "output.log"), "finally started\n");
  await out.waitFor("finally started\n");
  proc.kill("SIGTERM");
  expect(await proc.exited).toBe(0);
});

test("logs strips terminal escape sequences an agent wrote, keeping lines and tabs (issue 14)", async () => {
  const { root, plan } = project();
  const hostile = "ok\tline\n\x1b]0;pwned title\x07\x1b[2J\x1b[31mred\x1b[0m\rover\x00\x9b6n\x1bcend\n";
  writeFileSync(join(plan, "agents", "a", "output.log"), hostile);
  const r = await ctl(["logs", "alpha", "a"], { cwd: root });
  expect(r.code).toBe(0);
  expect(r.out).toBe("ok\tline\nred\nover\\x00end\n");
  expect(r.out).not.toContain("\x1b");
});

test("logs of a huge file prints only its tail, saying how much was left out", async () => {
  const { root, plan } = project();
  const file = join(plan, "agents", "a", "output.log");
  writeFileSync(file, "");
  const line = "x".repeat(99) + "\n";
  const block = line.repeat(10_000); // 1,000,000 bytes
  for (let i = 0; i < 5; i++) appendFileSync(file, block);
  appendFileSync(file, "the very end\n");
  const r = await ctl(["logs", "alpha", "a"], { cwd: root });
  expect(r.code).toBe(0);
  expect(r.out.endsWith("the very end\n")).toBe(true);
  expect(r.out.length).toBeLessThanOrEqual(1024 * 1024);
  expect(r.out.startsWith(line)).toBe(true); // cut at a line start
  expect(r.err).toMatch(/\(the first \d+ bytes of .*output\.log are not shown; the last 1048576 follow\)/);
});
