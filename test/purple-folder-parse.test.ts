// The pieces under compilePurpleFolder: the spec reader (its ticket layouts), path extraction,
// cohesion grouping, settling a wave's overlaps, and reading a folder from disk safely.
import { expect, test } from "bun:test";
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { componentOf, groupTickets } from "../inbox/purple/group.ts";
import { normalizePath, pathsOfTicket } from "../inbox/purple/paths.ts";
import { readPurpleFolder } from "../inbox/purple/compile.ts";
import { MERGE_LIMIT, settleWave, type Draft } from "../inbox/purple/settle.ts";
import { parseSpec } from "../inbox/purple/spec-parse.ts";

test("ticket layouts: id headings, numbered headings with a Ticket ID line, PHASE-n ids, bare id lists", () => {
  const text = [
    "# Implementation Spec: Layouts",
    "## Tickets",
    "### Phase 1: Setup",
    "#### Ticket 1",
    "**Ticket ID:** `LAY-1.1`",
    "**Title:** Set up the repo",
    "**Files To Modify**",
    "- `package.json`",
    "#### LAY-1.2 — Configure lint",
    "**Dependencies**",
    "- `LAY-1.1`",
    "## Loose tickets",
    "### PHASE-2-A: Wire the API",
    "```ts",
    "## not a heading",
    "```",
    "## Template list",
    "- **Ticket ID:** [PHASE-3-A]",
    "- **Title:** Ship it",
    "- **Ticket ID:** [PHASE-3-B]",
    "- **Title:** Announce it",
  ].join("\n");
  const spec = parseSpec("s.md", text);
  expect(spec.title).toBe("Layouts");
  expect(spec.phases).toEqual([{ number: 1, name: "Setup", line: 3 }]);
  expect(spec.tickets.map((t) => [t.id, t.title, t.phase, t.line])).toEqual([
    ["LAY-1.1", "Set up the repo", 1, 4],
    ["LAY-1.2", "Configure lint", 1, 9],
    ["PHASE-2-A", "Wire the API", 2, 13],
    ["PHASE-3-A", "Ship it", 3, 18],
    ["PHASE-3-B", "Announce it", 3, 20],
  ]);
  expect(spec.tickets[0]!.paths).toEqual(["package.json"]);
  expect(spec.tickets[1]!.dependsOn).toEqual(["LAY-1.1"]);
  expect(spec.tickets[2]!.body.join("\n")).toContain("## not a heading");
});

test("a ticket heading without an id gets one, with an item", () => {
  const spec = parseSpec("s.md", "### Phase 1: A\n#### Ticket 7: Do it\ntext\n");
  expect(spec.tickets.map((t) => [t.id, t.title])).toEqual([["TICKET-7", "Do it"]]);
  expect(spec.items).toEqual([expect.objectContaining({ kind: "inferred", line: 2 })]);
});

test("headings that merely look like ids are not tickets, unless progress.json knows the id", () => {
  expect(parseSpec("s.md", "### API-V2 Migration\n### Pre-Commit Checklist\n").tickets).toEqual([]);
  expect(parseSpec("s.md", "### setup-db: Database\n", new Set(["setup-db"])).tickets.map((t) => t.id)).toEqual(["setup-db"]);
});

test("paths: the Files list wins over pattern references; dirs become dir/; non-paths are dropped", () => {
  const body = [
    "Use `src/old/pattern.ts` as a model.",
    "**Files:**",
    "- **Create:** `src/new/thing.ts` -- new file",
    "- **Modify:** src/app/[id]/page.tsx and `src/hooks`",
    "- `.gitignore`",
    "**Pattern Reference:**",
    "- `src/other/ref.ts`",
  ];
  expect(pathsOfTicket(body)).toEqual(["src/new/thing.ts", "src/hooks/", "src/app/*/page.tsx", ".gitignore"]);
  expect(pathsOfTicket(["Touches `lib/a.ts` and lib/b.ts, see https://x.io/y.ts"])).toEqual(["lib/a.ts", "lib/b.ts"]);
  for (const bad of ["/api/ai/dictation", "@/lib/utils", "audio/webm", "../up.ts", ".git/config", "example.com/docs", "form.setValue", "bun run build", "~/x.ts"])
    expect(normalizePath(bad)).toBeNull();
  expect(normalizePath("./src/x.ts")).toBe("src/x.ts");
  expect(normalizePath("supabase/migrations/")).toBe("supabase/migrations/");
});

