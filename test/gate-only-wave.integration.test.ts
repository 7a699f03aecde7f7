// A gate-only wave (no agents, a gate) on the real purpled with command agents: its gate runs after
// the wave before it passed and before the next wave starts, the plan succeeds, and every status
// file and `purplectl status` show the wave with no agents. When that gate fails, the breaker trips
// at once (no agent of the wave can repair it), the status says so with no agent to retry, and a
// fix by hand plus `purplectl resume` lets the plan go on.
import { afterEach, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DaemonInfo, PlanStatus, Progress, ValidationResult, type PlanInput } from "../protocol/index.ts";
import { DaemonProcess, orchestrationDir, purplectl, tempRoot } from "./support/daemon.ts";
import { dropPlan, expectValid, readEvents, readJson } from "./support/files.ts";

const daemons: DaemonProcess[] = [];
afterEach(async () => {
  for (const d of daemons.splice(0)) if (d.proc.exitCode === null) await d.stop("SIGKILL");
});

async function start(): Promise<{ root: string; d: DaemonProcess; socket: string }> {
  const root = tempRoot({ git: true });
  const d = new DaemonProcess(root);
  daemons.push(d);
  await d.started();
  const { socket } = expectValid(DaemonInfo, readJson(join(orchestrationDir(root), ".purple", "daemon.json")), "daemon.json");
  return { root, d, socket };
}

const writes = (dir: string) => ({ kind: "command" as const, command: ["bash", "-c", `mkdir -p ${dir} && echo ok > ${dir}/x`] });

/** a (wave w1) writes out/a/x; the gate-only wave `integrate` checks it; b (wave w3) writes out/b/x. */
function plan(name: string, gate: PlanInput["waves"][number]["gate"]): PlanInput {
  return {
    apiVersion: "purple/v1",
    name,
    defaults: { runner: "command", retries: 0 },
    agents: [
      { id: "a", territory: ["out/a/"], runner: writes("out/a") },
      { id: "b", territory: ["out/b/"], runner: writes("out/b") },
    ],
    waves: [
      { id: "w1", agents: ["a"] },
      { id: "integrate", title: "Integration", agents: [], gate },
      { id: "w3", agents: ["b"] },
    ],
  };
}

test("a gate-only middle wave: its gate runs after the wave before it and before the next one; the plan succeeds and every status shows the wave", async () => {
  const { root, d, socket } = await start();
  // the gate sees a's file and not yet b's: it ran after w1 passed and before w3 started
  const dir = dropPlan(root, plan("gated", [{ run: "test -f out/a/x && test ! -e out/b/x" }]));
  expect((await d.planEnded("gated")).state).toBe("succeeded");

  const gate = expectValid(ValidationResult, readJson(join(dir, "validation", "integrate.json")), "integrate.json");
  expect([gate.passed, gate.checks.map((c) => c.passed)]).toEqual([true, [true]]);
  const events = readEvents(dir);
  const at = (pred: (e: (typeof events)[number]) => boolean) => events.findIndex(pred);
  const aDone = at((e) => e.type === "agent.state" && e.agent === "a" && e.to === "completed");
  const checked = at((e) => e.type === "gate.check" && e.wave === "integrate");
  const passed = at((e) => e.type === "wave.state" && e.wave === "integrate" && e.to === "passed");
  const bStarts = at((e) => e.type === "agent.state" && e.agent === "b" && e.to === "running");
  expect(aDone).toBeGreaterThanOrEqual(0);
  expect([aDone < checked, checked < passed, passed < bStarts]).toEqual([true, true, true]);

  const status = expectValid(PlanStatus, readJson(join(dir, "status.json")), "status.json");
  expect(status.waves.map((w) => [w.id, w.state, w.agents])).toEqual([["w1", "passed", ["a"]], ["integrate", "passed", []], ["w3", "passed", ["b"]]]);
  const progress = expectValid(Progress, readJson(join(dir, "progress.json")), "progress.json");
  expect(progress.phases.map((p) => [p.name, p.status, p.tickets.length])).toEqual([["w1", "completed", 1], ["Integration", "completed", 0], ["w3", "completed", 1]]);

  const shown = await purplectl(socket, "status", "gated");
  expect(shown.code).toBe(0);
  expect(shown.out).toMatch(/integrate \(Integration\)\s+passed\s+\(none: gate only\)/);
}, 60_000);

test("a gate-only wave whose gate fails: blocked at once with no agent to repair it; fixed by hand, `resume` finishes the plan", async () => {
  const { root, d, socket } = await start();
  const dir = dropPlan(root, plan("broken", [{ run: "test -f out/merged" }]));
  expect((await d.planEnded("broken")).state).toBe("blocked");

  const status = expectValid(PlanStatus, readJson(join(dir, "status.json")), "status.json");
  expect(status.reason).toBe("gate of wave integrate failed: run test -f out/merged; circuit breaker: no agent of wave integrate can repair it (the wave has no agents)");
  expect(status.failure).toMatchObject({ kind: "gate", subject: "integrate", failedChecks: ["integrate#0"], breaker: "circuit breaker: no agent of wave integrate can repair it (the wave has no agents)" });
  expect(status.failure!.nextSteps!.some((s) => s.includes("purplectl retry"))).toBe(false);
  expect(readEvents(dir).some((e) => e.type === "repair.round")).toBe(false);
  expect(readEvents(dir).some((e) => e.type === "agent.state" && e.agent === "b")).toBe(false); // w3 never started

  const shown = await purplectl(socket, "status", "broken");
  expect(shown.out).toContain("no agent of wave integrate can repair it");
  expect(shown.out).toContain(`purplectl resume broken`);
  expect(shown.out).toContain(`purplectl approve broken --override integrate#0`);
  expect(shown.out).not.toContain("purplectl retry");

  // a person does the wave's work by hand, then resumes: the gate runs again and the plan goes on
  mkdirSync(join(root, "out"), { recursive: true });
  writeFileSync(join(root, "out", "merged"), "by hand\n");
  expect((await purplectl(socket, "resume", "broken")).code).toBe(0);
  await d.waitFor((l) => l.msg === "plan ended" && l.plan === "broken" && l.state === "succeeded", "plan broken succeeded after resume", 30_000);
  const after = expectValid(PlanStatus, readJson(join(dir, "status.json")), "status.json");
  expect(after.waves.map((w) => w.state)).toEqual(["passed", "passed", "passed"]);
}, 60_000);
