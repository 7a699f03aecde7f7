// The markdown compiler on one small plan per writing style: wave headings at several levels, phases
// with restarting numbering, per-agent sections, roster tables, ownership matrices, (CREATE) lists.
// Every compiled plan must load: Plan.safeParse and checkPlan both accept it.
import { expect, test } from "bun:test";
import { compileMarkdownPlan, type CompileResult } from "../inbox/markdown/compile.ts";
import { Plan } from "../protocol/plan.ts";
import { compileChecked as compile } from "./support/markdown-compile.ts";

const agent = (r: CompileResult, id: string) => {
  const a = r.plan.agents.find((x) => x.id === id);
  if (!a) throw new Error(`no agent ${id} among ${r.plan.agents.map((x) => x.id).join(", ")}`);
  return a;
};
const waveOf = (r: CompileResult, id: string) => r.plan.waves.find((w) => w.agents.includes(id))?.id;

const HEADINGS_PLAN = `# Checkout Revamp - Orchestration Plan

**Goal**: Rebuild the checkout flow end to end.
**Max Agents**: 3

## Wave 0: Setup (1 agent)

### Agent 1: Scaffold Builder
**Territory**: \`package.json\`, \`src/app/\`
**Tasks**:
1. Create the app shell
2. Add the router
   - with lazy routes

**Validation Gate**:
- [ ] App builds and starts
\`\`\`bash
# build it first
npm run build
npm test -- \\
  --coverage   # with coverage
\`\`\`

---

## Wave 1: Features (Parallel)

#### Agent 2: Cart Engineer
**Territory**:
- \`src/cart/\` (CREATE)
- \`src/shared/money.ts\` (MODIFY)

#### Agent 3: Payment Engineer
**Files**: \`src/payment/\`, \`src/shared/money.ts\`

### Wave 1 Synchronization Gate
- [ ] Cart totals match the pricing spec
- [ ] Payment sandbox passes: \`npm run test:payments\`
- [ ] \`src/cart/index.ts\` exists
`;

test("wave headings at two levels, wave 0, agent sections, gates with comments and continuations", () => {
  const r = compile({ "orchestration-plan.md": HEADINGS_PLAN });
  expect(r.plan.waves.map((w) => [w.id, w.title])).toEqual([
    ["wave-0", "Setup"],
    ["wave-1", "Features"],
  ]);
  expect(r.plan.goal).toBe("Rebuild the checkout flow end to end.");
  expect(r.plan.maxAgents).toBe(3);
  expect(agent(r, "agent-1-scaffold-builder").territory).toEqual(["package.json", "src/app/"]);
  expect(agent(r, "agent-2-cart-engineer").territory).toEqual(["src/cart/", "src/shared/money.ts"]);
  expect(waveOf(r, "agent-1-scaffold-builder")).toBe("wave-0");
  expect(waveOf(r, "agent-3-payment-engineer")).toBe("wave-1");
  expect(r.plan.waves[0]!.gate).toEqual([{ run: "npm run build" }, { run: "npm test -- --coverage" }, { manual: "App builds and starts" }]);
  expect(r.plan.waves[1]!.gate).toEqual([{ run: "npm run test:payments" }, { manual: "Cart totals match the pricing spec" }, { exists: "src/cart/index.ts" }]);
  const tickets = agent(r, "agent-1-scaffold-builder").tickets!;
  expect(tickets.map((t) => t.id)).toEqual(["AGENT-1-SCAFFOLD-BUILDER-1", "AGENT-1-SCAFFOLD-BUILDER-2"]);
  expect(tickets[1]!.description).toContain("with lazy routes");
});

test("two agents of one wave sharing a file: the later waits for the earlier, reported as ambiguous", () => {
  const r = compile({ "orchestration-plan.md": HEADINGS_PLAN });
  expect(agent(r, "agent-3-payment-engineer").dependsOn).toEqual(["agent-2-cart-engineer"]);
  expect(r.items.some((i) => i.kind === "ambiguous" && /overlap/.test(i.message) && i.line > 1)).toBe(true);
});