test("grouping: shared file, shared folder, shared component; otherwise alone", () => {
  const tickets = [
    { id: "A", title: "Schema", paths: ["db/schema.sql"] },
    { id: "B", title: "Seed data", paths: ["db/schema.sql", "db/seed.sql"] },
    { id: "C", title: "Button", paths: ["web/ui/button.tsx"] },
    { id: "D", title: "Dialog", paths: ["web/ui/dialog.tsx"] },
    { id: "E", title: "REST API for orders", paths: ["server/orders.ts"] },
    { id: "F", title: "API rate limits", paths: ["gateway/limits.ts"] },
    { id: "G", title: "Write the changelog", paths: ["CHANGELOG.md"] },
  ];
  const { groups, reasons } = groupTickets(tickets, 6);
  expect(groups).toEqual([[0, 1], [2, 3], [4, 5], [6]]);
  expect(reasons[1]).toEqual(["names db/schema.sql, as A does"]);
  expect(reasons[3]).toEqual(["works in web/ui/, as C does"]);
  expect(reasons[5]).toEqual(["is API work, as E is"]);
  // Capped at 2: the lone G joins the latest smallest group, then the two earlier pairs merge.
  expect(groupTickets(tickets, 2).groups).toEqual([[0, 1, 2, 3], [4, 5, 6]]);
  expect(componentOf("Add the login page")).toBe("auth");
  expect(componentOf("Page for login")).toBe("ui");
});

test("capping prefers to merge a ticket with one it depends on: they run in turn anyway", () => {
  const tickets = [
    { id: "A", title: "One", paths: ["a/1.ts"] },
    { id: "B", title: "Two", paths: ["b/2.ts"], dependsOn: ["A"] },
    { id: "C", title: "Three", paths: ["c/3.ts"] },
  ];
  expect(groupTickets(tickets, 2).groups).toEqual([[0, 1], [2]]);
  expect(groupTickets(tickets.map((t) => ({ ...t, dependsOn: [] })), 2).groups).toEqual([[0], [1, 2]]);
});

const draft = (key: string, tickets: number[], territory: string[], dependsOn: string[] = []): Draft => ({ key, tickets, territory, dependsOn: new Set(dependsOn) });

test("settle: a dependency cycle becomes one agent; overlapping agents merge", () => {
  const settled = settleWave([draft("a", [0], ["x/"], ["b"]), draft("b", [1], ["y/"], ["a"]), draft("c", [2], ["x/deep.ts"]), draft("d", [3], ["z/"], ["a"])], (k) => k);
  expect(settled.map((d) => [d.key, d.tickets, d.territory, [...d.dependsOn]])).toEqual([
    ["a", [0, 1, 2], ["x/", "y/"], []],
    ["d", [3], ["z/"], ["a"]],
  ]);
});

test("settle: overlapping agents too big to merge are chained instead", () => {
  const big = (key: string, from: number) => draft(key, Array.from({ length: MERGE_LIMIT }, (_, i) => from + i), ["shared/"]);
  const notes: { tickets: number[]; message: string }[] = [];
  const settled = settleWave([big("a", 0), big("b", 100)], (k) => k, notes);
  expect(settled.map((d) => [d.key, [...d.dependsOn]])).toEqual([["a", []], ["b", ["a"]]]);
  expect(notes[0]!.message).toContain("waits for it");
});

test("readPurpleFolder reads only progress.json and the specs, and never a link or a huge file", () => {
  const dir = mkdtempSync(join(tmpdir(), "purple-folder-"));
  try {
    mkdirSync(join(dir, "agent-written-specifications"));
    writeFileSync(join(dir, "progress.json"), "{}");
    writeFileSync(join(dir, "agent-written-specifications", "implementation-spec-a.md"), "# A");
    writeFileSync(join(dir, "agent-written-specifications", "implementation-spec-huge.md"), "x".repeat(1024 * 1024 + 1));
    writeFileSync(join(dir, "agent-written-specifications", "product-spec-a.md"), "# not read");
    writeFileSync(join(dir, "secret.md"), "# secret");
    symlinkSync(join(dir, "secret.md"), join(dir, "agent-written-specifications", "implementation-spec-link.md"));
    expect(readPurpleFolder(dir)).toEqual({ "progress.json": "{}", "agent-written-specifications/implementation-spec-a.md": "# A" });
    expect(readPurpleFolder(join(dir, "missing"))).toEqual({});
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
