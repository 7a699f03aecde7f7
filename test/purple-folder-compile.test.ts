// compilePurpleFolder: a feature folder (progress.json + implementation spec) becomes waves of
// cohesive agents that pass the schema and checkPlan; also folders with one source only, the
// per-wave agent cap, overlapping paths, and the real Purple folders of the corpus when present.
import { describe, expect, test } from "bun:test";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { checkPlan } from "../inbox/check-plan.ts";
import { compilePurpleFolder, isPurpleFolder, readPurpleFolder } from "../inbox/purple/compile.ts";
import type { CompileDefaults } from "../inbox/purple/types.ts";
import { Plan, type PlanInput } from "../protocol/plan.ts";

const SPEC = "agent-written-specifications/implementation-spec-cms.md";
const defaults: CompileDefaults = { runner: "command" };

const spec = `# Implementation Specification: Article CMS

## 1. Executive Summary
A small CMS. Phase headings are listed here first, as the engineering-architect does.

### Phase 1: Foundation
**Objective:** schema and clients.

### Phase 2: Core Features
**Objective:** the API and the screens.

## 4. Tickets

### Phase 1: Foundation

#### CMS-001: Database schema for articles
**Description:** Create the articles table.

**Files:**
- \`db/migrations/001_articles.sql\` -- new
- \`src/db/articles.ts\` -- row types

**Pattern Reference:**
- \`src/db/users.ts\` -- follow this (read only)

**Dependencies:** None

#### CMS-002: Article repository queries
**Files:**
- \`src/db/articles.ts\`
- \`src/db/queries.ts\`

**Dependencies:** CMS-001

#### CMS-003: API client configuration
**Files:**
- \`src/api/client.ts\`

### Phase 2: Core Features

#### CMS-004: Articles REST API
**Files:**
- \`src/api/articles.ts\`
- \`src/api/routes.ts\`

#### CMS-005: Article list UI
**Files:**
- \`src/ui/ArticleList.tsx\`

**Dependencies:** CMS-004

#### CMS-006: Article editor UI
**Files:**
- \`src/ui/ArticleEditor.tsx\`

**Dependencies:** CMS-005

## 5. Testing Strategy
\`\`\`
# not a heading: a shell comment
#### CMS-999: not a ticket either
\`\`\`
`;

const progress = {
  feature: "cms",
  createdAt: "2026-01-13T10:00:00Z",
  updatedAt: "2026-01-13T10:00:00Z",
  phases: [
    {
      number: 1,
      name: "Foundation",
      status: "pending",
      tickets: [
        { id: "CMS-001", name: "Database schema", status: "pending" },
        { id: "CMS-002", name: "Repository", status: "pending" },
        { id: "CMS-003", name: "API client", status: "pending" },
      ],
    },
    {
      number: 2,
      name: "Core Features",
      status: "pending",
      tickets: [
        { id: "CMS-004", name: "Articles API", status: "pending" },
        { id: "CMS-005", name: "Article list", status: "pending" },
        { id: "CMS-006", name: "Article editor", status: "pending" },
      ],
    },
  ],
  current: null,
  summary: { totalPhases: 2, completedPhases: 0, totalTickets: 6, completedTickets: 0, inProgressTickets: 0 },
};

const folder = (over: Record<string, string> = {}): Record<string, string> => ({ "progress.json": JSON.stringify(progress, null, 2), [SPEC]: spec, ...over });

/** The plan parsed and checked: both must accept it. */
function valid(input: PlanInput): Plan {
  const parsed = Plan.safeParse(input);
  if (!parsed.success) throw new Error(JSON.stringify(parsed.error.issues));
  expect(checkPlan(parsed.data)).toEqual([]);
  return parsed.data;
}

const agentOf = (plan: Plan, ticket: string) => plan.agents.find((a) => a.tickets.some((t) => t.id === ticket))!;

