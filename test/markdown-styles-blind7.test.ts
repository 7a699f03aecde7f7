// Writing styles met first in bench/blind7 (plans written and labelled before their author read the
// compiler): German labels, ownership given path-first, crews with persona names, sentences wrapped
// over two lines, units of work annotated "(agent: x)", and a project's own bin stubs as gate
// commands. Every fixture is written for this test, not taken from the blind set.
import { expect, test } from "bun:test";
import type { CompileResult } from "../inbox/markdown/compile.ts";
import { compileChecked, territories as territory, waveSummary as summary } from "./support/markdown-compile.ts";

const compile = (files: Record<string, string>): CompileResult => compileChecked(files, "blind7");
const gateRuns = (r: CompileResult) => r.plan.waves.map((w) => (w.gate ?? []).flatMap((g) => ("run" in g ? [g.run] : [])));

test("German labels: 'Dateien' is territory, 'Liest' and 'Nicht anfassen' are not, 'Abnahme' gates the phase", () => {
  const r = compile({
    "plan.md": `# Umsetzungsplan Suche

## Phase 1: Index

### Agent: index-bauer
**Dateien:**
- \`suche/index.py\`
**Liest:** \`modelle/artikel.py\`

**Abnahme Phase 1:**
\`\`\`bash
pytest tests/suche
\`\`\`

## Phase 2: Oberfläche

### Agent: such-ui
Dateien: \`web/suche.vue\`
Nicht anfassen: \`suche/index.py\`
Abnahme: \`npm run build\`
`,
  });
  expect(summary(r)).toEqual([
    { id: "wave-1", agents: ["index-bauer"] },
    { id: "wave-2", agents: ["such-ui"] },
  ]);
  expect(territory(r)).toEqual({ "index-bauer": ["suche/index.py"], "such-ui": ["web/suche.vue"] });
  expect(gateRuns(r)).toEqual([["pytest tests/suche"], ["npm run build"]]);
});

test("a file-ownership section written path first ('`x/**` → agent') gives each agent its paths; shared paths stay unowned", () => {
  const r = compile({
    "plan.md": `# Exporter

## Stage 1
exporter-agent builds the exporter.

## Stage 2
cli-agent wires it into the CLI.

## File ownership

- \`exporter/**\` → exporter-agent
- \`cli/export.go\`, \`cli/export_test.go\` → cli-agent

Shared, read by all: \`go.mod\`.
`,
  });
  expect(summary(r)).toEqual([
    { id: "wave-1", agents: ["exporter-agent"] },
    { id: "wave-2", agents: ["cli-agent"] },
  ]);
  expect(territory(r)).toEqual({ "exporter-agent": ["exporter/**"], "cli-agent": ["cli/export.go", "cli/export_test.go"] });
});

test("a crew of persona handles ('**Noor (api)**') inside milestones are the agents; 'Owns:' wrapped over lines keeps only owned sentences", () => {
  const r = compile({
    "ROADMAP.md": `# Rate limits

## Milestone 1 — Limiter

**Noor (api)**
Owns: the limiter in \`api/limit.rb\` and its spec
\`spec/limit_spec.rb\`. The controller \`api/base_controller.rb\` is a good
example of the style — reference only.

Review: \`bin/rails test spec/limit_spec.rb\`

## Milestone 2 — Docs

**Ines (docs)**
Owns: \`docs/limits.md\`.
`,
  });
  expect(summary(r)).toEqual([
    { id: "wave-1", agents: ["noor"] },
    { id: "wave-2", agents: ["ines"] },
  ]);
  expect(territory(r)).toEqual({ noor: ["api/limit.rb", "spec/limit_spec.rb"], ines: ["docs/limits.md"] });
  expect(gateRuns(r)[0]).toEqual(["bin/rails test spec/limit_spec.rb"]);
});

test("units of work annotated '(agent: x)' are that agent's sections, and 'Task N' in a round line places it", () => {
  const r = compile({
    "breakdown.md": `# Export button

### Task 1 (agent: backend)
files: \`server/export.ts\`
read-only: \`server/db.ts\`

### Task 2 (agent: frontend)
files: \`web/ExportButton.tsx\`

Round 1: Task 1
Round 2: Task 2

Each round ends when its pull request merges.
`,
  });
  expect(summary(r)).toEqual([
    { id: "wave-1", agents: ["backend"] },
    { id: "wave-2", agents: ["frontend"] },
  ]);
  expect(territory(r)).toEqual({ backend: ["server/export.ts"], frontend: ["web/ExportButton.tsx"] });
});