test("waves nested under phases with numbering that restarts keep their order and get unique ids", () => {
  const r = compile({
    "orchestration-plan.md": `# Data Platform

## Phase 1: Ingestion
### Wave 1 - Connectors
#### ingest-agent
**Owns**: \`ingest/\`
### Wave 2 - Storage
#### storage-agent
**Owns**: \`storage/\`

## Phase 2: Serving
### Wave 1 - API
#### api-agent
**Owns**: \`api/\`
### Wave 2 - Web
#### web-agent
**Owns**: \`web/\`
`,
  });
  expect(r.plan.waves.map((w) => w.title)).toEqual(["Connectors", "Storage", "API", "Web"]);
  expect(r.plan.waves.map((w) => w.id)).toEqual(["wave-1.1", "wave-1.2", "wave-2.1", "wave-2.2"]);
  expect(r.plan.waves.map((w) => w.agents)).toEqual([["ingest-agent"], ["storage-agent"], ["api-agent"], ["web-agent"]]);
  expect(agent(r, "api-agent").territory).toEqual(["api/"]);
  expect(r.items.filter((i) => i.kind === "ambiguous" && /numbered again/.test(i.message)).length).toBe(4);
});

test("a roster table with a Wave column, Files Owned and <br> cells", () => {
  const r = compile({
    "orchestration-plan.md": `# Search

## Agent Roster

| Agent | Role | Wave | Files Owned |
|-------|------|------|-------------|
| indexer-agent | Builds the index | 1 | \`indexer/\`<br>\`schema/index.json\` |
| query-agent | Query API | 2 | \`api/query.ts\`, \`api/parse.ts\` (new) |
| ui-agent | Search page | 2 | web/search.html<br>web/search.css |
`,
  });
  expect(r.plan.waves.map((w) => [w.id, w.agents])).toEqual([
    ["wave-1", ["indexer-agent"]],
    ["wave-2", ["query-agent", "ui-agent"]],
  ]);
  expect(agent(r, "indexer-agent").territory).toEqual(["indexer/", "schema/index.json"]);
  expect(agent(r, "query-agent").territory).toEqual(["api/query.ts", "api/parse.ts"]);
  expect(agent(r, "ui-agent").territory).toEqual(["web/search.html", "web/search.css"]);
  expect(agent(r, "query-agent").role).toBe("Query API");
});

test("bold agent lines with ids, (CREATE)/(WRITE) lists and a separate ownership matrix", () => {
  const r = compile({
    "orchestration-plan.md": `# Notifications

## Agents

**Agent 1: Email Sender** (\`email-agent\`)
- **Files**:
  - \`src/email/send.ts\` (CREATE)
  - \`src/email/templates/\` (WRITE)

**Agent 2: Push Sender** (\`push-agent\`)
- **Territory**: push notifications
- **Files**:
  - \`src/push/\` (CREATE)

## Ownership Matrix

| File | Owner | Access |
|------|-------|--------|
| \`src/email/queue.ts\` | Email Sender | Write |
| \`src/config.ts\` | Push Sender | Read only |

## Execution

### Wave 1: Senders
**Agents**: \`email-agent\`, \`push-agent\`
`,
  });
  expect(r.plan.waves).toHaveLength(1);
  expect(r.plan.waves[0]!.agents).toEqual(["email-agent", "push-agent"]);
  expect(agent(r, "email-agent").territory).toEqual(["src/email/send.ts", "src/email/templates/", "src/email/queue.ts"]);
  expect(agent(r, "push-agent").territory).toEqual(["src/push/"]);
  expect(agent(r, "email-agent").name).toBe("Email Sender");
});

