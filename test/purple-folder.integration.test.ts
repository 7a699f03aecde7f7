// A Purple feature folder dropped into O/: compiled (phases → waves, tickets grouped into agents),
// approved, run — and the folder's own progress.json kept up to date in the Purple schema,
// keeping the fields the Purple CLI put there.
import { afterEach, expect, test } from "bun:test";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import YAML from "yaml";
import { DaemonInfo, Progress } from "../protocol/index.ts";
import { DaemonProcess, orchestrationDir, tempRoot } from "./support/daemon.ts";
import { expectValid, readJson } from "./support/files.ts";
import { TestRpc } from "./support/rpc.ts";
import { ScriptedApi, type ScriptStep } from "./support/scripted-api.ts";

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

const SPEC = `# Implementation Spec: Greeting Cards

## Phase 1: Foundation

#### GC-001: Card data model
Create the card model.
**Files:**
- \`src/cards/model.ts\`

#### GC-002: Card storage
Persist cards next to the model.
**Files:**
- \`src/cards/store.ts\`

## Phase 2: Interface

#### GC-003: Card list UI
Show the cards.
**Files:**
- \`src/ui/list.tsx\`
`;

const PROGRESS = {
  feature: "greeting-cards",
  createdAt: "2026-11-01T10:00:00Z",
  updatedAt: "2026-11-01T10:00:00Z",
  branch: "feature/greeting-cards", // a field of the folder's own, to be kept
  phases: [
    { number: 1, name: "Foundation", status: "pending", tickets: [{ id: "GC-001", name: "Card data model", status: "pending" }, { id: "GC-002", name: "Card storage", status: "pending" }] },
    { number: 2, name: "Interface", status: "pending", tickets: [{ id: "GC-003", name: "Card list UI", status: "pending" }] },
  ],
  current: null,
  summary: { totalPhases: 2, completedPhases: 0, totalTickets: 3, completedTickets: 0, inProgressTickets: 0 },
};

const call = (name: string, input: unknown): ScriptStep => ({ reply: { content: [{ type: "tool_use", name, input }] } });

test("a Purple feature folder runs after approval and its own progress.json follows the run", async () => {
  const api = ScriptedApi.start({ scripts: {} });
  cleanups.push(() => api.stop());
  const root = tempRoot({ git: true });
  const O = orchestrationDir(root);
  const dir = join(O, "greeting-cards");
  mkdirSync(join(dir, "agent-written-specifications"), { recursive: true });
  writeFileSync(join(O, "purple.yaml"), YAML.stringify({ defaults: { runner: "anthropic", model: "claude-sonnet-4-5", maxAgents: 2 } }));
  // Purple folders are found by the periodic rescan (their files are not watched: the daemon itself rewrites progress.json)
  const d = new DaemonProcess(root, ["--rescan", "300ms"], { ANTHROPIC_API_KEY: "sk-ant-test-pf", ANTHROPIC_BASE_URL: api.url });
  cleanups.push(() => d.proc.exitCode === null && d.stop("SIGKILL"));
  await d.started();
  const rpc = await TestRpc.connect(expectValid(DaemonInfo, readJson(join(O, ".purple", "daemon.json")), "daemon.json").socket);
  cleanups.push(() => rpc.close());
  await rpc.call("events.subscribe", { plan: "greeting-cards" });

  writeFileSync(join(dir, "progress.json"), JSON.stringify(PROGRESS, null, 2));
  writeFileSync(join(dir, "agent-written-specifications", "implementation-spec-greeting-cards.md"), SPEC);
  await d.waitFor((l) => l.msg === "plan accepted" && l.plan === "greeting-cards", "the feature folder to be compiled and accepted");
  expect((await rpc.call("plan.get", { plan: "greeting-cards" })).plan.state).toBe("awaiting-approval");

  // phases became waves; each agent works through its own tickets with the ticket tools
  const compiled = YAML.parse(readFileSync(join(dir, "plan.compiled.yaml"), "utf8"));
  expect(compiled.waves.length).toBe(2);
  for (const agent of compiled.agents) {
    const steps = (agent.tickets as { id: string }[]).flatMap((t) => [call("start_ticket", { ticket_id: t.id }), call("complete_ticket", { ticket_id: t.id })]);
    api.push(agent.id, ...steps, call("finish", { summary: "done" }));
  }
  // GC-001 and GC-002 name files in one folder: one agent does both
  expect(compiled.agents.find((a: any) => a.tickets.some((t: any) => t.id === "GC-001")).tickets.map((t: any) => t.id)).toEqual(["GC-001", "GC-002"]);

  await rpc.call("plan.approve", { plan: "greeting-cards" });
  await rpc.waitNotification((n) => n.params?.type === "plan.state" && n.params.to === "succeeded", "the plan to succeed", 30_000);
  await d.stop(); // files flushed

  const own = JSON.parse(readFileSync(join(dir, "progress.json"), "utf8"));
  const progress = expectValid(Progress, own, "the folder's progress.json");
  expect(own.branch).toBe("feature/greeting-cards");
  expect(progress.feature).toBe("greeting-cards");
  expect(progress.phases.map((p) => [p.number, p.status])).toEqual([[1, "completed"], [2, "completed"]]);
  expect(progress.phases.flatMap((p) => p.tickets.map((t) => `${t.id}:${t.status}`))).toEqual(["GC-001:completed", "GC-002:completed", "GC-003:completed"]);
  expect(progress.summary).toMatchObject({ totalPhases: 2, completedPhases: 2, totalTickets: 3, completedTickets: 3, inProgressTickets: 0 });
  for (const t of progress.phases.flatMap((p) => p.tickets)) expect(Date.parse(t.completedAt!)).toBeGreaterThanOrEqual(Date.parse(t.startedAt!));
}, 60_000);
