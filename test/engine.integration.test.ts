// The real purpled on a temp git repository runs a plan of command agents to the end.
import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { AgentStatus, DaemonInfo, PlanEvent, PlanStatus, Progress, ValidationResult, type PlanInput } from "../protocol/index.ts";
import { DaemonProcess, orchestrationDir, tempRoot } from "./support/daemon.ts";
import { processRunning } from "./support/procs.ts";
import { dropPlan, expectValid, listDir, maxConcurrent, readEvents, readJson } from "./support/files.ts";

const daemons: DaemonProcess[] = [];
afterEach(async () => {
  for (const d of daemons.splice(0)) if (d.proc.exitCode === null) await d.stop("SIGKILL");
});
function start(root: string, args: string[] = []): DaemonProcess {
  const d = new DaemonProcess(root, args);
  daemons.push(d);
  return d;
}

/** A command agent: a bash script run in the root. */
const sh = (script: string) => ({ kind: "command" as const, command: ["bash", "-c", script] });

describe("purpled runs a canonical plan", () => {
  test("two waves, three agents, dependsOn, maxAgents 2 and a run gate: succeeded, every file valid", async () => {
    const root = tempRoot({ git: true });
    const d = start(root);
    await d.started();
    const info = expectValid(DaemonInfo, readJson(join(orchestrationDir(root), ".purple", "daemon.json")), "daemon.json");
    expect(info.pid).toBe(d.proc.pid);

    const plan: PlanInput = {
      apiVersion: "purple/v1",
      name: "two-waves",
      goal: "prove the engine",
      maxAgents: 2,
      defaults: { runner: "command", retries: 0, timeout: "30s" },
      agents: [
        { id: "alpha", role: "writes a", territory: ["src/a/"], runner: sh("mkdir -p src/a && sleep 0.3 && echo alpha > src/a/out.txt"), tickets: [{ id: "T-1", title: "write a" }] },
        { id: "beta", role: "writes b", territory: ["src/b/"], runner: sh("mkdir -p src/b && sleep 0.3 && echo beta > src/b/out.txt") },
        { id: "gamma", role: "reads a, writes c", territory: ["src/c/**"], dependsOn: ["alpha"], runner: sh('mkdir -p src/c && cat src/a/out.txt > src/c/copy.txt && echo "prompt:$PURPLE_AGENT:$PURPLE_WAVE" > src/c/env.txt') },
      ],
      waves: [
        { id: "wave-1", title: "Foundation", agents: ["alpha", "beta"], gate: [{ run: "test -f src/a/out.txt && test -f src/b/out.txt" }, { exists: "src/b/out.txt" }] },
        { id: "wave-2", title: "Build on it", agents: ["gamma"], gate: [{ contains: { file: "src/c/copy.txt", pattern: "alpha" } }] },
      ],
    };
    const dir = dropPlan(root, plan);
    const ended = await d.planEnded("two-waves");
    expect(ended.state).toBe("succeeded");

    expect(readFileSync(join(root, "src/c/copy.txt"), "utf8")).toBe("alpha\n");
    expect(readFileSync(join(root, "src/c/env.txt"), "utf8")).toBe("prompt:gamma:wave-2\n");

    const status = expectValid(PlanStatus, readJson(join(dir, "status.json")), "status.json");
    expect(status.state).toBe("succeeded");
    expect(status.counts.completed).toBe(3);
    expect(status.waves.map((w) => w.state)).toEqual(["passed", "passed"]);
    for (const id of ["alpha", "beta", "gamma"]) {
      const a = expectValid(AgentStatus, readJson(join(dir, "status", `${id}.json`)), `status/${id}.json`);
      expect(a.state).toBe("completed");
      expect(a.attempt).toBe(1);
      expect(a.violations).toEqual([]);
    }
    expect(expectValid(AgentStatus, readJson(join(dir, "status", "gamma.json")), "gamma").changedFiles).toEqual(["src/c/copy.txt", "src/c/env.txt"]);
    for (const w of ["wave-1", "wave-2"]) expect(expectValid(ValidationResult, readJson(join(dir, "validation", `${w}.json`)), w).passed).toBe(true);

    const log = readFileSync(join(dir, "status-log.md"), "utf8");
    for (const id of ["alpha", "beta", "gamma"]) {
      expect(log).toMatch(new RegExp(`^\\[\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\] ${id} STARTED `, "m"));
      expect(log).toMatch(new RegExp(`^\\[\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\] ${id} COMPLETED `, "m"));
    }

    const progress = expectValid(Progress, readJson(join(dir, "progress.json")), "progress.json");
    const tickets = progress.phases.flatMap((p) => p.tickets);
    expect(progress.summary).toEqual({ totalPhases: 2, completedPhases: 2, totalTickets: tickets.length, completedTickets: tickets.length, inProgressTickets: 0 });
    expect(tickets.map((t) => t.id).sort()).toEqual(["T-1", "beta", "gamma"]);

    const events = readEvents(dir).map((e) => expectValid(PlanEvent, e, `event ${JSON.stringify(e)}`));
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(maxConcurrent(events)).toBe(2);
    expect(Math.max(...events.flatMap((e) => (e.type === "agent.state" ? [e.running] : [])))).toBeLessThanOrEqual(2);
    // gamma started only after alpha completed, and wave 2 only after the gate passed
    const idx = (pred: (e: PlanEvent) => boolean) => events.findIndex(pred);
    expect(idx((e) => e.type === "agent.state" && e.agent === "gamma" && e.to === "running")).toBeGreaterThan(idx((e) => e.type === "wave.state" && e.wave === "wave-1" && e.to === "passed"));

    expect(await d.stop()).toBe(0);
    expect(existsSync(join(orchestrationDir(root), ".purple", "daemon.json"))).toBe(false);
  }, 30_000);

  test("an agent writing outside its territory: the file is restored, the agent and the plan fail", async () => {
    const root = tempRoot({ git: true, files: { "config/settings.json": '{"safe":true}\n' } });
    // commit the fixture so it is part of the baseline
    Bun.spawnSync(["git", "add", "-A"], { cwd: root });
    Bun.spawnSync(["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "fixture"], { cwd: root });
    const d = start(root);
    await d.started();
    const dir = dropPlan(root, {
      apiVersion: "purple/v1",
      name: "trespass",
      defaults: { runner: "command", retries: 0 },
      agents: [{ id: "rogue", territory: ["src/"], runner: sh("mkdir -p src && echo ok > src/mine.txt && echo HACKED > config/settings.json && echo new > stray.txt") }],
      waves: [{ id: "w", agents: ["rogue"] }],
    });
    expect((await d.planEnded("trespass")).state).toBe("failed");
    expect(readFileSync(join(root, "config/settings.json"), "utf8")).toBe('{"safe":true}\n');
    expect(existsSync(join(root, "stray.txt"))).toBe(false);
    expect(readFileSync(join(root, "src/mine.txt"), "utf8")).toBe("ok\n");
    const a = expectValid(AgentStatus, readJson(join(dir, "status", "rogue.json")), "rogue");
    expect(a.state).toBe("failed");
    expect(a.violations.map((v) => `${v.path}:${v.action}`).sort()).toEqual(["config/settings.json:reverted", "stray.txt:deleted"]);
    expect(a.changedFiles).toEqual(["src/mine.txt"]);
    expect(a.reason).toContain("outside its territory");
    expect(readFileSync(join(dir, "status-log.md"), "utf8")).toMatch(/rogue FAILED/);
  }, 30_000);

  test("a timeout kills the agent's whole process tree", async () => {
    const root = tempRoot({ git: true });
    const d = start(root);
    await d.started();
    const pids = join(root, "pids.txt");
    const dir = dropPlan(root, {
      apiVersion: "purple/v1",
      name: "stuck",
      defaults: { runner: "command", retries: 0, timeout: "1s" },
      agents: [{ id: "sleeper", territory: ["pids.txt"], runner: sh(`trap '' TERM; sleep 300 & echo $! > pids.txt; sleep 301 & echo $! >> pids.txt; wait`) }],
      waves: [{ id: "w", agents: ["sleeper"] }],
    });
    expect((await d.planEnded("stuck")).state).toBe("failed");
    const a = expectValid(AgentStatus, readJson(join(dir, "status", "sleeper.json")), "sleeper");
    expect(a.reason).toMatch(/time/i);
    const left = readFileSync(pids, "utf8").trim().split("\n").map(Number);
    expect(left.length).toBe(2);
    for (const pid of left) expect(processRunning(pid)).toBe(false);
  }, 30_000);

  test("SIGTERM drains: the running agent gets SIGTERM, ends interrupted, purpled exits 0", async () => {
    const root = tempRoot({ git: true });
    const d = start(root);
    await d.started();
    const dir = dropPlan(root, {
      apiVersion: "purple/v1",
      name: "long",
      defaults: { runner: "command" },
      agents: [{ id: "slow", territory: ["out/"], runner: sh(`mkdir -p out; trap 'echo got-term > out/term.txt; exit 143' TERM; echo $$ > out/pid.txt; sleep 300 & wait`) }],
      waves: [{ id: "w", agents: ["slow"] }],
    });
    await d.waitFor((l) => l.msg === "plan accepted" && l.plan === "long", "plan accepted");
    const pidFile = join(root, "out", "pid.txt");
    for (let i = 0; i < 200 && !existsSync(pidFile); i++) await Bun.sleep(25); // the agent announces itself
    expect(await d.stop("SIGTERM")).toBe(0);
    expect(readFileSync(join(root, "out", "term.txt"), "utf8")).toBe("got-term\n");
    const a = expectValid(AgentStatus, readJson(join(dir, "status", "slow.json")), "slow");
    expect(a.state).toBe("interrupted");
    expect(processRunning(Number(readFileSync(pidFile, "utf8")))).toBe(false);
    expect(listDir(join(orchestrationDir(root), ".purple"))).not.toContain("daemon.json");
  }, 30_000);

  test("a second signal forces: agents that ignore SIGTERM are killed at once, purpled exits 1", async () => {
    const root = tempRoot({ git: true });
    const d = start(root, ["--grace", "60s"]);
    await d.started();
    dropPlan(root, {
      apiVersion: "purple/v1",
      name: "stubborn",
      defaults: { runner: "command" },
      agents: [{ id: "mule", territory: ["out/"], runner: sh(`mkdir -p out; trap '' TERM; echo $$ > out/pid.txt; while true; do sleep 1; done`) }],
      waves: [{ id: "w", agents: ["mule"] }],
    });
    const pidFile = join(root, "out", "pid.txt");
    for (let i = 0; i < 200 && !existsSync(pidFile); i++) await Bun.sleep(25); // the agent announces itself
    d.proc.kill("SIGTERM");
    await d.waitFor((l) => typeof l.msg === "string" && l.msg.startsWith("draining"), "the drain to begin");
    d.proc.kill("SIGTERM");
    expect(await d.exited).toBe(1);
    const pid = Number(readFileSync(pidFile, "utf8"));
    for (let i = 0; i < 100 && processRunning(pid); i++) await Bun.sleep(20); // SIGKILL is delivered asynchronously
    expect(processRunning(pid)).toBe(false);
    // no attempt started after the first signal
    expect(readFileSync(join(orchestrationDir(root), "stubborn", "agents", "mule", "output.log"), "utf8")).not.toContain("attempt 2");
  }, 30_000);

  test("an invalid O/purple.yaml stops purpled at start, naming the file and the problem", async () => {
    const root = tempRoot();
    mkdirSync(orchestrationDir(root), { recursive: true });
    writeFileSync(join(orchestrationDir(root), "purple.yaml"), "defaults:\n  runner: carrier-pigeon\n");
    const d = start(root);
    expect(await d.exited).toBe(2);
    expect(d.stderrText.join("\n")).toMatch(/purple\.yaml: defaults\.runner/);
  }, 20_000);

  test("a second purpled on the same root exits 1 naming the first one's pid", async () => {
    const root = tempRoot();
    const first = start(root);
    await first.started();
    const second = start(root);
    expect(await second.exited).toBe(1);
    expect(second.stderrText.join("\n")).toContain(`pid ${first.proc.pid}`);
    expect(first.proc.exitCode).toBeNull();
  }, 20_000);
});
