// Crashes: purpled killed with SIGKILL, or dying at a named point of its write path, then started
// again. Nothing completed runs again, interrupted agents run again as a new attempt, no process
// of the old run is left, and every status file still parses.
import { afterEach, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AgentStatus, PlanEvent, PlanStatus, Progress, TERMINAL_AGENT_STATES, type PlanInput } from "../protocol/index.ts";
import { Journal } from "../daemon/journal/journal.ts";
import { rebuild } from "../daemon/journal/replay.ts";
import { DEFAULT_RETRY } from "../daemon/core/outcomes.ts";
import { DaemonProcess, orchestrationDir, tempRoot } from "./support/daemon.ts";
import { dropPlan, expectValid, readEvents, readJson } from "./support/files.ts";
import { processRunning } from "./support/procs.ts";

const daemons: DaemonProcess[] = [];
afterEach(async () => {
  for (const d of daemons.splice(0)) if (d.proc.exitCode === null) await d.stop("SIGKILL");
});
function start(root: string, env: Record<string, string> = {}): DaemonProcess {
  const d = new DaemonProcess(root, [], env);
  daemons.push(d);
  return d;
}
const lines = (path: string) => (existsSync(path) ? readFileSync(path, "utf8").split("\n").filter(Boolean) : []);
async function until(cond: () => boolean, what: string, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(20);
  }
}

/** Every status file of a plan parses with its schema. */
function statusFilesParse(dir: string): void {
  expectValid(PlanStatus, readJson(join(dir, "status.json")), "status.json");
  expectValid(Progress, readJson(join(dir, "progress.json")), "progress.json");
  for (const f of readdirSync(join(dir, "status"))) expectValid(AgentStatus, readJson(join(dir, "status", f)), f);
  for (const e of readEvents(dir)) expectValid(PlanEvent, e, "event");
}

/** How many times each agent reached a terminal state, from the events of every run. */
function terminalCounts(events: PlanEvent[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const e of events) if (e.type === "agent.state" && TERMINAL_AGENT_STATES.includes(e.to)) counts[e.agent] = (counts[e.agent] ?? 0) + 1;
  return counts;
}

test("kill -9 while 3 agents run, then restart: old processes gone, each attempt rises by 1, each agent ends once", async () => {
  const root = tempRoot({ git: true });
  const ctl = mkdtempSync(join(tmpdir(), "purple-crash-"));
  const ids = ["a", "b", "c"];
  const plan: PlanInput = {
    apiVersion: "purple/v1",
    name: "trio",
    maxAgents: 3,
    defaults: { runner: "command", retries: 0 },
    agents: ids.map((id) => ({ id, territory: [`out/${id}/`], runner: { kind: "command" as const, command: ["bash", "-c", `echo $$ >> ${ctl}/runs-${id}; while [ ! -f ${ctl}/go ]; do sleep 0.05; done; mkdir -p out/${id} && echo ok > out/${id}/x`] } })),
    waves: [{ id: "w", agents: ids }],
  };
  const first = start(root);
  await first.started();
  const dir = dropPlan(root, plan);
  await until(() => ids.every((id) => lines(join(ctl, `runs-${id}`)).length === 1), "three agents running");
  const firstPids = ids.map((id) => Number(lines(join(ctl, `runs-${id}`))[0]));
  first.proc.kill("SIGKILL");
  await first.exited;
  expect(firstPids.every(processRunning)).toBe(true); // orphaned, still waiting

  const second = start(root);
  await second.waitFor((l) => l.msg === "state recovered from the journal", "recovery");
  await until(() => firstPids.every((p) => !processRunning(p)), "the old run's processes to be killed", 5_000);
  await until(() => ids.every((id) => lines(join(ctl, `runs-${id}`)).length === 2), "the agents to run again");
  writeFileSync(join(ctl, "go"), "");
  expect((await second.planEnded("trio")).state).toBe("succeeded");
  await second.stop();

  for (const id of ids) {
    const a = expectValid(AgentStatus, readJson(join(dir, "status", `${id}.json`)), id);
    expect(a.state).toBe("completed");
    expect(a.attempt).toBe(2);
  }
  const events = readEvents(dir);
  expect(terminalCounts(events)).toEqual({ a: 1, b: 1, c: 1 });
  for (const id of ids) expect(events.some((e) => e.type === "agent.state" && e.agent === id && e.to === "interrupted")).toBe(true);
  expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1)); // one event stream across both runs
  statusFilesParse(dir);
}, 60_000);

