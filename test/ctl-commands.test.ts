// purplectl's commands against a fake daemon: each sends the right method and params, renders
// the result as a table or (--json) as the result itself, and exits with the SPEC's codes.
import { afterEach, expect, test } from "bun:test";
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import YAML from "yaml";
import { PurpleError } from "../protocol/errors.ts";
import { agent, ctl, daemonStatus, FakeDaemon, type Handler, FakeRpcError, fakeProject, planDetail, summary, writeDaemonJson } from "./ctl-fake-daemon.ts";

const fakes: FakeDaemon[] = [];
afterEach(() => fakes.splice(0).forEach((f) => f.stop()));
async function setup(handlers: Record<string, Handler> = {}) {
  const { root, socket } = fakeProject();
  const d = await FakeDaemon.start(socket, handlers);
  fakes.push(d);
  return { root, d, run: (...args: string[]) => ctl(["--socket", socket, ...args], { cwd: root }) };
}

test("status: the daemon and its plans as a table, or daemon.status's result with --json", async () => {
  const { d, run } = await setup();
  const r = await run("status");
  expect(r.code).toBe(0);
  expect(r.out).toContain("purpled 0.1.0 (protocol 1.0), pid 4242");
  expect(r.out).toMatch(/PLAN\s+STATE\s+WAVE/);
  expect(r.out).toMatch(/alpha\s+running\s+w1\s+0\/2\s+1\/3 done, 1 running\s+\$0\.25/);
  expect(d.methods()).toEqual(["daemon.status", "plan.rejections"]);
  const j = await run("--json", "status");
  expect(JSON.parse(j.out)).toEqual(daemonStatus());
});

test("status PLAN: plan.get rendered as waves and agents; exit 1 when the plan failed", async () => {
  let state: "running" | "failed" = "running";
  const { d, run } = await setup({ "plan.get": (p) => (p.plan === "alpha" ? planDetail(state) : null) });
  const r = await run("status", "alpha");
  expect(r.code).toBe(0);
  expect(d.requests.at(-1)).toEqual({ method: "plan.get", params: { plan: "alpha" } });
  expect(r.out).toContain("alpha: running — Test the client");
  expect(r.out).toMatch(/w1 \(First\)\s+running\s+a, b/);
  expect(r.out).toMatch(/b\s+w1\s+running\s+1\s+1\/2/);
  expect(JSON.parse((await run("status", "alpha", "--json")).out)).toEqual(planDetail());
  state = "failed";
  expect((await run("status", "alpha")).code).toBe(1);
});

test("approve, pause, resume, cancel send plan.<verb> {plan} and show the new summary", async () => {
  const verbs = ["approve", "pause", "resume", "cancel"] as const;
  const { d, run } = await setup(Object.fromEntries(verbs.map((v) => [`plan.${v}`, () => summary({ state: v === "pause" ? "paused" : "running" })])));
  for (const verb of verbs) {
    const r = await run(verb, "alpha");
    expect(r.code).toBe(0);
    expect(d.requests.at(-1)).toEqual({ method: `plan.${verb}`, params: { plan: "alpha" } });
    expect(r.out).toContain(`alpha: ${verb === "cancel" ? "cancelled" : `${verb}${verb.endsWith("e") ? "d" : "ed"}`}; now`);
  }
  const j = await run("--json", "pause", "alpha");
  expect(JSON.parse(j.out)).toEqual(summary({ state: "paused" }));
});

test("retry PLAN AGENT and cancel PLAN AGENT send agent.retry / agent.cancel", async () => {
  const { d, run } = await setup({ "agent.retry": () => agent("b", "w1", { attempt: 2 }), "agent.cancel": () => agent("b", "w1", { state: "cancelled" }) });
  const r = await run("retry", "alpha", "b");
  expect(r.code).toBe(0);
  expect(d.requests.at(-1)).toEqual({ method: "agent.retry", params: { plan: "alpha", agent: "b" } });
  expect(r.out).toContain("alpha/b: queued for another attempt; now queued (wave w1, attempt 2)");
  const c = await run("cancel", "alpha", "b", "--json");
  expect(d.requests.at(-1)).toEqual({ method: "agent.cancel", params: { plan: "alpha", agent: "b" } });
  expect(JSON.parse(c.out).state).toBe("cancelled");
});

test("stop sends daemon.shutdown", async () => {
  const { d, run } = await setup({ "daemon.shutdown": () => ({}) });
  const r = await run("stop");
  expect(r.code).toBe(0);
  expect(d.methods()).toEqual(["daemon.status", "daemon.shutdown"]);
  expect(r.out).toContain("pid 4242");
});

