// purplectl without a daemon: validate, submit (into the inbox) and status from files, with the SPEC's exit codes.
import { expect, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import YAML from "yaml";
import { BUN, orchestrationDir, tempRoot } from "./support/daemon.ts";

const CTL = join(import.meta.dir, "..", "ctl", "main.ts");
function ctl(cwd: string, ...args: string[]) {
  const r = Bun.spawnSync([BUN, CTL, ...args], { cwd, stdout: "pipe", stderr: "pipe" });
  return { code: r.exitCode, out: r.stdout.toString(), err: r.stderr.toString() };
}

const good = { apiVersion: "purple/v1", name: "ok-plan", agents: [{ id: "a", territory: ["src/"], runner: { kind: "command", command: ["true"] } }], waves: [{ id: "w", agents: ["a"] }] };

test("validate prints the canonical YAML of a good plan and every problem of a bad one", () => {
  const root = tempRoot();
  mkdirSync(orchestrationDir(root), { recursive: true });
  writeFileSync(join(root, "good.yaml"), YAML.stringify(good));
  const ok = ctl(root, "validate", "good.yaml");
  expect(ok.code).toBe(0);
  const canonical = YAML.parse(ok.out);
  expect(canonical.maxAgents).toBe(6);
  expect(canonical.defaults.retries).toBe(1);

  writeFileSync(join(root, "bad.yaml"), YAML.stringify({ ...good, surprise: 1, agents: [{ id: "a", territory: ["../out"], dependsOn: ["ghost"] }] }));
  const bad = ctl(root, "validate", "bad.yaml");
  expect(bad.code).toBe(1);
  expect(bad.err).toContain("surprise");
  expect(bad.err).toContain("ghost");
  expect(bad.err).toContain("..");
});

test("submit checks first, then lands the plan in the inbox; status finds the root walking up", () => {
  const root = tempRoot();
  mkdirSync(join(orchestrationDir(root), "inbox"), { recursive: true });
  mkdirSync(join(root, "deep", "er"), { recursive: true });
  writeFileSync(join(root, "good.yaml"), YAML.stringify(good));
  const r = ctl(join(root, "deep", "er"), "submit", join(root, "good.yaml"));
  expect(r.code).toBe(0);
  expect(readdirSync(join(orchestrationDir(root), "inbox"))).toEqual(["ok-plan.yaml"]);
  expect(ctl(join(root, "deep"), "status").out).toContain("no plans yet");
  expect(ctl(root, "status", "nope").code).toBe(1);
});

test("usage errors exit 2; control commands without a daemon exit 3, naming the socket tried", () => {
  const root = tempRoot();
  expect(ctl(root, "frobnicate").code).toBe(2);
  const watch = ctl(root, "watch");
  expect(watch.code).toBe(3);
  expect(watch.err).toContain("no daemon answers on ");
  expect(watch.err).toContain("purpled --root");
  expect(existsSync(join(root, ".context-kit"))).toBe(false);
});

test("status with no daemon reads the status files, and says so", () => {
  const root = tempRoot();
  mkdirSync(join(orchestrationDir(root), "inbox"), { recursive: true });
  const r = ctl(root, "status");
  expect(r.code).toBe(0);
  expect(r.err).toContain("(daemon not running: read from files)");
  expect(JSON.parse(ctl(root, "--json", "status").out)).toEqual({ offline: true, root, plans: [] });
});