test("prose that mentions paths in passing never becomes territory", () => {
  const r = compile({
    "orchestration-plan.md": `# Refactor

## Wave 1: Cleanup

### Agent 1: Cleaner
**Territory**: \`src/clean/\`
- Read-only access to \`src/core/engine.ts\`
- Extends static-analyzer.ts without modifying it

**Responsibilities**:
- Remove the helpers in \`src/legacy/util.ts\` once callers move
- Compare with src/old/version.ts

The cleaner also looks at \`docs/notes.md\` and src/other/thing.ts for context.

**Dependencies**: reads \`src/shared/types.ts\`
`,
  });
  expect(agent(r, "agent-1-cleaner").territory).toEqual(["src/clean/"]);
});

test("an agent named in several waves runs once, in the first; an agent in no wave goes to the last", () => {
  const r = compile({
    "orchestration-plan.md": `# Two Passes

## Wave 1: Draft
**Agents**: \`writer-agent\`
#### writer-agent
**Territory**: \`docs/\`

## Wave 2: Polish
#### writer-agent (continues)
**Territory**: \`docs/\`, \`README.md\`
#### editor-agent
**Territory**: \`style/\`

## Appendix
### Agent 9: Auditor
**Territory**: \`audit/\`
`,
  });
  expect(waveOf(r, "writer-agent")).toBe("wave-1");
  expect(agent(r, "writer-agent").territory).toEqual(["docs/", "README.md"]);
  expect(waveOf(r, "editor-agent")).toBe("wave-2");
  expect(waveOf(r, "agent-9-auditor")).toBe("wave-2");
  expect(r.items.some((i) => i.kind === "ambiguous" && /named in waves 1, 2/.test(i.message))).toBe(true);
  expect(r.items.some((i) => i.kind === "inferred" && /no wave names agent "agent-9-auditor"/.test(i.message))).toBe(true);
});

test("a wave with no agent of its own is a gate-only wave: no agent invented, its gate kept, the report says so", () => {
  const r = compile({
    "orchestration-plan.md": `# Release

## Wave 1: Build
### Agent 1: Builder
**Territory**: \`src/\`

## Wave 2: Verify (Orchestrator)
**Validation**:
\`\`\`sh
make check
\`\`\`
`,
  });
  expect(r.plan.waves[1]!.agents).toEqual([]);
  expect(r.plan.agents.map((a) => a.id)).toEqual(["agent-1-builder"]);
  expect(r.plan.waves[1]!.gate).toEqual([{ run: "make check" }]);
  expect(r.items).toContainEqual({ kind: "ambiguous", file: "orchestration-plan.md", line: 7, message: "wave 2 has no agent of its own (the plan gives its work to the orchestrator): a gate-only wave, whose gate runs once the waves before it have passed" });
});

test("a plan that names waves but no agent at all: nothing invented, the gap said out loud, the plan refused", () => {
  const r = compileMarkdownPlan({ "orchestration-plan.md": "# Solo\n\n## Wave 1: Build\nBuild it.\n\n## Wave 2: Check\n**Validation**:\n```sh\nmake check\n```\n" }, { name: "solo", defaults: { runner: "anthropic" } });
  expect(r.plan.agents).toEqual([]);
  expect(r.plan.waves.map((w) => [w.agents, w.gate])).toEqual([
    [[], [{ manual: "Wave 1 (Build) is the orchestrator's work, given to no agent; confirm it is done (orchestration-plan.md:3)" }]],
    [[], [{ run: "make check" }]],
  ]);
  expect(r.gaps?.map((g) => g.kind)).toEqual(["no-agents"]);
  expect(Plan.safeParse(r.plan).success).toBe(false); // a plan needs at least one agent
});

test("territory entries the canonical plan refuses are dropped and reported", () => {
  const r = compile({
    "orchestration-plan.md": `# Escape

## Wave 1: Only
### Agent 1: Sneaky
**Territory**: \`../outside/\`, \`.git/hooks/\`, \`.context-kit/orchestration/x/\`, \`src/ok/\`
`,
  });
  expect(agent(r, "agent-1-sneaky").territory).toEqual(["src/ok/"]);
  expect(r.items.filter((i) => i.kind === "not-understood" && /territory/.test(i.message)).length).toBeGreaterThanOrEqual(2);
});