test("a feature folder compiles to one wave per phase with cohesive agents", () => {
  const { plan: input, items } = compilePurpleFolder(folder(), { name: "cms", defaults });
  const plan = valid(input);
  expect(plan.goal).toBe("Article CMS");
  expect(plan.defaults.runner).toBe("command");
  expect(plan.waves.map((w) => [w.id, w.title])).toEqual([["phase-1", "Foundation"], ["phase-2", "Core Features"]]);
  expect(plan.waves.map((w) => w.agents)).toEqual([["phase-1-database", "phase-1-api"], ["phase-2-api", "phase-2-ui"]]);
  // CMS-001 and CMS-002 name the same file; CMS-005 and CMS-006 are both UI in src/ui/.
  expect(agentOf(plan, "CMS-002").id).toBe(agentOf(plan, "CMS-001").id);
  expect(agentOf(plan, "CMS-006").id).toBe(agentOf(plan, "CMS-005").id);
  expect(agentOf(plan, "CMS-003").id).not.toBe(agentOf(plan, "CMS-001").id);
  const db = agentOf(plan, "CMS-001");
  expect(db.territory).toEqual(["db/migrations/001_articles.sql", "src/db/articles.ts", "src/db/queries.ts"]); // not the read-only pattern file
  expect(db.tickets[0]).toMatchObject({ id: "CMS-001", title: "Database schema for articles", description: expect.stringContaining("Create the articles table") });
  expect(agentOf(plan, "CMS-005").dependsOn).toEqual(["phase-2-api"]);
  expect(plan.agents.some((a) => a.tickets.some((t) => t.id === "CMS-999"))).toBe(false);
  // Every ticket's placement is an inferred item on its line in the spec.
  const line = spec.split("\n").findIndex((l) => l.startsWith("#### CMS-002")) + 1;
  expect(items).toContainEqual({ kind: "inferred", file: SPEC, line, message: expect.stringMatching(/CMS-002 → agent phase-1-database .*names src\/db\/articles\.ts/) });
  expect(items.filter((i) => i.kind === "inferred" && / → agent /.test(i.message))).toHaveLength(6);
  expect(items.filter((i) => i.kind !== "inferred")).toEqual([]);
});

test("never more agents in a wave than maxAgents: the smallest groups merge", () => {
  const { plan: input, items } = compilePurpleFolder(folder(), { name: "cms", defaults: { ...defaults, maxAgents: 1 } });
  const plan = valid(input);
  expect(plan.maxAgents).toBe(1);
  expect(plan.waves.map((w) => w.agents.length)).toEqual([1, 1]);
  expect(plan.agents.flatMap((a) => a.tickets.map((t) => t.id))).toEqual(["CMS-001", "CMS-002", "CMS-003", "CMS-004", "CMS-005", "CMS-006"]);
  expect(items.some((i) => /to keep at most 1 agents in the wave/.test(i.message))).toBe(true);
});

test("the cap holds for a wide phase of unrelated tickets", () => {
  const tickets = Array.from({ length: 20 }, (_, i) => `#### WIDE-${i + 1}: Thing ${i + 1}\n**Files:**\n- \`pkg${i}/x${i}.ts\`\n`).join("\n");
  const { plan: input } = compilePurpleFolder({ [SPEC]: `# Wide\n### Phase 1: All\n${tickets}` }, { name: "wide", defaults: { ...defaults, maxAgents: 4 } });
  const plan = valid(input);
  expect(plan.waves[0]!.agents).toHaveLength(4);
  expect(plan.agents.reduce((n, a) => n + a.tickets.length, 0)).toBe(20);
});

test("tickets naming overlapping paths end in one agent", () => {
  const text = `# Overlap
### Phase 1: Shared
#### OV-1: Build the parser
**Files:**
- \`src/shared/\`
#### OV-2: Write the renderer
**Files:**
- \`src/shared/render/html.ts\`
#### OV-3: Tune the scheduler
**Files:**
- \`src/shared/**/*.ts\`
#### OV-4: Add a logo
**Files:**
- \`assets/logo.svg\`
`;
  const { plan: input, items } = compilePurpleFolder({ [SPEC]: text }, { name: "overlap", defaults });
  const plan = valid(input);
  expect(plan.waves[0]!.agents).toHaveLength(2);
  expect(agentOf(plan, "OV-1").tickets.map((t) => t.id)).toEqual(["OV-1", "OV-2", "OV-3"]);
  expect(agentOf(plan, "OV-1").territory).toEqual(["src/shared/"]); // the glob and the file lie inside it
  expect(items.some((i) => /OV-2 → .*overlap/.test(i.message))).toBe(true);
});

