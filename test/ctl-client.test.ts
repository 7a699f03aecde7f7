// The control-channel client against a fake daemon: framing, ids, result schemas, errors,
// the protocol check on first use, subscriptions, and what "no daemon" looks like.
import { afterEach, expect, test } from "bun:test";
import type { Socket } from "bun";
import { connect } from "../ctl/client.ts";
import { NoDaemonError, ProtocolMismatchError, RpcCallError } from "../ctl/errors.ts";
import { PurpleError } from "../protocol/errors.ts";
import { BUN, daemonStatus, FakeDaemon, type Handler, FakeRpcError, fakeProject, NO_ANSWER, planDetail, planStateEvent, summary } from "./ctl-fake-daemon.ts";

const fakes: FakeDaemon[] = [];
afterEach(() => fakes.splice(0).forEach((f) => f.stop()));
async function fake(handlers: Record<string, Handler> = {}): Promise<FakeDaemon> {
  const f = await FakeDaemon.start(fakeProject().socket, handlers);
  fakes.push(f);
  return f;
}

test("a call is checked against its result schema; the protocol is checked once, on first use", async () => {
  const d = await fake({ "plan.get": () => planDetail(), "plan.list": () => [summary()] });
  const c = await connect(d.socketPath);
  const detail = await c.call("plan.get", { plan: "alpha" });
  expect(detail.agents.map((a) => a.agent)).toEqual(["a", "b", "c"]);
  await c.call("plan.list");
  expect(d.methods()).toEqual(["daemon.status", "plan.get", "plan.list"]);
  expect(d.requests[1]!.params).toEqual({ plan: "alpha" });
  c.close();
});

test("daemon.status as the first call is its own protocol check: one round trip", async () => {
  const d = await fake();
  const c = await connect(d.socketPath);
  expect((await c.call("daemon.status")).pid).toBe(4242);
  expect(d.methods()).toEqual(["daemon.status"]);
  c.close();
});

test("an error answer becomes RpcCallError with its numeric code and data.code", async () => {
  const d = await fake({ "plan.get": () => { throw new FakeRpcError("PLAN_NOT_FOUND", "no plan ghost"); } });
  const c = await connect(d.socketPath);
  const err = await c.call("plan.get", { plan: "ghost" }).catch((e) => e);
  expect(err).toBeInstanceOf(RpcCallError);
  expect(err).toMatchObject({ code: -32001, dataCode: "PLAN_NOT_FOUND", message: "no plan ghost" });
  c.close();
});

test("a daemon of another protocol major is refused before any other call", async () => {
  const d = await fake({ "daemon.status": () => daemonStatus({ protocol: "2.3", version: "9.0.0" }), "plan.list": () => [] });
  const c = await connect(d.socketPath);
  const err = await c.call("plan.list").catch((e) => e);
  expect(err).toBeInstanceOf(ProtocolMismatchError);
  expect(err.message).toContain("purpled 9.0.0 speaks protocol 2.3, this purplectl speaks 1.0; use the purplectl of the same version");
  expect(d.methods()).toEqual(["daemon.status"]);
  c.close();
});

test("a result that does not match its schema is a clear failure, not a crash later", async () => {
  const d = await fake({ "plan.approve": () => ({ plan: "alpha" }) });
  const c = await connect(d.socketPath);
  const err = await c.call("plan.approve", { plan: "alpha" }).catch((e) => e);
  expect(err).toBeInstanceOf(PurpleError);
  expect(err.code).toBe("PROTOCOL_MISMATCH");
  expect(err.message).toContain("plan.approve");
  c.close();
});

test("overlapping calls are matched to their answers by id", async () => {
  const d = await fake({ "plan.get": (p) => planDetail(p.plan === "beta" ? "paused" : "running") });
  const c = await connect(d.socketPath);
  const [a, b] = await Promise.all([c.call("plan.get", { plan: "alpha" }), c.call("plan.get", { plan: "beta" })]);
  expect([a.plan.state, b.plan.state]).toEqual(["running", "paused"]);
  c.close();
});

