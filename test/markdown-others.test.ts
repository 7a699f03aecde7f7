// Plans written by other authors and tools (issue 15): one small fixture of our own per writing
// style — phases of tracks, lanes, missions or streams; a file-ownership matrix with the agents as
// columns; "Owns exclusively" / "Must not touch" lists; a single file; a plan file with another
// name — and what the compiler says when a folder yields nothing.
import { expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkPlan } from "../inbox/check-plan.ts";
import { compilableKind, compileFolder } from "../inbox/compile-folder.ts";
import { compileMarkdownPlan } from "../inbox/markdown/compile.ts";
import { Plan } from "../protocol/plan.ts";

const opts = { name: "fixture", defaults: { runner: "anthropic" as const } };
const compile = (files: Record<string, string>) => compileMarkdownPlan(files, opts);
const territoryOf = (r: ReturnType<typeof compile>) => Object.fromEntries(r.plan.agents.map((a) => [a.id, a.territory]));
const loads = (r: ReturnType<typeof compile>) => expect(checkPlan(Plan.parse(r.plan))).toEqual([]);

test("phases of tracks with Owns exclusively / Must not touch lists: only the owned paths are territory", () => {
  const r = compile({
    "BUILD_PLAN.md": `# Billing rebuild

Read \`docs/architecture.md\` before starting; see \`src/legacy/billing.ts\` for the old code.

## Phase 1: Foundations

### Track A: Ledger
**Owns exclusively**:
- \`src/ledger/\`
- \`migrations/001_ledger.sql\`

**Must not touch**:
- \`src/invoices/\` (Track B)

**Reads**: \`src/config.ts\`

### Track B: Invoices
**Owns exclusively**: \`src/invoices/\`, \`templates/invoice.html\`
**Must not touch**: \`src/ledger/\`

## Phase 2: Wiring

### Track C: API
**Owns exclusively**:
- \`src/api/billing.ts\`

Example request: see \`examples/invoice.json\`.
`,
  });
  expect(r.plan.waves.map((w) => w.agents)).toEqual([["track-a-ledger", "track-b-invoices"], ["track-c-api"]]);
  expect(territoryOf(r)).toEqual({
    "track-a-ledger": ["src/ledger/", "migrations/001_ledger.sql"],
    "track-b-invoices": ["src/invoices/", "templates/invoice.html"],
    "track-c-api": ["src/api/billing.ts"],
  });
  expect(r.planFile?.file).toBe("BUILD_PLAN.md");
  expect(r.territory!.every((e) => e.confidence === "high" && e.line > 0 && e.file === "BUILD_PLAN.md")).toBe(true);
  expect(r.gaps).toEqual([]);
  loads(r);
});

test("phases of lanes, missions and streams are waves; a Team keeps its number across phases", () => {
  for (const noun of ["Lane", "Mission", "Stream", "Team"]) {
    const r = compile({
      "plan.md": `# Work

## Phase 1: Groundwork
### ${noun} 1: Storage
**Files**: \`db/schema.sql\`
### ${noun} 2: Frontend
**Files**: \`web/src/\`

## Phase 2: Finish
### ${noun} 3: Docs
**Files**: \`docs/guide.md\`
`,
    });
    const slug = noun.toLowerCase();
    expect(r.plan.waves.map((w) => w.agents)).toEqual([[`${slug}-1-storage`, `${slug}-2-frontend`], [`${slug}-3-docs`]]);
    expect(territoryOf(r)[`${slug}-3-docs`]).toEqual(["docs/guide.md"]);
    loads(r);
  }
  const teams = compile({
    "plan.md": `# Two teams

## Team Territories
### Team 1: Types
**Files**: \`src/**/*.py\`
### Team 2: Tests
**Files**: \`tests/**/*.py\`

## Phase 0: Setup
#### Team 1: Baseline run
#### Team 2: Baseline run
## Phase 1: Fixes
#### Team 1: Fix mypy errors
#### Team 2: Fix failing tests
`,
  });
  expect(teams.plan.agents.map((a) => a.id)).toEqual(["team-1-types", "team-2-tests"]);
  expect(teams.plan.waves).toHaveLength(2);
});

