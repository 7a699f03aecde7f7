// Writing styles without wave headings, and ways plans give files without an ownership label:
// tracks ordered only by what they wait for, numbered steps after the agents' own sections, a
// file's content opened by a comment naming it, shell appends, "<file> updates" headings, a task
// matrix whose notes say where results go, and bare names another file of the folder spells in full.
// Every fixture is written for this test.
import { expect, test } from "bun:test";
import type { CompileResult } from "../inbox/markdown/compile.ts";
import { compileChecked, territories as territory, waveSummary as summary } from "./support/markdown-compile.ts";

const compile = (files: Record<string, string>): CompileResult => compileChecked(files, "steps");

test("tracks that only say what they wait for: each step of the dependency order is a wave", () => {
  const r = compile({
    "ROLLOUT.md": `# Invoicing rollout

Five people-sized jobs, handed to a fleet of coding agents. No fixed schedule: start a track as
soon as the tracks it waits on are merged.

### Track 1: Ledger Agent
**Files to change**: \`services/ledger/\`
**Depends on**: nothing, start right away

### Track 2: Tax Rules Agent
**Files to change**: \`services/tax/rules.py\`
**Depends on**: nothing

### Track 3: Invoice PDF Agent
**Files to change**: \`services/pdf/\`
**Depends on**: Track 1 (the ledger schema has to be in first)

### Track 4: Reminder Mail Agent
**Files to change**: \`services/mail/reminders.py\`
**Depends on**: Track 3 — blocked by the PDF renderer

### Track 5: Docs Agent
**Files to change**: \`docs/invoicing.md\`
**Depends on**: Track 2, Track 3 finished before it starts
`,
  });
  expect(summary(r)).toEqual([
    { id: "wave-1", agents: ["track-1-ledger-agent", "track-2-tax-rules-agent"] },
    { id: "wave-2", agents: ["track-3-invoice-pdf-agent"] },
    { id: "wave-3", agents: ["track-4-reminder-mail-agent", "track-5-docs-agent"] },
  ]);
  expect(r.items.some((i) => i.kind === "ambiguous" && /depend on each other/.test(i.message))).toBe(true);
});

test("numbered steps after the agents' sections are the waves; the agents work in the step that says so", () => {
  const r = compile({
    "fix-sprint.md": `# Fix sprint: three specialists, one branch each

### 1) Agent: schema-migrator
Owns the migration. Worktree \`../fix-schema\`.

\`\`\`sql
-- db/migrations/0042_add_index.sql
CREATE INDEX idx_orders_customer ON orders (customer_id);
\`\`\`

### 2) Agent: lint-janitor
\`\`\`bash
cd ../fix-lint
echo "build/" >> .prettierignore
npx prettier --write .
\`\`\`

### 3) Agent: bundle-tuner
#### vite.config.ts updates
\`\`\`ts
export default { build: { sourcemap: false } };
\`\`\`

## How the day runs

### Step 1: Fix in isolation
Every agent works in parallel on its own branch.

### Step 2: Check each branch
\`\`\`bash
npm test
\`\`\`

### Step 3: Merge
Merge the three branches in order.
`,
  });
  expect(summary(r).map((w) => w.id)).toEqual(["wave-1", "wave-2", "wave-3"]);
  expect(r.plan.waves[0]!.agents).toEqual(["schema-migrator", "lint-janitor", "bundle-tuner"]);
  // The later steps name no agent, and none is invented: with no gate of their own either, each is
  // a gate-only wave whose one check waits for a person and names whose work it is.
  expect(r.plan.agents.map((a) => a.id)).toEqual(["schema-migrator", "lint-janitor", "bundle-tuner"]);
  expect(r.plan.waves.slice(1).map((w) => [w.agents, w.gate])).toEqual([
    [[], [{ manual: "Wave 2 (Check each branch) is the orchestrator's work, given to no agent; confirm it is done (fix-sprint.md:29)" }]],
    [[], [{ manual: "Wave 3 (Merge) is the orchestrator's work, given to no agent; confirm it is done (fix-sprint.md:34)" }]],
  ]);
  expect(r.items.filter((i) => /has no agent of its own/.test(i.message)).map((i) => `${i.line}: ${i.message}`)).toEqual([2, 3].map((n, k) =>
    `${[29, 34][k]}: wave ${n} has no agent of its own (the plan gives its work to the orchestrator) and no gate: a gate-only wave whose one check waits for a person (\`purplectl approve\`) once the waves before it have passed`,
  ));
  expect(territory(r)).toMatchObject({
    "schema-migrator": ["db/migrations/0042_add_index.sql"],
    "lint-janitor": [".prettierignore"],
    "bundle-tuner": ["vite.config.ts"],
  });
  // The worktree is a workspace, not a path the agent owns.
  expect(JSON.stringify(territory(r))).not.toContain("fix-schema");
});

