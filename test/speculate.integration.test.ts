// Speculative next waves against the real purpled with the sandbox on (issue 16): while wave 1's
// gate runs (it waits for a file the test writes), wave 2's first agent starts speculatively in a
// view holding wave 1's work; its changeset is held. When the gate passes, the project ends with
// exactly the files a strict run of the same plan gives; when it fails, the held changeset is
// discarded (the project never sees it), the agent is queued again with its attempt not counted,
// and the plan ends as the strict run does.
import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import YAML from "yaml";
import { AgentStatus, ChangesetRecord, DaemonInfo, PlanDetail, type PlanEvent, type PlanInput } from "../protocol/index.ts";
import { DaemonProcess, orchestrationDir, tempRoot } from "./support/daemon.ts";
import { expectValid, readEvents, readJson } from "./support/files.ts";
import { TestRpc } from "./support/rpc.ts";
import { sandboxWorks } from "./support/sandbox.ts";
import { snapshot } from "./support/sandbox-scenario.ts";

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

const sh = (script: string) => ({ kind: "command" as const, command: ["bash", "-c", script] });

/**
 * Wave 2's b reads wave 1's output (so its view must hold it); c depends on b and reads b's. a
 * appends a line each run, and the gate's n-th run waits for `<ctl>/go-<n>` and passes when it says
 * "pass" (n = the lines a wrote: a repair round runs a again).
 */
function plan(ctl: string, speculate: boolean, rounds?: number): PlanInput {
  return {
    apiVersion: "purple/v1",
    name: "spec",
    speculate,
    ...(rounds === undefined ? {} : { repair: { rounds } }),
    defaults: { runner: "command", retries: 0, timeout: "60s" },
    agents: [
      { id: "a", territory: ["out/a/"], runner: sh("mkdir -p out/a && echo A >> out/a/x") },
      { id: "b", territory: ["out/b/"], runner: sh("mkdir -p out/b && cat out/a/x > out/b/y && echo B >> out/b/y") },
      { id: "c", territory: ["out/c/"], dependsOn: ["b"], runner: sh("mkdir -p out/c && cat out/b/y > out/c/z && echo C >> out/c/z") },
      { id: "d", territory: ["out/d/"], runner: sh("mkdir -p out/d && cat out/a/x > out/d/w && echo D >> out/d/w") },
    ],
    waves: [
      { id: "w1", agents: ["a"], gate: [{ run: `f=${ctl}/go-$(wc -l < out/a/x); while [ ! -e $f ]; do sleep 0.05; done; grep -qx pass $f` }] },
      { id: "w2", agents: ["b", "c", "d"] },
    ],
  };
}

/** A project with purpled (sandbox on) and an events subscription; the control folder lies outside /tmp, which sandboxes do not share. */
async function project(sandbox: "on" | "off" = "on") {
  const root = tempRoot({ git: true });
  const ctl = mkdtempSync("/var/tmp/purple-spec-");
  cleanups.push(() => rmSync(ctl, { recursive: true, force: true }));
  const d = new DaemonProcess(root, ["--sandbox", sandbox]);
  cleanups.push(() => d.proc.exitCode === null && d.stop("SIGKILL"));
  await d.started();
  const info = expectValid(DaemonInfo, readJson(join(orchestrationDir(root), ".purple", "daemon.json")), "daemon.json");
  const rpc = await TestRpc.connect(info.socket);
  cleanups.push(() => rpc.close());
  await rpc.call("events.subscribe", {});
  const submit = async (p: PlanInput) => {
    const path = join(ctl, `${p.name}.yaml`);
    writeFileSync(path, YAML.stringify(p));
    await rpc.call("plan.submit", { path });
  };
  const event = (what: string, pred: (e: PlanEvent) => boolean) => rpc.waitNotification((n) => n.method === "event" && pred(n.params), what, 60_000).then((n) => n.params as PlanEvent);
  return { root, ctl, d, rpc, submit, event, dir: join(orchestrationDir(root), "spec") };
}

/** The same plan run with strict waves, the gate's answers given before it starts: the project's files, the plan's and its agents' end. */
async function strictRun(answers: string[], rounds?: number) {
  const p = await project();
  answers.forEach((a, i) => writeFileSync(join(p.ctl, `go-${i + 1}`), a));
  await p.submit(plan(p.ctl, false, rounds));
  const ended = await p.d.planEnded("spec", 60_000);
  return { files: snapshot(join(p.root, "out")), end: await outcome(p.rpc), state: ended.state };
}

