// Styles found missing by the blind plans of bench/blind (each rule here has its own fixture,
// written for this test): a file matrix whose columns are kebab-case agent ids, a roster whose Agent
// column sits beside a Track/Lane column, bold "Phase N" lines naming agents, a drawing of the
// waves in a code block, and unlabelled "Adds `x`" bullets in an agent's own section.
import { expect, test } from "bun:test";
import type { CompileResult } from "../inbox/markdown/compile.ts";
import { compileChecked, territories as territory, waveSummary as summary } from "./support/markdown-compile.ts";

const compile = (files: Record<string, string>): CompileResult => compileChecked(files, "lanes");

test("a file matrix with kebab-case agent columns: W cells are territory, R cells are not", () => {
  const r = compile({
    "PLAN.md": `# Catalog import

| Files | api-writer | ui-writer | e2e-runner |
|-------|-----------|-----------|------------|
| \`server/import/\` | W | | R |
| \`web/pages/import.vue\` | R | W | R |
| \`e2e/import.spec.ts\` | | | W |

## Stage 1 — server
Agents: \`api-writer\`

## Stage 2 — screens and checks
Agents: \`ui-writer\`, \`e2e-runner\`
`,
  });
  expect(summary(r)).toEqual([
    { id: "wave-1", agents: ["api-writer"] },
    { id: "wave-2", agents: ["ui-writer", "e2e-runner"] },
  ]);
  expect(territory(r)).toEqual({ "api-writer": ["server/import/"], "ui-writer": ["web/pages/import.vue"], "e2e-runner": ["e2e/import.spec.ts"] });
});

test("a roster with Track and Agent columns; bold phase lines name tracks; a check after each phase gates every wave", () => {
  const r = compile({
    "sessions.md": `# Two-day push

| Track | Agent | Owns | Off limits |
|-------|-------|------|------------|
| 1 | cache-layer | \`lib/cache/\` | \`lib/db/\` |
| 2 | db-tuning | \`lib/db/indexes.sql\` | \`lib/cache/\` |
| 3 | dashboards | \`ops/grafana/\` | |

**Phase 1 — Core**: tracks 1 and 2 start together; track 2 only reads \`lib/cache/api.ts\`.

**Phase 2 — Visibility**: track 3, once both are merged.

After each phase, run \`make check\`.
`,
  });
  expect(summary(r)).toEqual([
    { id: "wave-1", agents: ["cache-layer", "db-tuning"] },
    { id: "wave-2", agents: ["dashboards"] },
  ]);
  expect(territory(r)).toEqual({ "cache-layer": ["lib/cache/"], "db-tuning": ["lib/db/indexes.sql"], dashboards: ["ops/grafana/"] });
  for (const w of r.plan.waves) expect(w.gate).toEqual([{ run: "make check" }]);
});

test("lettered lanes: 'lanes A and B' name the roster's lanes A and B", () => {
  const r = compile({
    "lanes.md": `# Export formats

| Lane | Agent | Writes |
|------|-------|--------|
| A | csv-export | \`export/csv.py\` |
| B | xlsx-export | \`export/xlsx.py\` |
| C | export-docs | \`docs/export.md\` |

**Round 1** — lanes A and B.
**Round 2** — lane C documents both.
`,
  });
  expect(summary(r)).toEqual([
    { id: "wave-1", agents: ["csv-export", "xlsx-export"] },
    { id: "wave-2", agents: ["export-docs"] },
  ]);
});

test("a drawing of the waves in a code block; unlabelled write bullets are territory, denied and read ones are not", () => {
  const r = compile({
    "compiler.md": `# Toy compiler

\`\`\`text
Wave 1 ── Squad 1 (lexer), Squad 2 (parser)
Wave 2 ── Squad 3 (codegen)
\`\`\`

## Squad 1 — lexer
- Adds \`toy/lexer.py\`
- Never edits \`toy/tokens.py\` (frozen)

## Squad 2 — parser
- Writes \`toy/parser.py\` and \`toy/ast.py\`
- Reads \`toy/tokens.py\` for the token names

## Squad 3 — codegen
- Creates \`toy/codegen/\`
- Uses the AST from \`toy/ast.py\`; must not modify it
`,
  });
  expect(summary(r)).toEqual([
    { id: "wave-1", agents: ["squad-1-lexer", "squad-2-parser"] },
    { id: "wave-2", agents: ["squad-3-codegen"] },
  ]);
  expect(territory(r)).toEqual({
    "squad-1-lexer": ["toy/lexer.py"],
    "squad-2-parser": ["toy/parser.py", "toy/ast.py"],
    "squad-3-codegen": ["toy/codegen/"],
  });
});