test("a folder with only progress.json: phases and ticket names from it, agents by name", () => {
  const files = { "progress.json": JSON.stringify(progress) };
  expect(isPurpleFolder(files)).toBe(true);
  const { plan: input, items } = compilePurpleFolder(files, { name: "cms", defaults });
  const plan = valid(input);
  expect(plan.waves.map((w) => w.id)).toEqual(["phase-1", "phase-2"]);
  expect(agentOf(plan, "CMS-003").id).toBe("phase-1-api");
  expect(agentOf(plan, "CMS-004").tickets.map((t) => t.title)).toEqual(["Articles API"]);
  expect(plan.agents.every((a) => a.territory.length === 0)).toBe(true);
  expect(items).toContainEqual(expect.objectContaining({ kind: "ambiguous", file: "progress.json", message: expect.stringContaining("no implementation spec") }));
});

test("a folder with only a spec: phases from its headings", () => {
  const { plan: input, items } = compilePurpleFolder({ [SPEC]: spec }, { name: "cms", defaults });
  const plan = valid(input);
  expect(plan.waves.map((w) => w.agents)).toEqual([["phase-1-database", "phase-1-api"], ["phase-2-api", "phase-2-ui"]]);
  expect(items).toContainEqual(expect.objectContaining({ kind: "inferred", file: SPEC, line: 1, message: expect.stringContaining("no progress.json") }));
});

test("tickets in only one of the two sources are kept, with an item each", () => {
  const p = structuredClone(progress);
  p.phases[1]!.tickets.push({ id: "CMS-008", name: "Search box", status: "pending" });
  p.phases[0]!.tickets = p.phases[0]!.tickets.filter((t) => t.id !== "CMS-003");
  const text = JSON.stringify(p, null, 2);
  const { plan: input, items } = compilePurpleFolder(folder({ "progress.json": text }), { name: "cms", defaults });
  const plan = valid(input);
  expect(agentOf(plan, "CMS-008").tickets.find((t) => t.id === "CMS-008")!.title).toBe("Search box");
  expect(plan.waves[0]!.agents).toContain(agentOf(plan, "CMS-003").id);
  const line = text.split("\n").findIndex((l) => l.includes('"CMS-008"')) + 1;
  expect(items).toContainEqual({ kind: "ambiguous", file: "progress.json", line, message: expect.stringContaining("CMS-008") });
  expect(items).toContainEqual(expect.objectContaining({ kind: "inferred", file: SPEC, message: expect.stringContaining("CMS-003 is in the spec but not in progress.json") }));
});

test("odd input never throws and says what it could not read", () => {
  const odd: Record<string, string>[] = [{}, { "progress.json": "{nope" }, { "progress.json": "[]" }, { [SPEC]: "" }, { [SPEC]: "# Title only\n\nprose" }, { "progress.json": '{"phases":[null,{"tickets":[{}]}]}' }];
  for (const files of odd) {
    const result = compilePurpleFolder(files, { name: "Odd Name!", defaults });
    expect(result.plan.name).toBe("odd-name");
    expect(result.items.some((i) => i.kind === "not-understood" || i.kind === "ambiguous")).toBe(true);
  }
  expect(isPurpleFolder({ "orchestration-plan.md": "# x" })).toBe(false);
});

const CORPUS = join(import.meta.dir, "..", "..", "shared", "corpus", "purple");
const corpusFolders = existsSync(CORPUS) ? readdirSync(CORPUS).map((d) => join(CORPUS, d)).filter((d) => isPurpleFolder(readPurpleFolder(d))) : [];

describe.skipIf(corpusFolders.length === 0)("the corpus's Purple feature folders", () => {
  for (const dir of corpusFolders)
    test(`${dir.split("/").pop()} compiles to a plan that parses and checks`, () => {
      const { plan: input, items } = compilePurpleFolder(readPurpleFolder(dir), { name: "corpus", defaults: { runner: "anthropic" } });
      const plan = valid(input);
      expect(plan.waves.length).toBeGreaterThan(0);
      for (const w of plan.waves) expect(w.agents.length).toBeLessThanOrEqual(6);
      expect(plan.agents.some((a) => a.territory.length > 0)).toBe(true);
      expect(items.filter((i) => i.kind === "not-understood")).toEqual([]);
    });
});
