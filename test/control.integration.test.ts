// The real purpled's control socket: every RPC method, the error codes, and the socket's safety.
import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import YAML from "yaml";
import { AgentStatus, DaemonInfo, DaemonStatusResult, PlanDetail, PlanSummary, Progress, type PlanInput } from "../protocol/index.ts";
import { DaemonProcess, orchestrationDir, tempRoot } from "./support/daemon.ts";
import { expectValid, readJson } from "./support/files.ts";
import { processRunning } from "./support/procs.ts";
import { TestRpc } from "./support/rpc.ts";

const daemons: DaemonProcess[] = [];
const clients: TestRpc[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const d of daemons.splice(0)) if (d.proc.exitCode === null) await d.stop("SIGKILL");
});

async function startDaemon(root: string): Promise<{ d: DaemonProcess; rpc: TestRpc; info: DaemonInfo }> {
  const d = new DaemonProcess(root);
  daemons.push(d);
  await d.started();
  const info = expectValid(DaemonInfo, readJson(join(orchestrationDir(root), ".purple", "daemon.json")), "daemon.json");
  const rpc = await TestRpc.connect(info.socket);
  clients.push(rpc);
  return { d, rpc, info };
}

/** An agent that waits for `go-<id>` in a control folder outside the root, then writes inside its territory. */
const waiting = (ctl: string, id: string) => ({ kind: "command" as const, command: ["bash", "-c", `echo $$ > ${ctl}/pid-${id}; while [ ! -f ${ctl}/go-${id} ]; do sleep 0.05; done; mkdir -p out/${id} && echo done > out/${id}/x`] });
const isEvent = (type: string, extra: Record<string, unknown> = {}) => (n: any) => n.method === "event" && n.params.type === type && Object.entries(extra).every(([k, v]) => n.params[k] === v);

