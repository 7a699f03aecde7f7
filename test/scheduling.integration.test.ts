// Scheduling decisions as a user sees them, against the real purpled: a retry after a restart
// runs the agent again (its plan's failure is remembered across the restart, not guessed from
// text), a later small plan is not starved by a large one, and cancelling one agent says so.
import { afterEach, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import YAML from "yaml";
import { DaemonInfo, type PlanInput } from "../protocol/index.ts";
import { DaemonProcess, orchestrationDir, purplectl, tempRoot } from "./support/daemon.ts";
import { expectValid, readJson } from "./support/files.ts";
import { TestRpc } from "./support/rpc.ts";

const daemons: DaemonProcess[] = [];
const clients: TestRpc[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const d of daemons.splice(0)) if (d.proc.exitCode === null) await d.stop("SIGKILL");
});

async function startDaemon(root: string, args: string[] = []): Promise<{ d: DaemonProcess; rpc: TestRpc; socket: string }> {
  const d = new DaemonProcess(root, args);
  daemons.push(d);
  await d.started();
  const info = expectValid(DaemonInfo, readJson(join(orchestrationDir(root), ".purple", "daemon.json")), "daemon.json");
  const rpc = await TestRpc.connect(info.socket);
  clients.push(rpc);
  await rpc.call("events.subscribe", {});
  return { d, rpc, socket: info.socket };
}


const isEvent = (type: string, extra: Record<string, unknown> = {}) => (n: any) => n.method === "event" && n.params.type === type && Object.entries(extra).every(([k, v]) => n.params[k] === v);

function submitFile(dir: string, plan: PlanInput): string {
  const path = join(dir, `${plan.name}.yaml`);
  writeFileSync(path, YAML.stringify(plan));
  return path;
}

test("a plan fails, purpled restarts, `purplectl retry PLAN AGENT` runs the agent again and the plan succeeds", async () => {
  const root = tempRoot({ git: true });
  const ctl = mkdtempSync(join(tmpdir(), "purple-sched-"));
  // a fails until the test allows it; b depends on a, so the plan's failure cancels it before it runs
  const plan: PlanInput = {
    apiVersion: "purple/v1",
    name: "again",
    defaults: { runner: "command", retries: 0 },
    agents: [
      { id: "a", territory: ["out/a/"], runner: { kind: "command", command: ["bash", "-c", `test -f ${ctl}/ok || exit 3; mkdir -p out/a && echo ok > out/a/x`] } },
      { id: "b", territory: ["out/b/"], dependsOn: ["a"], runner: { kind: "command", command: ["bash", "-c", "mkdir -p out/b && echo ok > out/b/x"] } },
    ],
    waves: [{ id: "w", agents: ["a", "b"] }],
  };
  const first = await startDaemon(root);
  await first.rpc.call("plan.submit", { path: submitFile(ctl, plan) });
  expect((await first.d.planEnded("again")).state).toBe("failed");
  expect(await first.d.stop("SIGTERM")).toBe(0);

  const second = await startDaemon(root);
  writeFileSync(join(ctl, "ok"), "");
  const r = await purplectl(second.socket, "retry", "again", "a");
  expect(r.err).toBe("");
  expect(r.code).toBe(0);
  expect((await second.d.planEnded("again")).state).toBe("succeeded");
  const detail = await second.rpc.call("plan.get", { plan: "again" });
  expect(detail.agents.map((a: any) => [a.agent, a.state, a.attempt])).toEqual([["a", "completed", 2], ["b", "completed", 1]]);
}, 60_000);

test("with --max-agents 2, a 1-agent plan submitted after an 8-agent plan starts before the big plan's fourth agent", async () => {
  const root = tempRoot({ git: true });
  const ctl = mkdtempSync(join(tmpdir(), "purple-sched-"));
  const ids = Array.from({ length: 8 }, (_, i) => `b${i}`);
  const gated = (id: string) => ({ kind: "command" as const, command: ["bash", "-c", `while [ ! -f ${ctl}/go ]; do sleep 0.05; done; mkdir -p out/${id} && echo ok > out/${id}/x`] });
  const big: PlanInput = { apiVersion: "purple/v1", name: "big", maxAgents: 8, defaults: { runner: "command", retries: 0 }, agents: ids.map((id) => ({ id, territory: [`out/${id}/`], runner: gated(id) })), waves: [{ id: "w", agents: ids }] };
  const small: PlanInput = { apiVersion: "purple/v1", name: "small", defaults: { runner: "command", retries: 0 }, agents: [{ id: "s", territory: ["out/s/"], runner: gated("s") }], waves: [{ id: "w", agents: ["s"] }] };
  const { d, rpc } = await startDaemon(root, ["--max-agents", "2"]);
  await rpc.call("plan.submit", { path: submitFile(ctl, big) });
  await rpc.waitNotification(isEvent("agent.state", { plan: "big", agent: "b1", to: "running" }), "two big agents running");
  await rpc.call("plan.submit", { path: submitFile(ctl, small) });
  await rpc.waitNotification(isEvent("plan.state", { plan: "small", to: "running" }), "the small plan under way, waiting for a slot");
  writeFileSync(join(ctl, "go"), "");
  await Promise.all([d.planEnded("big", 60_000), d.planEnded("small", 60_000)]);
  const starts = rpc.notifications.filter(isEvent("agent.state", { to: "running" })).map((n) => `${n.params.plan}/${n.params.agent}`);
  expect(starts.length).toBe(9);
  const bigStarts = starts.filter((s) => s.startsWith("big/"));
  expect(starts.indexOf("small/s")).toBeLessThan(starts.indexOf(bigStarts[3]!));
}, 60_000);

test("cancelling one running agent: logged CANCELLED, the reply tells its end, the plan is blocked naming the retry", async () => {
  const root = tempRoot({ git: true });
  const ctl = mkdtempSync(join(tmpdir(), "purple-sched-"));
  const plan: PlanInput = {
    apiVersion: "purple/v1",
    name: "one",
    defaults: { runner: "command", retries: 0 },
    agents: [{ id: "a", territory: ["out/a/"], runner: { kind: "command", command: ["bash", "-c", "sleep 30"] } }],
    waves: [{ id: "w", agents: ["a"] }],
  };
  const { d, rpc, socket } = await startDaemon(root);
  await rpc.call("plan.submit", { path: submitFile(ctl, plan) });
  await rpc.waitNotification(isEvent("agent.state", { plan: "one", agent: "a", to: "running" }), "a running");
  const r = await purplectl(socket, "--json", "cancel", "one", "a");
  expect(r.code).toBe(0);
  const status = JSON.parse(r.out);
  expect(status.state).toBe("cancelled");
  expect(status.reason).toContain("purplectl retry one a");
  const ended = await d.planEnded("one");
  expect(ended.state).toBe("blocked");
  const log = readFileSync(join(orchestrationDir(root), "one", "status-log.md"), "utf8");
  expect(log).toMatch(/ a CANCELLED cancelled: cancelled by a person/);
  expect(log).not.toMatch(/ a BLOCKED/);
}, 60_000);
