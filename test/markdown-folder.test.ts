// The markdown compiler across a plan folder: agent-assignments.md enriching the main plan,
// validation-strategy.md gates, "after each wave" commands, integration contracts with owners and
// consumers, folders missing files, and reading a folder from disk.
import { expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkPlan } from "../inbox/check-plan.ts";
import { compileMarkdownPlan, readMarkdownFolder, type CompileResult } from "../inbox/markdown/compile.ts";
import { Plan } from "../protocol/plan.ts";

function compile(files: Record<string, string>): CompileResult {
  const result = compileMarkdownPlan(files, { name: "Folder Plan", defaults: { runner: "claude-code", model: "claude-sonnet-5-5", maxAgents: 4 } });
  const parsed = Plan.safeParse(result.plan);
  if (!parsed.success) throw new Error(JSON.stringify(parsed.error.issues, null, 2));
  expect(checkPlan(parsed.data)).toEqual([]);
  return result;
}

const PLAN = `# Auth Service - Orchestration Plan

## Wave 1: Foundations
### Agent 1: Token Designer
**Territory**: \`src/tokens/\`

### Agent 2: Session Store
**Territory**: \`src/sessions/\`

## Wave 2: API
### Agent 3: API Builder
**Territory**: \`src/api/\`
`;

const ASSIGNMENTS = `# Agent Assignments

## Agent 1: Token Designer
### Territory (Read/Write)
- \`src/tokens/\`
- \`docs/tokens.md\`
### Territory (Read-Only)
- \`src/config/\`
### Deliverables
- Token signing module
- Rotation job

## Agent 3: API Builder
**ID**: \`api-agent\`
**Exclusive Territory**:
- \`tests/api/\` (CREATE)
**Read-Only Access**:
- \`src/tokens/\`
`;

const VALIDATION = `# Validation Strategy

## Wave 1 Validation: Foundations
### Unit Tests
\`\`\`bash
pytest tests/tokens -q
pytest tests/sessions -q   # sessions too
\`\`\`

## Wave 2 Gate
\`\`\`
curl -sf http://localhost:8080/health
\`\`\`

## Continuous Validation
\`\`\`bash
npm run lint
\`\`\`

After each wave, run the wave's smoke test:
\`\`\`bash
./scripts/smoke.sh --wave {n}
\`\`\`

## Rollback Procedures
After each wave, check that a rollback works:
\`\`\`bash
git revert HEAD
\`\`\`
`;

test("agent-assignments.md adds territory and tickets; read-only lists stay out", () => {
  const r = compile({ "orchestration-plan.md": PLAN, "agent-assignments.md": ASSIGNMENTS });
  const tokens = r.plan.agents.find((a) => a.id === "agent-1-token-designer")!;
  expect(tokens.territory).toEqual(["src/tokens/", "docs/tokens.md"]);
  expect(tokens.tickets!.map((t) => t.title)).toEqual(["Token signing module", "Rotation job"]);
  const api = r.plan.agents.find((a) => a.id === "agent-3-api-builder")!;
  expect(api.territory).toEqual(["src/api/", "tests/api/"]);
  expect(r.plan.agents.map((a) => a.id)).toEqual(["agent-1-token-designer", "agent-2-session-store", "agent-3-api-builder"]);
  expect(r.plan.defaults).toEqual({ runner: "claude-code", model: "claude-sonnet-5-5" });
  expect(r.plan.maxAgents).toBe(4);
  expect(r.plan.name).toBe("folder-plan");
});

test("validation-strategy.md gives each wave its commands; 'after each wave' applies to all, {n} filled in", () => {
  const r = compile({ "orchestration-plan.md": PLAN, "validation-strategy.md": VALIDATION });
  const runs = (k: number) => r.plan.waves[k]!.gate!.flatMap((c) => ("run" in c ? [c.run] : []));
  expect(runs(0)).toEqual(["pytest tests/tokens -q", "pytest tests/sessions -q", "./scripts/smoke.sh --wave 1"]);
  // A call to a local service needs it running: a manual check showing the command (issue 12).
  expect(runs(1)).toEqual(["./scripts/smoke.sh --wave 2"]);
  expect(r.plan.waves[1]!.gate).toContainEqual({ manual: "Run by hand and confirm: `curl -sf http://localhost:8080/health`" });
  expect(JSON.stringify(r.plan.waves)).not.toContain("git revert");
  expect(r.items.some((i) => i.kind === "ambiguous" && i.file === "validation-strategy.md" && /no wave/.test(i.message))).toBe(true);
});