test("missions named by code (\"Mission K2\") placed by a Wave | Missions table; checks between waves gate every wave", () => {
  const r = compile({
    "briefing.md": `# Search filters

| Wave | Missions |
|------|----------|
| 1 | K1 |
| 2 | K2, K3 |

## Mission K1 — facet-index
**Owns exclusively**
- \`search/facets/\`

## Mission K2 — filter-chips
**Owns exclusively**
- \`web/filters/Chips.svelte\`

**Must not touch**
- \`search/facets/\`

## Mission K3 — url-state
**Owns exclusively**
- \`web/filters/url.ts\`

## Checks between waves
\`\`\`sh
make verify
\`\`\`
`,
  });
  expect(summary(r)).toEqual([
    { id: "wave-1", agents: ["facet-index"] },
    { id: "wave-2", agents: ["filter-chips", "url-state"] },
  ]);
  expect(territory(r)).toEqual({ "facet-index": ["search/facets/"], "filter-chips": ["web/filters/Chips.svelte"], "url-state": ["web/filters/url.ts"] });
  for (const w of r.plan.waves) expect(w.gate).toEqual([{ run: "make verify" }]);
});

test("work packages (\"WP2 — …\") ordered by one sentence naming several waves", () => {
  const r = compile({
    "packages.md": `# Audit log

Order of work — Wave 1: WP1. Wave 2: WP2 and WP3 together.

## WP1 — log-schema (\`log-schema\`)
Files owned:
- \`db/audit/\`

## WP2 — log-writer (\`log-writer\`)
Files owned:
- \`server/audit/writer.go\`

## WP3 — log-viewer (\`log-viewer\`)
Files owned:
- \`web/audit/\`
`,
  });
  expect(summary(r)).toEqual([
    { id: "wave-1", agents: ["log-schema"] },
    { id: "wave-2", agents: ["log-writer", "log-viewer"] },
  ]);
  expect(territory(r)).toEqual({ "log-schema": ["db/audit/"], "log-writer": ["server/audit/writer.go"], "log-viewer": ["web/audit/"] });
});

test("subagent sections with Scope / Out of scope lists, ordered by a numbered execution order", () => {
  const r = compile({
    "subagents.md": `# Dark mode

## Subagent: theme-tokens
Scope:
- \`styles/tokens.css\`
Out of scope: \`styles/legacy.css\`

## Subagent: theme-toggle
Scope:
- \`components/ThemeToggle.vue\`

## Run order
1. theme-tokens
2. theme-toggle, once the tokens exist
`,
  });
  expect(summary(r)).toEqual([
    { id: "wave-1", agents: ["theme-tokens"] },
    { id: "wave-2", agents: ["theme-toggle"] },
  ]);
  expect(territory(r)).toEqual({ "theme-tokens": ["styles/tokens.css"], "theme-toggle": ["components/ThemeToggle.vue"] });
});

test("a roster of numbered workers, batches naming them by number", () => {
  const r = compile({
    "swarm.md": `# Image pipeline swarm

| # | Worker | Touches |
|---|--------|---------|
| 1 | resize-core | \`img/resize.rs\` |
| 2 | webp-encoder | \`img/webp.rs\` |
| 3 | avif-encoder | \`img/avif.rs\` |

### Batch 1
Worker #1 first.

### Batch 2
Workers #2 and #3 side by side.
`,
  });
  expect(summary(r)).toEqual([
    { id: "wave-1", agents: ["resize-core"] },
    { id: "wave-2", agents: ["webp-encoder", "avif-encoder"] },
  ]);
  expect(territory(r)).toEqual({ "resize-core": ["img/resize.rs"], "webp-encoder": ["img/webp.rs"], "avif-encoder": ["img/avif.rs"] });
});