test("submit hands a plan file to the daemon at once; a refusal prints the offline check's problems exactly as without a daemon", async () => {
  // The fake refuses as purpled would (PLAN_INVALID with every problem), but with its own words:
  // what purplectl prints must be its own offline check's, as when that check ran first.
  const { root, d, run } = await setup({
    "plan.submit": (p) => {
      if (p.path.endsWith("good.yaml")) return { plan: "ok-plan", outcome: "accepted", warnings: [] };
      throw new PurpleError("PLAN_INVALID", "refused", { problems: [{ path: "name", message: "the daemon's words" }] });
    },
  });
  writeFileSync(join(root, "good.yaml"), YAML.stringify({ apiVersion: "purple/v1", name: "ok-plan", agents: [{ id: "a", territory: ["src/"] }], waves: [{ id: "w", agents: ["a"] }] }));
  const r = await run("submit", "good.yaml");
  expect(r.code).toBe(0);
  expect(d.methods()).toEqual(["daemon.status", "plan.submit"]);
  expect(d.requests.at(-1)).toEqual({ method: "plan.submit", params: { path: join(root, "good.yaml") } });
  expect(r.out).toContain("ok-plan: accepted; follow it with `purplectl watch ok-plan`");

  writeFileSync(join(root, "bad.yaml"), "apiVersion: purple/v1\nname: Bad Name\n");
  const bad = await run("submit", "bad.yaml");
  expect(d.requests.at(-1)).toEqual({ method: "plan.submit", params: { path: join(root, "bad.yaml") } });
  const none = await ctl(["--socket", join(root, "nobody.sock"), "submit", "bad.yaml"], { cwd: root }); // the offline path
  expect(bad.code).toBe(1);
  expect(none.code).toBe(1);
  expect(bad.err).toContain("purplectl: bad.yaml was not submitted: ");
  expect(bad.err).not.toContain("the daemon's words");
  expect(bad.err).toBe(none.err);
  const [badJson, noneJson] = await Promise.all([run("--json", "submit", "bad.yaml"), ctl(["--socket", join(root, "nobody.sock"), "--json", "submit", "bad.yaml"], { cwd: root })]);
  expect(JSON.parse(badJson.out)).toEqual(JSON.parse(noneJson.out));
  expect(JSON.parse(badJson.out)).toMatchObject({ submitted: false, code: "PLAN_INVALID" });
  expect(readdirSync(join(root, ".context-kit", "orchestration")).includes("inbox")).toBe(false);
});

test("submit: a refusal the offline check cannot see (this daemon lacks the runner) prints the daemon's problems and code", async () => {
  const { root, run } = await setup({
    "plan.submit": () => { throw new PurpleError("RUNNER_UNAVAILABLE", "refused", { problems: [{ path: "agents.a.runner", message: "this purpled does not serve claude-code" }] }); },
  });
  writeFileSync(join(root, "good.yaml"), YAML.stringify({ apiVersion: "purple/v1", name: "ok-plan", agents: [{ id: "a", territory: ["src/"] }], waves: [{ id: "w", agents: ["a"] }] }));
  const r = await run("submit", "good.yaml");
  expect(r.code).toBe(1);
  expect(r.err).toBe("purplectl: good.yaml was not submitted (RUNNER_UNAVAILABLE): 1 problem(s)\n  agents.a.runner: this purpled does not serve claude-code\n");
  const j = await run("--json", "submit", "good.yaml");
  expect(JSON.parse(j.out)).toEqual({ submitted: false, code: "RUNNER_UNAVAILABLE", problems: [{ path: "agents.a.runner", message: "this purpled does not serve claude-code" }] });
});

test("an RPC error prints `purplectl: <message> (<DATA_CODE>)` and exits 1", async () => {
  const { run } = await setup({ "plan.approve": () => { throw new FakeRpcError("INVALID_STATE", "alpha is running, not awaiting-approval"); } });
  const r = await run("approve", "alpha");
  expect(r.code).toBe(1);
  expect(r.err).toBe("purplectl: alpha is running, not awaiting-approval (INVALID_STATE)\n");
});

test("a daemon of another protocol major: exit 1 with the message", async () => {
  const { run } = await setup({ "daemon.status": () => daemonStatus({ protocol: "2.0", version: "2.0.0" }) });
  const r = await run("pause", "alpha");
  expect(r.code).toBe(1);
  expect(r.err).toContain("purpled 2.0.0 speaks protocol 2.0, this purplectl speaks 1.0; use the purplectl of the same version");
});

test("no daemon: exit 3 naming the socket tried and how to start one", async () => {
  const { root, socket } = fakeProject();
  const r = await ctl(["--socket", socket, "approve", "alpha"], { cwd: root });
  expect(r.code).toBe(3);
  expect(r.err).toContain(`no daemon answers on ${socket}`);
  expect(r.err).toContain(`purpled --root ${root}`);
  expect(r.err).toContain("purplectl service install");
});

test("usage errors exit 2", async () => {
  const { run } = await setup();
  for (const args of [[], ["frobnicate"], ["approve"], ["retry", "alpha"], ["status", "a", "b"], ["status", "-f"], ["service", "frob"], ["service", "print", "--systemd", "--launchd"], ["--bogus", "status"], ["logs", "Not A Plan"]]) {
    const r = await run(...args);
    expect({ args, code: r.code }).toEqual({ args, code: 2 });
    expect(r.err).toStartWith("purplectl: ");
  }
  expect((await run("--help")).code).toBe(0);
});

test("discovery: $PURPLE_SOCKET, --socket over it, and daemon.json found walking up", async () => {
  const { root, d } = await setup();
  mkdirSync(join(root, "deep", "er"), { recursive: true });
  const cwd = join(root, "deep", "er");
  expect((await ctl(["status"], { cwd, env: { PURPLE_SOCKET: d.socketPath } })).code).toBe(0);
  const over = await ctl(["--socket", join(root, "nothing.sock"), "approve", "alpha"], { cwd, env: { PURPLE_SOCKET: d.socketPath } });
  expect(over.code).toBe(3);
  expect(over.err).toContain(join(root, "nothing.sock"));

  // daemon.json with socket null (no control channel): the default path, where nothing listens.
  writeDaemonJson(root, null);
  const none = await ctl(["pause", "alpha"], { cwd });
  expect(none.code).toBe(3);
  expect(none.err).toContain(join(root, ".context-kit", "orchestration", ".purple", "purpled.sock"));
  writeDaemonJson(root, d.socketPath);
  const found = await ctl(["status"], { cwd });
  expect(found.code).toBe(0);
  expect(found.out).toContain("pid 4242");
  const viaRoot = await ctl(["--root", root, "status"], { cwd: "/" });
  expect(viaRoot.out).toContain("pid 4242");
});