test("integration contracts: ids from the file or heading, owners and consumers mapped to agent ids", () => {
  const r = compile({
    "orchestration-plan.md": PLAN,
    "integration-contracts/IC-001-token-format.md": `# IC-001: Token Format\n\n**Owner**: Token Designer\n**Consumers**: Session Store, \`api-agent\`, Agent 3\n`,
    "integration-contracts/session-schema.md": `# Session Schema Contract\n\n**Contract ID**: SESS-1\n**Provider**: Agent 2\n\n## Consumed By\n- All agents\n`,
    "integration-contracts/README.md": "# Index of contracts\n",
    "integration-contracts/sample-token.json": "{}",
  });
  // Each contract also gets a judge check that its owner's changes meet the spec (issue 12).
  expect(r.plan.contracts!.every((c) => c.checks!.filter((k) => "judge" in k).length === 1)).toBe(true);
  expect(r.plan.contracts!.map(({ checks: _checks, ...c }) => c)).toEqual([
    {
      id: "IC-001",
      title: "Token Format",
      owner: "agent-1-token-designer",
      consumers: ["agent-2-session-store", "agent-3-api-builder"],
      spec: "integration-contracts/IC-001-token-format.md",
    },
    {
      id: "SESS-1",
      title: "Session Schema Contract",
      owner: "agent-2-session-store",
      consumers: ["agent-1-token-designer", "agent-3-api-builder"],
      spec: "integration-contracts/session-schema.md",
    },
  ]);
});

test("a single-file plan compiles on its own", () => {
  const r = compile({ "orchestration-plan.md": PLAN });
  expect(r.plan.waves.map((w) => w.agents.length)).toEqual([2, 1]);
  expect(r.plan.contracts).toEqual([]);
  expect(r.plan.goal).toBe("Auth Service");
});

test("a folder without orchestration-plan.md uses agent-assignments.md, waves from its headings", () => {
  const r = compile({
    "agent-assignments.md": `# Assignments

## Wave 1: Core (2 Agents)
### Agent 1: Parser Agent
**Territory**: \`parser/\`
### Agent 2: Lexer Agent
**Territory**: \`lexer/\`

## Wave 2: Tools
### Agent 3: Formatter Agent
**Territory**: \`fmt/\`
`,
    "validation-strategy.md": "## Wave 2 Validation\n```bash\ncargo test -p fmt\n```\n",
  });
  expect(r.plan.waves.map((w) => [w.id, w.agents])).toEqual([
    ["wave-1", ["agent-1-parser-agent", "agent-2-lexer-agent"]],
    ["wave-2", ["agent-3-formatter-agent"]],
  ]);
  expect(r.plan.waves[1]!.gate).toEqual([{ run: "cargo test -p fmt" }]);
});

test("a folder with only a validation strategy, or nothing at all, is reported, not thrown", () => {
  const folders: Record<string, string>[] = [{}, { "validation-strategy.md": "## Wave 1\n```bash\nmake\n```\n" }, { "notes.txt": "hello" }];
  for (const files of folders) {
    const r = compileMarkdownPlan(files, { name: "x", defaults: { runner: "anthropic" } });
    expect(r.plan.apiVersion).toBe("purple/v1");
    expect(r.items.some((i) => i.kind === "not-understood")).toBe(true);
  }
});

test("readMarkdownFolder reads every markdown file and integration-contracts/*, skipping binary and huge files", () => {
  const dir = mkdtempSync(join(tmpdir(), "purple-md-"));
  try {
    writeFileSync(join(dir, "orchestration-plan.md"), PLAN);
    writeFileSync(join(dir, "README.md"), "read: the plan is found by content");
    writeFileSync(join(dir, "notes.txt"), "not markdown: not read");
    mkdirSync(join(dir, "integration-contracts"));
    writeFileSync(join(dir, "integration-contracts", "api.md"), "# API\n");
    writeFileSync(join(dir, "integration-contracts", "blob.bin"), Buffer.from([0, 1, 2, 3]));
    writeFileSync(join(dir, "integration-contracts", "huge.md"), "x".repeat(1024 * 1024 + 1));
    expect(Object.keys(readMarkdownFolder(dir)).sort()).toEqual(["README.md", "integration-contracts/api.md", "orchestration-plan.md"]);
    expect(readMarkdownFolder(join(dir, "missing"))).toEqual({});
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("waves that name agents by number, agents detailed only in agent-assignments.md, a gate from coordination-protocol.md", () => {
  const r = compile({
    "orchestration-plan.md": "# Search\n\n## Wave 1: Index\n**Agents**: Agent 1, Agent 2\n\n## Wave 2: Query\n**Agents**: Agent 3\n\n**Synchronization Gate**:\n- [ ] p95 latency under 200ms\n",
    "agent-assignments.md":
      "# Assignments\n\n## Agent 1: Indexer\n**Owns**: `search/index/`\n**Deliverables**:\n- Incremental indexer\n\n## Agent 2: Schema Designer\n**Owns**: `search/schema.json`\n\n## Agent 3: Query Planner\n**Owns**: `search/query/`\n",
    "coordination-protocol.md": "# Coordination\n## Wave 2 Gate Check\n```bash\n./scripts/bench-query.sh\n```\n",
  });
  expect(r.plan.waves.map((w) => w.agents)).toEqual([["agent-1-indexer", "agent-2-schema-designer"], ["agent-3-query-planner"]]);
  expect(r.plan.agents.map((a) => a.territory)).toEqual([["search/index/"], ["search/schema.json"], ["search/query/"]]);
  expect(r.plan.waves[1]!.gate).toEqual([{ run: "./scripts/bench-query.sh" }, { manual: "p95 latency under 200ms" }]);
  expect(r.plan.waves[0]!.gate).toEqual([]);
});
