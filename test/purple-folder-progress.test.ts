// mergeProgress: the plan's progress written into a feature folder's own progress.json — statuses,
// times, phases, summary and current updated; every other field and the structure kept.
import { expect, test } from "bun:test";
import { compilePurpleFolder } from "../inbox/purple/compile.ts";
import { mergeProgress } from "../inbox/purple/progress-sync.ts";
import { Progress, type ProgressStatus } from "../protocol/progress.ts";
import { Plan } from "../protocol/plan.ts";

const original = {
  feature: "cms",
  createdAt: "2026-01-13T10:00:00Z",
  updatedAt: "2026-01-13T10:00:00Z",
  purpleVersion: "0.9.1",
  phases: [
    {
      number: 1,
      name: "Foundation",
      status: "pending",
      estimate: "2d",
      tickets: [
        { id: "CMS-001", name: "Database schema", status: "pending", owner: "sam" },
        { id: "CMS-002", name: "Repository", status: "completed", startedAt: "2026-01-10T00:00:00Z", completedAt: "2026-01-11T00:00:00Z" },
      ],
    },
    { number: 2, name: "Empty phase", status: "pending", tickets: [] },
    { number: 3, name: "Core Features", status: "pending", tickets: [{ id: "CMS 004", name: "Articles API", status: "pending" }] },
  ],
  current: null,
  summary: { totalPhases: 3, completedPhases: 0, totalTickets: 3, completedTickets: 1, inProgressTickets: 0, note: "kept" },
};

type Ticket = Progress["phases"][number]["tickets"][number];
const t = (id: string, status: ProgressStatus, startedAt?: string, completedAt?: string): Ticket => ({
  id, name: id, status, ...(startedAt ? { startedAt } : {}), ...(completedAt ? { completedAt } : {}),
});

// What the daemon renders: waves numbered by position, so "Core Features" is its phase 2.
const ours: Progress = {
  feature: "cms-plan",
  createdAt: "2026-02-01T00:00:00Z",
  updatedAt: "2026-02-01T12:00:00Z",
  phases: [
    { number: 1, name: "Foundation", status: "completed", tickets: [t("CMS-001", "completed", "2026-02-01T10:00:00Z", "2026-02-01T11:00:00Z"), t("CMS-002", "pending")] },
    { number: 2, name: "Core Features", status: "in_progress", tickets: [t("CMS-004", "in_progress", "2026-02-01T11:30:00Z")] },
  ],
  current: { phase: 2, ticketId: "CMS-004", ticketName: "Articles API", agent: "phase-3-api" },
  summary: { totalPhases: 2, completedPhases: 1, totalTickets: 3, completedTickets: 1, inProgressTickets: 1 },
};

test("statuses and times by ticket id, other fields kept", () => {
  const merged = mergeProgress(structuredClone(original), ours) as Progress & Record<string, unknown>;
  expect(Progress.safeParse(merged).success).toBe(true);
  expect(merged.purpleVersion).toBe("0.9.1");
  expect(merged.feature).toBe("cms");
  expect(merged.createdAt).toBe("2026-01-13T10:00:00Z");
  expect(merged.updatedAt).toBe("2026-02-01T12:00:00Z");
  const [p1, p2, p3] = merged.phases as (Progress["phases"][number] & Record<string, unknown>)[];
  expect(p1!.estimate).toBe("2d");
  expect(p1!.tickets[0] as unknown).toEqual({ id: "CMS-001", name: "Database schema", status: "completed", owner: "sam", startedAt: "2026-02-01T10:00:00Z", completedAt: "2026-02-01T11:00:00Z" });
  // The plan runs CMS-002 again: its old times go with its old status.
  expect(p1!.tickets[1]).toEqual({ id: "CMS-002", name: "Repository", status: "pending" });
  // "CMS 004" ran as CMS-004; its name and id stay as the file wrote them.
  expect(p3!.tickets[0]).toEqual({ id: "CMS 004", name: "Articles API", status: "in_progress", startedAt: "2026-02-01T11:30:00Z" });
  expect([p1!.status, p2!.status, p3!.status]).toEqual(["completed", "pending", "in_progress"]);
  expect(merged.current).toEqual({ phase: 3, ticketId: "CMS-004", ticketName: "Articles API", agent: "phase-3-api" });
  expect(merged.summary).toEqual({ totalPhases: 3, completedPhases: 1, totalTickets: 3, completedTickets: 1, inProgressTickets: 1, note: "kept" } as Progress["summary"]);
});