describe("control channel of the real purpled", () => {
  test("every method, from status to shutdown", async () => {
    const root = tempRoot({ git: true });
    const ctl = mkdtempSync(join(tmpdir(), "purple-ctl-"));
    const { d, rpc, info } = await startDaemon(root);

    const status = expectValid(DaemonStatusResult, await rpc.call("daemon.status"), "daemon.status");
    expect(status).toMatchObject({ protocol: "1.0", pid: d.proc.pid, root, plans: [], degraded: false, draining: false });
    expect(await rpc.call("events.subscribe", {})).toEqual({ subscribed: true });

    const plan: PlanInput = {
      apiVersion: "purple/v1",
      name: "ops",
      defaults: { runner: "command", retries: 0 },
      agents: [
        { id: "a", territory: ["out/a/"], runner: waiting(ctl, "a"), tickets: [{ id: "A-1", title: "first" }, { id: "A-2", title: "second" }] },
        { id: "b", territory: ["out/b/"], runner: waiting(ctl, "b") },
      ],
      waves: [{ id: "w1", agents: ["a", "b"], gate: [{ exists: "out/a/x" }, { manual: "Design review" }] }],
    };
    writeFileSync(join(ctl, "ops.yaml"), YAML.stringify(plan));
    expect(await rpc.call("plan.submit", { path: join(ctl, "ops.yaml") })).toEqual({ plan: "ops", outcome: "accepted", warnings: [] });
    await rpc.waitNotification(isEvent("agent.state", { agent: "a", to: "running" }), "a running");
    await rpc.waitNotification(isEvent("agent.state", { agent: "b", to: "running" }), "b running");

    const list = (await rpc.call("plan.list")) as unknown[];
    expect(list.map((s) => expectValid(PlanSummary, s, "summary").state)).toEqual(["running"]);
    expect(expectValid(PlanDetail, await rpc.call("plan.get", { plan: "ops" }), "plan.get").agents.map((a) => a.state)).toEqual(["running", "running"]);

    // the Purple status-bar and progress tools
    expect(await rpc.call("purple_progress_start_ticket", { plan: "ops", ticketId: "A-1", agent: "a" })).toEqual({});
    await rpc.call("purple_update_status", { plan: "ops", phase: "3 - Implementation", agent: "a", tool: "Edit", activeFile: "out/a/x" });
    await rpc.call("purple_set_phase", { plan: "ops", phase: "4 - Review" });
    await rpc.call("purple_report_progress", { plan: "ops", agent: "a", message: "halfway", percent: 50 });
    await rpc.call("purple_progress_complete_ticket", { plan: "ops", ticketId: "A-1" });
    const detail = expectValid(PlanDetail, await rpc.call("plan.get", { plan: "ops" }), "plan.get");
    expect(detail.plan.statusBar).toMatchObject({ phase: "4 - Review", agent: "a", tool: "Edit", activeFile: "out/a/x", progress: 50 });
    const a = detail.agents.find((x) => x.agent === "a")!;
    expect(a.tickets.map((t) => `${t.id}:${t.state}`)).toEqual(["A-1:completed", "A-2:pending"]);
    expect(a.notes).toEqual(["halfway (50%)"]);
    const planDir = join(orchestrationDir(root), "ops");
    const progressShows = () => {
      try {
        const p = Progress.parse(readJson(join(planDir, "progress.json")));
        return p.phases[0]!.tickets.find((t) => t.id === "A-1")?.status === "completed" ? p : null;
      } catch {
        return null;
      }
    };
    for (let i = 0; i < 100 && !progressShows(); i++) await Bun.sleep(20); // the next flush
    const progress = progressShows()!;
    expect(progress.summary.completedTickets).toBe(1);
    expect(progress.phases[0]!.tickets.find((t) => t.id === "A-1")!.completedAt).toBeString();
    expect(readFileSync(join(planDir, "status-log.md"), "utf8")).toMatch(/\] a IN_PROGRESS started ticket A-1: first$/m);

    // pause, cancel an agent, retry it, resume
    expect((await rpc.call("plan.pause", { plan: "ops" })).state).toBe("paused");
    for (let i = 0; i < 200 && !existsSync(join(ctl, "pid-b")); i++) await Bun.sleep(20); // its process is up
    expect(expectValid(AgentStatus, await rpc.call("agent.cancel", { plan: "ops", agent: "b" }), "agent").agent).toBe("b");
    await rpc.waitNotification(isEvent("agent.state", { agent: "b", to: "cancelled" }), "b cancelled");
    expect(processRunning(Number(readFileSync(join(ctl, "pid-b"), "utf8")))).toBe(false);
    expect((await rpc.call("agent.retry", { plan: "ops", agent: "b" })).state).toBe("queued");
    expect((await rpc.call("plan.resume", { plan: "ops" })).state).toBe("running");
    await rpc.waitNotification(isEvent("agent.state", { agent: "b", to: "running", attempt: 2 }), "b running again");

    // both finish; the manual check blocks the plan until it is approved
    writeFileSync(join(ctl, "go-a"), "");
    writeFileSync(join(ctl, "go-b"), "");
    await rpc.waitNotification(isEvent("plan.state", { to: "blocked" }), "the plan blocked on its manual check");
    expect((await rpc.call("plan.approve", { plan: "ops" })).state).toBe("running");
    await rpc.waitNotification(isEvent("plan.state", { to: "succeeded" }), "the plan to succeed");

    // stable error codes
    const notFound = await rpc.request("plan.get", { plan: "nope" });
    expect(notFound.error).toMatchObject({ code: -32001, data: { code: "PLAN_NOT_FOUND" } });
    expect((await rpc.request("agent.retry", { plan: "ops", agent: "a" })).error).toMatchObject({ code: -32003, data: { code: "INVALID_STATE" } });
    expect((await rpc.request("plan.get", {})).error).toMatchObject({ code: -32602, data: { code: "INVALID_PARAMS" } });
    expect((await rpc.request("purple_progress_start_ticket", { plan: "ops", ticketId: "ZZ-9" })).error?.data?.code).toBe("INVALID_PARAMS");

    // cancel a running plan: its agent's process goes
    writeFileSync(join(ctl, "doomed.yaml"), YAML.stringify({ ...plan, name: "doomed", agents: [{ id: "c", territory: ["out/c/"], runner: waiting(ctl, "c") }], waves: [{ id: "w", agents: ["c"] }] }));
    await rpc.call("plan.submit", { path: join(ctl, "doomed.yaml") });
    await rpc.waitNotification(isEvent("agent.state", { plan: "doomed", agent: "c", to: "running" }), "c running");
    for (let i = 0; i < 200 && !existsSync(join(ctl, "pid-c")); i++) await Bun.sleep(20); // its process is up
    expect((await rpc.call("plan.cancel", { plan: "doomed" })).state).toBe("cancelled");
    await rpc.waitNotification(isEvent("agent.state", { plan: "doomed", agent: "c", to: "cancelled" }), "c cancelled");
    expect(processRunning(Number(readFileSync(join(ctl, "pid-c"), "utf8")))).toBe(false);

    expect(await rpc.call("daemon.shutdown")).toEqual({});
    expect(await d.exited).toBe(0);
    expect(existsSync(info.socket)).toBe(false);
  }, 60_000);

  test("1,000 concurrent daemon.status requests to the real daemon: zero failures", async () => {
    const { info } = await startDaemon(tempRoot());
    const conns = await Promise.all(Array.from({ length: 100 }, () => TestRpc.connect(info.socket)));
    clients.push(...conns);
    const replies = await Promise.all(conns.flatMap((c) => Array.from({ length: 10 }, () => c.request("daemon.status"))));
    expect(replies.length).toBe(1000);
    expect(replies.filter((r) => r.error || r.result?.protocol !== "1.0").length).toBe(0);
  }, 30_000);

  test("the socket is 0600 in a 0700 directory", async () => {
    const { info } = await startDaemon(tempRoot());
    expect(statSync(info.socket).mode & 0o777).toBe(0o600);
    expect(statSync(dirname(info.socket)).mode & 0o777).toBe(0o700);
  }, 20_000);

  test("a stale socket and lock left by kill -9 do not stop the next start", async () => {
    const root = tempRoot();
    const first = await startDaemon(root);
    first.d.proc.kill("SIGKILL");
    await first.d.exited;
    expect(existsSync(first.info.socket)).toBe(true); // left behind
    const second = await startDaemon(root);
    expect((await second.rpc.call("daemon.status")).pid).toBe(second.d.proc.pid);
  }, 20_000);

  test("two daemons started on one root at the same moment, 20 times: exactly one wins", async () => {
    for (let i = 0; i < 20; i++) {
      const root = tempRoot();
      const pair = [new DaemonProcess(root), new DaemonProcess(root)];
      daemons.push(...pair);
      const outcome = await Promise.all(pair.map((d) => Promise.race([d.started().then(() => "won" as const), d.exited.then(() => "lost" as const)])));
      expect(outcome.filter((o) => o === "won").length).toBe(1);
      const winner = pair[outcome.indexOf("won")]!;
      const loser = pair[outcome.indexOf("lost")]!;
      expect(await loser.exited).not.toBe(0);
      expect(loser.stderrText.join("\n")).toContain(`pid ${winner.proc.pid}`);
      const info = expectValid(DaemonInfo, readJson(join(orchestrationDir(root), ".purple", "daemon.json")), "daemon.json");
      const rpc = await TestRpc.connect(info.socket); // the winner's socket survived the loser
      expect((await rpc.call("daemon.status")).pid).toBe(winner.proc.pid);
      rpc.close();
      expect(await winner.stop()).toBe(0);
    }
  }, 120_000);
});
