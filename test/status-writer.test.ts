// The status writer: transitions become events, log lines and snapshot files; a failed flush is retried.
import { expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AgentStatus, Plan, PlanEvent, PlanStatus, Progress } from "../protocol/index.ts";
import { indexPlan } from "../daemon/core/plan-index.ts";
import { initialRunState, setAgentState, setPlanState } from "../daemon/core/state.ts";
import { newAgentRecord } from "../daemon/status/agent-record.ts";
import { StatusWriter } from "../daemon/status/writer.ts";

function setup(flushDelayMs = 5) {
  const dir = mkdtempSync(join(tmpdir(), "purple-writer-"));
  const index = indexPlan(Plan.parse({ apiVersion: "purple/v1", name: "w", agents: [{ id: "a", tickets: [{ id: "T1", title: "one" }, { id: "T2", title: "two" }] }, { id: "b" }], waves: [{ id: "w1", agents: ["a", "b"] }] }));
  const run = initialRunState(index);
  const records = new Map([...index.agents.keys()].map((k) => [k, newAgentRecord()]));
  const errors: unknown[] = [];
  const writer = new StatusWriter(dir, () => ({ statusBar: null, index, run, records, hash: "h", createdAt: 0 }), { flushDelayMs, onError: (e) => errors.push(e) });
  return { dir, run, writer, errors };
}

test("transitions become events, status-log lines and valid snapshots", () => {
  const { dir, run, writer } = setup();
  writer.transitions([setPlanState(run, "queued", null, 1), setPlanState(run, "running", null, 2), setAgentState(run, "a", "running", null, 3)]);
  writer.flush();
  writer.transitions([setAgentState(run, "a", "completed", null, 4)]);
  writer.flush();
  const events = readFileSync(join(dir, "events.jsonl"), "utf8").trim().split("\n").map((l) => PlanEvent.parse(JSON.parse(l)));
  expect(events.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
  expect(events.map((e) => e.type)).toEqual(["plan.state", "plan.state", "agent.state", "agent.state"]);
  const log = readFileSync(join(dir, "status-log.md"), "utf8");
  expect(log).toMatch(/^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\] a STARTED attempt 1$/m);
  expect(log).toMatch(/\] a COMPLETED /);
  expect(PlanStatus.parse(JSON.parse(readFileSync(join(dir, "status.json"), "utf8"))).counts).toMatchObject({ completed: 1, queued: 1 });
  expect(AgentStatus.parse(JSON.parse(readFileSync(join(dir, "status", "a.json"), "utf8"))).tickets.map((t) => t.state)).toEqual(["completed", "completed"]);
  expect(existsSync(join(dir, "status", "b.json"))).toBe(false); // b has broadcast nothing yet
  const progress = Progress.parse(JSON.parse(readFileSync(join(dir, "progress.json"), "utf8")));
  expect(progress.summary).toEqual({ totalPhases: 1, completedPhases: 0, totalTickets: 3, completedTickets: 2, inProgressTickets: 0 });
});

test("sequence numbers continue after a restart", () => {
  const { dir, run, writer } = setup();
  writer.transitions([setPlanState(run, "queued", null, 1)]);
  writer.flush();
  const again = new StatusWriter(dir, () => ({ statusBar: null, index: indexPlan(Plan.parse({ apiVersion: "purple/v1", name: "w", agents: [{ id: "a" }], waves: [{ id: "w1", agents: ["a"] }] })), run, records: new Map([["a", newAgentRecord()]]), hash: "h", createdAt: 0 }));
  again.event({ type: "plan.accepted", hash: "h", source: "x" });
  again.flush();
  const seqs = readFileSync(join(dir, "events.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l).seq);
  expect(seqs).toEqual([1, 2]);
});

test("a timed flush that fails reports the error, keeps what was pending and succeeds later", async () => {
  const { dir, run, writer, errors } = setup(5);
  rmSync(join(dir, "status"), { recursive: true });
  writeFileSync(join(dir, "status"), "a file where the folder should be"); // writes fail until it is gone
  writer.transitions([setPlanState(run, "queued", null, 1), setPlanState(run, "running", null, 2), setAgentState(run, "a", "running", null, 3)]);
  const deadline = Date.now() + 5_000;
  while (errors.length === 0 && Date.now() < deadline) await Bun.sleep(5);
  expect(errors.length).toBeGreaterThan(0);
  rmSync(join(dir, "status")); // the writer recreates the folder on its next try
  while (!existsSync(join(dir, "status", "a.json")) && Date.now() < deadline) await Bun.sleep(20);
  expect(AgentStatus.parse(JSON.parse(readFileSync(join(dir, "status", "a.json"), "utf8"))).state).toBe("running");
  expect(readFileSync(join(dir, "events.jsonl"), "utf8").trim().split("\n").length).toBe(3);
});