test("the input is not modified and the structure (ids, names, numbers) never changes", () => {
  const input = structuredClone(original);
  const merged = mergeProgress(input, { ...ours, phases: [...ours.phases, { number: 3, name: "Extra", status: "pending", tickets: [t("NEW-1", "pending")] }] });
  expect(input).toEqual(original);
  const shape = (p: { phases: { number: number; name: string; tickets: { id: string; name: string }[] }[] }) => p.phases.map((ph) => [ph.number, ph.name, ph.tickets.map((x) => [x.id, x.name])]);
  expect(shape(merged)).toEqual(shape(original));
});

test("an invalid original yields the plan's own progress", () => {
  for (const bad of [null, undefined, "text", 42, [], {}, { phases: "none" }]) expect(mergeProgress(bad, ours)).toEqual(ours);
});

test("odd entries in a valid-looking original are kept and skipped", () => {
  const odd = { phases: [null, { number: 1, name: "Foundation", tickets: [null, { name: "no id" }, { id: "CMS-001", name: "x", status: "pending" }] }] };
  const merged = mergeProgress(odd, ours) as unknown as { phases: unknown[]; summary: Progress["summary"]; feature: string };
  expect(merged.phases[0]).toBeNull();
  expect(merged.feature).toBe("cms-plan");
  expect((merged.phases[1] as { tickets: unknown[] }).tickets[2]).toMatchObject({ id: "CMS-001", status: "completed" });
  expect(merged.summary).toEqual({ totalPhases: 1, completedPhases: 1, totalTickets: 2, completedTickets: 1, inProgressTickets: 0 });
});

test("round trip: a compiled folder's tickets, as the daemon reports them, land in the folder's file", () => {
  const spec = "# Demo\n### Phase 1: One\n#### D-1: First\n**Files:** `a/x.ts`\n#### D-2: Second\n**Files:** `b/y.ts`\n";
  const file = { feature: "demo", createdAt: "c", updatedAt: "u", phases: [{ number: 1, name: "One", status: "pending", tickets: [{ id: "D-1", name: "First", status: "pending" }, { id: "D-2", name: "Second", status: "pending" }] }], current: null, summary: {} };
  const plan = Plan.parse(compilePurpleFolder({ "progress.json": JSON.stringify(file), "agent-written-specifications/implementation-spec-demo.md": spec }, { name: "demo", defaults: { runner: "command" } }).plan);
  const rendered: Progress = {
    feature: plan.name, createdAt: "c2", updatedAt: "u2", current: null,
    phases: plan.waves.map((w, i) => ({ number: i + 1, name: w.title ?? w.id, status: "completed", tickets: plan.agents.filter((a) => w.agents.includes(a.id)).flatMap((a) => a.tickets.map((x) => t(x.id, "completed", "s", "e"))) })),
    summary: { totalPhases: 1, completedPhases: 1, totalTickets: 2, completedTickets: 2, inProgressTickets: 0 },
  };
  const merged = mergeProgress(file, rendered);
  expect(merged.phases[0]!.status).toBe("completed");
  expect(merged.phases[0]!.tickets.map((x) => x.status)).toEqual(["completed", "completed"]);
  expect(merged.summary).toEqual({ totalPhases: 1, completedPhases: 1, totalTickets: 2, completedTickets: 2, inProgressTickets: 0 });
});
