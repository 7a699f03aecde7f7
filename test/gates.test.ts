// Gate checks (daemon/gates/checks.ts) on a temp directory: each kind passes and fails for the right reason.
import { expect, test } from "bun:test";
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Plan } from "../protocol/index.ts";
import { exportsName, runChecks } from "../daemon/gates/checks.ts";
import { MAX_CHECK_BYTES } from "../daemon/gates/target-file.ts";
import { testPattern } from "../daemon/gates/pattern-test.ts";
import { baseEnv } from "../daemon/process/env.ts";

const root = mkdtempSync(join(tmpdir(), "purple-gates-"));
mkdirSync(join(root, "src"));
writeFileSync(join(root, "src", "routes.ts"), "export interface ProjectRoute { id: string }\nexport const load = () => 1;\n");
symlinkSync("/etc", join(root, "escape"));
const plan = Plan.parse({
  apiVersion: "purple/v1",
  name: "g",
  agents: [{ id: "a" }],
  waves: [{ id: "w", agents: ["a"] }],
  contracts: [{ id: "routes", owner: "a", checks: [{ exports: { file: "src/routes.ts", names: ["ProjectRoute"] } }] }],
});
const ctx = { root, plan, env: baseEnv(), defaultTimeoutMs: 10_000, graceMs: 200 };

test("run, exists, contains, exports and contract checks pass", async () => {
  const r = await runChecks(
    [{ run: "echo hello && test -d src" }, { exists: "src/routes.ts" }, { contains: { file: "src/routes.ts", pattern: "ProjectRoute \\{" } }, { exports: { file: "src/routes.ts", names: ["ProjectRoute", "load"] } }, { contract: "routes" }],
    ctx,
  );
  expect(r.results.map((c) => [c.kind, c.passed])).toEqual([["run", true], ["exists", true], ["contains", true], ["exports", true], ["contract", true]]);
  expect(r.results[0]!.output).toBe("hello");
  expect(r.passed).toBe(true);
});

test("each failure says why, and every check still runs", async () => {
  const r = await runChecks(
    [{ run: "echo broken >&2; exit 3" }, { exists: "nope.txt" }, { contains: { file: "src/routes.ts", pattern: "absent" } }, { exports: { file: "src/routes.ts", names: ["Missing"] } }, { manual: "Design review" }],
    ctx,
  );
  expect(r.passed).toBe(false);
  expect(r.results.map((c) => c.passed)).toEqual([false, false, false, false, false]);
  expect(r.results[0]!.exitCode).toBe(3);
  expect(r.results[0]!.output).toContain("broken");
  expect(r.results[3]!.output).toContain("Missing");
  expect(r.results[4]!.output).toContain("approve");
});

test("a run check past its timeout is stopped and fails", async () => {
  const r = await runChecks([{ run: { command: "sleep 30", timeout: "300ms" } }], ctx);
  expect(r.passed).toBe(false);
  expect(r.results[0]!.output).toContain("timed out");
  expect(r.results[0]!.durationMs).toBeLessThan(5_000);
});

test("paths outside the root are refused", async () => {
  const r = await runChecks([{ exists: "../etc/passwd" }, { contains: { file: "escape/passwd", pattern: "root" } }], ctx);
  expect(r.results.map((c) => c.passed)).toEqual([false, false]);
  expect(r.results[1]!.output).toContain("outside");
});

test("exportsName recognises declarations, lists and defaults", () => {
  expect(exportsName("export async function go() {}", "go")).toBe(true);
  expect(exportsName("export { a, b as c }", "c")).toBe(true);
  expect(exportsName("export default Thing;", "Thing")).toBe(true);
  expect(exportsName("const Thing = 1;", "Thing")).toBe(false);
  expect(exportsName("export const Thingy = 1;", "Thing")).toBe(false);
});

test("special files fail saying what they are; a FIFO never blocks (issue 14)", async () => {
  const dir = join(root, "special");
  mkdirSync(dir);
  expect(Bun.spawnSync(["mkfifo", join(dir, "pipe")]).exitCode).toBe(0);
  symlinkSync("/dev/zero", join(dir, "zero"));
  const r = await runChecks(
    [
      { contains: { file: "special/pipe", pattern: "x" } },
      { exports: { file: "special/pipe", names: ["x"] } },
      { exists: "special/pipe" },
      { contains: { file: "src", pattern: "x" } },
      { exists: "src" },
    ],
    ctx,
  );
  expect(r.results.map((c) => c.passed)).toEqual([false, false, false, false, true]);
  expect(r.results[0]!.output).toBe("special/pipe is a FIFO (named pipe), not a regular file");
  expect(r.results[1]!.output).toContain("FIFO");
  expect(r.results[2]!.output).toContain("FIFO");
  expect(r.results[3]!.output).toBe("src is a directory, not a regular file");
  // /dev/zero through a link resolves outside the root; the device is never read
  const z = await runChecks([{ contains: { file: "special/zero", pattern: "x" } }], ctx);
  expect(z.results[0]!.output).toContain("outside the project root");
});

test("a huge sparse file is read only up to the cap, and the check says so", async () => {
  const file = join(root, "src", "sparse.ts");
  writeFileSync(file, "export const head = 1;\n");
  truncateSync(file, 3 * 1024 ** 3); // 3 GiB, almost all holes
  appendFileSync(file, "export const tail = 1;\n");
  const r = await runChecks([{ exports: { file: "src/sparse.ts", names: ["head"] } }, { contains: { file: "src/sparse.ts", pattern: "tail" } }], ctx);
  expect(r.results[0]!.passed).toBe(true);
  expect(r.results[0]!.output).toContain(`only the first ${MAX_CHECK_BYTES} of its ${3 * 1024 ** 3 + 23} bytes were read`);
  expect(r.results[1]!.passed).toBe(false); // beyond the cap: not seen
  rmSync(file);
});

test("exportsName stays linear on text full of unclosed export lists", () => {
  const text = "export { a, ".repeat(200_000) + "x";
  expect(exportsName(text, "zzz")).toBe(false);
  expect(exportsName("export { a, " + "b, ".repeat(100_000) + "zzz }", "zzz")).toBe(true);
});

test("a backtracking contains pattern runs off the event loop and is stopped at its time limit", async () => {
  writeFileSync(join(root, "src", "aaa.txt"), "a".repeat(40) + "b");
  let ticks = 0;
  const timer = setInterval(() => ticks++, 5);
  const r = await testPattern("^(a+)+$", readFileSync(join(root, "src", "aaa.txt"), "utf8"), 300);
  clearInterval(timer);
  expect(r).toEqual({ kind: "timeout" });
  expect(ticks).toBeGreaterThan(5); // the loop kept turning meanwhile
  expect(await testPattern("a{40}b", "x" + "a".repeat(40) + "b")).toEqual({ kind: "done", found: true });
  expect(await testPattern("(unclosed", "text (unclosed here")).toEqual({ kind: "done", found: true }); // literal fallback
});