test("checkbox tasks annotated '(agent: `x`)' under wave headings are agents; their sub-tasks say what they write", () => {
  const r = compile({
    "tasks.md": `# Implementation Plan

## Wave 1 — Store

- [ ] 1. Local store (agent: \`store-agent\`)
  - [ ] 1.1 Create \`app/store.ts\` with get and put
    - _Requirements: 1.1_

## Wave 2 — Screens

- [ ] 2. Offline screen (agent: \`screen-agent\`)
  - [ ] 2.1 Create \`app/Offline.tsx\`
    - Uses \`app/store.ts\` (read only)
  - [ ] 2.2 Write tests for the banner in \`tests/offline.test.ts\`

- [ ] 3. Wave 2 checkpoint
  - Ensure all tests pass: \`npx jest tests\`
`,
  });
  expect(summary(r)).toEqual([
    { id: "wave-1", agents: ["store-agent"] },
    { id: "wave-2", agents: ["screen-agent"] },
  ]);
  expect(territory(r)).toEqual({ "store-agent": ["app/store.ts"], "screen-agent": ["app/Offline.tsx", "tests/offline.test.ts"] });
  expect(gateRuns(r)).toEqual([[], ["npx jest tests"]]);
});

test("a single roster table's waves get their checks from 'Wave N:' lines under a '## Gates' heading", () => {
  const r = compile({
    "PLAN.md": `# Cache layer

| Agent | Wave | Owns | Depends on |
|---|---|---|---|
| cache-core | 1 | \`cache/core.py\` | — |
| cache-api | 2 | \`api/cache_routes.py\` | cache-core |

## Gates

Wave 1:
\`\`\`
pytest cache/tests
\`\`\`

Wave 2:
\`\`\`
pytest api/tests/test_cache.py
\`\`\`
`,
  });
  expect(summary(r)).toEqual([
    { id: "wave-1", agents: ["cache-core"] },
    { id: "wave-2", agents: ["cache-api"] },
  ]);
  expect(gateRuns(r)).toEqual([["pytest cache/tests"], ["pytest api/tests/test_cache.py"]]);
});

test("issue-like sections handed to an agent ('**Assignee:** @x') are that agent's; 'Context:' paths are only read", () => {
  const r = compile({
    "EPIC.md": `# [Epic] Exports #10

## Wave 1

### #11 CSV writer
**Assignee:** @agent-csv
**Scope:**
- \`export/csv.ts\`
**Context:** \`export/types.ts\`

## Wave 2

### #12 Export page
**Assignee:** @agent-page
**Blocked by** #11
**Scope:**
- \`web/pages/export.tsx\`
`,
  });
  expect(summary(r)).toEqual([
    { id: "wave-1", agents: ["agent-csv"] },
    { id: "wave-2", agents: ["agent-page"] },
  ]);
  expect(territory(r)).toEqual({ "agent-csv": ["export/csv.ts"], "agent-page": ["web/pages/export.tsx"] });
});

test("unnumbered phases named for a method's steps (Specification, Architecture, Refinement) with agents inside run in order", () => {
  const r = compile({
    "swarm.md": `# Swarm plan

## Objective
Retry failed uploads.

## S — Specification
**Agent:** \`analyst\`
- Writes \`docs/retry-spec.md\`.

## A — Architecture
**Agent:** \`designer\`
- Creates \`src/retry/types.ts\`.
- Writes ADR \`docs/adr/0003-retry.md\`.

Gate before Refinement:
\`\`\`bash
npm run typecheck
\`\`\`

## R — Refinement

### \`builder\`
- Implements \`src/retry/run.ts\`.

### \`checker\`
- Owns \`tests/retry/\`.

## Commands
\`\`\`bash
npx claude-flow swarm status
\`\`\`
`,
  });
  expect(summary(r)).toEqual([
    { id: "wave-1", agents: ["analyst"] },
    { id: "wave-2", agents: ["designer"] },
    { id: "wave-3", agents: ["builder", "checker"] },
  ]);
  expect(gateRuns(r)).toEqual([[], ["npm run typecheck"], []]);
  expect(territory(r)).toEqual({ analyst: ["docs/retry-spec.md"], designer: ["src/retry/types.ts", "docs/adr/0003-retry.md"], builder: ["src/retry/run.ts"], checker: ["tests/retry/"] });
});