/** The plan's state, its waves' and each agent's state and attempt, as purpled reports them (plan.get). */
async function outcome(rpc: TestRpc) {
  const got = expectValid(PlanDetail, await rpc.call("plan.get", { plan: "spec" }), "plan.get");
  return { plan: got.plan.state, waves: got.plan.waves.map((w) => `${w.id} ${w.state}`), agents: Object.fromEntries(got.agents.map((s) => [s.agent, `${s.state} #${s.attempt}`])) };
}

describe.skipIf(!sandboxWorks())("speculative next waves", () => {
  test("the gate passes: b ran while it ran, its changes held until it passed; the project ends with exactly the files strict waves give", async () => {
    const p = await project();
    await p.submit(plan(p.ctl, true));
    const started = await p.event("b started speculatively", (e) => e.type === "agent.state" && e.agent === "b" && e.to === "running");
    expect(started.type === "agent.state" && started.speculative).toBe(true);
    const held = await p.event("b's changes held", (e) => e.type === "agent.speculation" && e.agent === "b" && e.action === "held");
    expect(held.type === "agent.speculation" && held.paths).toEqual(["out/b/y"]);
    await p.event("d's changes held", (e) => e.type === "agent.speculation" && e.agent === "d" && e.action === "held");
    // b and d have finished while the gate still waits for the go-ahead: the project has wave 1's work only
    expect(existsSync(join(p.root, "out", "b"))).toBe(false);
    expect(existsSync(join(p.root, "out", "d"))).toBe(false);
    expect(readFileSync(join(p.root, "out", "a", "x"), "utf8")).toBe("A\n");
    expect(expectValid(AgentStatus, readJson(join(p.dir, "status", "b.json")), "b").speculative).toBe(true);
    writeFileSync(join(p.ctl, "go-1"), "pass");
    expect((await p.d.planEnded("spec", 60_000)).state).toBe("succeeded");

    const events = readEvents(p.dir);
    const seq = (pred: (e: PlanEvent) => boolean) => events.find(pred)?.seq ?? -1;
    const gatePassed = seq((e) => e.type === "wave.state" && e.wave === "w1" && e.to === "passed");
    expect(seq((e) => e.type === "agent.state" && e.agent === "b" && e.to === "running")).toBeLessThan(gatePassed);
    expect(seq((e) => e.type === "agent.speculation" && e.agent === "b" && e.action === "held")).toBeLessThan(gatePassed);
    const applied = seq((e) => e.type === "agent.speculation" && e.agent === "b" && e.action === "applied");
    expect(applied).toBeGreaterThan(gatePassed);
    // held changes are applied in the wave's order (b before d), whichever finished first
    expect(seq((e) => e.type === "agent.speculation" && e.agent === "d" && e.action === "applied")).toBe(applied + 1);
    // c depends on b: it waited for the gate, and started once b's changes were in the project
    expect(seq((e) => e.type === "agent.state" && e.agent === "c" && e.to === "running")).toBeGreaterThan(applied);
    expect(events.some((e) => e.type === "agent.speculation" && e.action === "discarded")).toBe(false);
    const record = expectValid(ChangesetRecord.array(), readJson(join(p.dir, "agents", "b", "changeset-1.json")), "b's changeset");
    expect(record.map((r) => [r.held, r.applied])).toEqual([[true, true]]);

    const strict = await strictRun(["pass"]);
    expect(strict.state).toBe("succeeded");
    expect(snapshot(join(p.root, "out"))).toEqual(strict.files);
    expect(readFileSync(join(p.root, "out", "c", "z"), "utf8")).toBe("A\nB\nC\n");
    expect(readFileSync(join(p.root, "out", "d", "w"), "utf8")).toBe("A\nD\n");
    expect(await outcome(p.rpc)).toEqual(strict.end);
  }, 120_000);

  test("the gate fails: b's held changes are discarded, the project never sees them, b is queued with its attempt not counted, and the plan ends as strict waves end", async () => {
    const p = await project();
    await p.submit(plan(p.ctl, true, 0));
    await p.event("b's changes held", (e) => e.type === "agent.speculation" && e.agent === "b" && e.action === "held");
    await p.event("d's changes held", (e) => e.type === "agent.speculation" && e.agent === "d" && e.action === "held");
    writeFileSync(join(p.ctl, "go-1"), "fail");
    expect((await p.d.planEnded("spec", 60_000)).state).toBe("blocked");
    const discarded = await p.event("b's speculation discarded", (e) => e.type === "agent.speculation" && e.agent === "b" && e.action === "discarded");
    expect(discarded.type === "agent.speculation" && [discarded.paths, discarded.reason]).toEqual([["out/b/y"], "speculative work discarded: the gate of wave w1 failed"]);
    const requeued = await p.event("b queued again", (e) => e.type === "agent.state" && e.agent === "b" && e.to === "queued");
    expect(requeued.type === "agent.state" && [requeued.attempt, requeued.speculative, requeued.reason]).toEqual([0, true, expect.stringMatching(/^speculative attempt 1 discarded: the gate of wave w1 failed/)]);
    await p.event("d queued again", (e) => e.type === "agent.state" && e.agent === "d" && e.to === "queued");
    expect(existsSync(join(p.root, "out", "b"))).toBe(false);
    expect(existsSync(join(p.root, "out", "c"))).toBe(false);
    const end = await outcome(p.rpc);
    expect(await p.d.stop("SIGTERM")).toBe(0); // a drain writes every status file out
    expect(readFileSync(join(p.dir, "status-log.md"), "utf8")).toMatch(/b IN_PROGRESS speculative attempt 1 discarded: the gate of wave w1 failed; it runs again once the gate of wave w1 passes/);
    const record = expectValid(ChangesetRecord.array(), readJson(join(p.dir, "agents", "b", "changeset-1-discarded.json")), "b's discarded changeset");
    expect(record.map((r) => [r.held, r.applied, r.discarded])).toEqual([[true, false, "speculative work discarded: the gate of wave w1 failed"]]);
    expect(existsSync(join(p.dir, "agents", "b", "changeset-1.json"))).toBe(false);

    const strict = await strictRun(["fail"], 0);
    expect(strict.state).toBe("blocked");
    expect(snapshot(join(p.root, "out"))).toEqual(strict.files);
    expect(end).toEqual(strict.end);
  }, 120_000);

  test("the gate fails and a repair round runs wave 1 again: b's held work on the old wave is discarded, b runs again on the repaired one, and the project ends as with strict waves", async () => {
    const p = await project();
    writeFileSync(join(p.ctl, "go-2"), "pass"); // the gate's second run (after the repair round) passes
    await p.submit(plan(p.ctl, true));
    await p.event("b's changes held", (e) => e.type === "agent.speculation" && e.agent === "b" && e.action === "held");
    writeFileSync(join(p.ctl, "go-1"), "fail");
    expect((await p.d.planEnded("spec", 60_000)).state).toBe("succeeded");
    const events = readEvents(p.dir);
    const discarded = events.find((e) => e.type === "agent.speculation" && e.agent === "b" && e.action === "discarded");
    expect(discarded?.type === "agent.speculation" && discarded.reason).toBe("speculative work discarded: the gate of wave w1 failed");
    expect(events.some((e) => e.type === "repair.round")).toBe(true);
    // what b wrote on the old wave never reached the project: b's file holds both of a's runs
    expect(readFileSync(join(p.root, "out", "b", "y"), "utf8")).toBe("A\nA\nB\n");
    const strict = await strictRun(["fail", "pass"]);
    expect(strict.state).toBe("succeeded");
    expect(snapshot(join(p.root, "out"))).toEqual(strict.files);
    expect(await outcome(p.rpc)).toEqual(strict.end);
  }, 120_000);

  test("with the sandbox off nothing can be held: the plan asks to speculate, yet wave 2 waits for the gate, and the status log says why", async () => {
    const p = await project("off");
    await p.submit(plan(p.ctl, true));
    await p.event("the gate of w1 running", (e) => e.type === "wave.state" && e.wave === "w1" && e.to === "validating");
    writeFileSync(join(p.ctl, "go-1"), "pass");
    expect((await p.d.planEnded("spec", 60_000)).state).toBe("succeeded");
    const events = readEvents(p.dir);
    const gatePassed = events.find((e) => e.type === "wave.state" && e.wave === "w1" && e.to === "passed")!.seq;
    // a speculative start would come in the same scheduling round as the gate's, before the test's go-ahead
    for (const id of ["b", "d"]) expect(events.find((e) => e.type === "agent.state" && e.agent === id && e.to === "running")!.seq).toBeGreaterThan(gatePassed);
    expect(events.some((e) => (e.type === "agent.state" && e.speculative) || e.type === "agent.speculation")).toBe(false);
    expect(await p.d.stop("SIGTERM")).toBe(0);
    expect(readFileSync(join(p.dir, "status-log.md"), "utf8")).toContain("b IN_PROGRESS waits for the gate of wave w1, not speculating: its writes cannot be held");
  }, 120_000);
});
