// The operator's loop against the real purpled, through purplectl as a person runs it: submit says
// what became of the plan (accepted, unchanged, rerun, replaced, or every problem) and exits
// accordingly; an ended plan runs again with its earlier run kept; forget drops it; a rejected
// inbox item shows in status and watch at once; a stopped plan says why, shows its output's tail,
// the log command and the next step; the table fits 100 columns; approve runs plan.compiled.yaml
// as edited; validate and submit refuse what this machine cannot run.
import { afterEach, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import YAML from "yaml";
import { PlanStatus, type PlanInput } from "../protocol/index.ts";
import { ctl } from "./ctl-fake-daemon.ts";
import { DaemonProcess, orchestrationDir, tempRoot } from "./support/daemon.ts";
import { expectValid, readJson } from "./support/files.ts";

const daemons: DaemonProcess[] = [];
afterEach(async () => {
  for (const d of daemons.splice(0)) if (d.proc.exitCode === null) await d.stop("SIGKILL");
});

async function startDaemon(root: string, env: Record<string, string> = {}): Promise<DaemonProcess> {
  const d = new DaemonProcess(root, [], env);
  daemons.push(d);
  await d.started();
  return d;
}

/** The n-th time (1-based) plan `name` ends, past or future. */
function ended(d: DaemonProcess, name: string, n: number) {
  let seen = 0;
  return d.waitFor((l) => l.msg === "plan ended" && l.plan === name && ++seen === n, `plan ${name} to end (${n})`);
}

const commandPlan = (name: string, script: string, over: Partial<PlanInput> = {}): PlanInput => ({
  apiVersion: "purple/v1",
  name,
  defaults: { runner: "command", retries: 0 },
  agents: [{ id: "a", territory: ["out/"], runner: { kind: "command", command: ["bash", "-c", script] } }],
  waves: [{ id: "w1", agents: ["a"] }],
  ...over,
});

function writePlan(dir: string, file: string, plan: unknown): string {
  const path = join(dir, file);
  writeFileSync(path, typeof plan === "string" ? plan : YAML.stringify(plan));
  return path;
}

test("submit: accepted, unchanged, refused while it runs, rerun with the earlier run kept; rerun and forget", async () => {
  const root = tempRoot({ git: true });
  const outside = mkdtempSync(join(tmpdir(), "purple-loop-"));
  const d = await startDaemon(root);
  const run = (...args: string[]) => ctl(["--root", root, ...args]);
  const o = orchestrationDir(root);
  const script = `while [ ! -f ${outside}/go ]; do sleep 0.05; done; mkdir -p out && date +%s%N > out/x`;
  const planFile = writePlan(outside, "loop.yaml", commandPlan("loop", script));

  const accepted = await run("submit", planFile);
  expect(accepted).toMatchObject({ code: 0, err: "" });
  expect(accepted.out).toContain("loop: accepted; follow it with `purplectl watch loop`");
  await d.waitFor((l) => l.msg === "plan accepted" && l.plan === "loop", "loop accepted");

  const same = await run("submit", planFile);
  expect(same.code).toBe(0);
  expect(same.out).toContain("loop: unchanged: the same plan is already here");

  const other = writePlan(outside, "loop-other.yaml", commandPlan("loop", script, { goal: "different content" }));
  const clash = await run("submit", other);
  expect(clash.code).toBe(1);
  expect(clash.err).toContain("(PLAN_EXISTS)");
  expect(clash.err).toMatch(/plan loop is (queued|running) with other content/);

  const early = await run("forget", "loop");
  expect(early.code).toBe(1);
  expect(early.err).toContain("(INVALID_STATE)");

  writeFileSync(join(outside, "go"), "");
  await ended(d, "loop", 1);
  const first = readFileSync(join(root, "out", "x"), "utf8");

  // The same content again, now that it has ended: a new run; the first run's files are kept.
  const again = await run("submit", planFile);
  expect(again.code).toBe(0);
  expect(again.out).toContain("loop: it had ended: running it again");
  await ended(d, "loop", 2);
  const kept = expectValid(PlanStatus, readJson(join(o, "loop", "runs", "1", "status.json")), "runs/1/status.json");
  expect(kept.state).toBe("succeeded");
  expect(existsSync(join(o, "loop", "runs", "1", "agents", "a", "output.log"))).toBe(true);
  expect(readFileSync(join(root, "out", "x"), "utf8")).not.toBe(first); // the agent really ran again
  expect(expectValid(PlanStatus, readJson(join(o, "loop", "status.json")), "status.json").state).toBe("succeeded");

  const rerun = await run("rerun", "loop");
  expect(rerun.code).toBe(0);
  expect(rerun.out).toContain("the earlier run's files are kept under loop/runs/2/");
  await ended(d, "loop", 3);
  expect(existsSync(join(o, "loop", "runs", "2", "status.json"))).toBe(true);

  // Every problem of a broken plan, and exit 1.
  const bad = writePlan(outside, "bad.yaml", { apiVersion: "purple/v1", name: "bad", agents: [{ id: "a", dependsOn: ["ghost"] }], waves: [{ id: "w1", agents: ["a", "phantom"] }] });
  const refused = await run("submit", bad);
  expect(refused.code).toBe(1);
  expect(refused.err).toContain("bad.yaml was not submitted");
  expect(refused.err).toContain("ghost");
  expect(refused.err).toContain("phantom");

  const forgot = await run("forget", "loop");
  expect(forgot.code).toBe(0);
  expect(forgot.out).toContain("loop: forgotten");
  expect(existsSync(join(o, "loop"))).toBe(false);
  const status = await run("status");
  expect(status.code).toBe(0);
  expect(status.out).not.toMatch(/^loop\s/m);
  expect(status.out).toContain("no plans yet");
  // The daemon restarted does not bring the forgotten plan back.
  await d.stop();
  const d2 = await startDaemon(root);
  expect(d2.lines.some((l) => l.msg === "plan accepted" && l.plan === "loop")).toBe(false);
  expect((await ctl(["--root", root, "--json", "status"])).out).not.toContain('"loop"');
}, 60_000);

test("a rejected inbox item shows in status and in watch at once; an unknown name fails fast", async () => {
  const root = tempRoot();
  const d = await startDaemon(root);
  const run = (...args: string[]) => ctl(["--root", root, ...args]);
  const dropped = Date.now();
  writePlan(join(orchestrationDir(root), "inbox"), "typo.yaml", { apiVersion: "purple/v1", name: "typo", agents: [{ id: "a", territroy: ["x/"] }], waves: [{ id: "w1", agents: ["a", "b"] }] });
  await d.waitFor((l) => typeof l.msg === "string" && l.msg.includes('"typo.yaml" rejected'), "typo.yaml rejected");
  const status = await run("status");
  const seenAfterMs = Date.now() - dropped;
  expect(status.code).toBe(0);
  expect(status.out).toContain("recent inbox rejections");
  expect(status.out).toMatch(/inbox\/typo\.yaml\s+agents\.0.*\(\+1 more\)/);
  console.log(`rejection visible through purplectl status ${seenAfterMs} ms after the drop`);

  const started = Date.now();
  const watched = await run("watch", "typo");
  expect(watched.code).toBe(1);
  expect(watched.err).toContain("typo was rejected");
  expect(watched.err).toContain("territroy");
  expect(watched.err).toContain("b");
  expect(watched.err).not.toContain("waiting for purpled"); // at once: it never waited for an accept
  console.log(`watch typo answered in ${Date.now() - started} ms (a purplectl process included)`);

  const unknown = await run("watch", "nosuch");
  expect(unknown.code).toBe(1);
  expect(unknown.err).toContain('no plan named "nosuch"');
  const rejections = JSON.parse((await run("--json", "status")).out).rejections;
  expect(rejections).toEqual([{ item: "inbox/typo.yaml", at: expect.any(String), problems: expect.any(Array) }]);

  // A plan.yaml placed in its own folder and refused: watch says why at once too.
  mkdirSync(join(orchestrationDir(root), "placed"));
  writePlan(join(orchestrationDir(root), "placed"), "plan.yaml", { apiVersion: "purple/v1", name: "placed", agents: [], waves: [] });
  await d.waitFor((l) => l.plan === "placed" && typeof l.msg === "string" && l.msg.includes("rejected"), "placed rejected");
  const placed = await run("watch", "placed");
  expect(placed.code).toBe(1);
  expect(placed.err).toContain("placed was rejected");

  // Fixed and dropped again: watch follows the new item, not the old rejection.
  writePlan(join(orchestrationDir(root), "inbox"), "typo.yaml", commandPlan("typo", "true"));
  const fixed = await run("watch", "typo");
  expect(fixed.err).not.toContain("rejected");
  expect(fixed.code).toBe(0);
}, 30_000);

test("a failed or blocked plan shows why, its output's tail, the log command and the next step; the table fits 100 columns", async () => {
  const root = tempRoot({ git: true });
  const outside = mkdtempSync(join(tmpdir(), "purple-loop-"));
  const d = await startDaemon(root);
  const run = (args: string[], env: Record<string, string> = {}) => ctl(["--root", root, ...args], { env });
  const boom = commandPlan("boom", "echo working on it; echo 'fatal: the config file cfg.toml is missing' >&2; exit 3");
  expect((await run(["submit", writePlan(outside, "boom.yaml", boom)])).code).toBe(0);
  const longCheck = `echo gate-said-no; test -f ${"a-very-long-path-segment/".repeat(12)}never.txt`;
  const gated = commandPlan("a-plan-with-a-rather-long-name-for-the-table", "mkdir -p out && echo hi > out/x", { waves: [{ id: "w1", agents: ["a"], gate: [{ run: longCheck }] }] });
  expect((await run(["submit", writePlan(outside, "gated.yaml", gated)])).code).toBe(0);
  await ended(d, "boom", 1);
  await ended(d, gated.name, 1);

  const shown = await run(["status", "boom"]);
  expect(shown.code).toBe(1);
  expect(shown.out).toContain("why: agent a failed: ");
  expect(shown.out).toContain("last output:");
  expect(shown.out).toContain("| fatal: the config file cfg.toml is missing");
  expect(shown.out).toContain("whole log: purplectl logs boom a");
  expect(shown.out).toContain("next: fix the cause, then `purplectl retry boom a`");
  const file = expectValid(PlanStatus, readJson(join(orchestrationDir(root), "boom", "status.json")), "status.json");
  expect(file.failure).toMatchObject({ kind: "agent", subject: "a", logCommand: "purplectl logs boom a" });
  expect(file.failure!.outputTail).toContain("cfg.toml is missing");
  const watched = await run(["watch", "boom"]);
  expect(watched.code).toBe(1);
  expect(watched.out).toContain("whole log: purplectl logs boom a");
  expect((await run(["logs", "boom", "a"])).out).toContain("cfg.toml is missing");

  const gate = await run(["status", gated.name]);
  expect(gate.code).toBe(1);
  expect(gate.out).toContain("why: gate of wave w1 failed");
  expect(gate.out).toContain("| gate-said-no");
  expect(gate.out).toContain(`whole log: cat .context-kit/orchestration/${gated.name}/validation/w1.json`);
  expect(gate.out).toContain(`then \`purplectl resume ${gated.name}\` runs the gate again`);

  const table = await run(["status"], { COLUMNS: "100" });
  expect(table.code).toBe(0);
  for (const line of table.out.trimEnd().split("\n")) expect(line.length).toBeLessThanOrEqual(100);
  expect(table.out).toContain("…");
  expect(table.out).toMatch(/^PLAN\s+STATE\s+WAVE\s+WAVES\s+AGENTS\s+COST\s+UPDATED\s+REASON/m);
  const wide = await run(["status", "--wide"], { COLUMNS: "100" });
  expect(wide.out).toContain("never.txt");
  expect(Math.max(...wide.out.split("\n").map((l) => l.length))).toBeGreaterThan(100);
}, 60_000);

const MARKDOWN = `# Orchestration Plan: Edit Me

## Wave 1: Only

### Agent 1: Writer
**Territory**: \`out/\`
- Write the file
`;

test("approve runs plan.compiled.yaml as edited (a broken edit is refused with every problem); submit replaces a plan awaiting approval", async () => {
  const root = tempRoot({ git: true });
  const o = orchestrationDir(root);
  mkdirSync(o, { recursive: true });
  writeFileSync(join(o, "purple.yaml"), YAML.stringify({ defaults: { runner: "command" } }));
  const d = await startDaemon(root);
  const run = (...args: string[]) => ctl(["--root", root, ...args]);
  for (const name of ["edit-me", "swap-me"]) {
    mkdirSync(join(o, name));
    writeFileSync(join(o, name, "orchestration-plan.md"), MARKDOWN);
    await d.waitFor((l) => l.msg === "plan accepted" && l.plan === name, `${name} awaiting approval`);
  }
  expect(readFileSync(join(o, "edit-me", "intake-report.md"), "utf8")).toContain("What runs is `plan.compiled.yaml` as it is on disk when you run `purplectl approve edit-me`");

  const compiledFile = join(o, "edit-me", "plan.compiled.yaml");
  const compiled = YAML.parse(readFileSync(compiledFile, "utf8"));
  writeFileSync(compiledFile, YAML.stringify({ ...compiled, waves: [{ id: "w1", agents: ["nobody"] }], maxAgents: 0 }));
  const broken = await run("approve", "edit-me");
  expect(broken.code).toBe(1);
  expect(broken.err).toContain("not approved");
  expect(broken.err).toContain("nobody");
  expect(broken.err).toContain("maxAgents");
  expect(JSON.parse((await run("--json", "status", "edit-me")).out).plan.state).toBe("awaiting-approval");

  const id = compiled.agents[0].id;
  compiled.agents[0].runner = { kind: "command", command: ["bash", "-c", "mkdir -p out && echo as-edited > out/edited.txt"] };
  writeFileSync(compiledFile, YAML.stringify(compiled));
  const ok = await run("approve", "edit-me");
  expect(ok.code).toBe(0);
  await ended(d, "edit-me", 1);
  expect(JSON.parse((await run("--json", "status", "edit-me")).out).plan.state).toBe("succeeded");
  expect(readFileSync(join(root, "out", "edited.txt"), "utf8")).toBe("as-edited\n");
  expect(existsSync(join(o, "edit-me", "status", `${id}.json`))).toBe(true);

  const outside = mkdtempSync(join(tmpdir(), "purple-loop-"));
  const swap = await run("submit", writePlan(outside, "swap.yaml", commandPlan("swap-me", "mkdir -p out && echo swapped > out/swap.txt")));
  expect(swap.code).toBe(0);
  expect(swap.out).toContain("swap-me: replaced the version that waited for approval");
  await ended(d, "swap-me", 1);
  expect(readFileSync(join(root, "out", "swap.txt"), "utf8")).toBe("swapped\n");
}, 60_000);

test("validate and submit refuse what this machine cannot run: no claude, no API key, a missing spec; an agent with no territory is a warning", async () => {
  const dir = mkdtempSync(join(tmpdir(), "purple-can-run-"));
  const noClaude = { PATH: "/usr/bin:/bin", ANTHROPIC_API_KEY: "sk-test-not-real" };
  const claude = writePlan(dir, "claude.yaml", { apiVersion: "purple/v1", name: "cc", defaults: { runner: "claude-code" }, agents: [{ id: "a", territory: ["x/"] }], waves: [{ id: "w", agents: ["a"] }] });
  const r1 = await ctl(["validate", claude], { cwd: dir, env: noClaude });
  expect(r1.code).toBe(1);
  expect(r1.err).toContain("defaults.runner: the claude-code runner needs Claude Code: `claude` is not on PATH");

  const anthropic = writePlan(dir, "key.yaml", { apiVersion: "purple/v1", name: "key", agents: [{ id: "a", territory: ["x/"] }, { id: "b" }], waves: [{ id: "w", agents: ["a", "b"] }] });
  const r2 = await ctl(["validate", anthropic], { cwd: dir, env: { ANTHROPIC_API_KEY: undefined, ANTHROPIC_AUTH_TOKEN: undefined } });
  expect(r2.code).toBe(1);
  expect(r2.err).toContain("the anthropic runner needs an API key: ANTHROPIC_API_KEY is not set");
  const r3 = await ctl(["validate", anthropic], { cwd: dir, env: { ANTHROPIC_API_KEY: "sk-test-not-real" } });
  expect(r3.code).toBe(0);
  expect(r3.err).toContain("agents.1.territory: agent b has no territory: it can read but change nothing");

  const spec = writePlan(dir, "spec.yaml", { ...commandPlan("spec", "true"), contracts: [{ id: "c", owner: "a", spec: "contracts/c.md" }] });
  const r4 = await ctl(["validate", spec], { cwd: dir });
  expect(r4.code).toBe(1);
  expect(r4.err).toContain("contracts.0.spec: contract c's spec contracts/c.md does not exist");
  mkdirSync(join(dir, "contracts"));
  writeFileSync(join(dir, "contracts", "c.md"), "# c\n");
  expect((await ctl(["validate", spec], { cwd: dir })).code).toBe(0);

  // purpled without a key refuses an anthropic plan at submit, by its own knowledge.
  const root = tempRoot();
  await startDaemon(root, { ANTHROPIC_API_KEY: "" });
  const r5 = await ctl(["--root", root, "submit", anthropic], { env: { ANTHROPIC_API_KEY: "sk-test-not-real" } });
  expect(r5.code).toBe(1);
  expect(r5.err).toContain("(RUNNER_UNAVAILABLE)");
  expect(r5.err).toContain("needs an API key");
}, 30_000);