test("a file-ownership matrix with the agents as columns gives each path to the agent that writes it", () => {
  const r = compile({
    "orchestration-plan.md": `# Matrix

## Wave 1: Build
### Agent 1: API (\`api-agent\`)
Builds the endpoints.
### Agent 2: UI (\`ui-agent\`)
Builds the screens.

## File Ownership Matrix

| File | \`api-agent\` | \`ui-agent\` |
|---|---|---|
| \`server/routes.ts\` | ✅ owns | read |
| \`web/App.tsx\` | — | W |
| \`shared/types.ts\` | create | R |
| \`README.md\` | read | read |
`,
  });
  expect(territoryOf(r)).toEqual({ "api-agent": ["server/routes.ts", "shared/types.ts"], "ui-agent": ["web/App.tsx"] });
  loads(r);
});

test("a task matrix names its agents by id in an Agent column; a verb of writing gives the path", () => {
  const r = compile({
    "agent-assignments.md": `# Assignments

## Tasks
| Task | Description | Agent |
|---|---|---|
| T1 | Create \`config/rules.toml\` with the defaults | \`backend-dev\` |
| T2 | Review \`docs/policy.md\` for gaps | \`backend-dev\` |
| T3 | Add \`tests/test_rules.py\` | \`qa\` |

## Waves
### Wave 1 — Config
1. T1 (\`backend-dev\`)
### Wave 2 — Verify
1. T3 (\`qa\`)
`,
  });
  expect(r.plan.waves.map((w) => w.agents)).toEqual([["backend-dev"], ["qa"]]);
  expect(territoryOf(r)).toEqual({ "backend-dev": ["config/rules.toml"], qa: ["tests/test_rules.py"] });
  expect(r.territory!.find((e) => e.path === "config/rules.toml")?.confidence).toBe("medium");
  loads(r);
});