test("steps with no agent stay one wave when none says the agents work in it", () => {
  const r = compile({
    "plan.md": `# Cleanup

### Agent: docs-writer
**Owns**: \`docs/\`

## Phase 1: Draft
Write the first draft.

## Phase 2: Review
A person reads it.
`,
  });
  // Two steps, but neither says the agents work in it: the agent keeps the last-wave rule.
  expect(summary(r)).toEqual([
    { id: "wave-1", agents: [] },
    { id: "wave-2", agents: ["docs-writer"] },
  ]);
});

test("a task matrix's notes give where results go; a bare name is the full path another file spells", () => {
  const r = compile({
    "assignments.md": `# Feature 77: rate limits — who does what

| Task | Description | Agent | Notes |
|------|------|-------|-------|
| T1 | Create \`api/limits/bucket.go\` | \`backend-dev\` | token bucket |
| T2 | Write \`limits_test.go\` table tests | \`qa-dev\` | co-located with the bucket |
| T3 | Soak test for an hour | \`qa-dev\` | results to \`reports/soak-77.md\` |
| T4 | Update the runbook | \`backend-dev\` | document in \`ops/runbook.md\` |

## Parallel Execution Waves
- Wave 1: T1 (\`backend-dev\`)
- Wave 2: T2, T3 (\`qa-dev\`), T4 (\`backend-dev\`)
`,
    "tasks.md": `# Tasks
- [ ] T1 token bucket in \`api/limits/bucket.go\`
- [ ] T2 table tests in \`api/limits/limits_test.go\`
`,
  });
  expect(territory(r)).toEqual({
    "backend-dev": ["api/limits/bucket.go", "ops/runbook.md"],
    "qa-dev": ["api/limits/limits_test.go", "reports/soak-77.md"],
  });
  const entry = r.territory!.find((e) => e.path === "api/limits/limits_test.go")!;
  expect(entry.confidence).toBe("low");
  expect(entry.why).toMatch(/shorthand/);
});

test("Dockerfile.worker is a file; another file's deliverable inside a folder the plan gives the agent is not repeated", () => {
  const r = compile({
    "orchestration-plan.md": `# Queue workers

## Wave 1: Workers
### Agent 1: Worker Agent
**Territory**: \`workers/\`, \`Dockerfile.worker\`
`,
    "agent-assignments.md": `# Assignments
### Agent 1: Worker Agent
**Deliverables**:
- [ ] \`workers/retry.py\` with backoff
- [ ] \`deploy/worker.yaml\` manifest
`,
  });
  expect(territory(r)["agent-1-worker-agent"]).toEqual(["workers/", "Dockerfile.worker", "deploy/worker.yaml"]);
});

test("a path written from the root beside the agent's full path is that same file, not a second one", () => {
  const r = compile({
    "orchestration-plan.md": `# Health checks

## Wave 1: Endpoints
### Agent 1: Health Agent
**Deliverables**:
- [ ] Create the health route (\`/api/health/route.ts\`)

**Files to create**:
- \`src/app/api/health/route.ts\`
`,
  });
  expect(territory(r)["agent-1-health-agent"]).toEqual(["src/app/api/health/route.ts"]);
});