test("subscribe delivers events; unknown event types are skipped", async () => {
  const d = await fake();
  const c = await connect(d.socketPath);
  const seen: string[] = [];
  let got!: () => void;
  const done = new Promise<void>((r) => (got = r));
  await c.subscribe("alpha", (e) => {
    seen.push(e.type);
    if (e.type === "plan.state") got();
  });
  expect(d.requests.at(-1)).toEqual({ method: "events.subscribe", params: { plan: "alpha" } });
  d.emit({ type: "from.the.future" } as never);
  d.emit(planStateEvent("succeeded"));
  await done;
  expect(seen).toEqual(["plan.state"]);
  c.close();
});

test("nothing listening: NoDaemonError naming the socket, for a missing file and a stale socket", async () => {
  const { socket } = fakeProject();
  const missing = await connect(socket).catch((e) => e);
  expect(missing).toBeInstanceOf(NoDaemonError);
  expect(missing.message).toContain(socket);
  expect(missing.code).toBe("NO_DAEMON");

  // A listener killed with SIGKILL leaves its socket file behind: connecting is refused.
  const child = Bun.spawn([BUN, "-e", `Bun.listen({ unix: ${JSON.stringify(socket)}, socket: { data() {} } }); console.log("up"); setInterval(() => {}, 1000);`], { stdout: "pipe" });
  const reader = child.stdout.getReader();
  await reader.read();
  child.kill("SIGKILL");
  await child.exited;
  const stale = await connect(socket).catch((e) => e);
  expect(stale).toBeInstanceOf(NoDaemonError);
  expect(stale.message).toContain("refused");
});

test("the daemon going away fails pending calls with NoDaemonError and resolves closed", async () => {
  const d = await fake({ "plan.get": () => NO_ANSWER });
  const c = await connect(d.socketPath, { callTimeoutMs: 0 });
  const pending = c.call("plan.get", { plan: "alpha" }).catch((e) => e);
  while (!d.methods().includes("plan.get")) await Bun.sleep(1);
  d.stop();
  expect(await pending).toBeInstanceOf(NoDaemonError);
  await c.closed;
});

test("a call without an answer times out as NoDaemon", async () => {
  const d = await fake({ "plan.get": () => NO_ANSWER });
  const c = await connect(d.socketPath, { callTimeoutMs: 100 });
  const err = await c.call("plan.get", { plan: "alpha" }).catch((e) => e);
  expect(err).toBeInstanceOf(NoDaemonError);
  expect(err.message).toContain("no answer within");
  c.close();
});

test("framing: an answer split across chunks (mid-character) and two answers in one chunk", async () => {
  const { socket } = fakeProject();
  const pending: { id: number; socket: Socket<undefined> }[] = [];
  const server = Bun.listen({
    unix: socket,
    socket: {
      data(s, d) {
        for (const line of d.toString().split("\n").filter(Boolean)) pending.push({ id: JSON.parse(line).id, socket: s });
        const answer = (id: number) => Buffer.from(`{"jsonrpc":"2.0","id":${id},"result":${JSON.stringify(id === 1 ? daemonStatus() : summary({ reason: `wave ${id} → “done”` }))}}\n`);
        if (pending.length === 1) return void s.write(answer(1)); // the protocol check goes first
        if (pending.length < 3) return;
        const [b, c] = [answer(2), answer(3)];
        const cut = b.indexOf("→") + 1; // inside the arrow's three bytes
        s.write(b.subarray(0, cut));
        setTimeout(() => s.write(Buffer.concat([b.subarray(cut), c])), 5);
      },
    },
  });
  const c = await connect(socket);
  const [, x, y] = await Promise.all([c.call("daemon.status"), c.call("plan.approve", { plan: "alpha" }), c.call("plan.pause", { plan: "alpha" })]);
  expect(x.reason).toBe("wave 2 → “done”");
  expect(y.reason).toBe("wave 3 → “done”");
  c.close();
  server.stop(true);
});
