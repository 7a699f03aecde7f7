// More writing styles the compiler must read without having seen them: phases instead of waves,
// waves as list items, lettered and numbered agent headings, agents in tables inside each wave,
// "Gate N" sections, wave tables, bare "### Wave 0" headings, and "Tests" sections.
import { expect, test } from "bun:test";
import type { CompileResult } from "../inbox/markdown/compile.ts";
import { compileChecked, territories as territory, waveSummary as summary } from "./support/markdown-compile.ts";

const compile = (text: string, more: Record<string, string> = {}): CompileResult => compileChecked({ "orchestration-plan.md": text, ...more }, "more");

test("phases that hold agents are the waves when no wave is named; 'Gate N' sections gate wave N", () => {
  const r = compile(`# Mobile App

## Phase 1: Foundations
### Agent A: Design Tokens
- **Owns**: \`packages/tokens/\`
### Agent B: API Client
- **Owns**: \`packages/api-client/\`

#### Testing
\`\`\`bash
pnpm -r test
\`\`\`

## Phase 2: Screens
### 1. Login Screen Agent
**Territory**: apps/mobile/src/screens/login/

## Synchronization Gates
### Gate 1: Foundations ready
- [ ] Tokens published
### Gate 2: Screens ready
- [ ] Screens reviewed on a device
`);
  expect(summary(r)).toEqual([
    { id: "wave-1", agents: ["agent-a-design-tokens", "agent-b-api-client"] },
    { id: "wave-2", agents: ["login-screen-agent"] },
  ]);
  expect(r.plan.waves[0]!.gate).toEqual([{ run: "pnpm -r test" }, { manual: "Tokens published" }]);
  expect(r.plan.waves[1]!.gate).toEqual([{ manual: "Screens reviewed on a device" }]);
  expect(territory(r)["login-screen-agent"]).toEqual(["apps/mobile/src/screens/login/"]);
});

test("waves written as list items name their agents; bold agent lines with arrows give territories", () => {
  const r = compile(`# Reports

Waves:
- **Wave 1** (Base): \`schema-agent\`, \`seed-agent\`
- **Wave 2** (Reports): \`report-agent\`

## Agents
- **schema-agent** → \`db/schema/\`
- **seed-agent** → \`db/seeds/\`
- **report-agent** → \`reports/\`, \`templates/report.html\`
`);
  expect(r.plan.waves.map((w) => [w.id, w.title, w.agents])).toEqual([
    ["wave-1", "Base", ["schema-agent", "seed-agent"]],
    ["wave-2", "Reports", ["report-agent"]],
  ]);
  expect(territory(r)).toEqual({ "schema-agent": ["db/schema/"], "seed-agent": ["db/seeds/"], "report-agent": ["reports/", "templates/report.html"] });
  expect(r.items.filter((i) => i.kind === "ambiguous")).toEqual([]);
});

test("agents in a table inside each wave section; a bare '### Wave 0' heading", () => {
  const r = compile(`# Billing

### Wave 0
| Agent | Territory | Notes |
|---|---|---|
| ledger-agent | \`billing/ledger/\` | first |

### Wave 1
| Agent | Territory | Notes |
|---|---|---|
| invoice-agent | \`billing/invoices/\`, \`billing/pdf/\` | |
| tax-agent | billing/tax/ | reads \`billing/ledger/\` |
`);
  expect(summary(r)).toEqual([
    { id: "wave-0", agents: ["ledger-agent"] },
    { id: "wave-1", agents: ["invoice-agent", "tax-agent"] },
  ]);
  expect(territory(r)["tax-agent"]).toEqual(["billing/tax/"]);
});

test("a wave table (Wave | Agents) places agents defined elsewhere", () => {
  const r = compile(`# Infra

## Schedule
| Wave | Agents | Goal |
|------|--------|------|
| 1 | \`network-agent\`, \`dns-agent\` | plumbing |
| 2 | \`app-agent\` | deploy |

## Agent Details
### network-agent
**Territory**: \`infra/network/\`
### dns-agent
**Territory**: \`infra/dns/\`
### app-agent
**Territory**: \`deploy/\`
`);
  expect(summary(r)).toEqual([
    { id: "wave-1", agents: ["network-agent", "dns-agent"] },
    { id: "wave-2", agents: ["app-agent"] },
  ]);
});

test("a 'Tests' list inside an agent section is work, not a gate; its shell block is a gate command", () => {
  const r = compile(`# Lib

## Wave 1: Core
### Agent 1: Core Writer
**Territory**: \`lib/core/\`
**Tests**:
- Test parsing of empty input
- Test unicode
\`\`\`bash
cargo test -p core
\`\`\`
`);
  expect(r.plan.waves[0]!.gate).toEqual([{ run: "cargo test -p core" }]);
});

test("waves in words, `id-agent: paths` items, and a final validation that gates the last wave", () => {
  const r = compile(`# Docs Site

## Wave One: Content
- \`content-agent\`: \`content/\`, \`static/img/\`

## Wave Two: Theme
- theme-agent → \`theme/\`

## Final Validation
\`\`\`bash
hugo --minify
\`\`\`
`);
  expect(r.plan.waves.map((w) => [w.id, w.title, w.agents])).toEqual([
    ["wave-1", "Content", ["content-agent"]],
    ["wave-2", "Theme", ["theme-agent"]],
  ]);
  expect(territory(r)).toEqual({ "content-agent": ["content/", "static/img/"], "theme-agent": ["theme/"] });
  expect(r.plan.waves[1]!.gate).toEqual([{ run: "hugo --minify" }]);
  expect(r.plan.waves[0]!.gate).toEqual([]);
});

test("a roster after a '#' column defines agents by their own names; gates as labels with inline commands", () => {
  const r = compile(`# Orchestration Plan: Payments v2

| # | Agent | Responsibility | Files Owned | Wave |
|---|-------|----------------|-------------|------|
| 1 | **stripe-adapter** | Stripe integration | \`src/payments/stripe/**\` | 1 |
| 2 | **ledger** | Double-entry ledger | \`src/ledger/\`, \`migrations/0042_ledger.sql\` | 1 |
| 3 | **qa** | E2E tests | \`e2e/payments/\` | 2 |

## Wave 1 — Foundations
Agents 1 and 2 work in parallel.

**Gate:**
- \`npm run typecheck\`
- Ledger migration reviewed by a human

## Wave 2 — QA
**Gate:** \`npx playwright test e2e/payments\`
`);
  expect(r.plan.waves.map((w) => [w.title, w.agents])).toEqual([
    ["Foundations", ["stripe-adapter", "ledger"]],
    ["QA", ["qa"]],
  ]);
  expect(territory(r).ledger).toEqual(["src/ledger/", "migrations/0042_ledger.sql"]);
  expect(r.plan.agents.find((a) => a.id === "ledger")!.role).toBe("Double-entry ledger");
  expect(r.plan.waves[0]!.gate).toEqual([{ run: "npm run typecheck" }, { manual: "Ledger migration reviewed by a human" }]);
  expect(r.plan.waves[1]!.gate).toEqual([{ run: "npx playwright test e2e/payments" }]);
  expect(r.plan.goal).toBe("Payments v2");
});
