// The real purpled on a temp git repository runs a plan of command agents to the end.
import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { AgentStatus, DaemonInfo, PlanEvent, PlanStatus, Progress, ValidationResult, type PlanInput } from "../protocol/index.ts";
import { DaemonProcess, orchestrationDir, tempRoot } from "./support/daemon.ts";
import { processesWith } from "./support/procs.ts";
import { dropPlan, expectValid, listDir, maxConcurrent, readEvents, readJson } from "./support/files.ts";

const daemons: DaemonProcess[] = [];

/** Resolves once `file` contains `text` (an agent announcing itself on its output). */
async function waitForText(file: string, text: string, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (existsSync(file) && readFileSync(file, "utf8").includes(text)) return;
    await Bun.sleep(25);
  }
  throw new Error(`${file} never contained ${JSON.stringify(text)}`);
}
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

  test("an agent writing outside its territory: held back at write time, nothing of it reaches the project, the agent and the plan fail", async () => {
    const root = tempRoot({ git: true, files: { "config/settings.json": '{"safe":true}\n' } });
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
    // the changeset is all or nothing: even the file inside the territory is not applied
    expect(existsSync(join(root, "src"))).toBe(false);
    const a = expectValid(AgentStatus, readJson(join(dir, "status", "rogue.json")), "rogue");
    expect(a.state).toBe("failed");
    expect(a.violations.map((v) => `${v.path}:${v.action}`).sort()).toEqual(["config/settings.json:refused", "stray.txt:refused"]);
    expect(a.changedFiles).toEqual([]);
    expect(a.reason).toContain("config/settings.json (is outside the agent's territory)");
    expect(readFileSync(join(dir, "status-log.md"), "utf8")).toMatch(/rogue FAILED/);
  }, 30_000);

  test("a timeout kills the agent's whole process tree", async () => {
    const root = tempRoot({ git: true });
    const d = start(root);
    await d.started();
    const dir = dropPlan(root, {
      apiVersion: "purple/v1",
      name: "stuck",
      defaults: { runner: "command", retries: 0, timeout: "1s" },
      agents: [{ id: "sleeper", territory: ["x/"], runner: sh(`trap '' TERM; sleep 300.71 & sleep 301.71 & setsid sleep 302.71 & echo started; wait`) }],
      waves: [{ id: "w", agents: ["sleeper"] }],
    });
    await waitForText(join(dir, "agents", "sleeper", "output.log"), "started");
    const markers = ["sleep 300.71", "sleep 301.71", "sleep 302.71"];
    for (let i = 0; i < 200 && !markers.every((m) => processesWith(m).length > 0); i++) await Bun.sleep(10);
    for (const marker of markers) expect(processesWith(marker).length).toBeGreaterThan(0);
    expect((await d.planEnded("stuck")).state).toBe("failed");
    const a = expectValid(AgentStatus, readJson(join(dir, "status", "sleeper.json")), "sleeper");
    expect(a.reason).toMatch(/time/i);
    for (const marker of markers) expect(processesWith(marker)).toEqual([]);
  }, 30_000);

  test("SIGTERM drains: the running agent gets SIGTERM, ends interrupted, purpled exits 0", async () => {
    const root = tempRoot({ git: true });
    const d = start(root);
    await d.started();
    const dir = dropPlan(root, {
      apiVersion: "purple/v1",
      name: "long",
      defaults: { runner: "command" },
      agents: [{ id: "slow", territory: ["out/"], runner: sh(`trap 'sleep 0.3; echo got-term; exit 143' TERM; echo started; sleep 300.72 & wait`) }],
      waves: [{ id: "w", agents: ["slow"] }],
    });
    const log = join(dir, "agents", "slow", "output.log");
    await waitForText(log, "started");
    expect(await d.stop("SIGTERM")).toBe(0);
    expect(readFileSync(log, "utf8")).toContain("got-term"); // it had its grace period
    const a = expectValid(AgentStatus, readJson(join(dir, "status", "slow.json")), "slow");
    expect(a.state).toBe("interrupted");
    expect(processesWith("sleep 300.72")).toEqual([]);
    expect(listDir(join(orchestrationDir(root), ".purple"))).not.toContain("daemon.json");
  }, 30_000);

  test("a second signal forces: agents that ignore SIGTERM are killed at once, purpled exits 1", async () => {
    const root = tempRoot({ git: true });
    const d = start(root, ["--grace", "60s"]);
    await d.started();
    const dir = dropPlan(root, {
      apiVersion: "purple/v1",
      name: "stubborn",
      defaults: { runner: "command" },
      agents: [{ id: "mule", territory: ["out/"], runner: sh(`trap '' TERM; echo started; while true; do sleep 1.73; done`) }],
      waves: [{ id: "w", agents: ["mule"] }],
    });
    await waitForText(join(dir, "agents", "mule", "output.log"), "started");
    d.proc.kill("SIGTERM");
    await d.waitFor((l) => typeof l.msg === "string" && l.msg.startsWith("draining"), "the drain to begin");
    d.proc.kill("SIGTERM");
    expect(await d.exited).toBe(1);
    for (let i = 0; i < 100 && processesWith("sleep 1.73").length > 0; i++) await Bun.sleep(20); // SIGKILL is delivered asynchronously
    expect(processesWith("sleep 1.73")).toEqual([]);
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
