// purplectl watch against a fake daemon: it follows events to the plan's end and exits by its
// outcome; the frame (waves as bars, agents with ticket progress) and its in-place redraw.
import { afterEach, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { PlanState } from "../protocol/status.ts";
import { changed, frame, redraw } from "../ctl/watch-frame.ts";
import { BUN, cleanEnv, CTL, daemonStatus, FakeDaemon, type Handler, FakeRpcError, fakeProject, LineWaiter, planDetail, planStateEvent, summary } from "./ctl-fake-daemon.ts";

const fakes: FakeDaemon[] = [];
afterEach(() => fakes.splice(0).forEach((f) => f.stop()));

async function watchAgainstFake(args: string[], handlers: Record<string, Handler> = {}, inbox: string[] = []) {
  const { root, socket } = fakeProject();
  for (const item of inbox) {
    mkdirSync(join(root, ".context-kit", "orchestration", "inbox"), { recursive: true });
    writeFileSync(join(root, ".context-kit", "orchestration", "inbox", item), "");
  }
  let state: PlanState = "running";
  const d = await FakeDaemon.start(socket, { "plan.get": () => planDetail(state), ...handlers });
  fakes.push(d);
  const proc = Bun.spawn([BUN, CTL, "--socket", socket, "watch", ...args], { cwd: root, env: cleanEnv(), stdout: "pipe", stderr: "pipe" });
  const out = new LineWaiter(proc.stdout);
  return { d, proc, out, setState: (s: PlanState) => (state = s) };
}

for (const [end, code] of [["succeeded", 0], ["failed", 1], ["cancelled", 1]] as const) {
  test(`watch exits ${code} when the plan reaches ${end} through an event`, async () => {
    const w = await watchAgainstFake(["alpha"]);
    await w.d.subscribedOnce;
    await w.out.waitFor("alpha: running");
    expect(w.d.requests.find((r) => r.method === "events.subscribe")!.params).toEqual({ plan: "alpha" });
    w.setState(end);
    w.d.emit(planStateEvent(end));
    expect(await w.proc.exited).toBe(code);
    await w.out.waitFor(`alpha: ${end}`);
    // not a TTY: plain appended lines, each with its time, no escape sequences
    expect(w.out.text).not.toContain("\x1b[");
    expect(w.out.text).toMatch(/^\d\d:\d\d:\d\d alpha: running/m);
    expect(w.out.text).toMatch(/\d\d:\d\d:\d\d w1\s+running\s+\[##########----------\] 1\/2 agents/);
  });
}

test("watch without PLAN follows the one plan still going; the daemon going away is exit 3", async () => {
  const w = await watchAgainstFake([], { "daemon.status": () => daemonStatus({ plans: [summary({ plan: "old", state: "succeeded" }), summary()] }) });
  await w.out.waitFor("alpha: running");
  expect(w.d.requests.find((r) => r.method === "plan.get")!.params).toEqual({ plan: "alpha" });
  w.d.stop();
  expect(await w.proc.exited).toBe(3);
  expect(await new Response(w.proc.stderr).text()).toContain("went away");
});

test("the frame: a header, a bar per wave, an agent line with ticket progress", () => {
  const lines = frame(planDetail());
  expect(lines.map((l) => l.key)).toEqual(["plan", "wave:w1", "agent:a", "agent:b", "wave:w2", "agent:c"]);
  expect(lines[0]!.text).toBe("alpha: running — wave w1, 0/2 waves passed, $0.25");
  expect(lines[1]!.text).toBe("w1    running    [##########----------] 1/2 agents");
  expect(lines[3]!.text).toBe("  b      running    tickets 1/2 [#####-----]");
  expect(lines[5]!.text).toBe("  c      queued");
});

test("appended mode prints only lines that changed; the TTY redraw moves up over the last frame", () => {
  const shown = new Map<string, string>();
  expect(changed(shown, frame(planDetail()))).toHaveLength(6);
  const next = planDetail("running");
  next.agents[1]!.tickets[1]!.state = "completed";
  expect(changed(shown, frame(next)).map((l) => l.key)).toEqual(["agent:b"]);
  const text = redraw(6, frame(next), 30);
  expect(text.startsWith("\r\x1b[6A\x1b[J")).toBe(true);
  expect(text.split("\n").every((l) => l.replace(/\x1b\[[0-9]*[AJ]|\r/g, "").length <= 29)).toBe(true);
  expect(redraw(0, frame(next), 100).startsWith("\x1b[J")).toBe(true);
});

test("watch right after submit waits for the inbox to accept the plan, then follows it", async () => {
  let accepted = false;
  const w = await watchAgainstFake(["alpha"], {
    "plan.get": () => {
      if (!accepted) throw new FakeRpcError("PLAN_NOT_FOUND", 'no plan named "alpha"');
      return planDetail("succeeded");
    },
  }, ["alpha.yaml"]); // on its way: an item of that name waits in the inbox
  await new LineWaiter(w.proc.stderr).waitFor("waiting for purpled to accept alpha");
  accepted = true;
  w.d.emit({ seq: 1, ts: new Date().toISOString(), plan: "alpha", type: "plan.accepted", hash: "h", source: "inbox/alpha.yaml" });
  expect(await w.proc.exited).toBe(0);
  await w.out.waitFor("alpha: succeeded");
});
