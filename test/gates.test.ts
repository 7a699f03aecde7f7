// Gate checks (daemon/gates/checks.ts) on a temp directory: each kind passes and fails for the right reason.
import { expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Plan } from "../protocol/index.ts";
import { exportsName, runChecks } from "../daemon/gates/checks.ts";
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