test("low-confidence territory comes first in the intake report, each entry with its source line", () => {
  const dir = mkdtempSync(join(tmpdir(), "purple-md-others-"));
  try {
    writeFileSync(
      join(dir, "PARALLEL_PLAN.md"),
      "# P\n\n## Wave 1: One\n### Agent 1: Maker\n**Files**: `src/maker/`, `maker.ts`\n**Deliverables**:\n- `docs/maker.md`\n",
    );
    const c = compileFolder(dir, "p", "markdown", { runner: "anthropic" });
    const section = c.report.slice(c.report.indexOf("## Territory"));
    const rows = section.split("\n").filter((l) => /^\| (?:low|medium|high) /.test(l));
    expect(rows.map((l) => l.split("|")[1]!.trim())).toEqual(["low", "medium", "high"]);
    expect(rows[0]).toContain("`maker.ts`");
    expect(rows[0]).toContain("`PARALLEL_PLAN.md:5`");
    expect(c.report).toContain("Plan file: `PARALLEL_PLAN.md`");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the plan file is found by content among several markdown files, and the report says which and why", () => {
  const dir = mkdtempSync(join(tmpdir(), "purple-md-others-"));
  try {
    writeFileSync(join(dir, "README.md"), "# Readme\n\nSee the plan.\n");
    writeFileSync(join(dir, "WAVE_1_COMPLETION.md"), "# Wave 1 complete\n\n## Wave 1: Done\n### Agent 1: Maker\nAll good.\n");
    writeFileSync(join(dir, "execution-plan.md"), "# Plan\n\n## Wave 1: Make\n### Agent 1: Maker\n**Files**: `src/a.ts`\n\n## Wave 2: Check\n### Agent 2: Checker\n**Files**: `test/a.test.ts`\n");
    expect(compilableKind(dir)).toBe("markdown");
    const c = compileFolder(dir, "p", "markdown", { runner: "anthropic" });
    expect(c.result.planFile?.file).toBe("execution-plan.md");
    expect(c.result.planFile?.why).toContain("WAVE_1_COMPLETION.md");
    expect(c.result.plan.agents.map((a) => a.id)).toEqual(["agent-1-maker", "agent-2-checker"]);
    expect(c.source).toBe(join(dir, "execution-plan.md"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a single markdown file compiles on its own", () => {
  const dir = mkdtempSync(join(tmpdir(), "purple-md-others-"));
  try {
    const file = join(dir, "migration.md");
    writeFileSync(file, "# Migrate\n\n## Phase 1: Move\n### Stream 1: Data\n**Owns**: `data/`\n");
    expect(compilableKind(file)).toBe("markdown");
    const c = compileFolder(file, "migration", "markdown", { runner: "anthropic" });
    expect(c.result.plan.agents.map((a) => [a.id, a.territory])).toEqual([["stream-1-data", ["data/"]]]);
    expect(c.source).toBe(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("no silent nothing: a folder with no waves or agents, and an agent with no files, say so with the lines", () => {
  const none = compile({ "notes.md": "# Ideas\n\n## Background\nSome text.\n\n## Open questions\n- many\n" });
  expect(none.plan.waves).toEqual([]);
  expect(none.gaps!.map((g) => g.kind)).toEqual(["no-waves", "no-agents"]);
  expect(none.gaps![0]!.lines.map((l) => l.line)).toEqual([1, 3, 6]);
  const idle = compile({ "plan.md": "# P\n\n## Wave 1: One\n### Agent 1: Maker\n**Files**: `src/a.ts`\n### Agent 2: Thinker\nThinks hard about the design.\n" });
  expect(idle.gaps!.map((g) => [g.kind, g.message.includes("agent-2-thinker")])).toEqual([["no-territory", true]]);
  expect(idle.gaps![0]!.lines[0]).toEqual({ line: 6, text: "### Agent 2: Thinker" });
  const dir = mkdtempSync(join(tmpdir(), "purple-md-others-"));
  try {
    mkdirSync(join(dir, "p"));
    writeFileSync(join(dir, "p", "plan.md"), "# P\n\n## Wave 1: One\n### Agent 1: Maker\n**Files**: `src/a.ts`\n### Agent 2: Thinker\nThinks.\n");
    const report = compileFolder(join(dir, "p"), "p", "markdown", { runner: "anthropic" }).report;
    expect(report.indexOf("## Could not compile (1)")).toBeLessThan(report.indexOf("## Territory"));
    expect(report).toContain("  - 6: ### Agent 2: Thinker");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a folder holding both a canonical plan.yaml and markdown is the canonical plan: nothing is compiled", async () => {
  const { checkPlanAt, isCompilableFolder } = await import("../inbox/submit.ts");
  const dir = mkdtempSync(join(tmpdir(), "purple-md-others-"));
  try {
    writeFileSync(join(dir, "orchestration-plan.md"), "# P\n\n## Wave 1: One\n### Agent 1: Maker\n**Files**: `src/a.ts`\n");
    expect(isCompilableFolder(dir)).toBe(true);
    writeFileSync(join(dir, "plan.yaml"), "apiVersion: purple/v1\nname: canon\nagents: [{id: only, territory: [docs/]}]\nwaves: [{id: w, agents: [only]}]\n");
    expect(isCompilableFolder(dir)).toBe(false);
    const checked = await checkPlanAt(dir, null);
    expect(checked.ok && checked.plan.agents.map((a) => a.id)).toEqual(["only"]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a roster naming each agent's brief file: the brief is read as the agent's section, not owned", () => {
  const r = compile({
    "README.md": "# Pack\n\n## Phase 1: Core\n| Agent | File | Phase |\n|---|---|---|\n| `E1_CORE` | `AGENTS/E1_CORE.md` | 1 |\n\n## Phase 2: Docs\n| Agent | File | Phase |\n|---|---|---|\n| `E2_DOCS` | `AGENTS/E2_DOCS.md` | 2 |\n",
    "AGENTS/E1_CORE.md": "# E1_CORE — core\n\n**Owned paths:**\n- `src/core.mjs`\n\n**Creates (in queue):**\n- `queue/E1.json`\n\n**Must NOT edit:**\n- `docs/**`\n",
    "AGENTS/E2_DOCS.md": "# E2_DOCS — docs\n\n**Owns:**\n- `docs/guide.md`\n",
  });
  expect(territoryOf(r)).toEqual({ "e1-core": ["src/core.mjs", "queue/E1.json"], "e2-docs": ["docs/guide.md"] });
  expect(r.plan.waves.map((w) => w.agents)).toEqual([["e1-core"], ["e2-docs"]]);
});