for (const point of ["after-append:14", "before-rename:4", "after-rename:4", "mid-wave"]) {
  test(`crash at ${point}: the recovered state is the committed one; nothing completed runs again`, async () => {
    const root = tempRoot({ git: true });
    const ctl = mkdtempSync(join(tmpdir(), "purple-crash-"));
    const agent = (id: string) => ({ id, territory: [`out/${id}/`], runner: { kind: "command" as const, command: ["bash", "-c", `echo run >> ${ctl}/runs-${id}; sleep 0.${id === "a" ? 1 : 4}; mkdir -p out/${id} && echo ok > out/${id}/x`] } });
    const plan: PlanInput = {
      apiVersion: "purple/v1",
      name: "crashy",
      defaults: { runner: "command", retries: 0 },
      agents: [agent("a"), agent("b"), agent("c")],
      waves: [
        { id: "w1", agents: ["a", "b"], gate: [{ run: `echo gate >> ${ctl}/gate-w1` }] },
        { id: "w2", agents: ["c"], gate: [{ run: `echo gate >> ${ctl}/gate-w2` }] },
      ],
    };
    const first = start(root, { PURPLED_CRASH_AT: point });
    await first.started();
    const dir = dropPlan(root, plan);
    await first.exited; // it dies at the crash point
    expect(first.proc.signalCode).toBe("SIGKILL");

    // What was committed when it died, read from the journal as a restart will read it.
    const stateDir = join(orchestrationDir(root), ".purple");
    const opened = Journal.open(stateDir);
    opened.journal.close();
    const committed = rebuild(opened.recovered, { retry: DEFAULT_RETRY }).find((p) => p.run.name === "crashy");
    const doneBefore = committed ? [...committed.run.agents.values()].filter((a) => a.state === "completed").map((a) => a.id) : [];
    const passedBefore = committed ? committed.run.waves.filter((w) => w.state === "passed").map((w) => w.id) : [];

    const second = start(root);
    await second.started();
    expect((await second.planEnded("crashy", 30_000)).state).toBe("succeeded");
    await second.stop();
    for (const id of doneBefore) expect(lines(join(ctl, `runs-${id}`)).length).toBe(1); // completed: never again
    for (const w of passedBefore) expect(lines(join(ctl, `gate-${w}`)).length).toBe(1); // passed gate: never again
    for (const id of ["a", "b", "c"]) expect(readFileSync(join(root, "out", id, "x"), "utf8")).toBe("ok\n");
    expect(terminalCounts(readEvents(dir))).toEqual({ a: 1, b: 1, c: 1 });
    statusFilesParse(dir);
  }, 60_000);
}

test("after a SIGTERM drain, a restart runs the interrupted agent again (attempt 2)", async () => {
  const root = tempRoot({ git: true });
  const ctl = mkdtempSync(join(tmpdir(), "purple-crash-"));
  const first = start(root);
  await first.started();
  const dir = dropPlan(root, {
    apiVersion: "purple/v1",
    name: "drained",
    defaults: { runner: "command", retries: 0 },
    agents: [{ id: "a", territory: ["out/"], runner: { kind: "command", command: ["bash", "-c", `echo run >> ${ctl}/runs; while [ ! -f ${ctl}/go ]; do sleep 0.05; done; mkdir -p out && echo ok > out/x`] } }],
    waves: [{ id: "w", agents: ["a"] }],
  });
  await until(() => lines(join(ctl, "runs")).length === 1, "the agent to run");
  expect(await first.stop("SIGTERM")).toBe(0);
  expect(expectValid(AgentStatus, readJson(join(dir, "status", "a.json")), "a").state).toBe("interrupted");
  writeFileSync(join(ctl, "go"), "");
  const second = start(root);
  expect((await second.planEnded("drained")).state).toBe("succeeded");
  expect(lines(join(ctl, "runs")).length).toBe(2);
  expect(expectValid(AgentStatus, readJson(join(dir, "status", "a.json")), "a").attempt).toBe(2);
}, 30_000);

test("a journal damaged in the middle: purpled refuses to start and names the file and byte", async () => {
  const root = tempRoot();
  const first = start(root);
  await first.started();
  dropPlan(root, { apiVersion: "purple/v1", name: "small", defaults: { runner: "command" }, agents: [{ id: "a", runner: { kind: "command", command: ["true"] } }], waves: [{ id: "w", agents: ["a"] }] });
  await first.planEnded("small");
  first.proc.kill("SIGKILL"); // no clean-stop snapshot: the journal holds everything
  await first.exited;
  const file = join(orchestrationDir(root), ".purple", "journal-0.jsonl");
  const text = readFileSync(file, "utf8");
  const at = text.indexOf("\n") + 1;
  writeFileSync(file, text.slice(0, at) + "garbage" + text.slice(at + 7));
  const second = start(root);
  expect(await second.exited).toBe(1);
  expect(second.stderrText.join("\n")).toContain(`journal-0.jsonl is corrupt at byte ${at} (line 2)`);
}, 30_000);
